"""Shared fixtures: a real MkDocs build of the site, a local server, and Debian's Chromium."""

from __future__ import annotations

import atexit
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def run_generator(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True)


@functools.cache
def strict_build() -> tuple[Path, str | None]:
    """One ``mkdocs build --strict`` of the committed docs per test process, into a fresh folder.

    Returns (site folder, error text or None). Shared by the ``site_dir`` fixture and by test
    modules that discover the built pages at collection time (tests/test_browser_pages.py).
    """
    if not (ROOT / "docs/vendor/katex/katex.min.js").exists():
        return Path(), "KaTeX is not in docs/vendor: run `make site` (it copies it from node_modules)"
    if not (ROOT / "docs/vendor/ts-fsrs/ts-fsrs.umd.js").exists():
        return Path(), "ts-fsrs is not in docs/vendor: run `make site` (it copies it from node_modules)"
    out = Path(tempfile.mkdtemp(prefix="convcards-site-"))
    atexit.register(shutil.rmtree, out, True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT, capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        return out, proc.stdout + proc.stderr
    # as `make site` does: the post-build step (math typeset at build time; Node and the pinned katex are required)
    proc = subprocess.run(["node", "generator/postbuild.mjs", str(out)], cwd=ROOT, capture_output=True, text=True)
    return out, (None if proc.returncode == 0 else "generator/postbuild.mjs failed:\n" + proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The site built from the committed docs with ``mkdocs build --strict`` into a fresh folder."""
    out, error = strict_build()
    if error:
        pytest.fail(error)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def server(site_dir: Path):
    """An HTTP server on 127.0.0.1 serving the built site; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Under CI a missing browser fails, never skips."""
    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium (apt-get install chromium)")
        pytest.skip("no chromium on PATH and CHROMIUM unset")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS[1:])
        yield b
        b.close()


def open_recorded_page(browser, server: str, **context_options):
    """A new context and page whose every request is recorded; requests off 127.0.0.1 are blocked
    and listed. Returns (context, page); the caller closes the context."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    pg = context.new_page()
    pg.offsite_requests = []  # type: ignore[attr-defined]
    pg.failed_requests = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]

    def route(r):
        url = r.request.url
        if url.startswith(server) or url.startswith("data:") or url.startswith("blob:"):
            r.continue_()
        else:
            pg.offsite_requests.append(url)
            r.abort()

    pg.route("**/*", route)
    pg.on("requestfailed", lambda req: pg.failed_requests.append(req.url))
    # an HTTP error (a 404 for a missing font or figure) is a failed request for the reader too
    pg.on("response", lambda r: pg.failed_requests.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    return context, pg


@pytest.fixture
def page(browser, server):
    """A fresh page whose every request is recorded; requests off 127.0.0.1 are blocked and listed."""
    context, pg = open_recorded_page(browser, server)
    yield pg
    context.close()
