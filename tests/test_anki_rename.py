"""A card renamed but keeping its meaning keeps its Anki notes (``formerly: [old-id]``), checked
by the official ``anki`` package: a learner imports a build, the card is renamed with
``formerly``, the learner imports the next build: the card's notes (the card and its practice
variants) are updated in place, none added, none left behind. The control: the same rename
without ``formerly`` adds new notes and strands the old ones (what the field prevents)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import test_spec_errors
from test_spec_errors import fails, has

from generator import scaffold

anki_collection = pytest.importorskip("anki.collection", reason="the anki package is a dev dependency: make test installs it")
ROOT = Path(__file__).resolve().parent.parent
docs_copy = test_spec_errors.docs_copy  # the fixture: a copy of docs/ that a refused spec must leave as it was


def _generate(decks: Path, docs: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "generator", "--decks", str(decks), "--docs", str(docs), "--quiet"]
    env = {**os.environ, "CONVCARDS_CACHE": str(docs.parent / "cache")}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)


def _import(col, path: Path):
    opts = anki_collection.ImportAnkiPackageOptions(with_scheduling=False)
    return col.import_anki_package(anki_collection.ImportAnkiPackageRequest(package_path=str(path), options=opts)).log


def _rename(tmp: Path, formerly: bool) -> dict:
    decks, docs = tmp / "decks", tmp / "docs"
    decks.mkdir()
    deck = decks / "mine.yaml"
    text = scaffold.SAMPLE_DECK.format(deck="mine")
    deck.write_text(text, encoding="utf-8")
    assert _generate(decks, docs).returncode == 0
    first = tmp / "first.apkg"
    first.write_bytes((docs / "downloads/convcards.apkg").read_bytes())
    before = json.loads((docs / "data/study.json").read_text(encoding="utf-8"))
    renamed = text.replace("  - id: one-output\n", "  - id: single-output\n" + ("    formerly: [one-output]\n" if formerly else ""))
    renamed = renamed.replace("builds_on: [one-output]", "builds_on: [single-output]")
    assert renamed.count("single-output") == 2
    deck.write_text(renamed, encoding="utf-8")
    proc = _generate(decks, docs)
    assert proc.returncode == 0, proc.stderr
    after = json.loads((docs / "data/study.json").read_text(encoding="utf-8"))
    (tmp / "learner").mkdir()
    col = anki_collection.Collection(str(tmp / "learner" / "collection.anki2"))
    try:
        log1 = _import(col, first)
        log2 = _import(col, docs / "downloads/convcards.apkg")
        notes = [col.get_note(n) for n in col.find_notes("")]
        return {"before": before, "after": after, "log1": log1, "log2": log2, "notes": notes}
    finally:
        col.close()


def test_a_renamed_card_with_formerly_keeps_its_notes(tmp_path):
    r = _rename(tmp_path, formerly=True)
    renamed_items = [it for it in r["after"]["items"] if it["card"] == "single-output"]
    assert renamed_items and len(r["log1"].new) == len(r["before"]["items"])
    assert not r["log2"].new, "no note added"
    assert len(r["log2"].updated) == len(renamed_items), "every note of the renamed card updated (its tag and source name the new id)"
    assert len(r["notes"]) == len(r["after"]["items"]), "no note left behind"
    tags = {t for n in r["notes"] for t in n.tags}
    assert not any(t.endswith("::one-output") for t in tags) and any(t.endswith("::single-output") for t in tags)
    assert r["after"]["renamed"] == {"one-output": "single-output"}, "study mode is told, to carry progress over"


def test_the_control_without_formerly_adds_notes(tmp_path):
    r = _rename(tmp_path, formerly=False)
    n = len([it for it in r["after"]["items"] if it["card"] == "single-output"])
    assert len(r["log2"].new) == n and len(r["notes"]) == len(r["after"]["items"]) + n
    assert "renamed" not in r["after"]


# ----------------------------------------------------------------------------- formerly, refused


def _two_cards(first_extra: str, second_extra: str) -> str:
    card = "    title: T\n    question: Q?\n    examples:\n      main:\n        input: [[1, 2], [3, 4]]\n        kernel: [[1]]\n"
    return f"deck: t\ntitle: T\ncards:\n  - id: a\n{first_extra}{card}  - id: b\n{second_extra}{card}"


@pytest.mark.parametrize(
    ("first", "second", "card", "expected"),
    [
        ("    formerly: [b]\n", "", "a", "an id no card has now"),  # two cards would share notes
        ("    formerly: [a]\n", "", "a", "none the card's id now"),
        ("    formerly: [old]\n", "    formerly: [old]\n", "b", "an earlier id of this card only"),
        ("    formerly: old\n", "", "a", "a list of the card's earlier ids"),
    ],
)
def test_a_formerly_that_would_mix_notes_is_refused(docs_copy, tmp_path, first, second, card, expected):
    m = fails(docs_copy, tmp_path, {"t.yaml": _two_cards(first, second)})
    assert len(m) == 1
    has(m[0], tmp_path / "decks/t.yaml", card, "formerly", expected, "")
