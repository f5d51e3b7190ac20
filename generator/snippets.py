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


def pytorch(ex: Example) -> str:
    """A runnable ``torch.nn.functional`` snippet reproducing ``ex`` and printing its shape."""
    dim = 1 if ex.one_d else 2
    fn = "conv1d" if ex.one_d else "conv2d"
    x_shape = (1, *ex.x.shape) if ex.multi else (1, 1, *ex.x.shape)
    k_shape = ex.k.shape if ex.multi else (1, 1, *ex.k.shape)
    p = ex.params
    t, b, l, r = p.padding
    one = (lambda v: str(v[1])) if ex.one_d else _pair
    lines = ["import torch", "import torch.nn.functional as F", ""]
    dtype = "torch.float64"
    lines.append(f"x = torch.tensor({pylist(ex.x)}, dtype={dtype}).reshape{x_shape}")
    out_shape = (1, *ex.output.shape) if ex.multi else (1, 1, *ex.output.shape)
    if ex.operation in ("max_pooling", "avg_pooling"):
        pool = ("max" if ex.operation == "max_pooling" else "avg") + f"_pool{dim}d"
        lines.append(f"y = F.{pool}(x, kernel_size={one(ex.k_hw)}, stride={one(p.stride)})")
    else:
        lines.append(f"k = torch.tensor({pylist(ex.k)}, dtype={dtype}).reshape{k_shape}")
        if ex.operation == "convolution":
            lines.append("k = torch.flip(k, dims=" + ("(-1,)" if ex.one_d else "(-2, -1)") + ")  # true convolution flips the kernel")
        symmetric = (t == b and l == r) if not ex.one_d else l == r
        pad_arg = one((t, l)) if symmetric else "0"
        if ex.operation == "transposed_convolution":
            fn = "conv_transpose1d" if ex.one_d else "conv_transpose2d"
            call = f"y = F.{fn}(x, k, stride={one(p.stride)}, padding={pad_arg}, output_padding={one(p.output_padding)}"
            call += f", groups={p.groups}" if p.groups != 1 else ""
            lines.append(call + f", dilation={one(p.dilation)})")
            if not symmetric:
                lines.append(
                    f"y = y[..., {t}:y.shape[-2] - {b}, {l}:y.shape[-1] - {r}]" if not ex.one_d else f"y = y[..., {l}:y.shape[-1] - {r}]"
                )
        else:
            if not symmetric:
                pads = (l, r) if ex.one_d else (l, r, t, b)
                lines.append(f"x = F.pad(x, {pads})  # (left, right{', top, bottom' if not ex.one_d else ''}): asymmetric padding")
            call = f"y = F.{fn}(x, k, stride={one(p.stride)}, padding={pad_arg}, dilation={one(p.dilation)}"
            call += f", groups={p.groups})" if p.groups != 1 else ")"
            lines.append(call)
    if ex.one_d:
        out_shape = (1, 1, ex.output.shape[-1])
    lines.append(f"print(y.shape)  # torch.Size({list(out_shape)})")
    return "\n".join(lines)
