"""Computations specific to the cards of deck 6: beyond one layer.

Gradients of strided layers, transposed convolutions with groups, receptive fields of
stacks, two convolutions as one, padding modes and the Fourier view, shift equivariance,
col2im, and 3-D convolution. Every number a deck-6 page shows beyond its examples is
computed here from the card's examples and ``data:`` (inputs only), on top of
:mod:`generator.core`. Figures draw rows of labelled grids (:class:`Panels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import core
from ..examples import Example
from ..figures import COLORS, _new, draw_grid, to_svg
from ..spec import CardSpec
from .deck5 import _example, _require  # the same spec checks, one copy

# ----------------------------------------------------------------------------- helpers


def _data(card: CardSpec, key: str, what: str) -> Any:
    _require(card, f"data.{key}", what, "nothing", key in card.data)
    return card.data[key]


def _clean(a: np.ndarray, digits: int = 4) -> np.ndarray:
    """Rounded floats (integers where whole), without negative zeros."""
    r = np.round(np.asarray(a, dtype=float), digits) + 0.0
    return r.astype(np.int64) if np.all(r == np.rint(r)) else r


@dataclass(frozen=True)
class Panels:
    """A row of labelled grids for a figure: ``(title, array, colour)`` each, and the alt text."""

    name: str
    grids: tuple[tuple[str, np.ndarray, str], ...]
    alt: str
    vertical: bool = False  # one grid below the other (rows of a 1-D signal), not side by side


def panels(p: Panels) -> tuple[bytes, str]:
    """Grids left to right (or top to bottom), each titled; 1-D arrays drawn as one row."""
    gap = 1.4
    arrays = [np.atleast_2d(a) for _, a, _ in p.grids]
    if p.vertical:
        width = max(max(a.shape[1] for a in arrays), 8)
        height = sum(a.shape[0] + 1.0 for a in arrays) + 0.4 * (len(arrays) - 1)
    else:
        width = sum(a.shape[1] for a in arrays) + gap * (len(arrays) - 1)
        height = max(a.shape[0] for a in arrays) + 1.0
    fig, ax = _new(max(width, 4), height)
    x0, y0 = 0.0, 0.8
    for (title, _, colour), a in zip(p.grids, arrays, strict=True):
        fills = np.full(a.shape, COLORS.get(colour, colour), dtype=object)
        if colour == "sparse":
            fills = np.where(a != 0, COLORS["kernel"], COLORS["zero"]).astype(object)
        draw_grid(ax, a, x0, y0, fills, title)
        if p.vertical:
            y0 += a.shape[0] + 1.4
        else:
            x0 += a.shape[1] + gap
    return to_svg(fig), p.alt


def _shape(a: np.ndarray) -> str:
    return "×".join(str(n) for n in np.shape(a))


# ----------------------------------------------------------------------------- strided-gradient


def strided_gradient(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    e = _example(card, ex, "layer")
    g = np.asarray(_data(card, "upstream", "the upstream gradient dL/dy, shaped like the output"))
    _require(card, "data.upstream", f"an array of the output's shape {e.out_hw}", g.shape, g.shape == e.out_hw)
    s, p, k, i = e.stride[0], e.padding[0], e.k_hw[0], e.in_hw[0]
    a = (i + 2 * p - k) % s
    C = e.C
    gx = (C.T @ g.ravel()).reshape(e.in_hw)
    params_a = core.params(stride=s, padding=p, output_padding=a)
    gx_t = core.transposed_scatter(g, e.k, params_a)
    size_no_a = core.transposed_output_size(g.shape[0], k, s, p, p)
    # weight gradient: the padded input cross-correlated with g dilated by the stride, first k × k entries
    xp = e.padded_input
    g_dil = core.dilate(g, (s, s))
    full = core.corr2d(xp, g_dil)
    gw = full[:k, :k]
    gw_im2col = (e.im2col @ g.ravel()).reshape(e.k_hw)
    _require(card, "examples.layer", "the three forms of each gradient to agree", "different numbers",
             np.array_equal(gx, gx_t) and np.array_equal(gw, gw_im2col))
    fig = Panels(
        "strided-gradient",
        (("upstream g = dL/dy (output)", g, "output"), (f"g dilated by s = {s}", g_dil, "sparse"),
         (f"dL/dx ({_shape(gx)}, input)", gx, "input"), (f"dL/dk ({_shape(gw)})", gw, "kernel")),
        f"The upstream gradient g ({_shape(g)}, shaped like the output); g with {s - 1} zero between its entries "
        f"({_shape(g_dil)}); the input gradient dL/dx ({_shape(gx)}, the input's shape), a transposed convolution of g "
        f"with output_padding {a}; and the kernel gradient dL/dk ({_shape(gw)}), the padded input cross-correlated with the dilated g.",
    )
    return {
        "e": e, "g": g, "s": s, "p": p, "k": k, "i": i, "a": a, "gx": gx, "size_no_a": size_no_a,
        "o": e.out_hw[0], "g_dil": g_dil, "full": full, "full_shape": full.shape, "gw": gw, "xp_shape": xp.shape, "fig": fig,
        "num": i + 2 * p - k,
    }


# ----------------------------------------------------------------------------- transposed-groups


def transposed_groups(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    fwd = _example(card, ex, "grouped")
    _require(card, "examples.grouped", "a multi-channel forward example with groups > 1", fwd.params.groups,
             fwd.multi and fwd.params.groups > 1)
    w = fwd.k  # (c_out_fwd, c_in_fwd / groups, kh, kw): as ConvTranspose2d's weight, (c_in_t, c_out_t / groups, kh, kw)
    groups = fwd.params.groups
    c_in_t, per = w.shape[0], w.shape[1]
    c_out_t = per * groups
    C = fwd.C
    y = np.asarray(_data(card, "upstream", "the transposed convolution's input, shaped like the forward output"))
    _require(card, "data.upstream", f"an array of shape {fwd.output.shape}", y.shape, y.shape == fwd.output.shape)
    xt = (C.T @ y.ravel()).reshape(fwd.x.shape)
    # block structure: block (o, c) of C is non-zero only when o and c are in the same group
    n_out, n_in = fwd.out_hw[0] * fwd.out_hw[1], fwd.in_hw[0] * fwd.in_hw[1]
    blocks = np.array([[int(np.count_nonzero(C[o * n_out : (o + 1) * n_out, c * n_in : (c + 1) * n_in]) > 0)
                        for c in range(fwd.x.shape[0])] for o in range(c_in_t)])
    per_out_f = c_in_t // groups
    same_group = np.array([[int(o // per_out_f == c // per) for c in range(fwd.x.shape[0])] for o in range(c_in_t)])
    fig = Panels(
        "transposed-groups",
        ((f"C ({_shape(C)}): forward, non-zero green", C, "sparse"), (f"input y ({_shape(y)} as rows)", y.reshape(c_in_t, -1), "input"),
         (f"output Cᵀy ({_shape(xt)} as rows)", xt.reshape(c_out_t, -1), "output")),
        f"The {_shape(C)} matrix C of the grouped forward convolution, non-zero entries green: {groups} diagonal blocks, "
        f"one per group, the blocks linking different groups all zero; then the transposed convolution's input y "
        f"({c_in_t} channels, one row each) and its output Cᵀy ({c_out_t} channels).",
    )
    return {
        "fwd": fwd, "w": w, "groups": groups, "c_in_t": c_in_t, "c_out_t": c_out_t, "per": per, "C": C, "y": y, "xt": xt,
        "blocks": blocks, "block_diagonal": bool(np.array_equal(blocks, same_group)), "fig": fig,
        "weight_shape": w.shape, "nz": int(np.count_nonzero(C)), "size": C.size,
    }


# ----------------------------------------------------------------------------- receptive-field


def receptive_field_table(layers: list[dict[str, int]]) -> list[dict[str, int]]:
    """Receptive field r and jump j (input cells between neighbouring outputs) after each layer.

    r_l = r_{l-1} + (k_eff - 1) j_{l-1},  j_l = j_{l-1} s_l,  with k_eff = d(k - 1) + 1, r_0 = j_0 = 1.
    """
    r, j, rows = 1, 1, []
    for n, layer in enumerate(layers):
        k, s, d = int(layer["k"]), int(layer.get("s", 1)), int(layer.get("d", 1))
        k_eff = core.effective_kernel_size(k, d)
        r_new = r + (k_eff - 1) * j
        rows.append({"n": n + 1, "k": k, "s": s, "d": d, "k_eff": k_eff, "r_prev": r, "j_prev": j, "r": r_new, "j": j * s})
        r, j = r_new, j * s
    return rows


def support_1d(layers: list[dict[str, int]], n_in: int) -> list[np.ndarray]:
    """Which input cells reach output 1 of each layer (as 0/1 rows over the input), tracing index sets back."""
    rows = []
    for upto in range(1, len(layers) + 1):
        cells = {0}
        for layer in reversed(layers[:upto]):
            k, s, d = int(layer["k"]), int(layer.get("s", 1)), int(layer.get("d", 1))
            cells = {c * s + t * d for c in cells for t in range(k)}
        row = np.zeros(n_in, dtype=np.int64)
        row[[c for c in cells if c < n_in]] = 1
        rows.append(row)
    return rows


def receptive_field(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    stacks = _data(card, "stacks", "named stacks of layers {k, s, d}")
    out = []
    for name, layers in stacks.items():
        rows = receptive_field_table(layers)
        out.append({"name": name, "rows": rows, "r": rows[-1]["r"], "j": rows[-1]["j"]})
    first = out[0]
    n_in = first["r"] + 2
    sup = support_1d(stacks[first["name"]], n_in)
    fig = Panels(
        "receptive-field",
        tuple((f"input cells seen by one output of layer {n + 1}", row[None, :], "sparse") for n, row in enumerate(sup)),
        f"For the stack '{first['name']}': the input cells (green) that one output of each layer depends on, layer 1 to "
        f"{len(sup)}: {', '.join(str(int(r.sum())) for r in sup)} cells, the receptive fields of the table.",
        vertical=True,
    )
    return {"stacks": out, "fig": fig, "support": [int(r.sum()) for r in sup]}


# ----------------------------------------------------------------------------- stacked-convolutions


def stacked_convolutions(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    e1 = _example(card, ex, "first")
    k2 = np.asarray(_data(card, "second_kernel", "the kernel of the second layer"))
    y1 = e1.output
    y2 = core.corr2d(y1, k2)
    K = full_convolution(e1.k, k2)
    direct = core.corr2d(e1.x, K)
    _require(card, "examples.first", "x ⋆ k1 ⋆ k2 = x ⋆ (k1 * k2)", "different outputs", np.array_equal(direct, y2))
    # depthwise-separable as a matrix product, on the small example
    sep = _example(card, ex, "depthwise")
    pw = np.asarray(_data(card, "pointwise", "the pointwise (1×1) weights, shape (c_out, c_in)"))
    C_dw = sep.C
    c_in = sep.x.shape[0]
    n = sep.out_hw[0] * sep.out_hw[1]
    C_pw = np.kron(pw, np.eye(n, dtype=pw.dtype))
    composed = C_pw @ C_dw
    via_layers = core.corr2d_multi(sep.output, pw[:, :, None, None])
    _require(card, "data.pointwise", "C_pw C_dw x to equal the pointwise layer of the depthwise output", "different outputs",
             np.array_equal((composed @ sep.x.ravel()).reshape(via_layers.shape), via_layers))
    n_in = sep.in_hw[0] * sep.in_hw[1]
    off = [int(np.count_nonzero(C_dw[o * n : (o + 1) * n, c * n_in : (c + 1) * n_in])) for o in range(c_in) for c in range(c_in) if o != c]
    layer = _data(card, "layer", "a real layer {c_in, c_out, k, h, w}")
    ci, co, k, h, w = (int(layer[f]) for f in ("c_in", "c_out", "k", "h", "w"))
    std_params, dw_params, pw_params = co * ci * k * k, ci * k * k, co * ci
    fig = Panels(
        "stacked-convolutions",
        ((f"kernel w1 ({_shape(e1.k)})", e1.k, "kernel"), (f"kernel w2 ({_shape(k2)})", k2, "kernel"),
         (f"w1 * w2 ({_shape(K)})", K, "kernel"), (f"input x ({_shape(e1.x)})", e1.x, "input"),
         (f"output x ⋆ (w1 * w2) ({_shape(direct)})", direct, "output")),
        f"The kernels w1 ({_shape(e1.k)}) and w2 ({_shape(k2)}) and their full convolution w1 * w2 ({_shape(K)}); the input x "
        f"and the output of one layer with w1 * w2, the same numbers as the two layers one after the other.",
    )
    return {
        "e1": e1, "k2": k2, "y1": y1, "y2": y2, "K": K, "direct": direct, "fig": fig,
        "sep": sep, "pw": pw, "C_dw": C_dw, "sep_out": via_layers, "C_pw": C_pw, "composed": composed, "off_zero": all(v == 0 for v in off),
        "layer": {"c_in": ci, "c_out": co, "k": k, "h": h, "w": w, "std": std_params, "dw": dw_params, "pw": pw_params,
                  "sep": dw_params + pw_params, "ratio": std_params / (dw_params + pw_params),
                  "std_mults": std_params * h * w, "sep_mults": (dw_params + pw_params) * h * w},
    }


def full_convolution(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full 2-D true convolution of two kernels: K[m] = Σ_{m1 + m2 = m} a[m1] b[m2]."""
    a, b = core.as_2d(a), core.as_2d(b)
    out = np.zeros((a.shape[0] + b.shape[0] - 1, a.shape[1] + b.shape[1] - 1), dtype=np.result_type(a, b))
    for (r, c), v in np.ndenumerate(a):
        out[r : r + b.shape[0], c : c + b.shape[1]] += v * b
    return out


