"""Computations specific to the cards of deck 3: cross-correlation versus convolution.

Pure functions on top of :mod:`generator.core`; the templates typeset their results.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import core
from ..examples import Example
from ..figures import COLORS, _new, draw_grid, outline, to_svg
from ..figures import legend_items as _legend
from ..spec import CardSpec
from .deck2 import _fmt_str

Examples = dict[str, Example]
NOT_THIS = "#ffcdd2"  # a kernel that is not the flip


# ----------------------------------------------------------------------------- pure helpers


def full_correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full-mode cross-correlation ``a ⋆ b``: zero padding ``k - 1`` on each side, so every overlap counts.

    >>> full_correlation(np.array([[1, 2]]), np.array([[1, -1]]))
    array([[-1, -1,  2]])
    """
    a, b = core.as_2d(a), core.as_2d(b)
    kh, kw = b.shape
    return core.corr2d(a, b, core.params(padding=(kh - 1, kw - 1)))


def full_convolution(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full-mode true convolution ``a * b``: the full correlation with ``b`` rotated by 180°.

    >>> full_convolution(np.array([[1, 2]]), np.array([[1, -1]]))
    array([[ 1,  1, -2]])
    """
    return full_correlation(a, core.flip(core.as_2d(b)))


def source_indices(shape: tuple[int, int]) -> np.ndarray:
    """Where each entry of ``rot180(k)`` comes from: entry ``(a, b)`` is ``k[kh-1-a, kw-1-b]``.

    Returns the 1-based source ``(row, col)`` of every entry, shape ``(kh, kw, 2)``.
    """
    kh, kw = shape
    a, b = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    return np.stack([kh - a, kw - b], axis=-1)


def _index_symbols(idx: np.ndarray, symbol: str = "w") -> np.ndarray:
    out = np.empty(idx.shape[:-1], dtype=object)
    for pos in np.ndindex(out.shape):
        out[pos] = f"{symbol}_{{{idx[pos][0]}{idx[pos][1]}}}"
    return out


# ----------------------------------------------------------------------------- cards


def flip_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    """Rotation steps for the first example; Sobel's transpose-versus-flip for the second."""
    exs = list(examples.values())
    first = exs[0]
    k = core.as_2d(first.k)
    idx = np.stack(np.meshgrid(np.arange(1, k.shape[0] + 1), np.arange(1, k.shape[1] + 1), indexing="ij"), axis=-1)
    out: dict[str, Any] = {
        "k": k,
        "rows_reversed": k[::-1, :],
        "rot": core.flip(k),
        "T": k.T,
        "k_sym": _index_symbols(idx),
        "rot_sym": _index_symbols(source_indices(k.shape)),
        "rot_is_T": bool(np.array_equal(core.flip(k), k.T)),
    }
    if len(exs) > 1:
        s = exs[1]
        S = core.as_2d(s.k)
        rot, T = core.flip(S), S.T
        out["sobel"] = {
            "e": s,
            "S": S,
            "rot": rot,
            "T": T,
            "rot_is_minus": bool(np.array_equal(rot, -S)),
            "T_is_rot": bool(np.array_equal(T, rot)),
            "conv": core.corr2d(s.x, rot, s.params),
            "with_T": core.corr2d(s.x, T, s.params),
            "results_differ": not np.array_equal(core.corr2d(s.x, rot, s.params), core.corr2d(s.x, T, s.params)),
        }
    return out


def _pair(e: Example) -> dict[str, Any]:
    """Correlation and convolution of one example, with the first output entry as products."""
    x, k, p = core.as_2d(e.x), core.as_2d(e.k), e.params
    rot = core.flip(k)
    corr, conv = core.corr2d(x, k, p), core.conv2d(x, k, p)
    patch = core.windows(x, k.shape, p)[0, 0]
    return {
        "e": e,
        "k": k,
        "rot": rot,
        "corr": corr,
        "conv": conv,
        "corr_with_rot": core.corr2d(x, rot, p),
        "identity": bool(np.array_equal(conv, core.corr2d(x, rot, p))),
        "equal": bool(np.array_equal(corr, conv)),
        "symmetric": bool(np.array_equal(rot, k)),
        "patch": patch,
    }


def conv_vs_corr_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    return {"pairs": [_pair(e) for e in examples.values()]}


def why_correlation_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    e = next(iter(examples.values()))
    x, k = core.as_2d(e.x), core.as_2d(e.k)
    xk_conv, kx_conv = full_convolution(x, k), full_convolution(k, x)
    xk_corr, kx_corr = full_correlation(x, k), full_correlation(k, x)
    valid = core.ConvParams()
    learned = core.corr2d(x, k, valid)
    as_conv = core.conv2d(x, core.flip(k), valid)
    return {
        "x": x,
        "k": k,
        "rot": core.flip(k),
        "learned": learned,
        "as_conv": as_conv,
        "absorbed": bool(np.array_equal(learned, as_conv)),
        "xk_conv": xk_conv,
        "kx_conv": kx_conv,
        "xk_corr": xk_corr,
        "kx_corr": kx_corr,
        "conv_commutes": bool(np.array_equal(xk_conv, kx_conv)),
        "corr_commutes": bool(np.array_equal(xk_corr, kx_corr)),
        "corr_swap_is_rot": bool(np.array_equal(kx_corr, core.flip(xk_corr))),
        "full_shape": xk_conv.shape,
        "pad": (k.shape[0] - 1, k.shape[1] - 1),
    }


# ----------------------------------------------------------------------------- figures


def _tagged(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Cell labels ``value`` with the 1-based original position ``(a,b)`` underneath."""
    out = np.empty(values.shape, dtype=object)
    for pos in np.ndindex(values.shape):
        from ..latex import num

        out[pos] = f"{num(values[pos])}\n({idx[pos][0]},{idx[pos][1]})"
    return out


def rotation_figure(e: Example) -> tuple[bytes, str]:
    """``k``, its rows reversed, then its columns reversed (= rot180), and, apart, its transpose."""
    k = core.as_2d(e.k)
    kh, kw = k.shape
    idx = np.stack(np.meshgrid(np.arange(1, kh + 1), np.arange(1, kw + 1), indexing="ij"), axis=-1)
    steps = [
        ("kernel w", k, idx),
        ("rows reversed", k[::-1, :], idx[::-1, :]),
        ("then columns reversed:\nrot180(w)", core.flip(k), idx[::-1, ::-1]),
        ("not this: transpose kᵀ", k.T, np.transpose(idx, (1, 0, 2))),
    ]
    gap = 2.0
    fig, ax = _new(4 * kw + 3 * gap, kh + 1.7)
    green = np.full(k.shape, COLORS["kernel"], dtype=object)
    for n, (title, vals, ids) in enumerate(steps):
        x0 = n * (kw + gap)
        fills = green if n < 3 else np.full(vals.shape, NOT_THIS, dtype=object)
        draw_grid(ax, _tagged(vals, ids), x0, 1.0, fills, title, fmt=_fmt_str)
        if n < 3:
            outline(ax, x0, 1.0, kh, kw, color=COLORS["edge"], lw=1.2)
        if 0 < n < 3:
            ax.text(x0 - gap / 2, 1.0 + kh / 2, "→", ha="center", va="center", fontsize=16, color="#e65100")
    ax.plot([3 * (kw + gap) - gap / 2] * 2, [0.6, kh + 1.2], color=COLORS["edge"], lw=1, ls="--")
    _legend(
        ax,
        [
            ("kernel", "kernel value, with its original position (row, column)", False),
            (NOT_THIS, "the transpose: a different kernel", False),
        ],
        ncol=1,
    )
    alt = (
        f"The {kh}×{kw} kernel, each cell showing its value and its original (row, column): first as given, then with its rows "
        "reversed, then also its columns reversed, which is the 180° rotation used by true convolution; set apart on the right, the "
        "transpose, whose cells land elsewhere."
    )
    for t in ax.texts:  # two-line labels are smaller
        if "\n" in t.get_text() and t.get_va() == "center":
            t.set_fontsize(8)
    return to_svg(fig), alt


def corr_conv_figure(e: Example) -> tuple[bytes, str]:
    """The first window of the input, correlated with ``k`` (top) and with ``rot180(k)`` (bottom)."""
    x, k = core.as_2d(e.x), core.as_2d(e.k)
    pair = _pair(e)
    kh, kw = k.shape
    h, w = x.shape
    oh, ow = pair["corr"].shape
    gap = 1.6
    width = w + gap + kw + gap + ow
    row_h = max(h, kh) + 1.6
    fig, ax = _new(width, 2 * row_h)
    for n, (name, kern, out) in enumerate(
        [("kernel w (correlation ⋆)", k, pair["corr"]), ("rot180(w) (convolution *)", pair["rot"], pair["conv"])]
    ):
        y0 = n * row_h + 0.7
        fills = np.full(x.shape, COLORS["input"], dtype=object)
        fills[:kh, :kw] = COLORS["window"]
        draw_grid(ax, x, 0, y0, fills, "input x")
        outline(ax, 0, y0, kh, kw)
        kx = w + gap
        ax.text(kx - gap / 2, y0 + kh / 2, "⋆", ha="center", va="center", fontsize=18, color=COLORS["text"])
        draw_grid(ax, kern, kx, y0, np.full(kern.shape, COLORS["kernel"], dtype=object), name)
        ox = kx + kw + gap
        ax.text(ox - gap / 2, y0 + kh / 2, "=", ha="center", va="center", fontsize=14, color=COLORS["text"])
        of = np.full(out.shape, COLORS["output"], dtype=object)
        of[0, 0] = COLORS["current"]
        draw_grid(ax, out, ox, y0, of, "x ⋆ w" if n == 0 else "x * w")
        outline(ax, ox, y0, 1, 1)
    _legend(
        ax,
        [
            ("input", "input", False),
            ("window", "input under the kernel (first window)", False),
            ("kernel", "kernel", False),
            ("output", "output", False),
            ("current", "first output entry", False),
        ],
    )
    alt = (
        f"Top: the {h}×{w} input with its first window in orange, the {kh}×{kw} kernel w and the {oh}×{ow} cross-correlation. "
        "Bottom: the same window with the kernel rotated by 180°, giving the true convolution; the first output entry is outlined in both"
        + (", and the two outputs differ." if not pair["equal"] else ", and the two outputs are equal because the kernel is symmetric.")
    )
    return to_svg(fig), alt


def full_mode_figure(e: Example) -> tuple[bytes, str]:
    """The four full-mode results: x*k and k*x (equal), x⋆k and k⋆x (rotations of each other)."""
    f = why_correlation_extra(None, {e.name: e})  # type: ignore[arg-type]
    x, k = f["x"], f["k"]
    oh, ow = f["full_shape"]
    gap = 1.4
    fig, ax = _new(max(x.shape[1] + gap + k.shape[1], 4 * ow + 3 * gap), max(x.shape[0], k.shape[0]) + oh + 3.2)
    draw_grid(ax, x, 0, 0.6, np.full(x.shape, COLORS["input"], dtype=object), "input x")
    draw_grid(ax, k, x.shape[1] + gap, 0.6, np.full(k.shape, COLORS["kernel"], dtype=object), "kernel w")
    y0 = max(x.shape[0], k.shape[0]) + 1.8
    panels = [("x * w", f["xk_conv"]), ("w * x", f["kx_conv"]), ("x ⋆ w", f["xk_corr"]), ("w ⋆ x", f["kx_corr"])]
    for n, (title, arr) in enumerate(panels):
        x0 = n * (ow + gap)
        draw_grid(ax, arr, x0, y0, np.full(arr.shape, COLORS["output"], dtype=object), title)
    _legend(ax, [("input", "input", False), ("kernel", "kernel", False), ("output", "full-mode output", False)])
    same = "equal" if f["conv_commutes"] else "different"
    alt = (
        f"The {x.shape[0]}×{x.shape[1]} input and {k.shape[0]}×{k.shape[1]} kernel, then four {oh}×{ow} full-mode results: "
        f"the convolutions x*k and k*x ({same}), and the cross-correlations x⋆k and k⋆x, "
        + ("which differ: one is the other rotated by 180°." if f["corr_swap_is_rot"] and not f["corr_commutes"] else "compared.")
    )
    return to_svg(fig), alt


EXTRAS: dict[str, Any] = {
    "flip-kernel": flip_extra,
    "conv-vs-corr": conv_vs_corr_extra,
    "why-correlation": why_correlation_extra,
}
FIGURES: dict[str, Any] = {
    "rotation_steps": rotation_figure,
    "corr_conv_windows": corr_conv_figure,
    "full_mode_results": full_mode_figure,
}
