"""Study data: the flashcards of every deck as study items, for study mode, the home grid and Anki.

One item per card (front: its question; back: a short answer and the worked example's
result) and one per practice variant (``n > 0``: front its prompt, which shows its arrays;
back its computed answer). Variant 0 stays on the card's page, where "this card's example"
is visible.

Outputs (paths relative to ``docs/``, written by :mod:`generator.writer`):

- ``data/study.json``: the items, their text as HTML (math left in ``\\( \\)``/``\\[ \\]``
  inside arithmatex spans, for KaTeX in the browser or MathJax in Anki);
- ``.snippets/home-grid.md``: the decks as grids of cards, included by the hand-written home page
  with ``--8<--`` (in a dot-folder, so MkDocs neither publishes it nor warns about it);
- ``.snippets/deck-links.md``: a plain list of the decks, for the study page without JavaScript.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import markdown

from . import latex, practice
from .examples import Example
from .spec import DeckSpec

if TYPE_CHECKING:  # render imports this module
    from .render import RenderedCard

STUDY_FILE = "data/study.json"
HOME_GRID = ".snippets/home-grid.md"
DECK_LINKS = ".snippets/deck-links.md"


@dataclass(frozen=True)
class Item:
    """One flashcard to study: a card, or one practice variant of a card (Markdown with LaTeX)."""

    id: str
    kind: str  # "card" or "practice"
    card: str
    deck: str
    deck_title: str
    title: str
    front: str
    back: str
    url: str
    practice: practice.Question | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "card": self.card,
            "deck": self.deck,
            "deck_title": self.deck_title,
            "title": self.title,
            "question": to_html(self.front),
            "answer": to_html(self.back),
            "url": self.url,
        }


def to_html(text: str) -> str:
    """Markdown with LaTeX to HTML; math stays between its delimiters, in arithmatex spans/divs."""
    md = markdown.Markdown(extensions=["pymdownx.arithmatex", "attr_list"], extension_configs={"pymdownx.arithmatex": {"generic": True}})
    return md.convert(text)


# ----------------------------------------------------------------------------- the back of a card

_NOT_PROSE = ("\\[", "|", "!", "<", "-", "*", "#", "`", "?", "=", "{")


def answer_lead(page_markdown: str) -> str:
    """The first prose paragraph of a card page's answer reveal (``??? success``), dedented."""
    lines = page_markdown.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("??? success")), None)
    if start is None:
        return ""
    body = []
    for ln in lines[start + 1 :]:
        if ln.strip() and not ln.startswith("    "):
            break
        body.append(ln)
    for para in re.split(r"\n\s*\n", textwrap.dedent("\n".join(body))):
        para = para.strip()
        if para and not para.startswith(_NOT_PROSE) and not re.match(r"^\d+\.", para):
            return " ".join(ln.strip() for ln in para.splitlines())
    return ""


def key_result(ex: Example) -> str:
    """The worked example's inputs and result, as Markdown with display math."""
    lead = f"The worked example, a {practice.operation_name(ex)} with {practice.given(ex)}:"
    if ex.multi:
        return (
            f"{lead} the input has shape \\({latex.shape(ex.x)}\\), the weights \\({latex.shape(ex.k)}\\), "
            f"the output \\({latex.shape(ex.output)}\\)."
        )
    kernel = f"\\text{{window }} {latex.shape(ex.k)}" if ex.pooling else f"k = {latex.bmatrix(ex.k)}"
    return f"{lead}\n\n\\[ x = {latex.bmatrix(ex.x)}, \\quad {kernel} \\]\n\n\\[ y = {latex.bmatrix(ex.output)} \\]"


def card_back(rc: RenderedCard) -> str:
    parts = [rc.card.summary.strip() or answer_lead(rc.markdown)]
    main = next(iter(rc.examples.values()), None)
    if main is not None:
        parts.append(key_result(main))
    return "\n\n".join(p for p in parts if p)


# ----------------------------------------------------------------------------- items


def card_url(rc: RenderedCard) -> str:
    return f"cards/{rc.deck.id}/{rc.card.id}/"


def practice_id(card_id: str, q: practice.Question) -> str:
    return f"{card_id}~{q.variant}~{q.kind}"


def items(rendered: list[RenderedCard]) -> list[Item]:
    """Every study item, deck by deck, card by card: the card, then its practice variants."""
    out: list[Item] = []
    for rc in rendered:
        common = {"card": rc.card.id, "deck": rc.deck.id, "deck_title": rc.deck.title, "url": card_url(rc)}
        out.append(Item(id=rc.card.id, kind="card", title=rc.card.title, front=rc.card.question, back=card_back(rc), **common))
        for q in rc.questions:
            if q.variant == 0:
                continue
            out.append(
                Item(id=practice_id(rc.card.id, q), kind="practice", title=f"Practice: {rc.card.title}", front=q.prompt, back=q.answer, practice=q, **common)
            )
    return out


def study_json(decks: list[DeckSpec], study_items: list[Item]) -> bytes:
    count = {d.id: 0 for d in decks}
    for it in study_items:
        count[it.deck] += 1
    doc = {
        "schema": "convcards/study.json",
        "version": 1,
        "decks": [{"id": d.id, "title": d.title, "items": count[d.id]} for d in decks],
        "items": [it.as_json() for it in study_items],
    }
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# ----------------------------------------------------------------------------- snippets for hand-written pages


def home_grid(decks: list[DeckSpec], study_items: list[Item]) -> bytes:
    """Each deck as a heading and a grid of its cards (title linked, question visible)."""
    count = {d.id: sum(1 for it in study_items if it.deck == d.id) for d in decks}
    lines = ["<!-- Generated by `python -m generator` (generator/study.py). Do not edit. -->", ""]
    for deck in decks:
        lines += [
            f"## [{deck.title}](cards/{deck.id}/index.md) {{ #deck-{deck.id} }}",
            "",
            f'<p class="cc-deck-progress" data-deck="{deck.id}" data-total="{count[deck.id]}" hidden></p>',
            "",
            '<div class="grid cards cc-home-grid" markdown>',
            "",
        ]
        for card in deck.cards:
            lines += [f"-   __[{card.title}](cards/{deck.id}/{card.id}.md)__", "", "    ---", "", f"    {card.question}", ""]
        lines += ["</div>", ""]
    return "\n".join(lines).encode("utf-8")


def deck_links(decks: list[DeckSpec]) -> bytes:
    lines = ["<!-- Generated by `python -m generator` (generator/study.py). Do not edit. -->", ""]
    lines += [f"- [{d.title}](cards/{d.id}/index.md)" for d in decks]
    return ("\n".join(lines) + "\n").encode("utf-8")


def outputs(decks: list[DeckSpec], study_items: list[Item]) -> dict[str, bytes]:
    """The study files, keyed by their path relative to ``docs/`` (``study_items`` from :func:`items`)."""
    return {
        STUDY_FILE: study_json(decks, study_items),
        HOME_GRID: home_grid(decks, study_items),
        DECK_LINKS: deck_links(decks),
    }
