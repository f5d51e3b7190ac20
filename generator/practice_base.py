"""What every practice question shares: the :class:`Question` record, its typed answer
(:func:`expected`) and how a prompt states an example's parameters. Imported by
:mod:`generator.practice` (the seeds, the classic kinds) and :mod:`generator.practice_kinds` (the
kinds that ask one card's own idea), which never import each other's internals."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from . import latex
from .examples import Example


def expected(value: Any, kind: str = "") -> dict[str, Any]:
    """The answer as the page grades it: ``{"type": "integer"|"fraction"|"shape"|"matrix", ...}``.

    >>> expected(3), expected(0.25)
    ({'type': 'integer', 'value': 3}, {'type': 'fraction', 'numerator': 1, 'denominator': 4})
    """
    if kind == "shape":
        return {"type": "shape", "value": [int(v) for v in value]}
    if kind == "matrix":
        return {"type": "matrix", "value": [[int(v) for v in row] for row in value]}
    f = Fraction(float(value)).limit_denominator(10_000)
    if abs(float(f) - float(value)) > 1e-9:
        raise ValueError(f"practice answer {value!r} is not a small fraction")
    if f.denominator == 1:
        return {"type": "integer", "value": int(f)}
    return {"type": "fraction", "numerator": f.numerator, "denominator": f.denominator}


@dataclass(frozen=True)
class Question:
    """One practice question: prompt and answer as Markdown with LaTeX, the answer as a number.

    ``arrays`` holds everything needed to recompute the answer independently: the arrays
    and parameters the prompt shows, and the entry asked for (0-based). ``expected`` is the
    answer as a page grades a typed reply (see :func:`generator.practice_kinds.expected`).
    """

    kind: str
    variant: int
    prompt: str
    answer: str
    value: Any
    arrays: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "variant": self.variant,
            "prompt": self.prompt,
            "answer": self.answer,
            "value": self.value,
            "arrays": self.arrays,
            "expected": self.expected if self.expected is not None else expected(self.value),
        }


def _given(ex: Example, forward: bool = False) -> str:
    p = ex.params
    if ex.one_d:  # a 1-D signal is one row: its parameters are the column ones, padding (left, right)
        return _given_1d(ex)
    parts = [f"\\(s = ({p.stride[0]}, {p.stride[1]})\\)" if p.stride[0] != p.stride[1] else f"\\(s = {p.stride[0]}\\)"]
    t, b, l, r = p.padding
    parts.append(f"\\(p = {t}\\)" if len({t, b, l, r}) == 1 else f"padding (top, bottom, left, right) \\(= ({t}, {b}, {l}, {r})\\)")
    if p.dilation != (1, 1):
        parts.append(f"\\(d = ({p.dilation[0]}, {p.dilation[1]})\\)" if p.dilation[0] != p.dilation[1] else f"\\(d = {p.dilation[0]}\\)")
    if ex.transposed_op and p.output_padding != (0, 0) and not forward:
        a = p.output_padding
        parts.append(f"output padding \\(a = ({a[0]}, {a[1]})\\)")
    return ", ".join(parts)


def _given_1d(ex: Example) -> str:
    p = ex.params
    _, _, left, right = p.padding
    parts = [f"\\(s = {p.stride[1]}\\)", f"\\(p = {left}\\)" if left == right else f"padding (left, right) \\(= ({left}, {right})\\)"]
    if p.dilation[1] != 1:
        parts.append(f"\\(d = {p.dilation[1]}\\)")
    if ex.transposed_op and p.output_padding[1]:
        parts.append(f"output padding \\(a = {p.output_padding[1]}\\)")
    return ", ".join(parts)


def _tap(ex: Example, r: int, c: int) -> str:
    """A kernel tap's 1-based subscript: ``rc``, or one index for a 1-D kernel."""
    return f"{c + 1}" if ex.one_d else f"{r + 1}{c + 1}"


def _operation(ex: Example) -> str:
    return {
        "cross_correlation": "cross-correlation",
        "convolution": "convolution (the kernel flipped)",
        "transposed_convolution": "transposed convolution",
        "max_pooling": "max pooling",
        "avg_pooling": "average pooling",
    }[ex.operation]


def _arrays_md(ex: Example) -> str:
    """The input and kernel of a variant, as display math (pooling shows its window size)."""
    if ex.pooling:
        return f"\\[ x = {latex.bmatrix(ex.x)}, \\quad \\text{{window }} {latex.shape(ex.k)} \\]"
    name = "y" if ex.transposed_op else "x"  # a transposed convolution's input is y, as on Deck 4's pages
    return f"\\[ {name} = {latex.bmatrix(ex.x)}, \\quad w = {latex.bmatrix(ex.k)} \\]"


def _params_json(ex: Example) -> dict[str, Any]:
    p = ex.params
    return {
        "operation": ex.operation,
        "input": ex.x.tolist(),
        "kernel": ex.k.tolist(),
        "stride": list(p.stride),
        "padding": list(p.padding),
        "dilation": list(p.dilation),
        "output_padding": list(p.output_padding),
    }


def given(ex: Example) -> str:
    """The example's stride, padding (and dilation, output padding) in words and math."""
    return _given(ex)


def operation_name(ex: Example) -> str:
    """The example's operation in words, e.g. ``cross-correlation``."""
    return _operation(ex)
