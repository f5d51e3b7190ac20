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
import gzip
import http.server
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import explorer  # noqa: E402 - bench/explorer.py, beside this file
import scale  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "report.json"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
EDIT_DECK, EDIT_CARD = "2-matrix.yaml", "unrolled-matrix"  # the one-card change: first input number of this card
KB = 1024

BUDGETS = {  # name: (limit, unit, what)
    "cold_generation_s": (3.0, "s", "cold generation, whole deck (no cache)"),
    "noop_regeneration_s": (0.5, "s", "no-op regeneration"),
    "one_card_regeneration_s": (1.0, "s", "one-card change, regeneration"),
    "mkdocs_build_s": (5.0, "s", "mkdocs build"),
    "max_card_page_kb": (100.0, "KB", "heaviest card page: HTML + its figures"),
    "math_assets_kb": (400.0, "KB", "shared math assets: KaTeX js + css + fonts used"),
    "last_formula_ms": (150.0, "ms", "math of the first screen typeset and painted, heaviest page"),
    "math_paint_ratio": (1.2, "x", "... that time / the first paint of the theme alone (404.html), same run, median of pairs"),
    "coo_256_ms": (50.0, "ms", "C for 256x256 input, 3x3 kernel, sparse"),
    "coo_256_speedup": (20.0, "x", "... speed-up over the naive loop (at least)"),
}


