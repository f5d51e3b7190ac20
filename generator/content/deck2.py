"""Computations specific to the cards of deck 2: convolution as a matrix multiplication.

Every function here is pure: arrays in (an :class:`~generator.examples.Example` and the
card's ``data:``), numbers and arrays out. Templates typeset them with the LaTeX filters.
The few symbolic entries (``w_{ab}`` of the Toeplitz card) are built by index arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import core, snippets
from ..examples import Example
from ..figures import COLORS, _matplotlib, _new, draw_grid, outline, to_svg
from ..figures import legend_items as _legend
from ..spec import CardSpec

Examples = dict[str, Example]


def _main(examples: Examples) -> Example:
    return next(iter(examples.values()))


# ----------------------------------------------------------------------------- flatten


def flat_positions(shape: tuple[int, int], order: str = "C") -> np.ndarray:
    """1-based position of each cell of an ``h x w`` array in its flattened vector.

    Row-major (``order="C"``): cell ``(r, c)`` goes to ``(r-1)w + c``; column-major
    (``order="F"``): to ``(c-1)h + r``.

    >>> flat_positions((2, 3))
    array([[1, 2, 3],
           [4, 5, 6]])
    >>> flat_positions((2, 3), "F")
    array([[1, 3, 5],
           [2, 4, 6]])
    """
    h, w = shape
    pos = np.empty(h * w, dtype=np.int64)
    pos[np.arange(h * w).reshape(h, w).ravel(order=order)] = np.arange(1, h * w + 1)
    return pos.reshape(h, w)


def flatten_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    e = _main(examples)
    x, y = core.as_2d(e.x), core.as_2d(e.output)
    C, C_f = e.C, e.C_column_major
    in_perm = np.arange(x.size).reshape(x.shape).ravel(order="F")
    out_perm = np.arange(y.size).reshape(y.shape).ravel(order="F")
    return {
        "pos_row": flat_positions(x.shape, "C"),
        "pos_col": flat_positions(x.shape, "F"),
        "vec_row": x.ravel(order="C"),
        "vec_col": x.ravel(order="F"),
        "C_row": C,
        "C_col": C_f,
        "prod_row": C @ x.ravel(order="C"),
        "prod_col": C_f @ x.ravel(order="F"),
        "y": y,
        "in_perm": in_perm + 1,  # column j of C_col is column in_perm[j] of C (1-based)
        "out_perm": out_perm + 1,
        "same_entries": bool(np.array_equal(np.sort(C.ravel()), np.sort(C_f.ravel()))),
        "matrices_differ": not np.array_equal(C, C_f),
        "h": x.shape[0],
        "w": x.shape[1],
    }


# ----------------------------------------------------------------------------- Toeplitz


def tap_of_entry(in_shape: tuple[int, int], k_shape: tuple[int, int]) -> np.ndarray:
    """For each entry of ``C`` (stride 1, no padding): the kernel tap ``(a, b)`` it holds, or ``(-1, -1)``.

    Row ``(r, c)`` of ``C`` is an output position, column ``(u, v)`` an input cell; the entry is
    ``w[u - r, v - c]`` when that tap exists. Shape ``(oh*ow, h*w, 2)``, 0-based taps.
    """
    (h, w), (kh, kw) = in_shape, k_shape
    oh, ow = h - kh + 1, w - kw + 1
    r, c = np.divmod(np.arange(oh * ow), ow)
    u, v = np.divmod(np.arange(h * w), w)
    a = u[None, :] - r[:, None]
    b = v[None, :] - c[:, None]
    inside = (a >= 0) & (a < kh) & (b >= 0) & (b < kw)
    return np.stack([np.where(inside, a, -1), np.where(inside, b, -1)], axis=-1)


def symbols(taps: np.ndarray, symbol: str = "w") -> np.ndarray:
    """Symbolic entries ``w_{ab}`` (1-based) for an array of 0-based taps; ``""`` (zero) for ``-1``."""
    out = np.full(taps.shape[:-1], "", dtype=object)
    for idx in np.ndindex(out.shape):
        a, b = taps[idx]
        if a >= 0:
            out[idx] = f"{symbol}_{{{a + 1}{b + 1}}}"
    return out


def block_of_entry(in_shape: tuple[int, int], k_shape: tuple[int, int]) -> np.ndarray:
    """Which kernel row ``a`` (0-based) each block of ``C`` repeats, or -1 for a zero block.

    ``C`` splits into ``oh x h`` blocks of shape ``ow x w``: block ``(R, J)`` links output row
    ``R`` to input row ``J`` and holds kernel row ``J - R``.
    """
    (h, _), (kh, _) = in_shape, k_shape
    oh = h - kh + 1
    a = np.arange(h)[None, :] - np.arange(oh)[:, None]
    return np.where((a >= 0) & (a < kh), a, -1)


def structural_nonzeros(in_shape: tuple[int, int], k_shape: tuple[int, int], padding: int = 0, stride: int = 1) -> int:
    """Entries of ``C`` a weight can occupy (a kernel of non-zero weights), from the sparse triplets."""
    rows, _, _, _ = core.unrolled_coo(in_shape, np.ones(k_shape, dtype=np.int64), core.params(stride=stride, padding=padding))
    return int(rows.size)


def nonzeros_formula(i: int, k: int) -> int:
    """Non-zeros of ``C`` for an ``i x i`` input, ``k x k`` kernel, ``s = 1``, ``p = 0``: ``o^2 k^2``."""
    o = i - k + 1
    return o * o * k * k


def layer_sparsity(i: int, k: int, p: int, s: int = 1) -> dict[str, Any]:
    """Size and non-zeros of ``C`` for one square layer, never building the dense matrix."""
    o = core.output_size(i, k, s, p)
    rows, cols = o * o, i * i
    nnz = structural_nonzeros((i, i), (k, k), p, s)
    per_axis = structural_nonzeros((1, i), (1, k), (0, 0, p, p), (1, s))
    return {
        "i": i,
        "k": k,
        "p": p,
        "s": s,
        "o": o,
        "rows": rows,
        "cols": cols,
        "size": rows * cols,
        "nnz": nnz,
        "per_axis": per_axis,
        "formula": nonzeros_formula(i, k) if p == 0 and s == 1 else None,
        "density": nnz / (rows * cols),
        "percent": 100 * nnz / (rows * cols),
    }


def toeplitz_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    e = _main(examples)
    in_hw, k_hw = e.in_hw, e.k_hw
    taps = tap_of_entry(in_hw, k_hw)
    blocks = block_of_entry(in_hw, k_hw)
    oh, ow = e.out_hw
    kh, kw = k_hw
    # H_a: the block repeating kernel row a, symbolic in a (entries w_{a b}).
    b = np.arange(in_hw[1])[None, :] - np.arange(ow)[:, None]
    H = np.where((b >= 0) & (b < kw), np.vectorize(lambda t: f"w_{{a{t + 1}}}")(b), "")
    small = layer_sparsity(in_hw[0], kh, 0)
    real = [layer_sparsity(int(d["i"]), int(d["k"]), int(d.get("p", 0)), int(d.get("s", 1))) for d in card.data.get("real_layers", [])]
    return {
        "C_sym": symbols(taps),
        "blocks_sym": np.where(blocks >= 0, np.vectorize(lambda a: f"H_{{{a + 1}}}")(blocks), ""),
        "H_sym": H,
        "block_shape": (ow, in_hw[1]),
        "block_grid": blocks.shape,
        "C_shape": (oh * ow, in_hw[0] * in_hw[1]),
        "small": small,
        "real": real,
        "distinct_weights": kh * kw,
        "strided": strided_structure(in_hw[0] + 1, kh, 2),
    }


def is_toeplitz(a: np.ndarray) -> bool:
    """Constant along every diagonal."""
    return all(len(set(np.diagonal(a, off).tolist())) <= 1 for off in range(-a.shape[0] + 1, a.shape[1]))


def strided_structure(i: int, k: int, s: int) -> dict[str, Any]:
    """An i × i input, k × k kernel of taps 1..k², stride s: C is a row subsample of the stride-1 C; its blocks are not Toeplitz."""
    kern = np.arange(1, k * k + 1).reshape(k, k)
    C1 = core.unrolled_matrix((i, i), kern, core.params())
    Cs = core.unrolled_matrix((i, i), kern, core.params(stride=s))
    o1, os_ = core.output_size(i, k, 1, 0), core.output_size(i, k, s, 0)
    rows = [r * s * o1 + c * s for r in range(os_) for c in range(os_)]
    block = Cs[:os_, :i]  # output row 1 against input row 1
    return {
        "i": i, "k": k, "s": s, "shape": Cs.shape, "shape1": C1.shape, "rows": [r + 1 for r in rows],
        "subsample": bool(np.array_equal(Cs, C1[rows])), "block": block, "block_toeplitz": is_toeplitz(block),
        "block1_toeplitz": is_toeplitz(C1[:o1, :i]),
    }


# ----------------------------------------------------------------------------- padding and stride


def padding_stride_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    e = _main(examples)
    t, b, l, r = e.padding
    h, w = e.in_hw
    H, W = h + t + b, w + l + r
    interior = np.zeros((H, W), dtype=bool)
    interior[t : t + h, l : l + w] = True
    keep = np.flatnonzero(interior.ravel())
    C_pad = e.C_padded
    oh, ow = e.out_hw
    sh, sw = e.stride
    starts = [(ro * sh, co * sw) for ro in range(oh) for co in range(ow)]
    first_col = [rr * W + cc + 1 for rr, cc in starts]
    structure = core.unrolled_matrix(e.in_hw, np.ones(e.k_hw, dtype=np.int64), e.params)
    p1 = core.params(padding=e.padding, dilation=e.dilation)
    C1 = core.unrolled_matrix(e.in_hw, e.k, p1)
    o1w = core.output_shape(e.in_hw, e.k_hw, p1)[1]
    kept_rows = [ro * sh * o1w + co * sw for ro in range(oh) for co in range(ow)]
    return {
        "C_pad": C_pad,
        "C": e.C,
        "x_pad": e.padded_input,
        "x_pad_vec": e.padded_input.ravel(),
        "padded_shape": (H, W),
        "pad_columns": [int(j) + 1 for j in np.flatnonzero(~interior.ravel())],
        "n_pad_columns": int((~interior).sum()),
        "kept": C_pad[:, keep],
        "kept_equals_C": bool(np.array_equal(C_pad[:, keep], e.C)),
        "prod_pad": C_pad @ e.padded_input.ravel(),
        "prod": e.product,
        "starts": [(rr + 1, cc + 1) for rr, cc in starts],
        "first_col": first_col,
        "row_shift": first_col[1] - first_col[0] if ow > 1 else None,
        "block_shift": first_col[ow] - first_col[0] if oh > 1 else None,
        "W": W,
        "unused_columns": [j + 1 for j in range(e.C.shape[1]) if not structure[:, j].any()],
        "zero_weight_columns": [j + 1 for j in range(e.C.shape[1]) if structure[:, j].any() and not e.C[:, j].any()],
        "stride_1_size": core.output_shape(e.in_hw, e.k_hw, p1),
        "C1_shape": C1.shape,
        "kept_rows": [r + 1 for r in kept_rows],
        "rows_are_subset": bool(np.array_equal(C1[kept_rows], e.C)),
    }


# ----------------------------------------------------------------------------- im2col


def layer_memory(layer: dict[str, Any]) -> dict[str, Any]:
    """Values and bytes of the input, the im2col matrix and the dense and sparse ``C`` of one layer."""
    i, k, p, s = int(layer["i"]), int(layer["k"]), int(layer.get("p", 0)), int(layer.get("s", 1))
    c_in, c_out, nbytes = int(layer["c_in"]), int(layer["c_out"]), int(layer.get("bytes", 4))
    o = core.output_size(i, k, s, p)
    nnz_one = structural_nonzeros((i, i), (k, k), p, s)
    values = {
        "input": c_in * i * i,
        "im2col": c_in * k * k * o * o,
        "C": (c_out * o * o) * (c_in * i * i),
        "C_nnz": c_out * c_in * nnz_one,
        "weights": c_out * c_in * k * k,
    }
    return {
        "name": layer.get("name", ""),
        "i": i,
        "k": k,
        "p": p,
        "s": s,
        "o": o,
        "c_in": c_in,
        "c_out": c_out,
        "bytes": nbytes,
        "n": values,
        "memory": {key: v * nbytes for key, v in values.items()},
        "im2col_rows": c_in * k * k,
        "im2col_cols": o * o,
        "C_rows": c_out * o * o,
        "C_cols": c_in * i * i,
        "im2col_over_input": values["im2col"] / values["input"],
        "C_over_input": values["C"] / values["input"],
    }


def unfold_snippet(e: Example) -> str:
    """PyTorch's im2col (``F.unfold``) on the example, then the kernel row times it."""
    kh, kw = e.k_hw
    t, _, l, _ = e.padding
    return "\n".join(
        [
            "import torch",
            "import torch.nn.functional as F",
            "",
            f"x = torch.tensor({snippets.pylist(e.x)}, dtype=torch.float64).reshape(1, 1, {e.in_hw[0]}, {e.in_hw[1]})",
            f"w = torch.tensor({snippets.pylist(e.k)}, dtype=torch.float64)",
            f"P = F.unfold(x, kernel_size=({kh}, {kw}), padding=({t}, {l}), stride={e.stride[0]})[0]  # shape ({kh * kw}, {e.output.size})",
            "y = w.reshape(1, -1) @ P  # the kernel as a row times the patches",
            snippets.values_line(f"y.reshape({e.out_hw[0]}, {e.out_hw[1]})", e.output),
        ]
    )


