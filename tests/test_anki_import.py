"""The Anki deck checked by Anki itself: the official ``anki`` package (headless, no GUI) imports
the built ``.apkg`` into a fresh collection.

- counts (notes, cards, per subdeck) and GUIDs against docs/data/study.json;
- every card rendered by Anki's own template renderer, showing its note's fields, no two
  notes with the same front;
- importing the same file again adds and changes nothing;
- a learner who imported a previous build (made here from a modified spec) and then imports
  this one gets every changed note updated, and a note that did not change keeps its time.
"""

from __future__ import annotations

import collections
import io
import json
import os
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
from conftest import forked_generator, warm_cache

anki_collection = pytest.importorskip("anki.collection", reason="the anki package is a dev dependency: make test installs it")
Collection = anki_collection.Collection
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
APKG = DOCS / "downloads" / "convcards.apkg"


def fresh_collection(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_apkg(col, path: Path):
    req = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=False))
    return col.import_anki_package(req).log


def expected_guid(item: dict) -> str:
    """The GUID of a study item, from its id alone (``card`` or ``card~variant~kind``)."""
    parts = item["id"].split("~")
    return genanki.guid_for(parts[0]) if len(parts) == 1 else genanki.guid_for(parts[0], int(parts[1]), parts[2])


@pytest.fixture(scope="module")
def study() -> dict:
    return json.loads((DOCS / "data" / "study.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    col = fresh_collection(tmp_path_factory.mktemp("anki-fresh"))
    log = import_apkg(col, APKG)
    yield col, log
    col.close()


def test_counts_and_guids_match_study_json(imported, study):
    col, log = imported
    items = study["items"]
    assert len(log.new) == len(items) and not log.updated and not log.duplicate and not log.missing_notetype
    assert col.note_count() == len(items)
    assert col.card_count() == len(items)
    guids = {col.get_note(nid).guid for nid in col.find_notes("")}
    assert guids == {expected_guid(it) for it in items}
    per_deck = collections.Counter(it["deck_title"] for it in items)
    for title, n in per_deck.items():
        assert len(col.find_cards(f'"deck:convcards::{title}"')) == n, title
    assert {d.name for d in col.decks.all_names_and_ids()} >= {f"convcards::{t}" for t in per_deck}


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


def test_every_card_renders_with_its_fields(imported):
    col, _ = imported
    fronts: dict[str, str] = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        q, a = _visible(card.question()), _visible(card.answer())
        where = note.guid
        for text in (q, a):
            assert not re.search(r"\{\{(Front|Back|Title|Source|FrontSide)\}\}", text), where
            assert "problem" not in text.lower() or "problem" in (note["Front"] + note["Back"]).lower(), where
        assert _visible(note["Front"]) in q and note["Title"] in q, where
        assert _visible(note["Back"]) in a and _visible(note["Front"]) in a, where
        assert "\\(" in q + a or "\\[" in q + a, where  # math for Anki's MathJax
        assert note["Front"] not in fronts, f"{where} and {fronts.get(note['Front'])} share a front"
        fronts[note["Front"]] = where


def test_reimport_adds_nothing(imported):
    col, _ = imported
    before = col.note_count()
    log = import_apkg(col, APKG)
    assert not log.new and not log.updated
    assert len(log.duplicate) == before
    assert col.note_count() == before


# ----------------------------------------------------------------------- updates reach learners

DECK = "1-sliding-window.yaml"
CHANGES = (
    # the first card's question, and its practice seed (so every one of its variants changes)
    ("question: What does a convolution layer compute at one output position?", "question: What does a convolution compute?"),
    ("    practice:\n      seed: 1\n", "    practice:\n      seed: 11\n"),
)


def _generate(decks: Path, docs: Path) -> None:
    """``python -m generator --decks DECKS --docs DOCS``, forked from a process that has imported
    the generator (conftest.forked_generator: the command line is not this module's subject)."""
    env = {**os.environ, "CONVCARDS_CACHE": str(docs.parent / "cache")}  # a copy of the warm cache (conftest.warm_cache)
    proc = forked_generator("--decks", str(decks), "--docs", str(docs), "--quiet", env=env)
    assert proc.returncode == 0, proc.stderr


def _notes(apkg: bytes, tmp: Path) -> dict[str, tuple[str, int]]:
    db = tmp / "peek.anki2"
    db.write_bytes(zipfile.ZipFile(io.BytesIO(apkg)).read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        return {g: (f, m) for g, f, m in con.execute("SELECT guid, flds, mod FROM notes")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> dict:
    """A previous build from a modified spec, then this spec's build into the same docs folder
    (so it finds the previous .apkg there, as a build of the committed docs/ does)."""
    tmp = tmp_path_factory.mktemp("anki-builds")
    old_decks, new_decks = tmp / "old", tmp / "new"
    shutil.copytree(ROOT / "generator" / "decks", old_decks)
    shutil.copytree(ROOT / "generator" / "decks", new_decks)
    old = (new_decks / DECK).read_text(encoding="utf-8")
    for a, b in CHANGES:
        assert old.count(a) == 1, a
        old = old.replace(a, b)
    (old_decks / DECK).write_text(old, encoding="utf-8")
    docs = tmp / "docs"
    warm_cache(tmp / "cache")  # the figures are not this test's subject: drawn once per run, not here
    _generate(old_decks, docs)
    previous = (docs / "downloads" / "convcards.apkg").read_bytes()
    shutil.copy(docs / "downloads" / "convcards.apkg", tmp / "previous.apkg")
    _generate(new_decks, docs)
    current = (docs / "downloads" / "convcards.apkg").read_bytes()
    _generate(new_decks, docs)
    again = (docs / "downloads" / "convcards.apkg").read_bytes()
    return {"tmp": tmp, "previous": previous, "current": current, "again": again, "docs": docs}


def test_previous_build_then_this_one_updates_every_changed_note(two_builds):
    tmp = two_builds["tmp"]
    old, new = _notes(two_builds["previous"], tmp), _notes(two_builds["current"], tmp)
    changed = {g for g in new if g in old and old[g][0] != new[g][0]}
    added = set(new) - set(old)
    assert len(changed) >= 4, "the modified spec changes the card and its practice variants"
    col = fresh_collection(tmp / "learner")
    try:
        first = import_apkg(col, tmp / "previous.apkg")
        assert len(first.new) == len(old)
        log = import_apkg(col, two_builds["docs"] / "downloads" / "convcards.apkg")
        updated = {col.get_note(n.id.nid).guid for n in log.updated}
        assert updated == changed, f"not updated: {sorted(changed - updated)}; updated but unchanged: {sorted(updated - changed)}"
        assert {col.get_note(n.id.nid).guid for n in log.new} == added
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            if note.guid in new:
                assert "\x1f".join(note.fields) == new[note.guid][0], note.guid
    finally:
        col.close()


def test_unchanged_notes_keep_their_time_and_changed_ones_move_forward(two_builds):
    tmp = two_builds["tmp"]
    old, new = _notes(two_builds["previous"], tmp), _notes(two_builds["current"], tmp)
    newest_before = max(m for _, m in old.values())
    for g, (flds, mod) in new.items():
        if g in old and old[g][0] == flds:
            assert mod == old[g][1], g
        else:
            assert mod > newest_before, g
    assert two_builds["again"] == two_builds["current"], "a rebuild of the same spec over its own build is byte-identical"


def test_a_cards_notes_are_found_by_the_tag_the_downloads_page_names(imported, study):
    """The downloads page tells learners to delete a removed card's notes via ``tag:convcards::<card id>``."""
    col, _ = imported
    page = (DOCS / "downloads.md").read_text(encoding="utf-8")
    assert "`tag:convcards::card-id`" in page
    per_card = collections.Counter(it["card"] for it in study["items"])
    for card, n in per_card.items():
        found = col.find_notes(f"tag:convcards::{card}")
        assert len(found) == n, card
        assert all(card in col.get_note(nid)["Source"] for nid in found), card


def test_no_latex_outside_math_in_any_field(imported):
    """Every LaTeX command of a note sits between math delimiters, so Anki's MathJax typesets it
    (display math written inside a paragraph would reach the learner as '[ 0 \\cdot 1 ... ]')."""
    col, _ = imported
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        for name in ("Front", "Back"):
            text = re.sub(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", " ", note[name], flags=re.S)
            assert not re.search(r"\\[a-zA-Z]+", text), f"{note.guid} {name}: LaTeX outside math: {text[:300]}"
