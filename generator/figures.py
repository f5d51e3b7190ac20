"""Figures drawn with matplotlib (Agg) from an example's arrays.

Functions return a :class:`Figure` or SVG bytes; they never write files.
matplotlib is imported on first use, so a run that draws nothing never pays for it.
SVG output is deterministic: fixed ``svg.hashsalt``, no date, text kept as text.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from .latex import num
from .svgmin import minify

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .examples import Example

COLORS = {
    "input": "#bbdefb",
    "padding": "#eeeeee",
    "window": "#ffcc80",
    "kernel": "#c8e6c9",
    "output": "#e1bee7",
    "current": "#ce93d8",
    "zero": "#ffffff",
    "edge": "#37474f",
    "text": "#212121",
}
CELL = 0.42  # inches per cell
_mpl = None


def _matplotlib():
    global _mpl
    if _mpl is None:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams.update(
            {
                "svg.hashsalt": "convcards",
                "svg.fonttype": "none",
                "font.family": "DejaVu Sans",
                "font.size": 9,
                "path.simplify": True,
            }
        )
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch, Rectangle

        _mpl = (matplotlib, plt, Patch, Rectangle)
    return _mpl


def to_svg(fig: Figure) -> bytes:
    """Serialise a figure to SVG bytes, deterministically, and close it.

    The drawing is cropped to its content plus 0.05 in, as ``bbox_inches="tight"``
    would, but from one layout pass instead of a full extra draw; the SVG is then
    made small by :func:`generator.svgmin.minify` (same drawing, about a sixth of the bytes).
    """
    _, plt, _, _ = _matplotlib()
    buf = io.BytesIO()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.05)
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=bbox, facecolor="white")
    plt.close(fig)
    # matplotlib writes its version in a comment; drop it so bytes do not change with upgrades.
    lines = [ln for ln in buf.getvalue().splitlines(keepends=True) if not ln.lstrip().startswith(b"<!-- Created with matplotlib")]
    return minify(b"".join(lines))


def draw_grid(
    ax: Any,
    values: np.ndarray,
    x0: float,
    y0: float,
    fills: np.ndarray | None = None,
    title: str = "",
    bold: np.ndarray | None = None,
    hatch: np.ndarray | None = None,
    fmt=num,
) -> None:
    """Draw ``values`` as labelled cells with the top-left corner at ``(x0, y0)`` (y grows down).

    The cells and their one-line labels are two artists (:func:`_grid_artists`) that write
    into SVG exactly what a Rectangle and a Text per cell would, at a fraction of the cost.
    A label of several lines (or mathtext) stays a Text of its own, so callers may restyle it.
    """
    values = np.atleast_2d(values)
    h, w = values.shape
    cells: list[tuple[float, float, str, bool]] = []
    labels: list[tuple[float, float, str, str]] = []
    for r in range(h):
        for c in range(w):
            face = fills[r, c] if fills is not None else COLORS["input"]
            cells.append((x0 + c, y0 + r, str(face), bool(hatch is not None and hatch[r, c])))
            weight = "bold" if bold is not None and bold[r, c] else "normal"
            label = str(fmt(values[r, c]))
            if not label:  # as Text draws nothing for an empty string
                continue
            if "\n" in label or "$" in label:
                ax.text(x0 + c + 0.5, y0 + r + 0.5, label, ha="center", va="center", fontsize=9, color=COLORS["text"], fontweight=weight)
            else:
                labels.append((x0 + c + 0.5, y0 + r + 0.5, label, weight))
    rects, texts = _grid_artists()
    ax.add_artist(rects(cells))
    if labels:
        ax.add_artist(texts(labels))
    if title:
        ax.text(x0 + w / 2, y0 - 0.12, title, ha="center", va="bottom", fontsize=9, color=COLORS["text"])


_GRID_ARTISTS: tuple[Any, Any] | None = None


def _grid_artists() -> tuple[Any, Any]:
    """The classes of :func:`draw_grid`'s two artists (defined once matplotlib is imported).

    ``CellRects`` (zorder 1, as patches) and ``CellLabels`` (zorder 3, as texts) keep a
    prototype Rectangle / Text per style. For SVG they configure the graphics context the
    way ``Patch.draw`` / ``Text.draw`` do, once per style, and then only convert each cell's
    corners and write one element: the same bytes, without an artist, a transform stack
    and a style computation per cell. Any other renderer draws the prototypes cell by cell.
    """
    global _GRID_ARTISTS
    if _GRID_ARTISTS is not None:
        return _GRID_ARTISTS
    _, _, _, Rectangle = _matplotlib()
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_svg import RendererSVG, _generate_css, _short_float_fmt
    from matplotlib.path import Path
    from matplotlib.text import Text
    from matplotlib.transforms import IdentityTransform

    def svg_of(renderer: Any) -> Any:
        base = getattr(renderer, "_renderer", renderer)
        return base if isinstance(base, RendererSVG) else None

    class CellRects(Artist):
        zorder = 1

        def __init__(self, cells: list[tuple[float, float, str, bool]]):
            super().__init__()
            self.cells = cells

        def _proto(self, x: float, y: float, face: str, hatched: bool) -> Any:
            rect = Rectangle((x, y), 1, 1, facecolor=face, edgecolor=COLORS["edge"], linewidth=0.6, hatch="///" if hatched else None)
            rect.set_figure(self.get_figure())
            rect.axes = self.axes
            rect.set_transform(self.axes.transData)
            rect.set_clip_path(self.axes.patch)
            return rect

        def get_window_extent(self, renderer: Any = None) -> Any:
            from matplotlib.transforms import Bbox

            xs = [c[0] for c in self.cells]
            ys = [c[1] for c in self.cells]
            return Bbox([[min(xs), min(ys)], [max(xs) + 1, max(ys) + 1]]).transformed(self.axes.transData)

        def draw(self, renderer: Any) -> None:
            if not self.get_visible() or not self.cells:
                return
            svg = svg_of(renderer)
            if svg is None:
                for cell in self.cells:
                    self._proto(*cell).draw(renderer)
                return
            xy = np.array([(x, y) for x, y, _, _ in self.cells], dtype=float)
            lo = self.axes.transData.transform(xy)
            hi = self.axes.transData.transform(xy + 1.0)
            styles: dict[tuple[str, bool], tuple[dict[str, str], str]] = {}
            codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
            for (x, y, face, hatched), (ax0, ay0), (ax1, ay1) in zip(self.cells, lo, hi, strict=True):
                key = (face, hatched)
                if key not in styles:
                    proto = self._proto(x, y, face, hatched)
                    gc = svg.new_gc()
                    gc.set_linewidth(proto._linewidth)
                    gc.set_capstyle(proto._capstyle)
                    gc.set_joinstyle(proto._joinstyle)
                    gc.set_antialiased(proto._antialiased)
                    proto._set_gc_clip(gc)
                    gc.set_alpha(proto._alpha)
                    if proto._hatch:
                        gc.set_hatch(proto._hatch)
                        gc.set_hatch_color(proto.get_hatchcolor())
                        gc.set_hatch_linewidth(proto._hatch_linewidth)
                    gc.set_foreground(proto._edgecolor, isRGBA=True)
                    gc.set_dashes(*proto._dash_pattern)
                    rgb_face = proto._facecolor if proto._facecolor[3] else None
                    styles[key] = (svg._get_clip_attrs(gc), svg._get_style(gc, rgb_face))
                    gc.restore()
                clip, style = styles[key]
                # the unit square's corners, as Rectangle's path: (0,0) (1,0) (1,1) (0,1), closed; y flipped as SVG's
                path = Path([(ax0, ay0), (ax1, ay0), (ax1, ay1), (ax0, ay1), (ax0, ay0)], codes)
                flip = svg._make_flip_transform(IdentityTransform())
                data = svg._convert_path(path, flip, clip=False, simplify=False)
                svg.open_group("patch", None)
                svg.writer.element("path", d=data, **clip, style=style)
                svg.close_group("patch")
            self.stale = False

    class CellLabels(Artist):
        zorder = 3

        def __init__(self, items: list[tuple[float, float, str, str]]):
            super().__init__()
            self.items = items
            self.set_in_layout(False)  # inside their cells: the cells set the extent

        def _proto(self, x: float, y: float, s: str, weight: str) -> Text:
            t = Text(x, y, s, ha="center", va="center", fontsize=9, color=COLORS["text"], fontweight=weight)
            t.set_figure(self.get_figure())
            t.axes = self.axes
            t.set_transform(self.axes.transData)
            t.set_clip_path(self.axes.patch)
            return t

        def draw(self, renderer: Any) -> None:
            if not self.get_visible():
                return
            svg = svg_of(renderer)
            if svg is None:
                for item in self.items:
                    self._proto(*item).draw(renderer)
                return
            protos: dict[str, Text] = {}
            styles: dict[str, str] = {}
            baseline: dict[tuple[str, str], float] = {}
            pos = self.axes.transData.transform(np.array([(x, y) for x, y, _, _ in self.items], dtype=float))
            for (x, y, s, weight), (px, py) in zip(self.items, pos, strict=True):
                if weight not in protos:
                    proto = protos[weight] = self._proto(x, y, s, weight)
                    prop = proto._fontproperties
                    font = {}
                    if weight != "normal":
                        font["font-weight"] = "700"
                    font["font-size"] = f"{_short_float_fmt(prop.get_size())}px"
                    font["font-family"] = ", ".join(repr(f) for f in prop.get_family())
                    font["text-anchor"] = "middle"
                    font["fill"] = COLORS["text"]
                    styles[weight] = _generate_css(font)
                if (s, weight) not in baseline:
                    proto = protos[weight]
                    proto.set_text(s)
                    _, info, _ = proto._get_layout(svg)
                    baseline[(s, weight)] = info[0][2][1]
                svg.open_group("text", None)
                y_svg = svg.height - (py + baseline[(s, weight)])  # the baseline, as Text.draw passes it
                svg.writer.element("text", s, style=styles[weight], x=_short_float_fmt(px), y=_short_float_fmt(y_svg))
                svg.close_group("text")
            self.stale = False

    _GRID_ARTISTS = (CellRects, CellLabels)
    return _GRID_ARTISTS


def outline(ax: Any, x0: float, y0: float, h: float, w: float, color: str = "#e65100", lw: float = 2.2) -> None:
    _, _, _, Rectangle = _matplotlib()
    ax.add_patch(Rectangle((x0, y0), w, h, fill=False, edgecolor=color, linewidth=lw))


def _fixed_limits(patch: Any) -> None:
    """Stands in for ``Axes._update_patch_limits`` on our axes, whose view limits are set by hand."""


def _new(width_cells: float, height_cells: float) -> tuple[Figure, Any]:
    _, plt, _, _ = _matplotlib()
    fig = plt.figure(figsize=(max(width_cells * CELL, 2.0), max(height_cells * CELL, 1.0)))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.2, width_cells + 0.2)
    ax.set_ylim(height_cells + 0.2, -0.2)
    # The limits are fixed: skip the data-limit bookkeeping of every add_patch (a fifth of the drawing time).
    ax._update_patch_limits = _fixed_limits
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


LEGEND_LABELS = {
    "input": "input",
    "padding": "zero padding",
    "window": "input under the kernel",
    "kernel": "kernel",
    "output": "output",
    "current": "output being computed",
}


def legend(ax: Any, keys: list[str], x: float, y: float) -> None:
    """A legend naming each kind of cell, placed below the drawing at ``(x, y)``."""
    legend_items(ax, [(k, LEGEND_LABELS[k], k == "padding") for k in keys])


def legend_items(ax: Any, items: list[tuple[str, str, bool]], ncol: int = 3) -> None:
    """A legend from ``(colour or COLORS key, label, hatched)`` triples, placed below the drawing."""
    _, _, Patch, _ = _matplotlib()
    handles = [
        Patch(facecolor=COLORS.get(key, key), edgecolor=COLORS["edge"], hatch="///" if hatched else None, label=label)
        for key, label, hatched in items
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, 0),
        bbox_transform=ax.transAxes,
        ncol=min(ncol, len(items)),
        frameon=False,
        fontsize=8,
    )


class _MplCanvas:
    """:class:`SvgFigure`'s drawing calls made with matplotlib (the reference drawing the tests compare with)."""

    def __init__(self, width: float, height: float):
        self.fig, self.ax = _new(width, height)
        self.legend_keys: list[str] = []

    def grid(self, values: np.ndarray, x0: float, y0: float, fills: np.ndarray, title: str = "", bold=None, hatch=None, fmt=num) -> None:
        draw_grid(self.ax, values, x0, y0, fills, title, bold=bold, hatch=hatch, fmt=fmt)

    def outline(self, x0: float, y0: float, h: float, w: float) -> None:
        outline(self.ax, x0, y0, h, w)

    def symbol(self, x: float, y: float, s: str, size: int) -> None:
        self.ax.text(x, y, s, ha="center", va="center", fontsize=size, color=COLORS["text"])

    def svg(self, title: str = "") -> bytes:
        if self.legend_keys:
            legend(self.ax, self.legend_keys, 0, 0)
        return to_svg(self.fig)


