"""The Anki deck: every study item as a note, in one subdeck per deck, as ``.apkg`` bytes.

- One note per card and per practice variant (the items of :mod:`generator.study`).
- Fields are HTML (Markdown converted, so text is HTML-escaped); the math stays between
  ``\\(`` ``\\)`` and ``\\[`` ``\\]``, which Anki's MathJax renders.
- Subdecks ``convcards::<deck title>``.
- Stable identities: note GUIDs are ``genanki.guid_for`` of the card id (and, for a
  variant, its number and kind), so re-importing a newer deck updates notes instead of
  duplicating them; a renamed card lists its earlier ids in ``formerly`` and keeps the GUIDs of
  the first; model and deck ids are fixed integers taken from a SHA-256 of their names.
- Updates reach learners: Anki applies an incoming note over one it has only when the incoming
  note's modification time is newer. So a note's time comes from the previous build (the
  ``.apkg`` already in ``docs/downloads``, the one committed and published): a note whose fields
  are unchanged keeps its time; a changed or new note gets one more than the newest time in the
  previous build, never lower than the one it had. With no previous build every note has
  :data:`TIMESTAMP`. Same specs and same previous build, same bytes.
- Byte-identical builds: no clock is read, and the zip is assembled here in memory with fixed
  entry dates. Nothing here writes files (:mod:`generator.writer` does).
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .markup import html_text
from .spec import DeckSpec
from .study import Item, to_html

if TYPE_CHECKING:
    import genanki  # imported where a deck is built: a run that builds none (a no-op) does not pay for it

APKG_FILE = "downloads/convcards.apkg"
ROOT_DECK = "convcards"
MODEL_NAME = "convcards flashcard v1"
# Fixed times: the notes' first "modified" stamp and the zip entries' dates (no clock is read).
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


@dataclass(frozen=True)
class Config:
    """Whose deck it is: the root deck's name (the subdecks are ``<root>::<deck title>``, the
    notes tagged ``<root>::<card id>``) and the namespace of the note GUIDs.

    Ours has no namespace (its GUIDs stay what learners already have); an author's site sets
    its own (``convcards new`` writes a random one into its mkdocs.yml), so a card id that is
    also one of ours never overwrites our notes in a learner's collection.
    """

    root_deck: str = ROOT_DECK
    guid_namespace: str | None = None

    @property
    def tag_root(self) -> str:
        """The root deck's name as a tag (Anki tags have no spaces)."""
        return "_".join(self.root_deck.split())


DEFAULT = Config()


def note_guid(item: Item, config: Config = DEFAULT, guid_id: str | None = None) -> str:
    """``guid_for(card id)`` for a card; ``guid_for(card id, variant, kind)`` for a practice
    variant; with the site's GUID namespace (if any) in front: ``guid_for(namespace, card id, ...)``.
    ``guid_id``: the id to use instead of the card's own, the first it had (a renamed card's
    ``formerly``), so that its notes keep their GUIDs and a new build updates them."""
    import genanki

    ns = (config.guid_namespace,) if config.guid_namespace else ()
    card = guid_id or item.card
    if item.practice is None:
        return genanki.guid_for(*ns, card)
    return genanki.guid_for(*ns, card, item.practice.variant, item.practice.kind)


def model() -> genanki.Model:
    import genanki

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


def deck_name(deck: DeckSpec, config: Config = DEFAULT) -> str:
    """``<root>::<deck title>`` (a ``::`` in the title would start a deeper subdeck: written ``:``)."""
    return f"{config.root_deck}::{re.sub(':{2,}', ':', deck.title)}"


def card_tag(card_id: str, config: Config = DEFAULT) -> str:
    """The tag of every note of a card (the card and its practice variants), e.g. to find and
    delete the notes of a card a release removed: ``tag:convcards::<card id>`` in Anki's Browse."""
    return f"{config.tag_root}::{card_id}"


