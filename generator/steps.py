"""Step data: the frames of a figure that slides, one output position (or input value) at a time.

For a figure that shows a window sliding, :func:`for_figure` returns what the page's
stepper (``docs/javascripts/stepper.js``) and the gallery's GIFs draw, one step per
output position: the input cells under the window, the kernel, the products and their
sum, the output entry, and the row of ``C`` (or column / row of ``Cᵀ`` for a transposed
convolution) it is. Every number is formatted here, from the example's arrays; the script
only shows them.

The data is JSON (``schema: convcards/steps``)::

    {"title": ..., "unit": "output position" | "input value",
     "grids": [{"id": "input", "label": ..., "cells": [["1", ...], ...], "marks": [["pad" | "zero" | "unread" | ""]],
                "kind": "input" | "kernel" | "output" | "count" (how it is coloured; the id when absent)}, ...],
     "matrix": {"name": "C", "label": ..., "cells": [[...]], "line": "row" | "column"} | null,
     "steps": [{"name": "y₁₂", "at": [r, c], "cells": {"input": [[i, j], ...], "output": [[r, c]], ...},
                "terms": [[x, k], ...], "op": "sum" | "max" | "mean" | "stamp", "value": "3",
                "expr": "y₁₂ = 0·1 + (−1)·0 + … = 3", "line": 4}, ...],
     "values": ["average", "max"]}  (only when a step has two values: their names)

``terms`` are the products' factors, input first (for a stamp: the input value, then the kernel entry).
Stepped kinds: the sliding window (1-D, dilation, true convolution), scatter-add, zero insertion,
pooling (averages as exact fractions, as the card writes them, with the average pool's ``C``),
correlation beside convolution, the two dilation conventions, window coverage, and several
channels (one step per output entry of each output channel: the entry is the sum of the
channels' sums and one row of the multi-channel ``C``).

Nothing here draws or writes files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from . import core
from .examples import Example
from .latex import num

SCHEMA = "convcards/steps"
SUBSCRIPT = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉‚")
MINUS = "−"


def text(v: Any) -> str:
    """A number as the stepper shows it: as on the card (:func:`generator.latex.num`), with a true minus sign."""
    return num(v).replace("-", MINUS)


def factor(v: Any) -> str:
    """A number inside a product: negative ones in parentheses."""
    s = text(v)
    return f"({s})" if s.startswith(MINUS) else s


def exact(s: str) -> Fraction:
    """A number as shown (``text``) back as an exact fraction."""
    return Fraction(s.replace(MINUS, "-"))


def fraction(f: Fraction) -> str:
    """An exact fraction as the cards write one (``\\tfrac{5}{2}``): ``5/2``, a whole number as itself."""
    sign = MINUS if f < 0 else ""
    return f"{sign}{abs(f.numerator)}" if f.denominator == 1 else f"{sign}{abs(f.numerator)}/{f.denominator}"


def sub(*idx: int) -> str:
    """1-based subscript of an entry: ``sub(0, 1) == '₁₂'``, with a comma when an index has two digits."""
    parts = [str(i + 1) for i in idx]
    joined = ("," if any(len(p) > 1 for p in parts) else "").join(parts)
    return joined.translate(SUBSCRIPT)


def cells(a: np.ndarray) -> list[list[str]]:
    return [[text(v) for v in row] for row in np.atleast_2d(a)]


def grid(gid: str, label: str, values: np.ndarray, marks: np.ndarray | None = None) -> dict[str, Any]:
    g: dict[str, Any] = {"id": gid, "label": label, "cells": cells(values)}
    if marks is not None:
        g["marks"] = [[str(m) for m in row] for row in np.atleast_2d(marks)]
    return g


def shape(a: np.ndarray) -> str:
    a = np.atleast_2d(a)
    return f"{a.shape[0]}×{a.shape[1]}"


def _sum_expr(kernel: list[Any], patch: list[Any], value: Any) -> str:
    """Input times kernel, entry by entry, added: written as the cards write it (``x·w + …``)."""
    return " + ".join(f"{factor(x)}·{factor(k)}" for k, x in zip(kernel, patch, strict=True)) + f" = {text(value)}"


def _window_cells(r: int, c: int, kshape: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]) -> list[list[int]]:
    (kh, kw), (sh, sw), (dh, dw) = kshape, stride, dilation
    return [[r * sh + a * dh, c * sw + b * dw] for a in range(kh) for b in range(kw)]


def _operation_name(e: Example) -> str:
    return {
        "cross_correlation": "Cross-correlation",
        "convolution": "True convolution",
        "max_pooling": "Max pooling",
        "avg_pooling": "Average pooling",
        "transposed_convolution": "Transposed convolution",
    }.get(e.operation, e.operation)


def params_text(stride: tuple[int, int], padding: tuple[int, ...], dilation: tuple[int, int], one_d: bool = False) -> str:
    def pair(v: tuple[int, ...]) -> str:
        return str(v[-1]) if one_d or len(set(v)) == 1 else "(" + ", ".join(map(str, v)) + ")"

    return f"stride {pair(stride)}, padding {pair(padding[2:] if one_d else padding)}, dilation {pair(dilation)}"


def window_steps(e: Example) -> dict[str, Any]:
    """A forward sliding window (correlation, true convolution, pooling, 1-D, dilation): one step per output entry."""
    xp = e.padded_input
    t, _, l, _ = e.padding
    pad = np.ones(xp.shape, dtype=bool)
    pad[t : t + e.in_hw[0], l : l + e.in_hw[1]] = False
    out = np.atleast_2d(e.output)
    k = np.atleast_2d(e.kernel_used)
    kh, kw = e.k_hw
    grids = [grid("input", f"input ({shape(e.x)})" + (", padded" if pad.any() else ""), xp, np.where(pad, "pad", ""))]
    has_kernel = e.operation not in ("max_pooling", "avg_pooling")
    if has_kernel:
        klabel = "kernel, flipped" if e.operation == "convolution" else "kernel"
        if e.dilation != (1, 1):
            klabel += f" (taps {e.dilation[0]} apart)" if e.dilation[0] == e.dilation[1] else f" (taps {e.dilation} apart)"
        grids.append(grid("kernel", f"{klabel} ({kh}×{kw})", k))
    grids.append(grid("output", f"output ({shape(out)})", out))
    matrix = None
    if e.operation != "max_pooling":
        matrix = {"name": "C", "label": f"C ({e.C.shape[0]}×{e.C.shape[1]}), one row per output entry", "cells": cells(e.C), "line": "row"}
    steps = []
    for n, w in enumerate(e.windows):
        r, c = w.row, w.col
        at = _window_cells(r, c, (kh, kw), e.stride, e.dilation)
        patch = [xp[i, j] for i, j in at]
        name = "y" + (sub(c) if e.one_d else sub(r, c))
        step: dict[str, Any] = {
            "name": name,
            "at": [r, c],
            "cells": {"input": at, "output": [[r, c]]},
            "value": text(w.value),
            "line": n if matrix else None,
        }
        if e.operation == "max_pooling":
            step.update(
                op="max", terms=[[text(x)] for x in patch], expr=f"{name} = max({', '.join(text(x) for x in patch)}) = {text(w.value)}"
            )
        elif e.operation == "avg_pooling":
            step.update(
                op="mean",
                terms=[[text(x)] for x in patch],
                expr=f"{name} = ({' + '.join(factor(x) for x in patch)}) / {len(patch)} = {text(w.value)}",
            )
        else:
            step["cells"]["kernel"] = [[a, b] for a in range(kh) for b in range(kw)]
            step.update(op="sum", terms=[[text(x), text(kv)] for kv, x in zip(k.ravel(), patch, strict=True)])
            step["expr"] = f"{name} = " + _sum_expr(list(k.ravel()), patch, w.value)
        steps.append(step)
    title = f"{_operation_name(e)}, {params_text(e.stride, e.padding, e.dilation, e.one_d)}"
    return {"schema": SCHEMA, "version": 1, "title": title, "unit": "output position", "grids": grids, "matrix": matrix, "steps": steps}


def zero_insertion_steps(e: Example) -> dict[str, Any]:
    """A transposed convolution drawn as a direct one: the zero-inserted, padded input, the flipped kernel,
    stride 1; one step per output entry, which is one row of ``Cᵀ``."""
    from .content.deck4 import zero_insertion_masks

    z = e.zero_inserted
    values, padm = zero_insertion_masks(e)
    fl = core.flip(e.k)
    out = e.zero_insertion
    kh, kw = fl.shape
    s = e.transposed_params.stride
    marks = np.where(values, "", np.where(padm, "pad", "zero"))
    zeros = f"{s[0] - 1} zero{'s' if s[0] > 2 else ''} inserted between values, " if s[0] > 1 else ""
    grids = [
        grid("input", f"input ({shape(e.transposed_input)}), {zeros}padded ({shape(z)})", z, marks),
        grid("kernel", f"kernel, flipped ({kh}×{kw})", fl),
        grid("output", f"output ({shape(out)})", out),
    ]
    CT = e.CT
    matrix = {"name": "Cᵀ", "label": f"Cᵀ ({CT.shape[0]}×{CT.shape[1]}), one row per output entry", "cells": cells(CT), "line": "row"}
    steps = []
    dil = e.transposed_params.dilation
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            at = _window_cells(r, c, (kh, kw), (1, 1), dil)
            patch = [z[i, j] for i, j in at]
            name = "y" + sub(r, c)
            steps.append(
                {
                    "name": name,
                    "at": [r, c],
                    "cells": {"input": at, "kernel": [[a, b] for a in range(kh) for b in range(kw)], "output": [[r, c]]},
                    "op": "sum",
                    "terms": [[text(x), text(kv)] for kv, x in zip(fl.ravel(), patch, strict=True)],
                    "value": text(out[r, c]),
                    "expr": f"{name} = " + _sum_expr(list(fl.ravel()), patch, out[r, c]),
                    "line": r * out.shape[1] + c,
                }
            )
    title = f"Transposed convolution as zero insertion, {params_text(s, e.transposed_params.padding, dil)}"
    return {"schema": SCHEMA, "version": 1, "title": title, "unit": "output position", "grids": grids, "matrix": matrix, "steps": steps}


def scatter_steps(e: Example, grad: int = 0) -> dict[str, Any]:
    """Scatter-add: one step per input value, which stamps the scaled kernel on the output: one column of ``Cᵀ``."""
    label = "∂L/∂y" if grad else "input"
    y = e.transposed_input
    out = e.scatter
    p = e.transposed_params
    (sh, sw), (t, _, l, _) = p.stride, p.padding
    kd = core.dilate(e.k, p.dilation)
    CT = e.CT
    grids = [
        grid("input", f"{label} ({shape(y)})", y),
        grid("kernel", f"kernel ({shape(kd)})", kd),
        grid("output", f"output ({shape(out)})", out),
    ]
    matrix = {
        "name": "Cᵀ",
        "label": f"Cᵀ ({CT.shape[0]}×{CT.shape[1]}), one column per {label} value",
        "cells": cells(CT),
        "line": "column",
    }
    steps = []
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            stamp, kcells = [], []
            for a in range(kd.shape[0]):
                for b in range(kd.shape[1]):
                    i, j = r * sh + a - t, c * sw + b - l
                    if 0 <= i < out.shape[0] and 0 <= j < out.shape[1]:
                        stamp.append([i, j])
                        kcells.append([a, b])
            name = ("∂L/∂y" if grad else "y") + sub(r, c)
            v = y[r, c]
            steps.append(
                {
                    "name": name,
                    "at": [r, c],
                    "cells": {"input": [[r, c]], "kernel": kcells, "output": stamp},
                    "op": "stamp",
                    "terms": [[text(v), text(kd[a, b])] for a, b in kcells],
                    "value": text(v),
                    "expr": f"{name} = {text(v)} stamps {text(v)}·w on the output: "
                    + ", ".join(f"{factor(v)}·{factor(kd[a, b])}" for a, b in kcells)
                    + " (the highlighted output cells each receive one of them)",
                    "line": r * y.shape[1] + c,
                }
            )
    title = f"Transposed convolution by scatter-add, {params_text(p.stride, p.padding, p.dilation)}"
    return {"schema": SCHEMA, "version": 1, "title": title, "unit": "input value", "grids": grids, "matrix": matrix, "steps": steps}


def pooling_steps(pair: tuple[Example, Example]) -> dict[str, Any]:
    """Average and max pooling of one input: one step per window, both outputs highlighted."""
    avg, mx = pair
    d = window_steps(avg)
    dm = window_steps(mx)
    d["grids"] = [g for g in d["grids"] if g["id"] != "output"]
    d["grids"] += [
        dict(grid("average", f"average pool ({shape(avg.output)})", avg.output)),
        dict(grid("max", f"max pool ({shape(mx.output)})", mx.output)),
    ]
    # averages as the card writes them: exact fractions of the window's entries (the same entries as shown)
    xin = [[exact(v) for v in row] for row in d["grids"][0]["cells"]]
    means = {}
    for s in d["steps"]:
        window = [xin[i][j] for i, j in s["cells"]["input"]]
        means[tuple(s["at"])] = (window, sum(window, Fraction(0)) / len(window))
    d["grids"][-2]["cells"] = [[fraction(means[(r, c)][1]) for c in range(avg.out_hw[1])] for r in range(avg.out_hw[0])]
    C = avg.C
    d["matrix"] = {
        "name": "C",
        "label": f"C of the average pool ({C.shape[0]}×{C.shape[1]}), one row per output entry (max pooling has none)",
        "cells": [[fraction(Fraction(v).limit_denominator(len(means[(0, 0)][0]))) for v in row] for row in C],
        "line": "row",
    }
    for n, (s, m) in enumerate(zip(d["steps"], dm["steps"], strict=True)):
        rc = s["cells"].pop("output")
        s["cells"]["average"] = rc
        s["cells"]["max"] = rc
        window, mean = means[tuple(s["at"])]
        name = s["name"]
        mean_expr = f"{name} = ({' + '.join(factor(v) for v in window)}) / {len(window)} = {fraction(mean)}"
        s["expr"] = f"average {mean_expr}; max {m['expr']}"
        s["value"] = [fraction(mean), m["value"]]
        s["line"] = n
    d["title"] = f"Pooling, {avg.k_hw[0]}×{avg.k_hw[1]} windows, " + params_text(avg.stride, avg.padding, avg.dilation)
    d["values"] = ["average", "max"]
    return d


def corr_conv_steps(e: Example) -> dict[str, Any]:
    """One input, two kernels: ``w`` (cross-correlation ⋆) and ``rot180(w)`` (true convolution *), one step per
    output position with both sums; the row of ``C`` is the convolution's (the correlation's C holds w in its place)."""
    x, k = core.as_2d(e.x), core.as_2d(e.k)
    rot = core.flip(k)
    xp = core.pad(x, e.padding)
    kh, kw = k.shape
    corr = core.corr2d(xp, k, core.ConvParams(stride=e.stride, dilation=e.dilation))
    conv = core.corr2d(xp, rot, core.ConvParams(stride=e.stride, dilation=e.dilation))
    pad = _pad_marks(e)
    grids = [
        grid("input", f"input x ({shape(x)})" + (", padded" if pad.any() else ""), xp, np.where(pad, "pad", "")),
        grid("kernel", f"kernel w ({kh}×{kw}), for x ⋆ w", k),
        dict(grid("rot", f"rot180(w) ({kh}×{kw}), for x * w", rot), kind="kernel"),
        dict(grid("corr", f"x ⋆ w ({shape(corr)})", corr), kind="output"),
        dict(grid("conv", f"x * w ({shape(conv)})", conv), kind="output"),
    ]
    C = core.unrolled_matrix(x.shape, rot, e.params)
    matrix = {
        "name": "C",
        "label": f"C of x * w ({C.shape[0]}×{C.shape[1]}), one row per output entry (the C of x ⋆ w holds w where this holds rot180(w))",
        "cells": cells(C),
        "line": "row",
    }
    steps = []
    all_k = [[a, b] for a in range(kh) for b in range(kw)]
    for r in range(corr.shape[0]):
        for c in range(corr.shape[1]):
            at = _window_cells(r, c, (kh, kw), e.stride, e.dilation)
            patch = [xp[i, j] for i, j in at]
            name = "y" + sub(r, c)
            steps.append(
                {
                    "name": name,
                    "at": [r, c],
                    "cells": {"input": at, "kernel": all_k, "rot": all_k, "corr": [[r, c]], "conv": [[r, c]]},
                    "op": "sum",
                    "terms": [[text(xv), text(kv)] for kv, xv in zip(k.ravel(), patch, strict=True)],
                    "terms_conv": [[text(xv), text(kv)] for kv, xv in zip(rot.ravel(), patch, strict=True)],
                    "value": [text(corr[r, c]), text(conv[r, c])],
                    "expr": f"x ⋆ w: {name} = {_sum_expr(list(k.ravel()), patch, corr[r, c])}; "
                    f"x * w: {name} = {_sum_expr(list(rot.ravel()), patch, conv[r, c])}",
                    "line": r * corr.shape[1] + c,
                }
            )
    title = f"Cross-correlation and convolution of one input, {params_text(e.stride, e.padding, e.dilation)}"
    return {
        "schema": SCHEMA,
        "version": 1,
        "title": title,
        "unit": "output position",
        "grids": grids,
        "matrix": matrix,
        "steps": steps,
        "values": ["x ⋆ w", "x * w"],
    }


def _pad_marks(e: Example) -> np.ndarray:
    """True on the padding cells of the padded input (of each channel)."""
    t, b, l, r = e.padding
    h, w = e.in_hw
    pad = np.ones((h + t + b, w + l + r), dtype=bool)
    pad[t : t + h, l : l + w] = False
    return pad


def dilation_steps(e: Example) -> dict[str, Any]:
    """The sliding window at dilation d, and beside it the same kernel with d − 1 zeros between its taps
    (the "holes" convention), whose whole span lies on the window: one output either way."""
    d = window_steps(e)
    dh, dw = e.dilation
    k = np.atleast_2d(e.k)
    holed = core.dilate(k, e.dilation)
    marks = np.full(holed.shape, "zero", dtype=object)
    marks[::dh, ::dw] = ""
    holes = f"{dh - 1} zero{'s' if dh > 2 else ''}" if dh == dw else f"{(dh - 1, dw - 1)} zeros"
    i = next(n for n, g in enumerate(d["grids"]) if g["id"] == "kernel")
    d["grids"].insert(
        i + 1, dict(grid("holes", f"or: kernel with holes ({shape(holed)}), {holes} between taps", holed, marks), kind="kernel")
    )
    span = [[a, b] for a in range(holed.shape[0]) for b in range(holed.shape[1])]
    for s in d["steps"]:
        s["cells"]["holes"] = span
    d["title"] = "Dilation, taps apart or a kernel with holes: " + d["title"][0].lower() + d["title"][1:]
    return d


def coverage_counts(e: Example) -> np.ndarray:
    """How many window positions put a kernel tap on each cell of the padded input."""
    counts = np.zeros(e.padded_input.shape, dtype=np.int64)
    for w in e.windows:
        for i, j in _window_cells(w.row, w.col, e.k_hw, e.stride, e.dilation):
            counts[i, j] += 1
    return counts


def coverage_steps(e: Example) -> dict[str, Any]:
    """The sliding window, with the count of windows covering each input cell beside it: a step
    highlights its window's cells in both; cells no window reads are marked (red) in both."""
    d = window_steps(e)
    counts = coverage_counts(e)
    pad = _pad_marks(e)
    unread = np.where(pad, "pad", np.where(counts == 0, "unread", ""))
    d["grids"][0]["marks"] = [[str(m) for m in row] for row in unread]
    n = len(d["steps"])
    label = f"windows covering each cell (all {n})"
    d["grids"].insert(1, dict(grid("coverage", label, counts, np.where(counts == 0, "unread", "")), kind="count"))
    for s in d["steps"]:
        s["cells"]["coverage"] = s["cells"]["input"]
    never = int(((counts == 0) & ~pad).sum())
    d["title"] = (
        "Window coverage, "
        + d["title"][0].lower()
        + d["title"][1:]
        + (f": {never} input cell{'s' if never != 1 else ''} never read" if never else ": every input cell read")
    )
    return d


