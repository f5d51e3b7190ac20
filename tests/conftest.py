"""Shared fixtures: a real MkDocs build of the site, a local server, and Debian's Chromium."""

from __future__ import annotations

import atexit
import fcntl
import functools
import http.server
import io
import json
import locale
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
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
# The browser of the tests reaches no other host: every name resolves to nothing (127.0.0.1 is an
# address, never looked up), so a request off the site fails at once, in the browser, with no
# interception in the way of the site's own requests; `open_recorded_page` lists each one.
OFFLINE_FLAG = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


def run_generator(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True)


# The forking runner's server: imports what `python -m generator` imports, then per request forks a
# child that runs `python -m generator ARGS` (runpy, as -m does) with the request's cwd and
# environment, stdin /dev/null, stdout and stderr into files, and exits as the interpreter would
# (status of SystemExit, 1 and a traceback on an exception, atexit handlers run). The server writes
# the child's wait status back. One JSON line per request and per answer.
_FORK_SERVER = r"""
import atexit, json, os, runpy, sys, traceback
import generator.cli, generator.mathcheck, generator.render, generator.siteconfig  # what a run imports, once
answers = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.chdir(req["cwd"]); os.environ.clear(); os.environ.update(req["env"])
        for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY), (2, req["err"], os.O_WRONLY)):
            f = os.open(path, mode); os.dup2(f, fd); os.close(f)
        sys.argv = ["-m", *req["args"]]
        code = 0
        try:
            runpy.run_module("generator", run_name="__main__", alter_sys=True)
        except SystemExit as e:
            code = 0 if e.code is None else e.code if isinstance(e.code, int) else (print(e.code, file=sys.stderr), 1)[1]
        except BaseException:
            traceback.print_exc(); code = 1
        atexit._run_exitfuncs()
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code & 0xFF)
    answers.write(json.dumps(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])) + "\n"); answers.flush()
"""


@functools.cache
def _fork_server() -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _FORK_SERVER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    atexit.register(_stop_fork_server, proc)
    return proc


