"""Computations specific to the cards of deck 5 (conventions and pitfalls).

Every value a deck-5 page shows beyond its examples is computed here from the card's
examples and its ``data:`` (which holds only inputs: sizes to tabulate). Where the
YAML gives a padding that a convention should produce, the convention's padding is
computed here and compared with it, so a spec that disagrees fails the build.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import core
from ..errors import Problem, SpecError
from ..examples import Example
from ..spec import CardSpec

# ----------------------------------------------------------------------------- conventions


def same_split(k: int, d: int = 1) -> tuple[int, int]:
    """PyTorch's ``padding='same'`` (stride 1): total ``d(k-1)``, the smaller half before.

    >>> same_split(3), same_split(4), same_split(2)
    ((1, 1), (1, 2), (0, 1))
    """
    total = d * (k - 1)
    return total // 2, total - total // 2


def tf_same_split(i: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TensorFlow-style ``SAME``: total ``max((ceil(i/s) - 1)s + d(k-1) + 1 - i, 0)``, smaller half before.

    >>> tf_same_split(6, 3, 2), tf_same_split(5, 3, 2), tf_same_split(4, 1, 2)
    ((0, 1), (1, 1), (0, 0))
    """
    total = max((math.ceil(i / s) - 1) * s + d * (k - 1) + 1 - i, 0)
    return total // 2, total - total // 2


def gap_dilated_kernel(k: np.ndarray, gaps: int) -> np.ndarray:
    """The kernel with ``gaps`` zeros between taps (the "holes" convention, 0 = contiguous).

    Built with a Kronecker product, independently of :func:`generator.core.dilate`.

    >>> gap_dilated_kernel(np.array([[1, 2], [3, 4]]), 1)
    array([[1, 0, 2],
           [0, 0, 0],
           [3, 0, 4]])
    """
    k = core.as_2d(k)
    cell = np.zeros((gaps + 1, gaps + 1), dtype=k.dtype)
    cell[0, 0] = 1
    big = np.kron(k, cell)
    return big[: big.shape[0] - gaps, : big.shape[1] - gaps]


def coverage(in_hw: tuple[int, int], k_hw: tuple[int, int], p: core.ConvParams) -> np.ndarray:
    """How many windows read each cell of the *padded* input (one strided slice per kernel tap)."""
    h, w = in_hw
    t, b, l, r = p.padding
    counts = np.zeros((h + t + b, w + l + r), dtype=np.int64)
    oh, ow = core.output_shape(in_hw, k_hw, p)
    (sh, sw), (dh, dw) = p.stride, p.dilation
    for a in range(k_hw[0]):
        for c in range(k_hw[1]):
            counts[a * dh : a * dh + sh * (oh - 1) + 1 : sh, c * dw : c * dw + sw * (ow - 1) + 1 : sw] += 1
    return counts


def unused_lines(counts: np.ndarray, padding: tuple[int, int, int, int], in_hw: tuple[int, int]) -> dict[str, list[int]]:
    """Rows and columns (1-based, of the input and of the padding) that no window reads."""
    t, _, l, _ = padding
    h, w = in_hw
    rows = [r for r in range(counts.shape[0]) if not counts[r].any()]
    cols = [c for c in range(counts.shape[1]) if not counts[:, c].any()]
    return {
        "input_rows": [r - t + 1 for r in rows if t <= r < t + h],
        "input_cols": [c - l + 1 for c in cols if l <= c < l + w],
        "padding_rows": [r for r in rows if not t <= r < t + h],
        "padding_cols": [c for c in cols if not l <= c < l + w],
    }


def _lines(what: str, idx: list[int]) -> str:
    """``input rows 5 and 6`` / ``column 6`` / ``no column``: a list of 1-based indices in words, never a Python list."""
    if not idx:
        return f"no {what}"
    nums = ", ".join(str(i) for i in idx[:-1]) + (" and " if len(idx) > 1 else "") + str(idx[-1])
    return f"{what}{'s' if len(idx) > 1 else ''} {nums}"


