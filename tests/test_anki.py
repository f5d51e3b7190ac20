"""The Anki deck (docs/downloads/convcards.apkg): it opens, holds one note per card and per
practice variant with stable GUIDs, two builds are byte-identical, and every answer in it is
recomputed independently (tests/practice_oracle.py) from what the note itself shows.

CONVCARDS_TEST_DECKS may point at another deck folder (default: generator/decks).
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import numpy as np
import practice_oracle as oracle
import pytest
from conftest import generated_docs, warm_cache

from generator import anki, render, spec
from generator.study import to_html

ROOT = Path(__file__).resolve().parent.parent
DECKS = Path(os.environ.get("CONVCARDS_TEST_DECKS", ROOT / "generator/decks"))


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> dict:
    """One build by ``python -m generator`` in a subprocess (hash seed 4242), one in this process.
    The built-in decks' build is the run's shared one (conftest.generated_docs, seed 4242 too)."""
    if DECKS == ROOT / "generator/decks":
        docs = generated_docs()
    else:
        tmp = tmp_path_factory.mktemp("anki-build")
        docs = tmp / "docs"
        docs.mkdir()
        env = dict(os.environ, PYTHONHASHSEED="4242", CONVCARDS_CACHE=str(warm_cache(tmp / "cache")))
        cmd = [sys.executable, "-m", "generator", "--decks", str(DECKS), "--docs", str(docs), "-q"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    tenv = render.environment()
    decks = spec.load_decks([DECKS], render.card_templates(tenv))
    outputs = render.render_site(decks, tenv)
    apkg = (docs / anki.APKG_FILE).read_bytes()
    cards = json.loads((docs / "data/cards.json").read_text())["cards"]
    items = json.loads((docs / "data/study.json").read_text())["items"]
    return {"docs": docs, "apkg": apkg, "again": outputs[anki.APKG_FILE], "decks": decks, "cards": cards, "items": items}


@pytest.fixture(scope="module")
def collection(build, tmp_path_factory):
    z = zipfile.ZipFile(io.BytesIO(build["apkg"]))
    path = tmp_path_factory.mktemp("anki") / "collection.anki2"
    path.write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(path)
    yield con
    con.close()


def notes(con) -> list[tuple[str, list[str]]]:
    return [(guid, flds.split("\x1f")) for guid, flds in con.execute("SELECT guid, flds FROM notes ORDER BY id")]


def expected_guids(items: list[dict]) -> dict[str, tuple]:
    """GUIDs from the study items' ids (``card`` or ``card~variant~kind``), each mapped to (card id, variant, kind)."""
    out = {}
    for it in items:
        card, *rest = it["id"].split("~")
        if rest:
            variant, kind = int(rest[0]), rest[1]
            out[genanki.guid_for(card, variant, kind)] = (card, variant, kind)
        else:
            out[genanki.guid_for(card)] = (card, None, None)
    return out


def text_of(field: str) -> str:
    """What a learner reads: tags dropped, entities decoded (the math delimiters stay)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", field))


def test_apkg_is_a_zip_with_a_valid_collection(build, collection):
    z = zipfile.ZipFile(io.BytesIO(build["apkg"]))
    assert sorted(z.namelist()) == ["collection.anki2", "media"]
    assert z.testzip() is None
    assert json.loads(z.read("media")) == {}
    assert {i.date_time for i in z.infolist()} == {anki.ZIP_DATE}
    assert collection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert collection.execute("SELECT count(*) FROM col").fetchone() == (1,)


def test_one_note_per_card_and_variant(build, collection):
    """One note per card and per practice variant, but a variant asking exactly what an earlier
    item asks is left out (no two notes share a front)."""
    cards, items = build["cards"], build["items"]
    kept = {it["id"] for it in items}
    fronts = [it["question"] for it in items]
    assert len(set(fronts)) == len(fronts)
    assert {c["id"] for c in cards} <= kept
    for c in cards:
        for q in c["practice"]:
            if q["variant"] > 0 and f"{c['id']}~{q['variant']}~{q['kind']}" not in kept:
                assert to_html(q["prompt"]) in fronts, f"{c['id']} variant {q['variant']} dropped but asks nothing asked elsewhere"
    assert collection.execute("SELECT count(*) FROM notes").fetchone()[0] == len(items)
    assert collection.execute("SELECT count(*) FROM cards").fetchone()[0] == len(items)
    assert {g for g, _ in notes(collection)} == set(expected_guids(items))


def test_subdeck_per_deck_and_stable_ids(build, collection):
    decks = json.loads(collection.execute("SELECT decks FROM col").fetchone()[0])
    names = {d["name"]: int(i) for i, d in decks.items()}
    for d in build["decks"]:
        name = f"convcards::{d.title}"
        assert name in names
        assert names[name] == anki.stable_id(name)
    models = json.loads(collection.execute("SELECT models FROM col").fetchone()[0])
    assert str(anki.stable_id(anki.MODEL_NAME)) in models
    # every note's card sits in its own deck's subdeck
    by_title = {f"convcards::{d.title}": d.id for d in build["decks"]}
    card_deck = {c["id"]: c["deck"] for c in build["cards"]}
    guids = expected_guids(build["items"])
    id_name = {v: k for k, v in names.items()}
    for guid, did in collection.execute("SELECT n.guid, c.did FROM notes n JOIN cards c ON c.nid = n.id"):
        assert by_title[id_name[did]] == card_deck[guids[guid][0]]


def test_two_builds_are_byte_identical(build):
    assert build["apkg"] == build["again"]


def test_guids_stable_and_derived_from_card_ids(build, collection):
    assert anki.note_guid.__doc__  # documented
    for guid, (card, variant, kind) in expected_guids(build["items"]).items():
        want = genanki.guid_for(card) if variant is None else genanki.guid_for(card, variant, kind)
        assert guid == want


def test_fields_are_html_with_math_delimiters(collection):
    for _, fields in notes(collection):
        front, back = fields[0], fields[1]
        for f in (front, back):
            assert "$" not in f
            for math in re.findall(r"\\\(.*?\\\)|\\\[.*?\\\]", f, re.S):
                assert "<" not in math and ">" not in math.replace("&gt;", ""), math  # escaped inside math
        assert "\\(" in front + back or "\\[" in front + back


def test_every_practice_answer_recomputed_from_the_note(build, collection):
    guids = expected_guids(build["items"])
    checked = 0
    for guid, fields in notes(collection):
        card, variant, kind = guids[guid]
        if variant is None:
            continue
        prompt, answer = text_of(fields[0]), text_of(fields[1])
        where = f"{card} {variant} {kind}\n{prompt}\n{answer}"
        if kind not in ("c_entry", "output_value", "output_size", "transposed_size"):
            want = oracle.new_answer(kind, prompt, None, None)
            assert np.allclose(np.asarray(oracle.stated_new(answer), dtype=float), np.asarray(want, dtype=float)), where
            checked += 1
            continue
        want = oracle.answer(kind, prompt)
        assert oracle.stated_answer(answer.strip()) == pytest.approx(want, rel=1e-3, abs=1e-3), where
        checked += 1
    assert checked > 0


def test_every_card_back_result_recomputed(build, collection):
    guids = expected_guids(build["items"])
    checked = 0
    for guid, fields in notes(collection):
        card, variant, _ = guids[guid]
        back = text_of(fields[1])
        if variant is not None or "The worked example" not in back or "has shape" in back:
            continue
        stated, want = oracle.worked_example(back)
        np.testing.assert_allclose(stated.ravel(), np.asarray(want).ravel(), rtol=1e-3, atol=1e-3, err_msg=card)
        checked += 1
    assert checked > 0
