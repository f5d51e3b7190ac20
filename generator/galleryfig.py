"""Drawings of the gallery's cases (:mod:`generator.gallery`): an animated GIF and a static SVG strip each.

Both are drawn from the case's step data (:mod:`generator.steps`), the numbers the page's
stepper shows, with the house figure style (:mod:`generator.figures`). Deterministic bytes:
matplotlib's Agg draws a GIF's cells, labels and outlines, Pillow writes the numbers in matplotlib's
own DejaVu fonts, quantises every frame to one fixed palette and writes the GIF (no timestamps,
no comments); the SVG goes through
:func:`generator.figures.to_svg`. These run in the figure drawer's worker processes
(``FIGURES``, registered in :mod:`generator.content`).
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import numpy as np

from . import figures as F
from .gallery import Case, step_data

GIF_DPI = 64
PAD_TEXT = "#757575"  # the zeros of padding, in a GIF (no hatching there)
OUTLINE = "#e65100"  # the window and the output entry, outlined as in the card figures
FRAME_MS = 900
TITLE_MS = 2400
_FILL = {"input": "input", "kernel": "kernel", "output": "output"}


def _fills(g: dict[str, Any], on: set[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Face colours, hatching and bold of one grid of a frame: its kind's colour, marks, highlighted cells."""
    h, w = len(g["cells"]), len(g["cells"][0])
    marks = np.array(g.get("marks", [[""] * w] * h), dtype=object)
    base = F.COLORS[_FILL.get(g["id"], "output")]
    fills = np.full((h, w), base, dtype=object)
    fills[marks == "pad"] = F.COLORS["padding"]
    fills[marks == "zero"] = F.COLORS["zero"]
    bold = np.zeros((h, w), dtype=bool)
    for r, c in on:
        fills[r, c] = F.COLORS["window"] if g["id"] == "input" else (F.COLORS["current"] if g["id"] != "kernel" else base)
        bold[r, c] = True
    return fills, marks == "pad", bold


def _row(
    ax: Any, data: dict[str, Any], step: dict[str, Any] | None, y0: float, numbers: str = "all", x0: float = 0.0
) -> tuple[float, float]:
    """The grids of one frame side by side from ``(x0, y0)``, joined by ⋆ and =; returns (width, height) in cells.

    ``numbers="window"`` writes numbers only in highlighted cells (the strip's small frames)."""
    x = x0
    height = 0.0
    grids = [g for g in data["grids"] if numbers == "all" or g["id"] != "kernel"]
    for n, g in enumerate(grids):
        on = {tuple(rc) for rc in (step["cells"].get(g["id"], []) if step else [])}
        fills, hatch, bold = _fills(g, on)
        values = np.array(g["cells"], dtype=object)
        if numbers != "all":
            values = np.array([[v if (r, c) in on else "" for c, v in enumerate(row)] for r, row in enumerate(g["cells"])], dtype=object)
        F.draw_grid(ax, values, x, y0, fills, g["label"] if numbers == "all" else g["id"], bold=bold, hatch=hatch, fmt=str)
        if step and g["id"] in ("input", "output") and on:
            rows, cols = [r for r, _ in on], [c for _, c in on]
            if g["id"] == "output":
                F.outline(ax, x + min(cols), y0 + min(rows), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1)
        w, h = len(g["cells"][0]), len(g["cells"])
        height = max(height, h)
        x += w
        if n < len(grids) - 1:
            sym = "⋆" if g["id"] == "input" and numbers == "all" else ("=" if numbers == "all" else "→")
            ax.text(x + 0.8, y0 + min(h, 3) / 2, sym, ha="center", va="center", fontsize=16, color=F.COLORS["text"])
            x += 1.6
    return x - x0, height


def _frame_layout(data: dict[str, Any]) -> tuple[float, float, int]:
    """Width and height of a frame's grids, in cells, and the lines its longest sum takes."""
    widths = sum(len(g["cells"][0]) for g in data["grids"]) + 1.6 * (len(data["grids"]) - 1)
    height = max(len(g["cells"]) for g in data["grids"])
    lines = max(len(textwrap.wrap(s["expr"], wrap_at(widths))) for s in data["steps"])
    return widths, height, lines


