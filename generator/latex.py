"""LaTeX layer: pure functions from arrays and numbers to LaTeX strings.

Nothing here touches files or templates; :data:`FILTERS` registers the
functions as jinja2 filters so that templates never concatenate LaTeX.

>>> bmatrix(np.array([[1, -2], [0, 3]]))
'\\\\begin{bmatrix} 1 & -2 \\\\\\\\ 0 & 3 \\\\end{bmatrix}'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import numpy as np

GRID = 6  # decimal places of an exact decimal result (spec.MAX_DECIMALS of two factors)


def num(v: float | int) -> str:
    """One number as LaTeX, never with an exponent: integers without a decimal point; a decimal
    on the grid of 10^-6 (every sum of products of spec decimals, see spec.MAX_DECIMALS) exactly,
    its float residue dropped; any other value (an average such as 1/9) to 4 significant digits.

    >>> num(3), num(-2.0), num(0.125), num(1/9), num(0.1 + 0.2 - 0.3), num(10000.5)
    ('3', '-2', '0.125', '0.1111', '0', '10000.5')
    """
    v = v.item() if isinstance(v, np.generic) else v
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, float):
        if not np.isfinite(v):
            raise ValueError(f"cannot typeset {v}")
        snapped = round(v, GRID)
        if abs(v - snapped) <= 1e-9 * max(1.0, abs(v)):  # a decimal of at most GRID places: exact
            v = snapped
            if v.is_integer():
                v = int(v)
            else:
                return _fixed(Decimal(repr(v)))
        else:
            places = max(0, 3 - math.floor(math.log10(abs(v))))
            return _fixed(Decimal(repr(v)).quantize(Decimal(1).scaleb(-places)))
    return "0" if v == 0 else str(v)


def _fixed(d: Decimal) -> str:
    """A Decimal in positional notation, trailing zeros dropped ("-0" is "0")."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def frac(v: float, max_denominator: int = 64) -> str:
    """A number as a fraction when it is one with a small denominator.

    >>> frac(1/9), frac(0.5), frac(2.0), frac(-0.25)
    ('\\\\tfrac{1}{9}', '\\\\tfrac{1}{2}', '2', '-\\\\tfrac{1}{4}')
    """
    f = Fraction(float(v)).limit_denominator(max_denominator)
    if abs(float(f) - float(v)) > 1e-12:
        return num(v)
    if f.denominator == 1:
        return str(f.numerator)
    sign = "-" if f < 0 else ""
    return f"{sign}\\tfrac{{{abs(f.numerator)}}}{{{f.denominator}}}"


def paren(v: float | int) -> str:
    """A number, in parentheses when negative (for products such as ``2 \\cdot (-1)``).

    >>> paren(-1), paren(2)
    ('(-1)', '2')
    """
    s = num(v)
    return f"({s})" if s.startswith("-") else s


def _cells(a: np.ndarray, fmt=num, highlight: Iterable[tuple[int, ...]] | None = None) -> list[list[str]]:
    a = np.asarray(a)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    if a.ndim != 2:
        raise ValueError(f"bmatrix needs a 1-D or 2-D array, got shape {a.shape}")
    marks = {tuple(int(i) for i in h) for h in (highlight or ())}
    rows = []
    for r in range(a.shape[0]):
        row = []
        for c in range(a.shape[1]):
            s = fmt(a[r, c])
            row.append(f"\\boxed{{{s}}}" if (r, c) in marks else s)
        rows.append(row)
    return rows


def bmatrix(a: np.ndarray, highlight: Iterable[tuple[int, int]] | None = None, fractions: bool = False) -> str:
    """A 1-D (as a row) or 2-D array as a ``bmatrix``; ``highlight`` boxes entries ``(r, c)``.

    >>> bmatrix([[1, 2]], highlight=[(0, 1)])
    '\\\\begin{bmatrix} 1 & \\\\boxed{2} \\\\end{bmatrix}'
    """
    rows = _cells(a, frac if fractions else num, highlight)
    body = " \\\\ ".join(" & ".join(row) for row in rows)
    return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"


def colvec(v: np.ndarray, highlight: Iterable[int] | None = None) -> str:
    """A vector as a column ``bmatrix`` (one entry a row).

    >>> colvec([1, -1])
    '\\\\begin{bmatrix} 1 \\\\\\\\ -1 \\\\end{bmatrix}'
    """
    v = np.asarray(v).ravel()
    return bmatrix(v[:, np.newaxis], highlight=[(int(i), 0) for i in (highlight or ())])


def shape(a: np.ndarray | Sequence[int]) -> str:
    """A shape as ``4 \\times 16``.

    >>> shape(np.zeros((4, 16)))
    '4 \\\\times 16'
    """
    dims = a.shape if hasattr(a, "shape") else tuple(a)
    return " \\times ".join(str(int(d)) for d in dims)


def dot_sum(window: np.ndarray, kernel: np.ndarray, show_zeros: bool = True) -> str:
    """The products of a window and a kernel summed, then ``=`` their value.

    >>> dot_sum(np.array([1, -1]), np.array([2, 3]))
    '1 \\\\cdot 2 + (-1) \\\\cdot 3 = -1'
    """
    w, k = np.asarray(window).ravel(), np.asarray(kernel).ravel()
    if w.shape != k.shape:
        raise ValueError(f"window {w.shape} and kernel {k.shape} differ")
    terms = [f"{paren(a)} \\cdot {paren(b)}" for a, b in zip(w, k, strict=True) if show_zeros or (a != 0 and b != 0)]
    total = (w * k).sum()
    return f"{' + '.join(terms) or '0'} = {num(total)}"


def subscript_matrix(symbol: str, rows: int, cols: int, one_based: bool = True) -> str:
    """A matrix of symbolic entries ``w_{rc}``.

    >>> subscript_matrix('w', 1, 2)
    '\\\\begin{bmatrix} w_{11} & w_{12} \\\\end{bmatrix}'
    """
    o = 1 if one_based else 0
    body = " \\\\ ".join(" & ".join(f"{symbol}_{{{r + o}{c + o}}}" for c in range(cols)) for r in range(rows))
    return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"


def symbolic_matrix(entries: np.ndarray) -> str:
    """A 2-D array of strings (already LaTeX) as a ``bmatrix``; empty strings become 0."""
    rows = [[e or "0" for e in row] for row in np.asarray(entries, dtype=object)]
    body = " \\\\ ".join(" & ".join(row) for row in rows)
    return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"


def thousands(v: int) -> str:
    """A whole number with thin spaces between groups of three digits.

    >>> thousands(2517630976), thousands(-1234), thousands(999)
    ('2\\\\,517\\\\,630\\\\,976', '-1\\\\,234', '999')
    """
    return f"{int(v):,}".replace(",", "\\,")


def nbytes(v: int | float) -> str:
    """A number of bytes in decimal units (B, kB, MB, GB, TB, PB), three significant digits.

    >>> nbytes(512), nbytes(12845056), nbytes(4.1e13)
    ('512\\\\ \\\\text{B}', '12.8\\\\ \\\\text{MB}', '41\\\\ \\\\text{TB}')
    """
    v = float(v)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(v) < 999.5 or unit == "PB":
            break
        v /= 1000
    return f"{float(f'{v:.3g}'):g}\\ \\text{{{unit}}}"


FILTERS = {
    "num": num,
    "frac": frac,
    "paren": paren,
    "bmatrix": bmatrix,
    "colvec": colvec,
    "shape": shape,
    "dot_sum": dot_sum,
    "symbolic_matrix": symbolic_matrix,
    "thousands": thousands,
    "nbytes": nbytes,
}
