#!/usr/bin/env python3
"""``make bench``: build time, page weight, math time and the numeric core, against budgets.

Prints a table (median of several runs, wall clock; CPU time beside it) with each budget
met or missed, and writes ``bench/report.json`` (every sample, the machine, its load).
Everything that writes goes into a scratch folder: the repository is only read, apart
from ``site/`` (built by ``make site`` before this runs) and the report.

    .venv/bin/python bench/run.py [--runs 5] [--skip browser,make,scale] [--scale 29,290,1000]

The scale section (bench/scale.py) builds synthetic courses of each ``--scale`` size the
author's way; ``--scale 29,60`` is a quick look, the full one takes many minutes.

Timed figures are medians of ``--runs`` runs (3 for the slowest: cold generation,
mkdocs build, make site). The machine is shared with whatever else runs on it: the
report records the load average before and after, and CPU seconds next to wall seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import explorer  # noqa: E402 - bench/explorer.py, beside this file: one module per section
import generation  # noqa: E402
import numeric  # noqa: E402
import paint  # noqa: E402
import scale  # noqa: E402
import weight  # noqa: E402
from report import machine, table  # noqa: E402
from timing import KB, ROOT  # noqa: E402

REPORT = ROOT / "bench" / "report.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    ap.add_argument("--slow-runs", type=int, default=3, help="runs of the slowest measurements (default 3)")
    ap.add_argument("--skip", default="", help="comma-separated: generation,site,make,weight,browser,core,scale,gallery,explorer")
    ap.add_argument("--scale", default=",".join(map(str, scale.SCALES)), help="card counts of the scale section (default 29,290,1000)")
    ap.add_argument("--no-serve", action="store_true", help="scale section: skip the live preview's edit at 290 cards")
    ap.add_argument("--scale-steps", default=",".join(scale.STEPS),
                    help="scale section, a quicker look: generate (cold, no-op, one card), build (mkdocs, post-build, weight), "
                         "serve (the preview's edit at 290 cards); default all")
    ap.add_argument("--site", type=Path, default=ROOT / "site", help="the built site to weigh and open (default site/)")
    ap.add_argument("--report", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    results: dict[str, Any] = {"machine": machine(), "load_before": os.getloadavg(), "runs": args.runs, "slow_runs": args.slow_runs}
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="convcards-bench-"))
    try:
        if "core" not in skip:
            print("bench: numeric core ...", file=sys.stderr, flush=True)
            results["core"] = numeric.bench_core(args.runs)
        if "generation" not in skip:
            print("bench: generation (cold, no-op, one card) ...", file=sys.stderr, flush=True)
            results["generation"] = generation.bench_generation(tmp, args.runs, args.slow_runs)
        if "site" not in skip:
            print("bench: mkdocs build, make site ...", file=sys.stderr, flush=True)
            results["site"], _ = generation.bench_site(tmp, args.slow_runs, "make" in skip)
        if "gallery" not in skip:  # bench/gallery_cost.py: what the gallery's GIFs and strips cost to draw
            print("bench: gallery GIFs and strips (cold, one process) ...", file=sys.stderr, flush=True)
            from gallery_cost import bench_gallery

            results["gallery"] = bench_gallery()
        site = args.site
        if not (site / "index.html").is_file():
            raise SystemExit(f"bench: no built site at {site}: run `make site` first")
        browser: dict[str, Any] = {}
        if "browser" not in skip:
            print("bench: Chromium ...", file=sys.stderr, flush=True)
            pages = weight.bench_weight(site, [])["pages"]
            browser = paint.bench_browser(site, pages, args.runs)
            results["browser"] = browser
        if "weight" not in skip:
            results["weight"] = weight.bench_weight(site, browser.get("fonts_used", []))
        if "explorer" not in skip:  # the explorer page (/explore/): bench/explorer.py
            print("bench: explorer ...", file=sys.stderr, flush=True)
            results["explorer"] = explorer.bench(site, max(args.runs, 11))
        if "scale" not in skip:
            sizes = sorted({int(n) for n in args.scale.split(",") if n.strip()})
            steps = tuple(s for s in args.scale_steps.split(",") if s in scale.STEPS)
            results["scale"] = scale.bench(tmp, sizes, serve_at=None if args.no_serve else 290, steps=steps)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["load_after"] = os.getloadavg()
    results["bench_seconds"] = time.perf_counter() - t0
    text = table(results)
    m = results["machine"]
    print(f"\nconvcards benchmark: {m.get('cores')} cores, {m.get('memory_gib')} GiB, Python {m.get('python')}, "
          f"{m.get('chromium', 'no chromium')}")
    lb, la = results["load_before"][0], results["load_after"][0]
    print(f"load average before {lb:.1f}, after {la:.1f}; medians of {args.runs} runs ({args.slow_runs} for the slow ones)\n")
    print(text + explorer.table(results.get("explorer")))
    results["verdicts"].update(explorer.verdicts(results.get("explorer")))
    if results.get("scale"):
        print("\n" + scale.table(results["scale"]))
        results["verdicts"].update({f"scale_{k}": v for k, (_, v) in scale.verdicts(results["scale"]).items()})
    g = results.get("generation", {})
    if g:
        print(f"\nno-op regeneration imports matplotlib: {'yes' if g.get('noop_imports_matplotlib') else 'no'}")
        print(f"one-card change rewrote: {', '.join(g['one_card'].get('files_rewritten_last_run', []))}")
    if results.get("gallery"):
        t = results["gallery"]["total"]
        print(f"gallery downloads, cold: {t['frames']} GIF frames in {t['gif_cpu_s']:.1f} s CPU ({t['gif_bytes'] / 1024:.0f} KB), "
              f"strips {t['svg_cpu_s']:.1f} s CPU ({t['svg_bytes'] / 1024:.0f} KB); python bench/gallery_cost.py for each case")
    w = results.get("weight", {})
    if w.get("pages_over_budget"):
        print("card pages over 100 KB: " + ", ".join(f"{p} ({w['pages'][p]['total_bytes'] / KB:.0f} KB)" for p in w["pages_over_budget"]))
    missed = [k for k, v in results["verdicts"].items() if v != "met"]
    print(f"\nbudgets: {len(results['verdicts']) - len(missed)} met, {len(missed)} missed" + (f" ({', '.join(missed)})" if missed else ""))
    print(f"report: {args.report} ({results['bench_seconds']:.0f} s)")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