def build_package(decks: list[DeckSpec], items: list[Item], config: Config = DEFAULT) -> genanki.Package:
    import genanki

    m = model()
    anki_decks = {d.id: genanki.Deck(stable_id(deck_name(d, config)), deck_name(d, config), description=to_html(d.intro)) for d in decks}
    guid_ids = {c.id: c.guid_id for d in decks for c in d.cards}
    for it in items:
        source = f"{config.root_deck} · {it.deck_title} · {it.card}" + (f" · practice variant {it.practice.variant}" if it.practice else "")
        fields = [to_html(it.front), to_html(it.back), html_text(it.title), html_text(source)]
        guid = note_guid(it, config, guid_ids.get(it.card))
        note = genanki.Note(model=m, fields=fields, guid=guid, sort_field=it.id, tags=[card_tag(it.card, config)])
        anki_decks[it.deck].add_note(note)
    return genanki.Package([anki_decks[d.id] for d in decks])


def previous_notes(apkg: bytes | None) -> dict[str, tuple[str, int]]:
    """``guid -> (content, modification time)`` of the notes of a previous build's ``.apkg``
    (content: the fields and tags as Anki stores them, see :func:`_content`)
    Empty when there is none, or it is not a readable deck."""
    if not apkg:
        return {}
    fd, db_path = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(zipfile.ZipFile(io.BytesIO(apkg)).read("collection.anki2"))
        conn = sqlite3.connect(db_path)
        try:
            return {guid: (content, int(mod)) for guid, content, mod in conn.execute(f"SELECT guid, {_CONTENT}, mod FROM notes")}
        finally:
            conn.close()
    except (zipfile.BadZipFile, KeyError, sqlite3.DatabaseError):
        return {}
    finally:
        os.unlink(db_path)


# What makes a note "changed": its fields (joined by \x1f, as Anki stores them) and its tags.
_CONTENT = "flds || char(30) || tags"


def note_times(notes: dict[str, str], previous: dict[str, tuple[str, int]]) -> dict[str, int]:
    """Each note's modification time (``notes``: guid -> its content, :data:`_CONTENT`).

    Unchanged since ``previous``: its time there. Changed or new: one more than the newest
    time in ``previous`` (so newer than anything a learner imported from us). No previous build:
    :data:`TIMESTAMP`.

    >>> note_times({"a": "x", "b": "y2", "c": "z"}, {"a": ("x", 5), "b": ("y", 7)})
    {'a': 5, 'b': 8, 'c': 8}
    """
    bump = max((t for _, t in previous.values()), default=TIMESTAMP - 1) + 1
    return {g: previous[g][1] if g in previous and previous[g][0] == flds else bump for g, flds in notes.items()}


def apkg_bytes(decks: list[DeckSpec], items: list[Item], previous: bytes | None = None, config: Config = DEFAULT) -> bytes:
    """The ``.apkg``: a zip of the SQLite collection ``collection.anki2`` and an empty ``media`` map.

    ``previous``: the previous build's ``.apkg``, whose notes' times carry over (:func:`note_times`).
    """
    package = build_package(decks, items, config)
    fd, db_path = tempfile.mkstemp(suffix=".anki2")
    os.close(fd)
    try:
        conn = sqlite3.connect(db_path)
        package.write_to_db(conn.cursor(), TIMESTAMP, itertools.count(TIMESTAMP * 1000))
        rows = conn.execute(f"SELECT guid, {_CONTENT}, id FROM notes").fetchall()
        times = note_times({g: c for g, c, _ in rows}, previous_notes(previous))
        # by id, the table's primary key: by guid (no index) each update read every note (O(n^2),
        # 6 % of a profiled no-op at 290 cards); the same updates in the same order, the same bytes
        row_of = {g: i for g, _, i in rows}
        conn.executemany("UPDATE notes SET mod = ? WHERE id = ?", [(t, row_of[g]) for g, t in sorted(times.items())])
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


def previous_build(docs_dir: Path | None) -> bytes | None:
    """The ``.apkg`` of the previous build in ``docs_dir``, if any."""
    path = docs_dir / APKG_FILE if docs_dir is not None else None
    return path.read_bytes() if path is not None and path.is_file() else None


def outputs(decks: list[DeckSpec], items: list[Item], previous: bytes | None = None, config: Config = DEFAULT) -> dict[str, bytes]:
    return {APKG_FILE: apkg_bytes(decks, items, previous, config)}