# ----------------------------------------------------------------------------- circular-padding

PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def padded_matrix_1d(n: int, k: np.ndarray, p: int, mode: str) -> np.ndarray:
    """C of a 1-D cross-correlation (stride 1) with padding ``p`` in a PyTorch padding_mode: the layer on each basis vector."""
    cols = []
    for j in range(n):
        e = np.zeros(n, dtype=np.int64)
        e[j] = 1
        xp = np.pad(e, p, mode=PAD_MODES[mode])
        cols.append(np.array([xp[t : t + len(k)] @ k for t in range(len(xp) - len(k) + 1)]))
    return np.stack(cols, axis=1)


def circular_padding(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    e = _example(card, ex, "signal")
    _require(card, "examples.signal", "a 1-D example with stride 1 and 'same' padding p = (k - 1)/2", (e.stride, e.padding),
             e.one_d and e.stride[1] == 1 and e.padding[2] == e.padding[3] == (e.k_hw[1] - 1) // 2)
    x, k = e.x.ravel(), e.k.ravel()
    n, p = x.size, e.padding[2]
    mats = {m: padded_matrix_1d(n, k, p, m) for m in PAD_MODES}
    _require(card, "examples.signal", "the zeros matrix to be the example's C", "a different matrix", np.array_equal(mats["zeros"], e.C))
    ys = {m: C @ x for m, C in mats.items()}
    boundary = {m: sorted({int(r) + 1 for r in np.flatnonzero((C != mats["zeros"]).any(axis=1))}) for m, C in mats.items()}
    Cc = mats["circular"]
    circ = is_circulant(Cc)
    lam = np.fft.fft(Cc[:, 0])  # eigenvalues of a circulant matrix: the DFT of its first column
    y_fft = np.fft.ifft(lam * np.fft.fft(x))
    Fm = np.fft.fft(np.eye(n))
    D = Fm @ Cc @ np.linalg.inv(Fm)
    # 2-D: the outer-product kernel on a 4 × 4 input with circular padding; C is diagonalised by the 2-D DFT F ⊗ F
    k2 = np.outer(k, k)
    m = 4
    C2 = np.stack([circular_corr2d(b.reshape(m, m), k2, p).ravel() for b in np.eye(m * m, dtype=np.int64)], axis=1)
    F2 = np.kron(np.fft.fft(np.eye(m)), np.fft.fft(np.eye(m)))
    D2 = F2 @ C2 @ np.linalg.inv(F2)
    fig = Panels(
        "circular-padding",
        tuple((f"C, padding_mode='{m}'", C, "sparse") for m, C in mats.items()),
        f"The four {n}×{n} matrices C of one 1-D kernel of size {k.size} with padding {p} on a length-{n} input, one per padding mode "
        f"(zeros, reflect, replicate, circular), non-zero entries green: the interior rows agree, the first and last rows differ; "
        "the circular one is circulant, every row the previous one shifted right by one with wrap-around.",
    )
    return {
        "e": e, "x": x, "k": k, "n": n, "p": p, "mats": mats, "ys": ys, "boundary": boundary, "fig": fig,
        "is_circulant": bool(circ), "first_col": Cc[:, 0], "lam": lam, "lam_re": _clean(lam.real), "lam_im": _clean(lam.imag),
        "y_fft": _clean(y_fft.real), "fft_ok": bool(np.allclose(y_fft, ys["circular"])),
        "diag_ok": bool(np.abs(D - np.diag(np.diag(D))).max() < 1e-12),
        "k2": k2, "m": m, "C2_shape": C2.shape, "diag2_ok": bool(np.abs(D2 - np.diag(np.diag(D2))).max() < 1e-9),
        "block_circulant": bool(all(np.array_equal(np.roll(C2[:m], m * r, axis=1), C2[m * r : m * r + m]) for r in range(m))
                                and all(is_circulant(C2[:m, m * j : m * j + m]) for j in range(m))),
    }


def is_circulant(a: np.ndarray) -> bool:
    """Every row is the first one rolled right by its index."""
    return all(np.array_equal(np.roll(a[0], r), a[r]) for r in range(a.shape[0]))


def circular_corr2d(x: np.ndarray, k: np.ndarray, p: int) -> np.ndarray:
    """2-D cross-correlation, stride 1, of ``x`` padded circularly by ``p`` on every side."""
    return core.corr2d(np.pad(x, p, mode="wrap"), k)


# ----------------------------------------------------------------------------- shift-equivariance


def shift_equivariance(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    e = _example(card, ex, "signal")
    x, k = e.x.ravel(), e.k.ravel()
    n, p = x.size, e.padding[2]
    C = padded_matrix_1d(n, k, p, "circular")
    S = np.roll(np.eye(n, dtype=np.int64), 1, axis=0)  # S x: every entry one step right, the last wraps to the front
    y, y_shift = C @ x, C @ (S @ x)
    commute = bool(np.array_equal(C @ S, S @ C))
    s = int(_data(card, "stride", "a stride above 1 to break the equivariance"))
    keep = np.arange(0, n, s)
    Cs = C[keep]
    ys, ys_shift = Cs @ x, Cs @ (S @ x)
    shifted_ys = np.roll(ys, 1)
    other_phase = y[(keep - 1) % n]  # the stride-1 outputs one place before the kept ones: the phase the stride dropped
    fig = Panels(
        "shift-equivariance",
        (("input x", x[None, :], "input"), ("shifted input Sx", (S @ x)[None, :], "input"),
         ("output Cx", y[None, :], "output"), ("output C(Sx) = S(Cx)", y_shift[None, :], "output"),
         (f"stride {s}: C_s x", ys[None, :], "output"), (f"stride {s}: C_s(Sx)", ys_shift[None, :], "output")),
        f"A length-{n} input x and its shift by one place; their outputs with circular padding and stride 1, the second "
        f"the first shifted by one place; and with stride {s}, where the output of the shifted input is not a shift of the output.",
        vertical=True,
    )
    return {
        "e": e, "x": x, "k": k, "n": n, "p": p, "C": C, "S": S, "Sx": S @ x, "y": y, "y_shift": y_shift, "Sy": S @ y,
        "commute": commute, "equivariant": bool(np.array_equal(y_shift, S @ y)), "s": s, "Cs": Cs, "ys": ys, "ys_shift": ys_shift,
        "shifted_ys": shifted_ys, "stride_breaks": not np.array_equal(ys_shift, shifted_ys), "other_phase": other_phase,
        "phase_ok": bool(np.array_equal(ys_shift, other_phase)), "kept": keep + 1, "phase": (keep - 1) % n + 1,
        "fig": fig,
    }


# ----------------------------------------------------------------------------- col2im


def col2im(Z: np.ndarray, in_hw: tuple[int, int], k_hw: tuple[int, int], p: core.ConvParams) -> np.ndarray:
    """Scatter every column of ``Z`` (k² × L) back onto the window it came from, adding overlaps (PyTorch's ``F.fold``)."""
    t, _, l, _ = p.padding
    H, W = in_hw[0] + p.padding[0] + p.padding[1], in_hw[1] + p.padding[2] + p.padding[3]
    oh, ow = core.output_shape(in_hw, k_hw, p)
    out = np.zeros((H, W), dtype=Z.dtype)
    (sh, sw), (dh, dw) = p.stride, p.dilation
    for j in range(oh * ow):
        r, c = divmod(j, ow)
        for a in range(k_hw[0]):
            for b in range(k_hw[1]):
                out[r * sh + a * dh, c * sw + b * dw] += Z[a * k_hw[1] + b, j]
    return out[t : t + in_hw[0], l : l + in_hw[1]]


def conv_cost(c_in: int, c_out: int, k: int, h: int, w: int, s: int = 1, p: int = 0) -> dict[str, Any]:
    """Multiplies of one layer computed directly, as im2col + GEMM, and by FFT (counting model in the card)."""
    o_h, o_w = core.output_size(h, k, s, p), core.output_size(w, k, s, p)
    direct = c_out * o_h * o_w * c_in * k * k
    patches = c_in * k * k * o_h * o_w
    n_h, n_w = h + 2 * p, w + 2 * p  # FFT size: the padded input
    bins = n_h * (n_w // 2 + 1)  # a real FFT keeps half the spectrum
    pointwise = c_in * c_out * bins  # complex multiplies, 4 real ones each
    return {
        "c_in": c_in, "c_out": c_out, "k": k, "h": h, "w": w, "s": s, "p": p, "o_h": o_h, "o_w": o_w,
        "direct": direct, "gemm": (c_out, c_in * k * k, o_h * o_w), "gemm_mults": c_out * c_in * k * k * o_h * o_w,
        "patches": patches, "blowup": patches / (c_in * h * w), "pointwise": pointwise, "pointwise_real": 4 * pointwise,
        "n_h": n_h, "n_w": n_w, "bins": bins, "transforms": c_in + c_out, "ratio": direct / (4 * pointwise),
    }


def col2im_card(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    e = _example(card, ex, "layer")
    P = e.im2col
    Z = np.asarray(_data(card, "columns", "a k² × L array to fold back (same shape as im2col's)"))
    _require(card, "data.columns", f"shape {P.shape}", Z.shape, Z.shape == P.shape)
    folded = col2im(Z, e.in_hw, e.k_hw, e.params)
    lhs, rhs = int((P * Z).sum()), int((e.x * folded).sum())
    counts = col2im(np.ones_like(P), e.in_hw, e.k_hw, e.params)
    round_trip = col2im(P, e.in_hw, e.k_hw, e.params)
    _require(card, "data.columns", "<im2col(x), Z> = <x, col2im(Z)>", f"{lhs} and {rhs}", lhs == rhs)
    layers = [conv_cost(**{f: int(v) for f, v in row.items() if f != "name"}) | {"name": row["name"]}
              for row in card.data.get("layers", [])]
    fig = Panels(
        "col2im",
        ((f"input x ({_shape(e.x)})", e.x, "input"), (f"P = im2col(x) ({_shape(P)})", P, "window"),
         (f"col2im(P) ({_shape(round_trip)})", round_trip, "output"), ("windows per cell", counts, "kernel")),
        f"The {_shape(e.x)} input, its patches matrix P ({_shape(P)}, one window per column), col2im of P folded back onto the "
        f"input's grid, and how many windows cover each cell: col2im(im2col(x)) is x times those counts, not x.",
    )
    return {"e": e, "P": P, "Z": Z, "folded": folded, "lhs": lhs, "rhs": rhs, "counts": counts, "round_trip": round_trip,
            "rt_ok": bool(np.array_equal(round_trip, e.x * counts)), "layers": layers, "fig": fig}


# ----------------------------------------------------------------------------- conv3d


def corr3d(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Valid 3-D cross-correlation, stride 1, by sliding a window over every position."""
    o = tuple(a - b + 1 for a, b in zip(x.shape, k.shape, strict=True))
    out = np.zeros(o, dtype=np.result_type(x, k))
    for idx in np.ndindex(*o):
        out[idx] = (x[tuple(slice(i, i + n) for i, n in zip(idx, k.shape, strict=True))] * k).sum()
    return out


def unrolled_3d(shape: tuple[int, int, int], k: np.ndarray) -> np.ndarray:
    """C of a valid 3-D cross-correlation: row = output (depth, row, column), column = input cell, both row-major."""
    o = tuple(a - b + 1 for a, b in zip(shape, k.shape, strict=True))
    C = np.zeros((int(np.prod(o)), int(np.prod(shape))), dtype=k.dtype)
    for j, idx in enumerate(np.ndindex(*o)):
        for t in np.ndindex(*k.shape):
            C[j, np.ravel_multi_index(tuple(a + b for a, b in zip(idx, t, strict=True)), shape)] = k[t]
    return C


def conv3d(card: CardSpec, ex: dict[str, Example]) -> dict[str, Any]:
    vol = np.asarray(_data(card, "volume", "a 3-D input (depth, height, width)"))
    k = np.asarray(_data(card, "kernel3d", "a 3-D kernel"))
    _require(card, "data.volume", "a 3-D array", vol.shape, vol.ndim == 3 and k.ndim == 3)
    y = corr3d(vol, k)
    C = unrolled_3d(vol.shape, k)
    _require(card, "data.volume", "C x = the sliding 3-D window", "different outputs", np.array_equal(C @ vol.ravel(), y.ravel()))
    # the same output as a sum of 2-D correlations: output slice z is the sum over kernel slices t of corr2d(x[z + t], k[t])
    slices = [sum(core.corr2d(vol[z + t], k[t]) for t in range(k.shape[0])) for z in range(y.shape[0])]
    fig = Panels(
        "conv3d",
        tuple((f"input depth {d + 1}", vol[d], "input") for d in range(vol.shape[0]))
        + tuple((f"kernel depth {d + 1}", k[d], "kernel") for d in range(k.shape[0]))
        + tuple((f"output depth {d + 1}", y[d], "output") for d in range(y.shape[0])),
        f"A {_shape(vol)} input volume drawn slice by slice, a {_shape(k)} kernel slice by slice, and the {_shape(y)} output "
        "slice by slice: each output slice sums the 2-D correlations of consecutive input slices with the kernel's slices.",
    )
    return {"vol": vol, "k3": k, "y": y, "C": C, "slices_ok": all(np.array_equal(a, b) for a, b in zip(slices, y, strict=True)),
            "nnz": int(np.count_nonzero(C)), "fig": fig, "o": y.shape, "Cx": C @ vol.ravel()}


EXTRAS: dict[str, Any] = {
    "strided-gradient": strided_gradient,
    "transposed-groups": transposed_groups,
    "receptive-field": receptive_field,
    "stacked-convolutions": stacked_convolutions,
    "circular-padding": circular_padding,
    "shift-equivariance": shift_equivariance,
    "col2im": col2im_card,
    "conv3d": conv3d,
}

FIGURES: dict[str, Any] = {"panels": panels}
