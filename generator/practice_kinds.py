"""The practice kinds that ask one card's own idea (see :mod:`generator.practice` for the seeds).

Two families:

- array kinds take an example (the card's own for variant 0, fresh arrays for ``n > 0``) and
  always state the arrays they need in the prompt, except variant 0's input, which the card
  shows;
- parameter kinds draw fresh sizes and parameters and state all of them in the prompt.

Each returns a :class:`Question` whose ``expected`` is the machine-readable answer: an
integer, a fraction, a shape or a small matrix (see :func:`expected`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import core, latex
from .practice_base import expected  # noqa: F401 (re-exported: the typed answer of a kind)

if TYPE_CHECKING:
    from .examples import Example
    from .practice_base import Question

MAX_REDRAWS = 50



def _q(kind: str, n: int, prompt: str, answer: str, value: Any, data: dict[str, Any], typ: str = "") -> Question:
    from .practice_base import Question

    return Question(kind, n, prompt, answer, value, data, expected(value, typ))


def _which(n: int) -> str:
    return "this card's example" if n == 0 else "the arrays below"


def _pos(ex: Example, r: int, c: int) -> str:
    return f"{c + 1}" if ex.one_d else f"({r + 1}, {c + 1})"


def _mat(name: str, a: np.ndarray) -> str:
    return f"{name} = {latex.bmatrix(a)}"


def _x_k(ex: Example, n: int, always_k: bool = False) -> str:
    """Display math with the input (variant n > 0) and the kernel (n > 0, or when asked)."""
    parts = []
    if n:
        parts.append(_mat("x", ex.x))
    if n or always_k:
        parts.append(_mat("w", ex.k))
    return "\n\n\\[ " + ", \\quad ".join(parts) + " \\]" if parts else ""


def _params_json(ex: Example) -> dict[str, Any]:
    from .practice_base import _params_json as pj

    return pj(ex)


def _given(ex: Example) -> str:
    from .practice_base import given

    return given(ex)


# ----------------------------------------------------------------------------- array kinds


def under_tap(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """Which input value lies under kernel tap (a, b) when the window of output (r, c) is placed."""
    oh, ow = core.output_shape(ex.in_hw, ex.k_hw, ex.params)
    r, c = int(rng.integers(oh)), int(rng.integers(ow))
    kh, kw = ex.k_hw
    a, b = int(rng.integers(kh)), int(rng.integers(kw))
    (sh, sw), (dh, dw) = ex.stride, ex.dilation
    pr, pc = r * sh + a * dh, c * sw + b * dw
    value = ex.padded_input[pr, pc].item()
    tap = f"{b + 1}" if ex.one_d else f"{a + 1}{b + 1}"
    prompt = (
        f"For {_which(n)}, a cross-correlation with {_given(ex)}: while computing \\(y_{{{_pos(ex, r, c)}}}\\) "
        f"(counting from 1), which input value lies under the kernel tap \\(w_{{{tap}}}\\)? "
        "(A padding cell holds 0.)" + _x_k(ex, n)
    )
    t, _, left, _ = ex.padding
    src = (pr - t, pc - left)
    inside = 0 <= src[0] < ex.in_hw[0] and 0 <= src[1] < ex.in_hw[1]
    where = f"input cell \\({_pos(ex, *src)}\\)" if inside else "a padding cell"
    answer = (
        f"\\({latex.num(value)}\\): the window of \\(y_{{{_pos(ex, r, c)}}}\\) starts at padded cell "
        f"\\({_pos(ex, r * sh, c * sw)}\\), and tap \\(w_{{{tap}}}\\) sits on {where}, which holds \\({latex.num(value)}\\)."
    )
    data = {**_params_json(ex), "row": r, "col": c, "tap": [a, b]}
    return _q("under_tap", n, prompt, answer, value, data)


def flipped_entry(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One entry of the kernel rotated by 180 degrees."""
    kh, kw = ex.k_hw
    r, c = int(rng.integers(kh)), int(rng.integers(kw))
    k2 = core.as_2d(ex.k)
    value = k2[kh - 1 - r, kw - 1 - c].item()
    prompt = (
        "A true convolution flips its kernel (rotates it by 180°) before sliding it. For the kernel "
        f"below, what is the entry of the flipped kernel in position \\({_pos(ex, r, c)}\\) (counting from 1)?"
        f"\n\n\\[ {_mat('w', ex.k)} \\]"
    )
    answer = (
        f"\\({latex.num(value)}\\): position \\({_pos(ex, r, c)}\\) of the flipped kernel is position "
        f"\\({_pos(ex, kh - 1 - r, kw - 1 - c)}\\) of \\(w\\)."
    )
    return _q("flipped_entry", n, prompt, answer, value, {"kernel": ex.k.tolist(), "row": r, "col": c})