def _stop_fork_server(proc: subprocess.Popen) -> None:
    proc.stdin.close()  # its loop ends
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def forked_generator(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` as :func:`run_generator` runs it (exit status, stdout, stderr),
    but in a process forked from one that has already imported the generator: for the many runs
    that check what a command prints and returns (tests/test_spec_errors.py), not its start-up,
    and for generations that are a test's material, not its subject (tests/test_anki_import.py).
    What the interpreter reads at start-up (PYTHONHASHSEED, PYTHONPATH) is the server's; the
    environment the generator reads is ``env`` (default: this process's). Those tests keep a few real runs, and
    test_the_forked_runner_answers_as_a_real_run compares the two."""
    server = _fork_server()
    with tempfile.TemporaryDirectory(prefix="convcards-fork-") as t:
        out, err = Path(t) / "out", Path(t) / "err"
        out.touch()
        err.touch()
        req = {"args": list(args), "cwd": str(cwd), "env": dict(os.environ if env is None else env), "out": str(out), "err": str(err)}
        server.stdin.write(json.dumps(req) + "\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        assert answer, "the forking runner died (tests/conftest.py _FORK_SERVER)"
        code = json.loads(answer)
        # as subprocess.run(text=True) decodes: the locale's encoding, universal newlines
        enc = locale.getpreferredencoding(False)
        text = [io.TextIOWrapper(io.BytesIO(p.read_bytes()), encoding=enc).read() for p in (out, err)]
    return subprocess.CompletedProcess([sys.executable, "-m", "generator", *args], code, *text)


RUN_DIR_ENV = "CONVCARDS_TEST_RUN"  # a folder shared by one pytest run and its xdist workers


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process (not an xdist worker) makes the run's shared folder; the workers
    it starts inherit its path in the environment. Removed when the run ends."""
    if hasattr(config, "workerinput") or os.environ.get(RUN_DIR_ENV):
        return
    run = tempfile.mkdtemp(prefix="convcards-tests-")
    os.environ[RUN_DIR_ENV] = run
    config.add_cleanup(functools.partial(shutil.rmtree, run, True))
    config.add_cleanup(functools.partial(os.environ.pop, RUN_DIR_ENV, None))
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # No bytecode beside the sources: then the workers and the hundreds of Python subprocesses
        # (generator, mkdocs, anki) would each compile every module they import again (a failing
        # `python -m generator` 0.9 CPU s, 0.3 from bytecode). They write it into the run's folder
        # instead, removed with it: still nothing beside the sources.
        for name, value in (("PYTHONDONTWRITEBYTECODE", None), ("PYTHONPYCACHEPREFIX", str(Path(run) / "pycache"))):
            config.add_cleanup(functools.partial(_restore_env, name, os.environ.get(name)))
            _restore_env(name, value)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


# Modules whose fixtures build something costly (a site, a generation, 2,000 reference results):
# under xdist all their tests go to one worker, which builds it once. The four checks of one page
# of tests/test_browser_pages.py likewise (they share one page load), and the cases of a
# SHARED_PAGE_TESTS test (they share one page). Every other test is
# scheduled on its own, as xdist's default ("load") does.
WHOLE_MODULES = ("test_zensical.py", "test_anki_import.py", "test_explorer_core.py", "test_authoring.py", "test_injection.py")
# Parametrized tests whose cases share one page (a module fixture): all their cases go to one worker, in a row.
SHARED_PAGE_TESTS = ("test_explorer_page.py::test_a_bad_value_gets_its_message_and_the_last_result_stays",)


def xdist_scope(nodeid: str) -> str:
    """The unit of scheduling a test belongs to (tests with the same scope run on one worker)."""
    path, _, rest = nodeid.partition("::")
    if path.rsplit("/", 1)[-1] in WHOLE_MODULES:
        return path
    if rest.startswith("TestEveryPage::") and "[" in rest:
        return f"{path}::TestEveryPage[{rest.split('[', 1)[1]}"
    test = f"{path.rsplit('/', 1)[-1]}::{rest.split('[', 1)[0]}"
    if test in SHARED_PAGE_TESTS:
        return f"{path}::{rest.split('[', 1)[0]}"
    return nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """xdist's "load" scheduling with :func:`xdist_scope`'s groups. (Its own ``--dist loadgroup``
    does not group under pytest 9: it renames ``item._nodeid``, which pytest 9 no longer reads.)"""
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupedLoad(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return GroupedLoad(config, log)


def _shared(name: str, make: Callable[[Path], str | None]) -> tuple[Path, str | None]:
    """``make(folder)`` once per pytest run, whichever worker asks first; the others wait for it
    (an exclusive lock on a file beside the folder) and reuse the folder and its error text."""
    run = os.environ.get(RUN_DIR_ENV)
    if not run:  # not under pytest (python tests/test_browser_pages.py): a folder of its own
        out = Path(tempfile.mkdtemp(prefix=f"convcards-{name}-"))
        atexit.register(shutil.rmtree, out, True)
        return out, make(out)
    out, done = Path(run) / name, Path(run) / f"{name}.result.json"
    with open(Path(run) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            done.write_text(json.dumps({"error": make(out)}), encoding="utf-8")
        return out, json.loads(done.read_text(encoding="utf-8"))["error"]


def _build_site(out: Path) -> str | None:
    """``mkdocs build --strict`` of the committed docs into ``out``, then the post-build step; the error text or None."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT, capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        return proc.stdout + proc.stderr
    # as `make site` does: the post-build step (math typeset at build time; Node and the pinned katex are required)
    proc = subprocess.run(["node", "generator/postbuild.mjs", str(out)], cwd=ROOT, capture_output=True, text=True)
    return None if proc.returncode == 0 else "generator/postbuild.mjs failed:\n" + proc.stdout + proc.stderr


@functools.cache
def strict_build() -> tuple[Path, str | None]:
    """One ``mkdocs build --strict`` of the committed docs per test run, into a fresh folder shared
    by the run's xdist workers (the first to ask builds it, the others wait and reuse it).

    Returns (site folder, error text or None). Shared by the ``site_dir`` fixture and by test
    modules that discover the built pages at collection time (tests/test_browser_pages.py).
    Tests only read it.
    """
    if not (ROOT / "docs/vendor/katex/katex.min.js").exists():
        return Path(), "KaTeX is not in docs/vendor: run `make site` (it copies it from node_modules)"
    if not (ROOT / "docs/vendor/ts-fsrs/ts-fsrs.umd.js").exists():
        return Path(), "ts-fsrs is not in docs/vendor: run `make site` (it copies it from node_modules)"
    return _shared("site", _build_site)


def _warm_cache(out: Path) -> str | None:
    """A generator cache holding every figure and download of the built-in decks: the repository's
    own cache (``make site`` fills it) copied, then one generation of the built-in decks into a
    scratch folder completes it (the gallery's GIFs, which a build of the committed docs/ never draws),
    with hash seed 4242."""
    cache, seed = out / "cache", ROOT / ".cache" / "convcards"
    if seed.is_dir():
        shutil.copytree(seed, cache)
    env = {**os.environ, "CONVCARDS_CACHE": str(cache), "PYTHONHASHSEED": "4242"}  # a seed other than the workers' (tests/test_anki.py)
    proc = subprocess.run([sys.executable, "-m", "generator", "--docs", str(out / "docs"), "--quiet"], cwd=ROOT, capture_output=True,
                          text=True, env=env)
    return None if proc.returncode == 0 else "generating the built-in decks failed:\n" + proc.stdout + proc.stderr


def warm_cache(dest: Path) -> Path:
    """A copy, at ``dest``, of a generator cache that already holds every figure of the built-in decks
    (made once per test run, shared by the xdist workers): for tests whose subject is not drawing
    (the cache's own tests, tests/test_cache.py, start cold), so that a generation of the decks into
    a fresh folder does not redraw every figure and GIF. A copy: the generator writes and prunes it."""
    out, error = _shared("warm-cache", _warm_cache)
    if error:
        pytest.fail(error)
    shutil.copytree(out / "cache", dest)
    return dest


def drawn_on_white(svg: str) -> bool:
    """A figure painted on a white background, as matplotlib writes it (``fill: #ffffff``) or as the
    SVG writer does (``fill="#fff"``, figures.SvgFigure)."""
    return re.search(r'fill(="|:\s*)#(fff|ffffff)\b', svg.lower()) is not None


def generated_docs() -> Path:
    """The built-in decks generated into a fresh folder (``python -m generator --docs DIR``), once per
    run and shared by the workers: the generation that completes the warm cache. Tests only read it
    (tests/test_deck1.py, test_deck2.py, test_deck4.py, test_deck6.py), so four full generations
    became one; the folder is what a clean run into an empty ``docs/`` writes."""
    out, error = _shared("warm-cache", _warm_cache)
    if error:
        pytest.fail(error)
    return out / "docs"


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
        b = pw.chromium.launch(executable_path=path, args=[*CHROMIUM_FLAGS[1:], OFFLINE_FLAG])
        yield b
        b.close()


def open_recorded_page(browser, server: str, **context_options):
    """A new context and page whose every request is recorded: requests off 127.0.0.1 are listed
    (the session's browser cannot reach another host: ``OFFLINE_FLAG``), failed ones and HTTP
    errors too, and console errors. Nothing is intercepted: requests travel as they do for a
    reader. Returns (context, page); the caller closes the context."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    pg = context.new_page()
    pg.offsite_requests = []  # type: ignore[attr-defined]
    pg.failed_requests = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]

    def on_site(url: str) -> bool:
        return url.startswith(server) or url.startswith("data:") or url.startswith("blob:")

    pg.on("request", lambda req: None if on_site(req.url) else pg.offsite_requests.append(req.url))
    # a request to another host fails (it cannot be resolved): listed above, not again here
    pg.on("requestfailed", lambda req: pg.failed_requests.append(req.url) if on_site(req.url) else None)
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
