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


def sliding_window(ex: Example, max_positions: int = 9) -> tuple[bytes, str]:
    """One row per output position: padded input with the window, the kernel, the output.

    Returns the SVG and its alt text. At most ``max_positions`` positions are drawn
    (spread evenly over the output) so large examples stay readable.
    """
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
    fig, ax = _new(width, row_h * len(positions))
    pad_mask = np.ones(core_shape, dtype=bool)
    pad_mask[t : t + ex.in_hw[0], l : l + ex.in_hw[1]] = False
    for n, (r, c) in enumerate(positions):
        y0 = n * row_h + 0.7
        fills = np.where(pad_mask, COLORS["padding"], COLORS["input"]).astype(object)
        taps = np.zeros(core_shape, dtype=bool)
        taps[r * sh : r * sh + dh * (kh - 1) + 1 : dh, c * sw : c * sw + dw * (kw - 1) + 1 : dw] = True
        fills[taps] = COLORS["window"]
        draw_grid(
            ax, xp, 0, y0, fills, f"input ({ex.in_hw[0]}×{ex.in_hw[1]})" + (", padded" if pad_mask.any() else ""), bold=taps, hatch=pad_mask
        )
        outline(ax, c * sw, y0 + r * sh, dh * (kh - 1) + 1, dw * (kw - 1) + 1)
        kx = w + gap
        ax.text(kx - gap / 2, y0 + kh / 2, "⋆", ha="center", va="center", fontsize=20, color=COLORS["text"])
        draw_grid(ax, k, kx, y0, np.full(k.shape, COLORS["kernel"], dtype=object), f"kernel ({kh}×{kw})")
        ox = kx + kw + gap
        ax.text(ox - gap / 2, y0 + kh / 2, "=", ha="center", va="center", fontsize=14, color=COLORS["text"])
        ofill = np.full(out.shape, COLORS["output"], dtype=object)
        ofill[r, c] = COLORS["current"]
        bold = np.zeros(out.shape, dtype=bool)
        bold[r, c] = True
        draw_grid(ax, out, ox, y0, ofill, f"output ({out.shape[0]}×{out.shape[1]})", bold=bold)
        outline(ax, ox + c, y0 + r, 1, 1)
    keys = ["input", "window", "kernel", "output", "current"] + (["padding"] if pad_mask.any() else [])
    legend(ax, keys, 0, 0)
    shown = "every" if len(positions) == out.size else f"{len(positions)} of the {out.size}"
    alt = (
        f"The {ex.in_hw[0]}×{ex.in_hw[1]} input"
        + (" with its zero padding hatched" if pad_mask.any() else "")
        + f", the {kh}×{kw} kernel and the {out.shape[0]}×{out.shape[1]} output, drawn for "
        + (f"{shown} output position" if len(positions) == 1 else f"{shown} output position" + ("" if shown == "every" else "s"))
        + ": the input cells under the kernel are orange and the output entry they produce is outlined."
    )
    return to_svg(fig), alt