def im2col_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    e = _main(examples)
    P = e.im2col
    return {
        "P": P,
        "k_row": e.kernel_used.ravel(),
        "prod": e.im2col_product,
        "Cx": e.product,
        "same": bool(np.array_equal(e.im2col_product, e.product)),
        "windows": [(w.row + 1, w.col + 1, w.patch) for w in e.windows],
        "layer": layer_memory(card.data["layer"]) if "layer" in card.data else None,
        "unfold": unfold_snippet(e),
        "C_entries": e.C.size,
        "P_entries": P.size,
    }


# ----------------------------------------------------------------------------- channels


def channel_blocks(e: Example) -> list[dict[str, Any]]:
    """Block ``(o, c)`` of the multi-channel ``C``: the single-channel matrix of kernel ``w[o, c]``."""
    c_in = e.x.shape[0]
    out = []
    for o in range(e.k.shape[0]):
        for c in range(c_in):
            out.append({"o": o + 1, "c": c + 1, "kernel": e.k[o, c], "C": core.unrolled_matrix(e.in_hw, e.k[o, c], e.params)})
    return out


def multi_channel_extra(card: CardSpec, examples: Examples) -> dict[str, Any]:
    e = _main(examples)
    c_in, c_out = e.x.shape[0], e.k.shape[0]
    oh, ow = e.out_hw
    h, w = e.in_hw
    blocks = channel_blocks(e)
    n_out, n_in = oh * ow, h * w
    labels = np.array([[f"C_{{{o + 1}{c + 1}}}" for c in range(c_in)] for o in range(c_out)], dtype=object)
    xs = [e.x[c].ravel() for c in range(c_in)]
    per_channel = []
    for o in range(c_out):
        parts = [b["C"] @ xs[b["c"] - 1] for b in blocks if b["o"] == o + 1]
        per_channel.append({"o": o + 1, "parts": parts, "sum": np.sum(parts, axis=0)})
    # practice: the first non-zero entry of the last block, and a second layer's shapes
    last = blocks[-1]
    rr, cc = (int(v) for v in np.argwhere(last["C"] != 0)[0])
    R, Ccol = (last["o"] - 1) * n_out + rr, (last["c"] - 1) * n_in + cc
    orow, ocol = divmod(rr, ow)
    irow, icol = divmod(cc, w)
    tap = (irow - orow * e.stride[0] + e.padding[0], icol - ocol * e.stride[1] + e.padding[2])
    q = card.data.get("practice_layer")
    shape_q = None
    if q:
        o2 = core.output_size(int(q["i"]), int(q["k"]), int(q.get("s", 1)), int(q.get("p", 0)))
        shape_q = {
            **q,
            "o": o2,
            "rows": int(q["c_out"]) * o2 * o2,
            "cols": int(q["c_in"]) * int(q["i"]) ** 2,
            "block_rows": o2 * o2,
            "block_cols": int(q["i"]) ** 2,
            "n_blocks": int(q["c_in"]) * int(q["c_out"]),
        }
    return {
        "c_in": c_in,
        "c_out": c_out,
        "blocks": blocks,
        "block_labels": labels,
        "block_shape": (n_out, n_in),
        "C": e.C,
        "x_vec": e.x.ravel(),
        "prod": e.C @ e.x.ravel(),
        "y": e.output,
        "per_channel": per_channel,
        "entry": {
            "row": R + 1,
            "col": Ccol + 1,
            "value": e.C[R, Ccol].item(),
            "o": last["o"],
            "c": last["c"],
            "out_pos": (orow + 1, ocol + 1),
            "in_pos": (irow + 1, icol + 1),
            "tap": (tap[0] + 1, tap[1] + 1),
        },
        "shape_q": shape_q,
    }


