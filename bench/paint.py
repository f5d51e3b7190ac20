"""``make bench``: when the math of the heaviest card is painted in Chromium, against the theme's own
first paint (404.html), from a Chrome trace."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import tempfile
import threading
from functools import partial
from pathlib import Path
from typing import Any

from timing import median


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
_ON_FIRST_SCREEN = """() => [...document.querySelectorAll('.arithmatex')].filter(e => {
  const b = e.getBoundingClientRect();
  return e.checkVisibility() && b.width > 0 && b.top < 720 && b.bottom > 0;
}).length"""
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
    screen: dict[str, int] = {}  # formulas on each card page's first 1280x720 screen, on arrival
    out: dict[str, Any] = {}
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
                if rel:
                    screen[rel] = page.evaluate(_ON_FIRST_SCREEN)
                page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
                page.wait_for_function(all_done, timeout=20000)
                page.evaluate("() => document.fonts.ready.then(() => true)")
            ctx.close()
            # the heaviest card (most formulas) among those with math on their first screen: a page whose
            # first screen has none (the heaviest one, cards/transposed/not-an-inverse, opens with prose)
            # would make the first screen's math a measure of nothing
            with_math = [p for p in pages if screen.get(p, 0) > 0] or list(pages)
            heaviest = max(with_math, key=lambda p: (pages[p]["formulas"], pages[p]["total_bytes"]))
            out.update({"page": heaviest, "formulas": pages[heaviest]["formulas"], "viewport": "1280x720"})
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