def sliding_window(ex: Example, max_positions: int = 9) -> tuple[bytes, str]:
    """One row per output position: padded input with the window, the kernel, the output.

    Returns the SVG (written directly, :class:`SvgFigure`) and its alt text. At most
    ``max_positions`` positions are drawn (spread evenly over the output) so large examples
    stay readable.
    """
    return _sliding_window(ex, max_positions, SvgFigure)


def _sliding_window_matplotlib(ex: Example, max_positions: int = 9) -> tuple[bytes, str]:
    """:func:`sliding_window` drawn by matplotlib: the reference its SVG writer is tested against."""
    return _sliding_window(ex, max_positions, _MplCanvas)


def _sliding_window(ex: Example, max_positions: int, canvas: Any) -> tuple[bytes, str]:
    xp = ex.padded_input
    k = np.atleast_2d(ex.kernel_used)  # 1-D kernels are one row
    out = np.atleast_2d(ex.output)
    t, _, l, _ = ex.padding
    (sh, sw), (dh, dw) = ex.stride, ex.dilation
    kh, kw = k.shape
    h, w = core_shape = xp.shape
    positions = [(r, c) for r in range(out.shape[0]) for c in range(out.shape[1])]
    if len(positions) > max_positions:
        idx = np.linspace(0, len(positions) - 1, max_positions).round().astype(int)
        positions = [positions[i] for i in idx]
    gap = 1.6
    width = w + gap + kw + gap + out.shape[1]
    row_h = max(h, kh, out.shape[0]) + 1.9
    fig = canvas(width, row_h * len(positions))
    pad_mask = np.ones(core_shape, dtype=bool)
    pad_mask[t : t + ex.in_hw[0], l : l + ex.in_hw[1]] = False
    for n, (r, c) in enumerate(positions):
        y0 = n * row_h + 0.7
        fills = np.where(pad_mask, COLORS["padding"], COLORS["input"]).astype(object)
        taps = np.zeros(core_shape, dtype=bool)
        taps[r * sh : r * sh + dh * (kh - 1) + 1 : dh, c * sw : c * sw + dw * (kw - 1) + 1 : dw] = True
        fills[taps] = COLORS["window"]
        fig.grid(
            xp, 0, y0, fills, f"input ({ex.in_hw[0]}×{ex.in_hw[1]})" + (", padded" if pad_mask.any() else ""), bold=taps, hatch=pad_mask
        )
        fig.outline(c * sw, y0 + r * sh, dh * (kh - 1) + 1, dw * (kw - 1) + 1)
        kx = w + gap
        fig.symbol(kx - gap / 2, y0 + kh / 2, "⋆", 20)
        fig.grid(k, kx, y0, np.full(k.shape, COLORS["kernel"], dtype=object), f"kernel ({kh}×{kw})")
        ox = kx + kw + gap
        fig.symbol(ox - gap / 2, y0 + kh / 2, "=", 14)
        ofill = np.full(out.shape, COLORS["output"], dtype=object)
        ofill[r, c] = COLORS["current"]
        bold = np.zeros(out.shape, dtype=bool)
        bold[r, c] = True
        fig.grid(out, ox, y0, ofill, f"output ({out.shape[0]}×{out.shape[1]})", bold=bold)
        fig.outline(ox + c, y0 + r, 1, 1)
    keys = ["input", "window", "kernel", "output", "current"] + (["padding"] if pad_mask.any() else [])
    fig.legend_keys = keys
    shown = "every" if len(positions) == out.size else f"{len(positions)} of the {out.size}"
    alt = (
        f"The {ex.in_hw[0]}×{ex.in_hw[1]} input"
        + (" with its zero padding hatched" if pad_mask.any() else "")
        + f", the {kh}×{kw} kernel and the {out.shape[0]}×{out.shape[1]} output, drawn for "
        + (f"{shown} output position" if len(positions) == 1 else f"{shown} output position" + ("" if shown == "every" else "s"))
        + ": the input cells under the kernel are orange and the output entry they produce is outlined."
    )
    return fig.svg(alt), alt


