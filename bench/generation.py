"""``make bench``: generation (cold, no-op, one card changed) and the site build (mkdocs, make site)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from timing import PY, ROOT, series, timed

EDIT_DECK, EDIT_CARD = "2-matrix.yaml", "unrolled-matrix"  # the one-card change: first input number of this card


def generator(docs: Path, cache: Path, decks: Path | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    cmd = [PY, "-m", "generator", "--docs", str(docs), "--quiet"] + (["--decks", str(decks)] if decks else [])
    return timed(cmd, cwd=cwd, env={"CONVCARDS_CACHE": str(cache)})


def edit_one_number(deck_file: Path, value: int) -> None:
    """Set the first number of the first ``input:`` of card EDIT_CARD to ``value`` (text edit, rest untouched)."""
    lines = deck_file.read_text(encoding="utf-8").split("\n")
    start = next(i for i, ln in enumerate(lines) if re.match(rf"\s*- id: {re.escape(EDIT_CARD)}\s*$", ln))
    i = next(i for i in range(start + 1, len(lines)) if re.match(r"\s*input:\s*\[", lines[i]))
    lines[i] = re.sub(r"-?\d+", str(value), lines[i], count=1)
    deck_file.write_text("\n".join(lines), encoding="utf-8")


def scratch_project(dest: Path) -> Path:
    """A copy of the working tree (no .git, venv or node_modules: those are linked) to build in."""
    skip = {".git", ".venv", "node_modules", "site", ".cache", "screenshots", ".pytest_cache", ".hypothesis", ".ruff_cache",
            "__pycache__", "report.json"}
    shutil.copytree(ROOT, dest, symlinks=True, ignore=lambda d, names: [n for n in names if n in skip or n.endswith(".egg-info")])
    for name in (".venv", "node_modules"):
        if (ROOT / name).exists():
            (dest / name).symlink_to(ROOT / name)
    return dest


def bench_generation(tmp: Path, runs: int, slow_runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["cold"] = series(lambda i: generator(tmp / f"cold-docs-{i}", tmp / f"cold-cache-{i}"), slow_runs)
    docs, cache = tmp / "cold-docs-0", tmp / "cold-cache-0"
    out["noop"] = series(lambda i: generator(docs, cache), runs)
    # the no-op run must not import matplotlib
    proc = subprocess.run([PY, "-X", "importtime", "-m", "generator", "--docs", str(docs), "--quiet"], cwd=ROOT,
                          env={**os.environ, "CONVCARDS_CACHE": str(cache)}, capture_output=True, text=True)
    out["noop_imports_matplotlib"] = bool(re.search(r"\|\s*matplotlib\s*$", proc.stderr, re.M))
    # one number of one card changed, in a copy of the decks, with the cache warm
    decks, edocs, ecache = tmp / "decks", tmp / "edit-docs", tmp / "edit-cache"
    shutil.copytree(ROOT / "generator" / "decks", decks)
    generator(edocs, ecache, decks)
    changed = []

    def one_card(i: int) -> tuple[float, float]:
        edit_one_number(decks / EDIT_DECK, 100 + i)
        w, c = generator(edocs, ecache, decks)
        since = time.time() - w - 0.5
        changed.append(sorted(p.name for p in edocs.rglob("*") if p.is_file() and p.stat().st_mtime > since))
        return w, c

    out["one_card"] = series(one_card, runs)
    out["one_card"]["files_rewritten_last_run"] = changed[-1] if changed else []
    return out


def bench_site(tmp: Path, slow_runs: int, skip_make: bool) -> tuple[dict[str, Any], Path]:
    proj = scratch_project(tmp / "proj")
    cache = tmp / "proj-cache"
    env = {"CONVCARDS_CACHE": str(cache)}
    timed([PY, "-m", "generator", "--quiet"], cwd=proj, env=env)
    out: dict[str, Any] = {}
    def mkdocs(i: int) -> tuple[float, float]:
        cmd = [PY, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp / f"mk-site-{i}")]
        return timed(cmd, cwd=proj, env={"NO_MKDOCS_2_WARNING": "1"})

    out["mkdocs_build"] = series(mkdocs, slow_runs)
    if not skip_make and shutil.which("make"):
        timed(["make", "site"], cwd=proj, env=env)  # warm: stamps, cache

        def make_after_edit(i: int) -> tuple[float, float]:
            edit_one_number(proj / "generator" / "decks" / EDIT_DECK, 200 + i)
            return timed(["make", "site"], cwd=proj, env=env)

        out["make_site_one_card"] = series(make_after_edit, slow_runs)
    return out, proj
