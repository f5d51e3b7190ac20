"""Deck text that becomes a page: titles are plain text, the other texts a safe Markdown.

The trust model (README, "What a deck file may do"): a deck file is *data*. Whatever it
holds, the pages, study mode and the Anki deck built from it run no script of its author
and show nothing outside the card's reveal before it is revealed. So:

- a **title** (deck or card) is plain text on one line: :func:`plain` escapes it for a
  Markdown line (headings, links, tables, the home grid) and :func:`html_text` for HTML
  (the navigation, the ``<title>``, JSON read by study mode, the Anki fields);
- a **question**, **summary** or **intro** is Markdown with math, cleaned by
  :func:`markdown_field`: ``<`` outside code and math is written ``&lt;`` (no raw HTML, no
  ``</details>`` that would end a reveal, no snippet ``--8<--``), ``{`` and ``}`` are written
  as entities (no attribute list such as ``{ onfocus=... }``), and links may only lead to
  ``http(s)``, ``mailto`` or a relative path. Formulas may not use ``\\href``, ``\\url``,
  ``\\includegraphics`` or the ``\\html...`` commands.

Template folders are code (see :mod:`generator.render`: rendered in Jinja's sandbox).
"""

from __future__ import annotations

import html
import re

# Characters with a meaning inside a Markdown line (Python-Markdown with the site's extensions):
# code, emphasis, links and images, attribute lists, table cells, closing #s take a backslash
# (MkDocs reads a heading's escapes back to the character, so page titles and the labels Material
# builds from them read as written); a backslash and a dollar (math delimiters for arithmatex,
# which does not read escapes) and the HTML characters become entities. Quotes stay as written:
# a title is only ever text in the page, and every attribute built from it is escaped by the theme.
_BACKSLASHED = "`*_{}[]!|#"
_PLAIN = {ord(c): "\\" + c for c in _BACKSLASHED} | {
    ord("\\"): "&#92;",
    ord("$"): "&#36;",
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}

# Code spans (a run of backticks to the same run), display and inline math (arithmatex's
# delimiters): kept as written, Markdown and KaTeX escape them.
_PROTECTED = re.compile(r"(?P<tick>`+)[\s\S]*?(?P=tick)|\\\[[\s\S]*?\\\]|\\\([\s\S]*?\\\)|\$\$[\s\S]*?\$\$|\$(?!\s)[^$\n]*?(?<!\s)\$")
_MATH_UNSAFE = re.compile(r"\\(href|url|includegraphics|html[A-Za-z]*)\b")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REF_DEF = re.compile(r"^[ \t]*\[[^\]]+\]:[ \t]*<?(\S*?)>?(?:[ \t]|$)", re.M)
_SAFE_URL = re.compile(r"^(?:https?://[^\s&]*|mailto:[^\s&]*|[^\s:&]*)$", re.I)
_SNIPPET = re.compile(r"-+8<-+")


def plain(text: str) -> str:
    """``text`` as inline Markdown that renders as exactly ``text`` (every special character escaped)."""
    return text.translate(_PLAIN)


def html_text(text: str, quote: bool = True) -> str:
    """``text`` escaped for HTML text (``quote=False``) or a double-quoted attribute."""
    return html.escape(text, quote=quote)


def cell(text: str) -> str:
    """A Markdown text in one table cell: on one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def attr_text(text: str) -> str:
    """A Markdown text as the plain text of an HTML attribute (a page's description): entities
    read, whitespace collapsed, then escaped."""
    return html_text(" ".join(html.unescape(text).split()))


def markdown_field(text: str) -> tuple[str, str | None]:
    """``(cleaned Markdown, problem)``: ``problem`` names what cannot be cleaned (an unsafe
    link or formula command), else None. See the module's docstring for what is cleaned."""
    if _SNIPPET.search(text):
        return text, "a snippet marker (--8<--), which would include another file"
    out: list[str] = []
    pos = 0
    for m in _PROTECTED.finditer(text):
        out.append(_clean(text[pos : m.start()]))
        kept = m.group(0)
        bad = _MATH_UNSAFE.search(kept) if not kept.startswith("`") else None
        if bad:
            return text, f"the formula command \\{bad.group(1)} (formulas may not make links or HTML)"
        out.append(kept)
        pos = m.end()
    out.append(_clean(text[pos:]))
    cleaned = "".join(out)
    for m in (*_LINK.finditer(cleaned), *_REF_DEF.finditer(cleaned)):
        url = m.group(1)
        if not _SAFE_URL.match(url):
            return text, f"a link to {url[:40]!r} (links may lead to http, https, mailto or a relative path)"
    return cleaned, None


def _clean(segment: str) -> str:
    return segment.replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;")