# ----------------------------------------------------------------------------- direct SVG
# The grid figures written as SVG text from the numbers, without matplotlib: the same page
# geometry as a matplotlib figure made by _new() and saved by to_svg() (cells of CELL inches
# at 72 points an inch, the axes shrunk to equal aspect and centred, the drawing cropped to
# the axes and the legend plus 0.05 in), the same colours, fonts, hatching and paint order.
# tests/test_svgfigure.py checks every number against the arrays and the painting against
# the matplotlib drawing (_sliding_window_matplotlib), rasterised by Chromium.

PAD_PT = 3.6  # the 0.05 in around the drawing (to_svg's padded tight box)
# DejaVu Sans, in units of the font size: its typographic ascender and descender (OS/2 table),
# the line box matplotlib (3.11) lays every one-line text out with unless a glyph reaches
# beyond it, which none of TEXT_CHARS does (tests check the baselines against matplotlib).
ASCENT, DESCENT = 1556 / 2048, 492 / 2048
TEXT_CHARS = frozenset("0123456789-.,()×⋆= abcdefghijklmnopqrstuvwxyz")
# Widths (points at 8 px, as matplotlib measures them: tests check them against it) of the legend's labels.
LEGEND_WIDTH = {
    "input": 20.5775,
    "zero padding": 52.18125,
    "input under the kernel": 89.3975,
    "kernel": 24.63375,
    "output": 26.38625,
    "output being computed": 94.21625,
}
_LEGEND_FONT = 8.0
_HATCH_LINES = "".join(f"M{a - 36} {a + 36} {a + 36} {a - 36}" for a in range(0, 73, 4))


