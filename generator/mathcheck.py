"""Every formula an author wrote, checked by KaTeX before anything is written.

An unbalanced ``\\(`` or an unknown macro in a deck's text would otherwise build and show as red
KaTeX error text on the page (or as raw LaTeX). Here every formula of the author's text (a deck's
title and intro; a card's title, question and summary) is typeset by the pinned KaTeX in one
Node process, with ``throwOnError``, and each failure is a :class:`~generator.errors.Problem`
naming the file, the card and the field.

KaTeX is the one the site serves: ``CONVCARDS_KATEX`` (``convcards`` sets it to the site's
copy) or the npm package of a clone. Without Node, or without KaTeX, nothing is checked here
(``make site`` and ``convcards build`` then stop at the post-build step, which needs both).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from .errors import Problem
from .spec import DeckSpec

ROOT = Path(__file__).resolve().parent.parent
# \( ... \) and \[ ... \] as pymdownx.arithmatex reads them in generic mode.
FORMULA = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)

SCRIPT = r"""
const katex = require(process.env.CONVCARDS_KATEX || "katex");
let data = "";
process.stdin.on("data", (c) => (data += c));
process.stdin.on("end", () => {
  const out = JSON.parse(data).map(([tex, display]) => {
    try { katex.renderToString(tex, { displayMode: display, throwOnError: true }); return null; }
    catch (e) { return String(e.message || e).replace(/^KaTeX parse error: /, ""); }
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def author_text(decks: list[DeckSpec]) -> list[tuple[str, str | None, str, str]]:
    """(file, card id or None, field, text) of every piece of text an author wrote."""
    out: list[tuple[str, str | None, str, str]] = []
    for d in decks:
        out += [(d.file, None, "title", d.title), (d.file, None, "intro", d.intro or "")]
        for c in d.cards:
            out += [(d.file, c.id, f, getattr(c, f, "") or "") for f in ("title", "question", "summary")]
    return out


def unbalanced(text: str) -> str | None:
    """What is unbalanced in ``text``'s math delimiters, or None."""
    for a, b in (("\\(", "\\)"), ("\\[", "\\]")):
        if text.count(a) != text.count(b):
            return f"as many {a} as {b} (found {text.count(a)} and {text.count(b)})"
    return None


def _katex_available() -> bool:
    return bool(os.environ.get("CONVCARDS_KATEX")) or (ROOT / "node_modules/katex").is_dir()


def check(decks: list[DeckSpec]) -> list[Problem]:
    """The problems of the authors' formulas (empty when all typeset, or when Node or KaTeX is missing)."""
    problems: list[Problem] = []
    formulas: list[tuple[tuple[str, str | None, str], str, bool]] = []
    for file, card, fld, text in author_text(decks):
        if (why := unbalanced(text)) is not None:
            problems.append(Problem(file, card, fld, f"balanced math delimiters: {why}", repr(text[:60])))
            continue
        for m in FORMULA.finditer(text):
            formulas.append(((file, card, fld), m.group(1) if m.group(1) is not None else m.group(2), m.group(2) is not None))
    node = shutil.which("node")
    if not formulas or node is None or not _katex_available():
        return problems
    proc = subprocess.run([node, "-e", SCRIPT], input=json.dumps([[tex, disp] for _, tex, disp in formulas]),
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return problems  # KaTeX did not load: the post-build step reports it with its fix
    for ((file, card, fld), tex, display), err in zip(formulas, json.loads(proc.stdout), strict=True):
        if err is not None:
            why = re.sub(r"(at position \d+):.*", r"\1", err, flags=re.S)  # KaTeX's underlined excerpt: not for a terminal
            shown = f"\\[{tex[:60]}\\]" if display else f"\\({tex[:60]}\\)"
            problems.append(Problem(file, card, fld, "a formula KaTeX can typeset", f"{shown}: {why[:120]}"))
    return problems
