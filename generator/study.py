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
- ``.snippets/deck-links.md``: a plain list of the decks, for the study page without JavaScript;
- ``cards/<deck>/print.md``: a deck's cards on one page, to print as question and answer
  sheets (kept out of the navigation by ``not_in_nav`` in mkdocs.yml); a deck whose cards would
  make more than ``PRINT_PAGE_LIMIT`` bytes of HTML (a bound, :func:`html_bound`) is split into
  ``print.md``, ``print-2.md``, ... (whole cards, in order), so that no page grows with the deck; and
  ``.snippets/print-links.md``, the list of them for the downloads page.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import markdown

from . import latex, markup, practice
from .examples import Example
from .spec import CardSpec, DeckSpec


class RenderedCard(Protocol):
    """What this module reads of a rendered card (:class:`generator.render.RenderedCard` is one).
    A protocol, so that study depends on the numbers and pages, never on render: the data flows
    render -> study -> anki, one way."""

    card: CardSpec
    deck: DeckSpec
    examples: dict[str, Example]
    questions: list[practice.Question]
    markdown: str


STUDY_FILE = "data/study.json"
HOME_GRID = ".snippets/home-grid.md"
DECK_LINKS = ".snippets/deck-links.md"
PRINT_LINKS = ".snippets/print-links.md"
PRINT_PAGE = "print.md"
# A print page is typeset whole (generator/postbuild.mjs), and its HTML must stay under 2 MB
# (issue 17) at any scale. The split is decided by a bound on that HTML computed from the
# Markdown, not by a typical ratio: a page's HTML is at most
#   PRINT_FRAME (the theme around the article)
#   + TEXT_HTML_PER_BYTE x the bytes of its Markdown outside formulas,
#   + for each formula, KATEX_PER_FORMULA + KATEX_PER_BYTE x its bytes of LaTeX (delimiters included):
# KaTeX's markup, HTML and MathML, with the arithmatex element around it.
# Measured (tests/test_scale.py checks each term against KaTeX and the built site): the worst formula
# of the built-in decks and of 290 synthetic cards (bench/synth.py) takes 108.6 bytes a byte of LaTeX
# (a row of zeros in a matrix, `0 & `) and the worst small one 583 + 120 a byte (\(k', s', p'\));
# the text 3.1 bytes a byte (highlighted code the most); the frame 23 KB. The bound is about twice a
# typical page (60 bytes of HTML a byte of LaTeX), so pages are about 1 MB. The bound is measured, not
# proven: a formula of a new shape could pass it, which the tests would show once it is in a deck.
PRINT_PAGE_LIMIT = 2_000_000
PRINT_FRAME = 64_000
KATEX_PER_FORMULA = 1024
KATEX_PER_BYTE = 128
TEXT_HTML_PER_BYTE = 4
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)


def math_bytes(markdown: str) -> int:
    """Bytes of LaTeX in Markdown: every ``\\( \\)`` and ``\\[ \\]`` formula, delimiters included."""
    return sum(len(m.encode("utf-8")) for m in _MATH.findall(markdown))


def html_bound(markdown: str) -> int:
    """An upper bound on the bytes of HTML that Markdown becomes on a print page, typeset, the page's
    frame (PRINT_FRAME) left out: see PRINT_PAGE_LIMIT."""
    formulas = _MATH.findall(markdown)
    latex = sum(len(f.encode("utf-8")) for f in formulas)
    text = len(markdown.encode("utf-8")) - latex
    return TEXT_HTML_PER_BYTE * text + KATEX_PER_BYTE * latex + KATEX_PER_FORMULA * len(formulas)


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
            **({"expected": self.practice.as_json()["expected"]} if self.practice else {}),
        }


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["pymdownx.arithmatex", "attr_list"], extension_configs={"pymdownx.arithmatex": {"generic": True}})


_HTML: dict[str, str] = {}  # to_html's memo: Markdown -> HTML