def _f(v: float) -> str:
    """A coordinate in tenths of a point, shortest form ("-0" is "0")."""
    s = f"{round(v, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class SvgFigure:
    """A figure of ``width`` by ``height`` cells (data units, y down), written as SVG text.

    Cells, outlines, texts and a legend are collected, then :meth:`svg` lays them out the
    way matplotlib would have and writes them: rectangles first, texts over them, legend last.
    """

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        fig_w = max(width * CELL, 2.0) * 72
        fig_h = max(height * CELL, 1.0) * 72
        dx, dy = width + 0.4, height + 0.4
        self.s = s = min(fig_w / dx, fig_h / dy)  # points per cell
        self.ax = ((fig_w - s * dx) / 2, (fig_h - s * dy) / 2, s * dx, s * dy)  # x, y, w, h of the axes box
        self.rects: list[tuple[str, str]] = []  # (style key, path data), in paint order
        self.texts: list[tuple[str, float, float, str]] = []  # (style key, x, y baseline, text)
        self.legend_keys: list[str] = []
        self._labels: dict[tuple, list[str]] = {}

    @staticmethod
    def _check(s: str) -> None:
        if not TEXT_CHARS.issuperset(s):  # another glyph may be taller than the line box assumed here
            raise ValueError(f"a text the SVG writer cannot lay out: {s!r}")

    def _text(self, key: str, x: float, y: float, s: str) -> None:
        self._check(s)
        self.texts.append((key, x, y, s))

    def X(self, x: float) -> float:
        return self.ax[0] + (x + 0.2) * self.s

    def Y(self, y: float) -> float:
        return self.ax[1] + (y + 0.2) * self.s

    def grid(self, values: np.ndarray, x0: float, y0: float, fills: np.ndarray, title: str = "",
             bold: np.ndarray | None = None, hatch: np.ndarray | None = None, fmt=num) -> None:
        """``values`` as numbered cells, top-left corner at ``(x0, y0)``, as :func:`draw_grid` draws them."""
        values = np.atleast_2d(values)
        h, w = values.shape
        key = (values.dtype.str, values.shape, values.tobytes(), fmt)
        labels = self._labels.get(key)
        if labels is None:  # the input, kernel and output are drawn once per position: their labels made once
            labels = self._labels[key] = [str(fmt(v)) for v in values.ravel().tolist()]
            for label in labels:
                self._check(label)
        xs = [self.X(x0 + c) for c in range(w + 1)]
        ys = [self.Y(y0 + r) for r in range(h + 1)]
        cx = [self.X(x0 + c + 0.5) for c in range(w)]
        base = [self.Y(y0 + r + 0.5) + 9 * (ASCENT - DESCENT) / 2 for r in range(h)]
        for r in range(h):
            for c in range(w):
                hatched = hatch is not None and hatch[r, c]
                self.rects.append((("h" if hatched else "f") + str(fills[r, c]), (xs[c], ys[r], xs[c + 1], ys[r + 1])))
                label = labels[r * w + c]
                if label:
                    self.texts.append(("b" if bold is not None and bold[r, c] else "n", cx[c], base[r], label))
        if title:
            self._text("n", self.X(x0 + w / 2), self.Y(y0 - 0.12) - 9 * DESCENT, title)

    def outline(self, x0: float, y0: float, h: float, w: float) -> None:
        self.rects.append(("o", (self.X(x0), self.Y(y0), self.X(x0 + w), self.Y(y0 + h))))

    def symbol(self, x: float, y: float, s: str, size: int) -> None:
        """A centred one-line text of ``size`` px (the ⋆ and = between the grids)."""
        self._text(str(size), self.X(x), self.Y(y) + size * (ASCENT - DESCENT) / 2, s)

    def _legend_layout(self) -> tuple[list[tuple[float, float, str, str, bool]], tuple[float, float, float, float]]:
        """Legend items (x of the handle, baseline, colour, label, hatched) and the legend's box,
        as matplotlib's legend below the axes: 3 columns filled top to bottom."""
        keys = self.legend_keys
        fs = _LEGEND_FONT
        ncol = min(3, len(keys))
        nrows, extra = divmod(len(keys), ncol)
        sizes = [nrows + 1] * extra + [nrows] * (ncol - extra)
        text_h = fs * (ASCENT + DESCENT)
        left, top = self.ax[0] + 0.5 * fs + 0.4 * fs, self.ax[1] + self.ax[3] + 0.5 * fs + 0.4 * fs
        items, x, i = [], left, 0
        for size in sizes:
            col = keys[i : i + size]
            i += size
            for row, key in enumerate(col):
                base = top + row * (text_h + 0.5 * fs) + fs * ASCENT
                items.append((x, base, COLORS[key], LEGEND_LABELS[key], key == "padding"))
            x += 2.0 * fs + 0.8 * fs + max(LEGEND_WIDTH[LEGEND_LABELS[k]] for k in col) + 2.0 * fs
        width = x - 2.0 * fs - left + 0.8 * fs
        height = max(sizes) * text_h + (max(sizes) - 1) * 0.5 * fs + 0.8 * fs
        return items, (left - 0.4 * fs, top - 0.4 * fs, width, height)

    def svg(self, title: str = "") -> bytes:
        items, lbox = self._legend_layout() if self.legend_keys else ([], None)
        ax_x, ax_y, ax_w, ax_h = self.ax
        x0, y0, x1, y1 = ax_x, ax_y, ax_x + ax_w, ax_y + ax_h
        if lbox:
            x0, y0 = min(x0, lbox[0]), min(y0, lbox[1])
            x1, y1 = max(x1, lbox[0] + lbox[2]), max(y1, lbox[1] + lbox[3])
        ox, oy = x0 - PAD_PT, y0 - PAD_PT
        W, H = x1 - x0 + 2 * PAD_PT, y1 - y0 + 2 * PAD_PT

        classes: dict[str, str] = {}
        patterns: dict[str, str] = {}
        rules: list[str] = []
        edge = COLORS["edge"]

        def cls(key: str) -> str:
            if key in classes:
                return classes[key]
            name = classes[key] = f"s{len(classes)}"
            if key[0] in "fh":
                face = key[1:]
                if key[0] == "h":
                    pid = patterns.setdefault(face, f"h{len(patterns)}")
                    face = f"url(#{pid})"
                rules.append(f".{name}{{fill:{face};stroke:{edge};stroke-width:.6}}")
            elif key == "o":
                rules.append(f".{name}{{fill:none;stroke:#e65100;stroke-width:2.2}}")
            elif key in ("n", "b"):
                rules.append(f".{name}{{font-size:9px;fill:{COLORS['text']}" + (";font-weight:700}" if key == "b" else "}"))
            elif key == "l":
                rules.append(f".{name}{{font-size:8px;text-anchor:start}}")
            elif key.startswith("lh"):
                rules.append(f".{name}{{fill:{key[2:]};stroke:{edge}}}")
            else:
                rules.append(f".{name}{{font-size:{key}px;fill:{COLORS['text']}}}")
            return name

        body: list[str] = [f'<path d="M0 0H{_f(W)}V{_f(H)}H0Z" fill="#fff"/>']

        def t(v: float) -> int:  # a coordinate of the cropped drawing in whole tenths
            return round(v * 10)

        def box(r: tuple[float, float, float, float]) -> str:
            a, b, c, d = (_f(r[0] - ox), _f(r[1] - oy), _f(r[2] - ox), _f(r[3] - oy))
            return f"M{a} {b}H{c}V{d}H{a}Z"

        def boxes(rs: list[tuple[float, float, float, float]]) -> str:
            """Rectangles as one path: a rectangle that starts on the row of the one before
            moves there relatively (after Z the pen is back at the previous rectangle's corner)."""
            out, prev = [], None
            for r in rs:
                x0, y0, x1, y1 = (t(r[0] - ox), t(r[1] - oy), t(r[2] - ox), t(r[3] - oy))
                if prev is not None and y0 == prev[1]:
                    move = f"m{_f((x0 - prev[0]) / 10)} 0"
                else:
                    move = f"M{_f(x0 / 10)} {_f(y0 / 10)}"
                out.append(f"{move}H{_f(x1 / 10)}V{_f(y1 / 10)}H{_f(x0 / 10)}Z")
                prev = (x0, y0)
            return "".join(out)

        ax_box = (ax_x, ax_y, ax_x + ax_w, ax_y + ax_h)
        body.append('<g clip-path="url(#c)">')  # cells, outlines and texts are clipped to the axes, as matplotlib's are
        # rectangles in paint order; consecutive ones of one style share a path; none outside the axes
        run_key, run = None, []
        for key, r in self.rects + [("", None)]:
            if r is not None and (r[2] <= ax_box[0] or r[0] >= ax_box[2] or r[3] <= ax_box[1] or r[1] >= ax_box[3]):
                continue
            if key != run_key and run:
                body.append(f'<path class="{cls(run_key)}" d="{boxes(run)}"/>')
                run = []
            run_key = key
            if r is not None:
                run.append(r)
        # texts: consecutive labels of one style on one baseline share a <text>; one-character
        # labels side by side share an x list (each character its own chunk, centred on its x)
        body.append('<g font-family="DejaVu Sans" text-anchor="middle">')
        run_key, run = None, []

        def line(items: list[tuple[float, float, str]]) -> str:
            segs: list[tuple[list[str], str]] = []
            for x, _, s in items:
                if len(s) == 1 and segs and len(segs[-1][1]) == len(segs[-1][0]):
                    segs[-1][0].append(_f(x - ox))
                    segs[-1] = (segs[-1][0], segs[-1][1] + _esc(s))
                else:
                    segs.append(([_f(x - ox)], _esc(s)))
            first = segs[0]
            rest = "".join(f'<tspan x="{" ".join(xs)}">{s}</tspan>' for xs, s in segs[1:])
            return f'<text x="{" ".join(first[0])}" y="{_f(items[0][1] - oy)}">{first[1]}{rest}</text>'

        for key, x, y, s in self.texts + [("", 0.0, 0.0, "")]:
            if key != run_key and run:
                lines: list[list[tuple[float, float, str]]] = []
                for item in run:
                    if lines and " " not in item[2] and " " not in lines[-1][-1][2] and t(item[1] - oy) == t(lines[-1][-1][1] - oy):
                        lines[-1].append(item)
                    else:
                        lines.append([item])
                texts = "".join(line(li) for li in lines)
                one = texts.replace("<text ", f'<text class="{cls(run_key)}" ', 1)
                body.append(f'<g class="{cls(run_key)}">{texts}</g>' if len(lines) > 1 else one)
                run = []
            run_key = key
            if s:
                run.append((x, y, s))
        body.append("</g></g>")
        if items:
            body.append('<g font-family="DejaVu Sans">')
            for x, base, color, label, hatched in items:
                if hatched:
                    pid = patterns.setdefault(color, f"h{len(patterns)}")
                    fill = f"url(#{pid})"
                else:
                    fill = color
                body.append(f'<path class="{cls("lh" + fill)}" d="{box((x, base - 0.7 * _LEGEND_FONT, x + 2.0 * _LEGEND_FONT, base))}"/>')
                body.append(f'<text class="{cls("l")}" x="{_f(x + 2.8 * _LEGEND_FONT - ox)}" y="{_f(base - oy)}">{_esc(label)}</text>')
            body.append("</g>")
        defs = [f'<clipPath id="c"><rect x="{_f(ax_x - ox)}" y="{_f(ax_y - oy)}" width="{_f(ax_w)}" height="{_f(ax_h)}"/></clipPath>']
        for face, pid in patterns.items():
            defs.append(
                f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="72" height="72">'
                f'<rect width="73" height="73" fill="{face}"/>'
                f'<path d="{_HATCH_LINES}" fill="none" stroke="{edge}"/></pattern>'
            )
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(W)}pt" height="{_f(H)}pt" viewBox="0 0 {_f(W)} {_f(H)}">'
            + (f"<title>{_esc(title)}</title>" if title else "")
            + "<defs><style>*{stroke-linejoin:miter;stroke-linecap:butt}"
            + "".join(rules)
            + "</style>"
            + "".join(defs)
            + "</defs>"
        )
        return ("\n".join([head, *body, "</svg>"]) + "\n").encode("utf-8")
