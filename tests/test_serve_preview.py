"""Deck errors during the live preview show in the browser: ``convcards serve`` on a free port, a
spec broken → every page carries a banner with the text the terminal printed; fixed → the
banner goes. The banner lives only in the preview: nothing of it in docs/, in ``convcards
build``'s site, or left beside mkdocs.yml once the preview stops.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest
from test_authoring import _free_port, _get, _stop, _wait

from generator import scaffold, serve

BANNER = 'id="convcards-preview-error"'


def _banner_text(page: str) -> str | None:
    m = re.search(r'id="convcards-preview-error".*?<pre[^>]*>(.*?)</pre>', page, re.S)
    return html.unescape(m.group(1)) if m else None


def test_a_deck_error_shows_on_every_page_until_fixed(tmp_path):
    if scaffold.katex_dir() is None:
        pytest.fail("KaTeX is missing: run `make site` (or npm ci)")
    site = tmp_path / "site"
    new = [sys.executable, "-m", "generator.app", "new", str(site), "--title", "Preview"]
    assert subprocess.run(new, capture_output=True).returncode == 0
    deck = next((site / "decks").glob("*.yaml"))
    good = deck.read_text(encoding="utf-8")
    port = _free_port()
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.app", "serve", str(site), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    card = f"{base}/cards/preview/one-output/"
    try:
        first = _wait("the served card", lambda: _get(card))
        assert BANNER not in first and "livereload" in first
        assert serve.preview_config(site / "mkdocs.yml").is_file()

        deck.write_text(good.replace("input: [[1, 2, 0], [0, 1, -1], [3, 1, 2]]", "input: [[1, 2, 0], [0, 1]]"), encoding="utf-8")
        page = _wait("the banner", lambda: (p := _get(card)) and BANNER in p and p)
        shown = _banner_text(page)
        terminal = log_path.read_text(encoding="utf-8")
        error = next(line for line in shown.splitlines() if "error:" in line)
        assert "card 'one-output'" in error and "field 'examples.main.input'" in error and "rectangular" in error
        assert shown in terminal, "the banner holds the text printed in the terminal"
        assert "generation failed" in shown
        for other in (f"{base}/", f"{base}/study/", f"{base}/cards/preview/as-a-matrix/"):
            assert BANNER in (_get(other) or ""), other  # every page
        assert "One output entry" in page and "katex" in page  # the last good page, under the banner
        for f in (site / "docs").rglob("*"):  # never in the docs the site is built from
            assert not f.is_file() or b"convcards-preview-error" not in f.read_bytes(), f

        deck.write_text(good.replace("[3, 1, 2]", "[3, 1, 8642]"), encoding="utf-8")
        fixed = _wait("the banner gone", lambda: (p := _get(card)) and BANNER not in p and p)
        assert "8642" in fixed
    finally:
        _stop(proc, log)
    assert not serve.preview_config(site / "mkdocs.yml").exists(), "the preview's configuration is removed when it stops"
    assert _get(card) is None


def test_the_hook_escapes_and_places_the_banner():
    from generator import preview_hook

    page = '<html><body class="x"><h1>Card</h1></body></html>'
    out = preview_hook.on_post_page(page, None, {"extra": {"convcards_preview_error": "error: <script>alert(1)</script>"}})
    assert out.index(BANNER) > out.index("<body") and "<script>" not in out and "&lt;script&gt;" in out
    assert preview_hook.on_post_page(page, None, {"extra": {"convcards_preview_error": ""}}) == page
    assert preview_hook.on_post_page(page, None, {"extra": {}}) == page


def test_a_built_site_never_has_the_banner(tmp_path):
    """``convcards build`` reads mkdocs.yml, never the preview's configuration, even one left
    behind by a preview killed with SIGKILL."""
    if scaffold.katex_dir() is None:
        pytest.fail("KaTeX is missing: run `make site` (or npm ci)")
    site = tmp_path / "site"
    assert subprocess.run([sys.executable, "-m", "generator.app", "new", str(site)], capture_output=True).returncode == 0
    serve.write_preview_config(site / "mkdocs.yml", "error: left behind")  # what a killed preview leaves
    proc = subprocess.run([sys.executable, "-m", "generator.app", "build", str(site), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    built = [p for p in (site / "site").rglob("*.html")]
    assert built and not any("convcards-preview-error" in p.read_text(encoding="utf-8") for p in built)
    assert ".convcards-*" in (site / ".gitignore").read_text(encoding="utf-8")


def _served(url: str) -> str | None:
    """A served page without mkdocs serve's live-reload call, which differs on every request."""
    got = _get(url)
    return None if got is None else re.sub(r"livereload\(\d+, \d+\);", "", got)


def _nav_titles(page: str) -> list[str]:
    """The titles the primary navigation of a served page shows (its own table of contents left out)."""
    start = page.index('<nav class="md-nav md-nav--primary"')
    end = page.index('<div class="md-content"', start)
    nav = re.sub(r'<nav class="md-nav md-nav--secondary".*?</nav>', "", page[start:end], flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, re.S)]


def test_the_preview_rebuilds_a_changed_page_alone_and_every_page_when_a_title_changes(tmp_path):
    """The preview rebuilds only the pages whose files changed (mkdocs --dirty), exactly: the page
    rebuilt names the pages it did not read again in its navigation (plain --dirty leaves them
    without a title), and a changed title reaches the pages that were not otherwise changed."""
    if scaffold.katex_dir() is None:
        pytest.fail("KaTeX is missing: run `make site` (or npm ci)")
    site = tmp_path / "site"
    new = [sys.executable, "-m", "generator.app", "new", str(site), "--title", "Preview"]
    assert subprocess.run(new, capture_output=True).returncode == 0
    deck = next((site / "decks").glob("*.yaml"))
    # the second card with an example of its own (the sample repeats the first's), so that an edit changes one page
    own = "main: {operation: cross_correlation, input: [[2, 0], [1, 1]], kernel: [[1]]}"
    good = deck.read_text(encoding="utf-8").replace("main: *example", own)
    deck.write_text(good, encoding="utf-8")
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.app", "serve", str(site), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    one, other = f"{base}/cards/preview/one-output/", f"{base}/cards/preview/as-a-matrix/"
    try:
        first = _wait("the served card", lambda: _get(one))
        titles = _nav_titles(first)
        assert "One output entry" in titles and "The same as one matrix product" in titles
        other_before = _served(other)

        edited = good.replace("[3, 1, 2]", "[3, 1, 8642]")
        deck.write_text(edited, encoding="utf-8")
        page = _wait("the edited card", lambda: (p := _get(one)) and "8642" in p and p)
        assert _nav_titles(page) == titles, "the rebuilt page names every page as the full build did"
        assert _served(other) == other_before, "a page whose files did not change is not rebuilt"

        deck.write_text(edited.replace("title: One output entry", "title: One output, renamed"), encoding="utf-8")
        renamed = _wait("the new title in the other card's navigation", lambda: (p := _get(other)) and "One output, renamed" in p and p)
        assert "One output, renamed" in _nav_titles(renamed) and "One output entry" not in _nav_titles(renamed)

        # a hand-written page's title (its heading: no generated file changes) reaches every page too
        index = site / "docs" / "index.md"
        index.write_text(index.read_text(encoding="utf-8").replace("# Preview", "# Preview home", 1), encoding="utf-8")
        home = _wait("the home page's title in a card's navigation", lambda: (p := _get(other)) and "Preview home" in _nav_titles(p) and p)
        assert "Preview home" in _nav_titles(home)
    finally:
        _stop(proc, log)