def to_html(text: str) -> str:
    """Markdown with LaTeX to HTML; math stays between its delimiters, in arithmatex spans/divs.

    One converter, reset between texts (building one costs more than converting a short
    text), and each text converted once: the Anki deck asks again for what study.json has.
    The memo is unbounded: a bounded one (it held 4,096 texts) smaller than the course's
    texts (a front and a back per study item, about 18 a card) was emptied by study.json before
    the Anki deck asked again, so every text was converted twice from about 230 cards on.
    :func:`known_html` fills it with conversions made by an earlier run (the card cache)."""
    html = _HTML.get(text)
    if html is None:
        html = _HTML[text] = _converter().reset().convert(text)
    return html


def known_html(pairs: dict[str, str]) -> None:
    """Conversions of :func:`to_html` made before from the same code and libraries (a card's
    entry in the cache, whose key covers both), taken as they are."""
    _HTML.update(pairs)


def card_texts(rc: RenderedCard) -> list[str]:
    """Every text of a card's study items, whether or not :func:`items` keeps them all."""
    texts = [rc.card.question, card_back(rc)]
    for q in rc.questions:
        if q.variant != 0:
            texts += [q.prompt, q.answer]
    return texts


# ----------------------------------------------------------------------------- the back of a card

MAX_LEAD_MATH = 1500  # characters of display math a card's back may take from its page
_NOT_PROSE = ("\\[", "|", "!", "<", "-", "*", "#", "`", "?", "=", "{")
# The "given" view (views.md.j2) opens many answers; the key result below says the same.
_GIVEN_VIEW = re.compile(r"^(Cross-correlation|True convolution|The transposed convolution|Max pooling|Average pooling) of the ")


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
    paras = [p.strip() for p in re.split(r"\n\s*\n", textwrap.dedent("\n".join(body)))]
    for i, para in enumerate(paras):
        if para and not para.startswith(_NOT_PROSE) and not re.match(r"^\d+\.", para) and not _GIVEN_VIEW.match(para):
            lead = " ".join(ln.strip() for ln in para.splitlines())
            if lead.endswith((".", "?", "!", ")")):
                return lead
            # a lead that announces a formula ("... gives:") keeps the display math after it,
            # and the words that finish its sentence
            rest = paras[i + 1 :]
            if rest and rest[0].startswith("\\[") and rest[0].endswith("\\]") and len(rest[0]) <= MAX_LEAD_MATH:
                lead += "\n\n" + rest[0]
                if len(rest) > 1 and rest[1][:1].islower():
                    lead += "\n\n" + " ".join(ln.strip() for ln in rest[1].splitlines())
                return lead
            # ... else its unfinished last sentence goes
            cut = max(lead.rfind(". "), lead.rfind("? "))
            return lead[: cut + 1] if cut > 0 else ""
    return ""


def key_result(ex: Example) -> str:
    """The worked example's inputs and result, as Markdown with display math."""
    op = practice.operation_name(ex)
    lead = f"The worked example, {'an' if op[0] in 'aeiou' else 'a'} {op} with {practice.given(ex)}:"
    if ex.multi:
        return (
            f"{lead} the input has shape \\({latex.shape(ex.x)}\\), the weights \\({latex.shape(ex.k)}\\), "
            f"the output \\({latex.shape(ex.output)}\\)."
        )
    kernel = f"\\text{{window }} {latex.shape(ex.k)}" if ex.pooling else f"w = {latex.bmatrix(ex.k)}"
    x, y = ("y", "x'") if ex.transposed_op else ("x", "y")  # a transposed convolution maps y to x', as on Deck 4's pages
    return f"{lead}\n\n\\[ {x} = {latex.bmatrix(ex.x)}, \\quad {kernel} \\]\n\n\\[ {y} = {latex.bmatrix(ex.output)} \\]"


def transposed_result(ex: Example) -> str:
    """The example's output taken back by the transposed convolution, ``C^T y``, as Markdown."""
    lead = (
        f"Transposed, with the same kernel and {practice.given(ex)}: \\(C^\\top\\) takes the "
        f"\\({latex.shape(ex.transposed_input)}\\) output \\(y\\) back to \\({latex.shape(ex.transposed)}\\):"
    )
    return (
        f"{lead}\n\n\\[ y = {latex.bmatrix(ex.transposed_input)}, \\quad w = {latex.bmatrix(ex.k)} \\]"
        f"\n\n\\[ C^\\top y \\;\\longrightarrow\\; {latex.bmatrix(ex.transposed)} \\]"
    )