# ----------------------------------------------------------------------------- figures


MAX_LABELLED_COLUMNS = 24  # wider matrices are drawn as colours only (their numbers are on the page)




def _fmt_str(v: Any) -> str:
    return str(v)


def matrix_grid(
    labels: np.ndarray,
    nonzero: np.ndarray,
    col_labels: list[str],
    row_labels: list[str],
    col_pad: np.ndarray | None = None,
    blocks: list[tuple[int, int, int, int]] = (),
    block_map: np.ndarray | None = None,
    title: str = "",
    legend_items: list[tuple[str, str, bool]] | None = None,
    fontsize: float = 8,
) -> bytes:
    """A matrix as a grid: a header row of input cells (padding hatched), a column of output
    cells, kernel weights green, zeros white, and ``blocks`` ``(r0, c0, h, w)`` outlined.

    ``block_map`` (labels, ``""`` for a zero block) is drawn to the right: the matrix of blocks."""
    _, _, _, Rectangle = _matplotlib()
    m, n = labels.shape
    col_pad = np.zeros(n, dtype=bool) if col_pad is None else np.asarray(col_pad, dtype=bool)
    x0, y0 = 1.6, 1.7
    bw = 0 if block_map is None else 1.2 * block_map.shape[1] + 1.5
    fig, ax = _new(
        x0 + n + bw, y0 + max(m, 0 if block_map is None else 1.2 * block_map.shape[0]) + (1.0 if n > MAX_LABELLED_COLUMNS else 0)
    )
    fills = np.where(nonzero, COLORS["kernel"], COLORS["zero"]).astype(object)
    fills[:, col_pad] = np.where(nonzero[:, col_pad], COLORS["kernel"], COLORS["padding"])
    hatch = np.broadcast_to(col_pad[None, :], (m, n))
    for r in range(m):
        for c in range(n):
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 + r),
                    1,
                    1,
                    facecolor=fills[r, c],
                    edgecolor=COLORS["edge"],
                    linewidth=0.4,
                    hatch="///" if hatch[r, c] else None,
                )
            )
            if labels[r, c] != "" and n <= MAX_LABELLED_COLUMNS:
                ax.text(x0 + c + 0.5, y0 + r + 0.5, labels[r, c], ha="center", va="center", fontsize=fontsize, color=COLORS["text"])
    head_fill = np.where(col_pad, COLORS["padding"], COLORS["input"]).astype(object)
    if n > MAX_LABELLED_COLUMNS:  # too narrow to read: colours only, every column numbered below
        col_labels = [""] * n
        for c in range(0, n, 2):
            ax.text(x0 + c + 0.5, y0 + m + 0.3, str(c + 1), ha="center", va="top", fontsize=9, color=COLORS["text"])
    draw_grid(ax, np.array(col_labels, dtype=object)[None, :], x0, y0 - 1.1, head_fill[None, :], hatch=col_pad[None, :], fmt=_fmt_str)
    draw_grid(ax, np.array(row_labels, dtype=object)[:, None], 0, y0, np.full((m, 1), COLORS["output"], dtype=object), fmt=_fmt_str)
    for r0, c0, h, w in blocks:
        outline(ax, x0 + c0, y0 + r0, h, w)
    if block_map is not None:
        bx = x0 + n + 1.5
        for (r, c), lab in np.ndenumerate(block_map):
            ax.add_patch(
                Rectangle(
                    (bx + 1.2 * c, y0 + 1.2 * r),
                    1.2,
                    1.2,
                    facecolor=COLORS["kernel"] if lab else COLORS["zero"],
                    edgecolor="#e65100",
                    linewidth=2,
                )
            )
            ax.text(
                bx + 1.2 * c + 0.6,
                y0 + 1.2 * r + 0.6,
                lab or "0",
                ha="center",
                va="center",
                fontsize=9,
                color=COLORS["text"],
                fontweight="bold",
            )
        ax.text(bx, y0 - 0.15, "the blocks of C", ha="left", va="bottom", fontsize=9, color=COLORS["text"])
    if title:
        ax.text(0, -0.1, title, ha="left", va="bottom", fontsize=9, color=COLORS["text"])
    _legend(
        ax,
        legend_items
        or [
            ("input", "input cell (column of C)", False),
            ("output", "output entry (row of C)", False),
            ("kernel", "kernel weight", False),
            ("zero", "zero", False),
        ],
        ncol=2,
    )
    return to_svg(fig)


