"""``make bench``: what the built site weighs (card pages with their figures, raw and gzip; shared assets)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

from report import BUDGETS
from timing import KB, median


def _img_sources(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", html)


def _assets(html: str) -> list[str]:
    return re.findall(r"<link\b[^>]*rel=\"stylesheet\"[^>]*href=\"([^\"]+)\"", html) + re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)


def bench_weight(site: Path, fonts_used: list[str]) -> dict[str, Any]:
    pages = {}
    for html_file in sorted((site / "cards").glob("*/*/index.html")):
        if re.fullmatch(r"print(-\d+)?", html_file.parent.name):  # a deck's print sheets (print, print-2, ...), not a card page
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
