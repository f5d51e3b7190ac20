"""The generator end to end: deterministic output, --check, and the files it owns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, generated_docs, run_generator, warm_cache


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _generate(*args: str, cache: Path) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` with the cache ``cache``: for tests whose subject is not
    drawing, a copy of conftest's warm cache, so that no figure or GIF is drawn again."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "CONVCARDS_CACHE": str(cache)})


def test_two_runs_are_byte_identical(tmp_path):
    """A cold run (cache off: every figure drawn, every page rendered, PYTHONHASHSEED=0) gives the
    bytes of another process's run through the cache: conftest's shared generation of the
    built-in decks (generated_docs), whose figures and GIFs were drawn cold in other processes
    (``make site``'s and the warm cache's, with their own hash seeds) and are read back from the
    cache. So two independent drawings agree, and the cache gives a cold run's bytes. This is
    the suite's one full cold generation (test_cache.py's cold runs draw only a few cards)."""
    a = tmp_path / "a"
    env = {**os.environ, "CONVCARDS_CACHE": "off", "PYTHONHASHSEED": "0"}
    proc = subprocess.run([sys.executable, "-m", "generator", "--docs", str(a), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    ta, tb = _tree(a), _tree(generated_docs())
    assert ta.keys() == tb.keys()
    assert any(k.endswith(".svg") for k in ta), "figures are generated"
    assert any(k.endswith(".gif") for k in ta), "the gallery's animations are generated"
    assert [k for k in ta if ta[k] != tb[k]] == [], "a run through the cache differs from a cold run"


def test_committed_docs_are_current():
    proc = run_generator("--check")
    assert proc.returncode == 0, proc.stderr


def test_check_names_a_stale_page(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("vendor"))
    page = next((docs / "cards").rglob("*.md"))
    page.write_text(page.read_text() + "\nhand edit\n")
    cache = warm_cache(tmp_path / "cache")
    proc = _generate("--docs", str(docs), "--check", cache=cache)
    assert proc.returncode == 1
    assert f"{page}: stale\n" in proc.stderr, proc.stderr  # (the tmp_path's own name holds "stale")
    page.unlink()
    proc = _generate("--docs", str(docs), "--check", cache=cache)
    assert proc.returncode == 1 and f"{page}: missing\n" in proc.stderr, proc.stderr


def test_noop_regeneration_writes_nothing(tmp_path):
    docs, cache = tmp_path / "docs", warm_cache(tmp_path / "cache")
    assert _generate("--docs", str(docs), "--quiet", cache=cache).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    proc = _generate("--docs", str(docs), cache=cache)
    assert proc.returncode == 0 and " 0 file(s) written" in proc.stdout
    assert before == {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}


def test_hand_written_pages_are_never_touched(tmp_path):
    docs = tmp_path / "docs"
    (docs / "cards" / "matrix").mkdir(parents=True)
    mine = docs / "cards" / "matrix" / "unrolled-matrix.md"
    mine.write_text("# mine\n")
    proc = _generate("--docs", str(docs), cache=warm_cache(tmp_path / "cache"))
    assert proc.returncode == 2
    assert "unrolled-matrix.md" in proc.stderr and "did not write" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert mine.read_text() == "# mine\n"
