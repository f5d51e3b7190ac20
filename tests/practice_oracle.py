"""An independent oracle for practice questions: reads a question's prompt as a learner does
(the arrays, the parameters, the entry asked for) and recomputes the answer with SciPy and
plain loops. Nothing from ``generator.core`` is used here.

Shared by tests/test_practice.py and tests/test_anki.py.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from scipy import signal

NUM = r"-?\d+(?:\.\d+)?"


# ----------------------------------------------------------------------------- reading a prompt


def parse_bmatrix(body: str) -> np.ndarray:
    rows = [r.strip() for r in body.split("\\\\")]
    return np.array([[float(c) for c in r.split("&")] for r in rows])


def prompt_arrays(prompt: str) -> tuple[np.ndarray | None, np.ndarray | None, tuple[int, int] | None]:
    """The input, kernel (or pooling window size) shown in a prompt's display math."""
    x = re.search(r"(?<![A-Za-z\\])[xy]\s+=\s+\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", prompt, re.S)  # y: a transposed input
    k = re.search(r"(?<![A-Za-z\\])w\s+=\s+\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", prompt, re.S)
    win = re.search(r"\\text\{window\s+\}\s+(\d+)\s+\\times\s+(\d+)", prompt)
    return (
        parse_bmatrix(x.group(1)) if x else None,
        parse_bmatrix(k.group(1)) if k else None,
        (int(win.group(1)), int(win.group(2))) if win else None,
    )


def _pair(m: re.Match | None, default: int) -> tuple[int, int]:
    if not m:
        return (default, default)
    if m.group(2) is not None:
        return (int(m.group(2)), int(m.group(3)))
    return (int(m.group(1)), int(m.group(1)))


def prompt_params(prompt: str) -> dict[str, Any]:
    """Stride, padding (top, bottom, left, right) and dilation as stated in a prompt."""
    s = re.search(r"\\\(s\s+=\s+(?:(\d+)|\((\d+),\s+(\d+)\))\\\)", prompt)
    d = re.search(r"\\\(d\s+=\s+(?:(\d+)|\((\d+),\s+(\d+)\))\\\)", prompt)
    p1 = re.search(r"\\\(p\s+=\s+(\d+)\\\)", prompt)
    p4 = re.search(r"padding\s+\(top,\s+bottom,\s+left,\s+right\)\s+\\\(=\s+\((\d+),\s+(\d+),\s+(\d+),\s+(\d+)\)\\\)", prompt)
    if p4:
        padding = tuple(int(v) for v in p4.groups())
    elif p1:
        padding = (int(p1.group(1)),) * 4
    else:
        raise AssertionError(f"no padding stated in: {prompt}")
    assert s, f"no stride stated in: {prompt}"
    a = re.search(r"output\s+padding\s+\\\(a\s+=\s+\((\d+),\s+(\d+)\)\\\)", prompt)
    output_padding = (int(a.group(1)), int(a.group(2))) if a else (0, 0)
    return {"stride": _pair(s, 1), "padding": padding, "dilation": _pair(d, 1), "output_padding": output_padding}


def prompt_operation(prompt: str) -> str:
    for words, op in [
        ("transposed convolution", "transposed_convolution"),
        ("cross-correlation", "cross_correlation"),
        ("convolution (the kernel flipped)", "convolution"),
        ("max pooling", "max_pooling"),
        ("average pooling", "avg_pooling"),
    ]:
        if words in prompt:
            return op
    raise AssertionError(f"no operation named in: {prompt}")


def prompt_entry(prompt: str, two_d: bool = True) -> tuple[int, int]:
    """The 0-based (row, column) of C, or of the output y, asked for (y_{12}: row 1, column 2; y_{10,3}; y_{5} in 1-D)."""
    m = re.search(r"row\s+(\d+),\s+column\s+(\d+)", prompt)
    if m:
        return int(m.group(1)) - 1, int(m.group(2)) - 1
    m = re.search(r"y_\{\(?(\d+),\s*(\d+)\)?\}", prompt)
    if m:
        return int(m.group(1)) - 1, int(m.group(2)) - 1
    m = re.search(r"y_\{(\d+)\}", prompt)
    assert m, f"no entry named in: {prompt}"
    if two_d:
        assert len(m.group(1)) == 2, f"a 2-D entry is two digits: {prompt}"
        return int(m.group(1)[0]) - 1, int(m.group(1)[1]) - 1
    return 0, int(m.group(1)) - 1


