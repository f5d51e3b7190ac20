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
