"""Computations specific to the cards of deck 4: the transposed convolution.

Every number a deck-4 card shows beyond its examples is computed here from the
card's spec (its examples and its ``data:``, which holds inputs only). Results are
numpy arrays and plain numbers; templates typeset them with the LaTeX filters.
Figures (``FIGURES``) draw from the same arrays and return ``(svg bytes, alt text)``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .. import core
from ..examples import Example
from ..figures import COLORS, _matplotlib, _new, draw_grid, outline, to_svg
from ..spec import CardSpec, ExampleSpec

# ----------------------------------------------------------------------------- helpers


def transposed_of(fwd: Example, y: np.ndarray | None = None, name: str | None = None) -> Example:
    """The transposed convolution that takes ``y`` (default: ``fwd``'s output) back to ``fwd``'s input shape.

    Same kernel, stride, padding and dilation; output_padding chosen so the shape comes back.
    """
    y = core.as_2d(fwd.output if y is None else np.asarray(y))
    p = dataclasses.replace(fwd.params, output_padding=fwd.transposed_output_padding)
    return Example(ExampleSpec(name or f"{fwd.name}_t", "transposed_convolution", y, fwd.k, p))


def _one(v: tuple[int, int]) -> int:
    """One number for a parameter that is the same along both axes (the cards use square ones)."""
    return int(v[0])


def sizes_of(e: Example) -> dict[str, int]:
    """i', k, s, p, d, a of a (square) transposed example, and o' in both forms."""
    i, k = e.in_hw[0], e.k_hw[0]
    s, p, d, a = _one(e.stride), e.padding[0], _one(e.dilation), _one(e.params.output_padding)
    return {
        "i": i, "k": k, "s": s, "p": p, "d": d, "a": a,
        "s_i1": s * (i - 1), "two_p": 2 * p, "d_k1": d * (k - 1),
        "o_dv": s * (i - 1) + a + k - 2 * p,
        "o_torch": core.transposed_output_size(i, k, s, p, p, d, a),
        "o_measured": int(e.output.shape[0]),
    }


def _placed(a: np.ndarray, top: int, left: int, out_h: int, out_w: int) -> np.ndarray:
    """``a`` placed with its corner at ``(top, left)`` of a zero ``out_h × out_w`` canvas (cropping what falls outside)."""
    out = np.zeros((out_h, out_w), dtype=a.dtype)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + a.shape[0], out_h), min(left + a.shape[1], out_w)
    if r1 > r0 and c1 > c0:
        out[r0:r1, c0:c1] = a[r0 - top : r1 - top, c0 - left : c1 - left]
    return out


def zero_insertion_masks(e: Example) -> tuple[np.ndarray, np.ndarray]:
    """For the zero-inserted, padded input of ``e``: where the input values sit, and where padding is."""
    y = e.transposed_input
    p = e.transposed_params
    z = core.zero_insertion_input(y, e.k_hw, p)
    (dh, dw), (t, _, l, _) = p.dilation, p.padding
    top, left = dh * (e.k_hw[0] - 1) - t, dw * (e.k_hw[1] - 1) - l
    values = _placed(core.insert_zeros(np.ones(y.shape, dtype=np.int64), p.stride), top, left, *z.shape).astype(bool)
    grid = core.insert_zeros(np.ones(y.shape, dtype=np.int64), p.stride)
    inside = _placed(np.ones_like(grid), top, left, *z.shape).astype(bool)
    return values, ~inside


# ----------------------------------------------------------------------------- card extras


def transposed_as_ct(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    fwd = next(iter(ex.values()))
    t = transposed_of(fwd)
    CT = t.C.T
    yv = t.x.ravel()
    prod = CT @ yv
    h, w = t.output.shape
    rows = [{"r": j // w + 1, "c": j % w + 1, "col": CT[j], "value": prod[j]} for j in range(h * w)]
    return {"fwd": fwd, "t": t, "C": t.C, "CT": CT, "y": t.x, "yvec": yv, "prod": prod, "out": prod.reshape(h, w), "rows": rows}


def _cell_contributions(t: Example, r: int, c: int) -> dict[str, Any]:
    """Which stamps cover output cell ``(r, c)`` of ``t`` and with which kernel tap (padding and dilation respected)."""
    y, k = t.transposed_input, t.k
    (sh, sw), (dh, dw), (top, _, left, _) = t.stride, t.dilation, t.padding
    ys, taps, who = [], [], []
    for yr in range(y.shape[0]):
        for yc in range(y.shape[1]):
            dr, dc = r + top - yr * sh, c + left - yc * sw
            if dr % dh == 0 and dc % dw == 0 and 0 <= dr // dh < k.shape[0] and 0 <= dc // dw < k.shape[1]:
                ys.append(y[yr, yc])
                taps.append(k[dr // dh, dc // dw])
                who.append((yr + 1, yc + 1, dr // dh + 1, dc // dw + 1))
    return {"r": r + 1, "c": c + 1, "y": np.array(ys), "taps": np.array(taps), "who": who, "value": t.output[r, c]}


def scatter_add(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    fwd = next(iter(ex.values()))
    t = transposed_of(fwd)
    counts = core.overlap_counts(t.in_hw, t.k_hw, t.params)
    r, c = (int(v) for v in np.unravel_index(np.argmax(counts), counts.shape))
    others = [e for e in list(ex.values())[1:] if e.transposed_op]
    return {
        "others": [{"e": e, "stamps": e.scatter_stamps, "out": e.output, "s": _one(e.stride)} for e in others],
        "t": t,
        "stamps": t.scatter_stamps,
        "scatter": t.scatter,
        "ct": t.output,
        "same": bool(np.array_equal(t.scatter, t.output)),
        "cell": _cell_contributions(t, r, c),
        "max_count": int(counts.max()),
    }


RELATION_FORMULAS = {
    8: lambda i, k, s, p, a: i + (k - 1),
    9: lambda i, k, s, p, a: i + (k - 1) - 2 * p,
    10: lambda i, k, s, p, a: i,
    11: lambda i, k, s, p, a: i - (k - 1),
    12: lambda i, k, s, p, a: s * (i - 1) + k,
    13: lambda i, k, s, p, a: s * (i - 1) + k - 2 * p,
    14: lambda i, k, s, p, a: s * (i - 1) + a + k - 2 * p,
}


def relationship_rows(rows: list[dict[str, int]]) -> list[dict[str, Any]]:
    """One computed row per forward convolution ``(rel, i, k, s, p)`` of the spec.

    The transposed convolution of its output gets i' = o, p' = k − p − 1, s − 1 zeros inserted
    and a = (i + 2p − k) mod s; o' comes from the Relationship's formula and is measured on a
    real transposed convolution (zero insertion) of an i' × i' input.
    """
    out = []
    for n, row in enumerate(rows):
        rel, i, k, s, p = (int(row[f]) for f in ("rel", "i", "k", "s", "p"))
        o = core.output_size(i, k, s, p)
        a = (i + 2 * p - k) % s
        y = np.random.default_rng([4, n]).integers(1, 4, size=(o, o))
        params = core.params(stride=s, padding=p, output_padding=a)
        measured = core.transposed_zero_insertion(y, np.ones((k, k), dtype=np.int64), params)
        out.append({
            "rel": rel, "i": i, "k": k, "s": s, "p": p, "o": o, "i_t": o,
            "p_t": k - p - 1, "zeros": s - 1, "a": a,
            "o_t": RELATION_FORMULAS[rel](o, k, s, p, a),
            "o_general": core.transposed_output_size(o, k, s, p, p, 1, a),
            "measured": measured.shape[0], "restores": measured.shape[0] == i,
        })
    return out


def zero_insertion(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    items = []
    for e in ex.values():
        t = e if e.transposed_op else transposed_of(e)
        p = t.transposed_params
        items.append({
            "e": e, "t": t, "z": t.zero_inserted, "flipped": t.flipped, "out": t.zero_insertion,
            "ct": t.output, "same": bool(np.array_equal(t.zero_insertion, t.output)),
            "s": _one(p.stride), "k": t.k_hw[0], "p": p.padding[0], "pad": _one(p.dilation) * (t.k_hw[0] - 1) - p.padding[0],
            "zeros": _one(p.stride) - 1,
        })
    table = relationship_rows(card.data.get("relationships", []))
    return {"items": items, "table": table, "all_restore": all(r["restores"] for r in table)}


def transposed_output_size(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    main = next(iter(ex.values()))
    rows = []
    for row in card.data.get("sizes", []):
        i, k, s, p = (int(row[f]) for f in ("i", "k", "s", "p"))
        d, a = int(row.get("d", 1)), int(row.get("a", 0))
        params = core.params(stride=s, padding=p, dilation=d, output_padding=a)
        measured = core.transposed_scatter(np.ones((i, i), dtype=np.int64), np.ones((k, k), dtype=np.int64), params)
        k_eff = core.effective_kernel_size(k, d)
        rows.append({
            "i": i, "k": k, "s": s, "p": p, "d": d, "a": a, "k_eff": k_eff,
            "o_dv": s * (i - 1) + a + k_eff - 2 * p,
            "o_torch": core.transposed_output_size(i, k, s, p, p, d, a),
            "measured": measured.shape[0],
        })
    return {"main": main, "sz": sizes_of(main), "rows": rows}


def output_padding(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    main = next(iter(ex.values()))
    sz = sizes_of(main)
    k, s, p, o = sz["k"], sz["s"], sz["p"], sz["i"]
    sizes = core.valid_input_sizes(o, k, s, p)
    by_a = []
    for a in range(s):
        params = dataclasses.replace(main.params, output_padding=(a, a))
        size = core.transposed_output_size(o, k, s, p, p, 1, a)
        by_a.append({"a": a, "out": core.transposed_scatter(main.x, main.k, params), "size": size})
    big = main.output
    small = next(b["out"] for b in by_a if b["a"] == 0)
    extra_row, extra_col = big[-1, :], big[:, -1]
    # forward size of the transposed output for a = 0 .. s: a = s no longer maps back to i'
    back = []
    for a in range(s + 1):
        o_t = core.transposed_output_size(o, k, s, p, p, 1, a)
        o_back = core.output_size(o_t, k, s, p)
        back.append({"a": a, "o_t": o_t, "o_back": o_back, "ok": o_back == o})
    ranges = []
    for row in card.data.get("ranges", []):
        rs, rd = int(row["s"]), int(row.get("d", 1))
        ranges.append({"s": rs, "d": rd, "max": max(rs, rd), "allowed": list(range(max(rs, rd)))})
    return {
        "main": main, "sz": sz, "sizes": sizes,
        "conv_of_sizes": [{"i": i, "o": core.output_size(i, k, s, p)} for i in sizes],
        "by_a": by_a, "small": small, "big": big,
        "prefix_equal": bool(np.array_equal(big[: small.shape[0], : small.shape[1]], small)),
        "extra_row": extra_row, "extra_col": extra_col,
        "extra_nonzero": int(np.count_nonzero(extra_row)) + int(np.count_nonzero(extra_col[:-1])),
        "back": back, "ranges": ranges,
        "beyond": [beyond_stamps(e) for e in list(ex.values())[1:]],
    }


def beyond_stamps(e: Example) -> dict[str, Any]:
    """Where output_padding a reaches past the stamps: the last max(a - p, 0) rows (and columns) are zeros.

    The stamps cover uncropped rows 0 .. s(i' - 1) + d(k - 1); the output keeps rows p .. p + o' - 1,
    so the last p + o' - 1 - (s(i' - 1) + d(k - 1)) = a - p of them lie past every stamp.
    """
    sz = sizes_of(e)
    zeros = max(sz["a"] - sz["p"], 0)
    out = e.output
    return {
        "e": e, "sz": sz, "zeros": zeros, "out": out,
        "zero_rows": bool(zeros and not out[-zeros:, :].any() and not out[:, -zeros:].any()),
    }


def _clean(a: np.ndarray, digits: int = 10) -> np.ndarray:
    """Floats rounded to ``digits`` decimals, integers where they are whole, and no negative zero."""
    r = np.round(np.asarray(a, dtype=float), digits) + 0.0
    return r.astype(np.int64) if np.all(r == np.rint(r)) else r


def orthogonal_mix() -> dict[str, Any]:
    """A 1×1 convolution mixing two channels by the rotation Q = [[3/5, -4/5], [4/5, 3/5]].

    Its matrix (channel-major flattening of a 2 × n input) is Q ⊗ I_n, so CᵀC = QᵀQ ⊗ I_n = I.
    """
    Q = np.array([[3, -4], [4, 3]]) / 5
    n = 4
    C = np.kron(Q, np.eye(n))
    return {"Q": Q, "QtQ": _clean(Q.T @ Q), "identity": bool(np.allclose(C.T @ C, np.eye(2 * n)))}


def inverse_cases(ex: dict[str, Example]) -> dict[str, Any]:
    """When the transpose inverts (orthonormal columns) and what the pseudo-inverse C⁺ recovers."""
    out: dict[str, Any] = {}
    if "identity" in ex:
        e = ex["identity"]
        C = e.C
        back = (C.T @ e.output.ravel()).reshape(e.x.shape)
        out["identity"] = {
            "e": e, "C_is_I": bool(np.array_equal(C, np.eye(C.shape[0], dtype=C.dtype))),
            "CtC_is_I": bool(np.array_equal(C.T @ C, np.eye(C.shape[1], dtype=C.dtype))),
            "back": back, "same": bool(np.array_equal(back, e.x)), "n": C.shape[1],
        }
    if "tall" in ex:
        e = ex["tall"]
        C = e.C
        y = e.output.ravel()
        pinv = np.linalg.pinv(C)
        rec = _clean(pinv @ y, 8)
        out["tall"] = {
            "e": e, "shape": C.shape, "rank": int(np.linalg.matrix_rank(C)),
            "back": (C.T @ y).reshape(e.x.shape), "rec": rec.reshape(e.x.shape),
            "same": bool(np.array_equal(rec.reshape(e.x.shape), e.x)),
        }
    sobel = next(iter(ex.values()))
    C = sobel.C
    y = sobel.output.ravel()
    xh = np.linalg.pinv(C) @ y
    out["wide"] = {
        "shape": C.shape, "rank": int(np.linalg.matrix_rank(C)), "xhat": _clean(xh, 4).reshape(sobel.x.shape),
        "reproduces": bool(np.allclose(C @ xh, y)), "same": bool(np.allclose(xh, sobel.x.ravel())),
        "norm_xhat": float(np.round(np.linalg.norm(xh), 3)), "norm_x": float(np.round(np.linalg.norm(sobel.x), 3)),
    }
    out["orth"] = orthogonal_mix()
    return out


def not_an_inverse(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    fwd, strided = ex["sobel"], ex["strided"]
    C = fwd.C
    CtC = C.T @ C
    I = np.eye(CtC.shape[0], dtype=CtC.dtype)
    x = fwd.x
    y = fwd.output
    back = (C.T @ y.ravel()).reshape(x.shape)
    # the strided case: the naive transposed convolution (no output_padding) and the right one
    sz = {"i": strided.in_hw[0], "k": strided.k_hw[0], "s": _one(strided.stride), "p": strided.padding[0]}
    o = strided.out_hw[0]
    a_right = strided.transposed_output_padding[0]
    naive_params = dataclasses.replace(strided.params, output_padding=(0, 0))
    naive = core.transposed_via_matrix(core.as_2d(strided.output), strided.k, naive_params)
    right = strided.transposed
    return {
        "fwd": fwd, "C": C, "CtC": CtC, "I": I, "differ": int(np.count_nonzero(CtC != I)), "n": CtC.size,
        "diag": np.diag(CtC), "x": x, "y": y, "back": back, "same": bool(np.array_equal(back, x)),
        "strided": strided, "sz": sz, "o": o, "sizes": core.valid_input_sizes(o, sz["k"], sz["s"], sz["p"]),
        "naive": naive, "naive_shape": naive.shape, "right": right, "a": a_right,
        "naive_size": core.transposed_output_size(o, sz["k"], sz["s"], sz["p"]),
        "right_size": core.transposed_output_size(o, sz["k"], sz["s"], sz["p"], a=a_right),
        "inv": inverse_cases(ex),
    }


def gradient(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    fwd = next(iter(ex.values()))
    g = np.asarray(card.data["upstream"])
    C = fwd.C
    x, y = fwd.x, fwd.output
    gx = C.T @ g.ravel()
    t = transposed_of(fwd, g, name=f"{fwd.name}_grad")
    P = fwd.im2col
    gw = P @ g.ravel()
    lhs_terms, rhs_terms = y.ravel(), x.ravel()
    return {
        "fwd": fwd, "g": g, "C": C, "CT": C.T, "x": x, "y": y,
        "gx": gx, "gx_grid": gx.reshape(x.shape), "t": t,
        "lhs": int((y.ravel() * g.ravel()).sum()), "rhs": int((x.ravel() * gx).sum()),
        "y_flat": lhs_terms, "x_flat": rhs_terms, "g_flat": g.ravel(),
        "adj_rows": [{"x": x[r], "gx": gx.reshape(x.shape)[r], "value": int(x[r] @ gx.reshape(x.shape)[r])} for r in range(x.shape[0])],
        "P": P, "gw": gw, "gw_grid": gw.reshape(fwd.k.shape),
        "gw_corr": core.corr2d(x, g),
        "loss": int((y * g).sum()),
    }


def interior(a: np.ndarray, edge: int) -> np.ndarray:
    """``a`` without ``edge`` cells on every side (the border that fewer stamps reach)."""
    return a[edge : a.shape[0] - edge, edge : a.shape[1] - edge] if edge > 0 else a


def nearest_upsample(x: np.ndarray, f: int) -> np.ndarray:
    """Nearest-neighbour resize by an integer factor: each value becomes an ``f × f`` block."""
    return np.kron(x, np.ones((f, f), dtype=x.dtype))


def checkerboard(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    items, kernels = [], []
    for e in ex.values():
        if not np.all(e.k == 1):  # a shaped kernel: its output, not the stamp counts
            kh, sh, p = e.k_hw[0], _one(e.stride), e.padding[0]
            inner = interior(e.output, kh - 1 - p)
            kernels.append({
                "e": e, "k": kh, "s": sh, "p": p, "multiple": kh % sh == 0, "inner": inner,
                "inner_distinct": sorted({int(v) for v in inner.ravel()}), "flat": bool(np.all(inner == inner.flat[0])),
                "row": e.k[0],
                "half_form": bool(kh == 3 and np.array_equal(e.k, 4 * np.outer([0.5, 1, 0.5], [0.5, 1, 0.5]))),
            })
            continue
        counts = core.overlap_counts(e.in_hw, e.k_hw, e.params)
        kh, sh = e.k_hw[0], _one(e.stride)
        row_params = core.params(stride=e.stride, padding=(0, 0, e.padding[2], e.padding[3]), output_padding=e.params.output_padding)
        ones_row = core.overlap_counts((1, e.in_hw[1]), (1, e.k_hw[1]), row_params)[0]
        p = e.padding[0]
        edge = kh - 1 - p  # cells this close to the border are covered by fewer stamps
        inner = counts[edge : counts.shape[0] - edge, edge : counts.shape[1] - edge] if edge > 0 else counts
        items.append({
            "e": e, "counts": counts, "row": ones_row, "k": kh, "s": sh, "p": p,
            "multiple": kh % sh == 0, "distinct": sorted({int(v) for v in counts.ravel()}),
            "inner_distinct": sorted({int(v) for v in inner.ravel()}),
            "k_over_s": kh / sh, "k_over_s_sq": (kh / sh) ** 2, "max": int(counts.max()), "min": int(counts.min()),
        })
    # the usual fix: resize (nearest neighbour, factor s), then an ordinary 'same' convolution
    first = items[0]["e"] if items else next(iter(ex.values()))
    f, k = _one(first.stride), first.k_hw[0]
    up = nearest_upsample(np.ones(first.in_hw, dtype=np.int64), f)
    resized = core.corr2d(up, np.ones((k, k), dtype=np.int64), core.params(padding=k // 2))
    inner = interior(resized, k // 2)
    resize = {"f": f, "k": k, "up_shape": up.shape, "out": resized, "inner_distinct": sorted({int(v) for v in inner.ravel()})}
    return {"items": items, "kernels": kernels, "resize": resize}


EXTRAS: dict[str, Any] = {
    "transposed-as-ct": transposed_as_ct,
    "scatter-add": scatter_add,
    "zero-insertion": zero_insertion,
    "transposed-output-size": transposed_output_size,
    "output-padding": output_padding,
    "not-an-inverse": not_an_inverse,
    "gradient": gradient,
    "checkerboard": checkerboard,
}


# ----------------------------------------------------------------------------- figures

EXTRA = "#ffcc80"  # the cells output_padding keeps (orange, distinct from the purple output)


def _key(ax: Any, items: list[tuple[str, str, bool]], ncol: int = 3) -> None:
    """A legend below the drawing: ``(colour, label, hatched)`` per kind of cell."""
    _, _, Patch, _ = _matplotlib()
    handles = [Patch(facecolor=c, edgecolor=COLORS["edge"], hatch="///" if h else None, label=lab) for c, lab, h in items]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=ax.transAxes,
        ncol=min(len(items), ncol), frameon=False, fontsize=8,
    )


def _fill(shape: tuple[int, ...], colour: str) -> np.ndarray:
    return np.full(shape, colour, dtype=object)


def _symbol(ax: Any, x: float, y: float, s: str, size: int = 14) -> None:
    ax.text(x, y, s, ha="center", va="center", fontsize=size, color=COLORS["text"])


def matvec(e: Example) -> tuple[bytes, str]:
    """Cᵀ (kernel entries coloured, zeros white) times vec(y) equals vec(x'), then reshaped to x'."""
    CT, yv = e.C.T, e.transposed_input.ravel()
    out = e.output
    prod = out.ravel()
    n, m = CT.shape
    gap = 1.6
    width = m + gap + 1 + gap + 1 + gap + out.shape[1]
    fig, ax = _new(width, n + 1.2)
    y0 = 0.8
    fills = np.where(CT != 0, COLORS["kernel"], COLORS["zero"]).astype(object)
    draw_grid(ax, CT, 0, y0, fills, f"Cᵀ ({n}×{m})")
    x1 = m + gap
    _symbol(ax, x1 - gap / 2, y0 + n / 2, "·")
    draw_grid(ax, yv[:, None], x1, y0, _fill((m, 1), COLORS["input"]), "vec(input)")
    x2 = x1 + 1 + gap
    _symbol(ax, x2 - gap / 2, y0 + n / 2, "=")
    draw_grid(ax, prod[:, None], x2, y0, _fill((n, 1), COLORS["output"]), "vec(output)")
    x3 = x2 + 1 + gap
    _symbol(ax, x3 - gap / 2, y0 + n / 2, "→", 16)
    draw_grid(ax, out, x3, y0 + (n - out.shape[0]) / 2, _fill(out.shape, COLORS["output"]), f"output ({out.shape[0]}×{out.shape[1]})")
    _key(ax, [
        (COLORS["kernel"], "kernel entry of Cᵀ", False), (COLORS["zero"], "zero of Cᵀ", False),
        (COLORS["input"], "input of the transposed convolution", False), (COLORS["output"], "output", False),
    ], ncol=2)
    alt = (
        f"The {n}×{m} matrix C transposed, its kernel entries shaded green and its zeros white, multiplied by the "
        f"{m} input values of the transposed convolution (blue column), giving {n} output values (purple column) "
        f"that reshape row-major to the {out.shape[0]}×{out.shape[1]} output."
    )
    return to_svg(fig), alt


def scatter_stamps(e: Example, grad: int = 0) -> tuple[bytes, str]:
    """Each input value's scaled kernel stamped on its own canvas (arranged like the input), and their sum.

    ``grad=1`` names the input ∂L/∂y (the gradient card).
    """
    label = "∂L/∂y" if grad else "input"
    y = e.transposed_input
    out = e.output
    h, w = y.shape
    oh, ow = out.shape
    p = e.transposed_params
    (sh, sw), (t, _, l, _) = p.stride, p.padding
    kd = core.dilate(e.k, p.dilation)
    gap = 1.2
    left = w + 1.8
    cell_w, cell_h = ow + gap, oh + 1.4
    width = left + w * cell_w + 1.2 + ow
    height = max(h * cell_h, oh + 1.4) + 0.4
    fig, ax = _new(width, height)
    draw_grid(ax, y, 0, 0.8, _fill(y.shape, COLORS["input"]), label)
    for r in range(h):
        for c in range(w):
            big = np.zeros((oh + t + kd.shape[0] + sh * h, ow + l + kd.shape[1] + sw * w), dtype=np.result_type(y, e.k))
            mask = np.zeros(big.shape, dtype=bool)
            big[r * sh : r * sh + kd.shape[0], c * sw : c * sw + kd.shape[1]] = y[r, c] * kd
            mask[r * sh : r * sh + kd.shape[0], c * sw : c * sw + kd.shape[1]] = True
            vals, stamp = big[t : t + oh, l : l + ow], mask[t : t + oh, l : l + ow]
            canvas = np.empty((oh, ow), dtype=object)
            for (rr, cc), v in np.ndenumerate(vals):
                canvas[rr, cc] = v if stamp[rr, cc] else None
            fills = np.where(stamp, COLORS["kernel"], COLORS["zero"]).astype(object)
            x0, y0 = left + c * cell_w, 0.8 + r * cell_h
            draw_grid(ax, canvas, x0, y0, fills, f"{label} {_fmt(y[r, c])} × kernel", fmt=lambda v: "" if v is None else _fmt(v))
    xs = left + w * cell_w + 0.2
    _symbol(ax, xs, 0.8 + oh / 2, "=")
    xs += 1.0
    draw_grid(ax, out, xs, 0.8, _fill(out.shape, COLORS["output"]), f"sum: output ({oh}×{ow})")
    _key(ax, [
        (COLORS["input"], label, False), (COLORS["kernel"], "kernel scaled by one input value (a stamp)", False),
        (COLORS["output"], "output: the stamps added", False),
    ], ncol=3)
    alt = (
        f"Scatter-add: on the left the {h}×{w} {label}; in the middle one {oh}×{ow} canvas per {label} value, "
        f"arranged like the {label}, each holding the kernel scaled by that value (green cells; blank cells are zero), "
        f"shifted by the stride {sh}; on the right their sum, the {oh}×{ow} output, where overlapping stamps add up."
    )
    return to_svg(fig), alt


def _fmt(v: Any) -> str:
    from ..latex import num

    return num(v)


def zero_inserted(e: Example) -> tuple[bytes, str]:
    """The zero-inserted, padded input (values, inserted zeros, padding), the flipped kernel, the output."""
    z = e.zero_inserted
    values, padm = zero_insertion_masks(e)
    fl, out = e.flipped, e.zero_insertion
    gap = 1.6
    width = z.shape[1] + gap + fl.shape[1] + gap + out.shape[1]
    fig, ax = _new(width, max(z.shape[0], out.shape[0]) + 1.0)
    fills = np.where(values, COLORS["input"], np.where(padm, COLORS["padding"], COLORS["zero"])).astype(object)
    draw_grid(ax, z, 0, 0.8, fills, f"zero-inserted, padded input ({z.shape[0]}×{z.shape[1]})", bold=values, hatch=padm)
    x1 = z.shape[1] + gap
    _symbol(ax, x1 - gap / 2, 0.8 + fl.shape[0] / 2, "⋆", 20)
    draw_grid(ax, fl, x1, 0.8, _fill(fl.shape, COLORS["kernel"]), "flipped kernel")
    x2 = x1 + fl.shape[1] + gap
    _symbol(ax, x2 - gap / 2, 0.8 + fl.shape[0] / 2, "=")
    draw_grid(ax, out, x2, 0.8, _fill(out.shape, COLORS["output"]), f"output ({out.shape[0]}×{out.shape[1]})")
    s = _one(e.stride)
    items = [(COLORS["input"], "input value", False)]
    if s > 1:
        items.append((COLORS["zero"], f"inserted zero (s − 1 = {s - 1} between values)", False))
    items += [(COLORS["padding"], "zero padding", True), (COLORS["kernel"], "kernel (flipped)", False), (COLORS["output"], "output", False)]
    _key(ax, items, ncol=3)
    alt = (
        f"The {e.transposed_input.shape[0]}×{e.transposed_input.shape[1]} input of the transposed convolution"
        + (f" with {s - 1} zero{'s' if s > 2 else ''} inserted between neighbouring values (white cells)" if s > 1 else "")
        + f" and zero padding around it (hatched), a {z.shape[0]}×{z.shape[1]} grid whose original values are bold on blue; "
        "it is cross-correlated at stride 1 with the kernel rotated by 180° (green), "
        f"giving the {out.shape[0]}×{out.shape[1]} output (purple)."
    )
    return to_svg(fig), alt


def transposed_canvas(e: Example, compare_a0: int = 0) -> tuple[bytes, str]:
    """The whole scatter canvas before cropping: padding cropped (hatched), kept output outlined, output_padding marked."""
    p = e.params
    (t, _, l, _), (ah, aw) = p.padding, p.output_padding
    uncropped = dataclasses.replace(p, padding=(0, 0, 0, 0), output_padding=(0, 0))
    stamps = core.transposed_scatter(e.x, e.k, uncropped)  # every stamp added, nothing cropped
    oh, ow = e.output.shape
    canvas = _placed(stamps, 0, 0, max(stamps.shape[0], t + oh), max(stamps.shape[1], l + ow))  # zeros past the stamps, if a > p
    H, W = canvas.shape
    kept = np.zeros((H, W), dtype=bool)
    kept[t : t + oh, l : l + ow] = True
    extra = np.zeros((H, W), dtype=bool)
    if ah:
        extra[t + oh - ah : t + oh, l : l + ow] = True
    if aw:
        extra[t : t + oh, l + ow - aw : l + ow] = True
    fills = np.where(kept, np.where(extra, EXTRA, COLORS["output"]), COLORS["padding"]).astype(object)
    fig, ax = _new(W + 0.2, H + 1.2)
    draw_grid(ax, canvas, 0, 0.8, fills, f"every stamp added ({H}×{W}); kept: output {oh}×{ow}", hatch=~kept, bold=extra)
    outline(ax, l, 0.8 + t, oh, ow)
    if compare_a0 and (ah or aw):
        outline(ax, l, 0.8 + t, oh - ah, ow - aw, color="#1565c0", lw=1.6)
    items = [(COLORS["output"], "output", False), (COLORS["padding"], "cropped: padding p", True)]
    if ah or aw:
        items.append((EXTRA, f"extra row/column kept by output_padding a = {ah}", False))
    _key(ax, items, ncol=3)
    alt = (
        f"The {H}×{W} sum of every kernel stamp of the transposed convolution before cropping. "
        f"The border cut off by padding p = {t} is hatched grey; the {oh}×{ow} output kept is outlined in orange"
        + (f"; its last row and column, orange and bold, are the ones output_padding a = {ah} keeps: real sums of stamps, not zeros"
           + ("; the blue outline is the output without output_padding" if compare_a0 else "") if ah or aw else "")
        + "."
    )
    return to_svg(fig), alt


def round_trip(e: Example) -> tuple[bytes, str]:
    """x, then y = Cx, then Cᵀy: the shape comes back, the values do not."""
    x, y = e.x, e.output
    back = e.transposed
    gap = 1.8
    width = x.shape[1] + gap + y.shape[1] + gap + back.shape[1]
    fig, ax = _new(width, max(x.shape[0], back.shape[0]) + 1.2)
    draw_grid(ax, x, 0, 0.8, _fill(x.shape, COLORS["input"]), f"input x ({x.shape[0]}×{x.shape[1]})")
    x1 = x.shape[1] + gap
    _symbol(ax, x1 - gap / 2, 0.8 + x.shape[0] / 2, "→ C", 11)
    draw_grid(ax, y, x1, 0.8 + (x.shape[0] - y.shape[0]) / 2, _fill(y.shape, COLORS["output"]), "y = Cx")
    x2 = x1 + y.shape[1] + gap
    _symbol(ax, x2 - gap / 2, 0.8 + x.shape[0] / 2, "→ Cᵀ", 11)
    differs = back != x
    fills = np.where(differs, COLORS["current"], COLORS["output"]).astype(object)
    draw_grid(ax, back, x2, 0.8, fills, f"Cᵀy ({back.shape[0]}×{back.shape[1]})", bold=differs)
    _key(ax, [
        (COLORS["input"], "input x", False), (COLORS["output"], "output", False),
        (COLORS["current"], "entry of Cᵀy that differs from x", False),
    ], ncol=3)
    alt = (
        f"A round trip: the {x.shape[0]}×{x.shape[1]} input x, its convolution y = Cx ({y.shape[0]}×{y.shape[1]}), and Cᵀy, "
        f"which has x's shape but not its values: {int(differs.sum())} of its {back.size} entries (bold, purple) differ from x."
    )
    return to_svg(fig), alt


def overlap_heatmap(e: Example) -> tuple[bytes, str]:
    """How many stamps cover each output cell, as a heat map with the counts written in."""
    _, plt, _, _ = _matplotlib()
    counts = core.overlap_counts(e.in_hw, e.k_hw, e.params)
    levels = sorted({int(v) for v in counts.ravel()})
    cmap = plt.get_cmap("YlOrBr")
    shade = {v: _hex(cmap(0.1 + 0.45 * (n / (len(levels) - 1) if len(levels) > 1 else 0))) for n, v in enumerate(levels)}
    fills = np.vectorize(lambda v: shade[int(v)], otypes=[object])(counts)
    fig, ax = _new(counts.shape[1] + 0.2, counts.shape[0] + 1.2)
    k, s, pp = e.k_hw[0], _one(e.stride), e.padding[0]
    draw_grid(ax, counts, 0, 0.8, fills, f"output: stamps covering each cell (k = {k}, s = {s}, p = {pp})")
    _key(ax, [(shade[v], f"{v} stamp{'s' if v != 1 else ''}", False) for v in levels], ncol=4)
    alt = (
        f"A heat map of the {counts.shape[0]}×{counts.shape[1]} output of a transposed convolution with kernel size {k}, stride {s} "
        f"and padding {pp} on a {e.in_hw[0]}×{e.in_hw[1]} input: each cell shows how many kernel stamps cover it, "
        f"from {min(levels)} (light) to {max(levels)} (dark)"
        + (
            ". The counts alternate in a checkerboard pattern because the kernel size is not a multiple of the stride."
            if k % s
            else ". Away from the border every cell has the same count because the kernel size is a multiple of the stride."
        )
    )
    return to_svg(fig), alt


def output_heatmap(e: Example) -> tuple[bytes, str]:
    """The output of a transposed convolution of all ones, shaded by value: flat or a checkerboard."""
    _, plt, _, _ = _matplotlib()
    out = e.output
    levels = sorted({int(v) for v in out.ravel()})
    cmap = plt.get_cmap("YlOrBr")
    shade = {v: _hex(cmap(0.1 + 0.45 * (n / (len(levels) - 1) if len(levels) > 1 else 0))) for n, v in enumerate(levels)}
    fills = np.vectorize(lambda v: shade[int(v)], otypes=[object])(out)
    fig, ax = _new(out.shape[1] + 0.2, out.shape[0] + 1.2)
    k, s, pp = e.k_hw[0], _one(e.stride), e.padding[0]
    draw_grid(ax, out, 0, 0.8, fills, f"output of all-ones input (k = {k}, s = {s}, p = {pp})")
    _key(ax, [(shade[v], f"value {v}", False) for v in levels], ncol=4)
    inner = interior(out, k - 1 - pp)
    pattern = "the same value everywhere" if np.all(inner == inner.flat[0]) else "alternating values, a checkerboard"
    alt = (
        f"The {out.shape[0]}×{out.shape[1]} output of a transposed convolution of a {e.in_hw[0]}×{e.in_hw[1]} input of ones "
        f"with a shaped {k}×{k} kernel, stride {s}, padding {pp}, shaded from {min(levels)} (light) to {max(levels)} (dark): "
        f"away from the border it has {pattern}."
    )
    return to_svg(fig), alt


def _hex(rgba: tuple[float, ...]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgba[:3])


FIGURES: dict[str, Any] = {
    "matvec": matvec,
    "scatter_stamps": scatter_stamps,
    "zero_inserted": zero_inserted,
    "transposed_canvas": transposed_canvas,
    "round_trip": round_trip,
    "overlap_heatmap": overlap_heatmap,
    "output_heatmap": output_heatmap,
}
