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
    k = re.search(r"k\s+=\s+\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", prompt, re.S)
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
    """The number an answer states: its first math (an entry, a maximum) or the value after its last '='."""
    m = re.search(r"= (" + NUM + r")\\\)\s*$", answer_text.strip())
    if m:
        return float(m.group(1))
    m = re.match(r"\\\((" + NUM + r")\\\)", answer_text.strip())
    assert m, f"no number in answer: {answer_text}"
    return float(m.group(1))


def transposed(y: np.ndarray, k: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """C^T y, with C the matrix of the forward convolution (built column by column above)."""
    out_shape = transposed_out_shape(y.shape, k.shape, params, params["output_padding"])
    C = unrolled("cross_correlation", out_shape, k, params)
    fwd = forward("cross_correlation", np.zeros(out_shape), k, params).shape
    keep = np.arange(fwd[0] * fwd[1]).reshape(fwd)[: y.shape[0], : y.shape[1]].ravel()
    return (C[keep].T @ y.ravel()).reshape(out_shape)


def worked_example(text: str) -> tuple[np.ndarray, np.ndarray]:
    """From a card's back ("The worked example, a ... with ...: x = ..., k = ..., y = ..."):
    the stated output y and the output recomputed from the stated x, k and parameters."""
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
