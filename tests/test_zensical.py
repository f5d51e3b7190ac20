"""The day Material for MkDocs ends: the same mkdocs.yml built by Zensical (pinned in the dev
lock), then the post-build step, and the browser suite's core checks on every kind of page of it:
every formula typeset by KaTeX with no error (before and after every answer is revealed), every
reveal opens on click, no console error, no failed request, nothing from another host, no broken
link or anchor, no table-of-contents entry that opens an answer; and the same pages as the
MkDocs build.

Zensical links a page to itself with ``href=""`` (the logo and the active navigation entry on the
home page) where MkDocs writes ``"."``: both open the page itself, so those are not counted as
broken here.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, _QuietHandler, open_recorded_page, strict_build
from test_browser_pages import check_math, check_requests, discover_pages, open_all_answers, open_page
from test_links import broken_links

pytestmark = pytest.mark.browser

ZENSICAL = Path(sys.executable).parent / "zensical"


@pytest.fixture(scope="module")
def zensical_site():
    """``zensical build --strict`` of the committed docs (Zensical writes only inside the project:
    a folder under the gitignored .cache/), then ``node generator/postbuild.mjs``."""
    if not ZENSICAL.exists():
        pytest.fail("zensical is a dev dependency (requirements-dev.lock): run `make test`, which installs it")
    if not (ROOT / "docs/vendor/katex/katex.min.js").exists():
        pytest.fail("KaTeX is not in docs/vendor: run `make site`")
    rel = f".cache/zensical-test-{os.getpid()}"
    out = ROOT / rel
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "CONVCARDS_SITE_DIR": rel, "PYTHONPATH": str(ROOT)}  # generator.mdext (installed, the package is convcards)
    env.pop("CONVCARDS_SITE_URL", None)
    proc = subprocess.run([str(ZENSICAL), "build", "--strict"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and (out / "index.html").is_file(), proc.stdout + proc.stderr
    assert "zensical" in (out / "index.html").read_text(encoding="utf-8").split('name="generator"')[1][:40]
    proc = subprocess.run(["node", "generator/postbuild.mjs", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def zensical_server(zensical_site):
    handler = functools.partial(_QuietHandler, directory=str(zensical_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_same_pages_as_the_mkdocs_build(zensical_site):
    site, error = strict_build()
    assert error is None, error
    assert discover_pages(zensical_site) == discover_pages(site)


def test_no_broken_link_or_anchor(zensical_site):
    problems = [p for p in broken_links(zensical_site) if not p.endswith("<a href=''>: empty URL")]
    assert problems == []


def engine_pages(pages: list[str]) -> list[str]:
    """One page of each kind the theme renders differently: every page outside the decks, each
    deck's index, print sheet and first card (the card pages share one template; their content
    is the MkDocs suite's business, identical here: same Markdown, same post-build step)."""
    out, decks = [], set()
    for p in pages:
        parts = p.strip("/").split("/")
        if parts[0] != "cards" or len(parts) == 2 or parts[-1] == "print":
            out.append(p)
        elif re.fullmatch(r"print-\d+", parts[-1]):  # a deck's later print sheets: the print sheet's template again
            continue
        elif parts[1] not in decks:
            decks.add(parts[1])
            out.append(p)
    return out


def test_every_kind_of_page_math_reveals_and_requests(zensical_site, zensical_server, browser):
    pages = engine_pages(discover_pages(zensical_site))
    assert len(pages) >= 15
    failures = []
    context, page = open_recorded_page(browser, zensical_server)
    try:
        for path in pages:
            page.offsite_requests.clear()
            page.failed_requests.clear()
            page.console_errors.clear()
            try:
                open_page(page, zensical_server, path)
                check_math(page, "before any reveal")
                open_all_answers(page)
                page.wait_for_function("() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))",
                                       timeout=10_000)
                check_math(page, "with every answer open")
                # this page's requests settle before they are judged and before the next page is
                # opened: one cut short by the next navigation would be blamed on the next page
                page.wait_for_load_state("networkidle", timeout=15_000)
                check_requests(page)
            except Exception as e:  # collect every page's problem, then fail once
                failures.append(f"/{path}: " + " / ".join(str(e).splitlines()[:4])[:600])
    finally:
        context.close()
    assert failures == []


def test_no_toc_entry_opens_an_answer(zensical_site):
    from test_toc import toc_spoilers

    pages = sorted(zensical_site.rglob("index.html"))
    bad = {str(f.relative_to(zensical_site)): s for f in pages if (s := toc_spoilers(f.read_text("utf-8")))}
    assert bad == {}