def channel_steps(e: Example) -> dict[str, Any]:
    """Several channels: one step per output entry of each output channel. The window lies on every input
    channel the output channel sees (its group), each under its own kernel; the entry is the sum of the
    channels' sums, and it is one row of the multi-channel ``C`` (that output channel's rows, across the
    column blocks of the input channels; blocks of other groups are zero)."""
    x, w = e.x, e.k
    c_in, c_out, g = x.shape[0], w.shape[0], e.params.groups
    per_in, per_out = c_in // g, c_out // g
    kh, kw = e.k_hw
    out = e.output
    oh, ow = out.shape[1:]
    pad = _pad_marks(e)
    xps = [core.pad(x[c], e.padding) for c in range(c_in)]
    grids = [
        dict(
            grid(f"x{c + 1}", f"input channel {c + 1} ({shape(x[c])})", xps[c], np.where(pad, "pad", "") if pad.any() else None),
            kind="input",
        )
        for c in range(c_in)
    ]
    # w_vu: the kernel from input channel u (of output channel v's group) to output channel v
    grids += [
        dict(grid(f"w{o + 1}-{j + 1}", "w" + sub(o, (o // per_out) * per_in + j), w[o, j]), kind="kernel")
        for o in range(c_out)
        for j in range(per_in)
    ]
    grids += [dict(grid(f"y{o + 1}", f"output channel {o + 1} ({oh}×{ow})", out[o]), kind="output") for o in range(c_out)]
    C = e.C
    blocks = "one column block per input channel" + ("; blocks outside a group are zero" if g > 1 else "")
    matrix = {"name": "C", "label": f"C ({C.shape[0]}×{C.shape[1]}), one row per output entry, {blocks}", "cells": cells(C), "line": "row"}
    steps = []
    all_k = [[a, b] for a in range(kh) for b in range(kw)]
    for o in range(c_out):
        grp = o // per_out
        for r in range(oh):
            for c in range(ow):
                at = _window_cells(r, c, (kh, kw), e.stride, e.dilation)
                name = "(y" + sub(o) + ")" + sub(r, c)  # (y_v)_rc, as the notation page writes a channel's entry
                on: dict[str, Any] = {f"y{o + 1}": [[r, c]]}
                parts, partials, terms = [], [], []
                for j in range(per_in):
                    ch = grp * per_in + j
                    patch = [xps[ch][i, jj] for i, jj in at]
                    kern = w[o, j].ravel()
                    part = sum(float(a) * float(b) for a, b in zip(patch, kern, strict=True))
                    on[f"x{ch + 1}"] = at
                    on[f"w{o + 1}-{j + 1}"] = all_k
                    partials.append(part)
                    terms += [[text(xv), text(kv)] for kv, xv in zip(kern, patch, strict=True)]
                    parts.append(f"channel {ch + 1}: " + _sum_expr(list(kern), patch, part))
                value = out[o, r, c]
                if per_in == 1:  # one channel per group: its sum is the entry
                    expr = f"{name} = input channel {grp + 1} only (its group): " + _sum_expr(list(w[o, 0].ravel()), patch, value)
                else:
                    total = " + ".join(factor(p) for p in partials) + f" = {text(value)}"
                    expr = f"{name} = sum over channels: " + "; ".join(parts) + f"; {name} = {total}"
                steps.append(
                    {
                        "name": name,
                        "at": [o, r, c],
                        "cells": on,
                        "op": "sum",
                        "terms": terms,
                        "partials": [text(p) for p in partials],
                        "value": text(value),
                        "expr": expr,
                        "line": (o * oh + r) * ow + c,
                    }
                )
    kind = (
        f"depthwise (groups = {g})"
        if g == c_in and g > 1
        else (f"groups = {g}" if g > 1 else "every input channel to every output channel")
    )
    title = f"{c_in} input channels, {c_out} output channels, {kind}, {params_text(e.stride, e.padding, e.dilation)}"
    return {"schema": SCHEMA, "version": 1, "title": title, "unit": "output entry", "grids": grids, "matrix": matrix, "steps": steps}


STEPPED: dict[str, Callable[..., dict[str, Any]]] = {
    "sliding_window": lambda e, **kw: window_steps(e),
    "zero_inserted": lambda e, **kw: zero_insertion_steps(e),
    "scatter_stamps": lambda e, grad=0, **kw: scatter_steps(e, grad),
    "pooling_windows": lambda pair, **kw: pooling_steps(pair),
    "corr_conv_windows": lambda e, **kw: corr_conv_steps(e),
    "dilation_conventions": lambda e, **kw: dilation_steps(e),
    "window_coverage": lambda e, **kw: coverage_steps(e),
    "coverage": lambda e, **kw: coverage_steps(e),
    "channel_kernels": lambda e, **kw: channel_steps(e),
    "channel_blocks": lambda e, **kw: channel_steps(e),
}
MULTI = {"channel_kernels", "channel_blocks"}  # kinds whose example has several channels
TRANSPOSED = {"zero_inserted", "scatter_stamps"}  # kinds whose example is a transposed convolution


def for_figure(kind: str, arg: Any, kwargs: dict[str, Any]) -> bytes | None:
    """The step data of a figure, as JSON bytes, or None for a figure that does not slide."""
    fn = STEPPED.get(kind)
    if fn is None:
        return None
    if isinstance(arg, Example) and (arg.multi != (kind in MULTI) or (arg.transposed_op and kind not in TRANSPOSED)):
        return None
    return dumps(fn(arg, **kwargs))


def dumps(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