def _nz_labels(M: np.ndarray) -> np.ndarray:
    from ..latex import num

    return np.vectorize(lambda v: num(v) if v != 0 else "", otypes=[object])(M)


def toeplitz_figure(e: Example) -> tuple[bytes, str]:
    """``C`` with symbolic weights, its ``oh x h`` blocks outlined and named ``H_a``."""
    taps = tap_of_entry(e.in_hw, e.k_hw)
    labels = np.vectorize(lambda a, b: f"w{a + 1}{b + 1}" if a >= 0 else "", otypes=[object])(taps[..., 0], taps[..., 1])
    blocks = block_of_entry(e.in_hw, e.k_hw)
    ow, w = e.out_hw[1], e.in_hw[1]
    boxes = [(R * ow, J * w, ow, w) for R in range(blocks.shape[0]) for J in range(blocks.shape[1])]
    bmap = np.where(blocks >= 0, np.vectorize(lambda a: f"H{a + 1}", otypes=[object])(blocks), "")
    h = e.in_hw[0]
    cols = [f"x{u + 1}{v + 1}" for u in range(h) for v in range(w)]
    rows = [f"y{r + 1}{c + 1}" for r in range(e.out_hw[0]) for c in range(ow)]
    svg = matrix_grid(
        labels, taps[..., 0] >= 0, cols, rows, blocks=boxes, block_map=bmap, title="C: rows are outputs, columns are input cells"
    )
    n_nz = int((taps[..., 0] >= 0).sum())
    alt = (
        f"The {labels.shape[0]}×{labels.shape[1]} matrix C of a {e.k_hw[0]}×{e.k_hw[1]} kernel on a {h}×{w} input, "
        f"entries named w11 to w{e.k_hw[0]}{e.k_hw[1]} ({n_nz} of {labels.size} non-zero, green), split into "
        f"{blocks.shape[0]}×{blocks.shape[1]} blocks of {ow}×{w} outlined in orange: each block is zero or a copy of "
        "H1, H2 or H3, the same block repeated along each diagonal."
    )
    return svg, alt


