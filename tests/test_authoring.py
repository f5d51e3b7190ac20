"""An author's workflow, end to end: README's example card built by README's commands,
the generator owning only its files, failures losing nothing, and the live preview."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, run_generator
from scipy.signal import correlate2d

README = ROOT / "README.md"


def readme_block(lang: str, section: str = "## Write your own cards") -> str:
    """The first ```lang block of a README section."""
    text = README.read_text(encoding="utf-8")
    body = text[text.index(section) :]
    m = re.search(rf"^```{lang}\n(.*?)^```$", body, re.S | re.M)
    assert m, f"no ```{lang} block in {section}"
    return m.group(1)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def latex_matrix(page: str, name: str) -> np.ndarray:
    """The first matrix typeset as ``name = \\begin{bmatrix} ... \\end{bmatrix}`` on a generated page."""
    m = re.search(r"(?<![A-Za-z\\{])" + re.escape(name) + r" = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", page)
    assert m, f"no {name} matrix on the page"
    rows = [r.split("&") for r in m.group(1).split(r"\\")]
    return np.array([[float(c.strip().replace("{,}", "")) for c in row] for row in rows])


# ----------------------------------------------------------------------------- README's example


@pytest.fixture(scope="module")
def author_site(tmp_path_factory) -> Path:
    """README's example deck, built with README's commands (all but the blocking serve line)."""
    if not (ROOT / "docs/vendor/katex/katex.min.js").exists():
        pytest.fail("KaTeX is not in docs/vendor: run `make site`")
    home = tmp_path_factory.mktemp("author")
    m = home / "my-cards"
    (m / "decks").mkdir(parents=True)
    (m / "decks/mine.yaml").write_text(readme_block("yaml"), encoding="utf-8")
    block = readme_block("sh", "### Build it and look at it")
    script = [line for line in block.splitlines() if "generator.serve" not in line and not line.startswith("M=")]
    assert any("-m generator --decks" in line for line in script) and any("mkdocs build --strict" in line for line in script)
    py = ".venv/bin/python" if (ROOT / ".venv/bin/python").exists() else sys.executable
    bash = "set -euo pipefail\n" + "\n".join(script).replace(".venv/bin/python", py)
    env = dict(os.environ, M=str(m), NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(["bash", "-c", bash], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return m


def test_readme_example_is_the_done_when_card():
    spec = yaml.safe_load(readme_block("yaml"))
    ex = spec["cards"][0]["examples"]["main"]
    assert np.array(ex["input"]).shape == (5, 7) and np.array(ex["kernel"]).shape == (2, 3)
    assert ex["stride"] == [2, 1]
    top, bottom, left, right = ex["padding"]
    assert (top, left) != (bottom, right), "asymmetric padding"


def test_author_card_numbers_equal_scipy(author_site):
    """Every output on the author's page equals SciPy's correlate2d of the padded input, subsampled by stride."""
    ex = yaml.safe_load(readme_block("yaml"))["cards"][0]["examples"]["main"]
    x, k = np.array(ex["input"]), np.array(ex["kernel"])
    (sr, sc), (top, bottom, left, right) = ex["stride"], ex["padding"]
    oracle = correlate2d(np.pad(x, ((top, bottom), (left, right))), k, mode="valid")[::sr, ::sc]
    page = (author_site / "docs/cards/mine/strided-asymmetric.md").read_text(encoding="utf-8")
    np.testing.assert_array_equal(latex_matrix(page, "x"), x)
    np.testing.assert_array_equal(latex_matrix(page, "w"), k)  # the kernel is w on the page (k is its size)
    np.testing.assert_array_equal(latex_matrix(page, "y"), oracle)
    assert oracle.shape == (3, 8)


def test_author_card_has_page_figure_data_and_practice(author_site):
    docs, site = author_site / "docs", author_site / "site"
    page = (docs / "cards/mine/strided-asymmetric.md").read_text(encoding="utf-8")
    assert "## Practice" in page and page.count('??? tip "Show the answer"') == 3
    figures = list((docs / "cards/mine/figures").glob("strided-asymmetric-*.svg"))
    assert figures and all(f.read_bytes().lstrip().startswith(b"<") for f in figures)
    data = yaml.safe_load((docs / "data/cards.json").read_text(encoding="utf-8"))  # JSON is YAML
    card = next(c for c in data["cards"] if c["id"] == "strided-asymmetric")
    assert len(card["practice"]) == 3 * (1 + 3), "3 kinds × (variant 0 + 3 variants)"
    html = (site / "cards/mine/strided-asymmetric/index.html").read_text(encoding="utf-8")
    assert "Stride (2, 1) and asymmetric padding" in html and "strided-asymmetric-main-sliding-window.svg" in html
    assert (docs / "index.md").read_text() == "# My cards\n", "the hand-written home page is untouched"


def test_author_decks_combine_with_the_built_in_ones(tmp_path):
    """README: `--decks generator/decks --decks my-decks` loads both; builds_on may name a built-in card."""
    from generator import render, spec

    text = readme_block("yaml").replace("    views:", "    builds_on: [unrolled-matrix]\n    views:", 1)
    (tmp_path / "mine.yaml").write_text(text)
    env = render.environment()
    decks = spec.load_decks([ROOT / "generator/decks", tmp_path / "mine.yaml"], render.card_templates(env))
    ids = {d.id: d for d in decks}
    assert "mine" in ids and "matrix" in ids
    all_cards = {c.id: c for d in decks for c in d.cards}
    page = render.render_card(env, ids["mine"], all_cards["strided-asymmetric"], all_cards).markdown
    assert "](../matrix/unrolled-matrix.md)" in page
    with pytest.raises(spec.SpecError, match="builds_on"):  # alone, the link to a built-in card does not resolve
        spec.load_decks([tmp_path / "mine.yaml"], render.card_templates(env))


# ----------------------------------------------------------------------------- the files the generator owns


def _two_card_deck() -> str:
    text = readme_block("yaml")
    card = text[text.index("  - id: strided-asymmetric") :]
    return text + card.replace("id: strided-asymmetric", "id: second-card").replace("title: Stride (2, 1)", "title: Second, stride (2, 1)")


def test_a_removed_card_takes_its_files_and_leaves_hand_written_ones(tmp_path):
    decks, docs = tmp_path / "decks", tmp_path / "docs"
    decks.mkdir()
    (decks / "mine.yaml").write_text(_two_card_deck())
    mine = {"index.md": "# my home\n", "cards/mine/notes.md": "# my notes, next to generated pages\n", "extra/x.svg": "<svg/>"}
    for rel, text in mine.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text)
    assert run_generator("--decks", str(decks), "--docs", str(docs), "--quiet").returncode == 0
    second = sorted(p for p in tree(docs) if "second-card" in p)
    assert "cards/mine/second-card.md" in second and any(p.endswith(".svg") for p in second)
    assert "second-card" in (docs / "data/cards.json").read_text()

    (decks / "mine.yaml").write_text(readme_block("yaml"))  # the second card removed
    proc = run_generator("--decks", str(decks), "--docs", str(docs))
    assert proc.returncode == 0, proc.stderr
    after = tree(docs)
    assert [p for p in after if "second-card" in p] == [], "the removed card's page and figures are gone"
    assert "second-card" not in (docs / "data/cards.json").read_text() and "second-card" not in (docs / ".nav.yml").read_text()
    assert "cards/mine/strided-asymmetric.md" in after
    for rel, text in mine.items():
        assert (docs / rel).read_text() == text, f"hand-written {rel} changed"

    (decks / "mine.yaml").unlink()  # the whole deck removed: its folder goes, hand-written notes stay
    (decks / "other.yaml").write_text(readme_block("yaml").replace("deck: mine", "deck: other"))
    assert run_generator("--decks", str(decks), "--docs", str(docs), "--quiet").returncode == 0
    assert sorted(p.name for p in (docs / "cards/mine").rglob("*")) == ["notes.md"]
    assert (docs / "cards/other/strided-asymmetric.md").is_file()


def test_a_write_that_fails_midway_changes_nothing(tmp_path, monkeypatch):
    """Every file is staged before any is moved into place: a failure while staging leaves docs/ as it was."""
    from generator import cli, writer

    decks, docs = tmp_path / "decks", tmp_path / "docs"
    decks.mkdir()
    (decks / "mine.yaml").write_text(readme_block("yaml"))
    assert cli.main(["--decks", str(decks), "--docs", str(docs), "--quiet"]) == 0
    before = tree(docs)
    (decks / "mine.yaml").write_text(_two_card_deck())  # many files to write
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(writer.os, "fsync", failing_fsync)
    with pytest.raises(writer.WriteError, match="No space left"):
        writer.apply(docs, writer.plan(docs, _outputs(decks, docs)))
    assert calls["n"] == 3
    assert tree(docs) == before
    assert not [p for p in [*tmp_path.iterdir(), *docs.iterdir()] if p.name.startswith(".convcards-")], "the staging folder is removed"


def _outputs(decks: Path, docs: Path) -> dict[str, bytes]:
    from generator import render, spec

    env = render.environment()
    return render.render_site(spec.load_decks([decks], render.card_templates(env)), env, docs)


# ----------------------------------------------------------------------------- live preview


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def _wait(what: str, check, timeout: float = 150.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen, log) -> None:
    """Stop a preview started in its own session (SIGTERM; SIGKILL to the group if it hangs)."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def test_serve_regenerates_and_reloads_on_a_spec_change(tmp_path):
    if not (ROOT / "docs/vendor/katex/katex.min.js").exists():
        pytest.fail("KaTeX is not in docs/vendor: run `make site`")
    m = tmp_path / "site"
    (m / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", m)
    for d in ("javascripts", "stylesheets", "vendor", ".overrides"):
        shutil.copytree(ROOT / "docs" / d, m / "docs" / d)
    (m / "docs/index.md").write_text("# Preview\n")
    (m / "decks").mkdir()
    deck = m / "decks/mine.yaml"
    deck.write_text(readme_block("yaml"))
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.serve", "--decks", str(m / "decks"), "--docs", str(m / "docs"),
         "--config", str(m / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}", "--interval", "0.3"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/cards/mine/strided-asymmetric/"
    try:
        first = _wait("the served page", lambda: _get(url))
        assert "livereload" in first, "mkdocs serve injects its reload script"
        assert "8642" not in first
        text = deck.read_text()
        assert "- [ 1,  2,  0, -1,  3,  1,  0]" in text
        deck.write_text(text.replace("- [ 1,  2,  0, -1,  3,  1,  0]", "- [ 8642,  2,  0, -1,  3,  1,  0]", 1))
        _wait("the page with the changed number", lambda: "8642" in (_get(url) or ""))

        # A bad spec: the error is printed, the preview keeps serving the last good page.
        deck.write_text(deck.read_text().replace("stride: [2, 1]", "stride: [2, 0]"))
        _wait("the error line", lambda: "field 'examples.main.stride'" in (tmp_path / "serve.log").read_text())
        assert "8642" in (_get(url) or "") and proc.poll() is None

        # No loop: once settled, nothing in docs/ is rewritten.
        deck.write_text(text)
        _wait("the original page again", lambda: "8642" not in (_get(url) or "8642"))
        time.sleep(2)
        stamps = {p: p.stat().st_mtime_ns for p in (m / "docs").rglob("*") if p.is_file() and "vendor" not in p.parts}
        time.sleep(3)
        assert stamps == {p: p.stat().st_mtime_ns for p in (m / "docs").rglob("*") if p.is_file() and "vendor" not in p.parts}
    finally:
        _stop(proc, log)
    assert _get(url) is None, "stopping serve stops mkdocs too"