# ----------------------------------------------------------------------------- helpers


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; return (wall seconds, CPU seconds of it and its children). Fails loudly."""
    full_env = {**os.environ, **(env or {})}
    c0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(f"bench: `{' '.join(cmd)}` failed ({proc.returncode}) in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return wall, cpu


def series(fn: Callable[[int], tuple[float, float]], runs: int) -> dict[str, Any]:
    walls, cpus = [], []
    for i in range(runs):
        w, c = fn(i)
        walls.append(w)
        cpus.append(c)
    return {"median_s": median(walls), "median_cpu_s": median(cpus), "wall_s": walls, "cpu_s": cpus}


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


# ----------------------------------------------------------------------------- measurements


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


def _img_sources(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", html)


def _assets(html: str) -> list[str]:
    return re.findall(r"<link\b[^>]*rel=\"stylesheet\"[^>]*href=\"([^\"]+)\"", html) + re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)


def bench_weight(site: Path, fonts_used: list[str]) -> dict[str, Any]:
    pages = {}
    for html_file in sorted((site / "cards").glob("*/*/index.html")):
        if html_file.parent.name == "print":  # a deck's print sheets, not a card page
            continue
        html = html_file.read_text(encoding="utf-8")
        figs = set()
        for src in _img_sources(html):
            if src.startswith(("http:", "https:", "data:")):
                continue
            f = (html_file.parent / src.split("#")[0].split("?")[0]).resolve()
            if f.is_file() and "assets" not in f.relative_to(site.resolve()).parts:
                figs.add(f)
        rel = str(html_file.parent.relative_to(site))
        pages[rel] = {
            "html_bytes": html_file.stat().st_size,
            "figure_bytes": sum(f.stat().st_size for f in figs),
            "figures": len(figs),
            "formulas": html.count('class="arithmatex"'),
        }
        pages[rel]["total_bytes"] = pages[rel]["html_bytes"] + pages[rel]["figure_bytes"]
        # what a server that compresses (gzip -6, as GitHub Pages and most do) sends: for information only,
        # the budget is on the bytes above
        pages[rel]["total_gzip_bytes"] = len(gzip.compress(html_file.read_bytes(), 6, mtime=0)) + sum(
            len(gzip.compress(f.read_bytes(), 6, mtime=0)) for f in figs)
    sample = next(iter(sorted((site / "cards").glob("*/*/index.html"))), None)
    shared: dict[str, int] = {}
    if sample is not None:
        for src in _assets(sample.read_text(encoding="utf-8")):
            f = (sample.parent / src.split("?")[0]).resolve()
            if f.is_file():
                shared[str(f.relative_to(site.resolve()))] = f.stat().st_size
    # KaTeX's script is loaded by katex-init.js on every card page (it typesets the answers): counted
    # with the math assets although no <script> tag names it
    for extra in ("vendor/katex/katex.min.js", "vendor/katex/katex.min.css"):
        if (site / extra).is_file():
            shared.setdefault(extra, (site / extra).stat().st_size)
    katex = {k: v for k, v in shared.items() if "vendor/katex" in k}
    fonts = {f: (site / f).stat().st_size for f in fonts_used if (site / f).is_file()}
    font_dir = site / "vendor" / "katex" / "fonts"
    all_fonts = sum(p.stat().st_size for p in font_dir.glob("*") if p.is_file()) if font_dir.is_dir() else 0
    heaviest = max(pages, key=lambda p: pages[p]["total_bytes"]) if pages else None
    return {
        "pages": pages,
        "heaviest_page": heaviest,
        "max_card_page_kb": pages[heaviest]["total_bytes"] / KB if heaviest else float("nan"),
        "median_card_page_kb": median([p["total_bytes"] / KB for p in pages.values()]),
        "max_card_page_gzip_kb": max((p["total_gzip_bytes"] for p in pages.values()), default=float("nan")) / KB,
        "median_card_page_gzip_kb": median([p["total_gzip_bytes"] / KB for p in pages.values()]),
        "pages_over_budget": sorted(p for p in pages if pages[p]["total_bytes"] / KB > BUDGETS["max_card_page_kb"][0]),
        "shared_assets": shared,
        "shared_assets_kb": sum(shared.values()) / KB,
        "theme_kb": sum(v for k, v in shared.items() if k.startswith("assets/")) / KB,
        "katex_js_css_kb": sum(katex.values()) / KB,
        "katex_fonts_used": fonts,
        "katex_fonts_used_kb": sum(fonts.values()) / KB,
        "katex_fonts_all_kb": all_fonts / KB,
        "math_assets_kb": (sum(katex.values()) + sum(fonts.values())) / KB,
        "site_kb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / KB,
        "site_files": sum(1 for p in site.rglob("*") if p.is_file()),
    }


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


# When the math is on screen. The page loads under a Chrome trace; an init script's MutationObserver
# notes when each .arithmatex element is in the DOM typeset: inserted by the HTML parser already
# typeset (the build typesets what a reader sees on arrival, generator/postbuild.mjs, data-katex=
# "done") or marked done by katex-init.js (the answers behind reveals, typeset in idle time). Each
# such moment also drops a performance mark into the trace, which ties the page's clock to the
# trace's. A formula is *ready* once typeset and once every KaTeX font its glyphs use has loaded
# (KaTeX's fonts are font-display: block: invisible until then), and *painted* at the end of the
# first Paint of the page's renderer after it is ready: what the browser really drew, not a timer
# that other tasks can hold up.
#   first_screen_ms   every formula in the first screen (1280x720, at the top) typeset and painted
#                     -- what a learner sees on arrival: the budget
#   shown_ms          every formula outside a closed reveal (below the fold too) painted
#   all_ms            every formula, the answers behind reveals included (idle work), ready
#   reveal_ms         a click on the answer's reveal, settled page: click to its math painted
#   early_reveal_ms   the same click at DOMContentLoaded, before KaTeX is loaded (worst case)
_OBSERVE = """
(() => {
  const m = window.__ccMath = {times: new WeakMap(), count: 0, click: null};
  const done = (el) => el.nodeType === 1 && el.classList.contains("arithmatex") && el.getAttribute("data-katex") === "done"
    && el.querySelector(".katex");
  const hit = (el) => {
    if (m.times.has(el) || !done(el)) return;
    m.times.set(el, performance.now()); m.count++;
    performance.mark("cc-typeset");
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") { hit(r.target); continue; }
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        hit(n);
        if (n.firstElementChild) for (const el of n.querySelectorAll(".arithmatex[data-katex=done]")) hit(el);
        // a typeset element can be inserted before its children are parsed: look again at its parent
        const p = n.parentElement && n.parentElement.closest(".arithmatex");
        if (p) hit(p);
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-katex"]});
  addEventListener("click", () => { if (m.click === null) { m.click = performance.now(); performance.mark("cc-click"); } }, true);
})();
"""

# After the load: when the formulas of each group were typeset (page clock, ms), and a mark to
# tie that clock to the trace's.
_TIMES = """(sel) => {
  const m = window.__ccMath, all = [...document.querySelectorAll('.arithmatex')];
  // ready: typeset, and the KaTeX font file of every face its glyphs are drawn in downloaded (KaTeX's
  // fonts are font-display: block, the glyphs invisible until then; the font events come later,
  // queued behind the page's scripts, so the download's end is the measure)
  const got = {};
  for (const r of performance.getEntriesByType('resource')) {
    const f = r.name.split('/').pop().split('?')[0];
    if (f.endsWith('.woff2')) got[f] = Math.min(got[f] ?? Infinity, r.responseEnd);
  }
  const face = (x) => {
    const cs = getComputedStyle(x), fam = cs.fontFamily.split(',')[0].trim().replace(/["']/g, '');
    const style = (parseInt(cs.fontWeight, 10) >= 600 ? 'Bold' : '') + (cs.fontStyle === 'italic' ? 'Italic' : '');
    return fam.startsWith('KaTeX_') ? `${fam}-${style || 'Regular'}.woff2` : null;
  };
  const ready = (e) => {
    let t = m.times.has(e) ? m.times.get(e) : Infinity;
    for (const x of e.querySelectorAll('.katex-html *')) {
      if (![...x.childNodes].some((n) => n.nodeType === 3 && n.data.trim())) continue;
      const f = face(x);
      if (f) t = Math.max(t, got[f] ?? Infinity);
    }
    return t;
  };
  const t = (els) => els.length ? Math.max(...els.map(ready)) : null;
  const shown = all.filter((e) => !e.closest('details:not([open])'));
  const screen = shown.filter((e) => { const r = e.getBoundingClientRect();
    return e.checkVisibility() && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; });
  const reveal = sel ? [...document.querySelector(sel).querySelectorAll('.arithmatex')] : [];
  const nav = performance.getEntriesByType('navigation')[0];
  return {total: all.length, typeset: m.count, shown: shown.length, screen: screen.length,
          t_screen: t(screen), t_shown: t(shown), t_all: t(all), t_reveal: t(reveal), click: m.click,
          mark0: (performance.getEntriesByName('cc-typeset')[0] || {}).startTime,
          fcp: (performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint') || {}).startTime || null,
          dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
}"""

_FCP = "() => (performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint') || {}).startTime || null"

# the answer's reveal of a card page: the first <details> holding math
_REVEAL = "article details:has(.arithmatex)"


def _paint_ends(trace_file: Path, mark0: float) -> tuple[list[float], float]:
    """Ends of the renderer's Paint events on the page clock (ms), from a Chrome trace."""
    events = json.loads(trace_file.read_text(encoding="utf-8"))["traceEvents"]
    marks = sorted((e for e in events if e.get("name") == "cc-typeset"), key=lambda e: e["ts"])
    if not marks:
        raise SystemExit("bench: no typeset formula was seen in the trace")
    pid = marks[0]["pid"]
    offset = marks[0]["ts"] - mark0 * 1000  # trace microseconds at page time 0
    ends = sorted((e["ts"] + e.get("dur", 0) - offset) / 1000 for e in events if e.get("name") == "Paint" and e.get("pid") == pid)
    return ends, offset


def _painted(ends: list[float], t: float | None) -> float | None:
    if t is None or t == float("inf"):
        return None
    return next((e for e in ends if e >= t), None)


def bench_browser(site: Path, pages: dict[str, Any], runs: int) -> dict[str, Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"error": "playwright is not installed (pip install -e '.[dev]')"}
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return {"error": "no chromium"}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    heaviest = max(pages, key=lambda p: (pages[p]["formulas"], pages[p]["total_bytes"]))
    out: dict[str, Any] = {"page": heaviest, "formulas": pages[heaviest]["formulas"], "viewport": "1280x720"}
    fonts: set[str] = set()
    keys = ("first_screen", "shown", "all", "reveal", "early_reveal", "fcp", "dcl", "load", "floor_fcp")
    samples: dict[str, list[float | None]] = {k: [] for k in keys}
    counts: dict[str, int] = {}
    trace = Path(tempfile.mkdtemp(prefix="convcards-trace-")) / "trace.json"
    categories = ["devtools.timeline", "blink.user_timing"]
    all_done = "() => !document.querySelector('.arithmatex:not([data-katex=done])')"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
            # fonts the pages actually load, every answer open: every card page, the home page
            ctx = browser.new_context()
            page = ctx.new_page()

            def font(r: Any) -> None:
                if r.url.endswith(".woff2") and r.url.startswith(base):
                    fonts.add(r.url[len(base) + 1 :])

            page.on("request", font)
            for rel in [""] + sorted(pages):
                page.goto(f"{base}/{rel}/" if rel else f"{base}/", wait_until="load")
                page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
                page.wait_for_function(all_done, timeout=20000)
                page.evaluate("() => document.fonts.ready.then(() => true)")
            ctx.close()
            for _ in range(runs):
                # a first visit (cold cache): arrival, idle typesetting, then the answer revealed
                ctx = browser.new_context(viewport={"width": 1280, "height": 720})
                page = ctx.new_page()
                page.add_init_script(_OBSERVE)
                browser.start_tracing(page=page, path=str(trace), categories=categories)
                page.goto(f"{base}/{heaviest}/", wait_until="load")
                page.wait_for_function(all_done, timeout=20000)
                page.wait_for_timeout(100)
                r = page.evaluate(_TIMES, None)  # the groups as on arrival: every reveal still closed
                page.click(f"{_REVEAL} > summary")
                page.wait_for_timeout(300)
                r.update({k: v for k, v in page.evaluate(_TIMES, _REVEAL).items() if k in ("click", "t_reveal")})
                browser.stop_tracing()
                ctx.close()
                if r["typeset"] != r["total"]:
                    raise SystemExit(f"bench: saw {r['typeset']} of the {r['total']} formulas typeset on {heaviest}")
                ends, _ = _paint_ends(trace, r["mark0"])
                samples["first_screen"].append(_painted(ends, r["t_screen"]))
                samples["shown"].append(_painted(ends, r["t_shown"]))
                samples["all"].append(r["t_all"])
                reveal_paint = _painted(ends, max(r["click"], r["t_reveal"]))
                samples["reveal"].append(None if reveal_paint is None else reveal_paint - r["click"])
                for k in ("fcp", "dcl", "load"):
                    samples[k].append(r[k])
                counts = {k: r[k] for k in ("total", "shown", "screen")}
                # the reveal clicked as soon as the page is parsed, before KaTeX is loaded
                ctx = browser.new_context(viewport={"width": 1280, "height": 720})
                page = ctx.new_page()
                page.add_init_script(_OBSERVE)
                browser.start_tracing(page=page, path=str(trace), categories=categories)
                page.goto(f"{base}/{heaviest}/", wait_until="domcontentloaded")
                page.click(f"{_REVEAL} > summary")
                page.wait_for_function(f"() => !document.querySelector('{_REVEAL} .arithmatex:not([data-katex=done])')", timeout=20000)
                page.wait_for_timeout(300)
                r = page.evaluate(_TIMES, f"{_REVEAL}")
                browser.stop_tracing()
                ctx.close()
                ends, _ = _paint_ends(trace, r["mark0"])
                early = _painted(ends, max(r["click"], r["t_reveal"]))
                samples["early_reveal"].append(None if early is None else early - r["click"])
                # the floor: the theme alone, a page of the site with no math (404.html), first paint
                ctx = browser.new_context(viewport={"width": 1280, "height": 720})
                page = ctx.new_page()
                page.goto(f"{base}/404.html", wait_until="load")
                samples["floor_fcp"].append(page.evaluate(_FCP))
                ctx.close()
            browser.close()
    finally:
        httpd.shutdown()
        shutil.rmtree(trace.parent, ignore_errors=True)

    def med(k: str) -> float:
        return median([v for v in samples[k] if v is not None])

    # the heaviest page and 404.html are loaded in turn (one of each per run): the ratio of each
    # pair, so that the machine's load, which moves both, cancels out as far as it can
    ratios = [a / b for a, b in zip(samples["first_screen"], samples["floor_fcp"], strict=True) if a and b]

    out.update({
        "formulas_shown": counts.get("shown"), "formulas_first_screen": counts.get("screen"),
        "first_screen_ms": med("first_screen"), "shown_ms": med("shown"), "all_typeset_ms": med("all"),
        "reveal_ms": med("reveal"), "early_reveal_ms": med("early_reveal"),
        "first_paint_ms": med("fcp"), "dom_content_loaded_ms": med("dcl"), "load_event_ms": med("load"),
        "no_math_page_first_paint_ms": med("floor_fcp"),
        "samples_ms": samples, "fonts_used": sorted(fonts),
        "math_paint_ratio": median(ratios), "math_paint_ratios": ratios,
    })
    out["last_formula_ms"] = out["first_screen_ms"]
    return out


def bench_core(runs: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from generator import core

    k = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])

    def naive(n: int, stride: int = 1, pad: int = 0, dil: int = 1) -> tuple[list[int], list[int], list[int]]:
        """The triplets of C one by one: a Python loop over output positions and kernel taps,
        as general as core.unrolled_coo (stride, padding, dilation, taps on padding skipped);
        the sparse form of tests/test_core.py's brute_unrolled_matrix (its dense C would not fit)."""
        kl = k.tolist()
        kh, kw = len(kl), len(kl[0])
        o = (n + 2 * pad - dil * (kh - 1) - 1) // stride + 1
        rows, cols, vals = [], [], []
        for r in range(o):
            for c in range(o):
                for a in range(kh):
                    for b in range(kw):
                        rr, cc = r * stride + a * dil - pad, c * stride + b * dil - pad
                        if 0 <= rr < n and 0 <= cc < n:
                            rows.append(r * o + c)
                            cols.append(rr * n + cc)
                            vals.append(kl[a][b])
        return rows, cols, vals

    out = {}
    for n in (64, 256):
        fast, slow = [], []
        res = core.unrolled_coo((n, n), k)  # warm-up (first-touch of the memory)
        for _ in range(runs):  # interleaved, so that both see the same load
            for _ in range(3):
                t = time.perf_counter()
                res = core.unrolled_coo((n, n), k)
                fast.append(time.perf_counter() - t)
            t = time.perf_counter()
            ref = naive(n)
            slow.append(time.perf_counter() - t)
        same = all(np.array_equal(np.asarray(a), b) for a, b in zip(ref, res[:3], strict=True))
        out[f"coo_{n}_ms"] = median(fast) * 1000
        out[f"naive_{n}_ms"] = median(slow) * 1000
        out[f"coo_{n}_speedup"] = median(slow) / median(fast)
        out[f"coo_{n}_nonzeros"] = int(len(res[0]))
        out[f"coo_{n}_agrees_with_naive"] = bool(same)
    return out


# ----------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        info["memory_gib"] = round(int(mem.split()[1]) / 1024**2, 1)
    except (OSError, StopIteration):
        pass
    exe = shutil.which("chromium")
    if exe:
        try:
            info["chromium"] = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    return info


def verdict(name: str, value: float) -> str:
    limit = BUDGETS[name][0]
    if value != value:  # nan: not measured
        return "not measured"
    ok = value >= limit if name.endswith("speedup") else value <= limit
    return "met" if ok else "MISSED"


def table(results: dict[str, Any]) -> str:
    g, s, w, b, c = (results.get(k, {}) for k in ("generation", "site", "weight", "browser", "core"))
    rows = [  # (what, value text, budget name or None, value)
        ("cold generation, whole deck", g.get("cold"), "cold_generation_s"),
        ("no-op regeneration", g.get("noop"), "noop_regeneration_s"),
        ("one-card change, regeneration", g.get("one_card"), "one_card_regeneration_s"),
        ("mkdocs build --strict", s.get("mkdocs_build"), "mkdocs_build_s"),
        ("make site after a one-card change", s.get("make_site_one_card"), None),
    ]
    lines = ["| measure | median | CPU | budget | verdict |", "|---|---:|---:|---:|---|"]
    values: dict[str, float] = {}
    for what, ser, name in rows:
        if not ser:
            continue
        v = ser["median_s"]
        if name:
            values[name] = v
        budget = f"<= {BUDGETS[name][0]:g} s" if name else ""
        lines.append(f"| {what} | {v:.2f} s | {ser['median_cpu_s']:.2f} s | {budget} | {verdict(name, v) if name else ''} |")
    if w:
        values["max_card_page_kb"] = w["max_card_page_kb"]
        values["math_assets_kb"] = w["math_assets_kb"]
        mx, ma = w["max_card_page_kb"], w["math_assets_kb"]
        heavy = w["heaviest_page"]
        lines.append(f"| heaviest card page ({heavy}): HTML + figures | {mx:.0f} KB | | <= 100 KB | {verdict('max_card_page_kb', mx)} |")
        lines.append(f"| median card page: HTML + figures | {w['median_card_page_kb']:.0f} KB | | | |")
        lines.append(f"| card pages gzip-compressed, as served: heaviest, median | {w['max_card_page_gzip_kb']:.0f} KB, "
                     f"{w['median_card_page_gzip_kb']:.0f} KB | | | |")
        n_fonts = len(w["katex_fonts_used"])
        lines.append(f"| shared math assets: KaTeX js + css + {n_fonts} fonts used | {ma:.0f} KB | | <= 400 KB "
                     f"| {verdict('math_assets_kb', ma)} |")
        theme, kx = w["theme_kb"], w["katex_js_css_kb"]
        lines.append(f"| shared assets once (theme {theme:.0f} KB, KaTeX {kx:.0f} KB, ours the rest) "
                     f"| {w['shared_assets_kb']:.0f} KB | | | |")
        lines.append(f"| whole site/ ({w['site_files']} files) | {w['site_kb'] / 1024:.1f} MB | | | |")
    if b and "last_formula_ms" in b:
        values["last_formula_ms"] = b["last_formula_ms"]
        lf = b["last_formula_ms"]
        lines.append(f"| math of the first screen typeset and painted, heaviest page ({b['page']}, {b['formulas']} formulas; "
                     f"{b['formulas_first_screen']} on the first {b['viewport']} screen) | {lf:.0f} ms | | <= 150 ms "
                     f"| {verdict('last_formula_ms', lf)} |")
        lines.append(f"| ... every formula shown on arrival ({b['formulas_shown']}, below the fold too) painted "
                     f"| {b['shown_ms']:.0f} ms | | | |")
        lines.append(f"| ... every formula typeset, the answers behind reveals too (idle time) "
                     f"| {b['all_typeset_ms']:.0f} ms | | | |")
        lines.append(f"| ... the answer revealed: click to its math painted; clicked before KaTeX loaded "
                     f"| {b['reveal_ms']:.0f} ms; {b['early_reveal_ms']:.0f} ms | | | |")
        lines.append(f"| ... the same page's first contentful paint, DOMContentLoaded | {b['first_paint_ms']:.0f} ms, "
                     f"{b['dom_content_loaded_ms']:.0f} ms | | | |")
        lines.append(f"| the theme alone: first contentful paint of a page with no math (404.html) "
                     f"| {b['no_math_page_first_paint_ms']:.0f} ms | | | |")
        values["math_paint_ratio"] = mr = b["math_paint_ratio"]
        lines.append(f"| first screen's math painted / the theme's own first paint (404.html), alternating, median of "
                     f"{len(b['math_paint_ratios'])} pairs | {mr:.2f}x | | <= 1.2x | {verdict('math_paint_ratio', mr)} |")
    elif b:
        lines.append(f"| math of the first screen painted | {b.get('error')} | | <= 150 ms | not measured |")
    if c:
        for n in (64, 256):
            name = "coo_256_ms" if n == 256 else None
            v = c[f"coo_{n}_ms"]
            lines.append(
                f"| C for {n}x{n} input, 3x3 kernel, sparse (naive loop {c[f'naive_{n}_ms']:.0f} ms, {c[f'coo_{n}_speedup']:.0f}x) "
                f"| {v:.1f} ms | | "
                + (f"<= 50 ms, >= 20x | {verdict('coo_256_ms', v)}, {verdict('coo_256_speedup', c['coo_256_speedup'])}" if name else "| ")
                + " |"
            )
        values["coo_256_ms"], values["coo_256_speedup"] = c["coo_256_ms"], c["coo_256_speedup"]
    results["verdicts"] = {k: verdict(k, v) for k, v in values.items()}
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    ap.add_argument("--slow-runs", type=int, default=3, help="runs of the slowest measurements (default 3)")
    ap.add_argument("--skip", default="", help="comma-separated: generation,site,make,weight,browser,core,scale,gallery,explorer")
    ap.add_argument("--scale", default=",".join(map(str, scale.SCALES)), help="card counts of the scale section (default 29,290,1000)")
    ap.add_argument("--no-serve", action="store_true", help="scale section: skip the live preview's edit at 290 cards")
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
            results["core"] = bench_core(args.runs)
        if "generation" not in skip:
            print("bench: generation (cold, no-op, one card) ...", file=sys.stderr, flush=True)
            results["generation"] = bench_generation(tmp, args.runs, args.slow_runs)
        if "site" not in skip:
            print("bench: mkdocs build, make site ...", file=sys.stderr, flush=True)
            results["site"], _ = bench_site(tmp, args.slow_runs, "make" in skip)
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
            pages = bench_weight(site, [])["pages"]
            browser = bench_browser(site, pages, args.runs)
            results["browser"] = browser
        if "weight" not in skip:
            results["weight"] = bench_weight(site, browser.get("fonts_used", []))
        if "explorer" not in skip:  # the explorer page (/explore/): bench/explorer.py
            print("bench: explorer ...", file=sys.stderr, flush=True)
            results["explorer"] = explorer.bench(site, max(args.runs, 11))
        if "scale" not in skip:
            sizes = sorted({int(n) for n in args.scale.split(",") if n.strip()})
            results["scale"] = scale.bench(tmp, sizes, serve_at=None if args.no_serve else 290)
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
