"""The sliding-window figures, written as SVG text without matplotlib (generator.figures.SvgFigure).

Three proofs: every number drawn is read back from the SVG text and compared with a brute-force
convolution of the spec's own input and kernel; the drawing paints what matplotlib's drawing of
the same figure paints (both rasterised by Chromium); the bytes are the same in two processes.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import svgpaint

from generator import examples, figures, render, spec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402  (the scale bench's seeded random cards: sizes, strides, paddings)

WINDOW, CURRENT = figures.COLORS["window"], figures.COLORS["current"]
# Cards of the site whose example is a plain (true or cross-) correlation, drawn on their pages.
SITE_CASES = [("cross-correlation", "sobel"), ("padding-modes", "same"), ("padding-modes", "full"), ("strides", "stride2"),
              ("dilation", "dilated"), ("one-d", "signal"), ("matrix-padding-stride", "sobel_p1_s2"), ("conv-vs-corr", "asymmetric")]


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, examples.Example]:
    env = render.environment()
    decks = tmp_path_factory.mktemp("synth")
    synth.write_decks(decks, 29)
    out = {}
    for deck in spec.load_decks([render.DECK_DIR, decks], render.card_templates(env)):
        for card in deck.cards:
            built = examples.build(card.examples)
            for name, ex in built.items():
                if deck.id.startswith("synth") or (card.id, name) in SITE_CASES:
                    out[f"{card.id}/{name}"] = ex
    assert len(out) == 29 + len(SITE_CASES)
    return out


def _cells_and_labels(svg: bytes) -> tuple[list[tuple], list[tuple]]:
    """Cells (x0, y0, x1, y1, fill colour) and 9 px texts (x, y, text, bold), read from the SVG as painted."""
    fills = dict(re.findall(rb'<pattern id="([^"]+)"[^>]*><rect [^>]*fill="([^"]+)"', svg))
    cells, texts = [], []
    for item in svgpaint.painted(svg):
        style = dict(item[1][0])
        if item[0] == "path" and style.get("stroke-width") == ".6":
            fill = style["fill"]
            if m := re.fullmatch(r"url\(#(.+)\)", fill):
                fill = fills[m.group(1).encode()].decode()
            xs, ys = [p[0] for p in item[2]], [p[1] for p in item[2]]
            cells.append((min(xs), min(ys), max(xs), max(ys), fill))
        elif item[0] == "text" and style.get("font-size") == "9px":
            texts.append((item[2], item[3], item[4], style.get("font-weight") == "700"))
    return cells, texts


def _grids(svg: bytes) -> list[dict]:
    """The grids of the drawing, top to bottom and left to right: each one's labels, fills and bold
    flags as matrices (cells that touch edge to edge make one grid; a label is in the cell around it)."""
    cells, texts = _cells_and_labels(svg)
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    at = {(round(c[0], 1), round(c[1], 1)): i for i, c in enumerate(cells)}  # top-left corner -> cell
    for i, (_, _, x1, y1, _) in enumerate(cells):
        for corner in ((round(x1, 1), round(cells[i][1], 1)), (round(cells[i][0], 1), round(y1, 1))):  # right and lower neighbours
            if corner in at:
                parent[find(at[corner])] = find(i)
    groups: dict[int, list[tuple]] = {}
    for i, c in enumerate(cells):
        groups.setdefault(find(i), []).append(c)
    grids = []
    for group in groups.values():
        xs = sorted({round(c[0], 1) for c in group})
        ys = sorted({round(c[1], 1) for c in group})
        labels = np.full((len(ys), len(xs)), None, dtype=object)
        fill = np.full(labels.shape, None, dtype=object)
        bold = np.zeros(labels.shape, dtype=bool)
        for x0, y0, x1, y1, f in group:
            r, c = ys.index(round(y0, 1)), xs.index(round(x0, 1))
            inside = [t for t in texts if x0 < t[0] < x1 and y0 < t[1] < y1]
            assert len(inside) == 1, f"cell at {x0:.1f},{y0:.1f}: labels {inside}"
            labels[r, c], bold[r, c], fill[r, c] = float(inside[0][2]), inside[0][3], f
        assert labels.size == len(group)
        grids.append({"top": ys[0], "left": xs[0], "values": labels.astype(float), "fill": fill, "bold": bold})
    return sorted(grids, key=lambda g: (round(g["top"]), g["left"]))


def _oracle(ex: examples.Example) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded input, the kernel as slid and the output, from the spec's input and kernel by loops."""
    x = np.atleast_2d(np.asarray(ex.x, dtype=float))
    t, b, l, r = ex.padding
    padded = np.zeros((x.shape[0] + t + b, x.shape[1] + l + r))
    padded[t : t + x.shape[0], l : l + x.shape[1]] = x
    k = np.atleast_2d(np.asarray(ex.k, dtype=float))
    if ex.operation == "convolution":
        k = k[::-1, ::-1]
    (sh, sw), (dh, dw) = ex.stride, ex.dilation
    kh, kw = k.shape
    oh = (padded.shape[0] - dh * (kh - 1) - 1) // sh + 1
    ow = (padded.shape[1] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for c in range(kw):
                    out[i, j] += padded[i * sh + a * dh, j * sw + c * dw] * k[a, c]
    return padded, k, out


def test_every_number_drawn_is_the_brute_force_arrays(cases):
    for name, ex in cases.items():
        svg, _ = figures.sliding_window(ex)
        padded, k, out = _oracle(ex)
        grids = _grids(svg)
        assert len(grids) % 3 == 0, name
        rows = [grids[i : i + 3] for i in range(0, len(grids), 3)]
        assert len(rows) == min(9, out.size), name
        seen = set()
        for g_in, g_k, g_out in rows:
            assert np.allclose(g_in["values"], padded, atol=5e-5), name
            assert np.allclose(g_k["values"], k, atol=5e-5), name
            assert np.allclose(g_out["values"], out, atol=5e-5), name
            # the output entry being computed: one cell, purple and bold; the window: the orange, bold input cells
            (r,), (c,) = np.nonzero(g_out["fill"] == CURRENT)
            assert g_out["bold"][r, c] and g_out["bold"].sum() == 1, name
            window = g_in["fill"] == WINDOW
            assert (window == g_in["bold"]).all(), name
            (sh, sw), (dh, dw) = ex.stride, ex.dilation
            taps = np.zeros(padded.shape, dtype=bool)
            taps[r * sh : r * sh + dh * (k.shape[0] - 1) + 1 : dh, c * sw : c * sw + dw * (k.shape[1] - 1) + 1 : dw] = True
            assert (window == taps).all(), name
            # and the picture adds up: the numbers under the kernel times the kernel's numbers
            assert np.isclose((g_in["values"][window].reshape(k.shape) * g_k["values"]).sum(), g_out["values"][r, c], atol=5e-5), name
            seen.add((r, c))
        assert len(seen) == len(rows) and (0, 0) in seen and (out.shape[0] - 1, out.shape[1] - 1) in seen, name


def test_a_misplaced_label_is_seen(cases):
    """The reading above can fail: a figure whose output labels are shifted by a cell is refused."""
    ex = cases["cross-correlation/sobel"]
    svg, _ = figures.sliding_window(ex)
    _, _, out = _oracle(ex)
    g_out = _grids(svg)[2]
    assert np.allclose(g_out["values"], out)
    wrong = figures.SvgFigure.grid

    def shifted(self, values, *a, **kw):
        return wrong(self, np.roll(values, 1) if np.shape(values) == out.shape else values, *a, **kw)

    figures.SvgFigure.grid = shifted
    try:
        bad, _ = figures.sliding_window(ex)
    finally:
        figures.SvgFigure.grid = wrong
    assert not np.allclose(_grids(bad)[2]["values"], out)


def test_same_bytes_in_another_process(cases):
    ex_name = "cross-correlation/sobel"
    here = figures.sliding_window(cases[ex_name])[0]
    assert figures.sliding_window(cases[ex_name])[0] == here
    code = (
        "import sys; from generator import examples, figures, render, spec\n"
        "cards = {c.id: c for d in spec.load_decks([render.DECK_DIR], render.card_templates(render.environment())) for c in d.cards}\n"
        "sys.stdout.buffer.write(figures.sliding_window(examples.build(cards['cross-correlation'].examples)['sobel'])[0])\n"
    )
    there = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout
    assert there == here


def test_no_matplotlib_in_the_drawing(cases):
    code = (
        "import sys; from generator import examples, figures, render, spec\n"
        "cards = {c.id: c for d in spec.load_decks([render.DECK_DIR], render.card_templates(render.environment())) for c in d.cards}\n"
        "figures.sliding_window(examples.build(cards['padding-modes'].examples)['same'])\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_layout_constants_are_matplotlibs():
    """The legend's label widths and the line box are what matplotlib measures with DejaVu Sans."""
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    prop = FontProperties(family="DejaVu Sans", size=8)
    renderer = RendererSVG(100, 100, io.StringIO())
    for label, width in figures.LEGEND_WIDTH.items():
        assert renderer.get_text_width_height_descent(label, prop, False)[0] == pytest.approx(width, abs=1e-6)
    assert set(figures.LEGEND_WIDTH) == set(figures.LEGEND_LABELS.values())
    font = get_font(fontManager._find_fonts_by_props(prop))
    os2, em = font.get_sfnt_table("OS/2"), font.get_sfnt_table("head")["unitsPerEm"]
    assert (figures.ASCENT, figures.DESCENT) == (os2["sTypoAscender"] / em, -os2["sTypoDescender"] / em)
    # no character the writer accepts reaches beyond that line box (matplotlib would then grow it)
    for ch in figures.TEXT_CHARS - {" "}:
        _, h, d = renderer.get_text_width_height_descent(ch, FontProperties(family="DejaVu Sans", size=20), False)
        assert h - d <= 20 * figures.ASCENT + 0.01 and d <= 20 * figures.DESCENT + 0.01, ch  # FreeType's 1/64 rounding


_PATTERN = re.compile(rb'<pattern id="([^"]+)"[^>]*>\s*<rect [^>]*fill="(#[0-9a-f]{6})"/>\s*<path d="([^"]+)"')


def _unhatched(svg: bytes) -> bytes:
    """The SVG with each hatched fill painted in its pattern's base colour.

    matplotlib anchors its hatching to the bottom of its crop, which it measured with Agg's
    hinted text (about 1 pt off the exact box): the lines' phase is not something the writer
    can reproduce, nor a learner see. The hatching itself is compared as text (below)."""
    for pid, colour, _ in _PATTERN.findall(svg):
        svg = svg.replace(b"url(#" + pid + b")", colour)
    return svg


def test_hatching_is_matplotlibs(cases):
    """The same lines (every 4 pt, at 45 degrees, over a 72 pt tile), in the edge colour, 1 pt wide."""
    ex = cases["padding-modes/same"]
    new, old = figures.sliding_window(ex)[0], figures._sliding_window_matplotlib(ex)[0]
    p_new, p_old = _PATTERN.findall(new), _PATTERN.findall(old)
    assert sorted(c for _, c, _ in p_new) == sorted(c for _, c, _ in p_old) and p_new
    lines = {d for _, _, d in p_old}
    assert len(lines) == 1
    assert svgpaint.subpaths(p_new[0][2].decode()) == svgpaint.subpaths(lines.pop().decode())
    assert re.search(rb'<pattern [^>]*patternUnits="userSpaceOnUse"[^>]*width="72" height="72"', new)
    assert f'fill="none" stroke="{figures.COLORS["edge"]}"'.encode() in new  # stroke-width 1: SVG's default, as matplotlib's


def _raster(page, svg: bytes) -> np.ndarray:
    from PIL import Image

    svg = _unhatched(svg)

    box = '<div style="display:inline-block;line-height:0">'
    page.set_content('<html><body style="margin:0;background:#fff">' + box + svg.decode() + "</div></body></html>")
    return np.asarray(Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB"))  # uint8


PAINT_SAMPLE = ["cross-correlation/sobel", "padding-modes/same", "one-d/signal", "matrix-padding-stride/sobel_p1_s2",
                "synth-001-card-1/main", "synth-001-card-5/main"]


def test_paints_what_matplotlib_painted(browser, cases):
    """Chromium rasterises the written SVG and matplotlib's (to_svg) at 2 device pixels a CSS pixel.

    Every coordinate equals matplotlib's after both are rounded to 0.1 pt, but a coordinate
    on the edge of a tenth can round the other way (0.1 pt, 0.27 device pixels), and Chromium
    snaps a text's baseline to whole device pixels: a label may move by one device pixel, and
    an edge 0.27 device pixels further covers its pixels differently: by 0.27 of the strongest
    contrast (the legend's black on white, 255) = 69 in theory, measured up to 89 where a
    0.6 pt cell border straddles two pixel rows (matrix-padding-stride). So a pixel is the same
    when one of the other raster's pixels at most one away matches it within 96 per channel
    near an edge, within 8 in a flat area (where nothing can move: a wrong colour, a moved or
    changed label shows there). The crop's right and bottom margin
    (matplotlib measured it with Agg's hinted text, about 1 pt more) is left out. Not one pixel
    may differ by more; a title one point lower, or the kernel in the output's colour, does."""
    page = browser.new_page(device_scale_factor=2, viewport={"width": 700, "height": 800})
    try:
        for name in PAINT_SAMPLE:
            new = _raster(page, figures.sliding_window(cases[name])[0])
            old = _raster(page, figures._sliding_window_matplotlib(cases[name])[0])
            assert _paint_diff(old, new) == 0, name
        # the comparison can fail: a title one point lower, or a cell of another colour
        ex = cases["cross-correlation/sobel"]
        old = _raster(page, figures._sliding_window_matplotlib(ex)[0])
        svg = figures.sliding_window(ex)[0]
        lower = re.sub(rb'(<text (?:class="s\d+" )?x="[\d. ]+" y=")([\d.]+)(">input \()',
                       lambda m: m.group(1) + str(float(m.group(2)) + 1).encode() + m.group(3), svg, count=1)
        recoloured = svg.replace(figures.COLORS["kernel"].encode(), figures.COLORS["output"].encode(), 1)
        for bad in (lower, recoloured):
            assert bad != svg and _paint_diff(old, _raster(page, bad)) > 100
    finally:
        page.close()


def _paint_diff(a: np.ndarray, b: np.ndarray, edge_tol: int = 96, flat_tol: int = 8) -> int:
    """Pixels that differ between ``a`` and ``b`` beyond what rounding explains (both ways).

    A pixel of one raster is matched by the best of the other's pixels at most one device pixel
    away. Where it lies in a flat area (its 3x3 neighbourhood varies by at most ``flat_tol``),
    the match must be within ``flat_tol``: no edge is near, so nothing may change. Elsewhere it
    must be within ``edge_tol``. Both crops' right and bottom margins are left out."""
    h, w = min(a.shape[0], b.shape[0]) - 8, min(a.shape[1], b.shape[1]) - 8
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    # channel planes (3, h, w) of uint8, in place: |p - q| as max - min is exact in uint8, and the
    # maximum of three contiguous planes is cheap where numpy's reduction over a last axis of 3 was
    # most of this test's time (the same numbers as int16 pixels reduced with .max(axis=2), 6x faster)
    a = np.ascontiguousarray(np.moveaxis(np.asarray(a[:h, :w], dtype=np.uint8), 2, 0))
    b = np.ascontiguousarray(np.moveaxis(np.asarray(b[:h, :w], dtype=np.uint8), 2, 0))

    def one_way(p: np.ndarray, q: np.ndarray) -> int:
        core = p[:, 1 : h - 1, 1 : w - 1]
        best = np.full(core.shape[1:], 255, dtype=np.uint8)
        hi, lo = core.copy(), core.copy()
        d, e = np.empty_like(core), np.empty_like(core)
        for dy, dx in shifts:
            other = q[:, 1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx]
            np.subtract(np.maximum(core, other, out=d), np.minimum(core, other, out=e), out=d)
            np.minimum(best, np.maximum(np.maximum(d[0], d[1], out=e[0]), d[2], out=e[0]), out=best)
            near = p[:, 1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx]
            np.maximum(hi, near, out=hi)
            np.minimum(lo, near, out=lo)
        spread = np.subtract(hi, lo, out=hi)
        flat = np.maximum(np.maximum(spread[0], spread[1]), spread[2]) <= flat_tol
        return int(((best > flat_tol) & flat).sum() + ((best > edge_tol) & ~flat).sum())

    return one_way(a, b) + one_way(b, a)
