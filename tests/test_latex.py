"""The LaTeX filters against golden strings written by hand."""

import numpy as np
import pytest

from generator import latex


def test_bmatrix_golden():
    assert latex.bmatrix(np.array([[1, 0, -1], [2, 0, -2]])) == r"\begin{bmatrix} 1 & 0 & -1 \\ 2 & 0 & -2 \end{bmatrix}"


def test_bmatrix_one_d_is_a_row():
    assert latex.bmatrix(np.array([3, -4])) == r"\begin{bmatrix} 3 & -4 \end{bmatrix}"


def test_bmatrix_highlight_boxes_entries():
    assert latex.bmatrix([[1, 2], [3, 4]], highlight=[(1, 0)]) == r"\begin{bmatrix} 1 & 2 \\ \boxed{3} & 4 \end{bmatrix}"


def test_colvec_golden():
    assert latex.colvec(np.array([[1, -1], [0, 2]])) == r"\begin{bmatrix} 1 \\ -1 \\ 0 \\ 2 \end{bmatrix}"


def test_numbers():
    assert [latex.num(v) for v in (0, -0.0, 2.0, -3, 0.5, 1 / 3, np.int64(7), np.float64(-2.0))] == [
        "0",
        "0",
        "2",
        "-3",
        "0.5",
        "0.3333",
        "7",
        "-2",
    ]
    with pytest.raises(ValueError):
        latex.num(float("nan"))


def test_fractions():
    assert latex.frac(1 / 9) == r"\tfrac{1}{9}"
    assert latex.frac(-0.75) == r"-\tfrac{3}{4}"
    assert latex.frac(0.1234567) == "0.1235"


def test_dot_sum_golden():
    assert (
        latex.dot_sum(np.array([[1, -1], [0, 2]]), np.array([[2, 3], [5, -1]]))
        == r"1 \cdot 2 + (-1) \cdot 3 + 0 \cdot 5 + 2 \cdot (-1) = -3"
    )


def test_dot_sum_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        latex.dot_sum(np.ones(3), np.ones(4))


def test_shape_and_symbolic():
    assert latex.shape(np.zeros((4, 16))) == r"4 \times 16"
    assert latex.subscript_matrix("w", 2, 2) == r"\begin{bmatrix} w_{11} & w_{12} \\ w_{21} & w_{22} \end{bmatrix}"
    assert latex.symbolic_matrix([["a", ""], ["", "b"]]) == r"\begin{bmatrix} a & 0 \\ 0 & b \end{bmatrix}"


def test_filters_are_registered():
    assert {"bmatrix", "colvec", "shape", "dot_sum", "num"} <= set(latex.FILTERS)