def prompt_sizes(prompt: str) -> dict[str, int]:
    got = {name: int(v) for name, v in re.findall(r"\\\(([iksdp])\s+=\s+(\d+)\\\)", prompt)}
    got.setdefault("d", 1)
    return got


# ----------------------------------------------------------------------------- computing


def _dilate(k: np.ndarray, d: tuple[int, int]) -> np.ndarray:
    kh, kw = k.shape
    out = np.zeros(((kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1))
    for a in range(kh):
        for b in range(kw):
            out[a * d[0], b * d[1]] = k[a, b]
    return out


def _padded(x: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    t, b, l, r = padding
    if x.shape[0] == 1:  # a 1-D signal (one row): its padding p is left and right only (README: only the column entries apply)
        t = b = 0
    return np.pad(x, ((t, b), (l, r)))


def forward(op: str, x: np.ndarray, k: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """The operation on a 2-D input (SciPy for the linear ones, loops for pooling)."""
    (sh, sw), d = params["stride"], params["dilation"]
    xp = _padded(x.astype(float), params["padding"])
    if op in ("cross_correlation", "transposed_convolution"):  # the forward convolution of a transposed one
        return signal.correlate2d(xp, _dilate(k, d), mode="valid")[::sh, ::sw]
    if op == "convolution":
        return signal.convolve2d(xp, _dilate(k, d), mode="valid")[::sh, ::sw]
    kh, kw = k.shape
    rows = range(0, xp.shape[0] - (kh - 1) * d[0], sh)
    cols = range(0, xp.shape[1] - (kw - 1) * d[1], sw)
    out = np.zeros((len(rows), len(cols)))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            patch = xp[r : r + (kh - 1) * d[0] + 1 : d[0], c : c + (kw - 1) * d[1] + 1 : d[1]]
            out[i, j] = patch.max() if op == "max_pooling" else patch.mean()
    return out


def unrolled(op: str, in_shape: tuple[int, int], k: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """The matrix of a linear operation, one column per one-hot input (its definition)."""
    cols = []
    for j in range(in_shape[0] * in_shape[1]):
        e = np.zeros(in_shape[0] * in_shape[1])
        e[j] = 1
        cols.append(forward(op, e.reshape(in_shape), k, params).ravel())
    return np.stack(cols, axis=1)


def transposed_out_shape(y_shape: tuple[int, int], k_shape: tuple[int, int], params: dict[str, Any], a: tuple[int, int]) -> tuple[int, int]:
    """Counted, not by formula: the smallest forward input whose output has y's shape, plus output_padding."""
    out = []
    for axis in range(2):
        lo, hi = params["padding"][2 * axis], params["padding"][2 * axis + 1]
        span = (k_shape[axis] - 1) * params["dilation"][axis] + 1
        n = 1
        while len(range(0, n + lo + hi - span + 1, params["stride"][axis])) < y_shape[axis]:
            n += 1
        out.append(n + a[axis])
    return out[0], out[1]


def output_size(i: int, k: int, s: int, p: int, d: int) -> int:
    """Window positions counted one by one."""
    span = d * (k - 1) + 1
    return sum(1 for start in range(0, i + 2 * p, s) if start + span <= i + 2 * p)


def transposed_size(i: int, k: int, s: int, p: int, d: int, a: int) -> int:
    """Stamps laid one by one on a 1-D canvas: its length, plus output_padding, less the padding."""
    covered = set()
    for r in range(i):
        covered.update(r * s + t * d for t in range(k))
    return max(covered) + 1 + a - 2 * p


def answer(kind: str, prompt: str, x: np.ndarray | None = None, k: np.ndarray | None = None) -> float:
    """The answer to a practice prompt, recomputed. ``x``/``k`` supply the card's own arrays for variant 0."""
    if kind == "transposed_size":
        z = {name: int(v) for name, v in re.findall(r"\\\(([iksdpa])'?\s+=\s+(\d+)\\\)", prompt)}
        return transposed_size(z["i"], z["k"], z["s"], z["p"], z.get("d", 1), z["a"])
    if kind == "output_size":
        z = prompt_sizes(prompt)
        return output_size(z["i"], z["k"], z["s"], z["p"], z["d"])
    op = prompt_operation(prompt)
    params = prompt_params(prompt)
    px, pk, win = prompt_arrays(prompt)
    x = px if px is not None else x
    k = pk if pk is not None else k
    if win is not None:
        k = np.ones(win)
    x2 = x if x.ndim == 2 else x[np.newaxis, :]
    k2 = k if k.ndim == 2 else k[np.newaxis, :]
    r, c = prompt_entry(prompt, two_d=x.ndim == 2 and x.shape[0] > 1)  # a 1-D input shows as a one-row bmatrix
    if kind == "output_value":
        return float(forward(op, x2, k2, params)[r, c])
    in_shape = transposed_out_shape(x2.shape, k2.shape, params, params["output_padding"]) if op == "transposed_convolution" else x2.shape
    return float(unrolled(op, in_shape, k2, params)[r, c])


def stated_answer(answer_text: str) -> float:
    """The number an answer states, which must come first (``\\(v\\)`` or ``\\(o' = v\\)``: a long
    inline sum ending in ``= v`` puts the value off a phone's screen); any working after it that
    ends in ``= w`` must agree (w == v)."""
    text = answer_text.strip()
    m = re.match(r"\\\((?:o'? = )?(" + NUM + r")\\\)", text)
    assert m, f"the answer does not state its value first: {answer_text}"
    value = float(m.group(1))
    ends = re.findall(r"= (" + NUM + r") *\\[)\]]", text)
    assert not ends or float(ends[-1]) == value, f"the working ends in {ends[-1]}, the answer says {value}: {answer_text}"
    return value


def transposed(y: np.ndarray, k: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """C^T y, with C the matrix of the forward convolution (built column by column above)."""
    out_shape = transposed_out_shape(y.shape, k.shape, params, params["output_padding"])
    C = unrolled("cross_correlation", out_shape, k, params)
    fwd = forward("cross_correlation", np.zeros(out_shape), k, params).shape
    keep = np.arange(fwd[0] * fwd[1]).reshape(fwd)[: y.shape[0], : y.shape[1]].ravel()
    return (C[keep].T @ y.ravel()).reshape(out_shape)


def worked_example(text: str) -> tuple[np.ndarray, np.ndarray]:
    """From a card's back ("The worked example, a ... with ...: x = ..., w = ..., y = ..."):
    the stated output y and the output recomputed from the stated x, w and parameters."""
    sentence = text[text.index("The worked example") :]
    op = prompt_operation(sentence)
    params = prompt_params(sentence)
    x, k, win = prompt_arrays(sentence)
    if win is not None:
        k = np.ones(win)
    out = "x'" if op == "transposed_convolution" else "y"  # a transposed convolution maps y to x'
    y = re.search(out + r" = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", sentence, re.S)
    assert y, f"no result {out} in: {sentence}"
    stated = parse_bmatrix(y.group(1))
    want = transposed(x, k, params) if op == "transposed_convolution" else forward(op, x, k, params)
    return stated, want


# ----------------------------------------------------------------------------- the kinds that ask one card's idea
# Each reads the prompt's own numbers (and, for variant 0, the card's input) and recomputes by a
# route other than the generator's: one-hot kernels, SciPy, NumPy's ravel, brute-force counting.


def _ints(pattern: str, prompt: str) -> tuple[int, ...]:
    m = re.search(pattern, prompt)
    assert m, f"{pattern!r} not in: {prompt}"
    return tuple(int(v) for v in m.groups() if v is not None)


def _named(name: str, prompt: str) -> np.ndarray | None:
    m = re.search(name + r"\s+=\s+\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", prompt, re.S)
    return parse_bmatrix(m.group(1)) if m else None


def _at(symbol: str, prompt: str) -> tuple[int, int]:
    """The 0-based cell of ``symbol_{(r, c)}`` or ``symbol_{c}`` (1-D) named in a prompt."""
    m = re.search(re.escape(symbol) + r"_\{\((\d+),\s+(\d+)\)\}", prompt)
    if m:
        return int(m.group(1)) - 1, int(m.group(2)) - 1
    m = re.search(re.escape(symbol) + r"_\{(\d+)\}", prompt)
    assert m, f"no {symbol} entry named in: {prompt}"
    return 0, int(m.group(1)) - 1


def _as2(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    return a if a.ndim == 2 else a.reshape(1, -1)


def _forward_shape(prompt: str) -> tuple[int, int]:
    m = re.search(r"input of shape \\\((\d+) \\times (\d+)\\\)", prompt)
    if m:
        return int(m.group(1)), int(m.group(2))
    return 1, _ints(r"input of length (\d+)", prompt)[0]


def _fresh_params(prompt: str) -> dict[str, Any]:
    s, p = _ints(r"\\\(s = (\d+)\\\)", prompt)[0], _ints(r"\\\(p = (\d+)\\\)", prompt)[0]
    return {"stride": (s, s), "padding": (p,) * 4, "dilation": (1, 1), "output_padding": (0, 0)}


def _shape_pair(prompt: str, what: str) -> tuple[int, int]:
    return _ints(what + r" \\\((\d+) \\times (\d+)\\\)", prompt)  # type: ignore[return-value]


def new_answer(kind: str, prompt: str, x0: np.ndarray | None, k0: np.ndarray | None) -> Any:
    """The answer to a prompt of one of the new kinds: a number, a [rows, cols] shape or a matrix."""
    prompt = re.sub(r"\s+", " ", prompt)  # an Anki note's text has spaces around its math
    if kind == "under_tap":
        params = prompt_params(prompt)
        x = _named("x", prompt)
        x = _as2(x if x is not None else x0)
        k = _as2(_named("w", prompt) if _named("w", prompt) is not None else k0)
        r, c = _at("y", prompt)
        m = re.search(r"w_\{(\d)(\d)\}", prompt) if k.shape[0] > 1 else None
        a, b = (int(m.group(1)) - 1, int(m.group(2)) - 1) if m else (0, _ints(r"w_\{(\d+)\}", prompt)[0] - 1)
        onehot = np.zeros_like(k)
        onehot[a, b] = 1
        return float(forward("cross_correlation", x, onehot, params)[r, c])
    if kind in ("flipped_entry", "flipped_kernel"):
        k = _as2(_named("w", prompt))
        flipped = np.rot90(k, 2)
        if kind == "flipped_kernel":
            return flipped.tolist()
        m = re.search(r"position \\\(\((\d+), (\d+)\)\\\)", prompt)
        r, c = (int(m.group(1)) - 1, int(m.group(2)) - 1) if m else (0, _ints(r"position \\\((\d+)\\\)", prompt)[0] - 1)
        return float(flipped[r, c])
    if kind == "conv_minus_corr":
        params = prompt_params(prompt)
        x = _named("x", prompt)
        x = _as2(x if x is not None else x0)
        k = _as2(_named("w", prompt))
        r, c = _at("y^{\\text{conv}}", prompt)
        return float(forward("convolution", x, k, params)[r, c] - forward("cross_correlation", x, k, params)[r, c])
    if kind in ("ct_entry", "input_gradient"):
        params = prompt_params(prompt)
        k = _as2(_named("w", prompt))
        C = unrolled("cross_correlation", _forward_shape(prompt), k, params)
        if kind == "ct_entry":
            r, c = prompt_entry(prompt)
            return float(C.T[r, c])
        g = _as2(_named("g", prompt))
        r, c = _at("x", prompt)
        return float((C.T @ g.ravel()).reshape(_forward_shape(prompt))[r, c])
    if kind == "transposed_value":
        params = prompt_params(prompt)
        x = _named("x", prompt)
        x = _as2(x if x is not None else x0)
        z = transposed(x, _as2(_named("w", prompt)), params)
        r, c = _at("z", prompt)
        return float(z[r, c])
    if kind == "roundtrip":
        params = prompt_params(prompt)
        x = _named("x", prompt)
        x = _as2(x if x is not None else x0)
        C = unrolled("cross_correlation", x.shape, _as2(_named("w", prompt)), params)
        r, c = _at("z", prompt)
        return float((C.T @ C @ x.ravel()).reshape(x.shape)[r, c])
    if kind == "output_shape":
        h, w = _shape_pair(prompt, "input of shape")
        kh, kw = _shape_pair(prompt, "kernel of shape")
        params = _fresh_params(prompt)
        return list(forward("cross_correlation", np.zeros((h, w)), np.ones((kh, kw)), params).shape)
    if kind == "dilated_size":
        z = prompt_sizes(prompt)
        return output_size(z["i"], z["k"], z["s"], z["p"], z["d"])
    if kind == "effective_kernel":
        z = prompt_sizes(prompt)
        taps = [t * z["d"] for t in range(z["k"])]
        return max(taps) - min(taps) + 1
    if kind == "shared_inputs":
        z = {name: int(v) for name, v in re.findall(r"\\\(([ksop])\s+=\s+(\d+)\\\)", prompt)}
        return sum(1 for i in range(1, 500) if output_size(i, z["k"], z["s"], z["p"], 1) == z["o"])
    if kind == "window_count":
        i = _ints(r"input of shape \\\((\d+) \\times \d+\\\)", prompt)[0]
        k = _ints(r"a \\\((\d+) \\times \d+\\\) kernel", prompt)[0]
        s = _ints(r"\\\(s = (\d+)\\\)", prompt)[0]
        r, c = _ints(r"output cell \\\(\((\d+), (\d+)\)\\\)", prompt)
        canvas = np.zeros(((i - 1) * s + k,) * 2, dtype=int)
        for a in range(i):
            for b in range(i):
                canvas[a * s : a * s + k, b * s : b * s + k] += 1
        return int(canvas[r - 1, c - 1])
    if kind in ("flat_index", "flat_index_column_major"):
        h, w = _shape_pair(prompt, "input of shape")
        r, c = _ints(r"cell \\\(\((\d+), (\d+)\)\\\)", prompt)
        labels = np.arange(h * w).reshape(h, w) * 7 + 3  # any distinct labels
        order = "F" if "column-major" in prompt else "C"
        return list(labels.ravel(order=order)).index(labels[r - 1, c - 1]) + 1
    if kind == "p_shape":  # one row per tap, one column per window, counted
        h, w = _shape_pair(prompt, "input of shape")
        kh, kw = _shape_pair(prompt, "with a")
        y = forward("cross_correlation", np.zeros((h, w)), np.ones((kh, kw)), _fresh_params(prompt))
        return [np.ones((kh, kw)).size, y.size]
    if kind in ("c_shape", "ct_shape", "c_index", "c_nonzeros"):
        h, w = _shape_pair(prompt, "input of shape")
        kh, kw = _shape_pair(prompt, "with a")
        params = _fresh_params(prompt)
        C = unrolled("cross_correlation", (h, w), np.ones((kh, kw)), params)
        if kind == "c_shape":
            return list(C.shape)
        if kind == "ct_shape":
            return list(C.T.shape)
        if kind == "c_nonzeros":
            return int(np.count_nonzero(C))
        rng = np.random.default_rng(0)
        x = rng.random((h, w))
        if "which row" in prompt:
            y = rng.permutation(C.shape[0]).reshape(forward("cross_correlation", x, np.ones((kh, kw)), params).shape)
            r, c = _at("y", prompt)
            return list(y.ravel()).index(y[r, c]) + 1
        r, c = _at("x", prompt)
        return list(x.ravel()).index(x[r, c]) + 1
    raise AssertionError(f"no oracle for kind {kind}")


def stated_new(answer_text: str) -> Any:
    """What an answer of a new kind states first: its first math, read after its last '=' as a
    number, a shape (``a \\times b``) or a matrix."""
    m = re.search(r"\\\((.*?)\\\)", answer_text, re.S)
    assert m, f"no math in answer: {answer_text}"
    math = m.group(1).split("=")[-1].strip()
    b = re.fullmatch(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", math, re.S)
    if b:
        return parse_bmatrix(b.group(1)).tolist()
    t = re.fullmatch(r"(\d+) \\times (\d+)", math)
    if t:
        return [int(t.group(1)), int(t.group(2))]
    assert re.fullmatch(NUM, math), f"no number, shape or matrix stated first in: {answer_text}"
    return float(math)
