"""Study mode carries a learner's progress over a card's rename (``formerly``): a site is built
from the sample deck with card ``one-output`` renamed ``single-output`` (``formerly:
[one-output]``); progress saved in the browser under the old ids moves to the new ones when
study mode opens, and an exported file naming the old ids is imported (before, import refused
progress naming a card the site does not have). Real build, real Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading

import pytest
from conftest import _QuietHandler, open_recorded_page

from generator import scaffold

pytestmark = pytest.mark.browser
STORE = "convcards.study.v2"


def _rec(deck: str, due: str, last: str) -> dict:
    return {"deck": deck, "due": due, "stability": 3.5, "difficulty": 5, "elapsed_days": 0, "scheduled_days": 3,
            "learning_steps": 0, "reps": 2, "lapses": 0, "state": 2, "last_review": last}  # fmt: skip


@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory):
    if scaffold.katex_dir() is None:
        pytest.fail("KaTeX is missing: run `make site`")
    tmp = tmp_path_factory.mktemp("rename")
    site = tmp / "site"
    new = [sys.executable, "-m", "generator.app", "new", str(site), "--title", "Mine"]
    assert subprocess.run(new, capture_output=True).returncode == 0
    deck = site / "decks/mine.yaml"
    text = deck.read_text(encoding="utf-8").replace("  - id: one-output\n", "  - id: single-output\n    formerly: [one-output]\n")
    deck.write_text(text.replace("builds_on: [one-output]", "builds_on: [single-output]"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "generator.app", "build", str(site), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((site / "site/data/study.json").read_text(encoding="utf-8"))
    assert data["renamed"] == {"one-output": "single-output"}
    handler = functools.partial(_QuietHandler, directory=str(site / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", data
    httpd.shutdown()
    httpd.server_close()


def _open(browser, server: str, storage: dict | None = None):
    ctx, page = open_recorded_page(browser, server, timezone_id="UTC")
    ctx.add_init_script("window.convcardsNow = '2026-03-02T09:00:00Z';")
    if storage is not None:
        ctx.add_init_script("if (!sessionStorage.getItem('seeded')) { localStorage.setItem(" + json.dumps(STORE) + ", "
                            + json.dumps(json.dumps(storage)) + "); sessionStorage.setItem('seeded', '1'); }")  # fmt: skip
    page.goto(server + "/study/")
    page.wait_for_selector("#cc-study[data-ready=true]")
    return ctx, page


def _saved(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{STORE}')"))


def test_saved_progress_moves_to_the_new_id(browser, renamed_site):
    server, data = renamed_site
    variant = next(it["id"] for it in data["items"] if it["card"] == "single-output" and it["kind"] == "practice")
    old_variant = variant.replace("single-output", "one-output", 1)
    items = {"one-output": _rec("mine", "2026-03-05T09:00:00Z", "2026-03-01T09:00:00Z"),
             old_variant: _rec("mine", "2026-03-06T09:00:00Z", "2026-03-01T09:00:00Z")}  # fmt: skip
    ctx, page = _open(browser, server, {"version": 2, "items": items, "settings": {}})
    try:
        saved = _saved(page)
        assert set(saved["items"]) == {"single-output", variant}, "moved to the new ids, none left under the old"
        assert saved["items"]["single-output"]["due"] == "2026-03-05T09:00:00Z" and saved["items"][variant]["reps"] == 2
        assert page.console_errors == []
    finally:
        ctx.close()


def test_an_old_export_imports(browser, renamed_site, tmp_path):
    server, _ = renamed_site
    ctx, page = _open(browser, server)
    try:
        old = {"version": 2, "items": {"one-output": _rec("mine", "2026-03-04T09:00:00Z", "2026-03-01T09:00:00Z")}, "settings": {}}
        path = tmp_path / "progress.json"
        path.write_text(json.dumps(old), encoding="utf-8")
        page.set_input_files(".cc-study__import", str(path))
        page.wait_for_function(f"(localStorage.getItem('{STORE}') || '').includes('single-output')")
        assert "Not imported" not in page.inner_text(".cc-study__status")
        assert set(_saved(page)["items"]) == {"single-output"}
    finally:
        ctx.close()
