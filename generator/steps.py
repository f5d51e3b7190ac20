"""Step data: the frames of a figure that slides, one output position (or input value) at a time.

For a figure that shows a window sliding, :func:`for_figure` returns what the page's
stepper (``docs/javascripts/stepper.js``) and the gallery's GIFs draw, one step per
output position: the input cells under the window, the kernel, the products and their
sum, the output entry, and the row of ``C`` (or column / row of ``Cᵀ`` for a transposed
convolution) it is. Every number is formatted here, from the example's arrays; the script
only shows them.

The data is JSON (``schema: convcards/steps``)::

    {"title": ..., "unit": "output position" | "input value",
     "grids": [{"id": "input", "label": ..., "cells": [["1", ...], ...], "marks": [["pad" | "zero" | ""]]}, ...],
     "matrix": {"name": "C", "label": ..., "cells": [[...]], "line": "row" | "column"} | null,
     "steps": [{"name": "y₁₂", "at": [r, c], "cells": {"input": [[i, j], ...], "output": [[r, c]], ...},
                "terms": [[x, k], ...], "op": "sum" | "max" | "mean" | "stamp", "value": "3",
                "expr": "y₁₂ = 0·1 + (−1)·0 + … = 3", "line": 4}, ...]}

``terms`` are the products' factors, input first (for a stamp: the input value, then the kernel entry).

Nothing here draws or writes files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    """Input times kernel, entry by entry, added: written as the cards write it (``x·k + …``)."""
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
                    "expr": f"{name} = {text(v)} stamps {text(v)}·k on the output: "
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
    d["matrix"] = None
    for s, m in zip(d["steps"], dm["steps"], strict=True):
        rc = s["cells"].pop("output")
        s["cells"]["average"] = rc
        s["cells"]["max"] = rc
        s["expr"] = f"average {s['expr']}; max {m['expr']}"
        s["value"] = [s["value"], m["value"]]
        s["line"] = None
    d["title"] = f"Pooling, {avg.k_hw[0]}×{avg.k_hw[1]} windows, " + params_text(avg.stride, avg.padding, avg.dilation)
    return d


STEPPED: dict[str, Callable[..., dict[str, Any]]] = {
    "sliding_window": lambda e, **kw: window_steps(e),
    "zero_inserted": lambda e, **kw: zero_insertion_steps(e),
    "scatter_stamps": lambda e, grad=0, **kw: scatter_steps(e, grad),
    "pooling_windows": lambda pair, **kw: pooling_steps(pair),
}


def for_figure(kind: str, arg: Any, kwargs: dict[str, Any]) -> bytes | None:
    """The step data of a figure, as JSON bytes, or None for a figure that does not slide."""
    fn = STEPPED.get(kind)
    if fn is None:
        return None
    if isinstance(arg, Example) and (arg.multi or (arg.transposed_op and kind == "sliding_window")):
        return None
    return dumps(fn(arg, **kwargs))


def dumps(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
