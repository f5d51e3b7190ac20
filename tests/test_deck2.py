"""Deck 2 (convolution as a matrix multiplication): every array on its pages equals an oracle.

The oracles are independent of the generator: SciPy's ``correlate2d``, and loops that build
each matrix entry by entry from its definition. Spec values are read from the deck's YAML, the
pages and ``cards.json`` are generated into a temporary folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import conftest
import numpy as np
import pytest
import yaml
from conftest import ROOT, drawn_on_white
from scipy import signal

from generator import latex
from generator.content import deck2

DECK2 = ROOT / "generator/decks/2-matrix.yaml"
DECK2_CARDS = ("flatten", "unrolled-matrix", "toeplitz-structure", "matrix-padding-stride", "im2col", "multi-channel-matrix")


# ----------------------------------------------------------------------------- shared helpers (deck 3 uses them too)


def generated_docs() -> Path:
    """The whole site generated once per test run into a fresh folder (shared with every worker and
    with tests/test_deck1.py, 4 and 6: conftest.generated_docs)."""
    return conftest.generated_docs()


def spec_card(deck_file: Path, card_id: str) -> dict:
    doc = yaml.safe_load(deck_file.read_text(encoding="utf-8"))
    return next(c for c in doc["cards"] if c["id"] == card_id)


def spec_example(deck_file: Path, card_id: str, index: int = 0) -> dict:
    return list(spec_card(deck_file, card_id)["examples"].values())[index]


def page_text(deck: str, card_id: str) -> str:
    return (generated_docs() / f"cards/{deck}/{card_id}.md").read_text(encoding="utf-8")


def json_card(card_id: str) -> dict:
    doc = json.loads((generated_docs() / "data/cards.json").read_text(encoding="utf-8"))
    return next(c for c in doc["cards"] if c["id"] == card_id)


def arr(v) -> np.ndarray:
    return np.array(v, dtype=np.int64)


def brute_C(shape, k, s: int = 1, p: int = 0, keep_padding: bool = False) -> np.ndarray:
    """The unrolled matrix entry by entry: row = output (r, c), column = input cell, value = the tap over it."""
    h, w = shape
    kh, kw = k.shape
    H, W = h + 2 * p, w + 2 * p
    oh, ow = (H - kh) // s + 1, (W - kw) // s + 1
    C = np.zeros((oh * ow, H * W if keep_padding else h * w), dtype=np.int64)
    for r in range(oh):
        for c in range(ow):
            for a in range(kh):
                for b in range(kw):
                    u, v = r * s + a, c * s + b  # padded coordinates
                    if keep_padding:
                        C[r * ow + c, u * W + v] = k[a, b]
                    elif p <= u < p + h and p <= v < p + w:
                        C[r * ow + c, (u - p) * w + (v - p)] = k[a, b]
    return C


def figure_refs(page: str) -> list[tuple[str, str]]:
    """(alt text, file) of every figure on a page."""
    return re.findall(r"!\[([^\]]+)\]\((figures/[^)]+\.svg)\)", page)


def practice_count(page: str) -> int:
    section = page.split("## Practice", 1)[1] if "## Practice" in page else ""
    return len(re.findall(r"^\*\*\d+\.\*\* ", section, flags=re.M))


# ----------------------------------------------------------------------------- every card


@pytest.mark.parametrize("card_id", DECK2_CARDS)
def test_card_has_question_answer_figure_practice(card_id):
    page = page_text("matrix", card_id)
    assert page.index('!!! question "Question"') < page.index('??? success "Answer')
    figs = figure_refs(page)
    assert figs, "no figure"
    for alt, rel in figs:
        assert len(alt) > 60 and ("input" in alt or "matrix" in alt)
        svg = (generated_docs() / "cards/matrix" / rel).read_text(encoding="utf-8")
        assert drawn_on_white(svg)  # white background
    assert practice_count(page) >= 2
    assert "## In PyTorch" in page and "F.conv2d(" in page


@pytest.mark.parametrize("card_id", DECK2_CARDS)
def test_cards_json_arrays_equal_scipy_and_loops(card_id):
    spec = spec_example(DECK2, card_id)
    x, k = arr(spec["input"]), arr(spec["kernel"])
    s, p = spec.get("stride", 1), spec.get("padding", 0)
    ex = json_card(card_id)["examples"][0]
    assert ex["arrays"]["input"] == x.tolist()
    if x.ndim == 3:
        y = np.array([sum(signal.correlate2d(x[c], k[o, c], mode="valid") for c in range(x.shape[0])) for o in range(k.shape[0])])
        C = np.block([[brute_C(x.shape[1:], k[o, c]) for c in range(x.shape[0])] for o in range(k.shape[0])])
    else:
        y = signal.correlate2d(np.pad(x, p), k, mode="valid")[::s, ::s]
        C = brute_C(x.shape, k, s, p)
    assert ex["arrays"]["output"] == y.tolist()
    assert ex["arrays"]["unrolled_matrix"] == C.tolist()


# ----------------------------------------------------------------------------- flatten


def test_flatten_positions_vectors_and_both_matrices():
    spec = spec_example(DECK2, "flatten")
    x, k = arr(spec["input"]), arr(spec["kernel"])
    h, w = x.shape
    page = page_text("matrix", "flatten")
    pos_row = np.array([[r * w + c + 1 for c in range(w)] for r in range(h)])
    pos_col = np.array([[c * h + r + 1 for c in range(w)] for r in range(h)])
    assert f"\\text{{position}} = {latex.bmatrix(pos_row)}" in page
    assert f"\\text{{position}} = {latex.bmatrix(pos_col)}" in page
    vec_row = [x[r, c] for r in range(h) for c in range(w)]
    vec_col = [x[r, c] for c in range(w) for r in range(h)]
    assert f"\\operatorname{{vec}}(x) = {latex.colvec(vec_row)}" in page
    assert f"\\operatorname{{vec}}_F(x) = {latex.colvec(vec_col)}" in page
    y = signal.correlate2d(x, k, mode="valid")
    oh, ow = y.shape
    C = brute_C(x.shape, k)
    # column-major C built entry by entry: output (r, c) is row c*oh + r, input (u, v) is column v*h + u
    C_F = np.zeros_like(C)
    for r in range(oh):
        for c in range(ow):
            for u in range(h):
                for v in range(w):
                    C_F[c * oh + r, v * h + u] = C[r * ow + c, u * w + v]
    assert f"C = {latex.bmatrix(C)}" in page
    assert f"C_F = {latex.bmatrix(C_F)}" in page
    assert f"C_F \\operatorname{{vec}}_F(x) = {latex.colvec(y.ravel(order='F'))}" in page
    assert not np.array_equal(C, C_F)


def test_column_major_matrix_is_a_permutation_of_the_row_major_one():
    """C_F = P_out C P_in^T with permutation matrices, for the card's example and for other shapes."""
    from generator import core

    spec = spec_example(DECK2, "flatten")
    cases = [
        (arr(spec["input"]).shape, arr(spec["kernel"]), 1, 0),
        ((5, 4), arr([[1, -2, 3], [0, 4, 5]]), 2, 1),
        ((4, 6), arr([[2, 1]]), 1, 0),
    ]
    for shape, k, s, p in cases:
        h, w = shape
        C = brute_C(shape, k, s, p)
        oh, ow = (h + 2 * p - k.shape[0]) // s + 1, (w + 2 * p - k.shape[1]) // s + 1

        def perm(rows, cols):
            P = np.zeros((rows * cols, rows * cols), dtype=np.int64)
            for r in range(rows):
                for c in range(cols):
                    P[c * rows + r, r * cols + c] = 1  # column-major index <- row-major index
            return P

        expected = perm(oh, ow) @ C @ perm(h, w).T
        got = core.unrolled_matrix_column_major(shape, k, core.params(stride=s, padding=p))
        assert np.array_equal(got, expected)
        x = np.arange(1, h * w + 1).reshape(h, w) % 7 - 3
        y = signal.correlate2d(np.pad(x, p), k, mode="valid")[::s, ::s]
        assert np.array_equal(got @ x.ravel(order="F"), y.ravel(order="F"))


