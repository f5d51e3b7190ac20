"""What the gallery's downloads cost to draw: every case's GIF and SVG strip, cold, in one process.

``python bench/gallery_cost.py`` prints a table; ``bench/run.py`` calls :func:`bench_gallery` and
adds its totals to the report (skip with ``--skip gallery``). CPU seconds are this process's
(one core); `python -m generator` draws them in its worker processes, so the wall time of a cold
generation grows by about the total divided by the workers. A warm run (the cache in
``.cache/convcards``) draws nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bench_gallery() -> dict[str, Any]:
    from generator import figures, gallery, galleryfig

    figures._matplotlib()  # the import is not the drawings' cost
    cases: dict[str, Any] = {}
    for case in gallery.CASES:
        row: dict[str, Any] = {"frames": len(gallery.step_data(case)["steps"]) + 1}
        for kind, fn in (("gif", galleryfig.gif), ("svg", galleryfig.strip)):
            c0, w0 = time.process_time(), time.perf_counter()
            data, _ = fn(case)
            row[f"{kind}_cpu_s"] = time.process_time() - c0
            row[f"{kind}_wall_s"] = time.perf_counter() - w0
            row[f"{kind}_bytes"] = len(data)
        cases[case.id] = row
    total = {k: sum(r[k] for r in cases.values()) for k in ("frames", "gif_cpu_s", "svg_cpu_s", "gif_bytes", "svg_bytes")}
    return {"cases": cases, "total": total}


def table(res: dict[str, Any]) -> str:
    lines = ["| case | frames | GIF KB | GIF CPU s | SVG KB | SVG CPU s |", "|---|---:|---:|---:|---:|---:|"]
    for cid, r in res["cases"].items():
        gif, svg = f"{r['gif_bytes'] / 1024:.0f} | {r['gif_cpu_s']:.2f}", f"{r['svg_bytes'] / 1024:.0f} | {r['svg_cpu_s']:.2f}"
        lines.append(f"| {cid} | {r['frames']} | {gif} | {svg} |")
    t = res["total"]
    lines.append(
        f"| **all {len(res['cases'])}** | {t['frames']} | {t['gif_bytes'] / 1024:.0f} | {t['gif_cpu_s']:.1f} "
        f"| {t['svg_bytes'] / 1024:.0f} | {t['svg_cpu_s']:.1f} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(bench_gallery()))
