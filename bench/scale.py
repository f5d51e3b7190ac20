"""The scale section of ``make bench``: a course of N synthetic cards built the author's way.

For each N (``--scale 29,290,1000``): the decks of :mod:`synth` in a scratch author project
(README, "Build it and look at it": our mkdocs.yml, the site's scripts, styles, KaTeX and
theme overrides copied, a home page of its own), then, timed one run each (wall and CPU of
the command and its children) with the peak resident memory of its largest process:

- cold generation (``python -m generator --decks D --docs docs``, an empty cache),
- no-op regeneration, and a one-card change (the first card's input drawn anew),
- ``mkdocs build --strict`` and the post-build step (``node generator/postbuild.mjs``),

and the built site weighed: total bytes, card pages (HTML + figures, raw and gzip: median
and largest), print pages, the largest page of all. At the middle N, optionally, the live
preview: ``python -m generator.serve`` running, one card edited, until the served page changes.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import synth
from timing import run  # one way to time a command, shared with bench/run.py's sections

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
KB, MB = 1024, 1024 * 1024
SCALES = (29, 290, 1000)

BUDGETS = {  # name: (limit, unit, what)
    "cold_build_290_s": (30.0, "s", "whole cold build at 290 cards (generate + mkdocs build + post-build)"),
    "per_card_ratio": (1.2, "x", "cost per card at the largest scale / at the smallest"),
    "median_page_ratio": (1.2, "x", "median card page bytes at the largest scale / at the smallest"),
    "peak_rss_mb": (2048.0, "MB", "peak memory (largest process) at the largest scale"),
    "largest_page_mb": (2.0, "MB", "largest page of the site, raw, at any scale"),
    "serve_edit_s": (3.0, "s", "make serve at 290 cards: one card edited to the page served changed"),
    "cold_gen_per_card_ratio": (1.2, "x", "cold generation, CPU per card at the largest scale / at the smallest"),
    "noop_per_card_ratio": (1.2, "x", "no-op regeneration, CPU per card at the largest scale / at the smallest"),
    "one_card_per_card_ratio": (1.2, "x", "one-card change, CPU per card at the largest scale / at the smallest"),
}
REGEN = {"cold_gen_per_card_ratio": "cold", "noop_per_card_ratio": "noop", "one_card_per_card_ratio": "one_card"}


def author_project(dest: Path, n_cards: int) -> Path:
    """An author's folder as README describes it: decks, our mkdocs.yml, the site's assets, a home page."""
    (dest / "docs").mkdir(parents=True)
    synth.write_decks(dest / "decks", n_cards)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    for part in ("javascripts", "stylesheets", "vendor", ".overrides"):
        shutil.copytree(ROOT / "docs" / part, dest / "docs" / part)
    (dest / "docs" / "index.md").write_text(f"# A course of {n_cards} cards\n", encoding="utf-8")
    return dest


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def weigh(site: Path) -> dict[str, Any]:
    """Card pages (HTML + the figures they show, raw and gzip), print pages, every page, the whole site."""
    cards, prints, pages = [], [], []
    for html_file in site.rglob("*.html"):
        size = html_file.stat().st_size
        pages.append((size, str(html_file.relative_to(site))))
        rel = html_file.parent.relative_to(site).parts
        if len(rel) != 3 or rel[0] != "cards" or html_file.name != "index.html":
            continue
        if re.fullmatch(r"print(-\d+)?", rel[2]):
            prints.append(size)
            continue
        html = html_file.read_bytes()
        figs = {(html_file.parent / src.decode()).resolve() for src in re.findall(rb"<img\b[^>]*?\bsrc=\"([^\"]+\.svg)\"", html)}
        figs = {f for f in figs if f.is_file()}
        cards.append((size + sum(f.stat().st_size for f in figs), _gz(html) + sum(_gz(f.read_bytes()) for f in figs)))
    files = [p for p in site.rglob("*") if p.is_file()]
    largest = max(pages)
    return {
        "card_pages": len(cards),
        "median_card_kb": statistics.median(c[0] for c in cards) / KB,
        "max_card_kb": max(c[0] for c in cards) / KB,
        "median_card_gzip_kb": statistics.median(c[1] for c in cards) / KB,
        "max_card_gzip_kb": max(c[1] for c in cards) / KB,
        "print_pages": len(prints),
        "max_print_kb": max(prints, default=0) / KB,
        "print_total_kb": sum(prints) / KB,
        "largest_page": largest[1],
        "largest_page_mb": largest[0] / MB,
        "site_mb": sum(p.stat().st_size for p in files) / MB,
        "site_files": len(files),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read()
    except OSError:
        return None


_LIVERELOAD = re.compile(rb"livereload\(\d+, \d+\);")  # mkdocs serve's script: its request id differs on every request


def _page(url: str) -> bytes | None:
    got = _get(url)
    return None if got is None else _LIVERELOAD.sub(b"", got)


def serve_edit(proj: Path, cache: Path, timeout: float = 300.0, full: bool = False) -> dict[str, Any]:
    """``python -m generator.serve`` on the project; the first card edited; seconds until the served page changes.
    ``full``: ``--full``, every page rebuilt on every change (by default the preview rebuilds the changed pages)."""
    port = _free_port()
    cmd = [PY, "-m", "generator.serve", "--decks", str(proj / "decks"), "--docs", str(proj / "docs"),
           "--config", str(proj / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}"] + (["--full"] if full else [])
    log = open(proj / ".serve-log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "CONVCARDS_CACHE": str(cache)}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/cards/synth-001/synth-001-card-1/"
    try:
        t0 = time.perf_counter()
        before = None
        while before is None and time.perf_counter() - t0 < timeout:
            before = _page(url)
            time.sleep(0.2)
        if before is None:
            return {"error": "the preview did not serve the card"}
        time.sleep(2.0)  # settled: the first build's reload done
        before = _page(url)
        synth.edit_first_card(proj / "decks", 7 + int(full))
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            now = _page(url)
            if now is not None and now != before:
                return {"serve_edit_s": time.perf_counter() - t0}
            time.sleep(0.05)
        return {"error": f"the page did not change within {timeout:.0f} s"}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        log.close()


STEPS = ("generate", "build", "serve")  # --scale-steps: a quicker look leaves some out


def bench_scale(tmp: Path, n: int, serve: bool = False, steps: tuple[str, ...] = STEPS) -> dict[str, Any]:
    """One scale: ``generate`` (cold, no-op, one-card change), ``build`` (mkdocs build, the post-build
    step and the site's weight: needs ``generate``), ``serve`` (the live preview's edit, when ``serve``)."""
    proj = author_project(tmp / f"scale-{n}", n)
    cache = tmp / f"scale-{n}-cache"
    env = {"CONVCARDS_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    gen = [PY, "-m", "generator", "--decks", str(proj / "decks"), "--docs", str(proj / "docs"), "--quiet"]
    out: dict[str, Any] = {"cards": n, "decks": len(list((proj / "decks").glob("*.yaml")))}
    out["cold"] = run(gen, ROOT, env)
    if "generate" in steps:
        out["noop"] = run(gen, ROOT, env)
        synth.edit_first_card(proj / "decks", 1)
        out["one_card"] = run(gen, ROOT, env)
    if serve and "serve" in steps:
        out["serve"] = serve_edit(proj, cache)
        out["serve_full"] = serve_edit(proj, cache, full=True)
    if "build" not in steps:
        return out
    out["mkdocs"] = run([PY, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(proj / "mkdocs.yml"), "-d", str(proj / "site")],
                        ROOT, env)
    out["postbuild"] = run(["node", "generator/postbuild.mjs", str(proj / "site")], ROOT, env)
    steps = ("cold", "mkdocs", "postbuild")
    out["cold_build_s"] = sum(out[s]["wall_s"] for s in steps)
    out["cold_build_cpu_s"] = sum(out[s]["cpu_s"] for s in steps)
    out["per_card_ms"] = out["cold_build_s"] / n * 1000
    out["per_card_cpu_ms"] = out["cold_build_cpu_s"] / n * 1000
    out["peak_rss_mb"] = max(out[s]["rss_mb"] for s in ("cold", "noop", "one_card", "mkdocs", "postbuild"))
    out["weight"] = weigh(proj / "site")
    shutil.rmtree(proj / "site", ignore_errors=True)
    return out


def bench(tmp: Path, scales: list[int], serve_at: int | None = 290, steps: tuple[str, ...] = STEPS) -> dict[str, Any]:
    res: dict[str, Any] = {"scales": {}}
    for n in scales:
        print(f"bench: scale, {n} cards ...", file=sys.stderr, flush=True)
        res["scales"][str(n)] = bench_scale(tmp, n, serve=(n == serve_at), steps=steps)
    return res


def verdicts(res: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Each budget's (value, met/MISSED) that this run could measure."""
    sc = res.get("scales", {})
    if not sc:
        return {}
    ns = sorted(int(n) for n in sc)
    small, large = sc[str(ns[0])], sc[str(ns[-1])]
    values: dict[str, float] = {}
    built = all("weight" in s for s in sc.values())  # --scale-steps without build: no build figures
    if "290" in sc:
        if built:
            values["cold_build_290_s"] = sc["290"]["cold_build_s"]
        if "serve_edit_s" in sc["290"].get("serve", {}):
            values["serve_edit_s"] = sc["290"]["serve"]["serve_edit_s"]
    if len(ns) > 1:
        for budget, step in REGEN.items():
            if step in small and step in large:
                values[budget] = (large[step]["cpu_s"] / int(ns[-1])) / (small[step]["cpu_s"] / int(ns[0]))
        if built:
            values["per_card_ratio"] = large["per_card_ms"] / small["per_card_ms"]
            values["median_page_ratio"] = large["weight"]["median_card_kb"] / small["weight"]["median_card_kb"]
    if built:
        values["peak_rss_mb"] = large["peak_rss_mb"]
        values["largest_page_mb"] = max(s["weight"]["largest_page_mb"] for s in sc.values())
    return {k: (v, "met" if v <= BUDGETS[k][0] else "MISSED") for k, v in values.items()}