def flipped_kernel(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """The whole flipped kernel, as a small matrix."""
    flipped = np.rot90(core.as_2d(ex.k), 2)
    prompt = (
        "A true convolution flips its kernel (rotates it by 180°) before sliding it. Write the flipped "
        f"kernel of\n\n\\[ {_mat('w', ex.k)} \\]"
    )
    answer = f"\\({latex.bmatrix(flipped)}\\): the last row first, each row read right to left."
    return _q("flipped_kernel", n, prompt, answer, flipped.tolist(), {"kernel": ex.k.tolist()}, "matrix")


def conv_minus_corr(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """True convolution minus cross-correlation at one output entry."""
    conv, corr = core.as_2d(ex.convolution), core.as_2d(ex.correlation)
    r, c = int(rng.integers(conv.shape[0])), int(rng.integers(conv.shape[1]))
    value = (conv[r, c] - corr[r, c]).item()
    pos = _pos(ex, r, c)
    prompt = (
        f"For {_which(n)} ({_given(ex)}), let \\(y^{{\\text{{conv}}}}\\) be the true convolution (kernel flipped) "
        f"and \\(y^{{\\text{{corr}}}}\\) the cross-correlation. What is "
        f"\\(y^{{\\text{{conv}}}}_{{{pos}}} - y^{{\\text{{corr}}}}_{{{pos}}}\\) (counting from 1)?" + _x_k(ex, n, always_k=True)
    )
    answer = (
        f"\\({latex.num(conv[r, c])} - ({latex.num(corr[r, c])}) = {latex.num(value)}\\): the same window, "
        "weighted by the flipped kernel and by the kernel as written."
    )
    data = {**_params_json(ex), "row": r, "col": c}
    return _q("conv_minus_corr", n, prompt, answer, value, data)


def _forward_desc(ex: Example) -> str:
    h, w = ex.forward_in_hw
    size = f"length {w}" if ex.one_d else f"shape \\({h} \\times {w}\\)"
    return f"the cross-correlation of an input of {size} with the kernel \\(w\\) below ({_given_forward(ex)})"


def _given_forward(ex: Example) -> str:
    """Stride, padding and dilation of the forward cross-correlation (no output padding)."""
    from .practice_base import _given as g

    return g(ex, forward=True)


def _forward_C(ex: Example) -> np.ndarray:
    """C of the forward cross-correlation with the kernel as written."""
    return core.unrolled_matrix(ex.forward_in_hw, ex.k, ex.params)


def _ct_terms(C: np.ndarray, v: np.ndarray, j: int, value: float, name: str, ex: Example, out_shape: tuple[int, int],
              stamps: bool = False) -> str:
    """``(C^T v)_j`` as its products: each output cell whose window covers input cell j, times the tap on it."""
    rows = [i for i in range(C.shape[0]) if C[i, j] != 0]
    if not rows:
        return ("no stamp reaches this cell" if stamps else "no window covers this cell") + ", so it is \\(0\\)"
    ow = out_shape[1]
    cells = ", ".join(f"\\({name}_{{{_pos(ex, *divmod(i, ow))}}}\\)" for i in rows)
    products = latex.dot_sum(v[rows], C[rows, j])
    if abs(float((v[rows] * C[rows, j]).sum()) - float(value)) > 1e-9:
        raise AssertionError("practice: the products do not add up to the answer")
    if stamps:
        return f"the stamps of {cells} reach it, each value times the kernel tap that lands there: \\({products}\\)"
    return f"the windows of {cells} cover it, each value times the tap on the cell: \\({products}\\)"


def ct_entry(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One entry of C transposed (the matrix of the transposed convolution)."""
    C = _forward_C(ex)
    nz = np.argwhere(C.T != 0)
    if len(nz) and rng.random() < 0.7:
        r, c = (int(v) for v in nz[rng.integers(len(nz))])
    else:
        r, c = int(rng.integers(C.shape[1])), int(rng.integers(C.shape[0]))
    value = C[c, r].item()
    prompt = (
        f"Let \\(C\\) be the unrolled matrix (row-major flattening) of {_forward_desc(ex)}. "
        f"What is the entry of \\(C^\\top\\) (shape \\({latex.shape(C.T)}\\)) in row {r + 1}, column {c + 1}?"
        f"\n\n\\[ {_mat('w', ex.k)} \\]"
    )
    oh, ow = core.output_shape(ex.forward_in_hw, ex.k_hw, ex.params)
    opos, ipos = _pos(ex, *divmod(c, ow)), _pos(ex, *divmod(r, ex.forward_in_hw[1]))
    tail = (
        f"its window covers input cell \\({ipos}\\) with a tap of weight \\({latex.num(value)}\\)" if value
        else f"input cell \\({ipos}\\) is not under a non-zero tap of that window"
    )
    answer = (
        f"\\({latex.num(value)}\\): entry \\(({r + 1}, {c + 1})\\) of \\(C^\\top\\) is entry \\(({c + 1}, {r + 1})\\) of \\(C\\): "
        f"row {c + 1} of \\(C\\) is output cell \\({opos}\\), and {tail}."
    )
    data = {**_params_json(ex), "forward_input_shape": list(ex.forward_in_hw), "row": r, "col": c}
    return _q("ct_entry", n, prompt, answer, value, data)


def transposed_value(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One output entry of a transposed convolution (its input's values, scaled kernels added)."""
    out = core.as_2d(ex.output)
    r, c = int(rng.integers(out.shape[0])), int(rng.integers(out.shape[1]))
    value = out[r, c].item()
    prompt = (
        f"For {_which(n)}, a transposed convolution with {_given(ex)} (the output is cropped by the padding "
        f"on each side), what is the output entry \\(z_{{{_pos(ex, r, c)}}}\\) (counting from 1)?" + _x_k(ex, n, always_k=True)
    )
    C = _forward_C(ex)
    x2 = core.as_2d(ex.x).astype(float)
    why = _ct_terms(C, x2.ravel(), r * out.shape[1] + c, value, "x", ex, x2.shape, stamps=True)
    answer = (
        f"\\({latex.num(value)}\\): each input value stamps a scaled copy of \\(w\\), \\(s\\) cells apart, and the "
        f"stamps add up; at \\(z_{{{_pos(ex, r, c)}}}\\) {why}."
    )
    data = {**_params_json(ex), "row": r, "col": c}
    return _q("transposed_value", n, prompt, answer, value, data)


def input_gradient(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One entry of dL/dx = C^T g for an upstream gradient g."""
    C = _forward_C(ex)
    oh, ow = core.output_shape(ex.forward_in_hw, ex.k_hw, ex.params)
    g = rng.integers(-2, 3, size=(oh, ow)).astype(np.int64)
    if not g.any():
        g[0, 0] = 1
    grad = (C.T @ g.ravel()).reshape(ex.forward_in_hw)
    r, c = int(rng.integers(grad.shape[0])), int(rng.integers(grad.shape[1]))
    value = grad[r, c].item()
    gshow = g.ravel() if ex.one_d else g
    prompt = (
        f"The layer computes {_forward_desc(ex)}. The loss \\(L\\) has gradient \\(g = \\partial L / \\partial y\\) "
        f"below. What is \\(\\partial L / \\partial x_{{{_pos(ex, r, c)}}}\\) (counting from 1)?"
        f"\n\n\\[ {_mat('w', ex.k)}, \\quad {_mat('g', gshow)} \\]"
    )
    why = _ct_terms(C, g.ravel().astype(float), r * grad.shape[1] + c, value, "g", ex, (oh, ow))
    answer = (
        f"\\({latex.num(value)}\\): \\(\\partial L / \\partial x = C^\\top g\\), the transposed convolution of \\(g\\); "
        f"for \\(x_{{{_pos(ex, r, c)}}}\\), {why}."
    )
    data = {**_params_json(ex), "forward_input_shape": list(ex.forward_in_hw), "gradient": gshow.tolist()}
    data.update(row=r, col=c)
    return _q("input_gradient", n, prompt, answer, value, data)


def roundtrip(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One entry of C^T C x: transposing is not inverting."""
    C = _forward_C(ex)
    z = (C.T @ (C @ core.as_2d(ex.x).ravel())).reshape(ex.forward_in_hw)
    r, c = int(rng.integers(z.shape[0])), int(rng.integers(z.shape[1]))
    value = z[r, c].item()
    prompt = (
        f"For {_which(n)}: \\(y = C\\hat{{x}}\\) is the cross-correlation with {_given_forward(ex)}, and "
        f"\\(z = C^\\top y\\) the transposed convolution of \\(y\\) back to the input's shape. What is "
        f"\\(z_{{{_pos(ex, r, c)}}}\\) (counting from 1)?" + _x_k(ex, n, always_k=True)
    )
    x2 = core.as_2d(ex.x)
    oh, ow = core.output_shape(ex.forward_in_hw, ex.k_hw, ex.params)
    y = C @ x2.ravel()
    why = _ct_terms(C, y, r * z.shape[1] + c, value, "y", ex, (oh, ow))
    yshow = y if ex.one_d else y.reshape(oh, ow)
    answer = (
        f"\\({latex.num(value)}\\), while \\(x_{{{_pos(ex, r, c)}}} = {latex.num(x2[r, c])}\\): first "
        f"\\(y = {latex.bmatrix(yshow)}\\); then {why}. \\(C^\\top C\\) is not the identity, so the round trip "
        "does not give \\(x\\) back."
    )
    data = {**_params_json(ex), "row": r, "col": c}
    return _q("roundtrip", n, prompt, answer, value, data)


# ----------------------------------------------------------------------------- parameter kinds


def _draw(rng: np.random.Generator, seen: set[tuple[Any, ...]], tag: str, draw) -> tuple[Any, ...]:
    for _ in range(MAX_REDRAWS):
        key = draw(rng)
        if (tag, key) not in seen:
            break
    seen.add((tag, key))
    return key


def output_shape(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """The 2-D output shape of a cross-correlation with fresh, per-axis sizes."""

    def draw(g: np.random.Generator) -> tuple[int, ...]:
        while True:
            h, w = int(g.integers(3, 13)), int(g.integers(3, 13))
            kh, kw = int(g.integers(1, 5)), int(g.integers(1, 5))
            s, p = int(g.integers(1, 4)), int(g.integers(0, 3))
            if core.output_size(h, kh, s, p) >= 1 and core.output_size(w, kw, s, p) >= 1:
                return h, w, kh, kw, s, p

    h, w, kh, kw, s, p = _draw(rng, seen, "output_shape", draw)
    oh, ow = core.output_size(h, kh, s, p), core.output_size(w, kw, s, p)
    prompt = (
        f"An input of shape \\({h} \\times {w}\\) (rows × columns) and a kernel of shape \\({kh} \\times {kw}\\), "
        f"stride \\(s = {s}\\) and padding \\(p = {p}\\) on every side: what is the output's shape (rows × columns)?"
    )
    answer = (
        f"\\({oh} \\times {ow}\\): rows \\(\\lfloor ({h} + {2 * p} - {kh}) / {s} \\rfloor + 1 = {oh}\\), "
        f"columns \\(\\lfloor ({w} + {2 * p} - {kw}) / {s} \\rfloor + 1 = {ow}\\)."
    )
    data = {"input_shape": [h, w], "kernel_shape": [kh, kw], "s": s, "p": p}
    return _q("output_shape", n, prompt, answer, [oh, ow], data, "shape")


def dilated_size(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """The output size with a dilated kernel (d >= 2)."""

    def draw(g: np.random.Generator) -> tuple[int, ...]:
        while True:
            k, s, p, d = int(g.integers(2, 5)), int(g.integers(1, 3)), int(g.integers(0, 3)), int(g.integers(2, 4))
            i = int(g.integers(5, 17))
            if core.output_size(i, k, s, p, p, d) >= 1:
                return i, k, s, p, d

    i, k, s, p, d = _draw(rng, seen, "dilated_size", draw)
    o = core.output_size(i, k, s, p, p, d)
    eff = core.effective_kernel_size(k, d)
    prompt = (
        f"An input of size \\(i = {i}\\), a kernel of size \\(k = {k}\\) with dilation \\(d = {d}\\), "
        f"stride \\(s = {s}\\), padding \\(p = {p}\\) per side: what is the output size \\(o\\)?"
    )
    answer = (
        f"\\(o = \\left\\lfloor \\frac{{{i} + {2 * p} - {eff}}}{{{s}}} \\right\\rfloor + 1 = {o}\\): "
        f"the dilated kernel spans \\(d(k-1)+1 = {eff}\\) cells."
    )
    return _q("dilated_size", n, prompt, answer, o, {"i": i, "k": k, "s": s, "p": p, "d": d})


def effective_kernel(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """How many input cells a dilated kernel spans."""
    k, d = _draw(rng, seen, "effective_kernel", lambda g: (int(g.integers(2, 8)), int(g.integers(2, 6))))
    eff = core.effective_kernel_size(k, d)
    prompt = (
        f"A kernel of size \\(k = {k}\\) with dilation \\(d = {d}\\) (taps \\(d\\) cells apart): how many input "
        "cells does it span, from its first tap to its last?"
    )
    answer = f"\\(d(k - 1) + 1 = {d} \\cdot {k - 1} + 1 = {eff}\\)"
    return _q("effective_kernel", n, prompt, answer, eff, {"k": k, "d": d})


def shared_inputs(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """How many input sizes give one output size (the floor loses s - 1 of them)."""

    def draw(g: np.random.Generator) -> tuple[int, ...]:
        return int(g.integers(1, 6)), int(g.integers(2, 5)), int(g.integers(0, 3)), int(g.integers(2, 8))

    k, s, p, o = _draw(rng, seen, "shared_inputs", draw)
    sizes = [i for i in range(1, s * o + k + 1) if core.output_size(i, k, s, p) == o]
    prompt = (
        f"A convolution with kernel size \\(k = {k}\\), stride \\(s = {s}\\), padding \\(p = {p}\\) per side "
        f"(no dilation) gives an output of size \\(o = {o}\\). How many different input sizes \\(i \\ge 1\\) give that output size?"
    )
    answer = (
        f"\\({len(sizes)}\\): every \\(i\\) from \\({sizes[0]}\\) to \\({sizes[-1]}\\) gives "
        f"\\(\\lfloor (i + {2 * p} - {k}) / {s} \\rfloor + 1 = {o}\\), because the floor drops the remainder. "
        "This is why a transposed convolution needs output_padding to say which one it should produce."
    )
    return _q("shared_inputs", n, prompt, answer, len(sizes), {"k": k, "s": s, "p": p, "o": o})


def window_count(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """How many kernel stamps of a transposed convolution land on one output cell."""

    def draw(g: np.random.Generator) -> tuple[int, ...]:
        return int(g.integers(2, 5)), int(g.integers(2, 5)), int(g.integers(1, 4))

    i, k, s = _draw(rng, seen, "window_count", draw)
    size = (i - 1) * s + k
    r, c = int(rng.integers(size)), int(rng.integers(size))

    def axis(t: int) -> int:
        return sum(1 for j in range(i) if 0 <= t - j * s < k)

    value = axis(r) * axis(c)
    prompt = (
        f"A transposed convolution of an input of shape \\({i} \\times {i}\\) with a \\({k} \\times {k}\\) kernel, "
        f"stride \\(s = {s}\\), no padding: each input cell stamps a scaled kernel, \\(s\\) cells apart, on the "
        f"\\({size} \\times {size}\\) output. How many stamps cover output cell \\(({r + 1}, {c + 1})\\) (counting from 1)?"
    )
    answer = (
        f"\\({axis(r)} \\cdot {axis(c)} = {value}\\): {axis(r)} stamp row(s) cover row {r + 1} and {axis(c)} stamp "
        f"column(s) cover column {c + 1}. Uneven counts from cell to cell are the checkerboard."
    )
    return _q("window_count", n, prompt, answer, value, {"i": i, "k": k, "s": s, "row": r, "col": c})


def flat_index(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]], column_major: bool = False) -> Question:
    """The position of cell (r, c) in the flattened vector, row-major (or column-major)."""

    def draw(g: np.random.Generator) -> tuple[int, ...]:
        h, w = int(g.integers(2, 7)), int(g.integers(2, 7))
        return h, w, int(g.integers(h)), int(g.integers(w)), int(column_major)

    h, w, r, c, col = _draw(rng, seen, "flat_index", draw)
    if col:
        value = c * h + r + 1
        order = "column-major order (top to bottom, then left to right)"
        why = f"\\((c-1)i_h + r = {c} \\cdot {h} + {r + 1} = {value}\\)"
    else:
        value = r * w + c + 1
        order = "row-major order (left to right, then top to bottom, as NumPy's ravel)"
        why = f"\\((r-1)i_w + c = {r} \\cdot {w} + {c + 1} = {value}\\)"
    prompt = (
        f"An input of shape \\({h} \\times {w}\\) is flattened into a vector in {order}. At which position "
        f"(counting from 1) is cell \\(({r + 1}, {c + 1})\\)?"
    )
    kind = "flat_index_column_major" if column_major else "flat_index"
    return _q(kind, n, prompt, why, value, {"h": h, "w": w, "row": r, "col": c, "column_major": bool(col)})


def _c_params(g: np.random.Generator) -> tuple[int, ...]:
    while True:
        h, w = int(g.integers(2, 7)), int(g.integers(2, 7))
        kh, kw = int(g.integers(1, 4)), int(g.integers(1, 4))
        s, p = int(g.integers(1, 3)), int(g.integers(0, 2))
        if core.output_size(h, kh, s, p) >= 1 and core.output_size(w, kw, s, p) >= 1:
            return h, w, kh, kw, s, p


def _c_setup(h: int, w: int, kh: int, kw: int, s: int, p: int) -> str:
    return (
        f"an input of shape \\({h} \\times {w}\\) with a \\({kh} \\times {kw}\\) kernel, stride \\(s = {s}\\), "
        f"padding \\(p = {p}\\) on every side"
    )


def c_shape(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]], transposed: bool = False) -> Question:
    """The shape of C (or of C^T) for fresh sizes."""
    h, w, kh, kw, s, p = _draw(rng, seen, "c_shape", _c_params)
    oh, ow = core.output_size(h, kh, s, p), core.output_size(w, kw, s, p)
    rows, cols = (h * w, oh * ow) if transposed else (oh * ow, h * w)
    name = "C^\\top" if transposed else "C"
    prompt = (
        f"\\(C\\) is the unrolled matrix of the cross-correlation of {_c_setup(h, w, kh, kw, s, p)} "
        f"(\\(y = C\\hat{{x}}\\), flattened). What is the shape of \\({name}\\) (rows × columns)?"
    )
    answer = (
        f"\\({rows} \\times {cols}\\): the output is \\({oh} \\times {ow}\\), so \\(C\\) has \\({oh * ow}\\) rows "
        f"(one per output cell) and \\({h * w}\\) columns (one per input cell)"
        + ("; \\(C^\\top\\) swaps them." if transposed else ".")
    )
    data = {"input_shape": [h, w], "kernel_shape": [kh, kw], "s": s, "p": p, "transposed": transposed}
    return _q("ct_shape" if transposed else "c_shape", n, prompt, answer, [rows, cols], data, "shape")


def c_index(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """Which row of C an output cell is, or which column an input cell is."""
    h, w, kh, kw, s, p = _draw(rng, seen, "c_index", _c_params)
    oh, ow = core.output_size(h, kh, s, p), core.output_size(w, kw, s, p)
    if rng.random() < 0.5:
        r, c = int(rng.integers(oh)), int(rng.integers(ow))
        value = r * ow + c + 1
        ask = f"which row of \\(C\\) computes the output cell \\(y_{{({r + 1}, {c + 1})}}\\)"
        why = (
            f"the output is \\({oh} \\times {ow}\\) and its cells are the rows in row-major order: "
            f"\\({r} \\cdot {ow} + {c + 1} = {value}\\)."
        )
        which = "row"
    else:
        r, c = int(rng.integers(h)), int(rng.integers(w))
        value = r * w + c + 1
        ask = f"which column of \\(C\\) multiplies the input cell \\(x_{{({r + 1}, {c + 1})}}\\)"
        why = f"the input's cells are the columns in row-major order: \\({r} \\cdot {w} + {c + 1} = {value}\\)."
        which = "column"
    prompt = (
        f"\\(C\\) is the unrolled matrix of the cross-correlation of {_c_setup(h, w, kh, kw, s, p)}, with input and "
        f"output flattened row-major. Counting from 1, {ask}?"
    )
    data = {"input_shape": [h, w], "kernel_shape": [kh, kw], "s": s, "p": p, "which": which, "row": r, "col": c}
    return _q("c_index", n, prompt, f"\\({value}\\): {why}", value, data)


def c_nonzeros(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """How many entries of C are non-zero, for a kernel without zeros."""
    h, w, kh, kw, s, p = _draw(rng, seen, "c_nonzeros", _c_params)
    C = core.unrolled_matrix((h, w), np.ones((kh, kw)), core.ConvParams((s, s), (p, p, p, p), (1, 1), (0, 0), 1))
    value = int(np.count_nonzero(C))
    prompt = (
        f"\\(C\\) is the unrolled matrix of the cross-correlation of {_c_setup(h, w, kh, kw, s, p)}, and no kernel "
        "entry is zero. How many entries of \\(C\\) are non-zero?"
    )
    answer = (
        f"\\({value}\\) of \\({C.size}\\): each row holds one kernel tap per input cell its window covers "
        "(taps on padding have no column)."
    )
    data = {"input_shape": [h, w], "kernel_shape": [kh, kw], "s": s, "p": p}
    return _q("c_nonzeros", n, prompt, answer, value, data)


def p_shape(rng: np.random.Generator, n: int, seen: set[tuple[Any, ...]]) -> Question:
    """The shape of im2col's patches matrix P for fresh sizes."""
    h, w, kh, kw, s, p = _draw(rng, seen, "p_shape", _c_params)
    oh, ow = core.output_size(h, kh, s, p), core.output_size(w, kw, s, p)
    prompt = (
        f"im2col copies each window of {_c_setup(h, w, kh, kw, s, p)} into one column of a patches matrix "
        "\\(P\\) (one row per kernel tap). What is the shape of \\(P\\) (rows × columns)?"
    )
    answer = (
        f"\\({kh * kw} \\times {oh * ow}\\): \\({kh} \\cdot {kw} = {kh * kw}\\) taps, and the output is "
        f"\\({oh} \\times {ow}\\), so \\({oh * ow}\\) windows."
    )
    data = {"input_shape": [h, w], "kernel_shape": [kh, kw], "s": s, "p": p}
    return _q("p_shape", n, prompt, answer, [kh * kw, oh * ow], data, "shape")