def unrolled_figure(e: Example) -> tuple[bytes, str]:
    """``C`` of one example as a grid: input cells along the top, outputs down the side, weights green."""
    C = e.C
    h, w = e.forward_in_hw
    oh, ow = e.out_hw
    cols = [f"x{u + 1}{v + 1}" for u in range(h) for v in range(w)]
    rows = [f"y{r + 1}{c + 1}" for r in range(oh) for c in range(ow)]
    svg = matrix_grid(_nz_labels(C), C != 0, cols, rows, title="C: one row per output entry, one column per input cell")
    alt = (
        f"The {C.shape[0]}×{C.shape[1]} matrix C drawn as a grid: the {h * w} input cells x11 to x{h}{w} head the columns, "
        f"the {oh * ow} output entries label the rows, and each row holds the kernel's non-zero weights (green) "
        "under the input cells of its window, zeros elsewhere."
    )
    return svg, alt


def padded_matrix_figure(e: Example) -> tuple[bytes, str]:
    """``C`` on the flattened padded input: padding columns hatched, weights labelled."""
    C_pad = e.C_padded
    t, b, l, r = e.padding
    h, w = e.in_hw
    H, W = h + t + b, w + l + r
    interior = np.zeros((H, W), dtype=bool)
    interior[t : t + h, l : l + w] = True
    cols = [str(j + 1) for j in range(H * W)]
    rows = [f"y{ro + 1}{co + 1}" for ro in range(e.out_hw[0]) for co in range(e.out_hw[1])]
    items = [
        ("input", "input cell (column of C)", False),
        ("padding", "zero padding (column dropped from C)", True),
        ("output", "output entry (row of C)", False),
        ("kernel", "kernel weight", False),
    ]
    svg = matrix_grid(
        _nz_labels(C_pad),
        C_pad != 0,
        cols,
        rows,
        col_pad=~interior.ravel(),
        legend_items=items,
        fontsize=7,
        title=f"C acting on the flattened {H}×{W} padded input (columns numbered 1 to {H * W})",
    )
    n_pad = int((~interior).sum())
    alt = (
        f"The {C_pad.shape[0]}×{C_pad.shape[1]} matrix that acts on the flattened {H}×{W} zero-padded input: "
        f"the {n_pad} hatched grey columns belong to padding cells and are dropped to get "
        f"the {e.C.shape[0]}×{e.C.shape[1]} matrix C; "
        f"green cells hold kernel weights, and with stride {e.stride[0]} each row's weights start "
        f"{e.stride[1]} columns after the previous row's."
    )
    return svg, alt


