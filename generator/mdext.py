"""A Markdown extension for the site (``markdown_extensions: [generator.mdext]`` in mkdocs.yml):
the table of contents leaves out every heading inside a reveal (``<details>``, an answer), so it
never gives an answer away and following an entry never opens one.

It runs after Python-Markdown's ``toc`` and prunes ``toc_tokens`` (what MkDocs and Material build
the page's table of contents from, in the sidebar and in the mobile drawer). The headings keep
their ids: a link to one still works.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor


def hidden_ids(root: Element) -> set[str]:
    """The ids of every heading inside a ``<details>`` element."""
    out: set[str] = set()
    for details in root.iter("details"):
        for el in details.iter():
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and el.get("id"):
                out.add(el.get("id") or "")
    return out


def prune(tokens: list[dict[str, Any]], hidden: set[str]) -> list[dict[str, Any]]:
    """``tokens`` without the hidden headings (their children move up, unless hidden too)."""
    out: list[dict[str, Any]] = []
    for t in tokens:
        children = prune(t.get("children", []), hidden)
        if t.get("id") in hidden:
            out.extend(children)
        else:
            out.append({**t, "children": children})
    return out


class _PruneToc(Treeprocessor):
    def run(self, root: Element) -> None:
        hidden = hidden_ids(root)
        if hidden and getattr(self.md, "toc_tokens", None):
            self.md.toc_tokens = prune(self.md.toc_tokens, hidden)  # type: ignore[attr-defined]


class AnswerSafeToc(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_PruneToc(md), "convcards_answer_safe_toc", 4)  # after toc (5)


def makeExtension(**kwargs: Any) -> AnswerSafeToc:  # noqa: N802 (Python-Markdown's entry point)
    return AnswerSafeToc(**kwargs)
