"""The Anki deck: every study item as a note, in one subdeck per deck, as ``.apkg`` bytes.

- One note per card and per practice variant (the items of :mod:`generator.study`).
- Fields are HTML (Markdown converted, so text is HTML-escaped); the math stays between
  ``\\(`` ``\\)`` and ``\\[`` ``\\]``, which Anki's MathJax renders.
- Subdecks ``convcards::<deck title>``.
- Stable identities: note GUIDs are ``genanki.guid_for`` of the card id (and, for a
  variant, its number and kind), so re-importing a newer deck updates notes instead of
  duplicating them; model and deck ids are fixed integers taken from a SHA-256 of their names.
- Byte-identical builds: genanki is given a fixed timestamp, and the zip is assembled here
  in memory with fixed entry dates. Nothing here writes files (:mod:`generator.writer` does).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
import tempfile
import zipfile

import genanki

from .markup import html_text
from .spec import DeckSpec
from .study import Item, to_html

APKG_FILE = "downloads/convcards.apkg"
ROOT_DECK = "convcards"
MODEL_NAME = "convcards flashcard v1"
# Fixed times: notes' "modified" stamps and the zip entries' dates (no clock is read).
TIMESTAMP = 1_735_689_600  # 2025-01-01 00:00:00 UTC
ZIP_DATE = (2025, 1, 1, 0, 0, 0)

CSS = """\
.card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left; color: #111; background: #fff; line-height: 1.45; }
.nightMode .card, .card.nightMode { color: #eee; background: #222; }
.cc-title { font-size: 0.8em; opacity: 0.7; margin-bottom: 0.6em; }
.cc-source { font-size: 0.7em; opacity: 0.6; margin-top: 1em; }
.arithmatex { overflow-x: auto; }
"""


def stable_id(name: str) -> int:
    """A fixed id in Anki's usual range [2^30, 2^31) from a SHA-256 of ``name``.

    >>> stable_id("convcards") == stable_id("convcards")
    True
    """
    h = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + h % (1 << 30)


def note_guid(item: Item) -> str:
    """``guid_for(card id)`` for a card; ``guid_for(card id, variant, kind)`` for a practice variant."""
    if item.practice is None:
        return genanki.guid_for(item.card)
    return genanki.guid_for(item.card, item.practice.variant, item.practice.kind)


def model() -> genanki.Model:
    return genanki.Model(
        stable_id(MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Title"}, {"name": "Source"}],
        templates=[
            {
                "name": "Question and answer",
                "qfmt": '<div class="cc-title">{{Title}}</div>\n{{Front}}',
                "afmt": '{{FrontSide}}\n<hr id="answer">\n{{Back}}\n<div class="cc-source">{{Source}}</div>',
            }
        ],
        css=CSS,
    )


def deck_name(deck: DeckSpec) -> str:
    """``convcards::<deck title>`` (a ``::`` in the title would start a deeper subdeck: written ``:``)."""
    return f"{ROOT_DECK}::{re.sub(':{2,}', ':', deck.title)}"


def build_package(decks: list[DeckSpec], items: list[Item]) -> genanki.Package:
    m = model()
    anki_decks = {d.id: genanki.Deck(stable_id(deck_name(d)), deck_name(d), description=to_html(d.intro)) for d in decks}
    for it in items:
        source = f"convcards · {it.deck_title} · {it.card}" + (f" · practice variant {it.practice.variant}" if it.practice else "")
        fields = [to_html(it.front), to_html(it.back), html_text(it.title), html_text(source)]
        anki_decks[it.deck].add_note(genanki.Note(model=m, fields=fields, guid=note_guid(it), sort_field=it.id))
    return genanki.Package([anki_decks[d.id] for d in decks])


def apkg_bytes(decks: list[DeckSpec], items: list[Item]) -> bytes:
    """The ``.apkg``: a zip of the SQLite collection ``collection.anki2`` and an empty ``media`` map."""
    package = build_package(decks, items)
    fd, db_path = tempfile.mkstemp(suffix=".anki2")
    os.close(fd)
    try:
        conn = sqlite3.connect(db_path)
        package.write_to_db(conn.cursor(), TIMESTAMP, itertools.count(TIMESTAMP * 1000))
        conn.commit()
        conn.close()
        with open(db_path, "rb") as f:
            db = f.read()
    finally:
        os.unlink(db_path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in (("collection.anki2", db), ("media", json.dumps({}).encode())):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def outputs(decks: list[DeckSpec], items: list[Item]) -> dict[str, bytes]:
    return {APKG_FILE: apkg_bytes(decks, items)}
