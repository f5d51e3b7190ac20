"""``make bench``: the budgets, the machine, and the table with met/MISSED per budget."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

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
