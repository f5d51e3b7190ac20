"""Worked examples: every array a card shows, computed from one :class:`ExampleSpec`.

An :class:`Example` is what templates receive as ``ex``; each property is computed
once, on first use, by the numeric core. Nothing here formats LaTeX or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from . import core
from .spec import ExampleSpec, example_params


@dataclass(frozen=True)
class Window:
    """One output position of the sliding window."""

    row: int
    col: int
    patch: np.ndarray  # the (padded) input cells under the kernel taps
    value: Any  # the output entry


class Example:
    """Arrays of one worked example (1-D signals are kept 1-D for display)."""

    def __init__(self, spec: ExampleSpec):
        self.spec = spec
        self.name = spec.name
        self.operation = spec.operation
        self.params = example_params(spec)
        self.x = spec.input
        self.k = spec.kernel
        self.one_d = self.x.ndim == 1
        self.multi = self.x.ndim == 3
        self.transposed_op = self.operation == "transposed_convolution"
        self.pooling = self.operation.endswith("pooling")

    # ------------------------------------------------------------------ shapes and params

    def _shape_out(self, a: np.ndarray) -> np.ndarray:
        return a.ravel() if self.one_d else a

    @property
    def p(self) -> core.ConvParams:
        return self.params

    @property
    def stride(self) -> tuple[int, int]:
        return self.params.stride

    @property
    def padding(self) -> tuple[int, int, int, int]:
        return self.params.padding

    @property
    def dilation(self) -> tuple[int, int]:
        return self.params.dilation

    @property
    def in_hw(self) -> tuple[int, int]:
        return core.as_2d(self.x).shape if not self.multi else self.x.shape[1:]

    @property
    def k_hw(self) -> tuple[int, int]:
        return core.as_2d(self.k).shape if not self.multi else self.k.shape[2:]

    # ------------------------------------------------------------------ forward

    @cached_property
    def kernel_used(self) -> np.ndarray:
        """The kernel the correlation actually slides (flipped for a true convolution, 1/k² for average pooling)."""
        if self.operation == "convolution":
            return core.flip(self.k)
        if self.operation == "avg_pooling":
            return self.k / self.k.size
        return self.k

    @cached_property
    def output(self) -> np.ndarray:
        """The result of the example's operation."""
        x2, p = core.as_2d(self.x), self.params
        if self.multi:
            return core.corr2d_multi(self.x, self.kernel_used, p)
        if self.transposed_op:
            return self._shape_out(core.transposed_via_matrix(x2, self.k, p))
        if self.operation == "max_pooling":
            return self._shape_out(core.windows(x2, self.k_hw, p).max(axis=(2, 3)))
        return self._shape_out(core.corr2d(x2, self.kernel_used, p))

    @cached_property
    def out_hw(self) -> tuple[int, int]:
        return core.as_2d(self.output).shape if not self.multi else self.output.shape[1:]

    @cached_property
    def correlation(self) -> np.ndarray:
        """Cross-correlation of the input with the kernel as given."""
        return self._shape_out(core.corr2d(core.as_2d(self.x), self.k, self.params))

    @cached_property
    def convolution(self) -> np.ndarray:
        """True convolution of the input with the kernel (the kernel flipped)."""
        return self._shape_out(core.conv2d(core.as_2d(self.x), self.k, self.params))

    @cached_property
    def flipped(self) -> np.ndarray:
        return core.flip(self.k)

    @cached_property
    def padded_input(self) -> np.ndarray:
        return core.pad(core.as_2d(self.x), self.params.padding)

    @cached_property
    def dilated_kernel(self) -> np.ndarray:
        return core.dilate(self.k, self.params.dilation)

    @cached_property
    def windows(self) -> list[Window]:
        """Each output position with its input patch and value (row-major order)."""
        patches = core.windows(core.as_2d(self.x), self.k_hw, self.params)
        out = core.as_2d(self.output)
        return [Window(r, c, patches[r, c], out[r, c]) for r in range(out.shape[0]) for c in range(out.shape[1])]

    # ------------------------------------------------------------------ matrices

    @cached_property
    def forward_in_hw(self) -> tuple[int, int]:
        """Input shape of the forward convolution whose matrix is C."""
        return core.as_2d(self.output).shape if self.transposed_op else self.in_hw

    @cached_property
    def C(self) -> np.ndarray:
        """The unrolled kernel matrix of the forward convolution (row-major)."""
        if self.multi:
            return core.unrolled_matrix_multi(self.x.shape, self.k, self.params)
        return core.unrolled_matrix(self.forward_in_hw, self.kernel_used, self.params)

    @cached_property
    def C_column_major(self) -> np.ndarray:
        return core.unrolled_matrix_column_major(self.forward_in_hw, self.kernel_used, self.params)

    @cached_property
    def C_padded(self) -> np.ndarray:
        return core.unrolled_matrix_padded(self.forward_in_hw, self.kernel_used, self.params)

    @property
    def flat_input(self) -> np.ndarray:
        return self.x.ravel()

    @cached_property
    def product(self) -> np.ndarray:
        """``C @ x.ravel()`` for a forward example (the flattened output)."""
        return self.C @ self.x.ravel()

    @cached_property
    def im2col(self) -> np.ndarray:
        return core.im2col(core.as_2d(self.x), self.k_hw, self.params)

    @cached_property
    def im2col_product(self) -> np.ndarray:
        return self.kernel_used.ravel() @ self.im2col

    @cached_property
    def nonzeros(self) -> int:
        return int(np.count_nonzero(self.C))

    # ------------------------------------------------------------------ transposed

    @cached_property
    def transposed_input(self) -> np.ndarray:
        """What the transposed convolution is applied to: the example's output, or its input for a transposed example."""
        return core.as_2d(self.x if self.transposed_op else self.output)

    @cached_property
    def transposed(self) -> np.ndarray:
        """``C.T @ y`` reshaped: the transposed convolution of :attr:`transposed_input`."""
        return core.transposed_via_matrix(self.transposed_input, self.k, self.transposed_params)

    @cached_property
    def transposed_params(self) -> core.ConvParams:
        """For a forward example, output_padding is chosen so the round trip restores the input shape."""
        if self.transposed_op:
            return self.params
        p = self.params
        a = []
        for axis, (i, k) in enumerate(zip(self.in_hw, self.k_hw, strict=True)):
            lo, hi = p.padding[2 * axis], p.padding[2 * axis + 1]
            a.append((i + lo + hi - p.dilation[axis] * (k - 1) - 1) % p.stride[axis])
        return core.ConvParams(p.stride, p.padding, p.dilation, (a[0], a[1]), p.groups)

    @cached_property
    def transposed_output_padding(self) -> tuple[int, int]:
        return self.transposed_params.output_padding

    @cached_property
    def scatter(self) -> np.ndarray:
        return core.transposed_scatter(self.transposed_input, self.k, self.transposed_params)

    @cached_property
    def scatter_stamps(self) -> list[tuple[int, int, Any, np.ndarray]]:
        """Each transposed-input value with the scaled kernel it stamps."""
        y = self.transposed_input
        kd = core.dilate(self.k, self.params.dilation)
        return [(r, c, y[r, c], y[r, c] * kd) for r in range(y.shape[0]) for c in range(y.shape[1])]

    @cached_property
    def zero_inserted(self) -> np.ndarray:
        return core.zero_insertion_input(self.transposed_input, self.k_hw, self.transposed_params)

    @cached_property
    def zero_insertion(self) -> np.ndarray:
        return core.transposed_zero_insertion(self.transposed_input, self.k, self.transposed_params)

    @cached_property
    def CT(self) -> np.ndarray:
        """The matrix of the transposed convolution (``C`` of the forward one, transposed)."""
        if self.transposed_op:
            return self.C.T
        return core.unrolled_matrix(self.transposed.shape, self.k, self.transposed_params).T

    def as_json(self) -> dict[str, Any]:
        """The example's arrays and parameters as plain lists (for ``cards.json``)."""
        d = self.spec.as_json()
        d["name"] = self.name
        arrays = {"input": self.x, "kernel": self.k, "output": self.output}
        if not self.pooling or self.operation == "avg_pooling":
            arrays["unrolled_matrix"] = self.C
        d["arrays"] = {k: v.tolist() for k, v in arrays.items()}
        d["shapes"] = {k: list(v.shape) for k, v in arrays.items()}
        return d


def build(specs: dict[str, ExampleSpec]) -> dict[str, Example]:
    return {name: Example(s) for name, s in specs.items()}