def table(res: dict[str, Any]) -> str:
    sc = res.get("scales", {})
    if not sc:
        return ""
    ns = sorted(sc, key=int)
    cols = " | ".join(f"{n} cards" for n in ns)
    lines = [f"| scale: measure | {cols} |", "|---|" + "---:|" * len(ns)]

    def row(what: str, fmt) -> None:
        def cell(s: dict[str, Any]) -> str:
            try:
                return fmt(s)
            except KeyError:  # a step left out (--scale-steps)
                return ""

        cells = [cell(sc[n]) for n in ns]
        if any(cells):
            lines.append(f"| {what} | " + " | ".join(cells) + " |")

    def t(step: str):
        return lambda s: f"{s[step]['wall_s']:.1f} s ({s[step]['cpu_s']:.1f} s CPU)"

    row("decks", lambda s: str(s["decks"]))
    row("cold generation", t("cold"))
    row("no-op regeneration", t("noop"))
    row("one-card change, regeneration", t("one_card"))
    row("... CPU per card: cold, no-op, one-card change", lambda s: " / ".join(
        f"{s[step]['cpu_s'] / s['cards'] * 1000:.1f}" for step in ("cold", "noop", "one_card")) + " ms")
    row("mkdocs build --strict", t("mkdocs"))
    row("post-build (KaTeX)", t("postbuild"))
    row("whole cold build (generate + mkdocs + post-build)", lambda s: f"{s['cold_build_s']:.1f} s ({s['cold_build_cpu_s']:.1f} s CPU)")
    row("... per card", lambda s: f"{s['per_card_ms']:.0f} ms ({s['per_card_cpu_ms']:.0f} ms CPU)")
    row("peak memory, largest process", lambda s: f"{s['peak_rss_mb']:.0f} MB")
    row("whole site", lambda s: f"{s['weight']['site_mb']:.1f} MB, {s['weight']['site_files']} files")
    row("card page, HTML + figures: median, largest",
        lambda s: f"{s['weight']['median_card_kb']:.0f} KB, {s['weight']['max_card_kb']:.0f} KB")
    row("... gzip-compressed: median, largest",
        lambda s: f"{s['weight']['median_card_gzip_kb']:.0f} KB, {s['weight']['max_card_gzip_kb']:.0f} KB")
    row("print pages: count, largest, total",
        lambda s: f"{s['weight']['print_pages']}, {s['weight']['max_print_kb']:.0f} KB, {s['weight']['print_total_kb'] / 1024:.1f} MB")
    row("largest page of all", lambda s: f"{s['weight']['largest_page_mb'] * 1024:.0f} KB")
    def served(s: dict[str, Any]) -> str:
        got = s.get("serve", {})
        return f"{got['serve_edit_s']:.1f} s" if "serve_edit_s" in got else got.get("error", "")

    if any("serve" in s for s in sc.values()):
        row("make serve: one card edited to the page changed", served)
        row("... with --full, every page rebuilt (make serve SERVE_FLAGS=--full)", lambda s: served({"serve": s.get("serve_full", {})}))
    lines += ["", "| scale budget | value | budget | verdict |", "|---|---:|---:|---|"]
    for k, (v, verdict) in verdicts(res).items():
        limit, unit, what = BUDGETS[k]
        lines.append(f"| {what} | {v:.2f} {unit} | <= {limit:g} {unit} | {verdict} |")
    return "\n".join(lines)