def gif_width(data: dict[str, Any]) -> float:
    """A GIF frame's width in cells: its grids, or its bold title (about 0.2 cell a character) if wider."""
    widths, _, _ = _frame_layout(data)
    return max(widths, 0.2 * len(data["title"]) + 0.5)


def wrap_at(width: float) -> int:
    """Characters of a sum's line across ``width`` cells: DejaVu Sans Mono at 9 pt advances 0.6 em, 0.18 cell."""
    # the axes span width + 0.4 cells (figures._new's margins) over width cells of paper: 0.9 keeps the line inside
    return max(30, int(0.9 * width / (0.6 * 9 / 72 / F.CELL)) - 2)


class _Animated:
    """The GIF's drawing, made twice at the start: every cell at its base colour, and every cell that
    a frame may light, lit. A frame starts from the first, copies its lit cells' pixels from the
    second, draws the two outlines and writes the sum and the frame number (Pillow, one call a
    line): a few milliseconds, where a Text per lit cell and line cost about 30."""

    def __init__(self, data: dict[str, Any]):
        _, plt, _, Rectangle = F._matplotlib()
        self.data = data
        _, height, _ = _frame_layout(data)
        self.width = gif_width(data)
        self.wrap = wrap_at(self.width)
        lines = max(len(textwrap.wrap(s["expr"], self.wrap)) for s in data["steps"])
        total_h = 1.3 + height + 0.5 + 0.5 * (max(lines, 1) + 1) + 0.2
        self.fig, ax = F._new(self.width, total_h)
        self.ax = ax
        ax.text(0, 0.1, data["title"], ha="left", va="top", fontsize=10, fontweight="bold", color=F.COLORS["text"])
        self.cells: dict[str, list[list[Any]]] = {}
        self.labels: list[tuple[str, int, int, float, float, str, str]] = []  # (grid, r, c, x, y, text, colour)
        self.base: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        x = 0.0
        y0 = 1.3
        for n, g in enumerate(data["grids"]):
            fills, hatch, _ = _fills(g, set())
            self.base[g["id"]] = (fills, hatch)
            rows = []
            for r, row in enumerate(g["cells"]):
                items = []
                for c, v in enumerate(row):
                    # no hatching in a GIF (its noise costs bytes): padding is grey with grey zeros
                    rect = Rectangle(
                        (x + c, y0 + r), 1, 1, facecolor=fills[r, c], edgecolor=F.COLORS["edge"], linewidth=0.6, antialiased=False
                    )
                    ax.add_patch(rect)
                    colour = PAD_TEXT if hatch[r, c] else F.COLORS["text"]
                    self.labels.append((g["id"], r, c, x + c + 0.5, y0 + r + 0.5, v, colour))
                    items.append(rect)
                rows.append(items)
            self.cells[g["id"]] = rows
            w, h = len(g["cells"][0]), len(g["cells"])
            ax.text(x, y0 - 0.12, g["label"], ha="left", va="bottom", fontsize=8, color=F.COLORS["text"])
            x += w
            if n < len(data["grids"]) - 1:
                sym = "⋆" if g["id"] == "input" else "="
                ax.text(x + 0.8, y0 + min(h, 3) / 2, sym, ha="center", va="center", fontsize=16, color=F.COLORS["text"])
                x += 1.6
        self.text_y = y0 + height + 0.5
        self.n_lines = max(lines, 1)  # the sum's lines, then the frame number on its own line
        self.origin = {g["id"]: xy for g, xy in zip(data["grids"], self._origins(data, y0), strict=True)}
        self.boxes = {
            gid: Rectangle((0, 0), 1, 1, fill=False, edgecolor=OUTLINE, linewidth=2.2, antialiased=False, visible=False)
            for gid in self.origin
            if gid != "kernel"
        }
        for box in self.boxes.values():
            ax.add_patch(box)
        self.plt = plt
        from matplotlib import font_manager
        from PIL import ImageFont

        def bold_font(points: float) -> Any:
            path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold"), fallback_to_default=False)
            return ImageFont.truetype(path, size=points * GIF_DPI / 72)

        def font(family: str, points: float) -> Any:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            return ImageFont.truetype(path, size=points * GIF_DPI / 72)

        self.mono, self.sans = font("DejaVu Sans Mono", 9), font("DejaVu Sans", 8)
        self.numbers = {w: font("DejaVu Sans", 9) if w == "normal" else bold_font(9) for w in ("normal", "bold")}
        # every frame starts from this drawing (cells at their base colours, no sum): blitting
        # only what a frame changes costs a few artists instead of the whole figure
        # the cells' numbers, drawn by Pillow in matplotlib's DejaVu fonts: a Text per cell cost most of a GIF
        self.fig.canvas.draw()
        canvas = self.fig.canvas
        buf = np.asarray(canvas.buffer_rgba())
        # the kernel is used whole at every step: bold once, never redrawn
        buf[...] = self._numbers(np.array(buf), [(lab, "bold" if lab[0] == "kernel" else "normal") for lab in self.labels])
        self.background = canvas.copy_from_bbox(self.fig.bbox)
        # ... and every cell that a frame may light, drawn lit once: a frame copies its lit cells'
        # pixels from this picture instead of drawing each cell anew
        lit = {gid for s in self.data["steps"] for gid in s["cells"] if gid != "kernel"}
        for gid in sorted(lit):
            for r, row in enumerate(self.cells[gid]):
                for c, rect in enumerate(row):
                    rect.set_facecolor(F.COLORS["window"] if gid == "input" else F.COLORS["current"])
                    self.ax.draw_artist(rect)
                    rect.set_facecolor(self.base[gid][0][r, c])
        self.lit_pixels = self._numbers(np.array(buf), [(lab, "bold") for lab in self.labels if lab[0] in lit])
        canvas.restore_region(self.background)

    def _numbers(self, rgba: np.ndarray, labels: list[tuple[tuple[str, int, int, float, float, str, str], str]]) -> np.ndarray:
        from PIL import Image, ImageDraw

        img = Image.fromarray(rgba)
        draw = ImageDraw.Draw(img)
        h = rgba.shape[0]
        for (_, _, _, x, y, text, colour), weight in labels:
            px, py = self.ax.transData.transform((x, y))
            draw.text((round(px), round(h - py)), text, font=self.numbers[weight], fill=colour, anchor="mm")
        return np.asarray(img)

    def _box(self, gid: str, r: int, c: int) -> tuple[slice, slice]:
        """The pixels of one cell in the canvas buffer (rows top-down), its edges included."""
        x0, y0 = self.origin[gid]
        (ax0, ay0), (ax1, ay1) = self.ax.transData.transform([(x0 + c, y0 + r), (x0 + c + 1, y0 + r + 1)])
        h = self.lit_pixels.shape[0]
        xs, ys = sorted((ax0, ax1)), sorted((h - ay0, h - ay1))
        return slice(int(np.floor(ys[0])), int(np.ceil(ys[1]))), slice(int(np.floor(xs[0])), int(np.ceil(xs[1])))

    @staticmethod
    def _origins(data: dict[str, Any], y0: float) -> list[tuple[float, float]]:
        out, x = [], 0.0
        for g in data["grids"]:
            out.append((x, y0))
            x += len(g["cells"][0]) + 1.6
        return out

    def show(self, step: dict[str, Any] | None, k: int, n: int) -> np.ndarray:
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        drawn: list[Any] = []
        if step is None:
            texts = [f"input, kernel, output: the window slides over the {n} output positions, one frame each"]
        else:
            buf = np.asarray(canvas.buffer_rgba())
            for gid, cells in step["cells"].items():
                if gid == "kernel":
                    continue
                for r, c in cells:
                    rows, cols = self._box(gid, r, c)
                    buf[rows, cols] = self.lit_pixels[rows, cols]
            for gid, box in self.boxes.items():  # the window (its span) and the output entry, outlined
                cells = step["cells"].get(gid, [])
                if cells:
                    rs, cs = [r for r, _ in cells], [c for _, c in cells]
                    x0, y0 = self.origin[gid]
                    box.set_xy((x0 + min(cs), y0 + min(rs)))
                    box.set_width(max(cs) - min(cs) + 1)
                    box.set_height(max(rs) - min(rs) + 1)
                    box.set_visible(True)
                    drawn.append(box)
            texts = textwrap.wrap(step["expr"], self.wrap)
        for artist in drawn:
            self.ax.draw_artist(artist)
        frame = np.array(np.asarray(canvas.buffer_rgba())[..., :3])
        # the text that changes every frame (the sum, the frame number) through Pillow's FreeType in one call a
        # line, in the fonts matplotlib uses (its own DejaVu files): drawing it as matplotlib Text cost a third of the GIF
        lines = [(t, self.mono, self.text_y + 0.5 * m) for m, t in enumerate(texts[: self.n_lines])]
        if step is not None:
            lines.append((f"frame {k + 1} of {n}", self.sans, self.text_y + 0.5 * self.n_lines))
        return self._write(frame, lines)

    def _write(self, frame: np.ndarray, lines: list[tuple[str, Any, float]]) -> np.ndarray:
        from PIL import Image, ImageDraw

        img = Image.fromarray(frame)
        draw = ImageDraw.Draw(img)
        h = frame.shape[0]
        for text, font, y in lines:
            px, py = self.ax.transData.transform((0, y))
            draw.text((round(px), round(h - py)), text, font=font, fill=F.COLORS["text"], anchor="la")
        return np.asarray(img)

    def close(self) -> None:
        self.plt.close(self.fig)