def channel_figure(e: Example) -> tuple[bytes, str]:
    """The multi-channel ``C`` with its ``c_out x c_in`` blocks outlined and named."""
    C = e.C
    c_in, c_out = e.x.shape[0], e.k.shape[0]
    n_out, n_in = e.out_hw[0] * e.out_hw[1], e.in_hw[0] * e.in_hw[1]
    boxes = [(o * n_out, c * n_in, n_out, n_in) for o in range(c_out) for c in range(c_in)]
    bmap = np.array([[f"C{o + 1}{c + 1}" for c in range(c_in)] for o in range(c_out)], dtype=object)
    cols = [f"{c + 1}:{j + 1}" for c in range(c_in) for j in range(n_in)]
    rows = [f"{o + 1}:{j + 1}" for o in range(c_out) for j in range(n_out)]
    svg = matrix_grid(
        _nz_labels(C),
        C != 0,
        cols,
        rows,
        blocks=boxes,
        block_map=bmap,
        fontsize=8,
        title="C of a two-channel layer: header 'channel:index' of the flattened input (top) and output (left)",
    )
    alt = (
        f"The {C.shape[0]}×{C.shape[1]} matrix C of a layer with {c_in} input and {c_out} output channels, "
        f"split into {c_out}×{c_in} blocks of {n_out}×{n_in} outlined in orange; block (v, u) is the single-channel "
        "matrix of the kernel linking input channel u (columns) to output channel v (rows); weights are green, zeros white."
    )
    return svg, alt