# ----------------------------------------------------------------------------- Toeplitz


def test_toeplitz_symbolic_matrix_and_blocks():
    spec = spec_example(DECK2, "toeplitz-structure")
    x, k = arr(spec["input"]), arr(spec["kernel"])
    (h, w), (kh, kw) = x.shape, k.shape
    oh, ow = h - kh + 1, w - kw + 1
    page = page_text("matrix", "toeplitz-structure")
    sym = np.full((oh * ow, h * w), "", dtype=object)
    for r in range(oh):
        for c in range(ow):
            for u in range(h):
                for v in range(w):
                    a, b = u - r, v - c
                    if 0 <= a < kh and 0 <= b < kw:
                        sym[r * ow + c, u * w + v] = f"w_{{{a + 1}{b + 1}}}"
    assert f"C = {latex.symbolic_matrix(sym)}" in page
    # substituting the weights gives the numeric C
    numeric = np.zeros(sym.shape, dtype=np.int64)
    for idx, s in np.ndenumerate(sym):
        if s:
            numeric[idx] = k[int(s[3]) - 1, int(s[4]) - 1]
    assert np.array_equal(numeric, brute_C(x.shape, k))
    blocks = np.array([["" if not 0 <= J - R < kh else f"H_{{{J - R + 1}}}" for J in range(h)] for R in range(oh)], dtype=object)
    assert f"C = {latex.symbolic_matrix(blocks)}" in page
    # each block really is a Toeplitz matrix: constant along diagonals
    for R in range(oh):
        for J in range(h):
            B = sym[R * ow : (R + 1) * ow, J * w : (J + 1) * w]
            for d in range(-ow + 1, w):
                assert len(set(np.diagonal(B, offset=d))) == 1


