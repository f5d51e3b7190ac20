"""Computations specific to the cards of deck 1 (the sliding window).

Each ``EXTRAS`` function takes the card spec and its built examples and returns the
numbers the card shows beyond its examples (tables, per-axis sizes, coverage maps,
counterexamples). Numbers in a card's ``data:`` are inputs; everything returned is
computed here with :mod:`generator.core`. ``FIGURES`` draws from the same arrays.
Nothing here formats LaTeX or writes files.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .. import core
from .. import figures as F
from ..examples import Example
from ..latex import num
from ..spec import CardSpec

AXES = ("rows", "columns")


# ----------------------------------------------------------------------------- helpers


def relationship(i: int, k: int, p: int, s: int) -> int:
    """The most specific of Relationships 1, 2, 5, 6 (Dumoulin & Visin) for a case.

    >>> relationship(4, 3, 0, 1), relationship(5, 3, 2, 1), relationship(7, 3, 0, 2), relationship(5, 3, 1, 2)
    (1, 2, 5, 6)
    """
    if s == 1:
        return 1 if p == 0 else 2
    return 5 if p == 0 else 6


def size_case(i: int, k: int, p: int, s: int, p_hi: int | None = None, d: int = 1) -> dict[str, Any]:
    """Every step of ``o = floor((i + p_lo + p_hi - d(k-1) - 1)/s) + 1`` along one axis.

    ``span`` is the dilated kernel size; ``reach = i + p_lo + p_hi - span`` is how far the
    window can move; ``left`` is how many padded cells lie past the last window (the
    floor's remainder) and ``dropped`` how many of those are real input cells.
    """
    p_hi = p if p_hi is None else p_hi
    span = core.effective_kernel_size(k, d)
    reach = i + p + p_hi - span
    o = core.output_size(i, k, s, p, p_hi, d)
    left = reach - s * (o - 1)
    return {
        "i": i,
        "k": k,
        "p": p,
        "p_hi": p_hi,
        "s": s,
        "d": d,
        "zeros": d - 1,
        "span": span,
        "reach": reach,
        "o": o,
        "steps": o - 1,
        "left": left,
        "dropped": max(0, left - p_hi),
        "rel": relationship(i, k, p, s) if p == p_hi and d == 1 else None,
    }


def axis_cases(e: Example) -> list[dict[str, Any]]:
    """:func:`size_case` for the rows and the columns of an example."""
    out = []
    for axis in (0, 1):
        c = size_case(e.in_hw[axis], e.k_hw[axis], e.padding[2 * axis], e.stride[axis], e.padding[2 * axis + 1], e.dilation[axis])
        c["axis"] = AXES[axis]
        out.append(c)
    return out


def coverage(e: Example) -> np.ndarray:
    """How many window positions put a kernel tap on each cell of the padded input."""
    xp = e.padded_input
    counts = np.zeros(xp.shape, dtype=np.int64)
    (sh, sw), (dh, dw) = e.stride, e.dilation
    kh, kw = e.k_hw
    oh, ow = e.out_hw
    for r in range(oh):
        for c in range(ow):
            counts[r * sh : r * sh + dh * (kh - 1) + 1 : dh, c * sw : c * sw + dw * (kw - 1) + 1 : dw] += 1
    return counts


def pad_mask(e: Example) -> np.ndarray:
    """True on the padding cells of the padded input."""
    t, _, l, _ = e.padding
    mask = np.ones(e.padded_input.shape, dtype=bool)
    mask[t : t + e.in_hw[0], l : l + e.in_hw[1]] = False
    return mask


def uncovered_lines(e: Example) -> dict[str, list[dict[str, Any]]]:
    """Rows and columns of the padded input that no window touches (1-based), and whether they are padding."""
    counts, mask = coverage(e), pad_mask(e)
    t, _, l, _ = e.padding
    out: dict[str, list[dict[str, Any]]] = {"rows": [], "columns": []}
    for r in np.flatnonzero(counts.sum(axis=1) == 0):
        out["rows"].append({"index": int(r) + 1, "padding": bool(mask[r].all()), "input_index": int(r) - t + 1})
    for c in np.flatnonzero(counts.sum(axis=0) == 0):
        out["columns"].append({"index": int(c) + 1, "padding": bool(mask[:, c].all()), "input_index": int(c) - l + 1})
    return out


def _pool_windows(x: np.ndarray, k: tuple[int, int], s: tuple[int, int]) -> np.ndarray:
    return core.windows(x, k, core.ConvParams(stride=s))


# ----------------------------------------------------------------------------- extras


def cross_correlation(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """The first window, its elementwise product with the kernel, and the sum."""
    e = next(iter(ex.values()))
    w = e.windows[0]
    return {"patch": w.patch, "products": w.patch * e.kernel_used, "value": w.value}


def output_size(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """The table of (i, k, p, s) cases from ``data.cases`` and the example's two axes."""
    cases = [size_case(int(c["i"]), int(c["k"]), int(c["p"]), int(c["s"])) for c in card.data.get("cases", [])]
    e = next(iter(ex.values()))
    floor_case = next((c for c in cases if c["dropped"] > 0), None)
    return {"cases": cases, "axes": axis_cases(e), "uncovered": uncovered_lines(e), "floor_case": floor_case}


def padding_modes(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """Valid, same and full padding of one input; each output size by its relationship."""
    rows = []
    for name, rel in (("valid", 1), ("same", 3), ("full", 4)):
        e = ex[name]
        i, k, p = e.in_hw[0], e.k_hw[0], e.padding[0]
        by_rel = {1: i - k + 1, 3: i, 4: i + (k - 1)}[rel]
        rows.append({"name": name, "ex": e, "rel": rel, "i": i, "k": k, "p": p, "o": by_rel, "matches": e.out_hw == (by_rel, by_rel)})
    even = ex.get("same_even")
    extra: dict[str, Any] = {"modes": rows}
    if even is not None:
        extra["even"] = {
            "ex": even,
            "axes": axis_cases(even),
            "total": even.padding[0] + even.padding[1],
            "keeps_size": even.out_hw == even.in_hw,
        }
    return extra


def strides(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """Coverage of the padded input, the stride-1 output it subsamples, and the asymmetric twin."""
    names = list(ex)
    e = ex[names[0]]
    stride1 = core.corr2d(e.x, e.k, core.ConvParams(padding=e.padding, dilation=e.dilation))
    sh, sw = e.stride
    kept = [(r * sh, c * sw) for r in range(e.out_hw[0]) for c in range(e.out_hw[1])]
    out: dict[str, Any] = {
        "axes": axis_cases(e),
        "coverage": coverage(e),
        "uncovered": uncovered_lines(e),
        "stride1": stride1,
        "kept": kept,
        "subsamples": bool(np.array_equal(stride1[::sh, ::sw], e.output)),
    }
    if len(names) > 1:
        twin = ex[names[1]]
        out["twin"] = twin
        out["twin_axes"] = axis_cases(twin)
        out["twin_equal"] = bool(np.array_equal(twin.output, e.output))
    return out


def dilation(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """The dilated kernel, Relationship 15 per axis, and the same output from the dilated kernel at d = 1."""
    e = next(iter(ex.values()))
    dk = core.dilate(e.k, e.dilation)
    via = core.corr2d(e.x, dk, core.ConvParams(stride=e.stride, padding=e.padding))
    return {"dilated": dk, "axes": axis_cases(e), "via_dilated": via, "same": bool(np.array_equal(via, e.output))}


def _channel_terms(e: Example) -> list[dict[str, Any]]:
    """Per output channel: each input channel's correlation with its kernel, and their sum."""
    c_in, c_out, g = e.x.shape[0], e.k.shape[0], e.params.groups
    per_in, per_out = c_in // g, c_out // g
    out = []
    for o in range(c_out):
        grp = o // per_out
        terms = []
        for j in range(per_in):
            c = grp * per_in + j
            terms.append({"c": c + 1, "j": j + 1, "w": e.k[o, j], "x": e.x[c], "partial": core.corr2d(e.x[c], e.k[o, j], e.params)})
        for t in terms:
            # the window under the kernel at the top-left output position, for one entry worked by hand
            t["patch"] = core.windows(t["x"], e.k_hw, e.params)[0, 0]
            t["value"] = t["partial"][0, 0]
        total = sum(t["partial"] for t in terms)
        out.append({"o": o + 1, "terms": terms, "total": total, "matches": bool(np.array_equal(total, e.output[o]))})
    return out


def channels(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """Per-channel sums, the 1×1 convolution as ``W @ X``, and parameter counts for a real layer."""
    multi = [e for e in ex.values() if e.multi]
    out: dict[str, Any] = {}
    for e in multi:
        c_in, c_out, g = e.x.shape[0], e.k.shape[0], e.params.groups
        info: dict[str, Any] = {
            "ex": e,
            "c_in": c_in,
            "c_out": c_out,
            "groups": g,
            "weight_shape": e.k.shape,
            "n_kernels": e.k.shape[0] * e.k.shape[1],
            "terms": _channel_terms(e),
        }
        if e.k_hw == (1, 1) and g == 1:
            W = e.k[:, :, 0, 0]
            X = e.x.reshape(c_in, -1)
            Y = W @ X
            info.update(W=W, X=X, Y=Y, matches=bool(np.array_equal(Y.reshape(e.output.shape), e.output)))
            out["pointwise"] = info
        elif g == 1:
            out["dense"] = info
        else:
            out["grouped"] = info
    layer = card.data.get("layer")
    if layer:
        ci, co, k = int(layer["c_in"]), int(layer["c_out"]), int(layer["k"])
        out["layer"] = {
            "c_in": ci,
            "c_out": co,
            "k": k,
            "dense": co * ci * k * k,
            "depthwise": ci * 1 * k * k,  # groups = c_in, one kernel per channel
            "pointwise": co * ci,
            "separable": ci * k * k + co * ci,
        }
    return out


def _toeplitz_symbols(k_len: int, n_in: int) -> np.ndarray:
    """The 1-D unrolled matrix with entry ``k_j`` written as a symbol (built from tap indices)."""
    idx = core.unrolled_matrix((n_in,), np.arange(1, k_len + 1))
    return np.where(idx > 0, np.char.add("w_{", np.char.add(idx.astype(str), "}")), "0")


def one_d(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """The banded matrix, its diagonals, and the blocks of a 2-D ``C`` as 1-D Toeplitz matrices."""
    names = list(ex)
    e = ex[names[0]]
    C = e.C
    diagonals = []
    for j in range(len(e.k)):
        diag = np.diagonal(C, offset=j)
        diagonals.append({"offset": j, "values": diag, "constant": bool((diag == e.k[j]).all()), "tap": j + 1})
    # Toeplitz: each entry depends only on (column - row).
    rr, cc = np.indices(C.shape)
    toeplitz = all(len(set(C[(cc - rr) == off].tolist())) == 1 for off in range(-C.shape[0] + 1, C.shape[1]))
    out: dict[str, Any] = {"C": C, "symbols": _toeplitz_symbols(len(e.k), len(e.x)), "diagonals": diagonals, "toeplitz": toeplitz}
    if len(names) > 1:
        e2 = ex[names[1]]
        (h, w), kh, (oh, ow) = e2.in_hw, e2.k_hw[0], e2.out_hw
        rows_T = [core.unrolled_matrix((w,), e2.k[a], core.ConvParams(stride=(1, e2.stride[1]))) for a in range(kh)]
        C2 = e2.C
        # Block (output row R, input row Cb) should be T_a with a = Cb - R (stride 1), zero elsewhere: check it.
        layout = np.full((oh, h), "0", dtype=object)
        blocks_match = e2.stride[0] == 1
        for R in range(oh):
            for Cb in range(h):
                block = C2[R * ow : (R + 1) * ow, Cb * w : (Cb + 1) * w]
                a = Cb - R
                expected = rows_T[a] if 0 <= a < kh else np.zeros_like(block)
                blocks_match = blocks_match and bool(np.array_equal(block, expected))
                if 0 <= a < kh:
                    layout[R, Cb] = f"T_{{{a + 1}}}"
        out["bridge"] = {"ex": e2, "T": rows_T, "layout": layout, "C": C2, "block_shape": (ow, w), "blocks_match": blocks_match}
    return out


def pooling(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    """Relationship 7 per axis, average pooling as ``C @ x``, and max pooling's counterexample."""
    avg = next((e for e in ex.values() if e.operation == "avg_pooling"), None)
    mx = next((e for e in ex.values() if e.operation == "max_pooling"), None)
    out: dict[str, Any] = {}
    base = avg or mx
    if base is not None:
        out["axes"] = axis_cases(base)
        out["uncovered"] = uncovered_lines(base)
    if avg is not None:
        out["avg_product"] = avg.C @ avg.x.ravel()
        out["avg_product_col"] = out["avg_product"][:, np.newaxis]
        out["avg_matches"] = bool(np.allclose(out["avg_product"].reshape(avg.out_hw), avg.output))
    if "a" in card.data and "b" in card.data:
        a, b = np.array(card.data["a"]), np.array(card.data["b"])
        out["counter"] = {
            "a": a,
            "b": b,
            "sum": a + b,
            "max_a": a.max(),
            "max_b": b.max(),
            "max_sum": (a + b).max(),
            "sum_of_max": a.max() + b.max(),
            "mean_a": Fraction(int(a.sum()), a.size),
            "mean_b": Fraction(int(b.sum()), b.size),
            "mean_sum": Fraction(int((a + b).sum()), a.size),
        }
        out["counter"]["linear_fails"] = bool(out["counter"]["max_sum"] != out["counter"]["sum_of_max"])
        out["counter"]["mean_adds"] = out["counter"]["mean_sum"] == out["counter"]["mean_a"] + out["counter"]["mean_b"]
    return out


EXTRAS: dict[str, Any] = {
    "cross-correlation": cross_correlation,
    "output-size": output_size,
    "padding-modes": padding_modes,
    "strides": strides,
    "dilation": dilation,
    "channels": channels,
    "one-d": one_d,
    "pooling": pooling,
}


# ----------------------------------------------------------------------------- figures

EXTRA_COLORS = {"uncovered": "#ef9a9a", "dropped": "#cfd8dc"}
WINDOW_TINTS = ["#ffcc80", "#80deea", "#f48fb1", "#c5e1a5", "#fff59d", "#b39ddb", "#ffab91", "#90caf9", "#a5d6a7"]
WINDOW_EDGES = ["#e65100", "#00838f", "#ad1457", "#558b2f", "#f9a825", "#4527a0", "#bf360c", "#1565c0", "#2e7d32"]




def _text(ax: Any, x: float, y: float, s: str, size: int = 9, **kw: Any) -> None:
    ax.text(x, y, s, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), fontsize=size, color=F.COLORS["text"], **kw)


def sw_pad(e: Example) -> int:
    """Room for a dashed would-be window that sticks out past the grid."""
    return max(e.stride)


def coverage_figure(e: Example) -> tuple[bytes, str]:
    """The padded input with every window outlined, and how many windows cover each cell."""
    xp, counts, mask = e.padded_input, coverage(e), pad_mask(e)
    h, w = xp.shape
    gap = 2.0
    fig, ax = F._new(2 * w + gap + sw_pad(e), h + sw_pad(e) + 1.2)
    fills = np.where(mask, F.COLORS["padding"], F.COLORS["input"]).astype(object)
    fills[counts == 0] = EXTRA_COLORS["uncovered"]
    F.draw_grid(ax, xp, 0, 0.7, fills, f"padded input ({h}×{w})" if mask.any() else f"input ({h}×{w})", hatch=mask)
    (sh, sw), (dh, dw) = e.stride, e.dilation
    kh, kw = e.k_hw
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    last_r, last_c = (e.out_hw[0] - 1) * sh, (e.out_hw[1] - 1) * sw
    _, _, _, Rectangle = F._matplotlib()
    # The last window, solid; one more stride to the right and down, dashed: it would leave the grid.
    F.outline(ax, last_c, 0.7 + last_r, span_h, span_w, color=WINDOW_EDGES[0], lw=2.4)
    for r0, c0 in ((last_r, last_c + sw), (last_r + sh, last_c)):
        ax.add_patch(
            Rectangle(
                (c0 + 0.08, 0.7 + r0 + 0.08),
                span_w - 0.16,
                span_h - 0.16,
                fill=False,
                edgecolor=WINDOW_EDGES[1],
                linewidth=1.8,
                linestyle="--",
            )
        )
    cfills = np.where(counts == 0, EXTRA_COLORS["uncovered"], F.COLORS["window"]).astype(object)
    F.draw_grid(ax, counts, w + gap + sw_pad(e), 0.7, cfills, "windows covering each cell", hatch=mask)
    _, _, Patch, _ = F._matplotlib()
    from matplotlib.lines import Line2D

    handles = [
        Patch(facecolor=c, edgecolor=F.COLORS["edge"], hatch="///" if hh else None, label=lab)
        for c, lab, hh in (
            (F.COLORS["input"], "input", False),
            *([(F.COLORS["padding"], "zero padding", True)] if mask.any() else []),
            (EXTRA_COLORS["uncovered"], "never under the kernel", False),
            (F.COLORS["window"], "covered (count of windows)", False),
        )
    ]
    handles += [
        Line2D([], [], color=WINDOW_EDGES[0], lw=2.4, label="last window"),
        Line2D([], [], color=WINDOW_EDGES[1], lw=1.8, ls="--", label="one more stride: off the edge"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=ax.transAxes, ncol=3, frameon=False, fontsize=8)
    lines = uncovered_lines(e)
    def _name(d: dict[str, Any], axis: str) -> str:
        return f"{axis} {d['index']} of the padded grid (padding)" if d["padding"] else f"input {axis} {d['input_index']}"

    never = [_name(d, "row") for d in lines["rows"]] + [_name(d, "column") for d in lines["columns"]]
    alt = (
        f"The {e.in_hw[0]}×{e.in_hw[1]} input"
        + (f" padded to {h}×{w} (padding hatched)" if mask.any() else "")
        + f", with the last of the {e.out_hw[0] * e.out_hw[1]} windows of the {kh}×{kw} kernel "
        f"at stride {sh if sh == sw else (sh, sw)} outlined and, dashed, where one more stride would put it, past the edge; "
        "beside it, the number of windows covering each cell. "
        + (f"Never covered (red): {', '.join(never)}." if never else "Every cell is covered at least once.")
    )
    return F.to_svg(fig), alt


def padding_modes_figure(rows: list[dict[str, Any]]) -> tuple[bytes, str]:
    """One row per padding mode: the padded input (padding hatched), the kernel, the output."""
    exs = [r["ex"] for r in rows]
    gap = 1.6
    wmax = max(e.padded_input.shape[1] for e in exs)
    kw_max = max(e.k_hw[1] for e in exs)
    omax = max(e.out_hw[1] for e in exs)
    heights = [max(e.padded_input.shape[0], e.out_hw[0]) + 1.6 for e in exs]
    fig, ax = F._new(wmax + gap + kw_max + gap + omax, sum(heights))
    y0 = 0.7
    for row, e, hgt in zip(rows, exs, heights, strict=True):
        xp, mask = e.padded_input, pad_mask(e)
        fills = np.where(mask, F.COLORS["padding"], F.COLORS["input"]).astype(object)
        F.draw_grid(
            ax,
            xp,
            0,
            y0,
            fills,
            f"{row['name']}: p = {row['p']}, " + (f"input padded to {xp.shape[0]}×{xp.shape[1]}" if row["p"] else "no padding"),
            hatch=mask,
        )
        F.outline(ax, 0, y0, e.k_hw[0], e.k_hw[1])
        kx = wmax + gap
        _text(ax, kx - gap / 2, y0 + e.k_hw[0] / 2, "⋆", size=20)
        F.draw_grid(ax, e.k, kx, y0, np.full(e.k.shape, F.COLORS["kernel"], dtype=object), "kernel")
        ox = kx + kw_max + gap
        _text(ax, ox - gap / 2, y0 + e.k_hw[0] / 2, "=", size=14)
        ofill = np.full(e.out_hw, F.COLORS["output"], dtype=object)
        ofill[0, 0] = F.COLORS["current"]
        F.draw_grid(ax, e.output, ox, y0, ofill, f"output {e.out_hw[0]}×{e.out_hw[1]}")
        y0 += hgt
    F.legend_items(
        ax,
        [
            (F.COLORS["input"], "input", False),
            (F.COLORS["padding"], "zero padding", True),
            (F.COLORS["kernel"], "kernel", False),
            (F.COLORS["output"], "output", False),
            (F.COLORS["current"], "output of the outlined window", False),
        ],
    )
    e0 = exs[0]
    alt = (
        f"The same {e0.in_hw[0]}×{e0.in_hw[1]} input and {e0.k_hw[0]}×{e0.k_hw[1]} kernel three times: "
        + "; ".join(f"{r['name']} padding (p = {r['p']}, hatched) gives a {r['ex'].out_hw[0]}×{r['ex'].out_hw[1]} output" for r in rows)
        + ". The first window is outlined on each padded input."
    )
    return F.to_svg(fig), alt


def channels_figure(e: Example) -> tuple[bytes, str]:
    """Input channels on the left, one kernel per (output, input) pair in the middle, outputs on the right."""
    c_in, c_out, g = e.x.shape[0], e.k.shape[0], e.params.groups
    per_in, per_out = c_in // g, c_out // g
    (h, w), (kh, kw), (oh, ow) = e.in_hw, e.k_hw, e.out_hw
    gap = 1.4
    row_h = max(h, kh, oh) + 1.3
    kcol_w = kw + 0.8
    width = w + gap + c_in * kcol_w + gap + ow
    fig, ax = F._new(width, c_out * row_h + 1.0 if c_out > c_in else max(c_in, c_out) * row_h + 1.0)
    for c in range(c_in):
        F.draw_grid(ax, e.x[c], 0, 1.2 + c * row_h, np.full((h, w), F.COLORS["input"], dtype=object), f"input channel {c + 1}")
    kx0 = w + gap
    for c in range(c_in):
        _text(ax, kx0 + c * kcol_w + kw / 2, 0.25, f"from input {c + 1}", size=8)
    for o in range(c_out):
        y = 1.2 + o * row_h
        grp = o // per_out
        for c in range(c_in):
            x0 = kx0 + c * kcol_w
            if c // per_in == grp:
                j = c - grp * per_in
                F.draw_grid(ax, e.k[o, j], x0, y, np.full((kh, kw), F.COLORS["kernel"], dtype=object), f"w[{o + 1},{j + 1}]")
            else:
                _text(ax, x0 + kw / 2, y + kh / 2, "no kernel\n(other group)", size=7, style="italic")
        ox = kx0 + c_in * kcol_w + gap - 0.8
        _text(ax, ox - gap / 2 + 0.1, y + oh / 2, "=", size=14)
        F.draw_grid(ax, e.output[o], ox, y, np.full((oh, ow), F.COLORS["output"], dtype=object), f"output channel {o + 1}")
    F.legend_items(ax, [(F.COLORS["input"], "input", False), (F.COLORS["kernel"], "kernel", False), (F.COLORS["output"], "output", False)])
    kind = (
        "depthwise (groups = c_in)"
        if g == c_in and g > 1
        else (f"groups = {g}" if g > 1 else "every input channel feeds every output channel")
    )
    alt = (
        f"{c_in} input channels of {h}×{w}, a weight of shape {tuple(e.k.shape)} drawn as one {kh}×{kw} kernel per row of output "
        f"channel and column of input channel, and the {c_out} output channels of {oh}×{ow}: {kind}. Each output channel is the sum, "
        f"over the input channels it sees, of each channel correlated with its own kernel."
    )
    return F.to_svg(fig), alt


def _fraction_text(v: float) -> str:
    f = Fraction(float(v)).limit_denominator(64)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def pooling_figure(pair: tuple[Example, Example]) -> tuple[bytes, str]:
    """The input with each pooling window tinted, cells never pooled greyed, and the average and max outputs."""
    avg, mx = pair
    x = avg.x
    h, w = x.shape
    (kh, kw), (sh, sw), (oh, ow) = avg.k_hw, avg.stride, avg.out_hw
    fills = np.full(x.shape, EXTRA_COLORS["dropped"], dtype=object)
    counts = np.zeros(x.shape, dtype=int)
    for r in range(oh):
        for c in range(ow):
            fills[r * sh : r * sh + kh, c * sw : c * sw + kw] = WINDOW_TINTS[(r * ow + c) % len(WINDOW_TINTS)]
            counts[r * sh : r * sh + kh, c * sw : c * sw + kw] += 1
    gap = 1.6
    fig, ax = F._new(w + gap + ow + gap + ow, max(h, oh) + 1.4)
    F.draw_grid(ax, x, 0, 0.7, fills, f"input ({h}×{w}), {kh}×{kw} windows, stride {sh if sh == sw else (sh, sw)}", hatch=counts == 0)
    ax_ = w + gap
    for name, e, x0 in (("average", avg, ax_), ("max", mx, ax_ + ow + gap)):
        of = np.array([[WINDOW_TINTS[(r * ow + c) % len(WINDOW_TINTS)] for c in range(ow)] for r in range(oh)], dtype=object)
        F.draw_grid(ax, e.output, x0, 0.7, of, f"{name} pool", fmt=_fraction_text)
    items = [(WINDOW_TINTS[0], "a window and its output", False)]
    if (counts == 0).any():
        items.append((EXTRA_COLORS["dropped"], "never in a window (dropped)", True))
    F.legend_items(ax, items, ncol=2)
    dropped_r = [int(r) + 1 for r in np.flatnonzero((counts == 0).all(axis=1))]
    dropped_c = [int(c) + 1 for c in np.flatnonzero((counts == 0).all(axis=0))]
    dropped = [f"row {r}" for r in dropped_r] + [f"column {c}" for c in dropped_c]
    alt = (
        f"The {h}×{w} input split into {oh * ow} windows of {kh}×{kw} at stride {sh if sh == sw else (sh, sw)}, each a different colour, "
        f"and the {oh}×{ow} average-pooled and max-pooled outputs with each entry in its window's colour. "
        + (f"Input {', '.join(dropped)} is in no window and is dropped (grey, hatched)." if dropped else "")
    )
    return F.to_svg(fig), alt


def banded_figure(e: Example) -> tuple[bytes, str]:
    """The 1-D unrolled matrix with each kernel tap's diagonal in its own colour."""
    C = e.C
    n_out, n_in = C.shape
    tap = core.unrolled_matrix((n_in,), np.arange(1, len(e.k) + 1))
    tints = ["#ffcc80", "#80deea", "#f48fb1", "#c5e1a5", "#fff59d", "#b39ddb", "#ffab91", "#90caf9", "#a5d6a7"]
    fills = np.where(tap > 0, np.array(tints, dtype=object)[np.maximum(tap - 1, 0) % len(tints)], "#ffffff").astype(object)
    fig, ax = F._new(n_in + 2.5, n_out + 1.6)
    F.draw_grid(ax, C, 0, 0.7, fills, f"C ({n_out}×{n_in}): one row per output, one column per input")
    F.legend_items(
        ax, [(tints[j % len(tints)], f"k{j + 1} = {num(e.k[j])}", False) for j in range(len(e.k))] + [("#ffffff", "zero", False)], ncol=4
    )
    alt = (
        f"The {n_out}×{n_in} matrix of the 1-D cross-correlation with a kernel of length {len(e.k)}: each row is the previous one "
        f"shifted one column right, so each kernel tap fills one diagonal (coloured by tap) and everything off the band is zero."
    )
    return F.to_svg(fig), alt


FIGURES: dict[str, Any] = {
    "window_coverage": coverage_figure,
    "padding_modes": padding_modes_figure,
    "channel_kernels": channels_figure,
    "pooling_windows": pooling_figure,
    "banded_matrix": banded_figure,
}
