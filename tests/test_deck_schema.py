"""docs/data/deck.schema.json, the JSON Schema of a deck spec (for editor completion): valid
draft 2020-12; its keys and names are generator/spec.py's (so the two cannot drift apart);
every built-in deck and README's example validate; a planted mistake does not."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator import spec

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs/data/deck.schema.json").read_text(encoding="utf-8"))
DECKS = sorted((ROOT / "generator/decks").glob("*.yaml"))


def validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def test_keys_and_names_are_the_generators():
    d = SCHEMA["$defs"]
    assert set(SCHEMA["properties"]) == set(spec.DECK_KEYS)
    assert set(d["card"]["properties"]) == set(spec.CARD_KEYS)
    assert set(d["example"]["properties"]) == set(spec.EXAMPLE_KEYS)
    assert set(d["random"]["properties"]) == set(spec.RANDOM_KEYS)
    assert set(d["card"]["properties"]["practice"]["properties"]) == set(spec.PRACTICE_KEYS)
    assert set(d["card"]["properties"]["back"]["properties"]) == set(spec.BACK_KEYS)
    assert d["example"]["properties"]["operation"]["enum"] == list(spec.OPERATIONS)
    assert d["card"]["properties"]["views"]["items"]["enum"] == list(spec.VIEWS)
    assert d["card"]["properties"]["practice"]["properties"]["kinds"]["items"]["enum"] == list(spec.ALL_PRACTICE_KINDS)


@pytest.mark.parametrize("path", DECKS, ids=[p.name for p in DECKS])
def test_every_builtin_deck_validates(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.path)}: {e.message[:200]}" for e in validator().iter_errors(doc)]
    assert errors == []


def test_readmes_example_validates():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```yaml\n(# my-cards/decks/mine.yaml.*?)^```$", readme, re.S | re.M)
    assert block
    assert list(validator().iter_errors(yaml.safe_load(block.group(1)))) == []


@pytest.mark.parametrize("mistake", ["unknown card key", "unknown operation", "view twice", "stride 0", "no question"])
def test_planted_mistakes_are_refused(mistake):
    doc = copy.deepcopy(yaml.safe_load(DECKS[0].read_text(encoding="utf-8")))
    card = doc["cards"][0]
    ex = next(iter(card["examples"].values()))
    if mistake == "unknown card key":
        card["qestion"] = "typo"
    elif mistake == "unknown operation":
        ex["operation"] = "correlation"
    elif mistake == "view twice":
        card["views"] = ["figure", "figure"]
    elif mistake == "stride 0":
        ex["stride"] = 0
    else:
        del card["question"]
    assert list(validator().iter_errors(doc)), mistake


def test_published_beside_the_cards_schema():
    assert (ROOT / "docs/data/cards.schema.json").is_file()
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_views_per_operation_are_the_generators():
    """The schema's views × operations rules hold the generator's table (spec.VIEWS_FOR)."""
    rules = {}
    for rule in SCHEMA["$defs"]["card"]["allOf"]:
        views = rule["then"].get("properties", {}).get("views")
        if views is None:
            continue
        match = rule["if"]["properties"]["examples"]["not"]["additionalProperties"]["not"]
        op = match.get("properties", {}).get("operation", {}).get("const") or match["anyOf"][1]["properties"]["operation"]["const"]
        rules[op] = tuple(views["items"]["enum"])
    assert rules == spec.VIEWS_FOR


def _card(views: list[str] | None, operation: str, template: str | None = None, examples: bool = True) -> dict:
    card = {"id": "c", "title": "T", "question": "Q?"}
    if views is not None:
        card["views"] = views
    if template:
        card["template"] = template
    if examples:
        card["examples"] = {"main": {"operation": operation, "input": [[1, 2], [3, 4]], "kernel": [[1, 0], [0, 1]]}}
    return {"deck": "t", "title": "T", "cards": [card]}


@pytest.mark.parametrize(
    ("doc", "ok"),
    [
        (_card(["figure"], "transposed_convolution"), False),  # the case
        (_card(["transposed", "scatter"], "transposed_convolution"), True),
        (_card(["figure", "sliding_window"], "cross_correlation"), True),
        (_card(["sliding_window"], "max_pooling"), False),
        (_card(["transposed"], "convolution"), False),
        (_card(None, "cross_correlation", examples=False), False),  # the generic card needs an example
        (_card(None, "cross_correlation", template="cards/pooling.md.j2", examples=False), True),
    ],
)
def test_views_that_do_not_fit_and_empty_answers_are_refused(doc, ok):
    assert (list(validator().iter_errors(doc)) == []) == ok
