"""The table of contents never gives an answer away: no entry of a page's table of contents
links to a heading inside a reveal (following it would open the answer)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class _Toc(HTMLParser):
    """Ids inside <details>, and the #links of the table of contents (Material's secondary nav)."""

    def __init__(self) -> None:
        super().__init__()
        self.details = 0
        self.hidden_ids: set[str] = set()
        self.toc_depth = 0  # >0 inside <nav class="... md-nav--secondary">
        self.toc_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "details":
            self.details += 1
        if self.details and a.get("id"):
            self.hidden_ids.add(a["id"] or "")
        if tag == "nav":
            if self.toc_depth or "md-nav--secondary" in (a.get("class") or ""):
                self.toc_depth += 1
        if tag == "a" and self.toc_depth and (a.get("href") or "").startswith("#"):
            self.toc_links.append((a.get("href") or "")[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self.details:
            self.details -= 1
        if tag == "nav" and self.toc_depth:
            self.toc_depth -= 1


def toc_spoilers(html: str) -> list[str]:
    p = _Toc()
    p.feed(html)
    return [i for i in p.toc_links if i in p.hidden_ids]


def test_no_toc_entry_opens_an_answer(site_dir: Path):
    bad = {}
    for f in sorted(site_dir.rglob("index.html")):
        spoilers = toc_spoilers(f.read_text(encoding="utf-8"))
        if spoilers:
            bad[str(f.relative_to(site_dir))] = spoilers
    assert bad == {}


def test_the_detector_finds_a_planted_spoiler():
    html = ('<nav class="md-nav md-nav--secondary"><ul><li><a href="#step">Step</a></li><li><a href="#practice">P</a></li></ul></nav>'
            '<details><summary>Answer</summary><h2 id="step">Step</h2></details><h2 id="practice">Practice</h2>')
    assert toc_spoilers(html) == ["step"]
