"""Deck 3 (cross-correlation versus convolution): every array on its pages equals an oracle.

Oracles: ``np.rot90``, SciPy's ``correlate2d`` / ``convolve2d`` (``convolve2d`` flips the kernel
itself, so it is an independent check of the flip), and loops.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, drawn_on_white
from scipy import signal
from test_deck2 import arr, brute_C, figure_refs, generated_docs, json_card, page_text, practice_count, spec_card, spec_example

from generator import latex
from generator.content import deck3

DECK3 = ROOT / "generator/decks/3-correlation.yaml"
DECK3_CARDS = ("flip-kernel", "conv-vs-corr", "why-correlation")


def rot180_loops(k: np.ndarray) -> np.ndarray:
    kh, kw = k.shape
    return np.array([[k[kh - 1 - a, kw - 1 - b] for b in range(kw)] for a in range(kh)])


@pytest.mark.parametrize("card_id", DECK3_CARDS)
def test_card_has_question_answer_figure_practice(card_id):
    page = page_text("correlation", card_id)
    assert page.index('!!! question "Question"') < page.index('??? success "Answer')
    figs = figure_refs(page)
    assert figs
    for alt, rel in figs:
        assert len(alt) > 60 and "kernel" in alt
        svg = (generated_docs() / "cards/correlation" / rel).read_text(encoding="utf-8")
        assert drawn_on_white(svg)
    assert practice_count(page) >= 2
    assert "## In PyTorch" in page and "F.conv2d(" in page


@pytest.mark.parametrize("card_id", DECK3_CARDS)
def test_cards_json_arrays_equal_scipy(card_id):
    for n, ex in enumerate(json_card(card_id)["examples"]):
        spec = spec_example(DECK3, card_id, n)
        x, k, p = arr(spec["input"]), arr(spec["kernel"]), spec.get("padding", 0)
        xp = np.pad(x, p)
        if spec["operation"] == "convolution":
            y = signal.convolve2d(xp, k, mode="valid")
            C = brute_C(x.shape, rot180_loops(k), 1, p)
        else:
            y = signal.correlate2d(xp, k, mode="valid")
            C = brute_C(x.shape, k, 1, p)
        assert ex["arrays"]["output"] == y.tolist()
        assert ex["arrays"]["unrolled_matrix"] == C.tolist()


def test_flip_is_a_rotation_step_by_step():
    spec = spec_example(DECK3, "flip-kernel", 0)
    k = arr(spec["kernel"])
    page = page_text("correlation", "flip-kernel")
    rot = np.rot90(k, 2)
    assert np.array_equal(rot, rot180_loops(k))
    assert (
        f"{latex.bmatrix(k)} \\;\\longrightarrow\\; {latex.bmatrix(np.flipud(k))} \\;\\longrightarrow\\; "
        f"\\operatorname{{rot180}}(w) = {latex.bmatrix(rot)}"
        in page
    )
    kh, kw = k.shape
    sym = np.array([[f"w_{{{kh - a}{kw - b}}}" for b in range(kw)] for a in range(kh)], dtype=object)
    assert f"= {latex.symbolic_matrix(sym)} \\]" in page
    assert f"w^\\top = {latex.bmatrix(k.T)} \\neq" in page
    assert not np.array_equal(k.T, rot)


def test_sobel_transpose_is_not_its_flip():
    spec = spec_example(DECK3, "flip-kernel", 1)
    x, S = arr(spec["input"]), arr(spec["kernel"])
    page = page_text("correlation", "flip-kernel")
    rot = np.rot90(S, 2)
    assert np.array_equal(rot, -S)  # Sobel-x is antisymmetric under the rotation
    assert not np.array_equal(S.T, rot)
    assert f"\\operatorname{{rot180}}(S) = {latex.bmatrix(rot)}, \\qquad S^\\top = {latex.bmatrix(S.T)}" in page
    conv = signal.convolve2d(x, S, mode="valid")
    with_T = signal.correlate2d(x, S.T, mode="valid")
    assert not np.array_equal(conv, with_T)
    assert (
        f"x * S = x \\star \\operatorname{{rot180}}(S) = {latex.bmatrix(conv)}, \\qquad x \\star S^\\top = {latex.bmatrix(with_T)}" in page
    )
    assert "\\operatorname{rot180}(S) = -S" in page
    # hand-checked golden value: the worked example's true convolution is minus its correlation, top-left -10
    assert conv[0, 0] == -10


def test_conv_versus_corr_both_results():
    page = page_text("correlation", "conv-vs-corr")
    card = spec_card(DECK3, "conv-vs-corr")
    exs = list(card["examples"].values())
    assert len({str(e["input"]) for e in exs}) == 1  # one input for both kernels
    seen_symmetric = seen_asymmetric = False
    for spec in exs:
        x, k = arr(spec["input"]), arr(spec["kernel"])
        corr = signal.correlate2d(x, k, mode="valid")
        conv = signal.convolve2d(x, k, mode="valid")
        assert np.array_equal(conv, signal.correlate2d(x, np.rot90(k, 2), mode="valid"))
        assert f"x \\star w = {latex.bmatrix(corr)}, \\qquad x * w = {latex.bmatrix(conv)} = x \\star \\operatorname{{rot180}}(w)" in page
        patch = x[: k.shape[0], : k.shape[1]]
        terms = " + ".join(f"{latex.paren(a)} \\cdot {latex.paren(b)}" for a, b in zip(patch.ravel(), np.rot90(k, 2).ravel(), strict=True))
        assert f"(x * w)_{{11}} &= {terms} = {conv[0, 0]}" in page
        if np.array_equal(np.rot90(k, 2), k):
            seen_symmetric = True
            assert np.array_equal(corr, conv)
        else:
            seen_asymmetric = True
            assert not np.array_equal(corr, conv)
    assert seen_symmetric and seen_asymmetric
    assert "so the results are equal" in page and "The results differ" in page


def test_why_correlation_flip_absorbed_and_commutativity():
    spec = spec_example(DECK3, "why-correlation")
    x, k = arr(spec["input"]), arr(spec["kernel"])
    page = page_text("correlation", "why-correlation")
    learned = signal.correlate2d(x, k, mode="valid")
    assert np.array_equal(learned, signal.convolve2d(x, np.rot90(k, 2), mode="valid"))
    assert f"x \\star w = {latex.bmatrix(learned)}, \\qquad x * \\operatorname{{rot180}}(w) = {latex.bmatrix(learned)}" in page
    xk, kx = signal.convolve2d(x, k, mode="full"), signal.convolve2d(k, x, mode="full")
    assert np.array_equal(xk, kx)
    assert f"x * w = {latex.bmatrix(xk)}, \\qquad w * x = {latex.bmatrix(kx)}" in page
    cxk, ckx = signal.correlate2d(x, k, mode="full"), signal.correlate2d(k, x, mode="full")
    assert not np.array_equal(cxk, ckx)
    assert np.array_equal(ckx, np.rot90(cxk, 2))
    assert f"x \\star w = {latex.bmatrix(cxk)}, \\qquad w \\star x = {latex.bmatrix(ckx)}" in page
    assert "Equal: convolution commutes" in page and "Not equal: cross-correlation does not commute" in page


def test_full_mode_helpers_against_scipy_on_random_arrays():
    rng = np.random.default_rng(3)
    for _ in range(30):
        a = rng.integers(-4, 5, size=tuple(rng.integers(1, 6, size=2)))
        b = rng.integers(-4, 5, size=tuple(rng.integers(1, 6, size=2)))
        assert np.array_equal(deck3.full_correlation(a, b), signal.correlate2d(a, b, mode="full"))
        assert np.array_equal(deck3.full_convolution(a, b), signal.convolve2d(a, b, mode="full"))
        assert np.array_equal(deck3.full_convolution(a, b), deck3.full_convolution(b, a))
        assert np.array_equal(deck3.full_correlation(b, a), np.rot90(deck3.full_correlation(a, b), 2))