def card_back(rc: RenderedCard) -> str:
    """The back of a card's study item. Kept on the card with the page it was read from
    (``rc.back``: (page, back)): study.json, the Anki deck and :func:`warm` each ask for it."""
    memo = getattr(rc, "back", None)
    if memo is not None and memo[0] == rc.markdown:
        return memo[1]
    parts = [rc.card.summary.strip() or answer_lead(rc.markdown)]
    back = rc.card.back
    main = rc.examples[back.example] if back.example else next(iter(rc.examples.values()), None)
    if main is not None:
        parts.append(transposed_result(main) if back.show == "transposed" else key_result(main))
    text = "\n\n".join(p for p in parts if p)
    if hasattr(rc, "back"):
        rc.back = (rc.markdown, text)
    return text


# ----------------------------------------------------------------------------- items


def card_url(rc: RenderedCard) -> str:
    return f"cards/{rc.deck.id}/{rc.card.id}/"


def practice_id(card_id: str, q: practice.Question) -> str:
    return f"{card_id}~{q.variant}~{q.kind}"


def items(rendered: list[RenderedCard]) -> list[Item]:
    """Every study item, deck by deck, card by card: the card, then its practice variants.

    No two items share a front: a practice variant that asks exactly what an earlier item asks
    (two cards can draw the same output-size question) is left out, so study mode and the Anki
    deck never show the same question twice.
    """
    out: list[Item] = []
    fronts = {rc.card.question for rc in rendered}
    for rc in rendered:
        common = {"card": rc.card.id, "deck": rc.deck.id, "deck_title": rc.deck.title, "url": card_url(rc)}
        out.append(Item(id=rc.card.id, kind="card", title=rc.card.title, front=rc.card.question, back=card_back(rc), **common))
        for q in rc.questions:
            if q.variant == 0:
                continue
            if q.prompt in fronts:
                continue
            fronts.add(q.prompt)
            title = f"Practice: {rc.card.title}"
            item = Item(id=practice_id(rc.card.id, q), kind="practice", title=title, front=q.prompt, back=q.answer, practice=q, **common)
            out.append(item)
    return out


def warm(rendered: list[RenderedCard]) -> None:
    """Convert the items' text to HTML ahead of time (into :func:`to_html`'s memo), e.g. while
    figures are still drawing in worker processes. A page whose figures are not back yet has
    placeholders in it: a text taken from there may differ from the final one and is then
    simply converted again later, so the output does not depend on this call."""
    for it in items(rendered):
        to_html(it.front)
        to_html(it.back)


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
    renamed = {old: c.id for d in decks for c in d.cards for old in c.formerly}
    if renamed:  # study mode carries a learner's progress over from an earlier id (study.js)
        doc["renamed"] = dict(sorted(renamed.items()))
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# ----------------------------------------------------------------------------- snippets for hand-written pages


def home_grid(decks: list[DeckSpec], study_items: list[Item]) -> bytes:
    """Each deck as a heading and a grid of its cards (title linked, question visible)."""
    count = {d.id: sum(1 for it in study_items if it.deck == d.id) for d in decks}
    cards = {d.id: sum(1 for it in study_items if it.deck == d.id and it.kind == "card") for d in decks}
    lines = ["<!-- Generated by `python -m generator` (generator/study.py). Do not edit. -->", ""]
    for deck in decks:
        lines += [
            f"## [{markup.plain(deck.title)}](cards/{deck.id}/index.md) {{ #deck-{deck.id} }}",
            "",
            f'<p class="cc-deck-progress" data-deck="{deck.id}" data-total="{count[deck.id]}" data-cards="{cards[deck.id]}" hidden></p>',
            "",
            '<div class="grid cards cc-home-grid" markdown>',
            "",
        ]
        for card in deck.cards:
            question = textwrap.indent(card.question, "    ")  # every paragraph inside the grid item
            lines += [f"-   __[{markup.plain(card.title)}](cards/{deck.id}/{card.id}.md)__", "", "    ---", "", question, ""]
        lines += ["</div>", ""]
    return "\n".join(lines).encode("utf-8")


