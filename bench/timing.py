"""What every section of ``make bench`` shares: where the project is, and one way to time a command
(wall clock, CPU seconds of it and its children, peak memory of the largest of them)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
KB, MB = 1024, 1024 * 1024


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def run(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command to completion: wall seconds, CPU seconds (it and its children) and peak RSS (MB)
    of the largest of its processes, from wait4. Its output goes to a scratch file, shown if it fails
    (loudly: the benchmark stops)."""
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            text = log.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"bench: `{' '.join(cmd)}` failed ({proc.returncode}) in {cwd}:\n{text}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / KB}


def timed(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float]:
    """:func:`run`, as (wall seconds, CPU seconds)."""
    r = run(cmd, cwd, env)
    return r["wall_s"], r["cpu_s"]


def series(fn: Callable[[int], tuple[float, float]], runs: int) -> dict[str, Any]:
    walls, cpus = [], []
    for i in range(runs):
        w, c = fn(i)
        walls.append(w)
        cpus.append(c)
    return {"median_s": median(walls), "median_cpu_s": median(cpus), "wall_s": walls, "cpu_s": cpus}
