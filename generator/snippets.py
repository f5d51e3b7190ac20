"""Code snippets: the PyTorch call equivalent to an example, with its numbers filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .examples import Example


def pylist(a: np.ndarray) -> str:
    """An array as a Python literal (integers without a decimal point).

    >>> pylist(np.array([[1, -2], [0, 3]]))
    '[[1, -2], [0, 3]]'
    """
    return repr(np.asarray(a).tolist())


def _pair(v: tuple[int, int]) -> str:
    return str(v[0]) if v[0] == v[1] else f"({v[0]}, {v[1]})"


def values_line(var: str, a: np.ndarray, index: str = "") -> str:
    """A ``print`` of ``var[index]`` as a list, with the expected list as its comment.

    Integer results print with ``.int()``; others rounded to 4 decimals (``torch.round`` and
    ``np.round`` agree away from exact ties, which these examples do not have).
    """
    a = np.asarray(a)
    ref = f"{var}[{index}]" if index else var
    if np.all(a == np.rint(a)):
        return f"print({ref}.int().tolist())  # {pylist(np.rint(a).astype(np.int64))}"
    return f"print(torch.round({ref}, decimals=4).tolist())  # {pylist(np.round(a.astype(float), 4))}"


def pytorch(ex: Example) -> str:
    """A runnable ``torch.nn.functional`` snippet reproducing ``ex``, printing its shape and its values.

    A transposed convolution's input is ``y`` and its output ``xt`` (x' on the pages);
    every other example maps ``x`` to ``y``.
    """
    dim = 1 if ex.one_d else 2
    fn = "conv1d" if ex.one_d else "conv2d"
    x_shape = (1, *ex.x.shape) if ex.multi else (1, 1, *ex.x.shape)
    k_shape = ex.k.shape if ex.multi else (1, 1, *ex.k.shape)
    p = ex.params
    t, b, l, r = p.padding
    one = (lambda v: str(v[1])) if ex.one_d else _pair
    lines = ["import torch", "import torch.nn.functional as F", ""]
    dtype = "torch.float64"
    src, dst = ("y", "xt") if ex.operation == "transposed_convolution" else ("x", "y")
    lines.append(f"{src} = torch.tensor({pylist(ex.x)}, dtype={dtype}).reshape{x_shape}")
    out_shape = (1, *ex.output.shape) if ex.multi else (1, 1, *ex.output.shape)
    if ex.operation in ("max_pooling", "avg_pooling"):
        pool = ("max" if ex.operation == "max_pooling" else "avg") + f"_pool{dim}d"
        lines.append(f"y = F.{pool}(x, kernel_size={one(ex.k_hw)}, stride={one(p.stride)})")
    else:
        lines.append(f"w = torch.tensor({pylist(ex.k)}, dtype={dtype}).reshape{k_shape}")
        if ex.operation == "convolution":
            lines.append("w = torch.flip(w, dims=" + ("(-1,)" if ex.one_d else "(-2, -1)") + ")  # true convolution flips the kernel")
        symmetric = (t == b and l == r) if not ex.one_d else l == r
        pad_arg = one((t, l)) if symmetric else "0"
        if ex.operation == "transposed_convolution":
            fn = "conv_transpose1d" if ex.one_d else "conv_transpose2d"
            call = f"xt = F.{fn}(y, w, stride={one(p.stride)}, padding={pad_arg}, output_padding={one(p.output_padding)}"
            call += f", groups={p.groups}" if p.groups != 1 else ""
            lines.append(call + f", dilation={one(p.dilation)})")
            if not symmetric:
                crop = f"{t}:xt.shape[-2] - {b}, {l}:xt.shape[-1] - {r}" if not ex.one_d else f"{l}:xt.shape[-1] - {r}"
                lines.append(f"xt = xt[..., {crop}]")
        else:
            if not symmetric:
                pads = (l, r) if ex.one_d else (l, r, t, b)
                lines.append(f"x = F.pad(x, {pads})  # (left, right{', top, bottom' if not ex.one_d else ''}): asymmetric padding")
            call = f"y = F.{fn}(x, w, stride={one(p.stride)}, padding={pad_arg}, dilation={one(p.dilation)}"
            call += f", groups={p.groups})" if p.groups != 1 else ")"
            lines.append(call)
    if ex.one_d:
        out_shape = (1, 1, ex.output.shape[-1])
    lines.append(f"print({dst}.shape)  # torch.Size({list(out_shape)})")
    lines.append(values_line(dst, ex.output, "0" if ex.multi else "0, 0"))
    return "\n".join(lines)


MAX_PRINTED_ENTRIES = 400  # a larger C prints its shape, not its entries


def pytorch_matrix(ex: Example) -> str:
    """C built from the layer itself: ``F.conv2d`` applied to every basis input is one column.

    Checks ``C @ x.flatten()`` against the layer's output. Row-major flattening, as on the pages
    (channel-major first for several channels).
    """
    x_shape = (1, *ex.x.shape) if ex.multi else (1, 1, *ex.x.shape)
    k_shape = ex.k.shape if ex.multi else (1, 1, *ex.k.shape)
    p = ex.params
    t, b, l, r = p.padding
    n = int(ex.x.size)
    lines = [
        "import torch",
        "import torch.nn.functional as F",
        "",
        f"x = torch.tensor({pylist(ex.x)}, dtype=torch.float64).reshape{x_shape}",
        f"w = torch.tensor({pylist(ex.k)}, dtype=torch.float64).reshape{k_shape}",
    ]
    if t == b and l == r:
        pad = "" if t == l == 0 else f", padding={_pair((t, l))}"
        layer = f"lambda v: F.conv2d(v, w, stride={_pair(p.stride)}{pad}, dilation={_pair(p.dilation)}"
    else:
        layer = f"lambda v: F.conv2d(F.pad(v, {(l, r, t, b)}), w, stride={_pair(p.stride)}, dilation={_pair(p.dilation)}"
    layer += f", groups={p.groups})" if p.groups != 1 else ")"
    C = ex.C
    lines += [
        f"layer = {layer}",
        f"basis = torch.eye({n}, dtype=torch.float64).reshape({n}, *x.shape[1:])  # every one-hot input",
        f"C = layer(basis).reshape({n}, -1).T  # column j: the layer applied to input cell j",
        f"print(C.shape)  # torch.Size({list(C.shape)})",
    ]
    if C.size <= MAX_PRINTED_ENTRIES:
        lines.append(values_line("C", C))
    lines.append("print(torch.equal(C @ x.flatten(), layer(x).flatten()))  # True")
    return "\n".join(lines)
