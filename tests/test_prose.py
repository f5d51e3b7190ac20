"""Prose that is not a number: page descriptions, figure alt texts, the notation page (issue 12).

The oracle here is the text itself, read as a learner or a browser reads it: the description
in the built page's <meta> element, alt texts as a screen reader speaks them.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from generator import plaintext

DOCS = ROOT / "docs"
CARD_PAGES = sorted(p for p in (DOCS / "cards").glob("*/*.md") if p.name not in ("index.md", "print.md"))


def front_matter(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(m.group(1)) if m else {}


def test_description_helper():
    assert plaintext.description('What does "same" do to \\(C^\\top\\) and \\(i + 2p - k\\)?') == (
        "What does “same” do to Cᵀ and i + 2p − k?"
    )
    assert plaintext.description("a `code` and **bold** <b> & c") == "a code and bold ‹b› and c"


@pytest.mark.parametrize("page", CARD_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_card_description_is_plain_text(page):
    desc = front_matter(page).get("description")
    assert desc, "every card page has a description"
    for bad in ("\\", '"', "<", ">", "&", "$"):
        assert bad not in desc, f"{page.name}: {bad!r} in the description {desc!r}"


ALT = re.compile(r"!\[((?:\\.|[^\]])*)\]\(figures/")


@pytest.mark.parametrize("page", CARD_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_alt_texts_are_sentences_not_python(page):
    for alt in ALT.findall(page.read_text(encoding="utf-8")):
        text = alt.replace("\\[", "[").replace("\\]", "]")
        assert not re.search(r"\[\s*-?\d", text), f"{page.name}: a Python list in the alt text: {text}"
        assert "padded column" not in text and "padded row" not in text, f"{page.name}: {text}"


class _Meta(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.description: str | None = None

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag == "meta" and d.get("name") == "description":
            self.description = d.get("content")


def test_meta_description_survives_the_html(site_dir):
    """The description the browser reads is the whole question: a quote in it no longer ends the attribute."""
    page = DOCS / "cards/conventions/padding-conventions.md"
    want = front_matter(page)["description"]
    assert "“same”" in want
    parser = _Meta()
    parser.feed((site_dir / "cards/conventions/padding-conventions/index.html").read_text(encoding="utf-8"))
    assert parser.description == want


def notation_rows() -> list[tuple[str, str]]:
    text = (DOCS / "notation.md").read_text(encoding="utf-8")
    return re.findall(r"^\| (\\\(.*?\\\)) \| (.*) \|$", text, flags=re.M)


def test_notation_defines_each_symbol_once():
    """One notation: no symbol appears in two rows of the notation page's table (issue 12)."""
    seen: dict[str, str] = {}
    for cell, meaning in notation_rows():
        for sym in re.split(r",\s*", cell[2:-2].split("=")[0]):
            sym = sym.strip()
            assert sym not in seen, f"{sym} is defined twice: {seen[sym]!r} and {meaning!r}"
            seen[sym] = meaning
    assert "i'" in seen and "k'" not in seen  # a prime marks the transposed sizes only


@pytest.mark.parametrize("page", CARD_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_primes_mean_one_thing(page):
    """k', s', p' (Dumoulin and Visin's equivalent convolution) are not this site's symbols: only i', o' and x' carry primes."""
    text = page.read_text(encoding="utf-8").replace("write this equivalent convolution's parameters with primes, \\(k', s', p'\\)", "")
    assert not re.search(r"(?<![A-Za-z\\])[ksp]'", text), page.name