def palette() -> Any:
    """The GIF's one palette, fixed: the figure colours, and the blends of text and edges into each fill
    (what antialiasing paints), so no colour is lost to quantising and every frame maps alike."""
    from PIL import Image

    def rgb(h: str) -> np.ndarray:
        return np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)

    fills = [
        "#ffffff",
        F.COLORS["input"],
        F.COLORS["padding"],
        F.COLORS["window"],
        F.COLORS["kernel"],
        F.COLORS["output"],
        F.COLORS["current"],
    ]
    inks = [F.COLORS["text"], PAD_TEXT, OUTLINE]
    colours = [rgb(c) for c in fills + inks + [F.COLORS["edge"]]]
    for f in fills:
        for ink in inks:
            colours += [rgb(f) * (1 - t) + rgb(ink) * t for t in (0.2, 0.4, 0.6, 0.8)]
    flat = [int(round(v)) for c in colours for v in c][: 256 * 3]
    img = Image.new("P", (1, 1))
    img.putpalette(flat + flat[:3] * (256 - len(flat) // 3))
    return img


def gif(case: Case) -> tuple[bytes, str]:
    """The case as an animated GIF: a title frame with every number, then one frame per output position."""
    import matplotlib
    from PIL import Image

    F._matplotlib()
    data = step_data(case)
    n = len(data["steps"])
    with matplotlib.rc_context({"figure.dpi": GIF_DPI, "savefig.dpi": GIF_DPI, "text.antialiased": True}):
        anim = _Animated(data)
        pal = palette()
        try:  # each frame indexed at once: a third of the memory of keeping the RGB frames
            indexed = [
                Image.fromarray(anim.show(data["steps"][k] if k >= 0 else None, k, n)).quantize(palette=pal, dither=Image.Dither.NONE)
                for k in range(-1, n)
            ]
        finally:
            anim.close()
    buf = io.BytesIO()
    indexed[0].save(
        buf, format="GIF", save_all=True, append_images=indexed[1:], duration=[TITLE_MS] + [FRAME_MS] * n, loop=0, disposal=1, optimize=True
    )
    alt = f"Animated GIF of the case {data['title']}: a title frame, then {n} frames, one per output position."
    return buf.getvalue(), alt


def _small(ax: Any, g: dict[str, Any], on: set[tuple[int, int]], x0: float, y0: float) -> None:
    """One grid of a strip's small frame, light on bytes: its colours as few rectangles, thin grid
    lines as one path, and numbers only in the highlighted cells (outlined)."""
    _, _, _, Rectangle = F._matplotlib()
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    h, w = len(g["cells"]), len(g["cells"][0])
    marks = np.array(g.get("marks", [[""] * w] * h), dtype=object)
    fills, _, _ = _fills(g, set())
    # the grid's commonest colour as one rectangle, the other cells over it
    colours, counts = np.unique(fills.astype(str), return_counts=True)
    common = str(colours[np.argmax(counts)])
    ax.add_patch(Rectangle((x0, y0), w, h, facecolor=common, edgecolor="none", linewidth=0))
    for r in range(h):  # runs of one colour along a row, one rectangle each
        c = 0
        while c < w:
            end = c + 1
            while end < w and fills[r, end] == fills[r, c]:
                end += 1
            if fills[r, c] != common:
                ax.add_patch(Rectangle((x0 + c, y0 + r), end - c, 1, facecolor=fills[r, c], edgecolor="none", linewidth=0))
            c = end
    verts, codes = [], []
    inner = g["id"] == "input"  # the input's cells are counted; the output needs only its frame
    for r in range(h + 1) if inner else (0, h):
        verts += [(x0, y0 + r), (x0 + w, y0 + r)]
        codes += [Path.MOVETO, Path.LINETO]
    for c in range(w + 1) if inner else (0, w):
        verts += [(x0 + c, y0), (x0 + c, y0 + h)]
        codes += [Path.MOVETO, Path.LINETO]
    ax.add_patch(PathPatch(Path(verts, codes), fill=False, edgecolor=F.COLORS["edge"], linewidth=0.4))
    lit = np.zeros((h, w), dtype=bool)
    for r, c in on:
        lit[r, c] = True
    if on:
        hl = F.COLORS["window"] if g["id"] == "input" else F.COLORS["current"]
        face = np.full((h, w), hl, dtype=object)
        values = np.array([[g["cells"][r][c] if lit[r, c] else "" for c in range(w)] for r in range(h)], dtype=object)
        rows, cols = np.nonzero(lit)
        r0, c0 = rows.min(), cols.min()
        sub = (slice(r0, rows.max() + 1), slice(c0, cols.max() + 1))
        keep = lit[sub]
        vals = np.where(keep, values[sub], "")
        fc = np.where(keep, face[sub], fills[sub]).astype(object)
        F.draw_grid(ax, vals, x0 + c0, y0 + r0, fc, bold=keep, hatch=(marks[sub] == "pad") & ~keep, fmt=str)
        F.outline(ax, x0 + c0, y0 + r0, rows.max() - r0 + 1, cols.max() - c0 + 1, lw=1.4)
    ax.text(x0, y0 - 0.12, g["id"], ha="left", va="bottom", fontsize=7, color=F.COLORS["text"])


def strip(case: Case) -> tuple[bytes, str]:
    """The case as one static SVG: every number once, then every frame small, laid out like the output."""
    data = step_data(case)
    steps = data["steps"]
    out = next(g for g in data["grids"] if g["id"] == "output")
    oh, ow = len(out["cells"]), len(out["cells"][0])
    head_w, head_h, _ = _frame_layout(data)
    small = [g for g in data["grids"] if g["id"] != "kernel"]
    fw = sum(len(g["cells"][0]) for g in small) + 1.0 * (len(small) - 1) + 1.2
    fh = max(len(g["cells"]) for g in small) + 1.5
    width = max(head_w, ow * fw)
    top = 1.2 + head_h + 0.8
    fig, ax = F._new(width, top + oh * fh)
    ax.text(0, 0.1, data["title"], ha="left", va="top", fontsize=10, fontweight="bold", color=F.COLORS["text"])
    _row(ax, data, None, 1.2)
    for n, s in enumerate(steps):
        r, c = divmod(n, ow)
        y0 = top + r * fh + 0.9
        x = c * fw
        ax.text(x, y0 - 0.5, f"{n + 1}: {s['name']} = {s['value']}", ha="left", va="bottom", fontsize=8, color=F.COLORS["text"])
        for g in small:
            _small(ax, g, {(int(a), int(b)) for a, b in s["cells"].get(g["id"], [])}, x, y0)
            x += len(g["cells"][0]) + 1.0
    alt = (
        f"{data['title']}: the input, kernel and output with every number, then the {len(steps)} frames, "
        "one per output position, each showing the window's input cells with their numbers and the output entry they give."
    )
    return F.to_svg(fig), alt


FIGURES: dict[str, Any] = {"gallery_gif": gif, "gallery_strip": strip}