def flatten_figure(e: Example) -> tuple[bytes, str]:
    """The input with each cell's position in the row-major and the column-major vector."""
    x = core.as_2d(e.x)
    h, w = x.shape
    pr, pc = flat_positions((h, w), "C"), flat_positions((h, w), "F")
    gap = 2.0
    n = h * w
    fig, ax = _new(max(2 * w + gap, n), h + 5.3)
    fill = np.full((h, w), COLORS["input"], dtype=object)
    lab_r = np.vectorize(lambda v, q: f"{v}  [{q}]", otypes=[object])(x, pr)
    lab_c = np.vectorize(lambda v, q: f"{v}  [{q}]", otypes=[object])(x, pc)
    draw_grid(ax, lab_r, 0, 0.5, fill, "row-major: value [position]", fmt=_fmt_str)
    draw_grid(ax, lab_c, w + gap, 0.5, fill, "column-major: value [position]", fmt=_fmt_str)
    for r in range(h):  # reading order arrows
        ax.annotate(
            "", xy=(w - 0.1, 0.5 + r + 0.85), xytext=(0.1, 0.5 + r + 0.85), arrowprops={"arrowstyle": "->", "color": "#e65100", "lw": 1}
        )
    for c in range(w):
        ax.annotate(
            "",
            xy=(w + gap + c + 0.85, 0.5 + h - 0.1),
            xytext=(w + gap + c + 0.85, 0.6),
            arrowprops={"arrowstyle": "->", "color": "#e65100", "lw": 1},
        )
    draw_grid(ax, x.ravel(order="C")[None, :], 0, h + 1.6, np.full((1, n), COLORS["input"], dtype=object), "vec(x), row-major")
    draw_grid(ax, x.ravel(order="F")[None, :], 0, h + 3.6, np.full((1, n), COLORS["input"], dtype=object), "vec(x), column-major")
    _legend(ax, [("input", "input value [its position in the vector]", False)])
    alt = (
        f"The {h}×{w} input drawn twice, each cell showing its value and, in brackets, its position in the flattened vector: "
        "row-major reads left to right then top to bottom (arrows along the rows), column-major top to bottom then left to right "
        f"(arrows down the columns); below, the two resulting {n}-entry vectors."
    )
    return to_svg(fig), alt


