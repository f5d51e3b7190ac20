"""Every PyTorch snippet on every card page prints the page's numbers, and PyTorch prints them too (issue 12).

The oracle is PyTorch itself (when installed): each snippet runs, and every line it prints equals
the comment beside its print call, which the generator wrote from its own numbers.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

CARD_PAGES = sorted(p for p in (ROOT / "docs/cards").glob("*/*.md") if p.name not in ("index.md", "print.md"))


def snippets(page: Path) -> list[str]:
    """Every python block, dedented (a block inside an answer is indented by four spaces)."""
    blocks = re.findall(r"^( *)```python\n(.*?)^ *```", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [textwrap.dedent(code) for _, code in blocks]


def expected_lines(code: str) -> list[str]:
    return re.findall(r"^\s*print\(.*\)  # (.*)$", code, flags=re.M)


@pytest.mark.parametrize("page", CARD_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_snippet_prints_values_not_only_a_shape(page):
    codes = snippets(page)
    assert codes, "a card page has a PyTorch snippet"
    for code in codes:
        lines = expected_lines(code)
        assert any(not line.startswith("torch.Size(") for line in lines), f"{page.name}: only shapes printed:\n{code}"


@pytest.mark.parametrize("page", CARD_PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_snippet_prints_what_its_comments_say(page):
    pytest.importorskip("torch")
    for code in snippets(page):
        want = expected_lines(code)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"<{page.stem}>", "exec"), {})
        got = out.getvalue().strip().splitlines()
        assert len(got) == len(want), f"{page.name}: {got} vs {want}"
        for g, w in zip(got, want, strict=True):
            assert g == w, f"{page.name}: printed {g!r}, the page says {w!r}"
