"""The generator end to end: deterministic output, --check, and the files it owns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_generator, warm_cache


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_runs_are_byte_identical(tmp_path):
    """Two cold runs (cache off: every figure drawn, every page rendered) give the same bytes,
    and so does a run through the cache (a copy of conftest's warm cache: every figure and the
    site read from it, none drawn)."""
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    warm = warm_cache(tmp_path / "cache")
    for seed, (d, cache) in enumerate(((a, "off"), (b, "off"), (c, str(warm)))):
        env = {**os.environ, "CONVCARDS_CACHE": cache, "PYTHONHASHSEED": str(seed)}
        proc = subprocess.run(
            [sys.executable, "-m", "generator", "--docs", str(d), "--quiet"], cwd=ROOT, capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0, proc.stderr
    assert _tree(c) == _tree(a), "a run through the cache differs from a cold run"
    ta, tb = _tree(a), _tree(b)
    assert ta.keys() == tb.keys()
    assert any(k.endswith(".svg") for k in ta), "figures are generated"
    assert [k for k in ta if ta[k] != tb[k]] == []


def test_committed_docs_are_current():
    proc = run_generator("--check")
    assert proc.returncode == 0, proc.stderr


def test_check_names_a_stale_page(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("vendor"))
    page = next((docs / "cards").rglob("*.md"))
    page.write_text(page.read_text() + "\nhand edit\n")
    proc = run_generator("--docs", str(docs), "--check")
    assert proc.returncode == 1
    assert str(page) in proc.stderr and "stale" in proc.stderr
    page.unlink()
    proc = run_generator("--docs", str(docs), "--check")
    assert proc.returncode == 1 and "missing" in proc.stderr


def test_noop_regeneration_writes_nothing(tmp_path):
    docs = tmp_path / "docs"
    assert run_generator("--docs", str(docs), "--quiet").returncode == 0
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    proc = run_generator("--docs", str(docs))
    assert proc.returncode == 0 and " 0 file(s) written" in proc.stdout
    assert before == {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}


def test_hand_written_pages_are_never_touched(tmp_path):
    docs = tmp_path / "docs"
    (docs / "cards" / "matrix").mkdir(parents=True)
    mine = docs / "cards" / "matrix" / "unrolled-matrix.md"
    mine.write_text("# mine\n")
    proc = run_generator("--docs", str(docs))
    assert proc.returncode == 2
    assert "unrolled-matrix.md" in proc.stderr and "did not write" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert mine.read_text() == "# mine\n"