def im2col_figure(e: Example, pos: int = 0) -> tuple[bytes, str]:
    """The input with one window, the patches matrix with its column, the kernel row and the output row."""
    x = core.as_2d(e.padded_input)
    P = e.im2col
    krow = e.kernel_used.ravel()[None, :]
    out = e.im2col_product[None, :]
    kh, kw = e.k_hw
    H, W = x.shape
    t, _, l, _ = e.padding
    win = e.windows[pos]
    sh, sw = e.stride
    r0, c0 = win.row * sh, win.col * sw
    gap = 1.6
    width = W + gap + P.shape[1] + gap + max(krow.shape[1], out.shape[1])
    fig, ax = _new(width, max(H, P.shape[0]) + 1.4)
    pad_mask = np.ones((H, W), dtype=bool)
    pad_mask[t : t + e.in_hw[0], l : l + e.in_hw[1]] = False
    fills = np.where(pad_mask, COLORS["padding"], COLORS["input"]).astype(object)
    fills[r0 : r0 + kh, c0 : c0 + kw] = COLORS["window"]
    draw_grid(ax, x, 0, 0.6, fills, "input", hatch=pad_mask)
    outline(ax, c0, 0.6 + r0, kh, kw)
    px = W + gap
    pf = np.full(P.shape, COLORS["input"], dtype=object)
    pf[:, pos] = COLORS["window"]
    draw_grid(ax, P, px, 0.6, pf, f"patches P ({P.shape[0]}×{P.shape[1]})")
    outline(ax, px + pos, 0.6, P.shape[0], 1)
    kx = px + P.shape[1] + gap
    draw_grid(ax, krow, kx, 0.6, np.full(krow.shape, COLORS["kernel"], dtype=object), "kernel as a row")
    of = np.full(out.shape, COLORS["output"], dtype=object)
    of[0, pos] = COLORS["current"]
    draw_grid(ax, out, kx, 3.0, of, "row × P = output")
    outline(ax, kx + pos, 3.0, 1, 1)
    keys = [
        ("input", "input", False),
        ("window", f"window of output {pos + 1} = column {pos + 1} of P", False),
        ("kernel", "kernel", False),
        ("output", "output", False),
        ("current", f"output {pos + 1}", False),
    ] + ([("padding", "zero padding", True)] if pad_mask.any() else [])
    _legend(ax, keys)
    alt = (
        f"Left, the {e.in_hw[0]}×{e.in_hw[1]} input with the window of output {pos + 1} in orange; middle, the {P.shape[0]}×{P.shape[1]} "
        f"patches matrix P whose column {pos + 1} (outlined) holds that window read row-major; right, the kernel flattened to a "
        f"1×{krow.shape[1]} row and the 1×{out.shape[1]} output it gives when multiplied by P, entry {pos + 1} outlined."
    )
    return to_svg(fig), alt


EXTRAS: dict[str, Any] = {
    "flatten": flatten_extra,
    "toeplitz-structure": toeplitz_extra,
    "matrix-padding-stride": padding_stride_extra,
    "im2col": im2col_extra,
    "multi-channel-matrix": multi_channel_extra,
}
FIGURES: dict[str, Any] = {
    "unrolled_grid": unrolled_figure,
    "toeplitz_blocks": toeplitz_figure,
    "padded_matrix": padded_matrix_figure,
    "channel_blocks": channel_figure,
    "flatten_positions": flatten_figure,
    "im2col_patches": im2col_figure,
}
