"""No broken internal link or anchor in the built site (no browser needed).

Every ``href``/``src``/``srcset`` of every HTML file in the strict build is resolved the way a
browser resolves it; a link to this site must name an existing file, and a ``#fragment`` must
name an ``id`` (or ``<a name>``) in the target page. Links to other hosts are not followed here
(the browser suite checks that pages never *load* anything from another host).
"""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

# attribute names that hold a URL, per tag (srcset holds a list of "url width" pairs)
URL_ATTRS = {
    "a": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "object": ("data",),
    "embed": ("src",),
}
EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "data", "javascript", "blob"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "base" and "href" in a:
            self.base = a["href"]
        for attr in URL_ATTRS.get(tag, ()):
            if attr not in a:
                continue
            if attr == "srcset":
                for part in a[attr].split(","):
                    if part.strip():
                        self.refs.append((tag, attr, part.strip().split()[0]))
            else:
                self.refs.append((tag, attr, a[attr]))

    handle_startendtag = handle_starttag


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    p.close()
    return p


def broken_links(site: Path) -> list[str]:
    """Every internal reference in ``site`` whose file or anchor does not exist, as readable lines."""
    site = site.resolve()
    pages = {f: _parse(f) for f in sorted(site.rglob("*.html"))}
    problems: list[str] = []
    for html, parsed in pages.items():
        page_url = "/" + html.relative_to(site).as_posix()
        base = urljoin(page_url, parsed.base) if parsed.base else page_url
        for tag, attr, ref in parsed.refs:
            ref = ref.strip()
            where = f"{html.relative_to(site)}: <{tag} {attr}={ref!r}>"
            if not ref:
                problems.append(f"{where}: empty URL")
                continue
            parts = urlsplit(ref)
            if parts.scheme in EXTERNAL_SCHEMES or ref.startswith("//"):
                continue
            if parts.scheme:
                problems.append(f"{where}: unknown URL scheme {parts.scheme!r}")
                continue
            resolved = urlsplit(urljoin(base, ref))
            path = posixpath.normpath(unquote(resolved.path)) if resolved.path else page_url
            if resolved.path.endswith("/") and not path.endswith("/"):
                path += "/"
            target = (site / path.lstrip("/")).resolve()
            if site != target and site not in target.parents:
                problems.append(f"{where}: points outside the site ({path})")
                continue
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{where}: no such file {target.relative_to(site)}")
                continue
            fragment = unquote(resolved.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    problems.append(f"{where}: no id={fragment!r} in {target.relative_to(site)}")
    return problems


def test_no_broken_internal_link_or_anchor(site_dir):
    htmls = list(site_dir.rglob("*.html"))
    assert len(htmls) >= 3, "the build has pages"
    problems = broken_links(site_dir)
    assert not problems, f"{len(problems)} broken internal link(s):\n" + "\n".join(problems)


def test_every_page_links_to_the_stylesheet_and_katex(site_dir):
    """The checker really sees the pages' references (guards against a parser that finds nothing)."""
    for html in site_dir.rglob("index.html"):
        refs = {posixpath.basename(urlsplit(r).path) for _, _, r in _parse(html).refs}
        # KaTeX's script itself is loaded by katex-init.js when a formula needs it (its file is checked
        # in test_site_build.py); the two fonts every page's math uses are preloaded
        assert {"convcards.css", "katex-init.js", "katex.min.css", "KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"} <= refs, html


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "x.svg").write_text("<svg/>")
    (tmp_path / "index.html").write_text(
        '<h1 id="top">t</h1><a href="a/">ok</a> <a href="a/#sec">ok</a> <a href="#top">ok</a>'
        ' <a href="https://example.org/x">external, not followed</a> <img src="img/x.svg" alt="x">'
    )
    (tmp_path / "a" / "index.html").write_text('<h2 id="sec">s</h2><a href="../index.html#top">ok</a> <a href="/img/x.svg">ok</a>')
    return tmp_path


def test_checker_passes_a_good_site(tiny_site):
    assert broken_links(tiny_site) == []


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<a href="missing/">x</a>', "no such file missing/index.html"),
        ('<a href="a/#nope">x</a>', "no id='nope' in a/index.html"),
        ('<a href="#gone">x</a>', "no id='gone' in b.html"),
        ('<img src="img/y.svg" alt="y">', "no such file img/y.svg"),
        ('<link rel="stylesheet" href="../../etc/passwd">', "no such file etc/passwd"),
        ('<img srcset="img/x.svg 1x, img/z.svg 2x" alt="z">', "no such file img/z.svg"),
    ],
)
def test_checker_finds_each_kind_of_breakage(tiny_site, html, expected):
    (tiny_site / "b.html").write_text(html)
    problems = broken_links(tiny_site)
    assert len(problems) == 1 and expected in problems[0], problems