def deck_links(decks: list[DeckSpec]) -> bytes:
    lines = ["<!-- Generated by `python -m generator` (generator/study.py). Do not edit. -->", ""]
    lines += [f"- [{markup.plain(d.title)}](cards/{d.id}/index.md)" for d in decks]
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Piece:
    """What a print page holds of a card: all of its Markdown (``parts == 1``), or, for a card too
    large for a page of its own, part ``part`` (from 0) of ``parts``."""

    card: RenderedCard
    markdown: str
    part: int = 0
    parts: int = 1


_FENCE = re.compile(r"^\s*(```|~~~)")
_ADMONITION = re.compile(r'^(\?\?\?\+?|!!!) (\w[\w-]*)(?: "(.*)")?\s*$')


_LIST_ITEM = re.compile(r"^ {4}([-*+]|\d+[.)]) ")


def _sections(markdown: str) -> list[tuple[str, list[str]]]:
    """A card's Markdown cut where a print page may end: before a top-level ``## `` heading, or inside
    a top-level admonition (the answer) before any of its paragraphs, headings or formulas that
    follows a blank line (never inside a code fence or a display formula, never between the items of
    a list). Each section is (the admonition header it continues, or "", its lines)."""
    out: list[tuple[str, list[str]]] = [("", [])]
    header, fenced, math, blank = "", False, False, False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and not math and line and not line[0].isspace():
            header = line if _ADMONITION.match(line) else ""
            if line.startswith("## ") and out[-1][1]:
                out.append(("", []))
        elif (not fenced and not math and header and blank and line.startswith("    ") and not line[4].isspace()
              and not _LIST_ITEM.match(line) and out[-1][1]):
            out.append((header, []))
        if not fenced:
            for delim in re.findall(r"\\\[|\\\]", line):
                math = delim == "\\["
        blank = not line.strip()
        out[-1][1].append(line)
    return out


def _continued(header: str) -> str:
    m = _ADMONITION.match(header)
    assert m is not None
    title = (m.group(3) or m.group(2).capitalize()).split(":")[0]
    return f'{m.group(1)} {m.group(2)} "{title}, continued"'


def card_pieces(rc: RenderedCard, budget: int) -> list[Piece]:
    """A card's Markdown for its print page: whole when its bound is within ``budget``, else cut at
    its sections (:func:`_sections`) into as few parts as fit, each opening with the card's title and
    the admonition it continues (a single section larger than ``budget`` is a part of its own)."""
    text = _strip_front_matter(rc.markdown).strip()
    if html_bound(text) + 1 <= budget:
        return [Piece(rc, text)]
    title = next((ln[2:] for ln in text.split("\n") if ln.startswith("# ")), "")
    parts: list[list[str]] = [[]]
    for header, lines in _sections(text):
        head = [f"# {title} (continued)", ""] + ([_continued(header), ""] if header else [])
        if parts[-1] and html_bound("\n".join(parts[-1] + lines)) + 1 > budget:
            parts.append(head)
        parts[-1] += lines
    return [Piece(rc, "\n".join(p).strip(), k, len(parts)) for k, p in enumerate(parts)]


def print_sheets(cards: list[RenderedCard]) -> list[list[Piece]]:
    """A deck's cards in order, cut into as few pages as the order allows, each page's HTML bound
    (:func:`html_bound` of its cards, plus PRINT_FRAME) at most PRINT_PAGE_LIMIT; a card whose
    bound alone is more than that is cut into parts (:func:`card_pieces`), each on a page of its own.
    Every page's bound is then within the limit, unless one section of a card alone passes it."""
    budget = PRINT_PAGE_LIMIT - PRINT_FRAME
    sheets: list[list[Piece]] = [[]]
    size = 0
    for rc in cards:
        for piece in card_pieces(rc, budget):
            n = html_bound(piece.markdown) + 1  # the blank line between cards
            if sheets[-1] and (size + n > budget or piece.parts > 1 or sheets[-1][-1].parts > 1):
                sheets.append([])
                size = 0
            sheets[-1].append(piece)
            size += n
    return sheets