def ceil_mode_size(i: int, k: int, s: int, p: int) -> int:
    """PyTorch pooling with ``ceil_mode=True``: round up, but the last window must start inside the input or left padding."""
    o = -(-(i + 2 * p - k) // s) + 1
    if (o - 1) * s >= i + p:
        o -= 1
    return o


# ----------------------------------------------------------------------------- checks


def _require(card: CardSpec, fld: str, expected: str, got: object, ok: bool) -> None:
    if not ok:
        raise SpecError([Problem(card.file, card.id, fld, expected, str(got))])


def _example(card: CardSpec, ex: dict[str, Example], name: str) -> Example:
    _require(card, "examples", f"an example named '{name}'", ", ".join(ex) or "none", name in ex)
    return ex[name]


# ----------------------------------------------------------------------------- extras


def padding_conventions(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    per = _example(card, ex, "per_side")
    even = _example(card, ex, "even_same")
    tf = _example(card, ex, "tf_same")
    # per side vs total
    i, k = per.in_hw[1], per.k_hw[1]
    p = per.padding[2]
    _require(card, "examples.per_side.padding", "the same padding on every side", per.padding, len(set(per.padding)) == 1)
    s = per.stride[1]
    total = 2 * p
    misread = (p // 2, p - p // 2)  # the number read as a total, split the PyTorch way
    per_side = {
        "i": i, "k": k, "s": s, "p": p, "total": total,
        "num_per_side": i + 2 * p - k, "o_per_side": core.output_size(i, k, s, p, p),
        "num_total": i + total - k, "o_total": core.output_size(i, k, s, total // 2, total - total // 2),
        "misread": misread, "num_misread": i + p - k, "o_misread": core.output_size(i, k, s, *misread),
        "out_shape": per.out_hw,
    }
    # even kernel, stride 1: the split that keeps o = i
    ie, ke = even.in_hw[1], even.k_hw[1]
    rows = []
    for kk in [*card.data.get("even_kernels", []), ke]:
        before, after = same_split(kk)
        o = core.output_size(ie, kk, 1, before, after)
        rows.append({"k": kk, "total": before + after, "before": before, "after": after, "o": o})
    rows = sorted({r["k"]: r for r in rows}.values(), key=lambda r: r["k"])
    want = same_split(ke)
    _require(card, "examples.even_same.padding", f"PyTorch's 'same' split {want} (top/left, bottom/right) for k = {ke}",
             even.padding, even.padding == (*want, *same_split(even.k_hw[0])) and even.stride == (1, 1))
    _require(card, "examples.even_same", "an output as large as the input", even.out_hw, even.out_hw == even.in_hw)
    # TensorFlow-style SAME with a stride
    it, kt, st = tf.in_hw[1], tf.k_hw[1], tf.stride[1]
    tf_rows = []
    for ii in [*card.data.get("tf_sizes", []), it]:
        before, after = tf_same_split(ii, kt, st)
        tf_rows.append({
            "i": ii, "ceil": math.ceil(ii / st), "num": (math.ceil(ii / st) - 1) * st + kt - ii,
            "total": before + after, "before": before, "after": after, "o": core.output_size(ii, kt, st, before, after),
        })
    tf_rows = sorted({r["i"]: r for r in tf_rows}.values(), key=lambda r: r["i"])
    want_tf = tf_same_split(it, kt, st)
    _require(card, "examples.tf_same.padding", f"TensorFlow's SAME split {want_tf} for i = {it}, k = {kt}, s = {st}",
             tf.padding, tf.padding == (*tf_same_split(tf.in_hw[0], tf.k_hw[0], tf.stride[0]), *want_tf))
    tf_main = next(r for r in tf_rows if r["i"] == it)
    _require(card, "examples.tf_same", "an output of ceil(i/s) per side", tf.out_hw, tf.out_hw == (tf_main["ceil"], tf_main["ceil"]))
    parity = [
        {"d": dd, "cells": [{"k": kk, "total": dd * (kk - 1), "odd": bool(dd * (kk - 1) % 2), "split": same_split(kk, dd)}
                            for kk in card.data.get("parity_kernels", [])]}
        for dd in card.data.get("parity_dilations", [])
    ]
    return {
        "parity": parity, "parity_kernels": list(card.data.get("parity_kernels", [])),
        "per_side": per_side,
        "even": {"i": ie, "k": ke, "split": want, "rows": rows, "total": sum(want), "padded": even.padded_input.shape},
        "tf": {"i": it, "k": kt, "s": st, "split": want_tf, "row": tf_main, "rows": tf_rows},
    }


def dilation_conventions(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    dil = _example(card, ex, "dilated")
    con = _example(card, ex, "contiguous")
    d = dil.dilation[1]
    _require(card, "examples.dilated.dilation", "the same dilation (at least 2) along both axes", dil.dilation, dil.dilation[0] == d >= 2)
    _require(card, "examples.contiguous", "the dilated example's input and kernel with dilation 1",
             "different arrays or parameters",
             np.array_equal(con.x, dil.x) and np.array_equal(con.k, dil.k) and con.dilation == (1, 1))
    g = d - 1
    k_torch = core.dilate(dil.k, dil.dilation)
    k_gap = gap_dilated_kernel(dil.k, g)
    _require(card, "examples.dilated", "the two dilation conventions to give one kernel", "two kernels", np.array_equal(k_torch, k_gap))
    # the gap-convention output: correlate with the explicitly holed kernel, contiguous
    out_gap = core.corr2d(dil.x, k_gap, core.ConvParams(stride=dil.stride, padding=dil.padding))
    _require(card, "examples.dilated", "the two conventions to give one output", "two outputs", np.array_equal(out_gap, dil.output))
    i, k, s, p = dil.in_hw[1], dil.k_hw[1], dil.stride[1], dil.padding[2]
    span_torch = d * (k - 1) + 1
    span_gap = k + (k - 1) * g
    rows = [{"d": dd, "g": dd - 1, "span": core.effective_kernel_size(k, dd)} for dd in card.data.get("dilations", [1, 2, 3])]
    return {
        "d": d, "g": g, "k": k, "i": i, "s": s, "p": p,
        "k_torch": k_torch, "k_gap": k_gap, "out_gap": out_gap,
        "span_torch": span_torch, "span_gap": span_gap,
        "num": i + 2 * p - span_torch, "o": core.output_size(i, k, s, p, p, d),
        "num_contiguous": i + 2 * p - k, "o_contiguous": core.output_size(i, k, s, p, p, 1),
        "rows": rows,
    }


def floor_vs_invalid(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    out: dict[str, Any] = {"examples": {}}
    for name, e in ex.items():
        i, k, s, p = e.in_hw[0], e.k_hw[0], e.stride[0], e.padding[0]
        counts = coverage(e.in_hw, e.k_hw, e.params)
        t = e.padding
        unused = unused_lines(counts, t, e.in_hw)
        last = (e.out_hw[0] - 1) * s + e.dilation[0] * (k - 1)  # last padded row any window reads (0-based)
        out["examples"][name] = {
            "i": i, "k": k, "s": s, "p": p, "num": i + 2 * p - k, "a": (i + 2 * p - k) % s, "q": (i + 2 * p - k) // s,
            "o": e.out_hw[0], "o_ceil": ceil_mode_size(i, k, s, p), "counts": counts, "unused": unused,
            "last_read": last + 1, "padded": i + 2 * p, "input_counts": counts[t[0] : t[0] + e.in_hw[0], t[2] : t[2] + e.in_hw[1]],
        }
    rows = []
    for case in card.data.get("cases", []):
        i, k, s, p = (int(case[n]) for n in ("i", "k", "s", "p"))
        cp = core.params(stride=s, padding=p)
        counts = coverage((i, i), (k, k), cp)
        un = unused_lines(counts, cp.padding, (i, i))
        rows.append({
            "i": i, "k": k, "s": s, "p": p, "a": (i + 2 * p - k) % s, "o": core.output_size(i, k, s, p),
            "o_ceil": ceil_mode_size(i, k, s, p), "unused_input": un["input_rows"], "unused_padding": len(un["padding_rows"]),
        })
    out["rows"] = rows
    return out


def nhwc_order(shape: tuple[int, int, int]) -> np.ndarray:
    """For a (C, H, W) array: the NCHW (channel-major) position of each entry of the NHWC (channels-last) vector."""
    return np.arange(int(np.prod(shape))).reshape(shape).transpose(1, 2, 0).ravel()


def flattening_order(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    e = _example(card, ex, "orders")
    _require(card, "examples.orders", "a multi-channel 2-D forward example", e.operation, e.multi and not e.transposed_op)
    x, y = e.x, e.output  # (c_in, H, W), (c_out, OH, OW)
    _require(card, "examples.orders.kernel", "weights of shape (2, 2, kh, kw): the page names x_1, x_2 and w_11 .. w_22",
             e.k.shape, e.k.shape[:2] == (2, 2))
    C_nchw = e.C
    x_nchw, x_nhwc = x.ravel(), x.transpose(1, 2, 0).ravel()
    perm_in, perm_out = nhwc_order(x.shape), nhwc_order(y.shape)
    C_nhwc = C_nchw[perm_out][:, perm_in]  # rows and columns reordered: NHWC output from NHWC input
    prod_nchw, prod_nhwc = C_nchw @ x_nchw, C_nhwc @ x_nhwc
    y_nhwc = prod_nhwc.reshape(y.shape[1], y.shape[2], y.shape[0]).transpose(2, 0, 1)
    _require(card, "examples", "the two layouts to give one output", "two outputs",
             np.array_equal(prod_nchw.reshape(y.shape), y) and np.array_equal(y_nhwc, y))
    mixed = C_nchw @ x_nhwc
    cin, h, w = x.shape
    return {
        "x": x, "y": y, "C_nchw": C_nchw, "C_nhwc": C_nhwc, "x_nchw": x_nchw, "x_nhwc": x_nhwc,
        "prod_nchw": prod_nchw, "prod_nhwc": prod_nhwc, "y_nhwc_grid": prod_nhwc.reshape(y.shape[1], y.shape[2], y.shape[0]),
        "differ": int(np.count_nonzero(C_nchw != C_nhwc)), "size": C_nchw.size,
        "perm_in": perm_in + 1, "cin": cin, "h": h, "w": w, "shape_nhwc": (1, h, w, cin), "shape_nchw": (1, cin, h, w),
        "mixed": mixed, "mixed_wrong": not np.array_equal(mixed, prod_nchw),
        "mixed_grid": mixed.reshape(y.shape),
    }


# card id -> function(card, examples) -> dict, available to the card's template as `extra`.
EXTRAS: dict[str, Any] = {
    "padding-conventions": padding_conventions,
    "dilation-conventions": dilation_conventions,
    "floor-vs-invalid": floor_vs_invalid,
    "flattening-order": flattening_order,
}


# ----------------------------------------------------------------------------- figures

UNREAD = "#ef9a9a"  # input cells no window reads


def _fills(shape: tuple[int, ...], color: str) -> np.ndarray:
    return np.full(shape, color, dtype=object)


def _op(ax: Any, x: float, y: float, sym: str, size: int = 16) -> None:
    from ..figures import COLORS

    ax.text(x, y, sym, ha="center", va="center", fontsize=size, color=COLORS["text"])


def _legend(ax: Any, items: list[tuple[str, str, bool]], ncol: int = 3) -> None:
    """A legend from ``(color, label, hatched)`` triples, below the drawing."""
    from ..figures import COLORS, _matplotlib

    _, _, Patch, _ = _matplotlib()
    handles = [Patch(facecolor=c, edgecolor=COLORS["edge"], hatch="///" if h else None, label=lab) for c, lab, h in items]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=ax.transAxes, ncol=ncol, frameon=False, fontsize=8)


def _corner_index(ax: Any, idx: np.ndarray, x0: float, y0: float) -> None:
    for (r, c), n in np.ndenumerate(idx):
        ax.text(x0 + c + 0.06, y0 + r + 0.06, str(int(n)), ha="left", va="top", fontsize=6, color="#6a1b9a")


def fig_dilation_conventions(ex: Example) -> tuple[bytes, str]:
    """Both conventions on one example: taps d apart vs a holed kernel slid contiguously; one output."""
    from ..figures import COLORS, _new, draw_grid, outline, to_svg

    x, k, out = core.as_2d(ex.x), core.as_2d(ex.k), core.as_2d(ex.output)
    d = ex.dilation[0]
    kd = gap_dilated_kernel(k, d - 1)
    h, w = x.shape
    gap = 1.6
    width = w + gap + kd.shape[1] + gap + out.shape[1]
    row_h = max(h, kd.shape[0]) + 2.2
    fig, ax = _new(width, 2 * row_h)
    labels = (f"kernel ({k.shape[0]}×{k.shape[1]}), d = {d}", f"kernel with holes ({kd.shape[0]}×{kd.shape[1]})")
    for n, (kern, label) in enumerate(((k, labels[0]), (kd, labels[1]))):
        y0 = n * row_h + 1.2
        zeros = f"{d - 1} zero{'s' if d > 2 else ''}"
        head = f"spacing (PyTorch, TensorFlow): dilation d = {d}"
        if n == 1:
            head = f"holes: g = {d - 1}, so {zeros} between taps, then contiguous"
        ax.text(0, y0 - 0.9, head, ha="left", va="bottom", fontsize=10, color=COLORS["text"], fontweight="bold")
        fills = _fills(x.shape, COLORS["input"])
        taps = np.zeros(x.shape, dtype=bool)
        taps[: d * (k.shape[0] - 1) + 1 : d, : d * (k.shape[1] - 1) + 1 : d] = True
        fills[taps] = COLORS["window"]
        draw_grid(ax, x, 0, y0, fills, f"input ({h}×{w})", bold=taps)
        outline(ax, 0, y0, kd.shape[0], kd.shape[1])
        kx = w + gap
        _op(ax, kx - gap / 2, y0 + kern.shape[0] / 2, "⋆", 20)
        kf = _fills(kern.shape, COLORS["kernel"])
        if n == 1:
            holes = np.ones(kern.shape, dtype=bool)
            holes[::d, ::d] = False
            kf[holes] = COLORS["zero"]
        draw_grid(ax, kern, kx, y0, kf, label)
        ox = kx + kd.shape[1] + gap
        _op(ax, ox - gap / 2, y0 + kern.shape[0] / 2, "=")
        of = _fills(out.shape, COLORS["output"])
        of[0, 0] = COLORS["current"]
        draw_grid(ax, out, ox, y0, of, f"output ({out.shape[0]}×{out.shape[1]})")
        outline(ax, ox, y0, 1, 1)
    _legend(ax, [
        (COLORS["input"], "input", False), (COLORS["window"], "input under a kernel tap", False), (COLORS["kernel"], "kernel tap", False),
        (COLORS["zero"], "inserted zero (hole)", False), (COLORS["output"], "output", False),
        (COLORS["current"], "output being computed", False),
    ])
    alt = (
        f"Two rows. Top: the {h}×{w} input correlated with the {k.shape[0]}×{k.shape[1]} kernel at dilation {d}, "
        f"its taps {d} cells apart (orange). Bottom: the same input correlated contiguously with the "
        f"{kd.shape[0]}×{kd.shape[1]} kernel that has {zeros} between its taps. "
        f"Both give the same {out.shape[0]}×{out.shape[1]} output; its first entry is outlined."
    )
    return to_svg(fig), alt


def fig_coverage(ex: Example) -> tuple[bytes, str]:
    """The padded input coloured by whether any window reads each cell, every window outlined, the kernel and the output."""
    from ..figures import COLORS, _new, draw_grid, outline, to_svg

    counts = coverage(ex.in_hw, ex.k_hw, ex.params)
    xp, k, out = ex.padded_input, core.as_2d(ex.kernel_used), core.as_2d(ex.output)
    t, _, l, _ = ex.padding
    h, w = ex.in_hw
    pad_mask = np.ones(xp.shape, dtype=bool)
    pad_mask[t : t + h, l : l + w] = False
    fills = _fills(xp.shape, COLORS["input"])
    fills[pad_mask] = COLORS["padding"]
    fills[(counts == 0) & ~pad_mask] = UNREAD
    gap = 1.6
    H, W = xp.shape
    width = W + gap + k.shape[1] + gap + out.shape[1]
    fig, ax = _new(width, max(H, k.shape[0]) + 1.0)
    y0 = 0.7
    padded = ", padded" if pad_mask.any() else ""
    draw_grid(ax, xp, 0, y0, fills, f"input ({h}×{w}){padded}", hatch=pad_mask, bold=(counts == 0) & ~pad_mask)
    (sh, sw), (dh, dw) = ex.stride, ex.dilation
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            outline(ax, c * sw, y0 + r * sh, dh * (k.shape[0] - 1) + 1, dw * (k.shape[1] - 1) + 1, lw=1.2)
    kx = W + gap
    draw_grid(ax, k, kx, y0, _fills(k.shape, COLORS["kernel"]), f"kernel ({k.shape[0]}×{k.shape[1]})")
    ox = kx + k.shape[1] + gap
    _op(ax, ox - gap / 2, y0 + k.shape[0] / 2, "→")
    draw_grid(ax, out, ox, y0, _fills(out.shape, COLORS["output"]), f"output ({out.shape[0]}×{out.shape[1]})")
    unread = bool(((counts == 0) & ~pad_mask).any())
    items = [(COLORS["input"], "input read by a window", False)] + ([(UNREAD, "input never read", False)] if unread else [])
    if pad_mask.any():
        items.append((COLORS["padding"], "zero padding", True))
    items += [(COLORS["kernel"], "kernel", False), (COLORS["output"], "output", False)]
    _legend(ax, items)
    un = unused_lines(counts, ex.padding, ex.in_hw)
    never = (f"{_lines('input row', un['input_rows'])} and {_lines('column', un['input_cols'])} (counting from 1) are never read, shown red"
             if un["input_rows"] or un["input_cols"] else "every input cell is read; only padding is left unread")
    alt = (
        f"The {h}×{w} input{' with its zero padding hatched' if pad_mask.any() else ''}, every stride-{sw} window outlined in orange, "
        f"beside the {k.shape[0]}×{k.shape[1]} kernel and the {out.shape[0]}×{out.shape[1]} output: {never}."
    )
    return to_svg(fig), alt


def fig_flatten_orders(ex: Example) -> tuple[bytes, str]:
    """The channels of the input, each cell with its position in the NCHW and in the NHWC vector, then both vectors."""
    from ..figures import _new, draw_grid, to_svg

    x = ex.x
    cin, h, w = x.shape
    shades = ["#bbdefb", "#ffe0b2", "#c8e6c9", "#f8bbd0"]
    nchw_pos = np.arange(x.size).reshape(x.shape) + 1
    nhwc_pos = np.argsort(nhwc_order(x.shape)).reshape(x.shape) + 1
    gap = 1.2
    n = x.size
    fig, ax = _new(max(2 * (cin * w + (cin - 1) * gap) + gap * 2, n + 2.5), 0.8 + h + 1.6 + 4 * 2.4 + 0.8)
    y0 = 0.8
    x0 = 0.0
    for label, pos in (("NCHW", nchw_pos), ("NHWC", nhwc_pos)):
        for c in range(cin):
            draw_grid(ax, x[c], x0, y0, _fills((h, w), shades[c % len(shades)]), f"input channel {c + 1} ({label})")
            _corner_index(ax, pos[c], x0, y0)
            x0 += w + gap
        x0 += gap
    channel_of = np.repeat(np.arange(cin), h * w)
    y = ex.output
    co, oh, ow = y.shape
    rows = (
        ("input x.flatten(), NCHW", x.ravel(), channel_of),
        ("input, NHWC", x.transpose(1, 2, 0).ravel(), np.tile(np.arange(cin), h * w)),
        ("output y.flatten(), NCHW", y.ravel(), np.repeat(np.arange(co), oh * ow)),
        ("output, NHWC", y.transpose(1, 2, 0).ravel(), np.tile(np.arange(co), oh * ow)),
    )
    vy = y0 + h + 1.6
    for title, vec, chans in rows:
        fills = np.array([shades[c % len(shades)] for c in chans], dtype=object)[None, :]
        draw_grid(ax, vec[None, :], 0, vy, fills, title)
        vy += 2.4
    ax.text(0, vy - 0.4, f"The kernel (weight {ex.k.shape}) is the same in both layouts; only the rows and columns of C move.",
            ha="left", va="top", fontsize=9)
    _legend(ax, [(shades[c % len(shades)], f"channel {c + 1} (of the input, or of the output)", False) for c in range(max(cin, co))],
            ncol=2)
    ax.text(0, 0.3, "small number in a corner: the cell's position in that layout's vector", ha="left", va="bottom", fontsize=8)
    alt = (
        f"The {cin} channels of a {h}×{w} input drawn twice, each cell marked with its position in the channels-first (NCHW) "
        f"and in the channels-last (NHWC) vector; below, the two vectors of {n} entries coloured by channel: NCHW keeps each "
        "channel together, NHWC interleaves the channels cell by cell; the output's two vectors below them likewise. Same values, "
        "different order, so C's columns (input) and rows (output) are permuted; the kernel is unchanged."
    )
    return to_svg(fig), alt


# figure kind -> function(obj, **kw) -> (svg bytes, alt text), called as `figure("kind", obj)`.
FIGURES: dict[str, Any] = {
    "dilation_conventions": fig_dilation_conventions,
    "coverage": fig_coverage,
    "flatten_orders": fig_flatten_orders,
}