def test_nonzero_formula_against_a_brute_force_count():
    for i in range(2, 9):
        for k in range(1, i + 1):
            ones = np.ones((k, k), dtype=np.int64)
            C = brute_C((i, i), ones)
            assert np.count_nonzero(C) == deck2.nonzeros_formula(i, k) == (i - k + 1) ** 2 * k * k
            for p in (0, 1, 2):
                for s in (1, 2, 3):
                    if i + 2 * p >= k:
                        assert deck2.structural_nonzeros((i, i), (k, k), p, s) == np.count_nonzero(brute_C((i, i), ones, s, p))


def test_real_layer_counts_on_the_page():
    page = page_text("matrix", "toeplitz-structure")
    layers = spec_card(DECK2, "toeplitz-structure")["data"]["real_layers"]
    assert layers
    for layer in layers:
        i, k, p = layer["i"], layer["k"], layer.get("p", 0)
        o = i + 2 * p - k + 1
        # oracle: each output position contributes the number of kernel taps landing on real input cells
        nnz = int(signal.correlate2d(np.pad(np.ones((i, i)), p), np.ones((k, k)), mode="valid").sum())
        size = (o * o) * (i * i)
        row = (
            f"| \\({p}\\) | \\({o}\\) | \\({latex.thousands(o * o)} \\times {latex.thousands(i * i)}\\) "
            f"| \\({latex.thousands(size)}\\) | \\({latex.thousands(nnz)}\\) |"
        )
        assert row in page
        if p == 0:
            assert nnz == o * o * k * k
    # hand-checked golden value: 224 outputs per axis keep 224*3 - 2 = 670 taps, 670^2 = 448 900
    assert latex.thousands(448900) in page and "n = 670" in page


# ----------------------------------------------------------------------------- padding and stride


def test_padding_columns_and_stride_rows():
    spec = spec_example(DECK2, "matrix-padding-stride")
    x, k, s, p = arr(spec["input"]), arr(spec["kernel"]), spec["stride"], spec["padding"]
    page = page_text("matrix", "matrix-padding-stride")
    h, w = x.shape
    H, W = h + 2 * p, w + 2 * p
    C_pad = brute_C(x.shape, k, s, p, keep_padding=True)
    C = brute_C(x.shape, k, s, p)
    interior = [u * W + v for u in range(p, p + h) for v in range(p, p + w)]
    assert np.array_equal(C_pad[:, interior], C)
    assert f"C_p = {latex.bmatrix(C_pad)}" in page
    assert f"C = {latex.bmatrix(C)}" in page
    y = signal.correlate2d(np.pad(x, p), k, mode="valid")[::s, ::s]
    assert f"C\\hat{{x}} = {latex.colvec(y.ravel())}" in page
    assert f"C_p \\operatorname{{vec}}(x_p) = {latex.colvec(y.ravel())}" in page
    assert f"x_p = {latex.bmatrix(np.pad(x, p))}" in page
    assert f"the {H * W - h * w} padding columns" in page
    oh, ow = y.shape
    for n in range(oh * ow):
        r, c = divmod(n, ow)
        assert f"| {n + 1} | \\(({r * s + 1}, {c * s + 1})\\) | {r * s * W + c * s + 1} |" in page
    # the strided C is a subset of the rows of the stride-1 C
    C1 = brute_C(x.shape, k, 1, p)
    o1 = h + 2 * p - k.shape[0] + 1
    kept = [r * s * o1 + c * s for r in range(oh) for c in range(ow)]
    assert np.array_equal(C1[kept], C)
    assert f"with only rows {', '.join(str(i + 1) for i in kept)} kept" in page


# ----------------------------------------------------------------------------- im2col


