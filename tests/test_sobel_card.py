"""The Sobel card: every number on its page equals an independent oracle (SciPy, loops)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT
from scipy import signal

from generator import latex

X = np.array([[1, 0, -1, 1], [1, 2, -2, 0], [1, 1, -1, 1], [0, 1, 1, 0]])
K = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
PAGE = ROOT / "docs/cards/matrix/unrolled-matrix.md"


def brute_corr(x, k):
    oh, ow = x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1
    return np.array(
        [[sum(x[r + a, c + b] * k[a, b] for a in range(k.shape[0]) for b in range(k.shape[1])) for c in range(ow)] for r in range(oh)]
    )


def brute_C(shape, k):
    h, w = shape
    oh, ow = h - k.shape[0] + 1, w - k.shape[1] + 1
    C = np.zeros((oh * ow, h * w), dtype=int)
    for r in range(oh):
        for c in range(ow):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    C[r * ow + c, (r + a) * w + (c + b)] = k[a, b]
    return C


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_sliding_window_output_on_page(page):
    y = signal.correlate2d(X, K, mode="valid")
    assert np.array_equal(y, brute_corr(X, K))
    assert f"y = {latex.bmatrix(y)}" in page
    # hand-checked golden value: top-left window . kernel = 1+1 + 2+4 + 1+1 = 10
    assert y[0, 0] == 10


def test_each_entry_shows_its_nine_products(page):
    y = brute_corr(X, K)
    for r in range(2):
        for c in range(2):
            terms = [f"{latex.paren(X[r + a, c + b])} \\cdot {latex.paren(K[a, b])}" for a in range(3) for b in range(3)]
            assert f"y_{{{r + 1}{c + 1}}} &= {' + '.join(terms)} = {y[r, c]}" in page


def test_flattened_input_and_matrix_on_page(page):
    assert latex.colvec(X.ravel()) in page
    C = brute_C(X.shape, K)
    assert f"C = {latex.bmatrix(C)}" in page
    assert latex.shape(C) == r"4 \times 16"


def test_product_equals_window_result(page):
    C = brute_C(X.shape, K)
    prod = C @ X.ravel()
    assert np.array_equal(prod.reshape(2, 2), signal.correlate2d(X, K, mode="valid"))
    assert f"C\\hat{{x}} = {latex.colvec(prod)}" in page


def test_flip_is_rotation_not_transpose(page):
    rot = np.rot90(K, 2)
    assert not np.array_equal(rot, K.T)
    assert f"\\operatorname{{rot180}}(w) = {latex.bmatrix(rot)}" in page
    conv = signal.convolve2d(X, K, mode="valid")
    assert f"x * w = {latex.bmatrix(conv)}" in page


def test_transposed_back_to_four_by_four(page):
    C = brute_C(X.shape, K)
    y = C @ X.ravel()
    back = C.T @ y
    # oracle 2: scatter-add written as loops
    canvas = np.zeros((4, 4), dtype=int)
    for r in range(2):
        for c in range(2):
            canvas[r : r + 3, c : c + 3] += y[r * 2 + c] * K
    assert np.array_equal(back.reshape(4, 4), canvas)
    assert latex.bmatrix(canvas) in page


def test_figure_is_referenced_and_exists(page):
    assert "figures/unrolled-matrix-sobel-sliding-window.svg" in page
    assert (ROOT / "docs/cards/matrix/figures/unrolled-matrix-sobel-sliding-window.svg").stat().st_size > 1000


def test_cards_json_has_the_sobel_arrays():
    doc = json.loads((ROOT / "docs/data/cards.json").read_text())
    card = next(c for c in doc["cards"] if c["id"] == "unrolled-matrix")
    ex = card["examples"][0]
    assert ex["arrays"]["input"] == X.tolist()
    assert ex["arrays"]["output"] == signal.correlate2d(X, K, mode="valid").tolist()
    assert ex["arrays"]["unrolled_matrix"] == brute_C(X.shape, K).tolist()
