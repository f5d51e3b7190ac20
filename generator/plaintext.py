"""Plain text from a card's Markdown-with-LaTeX, for places that show no math: ``<meta name="description">``.

MkDocs' theme writes the page's ``description`` into an HTML attribute as it is, so the
text must carry no LaTeX, no double quote and no markup characters.
"""

from __future__ import annotations

import re

# LaTeX commands a question may use, as Unicode
_COMMANDS = {
    "top": "ᵀ", "times": "×", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
    "star": "⋆", "ast": "∗", "to": "→", "ldots": "…", "dots": "…", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "hat": "", "operatorname": "", "text": "", "mathrm": "", "tilde": "", "quad": " ", "qquad": " ",
}


def _math(m: re.Match[str]) -> str:
    s = m.group(1)
    s = re.sub(r"\^\\top|\^\{\\top\}", "ᵀ", s)
    s = re.sub(r"\\([A-Za-z]+)", lambda c: _COMMANDS.get(c.group(1), c.group(1)), s)
    s = s.replace("{", "").replace("}", "").replace("\\,", " ").replace("\\", "")
    s = re.sub(r"(?<=\w) - (?=\w)", " − ", s)
    return re.sub(r"\s+", " ", s).strip()


def description(text: str) -> str:
    """One line of plain text: math as Unicode, straight double quotes as curly ones, no markup.

    >>> description('Is \\\\(p\\\\) per side, and what does "same" do to \\\\(C^\\\\top\\\\)?')
    'Is p per side, and what does “same” do to Cᵀ?'
    """
    s = re.sub(r"\\\((.*?)\\\)", _math, text, flags=re.S)
    s = re.sub(r"\\\[(.*?)\\\]", _math, s, flags=re.S)
    s = re.sub(r"`([^`]*)`", r"\1", s)
    s = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", s)
    s = re.sub(r'"([^"]*)"', "“\\1”", s)
    s = s.replace('"', "”").replace("<", "‹").replace(">", "›").replace("&", "and")
    return re.sub(r"\s+", " ", s).strip()