def test_im2col_patches_and_product():
    spec = spec_example(DECK2, "im2col")
    x, k = arr(spec["input"]), arr(spec["kernel"])
    page = page_text("matrix", "im2col")
    kh, kw = k.shape
    y = signal.correlate2d(x, k, mode="valid")
    oh, ow = y.shape
    P = np.zeros((kh * kw, oh * ow), dtype=np.int64)
    for r in range(oh):
        for c in range(ow):
            for a in range(kh):
                for b in range(kw):
                    P[a * kw + b, r * ow + c] = x[r + a, c + b]
    assert f"P = {latex.bmatrix(P)}" in page
    assert f"{latex.bmatrix(k.ravel())} \\, P = {latex.bmatrix(y.ravel())}" in page
    assert f"C\\hat{{x}} = {latex.colvec(brute_C(x.shape, k) @ x.ravel())}" in page
    assert "F.unfold(x, kernel_size=(3, 3)" in page


def test_im2col_memory_of_one_real_layer():
    L = spec_card(DECK2, "im2col")["data"]["layer"]
    page = page_text("matrix", "im2col")
    i, k, p, s, ci, co, nb = L["i"], L["k"], L["p"], L["s"], L["c_in"], L["c_out"], L["bytes"]
    o = (i + 2 * p - k) // s + 1
    nnz_one = int(signal.correlate2d(np.pad(np.ones((i, i)), p), np.ones((k, k)), mode="valid").sum())
    expect = {
        "input": ci * i * i,
        "im2col": ci * k * k * o * o,
        "C": co * o * o * ci * i * i,
        "C_nnz": co * ci * nnz_one,
    }
    for v in expect.values():
        assert f"\\({latex.thousands(v)}\\) | \\({latex.nbytes(v * nb)}\\)" in page
    # hand-checked: 64 channels of 224x224 float32 = 12 845 056 bytes = 12.8 MB; dense C = 41.2 TB
    assert expect["input"] * nb == 12_845_056 and latex.nbytes(12_845_056) == "12.8\\ \\text{MB}"
    assert latex.nbytes(expect["C"] * nb) == "41.2\\ \\text{TB}"


# ----------------------------------------------------------------------------- channels


def test_multi_channel_blocks_and_product():
    spec = spec_example(DECK2, "multi-channel-matrix")
    x, wts = arr(spec["input"]), arr(spec["kernel"])
    page = page_text("matrix", "multi-channel-matrix")
    c_in, c_out = x.shape[0], wts.shape[0]
    blocks = [[brute_C(x.shape[1:], wts[o, c]) for c in range(c_in)] for o in range(c_out)]
    for o in range(c_out):
        for c in range(c_in):
            assert f"C_{{{o + 1}{c + 1}}} = {latex.bmatrix(blocks[o][c])}" in page
    full = np.block(blocks)
    assert f"C = {latex.bmatrix(full)}" in page
    y = np.array([sum(signal.correlate2d(x[c], wts[o, c], mode="valid") for c in range(c_in)) for o in range(c_out)])
    assert f"= {latex.colvec(y.ravel())}" in page
    for o in range(c_out):
        assert latex.bmatrix(y[o]) in page
        assert f"= {latex.colvec(y[o].ravel())} \\]" in page
    # the practice question on one entry of C
    m = re.search(r"holds row (\d+), column (\d+)", page)
    assert m
    R, Col = int(m.group(1)), int(m.group(2))
    assert f"The entry is \\({full[R - 1, Col - 1]}\\)." in page
    q = spec_card(DECK2, "multi-channel-matrix")["data"]["practice_layer"]
    o2 = q["i"] - q["k"] + 1
    assert f"\\(C\\) is \\({q['c_out'] * o2 * o2} \\times {q['c_in'] * q['i'] ** 2}\\)" in page


def test_toeplitz_density_and_stride_one_only():
    """Issue 12: the small example is 56.25 % non-zero (density k²/i²); a strided C is a row subsample whose blocks are not Toeplitz."""
    page = page_text("matrix", "toeplitz-structure")
    assert "Almost every entry is zero" not in page
    spec = spec_example(DECK2, "toeplitz-structure")
    k, x = arr(spec["kernel"]), arr(spec["input"])
    C = brute_C(x.shape, np.ones_like(k))
    pct = 100 * np.count_nonzero(C) / C.size
    assert pct == 100 * k.size / x.size  # k²/i²
    assert f"\\approx {pct:g}\\,\\%\\)" in page
    # stride 2 on a 5×5 input: rows of the stride-1 matrix, by loops
    kern = np.arange(1, 10).reshape(3, 3)
    C1, C2 = brute_C((5, 5), kern), brute_C((5, 5), kern, s=2)
    rows = [r * 3 + c for r in (0, 2) for c in (0, 2)]
    assert np.array_equal(C2, C1[rows])
    assert f"is rows {', '.join(str(r + 1) for r in rows)} of the stride-1 matrix" in page
    block = C2[:2, :5]
    assert block[0, 0] != block[1, 1]  # not constant along the main diagonal: not Toeplitz
    assert latex.bmatrix(block) in page