def _card_range(sheets: list[list[Piece]], i: int, total: int | None = None) -> str:
    """Which cards page ``i`` holds: "cards 3–5", "card 7", "card 8, part 2 of 3" (with ``total``:
    "cards 3–5 of 29", "card 8 of 29, part 2 of 3")."""
    of = f" of {total}" if total is not None else ""
    numbers = []
    n = 0
    for k, sheet in enumerate(sheets):
        for piece in sheet:
            n += piece.part == 0
            if k == i:
                numbers.append(n)
    first, last = numbers[0], numbers[-1]
    if len(sheets[i]) == 1 and sheets[i][0].parts > 1:
        return f"card {first}{of}, part {sheets[i][0].part + 1} of {sheets[i][0].parts}"
    return (f"card {first}" if first == last else f"cards {first}–{last}") + of


def _card_count(sheets: list[list[Piece]]) -> int:
    return sum(piece.part == 0 for sheet in sheets for piece in sheet)


def print_page(deck: DeckSpec, sheets: list[list[Piece]], i: int = 0) -> bytes:
    """Page ``i`` of a deck's print sheets (see print.css): its cards, for printing as question and answer sheets."""
    part = f" ({_card_range(sheets, i, _card_count(sheets))})" if len(sheets) > 1 else ""
    lines = [
        "---",
        "search:",
        "  exclude: true",
        f"description: {json.dumps(markup.html_text(deck.title + ': every card, to print' + part), ensure_ascii=False)}",
        "---",
        "",
        f"# {markup.plain(deck.title)}: question and answer sheets{part}",
        "",
        "Print this page (Ctrl+P): every answer prints open and each card starts a new sheet.",
        "",
    ]
    for piece in sheets[i]:
        lines += [piece.markdown, ""]
    return ("\n".join(lines)).encode("utf-8")


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            return text[end + 5 :]
    return text


def print_path(deck: DeckSpec, i: int = 0) -> str:
    """Page ``i`` (from 0) of a deck's print sheets: ``print.md``, then ``print-2.md``, ..."""
    return f"cards/{deck.id}/{PRINT_PAGE if i == 0 else PRINT_PAGE.replace('.md', f'-{i + 1}.md')}"


def print_links(decks: list[DeckSpec], sheets: dict[str, list[list[Piece]]] | None = None) -> bytes:
    """The downloads page's list: a deck's print page, or each of its pages when it has several."""
    lines = ["<!-- Generated by `python -m generator` (generator/study.py). Do not edit. -->", ""]
    for d in decks:
        parts = (sheets or {}).get(d.id, [[]])
        if len(parts) <= 1:
            lines.append(f"- [{markup.plain(d.title)}]({print_path(d)})")
        else:
            lines.append(
                f"- {markup.plain(d.title)}: " + ", ".join(f"[{_card_range(parts, i)}]({print_path(d, i)})" for i in range(len(parts)))
            )
    return ("\n".join(lines) + "\n").encode("utf-8")


def outputs(decks: list[DeckSpec], rendered: list[RenderedCard]) -> dict[str, bytes]:
    """The study files and the decks' print pages, keyed by their path relative to ``docs/``."""
    study_items = items(rendered)
    out = {
        STUDY_FILE: study_json(decks, study_items),
        HOME_GRID: home_grid(decks, study_items),
        DECK_LINKS: deck_links(decks),
    }
    sheets = {deck.id: print_sheets([rc for rc in rendered if rc.deck.id == deck.id]) for deck in decks}
    out[PRINT_LINKS] = print_links(decks, sheets)
    for deck in decks:
        for i in range(len(sheets[deck.id])):
            out[print_path(deck, i)] = print_page(deck, sheets[deck.id], i)
    return out
