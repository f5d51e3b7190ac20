"""The explorer (/explore/) in ``make bench``: how soon an edit shows, and what the page weighs.

``bench(site, runs)`` opens the built explorer in Chromium on an N×N input and a K×K kernel and
types a new value into one cell, then one kernel cell (a kernel edit changes the matrix C too),
``runs`` times each. Each sample is the time from the input event (its ``timeStamp``) to the end
of the frame that shows the new result: a task posted from the next animation frame runs once
that frame's style, layout and paint are done. The viewport is made tall enough to hold
everything from the input's editor to the bottom of the matrix C, so that frame paints the
new output and the new C; what that frame shows (the output grid's values, the values C's
canvas last drew), captured at the frame, is checked afterwards against ``convcore.compute`` of
the page's state (itself tested equal to generator/core.py). The figure against the budget is
the slower of the two medians. Weight: the explorer's own script and style (convcore.js, explore.js,
explore.css), gzip-compressed, level 9.

    .venv/bin/python bench/explorer.py [--runs 15] [--site site] [--before OTHER_SITE]

``--before`` also measures another build of the site (say, of an earlier commit) in the same run,
edit by edit in turn with this one (one page each), and prints the ratios: timings on this shared
machine are only comparable within one run, and only when alternated.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import os
import shutil
import statistics
import sys
import threading
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OWN_FILES = ("javascripts/convcore.js", "javascripts/explore.js", "stylesheets/explore.css")
CASES = {"8x8_3x3": (8, 3, 16.0), "16x16_5x5": (16, 5, 50.0)}  # name: (input side, kernel side, budget ms)
WEIGHT_BUDGET_KB = 30.0

# The time from the input event to the end of the frame that shows its result, per edit.
ARM = """() => { window.ccEditShown = new Promise(resolve => {
  document.addEventListener('input', e => {
    const t0 = e.timeStamp;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now() - t0);
      ch.port2.postMessage(0);
    });
  }, {once: true});
}); }"""

# What the frame after the edit shows: the output grid's values and the values C's canvas last
# drew, captured in that frame's animation-frame callback; checked against convcore afterwards.
ARM_SHOWN = """() => { window.ccShown = new Promise(resolve => {
  document.addEventListener('input', () => requestAnimationFrame(() => resolve({
    output: document.querySelector('[data-section=output] .cc-ex-scroll > table').ccValues,
    C: window.convcardsExplorer.matrix('C').drawn,
  })), {once: true});
}); }"""
CHECK = """shown => {
  const res = window.convcore.compute(window.convcardsExplorer.example());
  return JSON.stringify(shown.output) === JSON.stringify(res.output) && JSON.stringify(shown.C) === JSON.stringify(res.unrolled_matrix);
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def fragment(n: int, k: int) -> str:
    x = ";".join(",".join(str((r * 7 + c * 3) % 9 - 4) for c in range(n)) for r in range(n))
    kern = ";".join(",".join(str((r + 2 * c) % 5 - 2) for c in range(k)) for r in range(k))
    return f"op=cross_correlation&x={x}&k={kern}&s=1,1&p=0,0,0,0&d=1,1&a=0,0"


def one_edit(page: Any, grid: str, i: int, check: bool = True) -> float:
    """Type one key into cell i*5 (mod the cells) of the editor ``grid``; the ms to the frame that shows it."""
    cells = page.locator(f"[data-grid={grid}] input")
    cell = cells.nth((i * 5) % cells.count())
    cell.click()
    cell.press("Control+a")
    page.evaluate(ARM)
    if check:
        page.evaluate(ARM_SHOWN)
    page.keyboard.type(str(i % 10))  # one key: one input event
    ms = float(page.evaluate("window.ccEditShown"))
    if check and not page.evaluate(f"({CHECK})(await window.ccShown)".join(["(async () => ", ")()"])):
        raise AssertionError(f"{grid}: the frame after edit {i} did not show the new output and C")
    return ms


def edit_times(page: Any, grid: str, runs: int, check: bool = True) -> list[float]:
    return [one_edit(page, grid, i, check) for i in range(runs)]


def show_all(page: Any) -> None:
    """Make the viewport tall enough to hold everything from the input's editor to the bottom of C."""
    top, bottom = page.evaluate(
        """() => [document.querySelector('[data-grid=x-edit]').getBoundingClientRect().top + scrollY,
                  document.querySelector('[data-section=C] .cc-ex-scroll').getBoundingClientRect().bottom + scrollY]"""
    )
    page.set_viewport_size({"width": 1280, "height": int(bottom - top) + 40})
    page.evaluate(f"window.scrollTo(0, {top - 20})")


def weight(site: Path) -> dict[str, Any]:
    sizes = {f: len(gzip.compress((site / f).read_bytes(), 9)) for f in OWN_FILES}
    return {"files_gzip_bytes": sizes, "total_gzip_bytes": sum(sizes.values()), "budget_kb": WEIGHT_BUDGET_KB}


def measure(sites: dict[str, Path], runs: int = 15, checked: tuple[str, ...] = ("after",)) -> dict[str, dict[str, Any]]:
    """Edit-to-frame medians for each case and each site (label: built site), and each site's weight.

    The sites are measured in one browser, one page each, edit by edit in turn (a, b, a, b, ...):
    on this shared machine the load changes within seconds, so only alternated samples compare.
    The frames of the sites labelled in ``checked`` are checked (the new output and C shown)."""
    out: dict[str, dict[str, Any]] = {lab: {"weight": weight(site), "load_before": os.getloadavg()[0]} for lab, site in sites.items()}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {lab: r | {"error": "playwright is not installed (pip install -e '.[dev]')"} for lab, r in out.items()}
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return {lab: r | {"error": "no chromium"} for lab, r in out.items()}
    servers = {}
    for lab, site in sites.items():
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers[lab] = httpd
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
            pages = {lab: browser.new_page(viewport={"width": 1280, "height": 900}) for lab in sites}
            for name, (n, k, budget) in CASES.items():
                times: dict[str, dict[str, list[float]]] = {lab: {"x-edit": [], "k-edit": []} for lab in sites}
                for lab, page in pages.items():
                    page.bring_to_front()
                    page.goto(f"http://127.0.0.1:{servers[lab].server_address[1]}/explore/#{fragment(n, k)}")
                    page.wait_for_selector("[data-section=C] canvas, [data-section=C] td")
                    show_all(page)
                    edit_times(page, "x-edit", 3, lab in checked)  # warm-up (JIT, fonts)
                for grid in ("x-edit", "k-edit"):
                    for i in range(runs):
                        for lab, page in pages.items():
                            page.bring_to_front()
                            times[lab][grid].append(one_edit(page, grid, i, lab in checked))
                for lab in sites:
                    x_ms, k_ms = times[lab]["x-edit"], times[lab]["k-edit"]
                    worst = max(statistics.median(x_ms), statistics.median(k_ms))
                    out[lab][name] = {
                        "input_edit_ms": x_ms,
                        "kernel_edit_ms": k_ms,
                        "median_input_edit_ms": statistics.median(x_ms),
                        "median_kernel_edit_ms": statistics.median(k_ms),
                        "budget_ms": budget,
                        "verdict": "met" if worst <= budget else "MISSED",
                    }
            browser.close()
    finally:
        for httpd in servers.values():
            httpd.shutdown()
            httpd.server_close()
    for r in out.values():
        r["load_after"] = os.getloadavg()[0]
        w = r["weight"]
        w["verdict"] = "met" if w["total_gzip_bytes"] / 1024 <= WEIGHT_BUDGET_KB else "MISSED"
    return out


def bench(site: Path, runs: int = 15, check: bool = True) -> dict[str, Any]:
    """Edit-to-frame medians for each case, and the page's own weight, with verdicts."""
    return measure({"after": site}, runs, ("after",) if check else ())["after"]


def table(res: dict[str, Any] | None) -> str:
    """The explorer's lines of the bench report (Markdown table)."""
    if not res:
        return ""
    lines = ["", "| explorer (/explore/) | median | budget | verdict |", "|---|---:|---:|---|"]
    for name in CASES:
        r = res.get(name)
        if r:
            lines.append(f"| {name}: input edit to frame | {r['median_input_edit_ms']:.1f} ms | | |")
            k_ms, budget = r["median_kernel_edit_ms"], r["budget_ms"]
            lines.append(f"| {name}: kernel edit (C changes) to frame | {k_ms:.1f} ms | <= {budget:g} ms | {r['verdict']} |")
    w = res["weight"]
    lines.append(
        f"| own script + style, gzip | {w['total_gzip_bytes'] / 1024:.1f} KB | <= {w['budget_kb']:g} KB | {w.get('verdict', '')} |"
    )
    if "load_before" in res:
        lines.append(f"| load average before, after | {res['load_before']:.1f}, {res.get('load_after', 0):.1f} | | |")
    if "error" in res:
        lines.append(f"| browser measures skipped | {res['error']} | | |")
    return "\n".join(lines)


def verdicts(res: dict[str, Any] | None) -> dict[str, str]:
    """``{name: verdict}`` of the explorer's budgets (for the main bench's count)."""
    if not res:
        return {}
    out = {f"explorer_{n}_ms": res[n]["verdict"] for n in CASES if n in res}
    if "verdict" in res["weight"]:
        out["explorer_weight_kb"] = res["weight"]["verdict"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--site", type=Path, default=ROOT / "site")
    ap.add_argument(
        "--before", type=Path, help="another build of the site, measured in the same run, edits alternated (its frames unchecked)"
    )
    args = ap.parse_args(argv)
    if args.before:  # both in one run, edit by edit in turn
        both = measure({"before": args.before, "after": args.site}, args.runs, ("after",))
        before, res = both["before"], both["after"]
    else:
        before, res = None, bench(args.site, args.runs)
    if before:
        print(f"before ({args.before}):" + table(before) + "\n\nafter (" + str(args.site) + "):")
    print(table(res))
    if before:
        print("\n| median, after / before | input edit | kernel edit |\n|---|---:|---:|")
        for name in CASES:
            if name in before and name in res:
                r = [res[name][m] / before[name][m] for m in ("median_input_edit_ms", "median_kernel_edit_ms")]
                print(f"| {name} | {r[0]:.2f} | {r[1]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
