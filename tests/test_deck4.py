"""Deck 4 (transposed convolution): every number on its pages against an independent oracle.

Oracles written for this file: a brute-force scatter loop, the matrix C built entry by entry
with loops (C^T is its transpose), window counting by sliding, finite differences, SciPy's
``convolve2d`` in 'full' mode (stride 1) and, when it can be imported, PyTorch itself.
None of them calls the deck-4 code or generator.core.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest
import svgpaint
import yaml
from conftest import ROOT, drawn_on_white, generated_docs
from oracles import n_windows
from scipy import signal

from generator import latex

DECK_FILE = ROOT / "generator/decks/4-transposed.yaml"
CARD_IDS = [
    "transposed-as-ct", "scatter-add", "zero-insertion", "transposed-output-size",
    "output-padding", "not-an-inverse", "gradient", "checkerboard",
]
X = np.array([[1, 0, -1, 1], [1, 2, -2, 0], [1, 1, -1, 1], [0, 1, 1, 0]])
K = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])

try:  # the strongest oracle, when installed
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


# ----------------------------------------------------------------------------- oracles



def brute_corr(x: np.ndarray, k: np.ndarray, s: int = 1, p: int = 0) -> np.ndarray:
    h, w = x.shape
    xp = np.zeros((h + 2 * p, w + 2 * p), dtype=np.result_type(x, k))
    xp[p : p + h, p : p + w] = x
    oh, ow = n_windows(h + 2 * p, k.shape[0], s), n_windows(w + 2 * p, k.shape[1], s)
    y = np.zeros((oh, ow), dtype=xp.dtype)
    for r in range(oh):
        for c in range(ow):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    y[r, c] += k[a, b] * xp[r * s + a, c * s + b]
    return y


def brute_C(shape: tuple[int, int], k: np.ndarray, s: int = 1, p: int = 0) -> np.ndarray:
    """The unrolled matrix, entry by entry: C[output j, input i] = the kernel tap over input i."""
    h, w = shape
    oh, ow = n_windows(h + 2 * p, k.shape[0], s), n_windows(w + 2 * p, k.shape[1], s)
    C = np.zeros((oh * ow, h * w), dtype=k.dtype)
    for r in range(oh):
        for c in range(ow):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    ir, ic = r * s + a - p, c * s + b - p
                    if 0 <= ir < h and 0 <= ic < w:
                        C[r * ow + c, ir * w + ic] = k[a, b]
    return C


def brute_transpose(C: np.ndarray) -> np.ndarray:
    CT = np.zeros((C.shape[1], C.shape[0]), dtype=C.dtype)
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            CT[j, i] = C[i, j]
    return CT


def brute_scatter(y: np.ndarray, k: np.ndarray, s: int = 1, p: int = 0, d: int = 1, a: int = 0) -> np.ndarray:
    """Each y[r, c] adds y[r, c] * k[i, j] at (r s + i d, c s + j d); then p is cropped per side and a kept at the end."""
    hits = []
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            for i in range(k.shape[0]):
                for j in range(k.shape[1]):
                    hits.append((r * s + i * d, c * s + j * d, y[r, c] * k[i, j]))
    H = max(h[0] for h in hits) + 1 + a
    W = max(h[1] for h in hits) + 1 + a
    full = np.zeros((H, W), dtype=np.result_type(y, k))
    for r, c, v in hits:
        full[r, c] += v
    return full[p : H - p, p : W - p]


def brute_counts(n: int, k: int, s: int, p: int = 0) -> np.ndarray:
    """How many stamps cover each output cell (all ones in, all ones kernel), counted cell by cell."""
    size = (n - 1) * s + k - 2 * p
    out = np.zeros((size, size), dtype=int)
    for R in range(size):
        for Cc in range(size):
            for r in range(n):
                for c in range(n):
                    if 0 <= R + p - r * s < k and 0 <= Cc + p - c * s < k:
                        out[R, Cc] += 1
    return out


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_docs()  # one clean generation per run, shared (tests/conftest.py)


@pytest.fixture(scope="module")
def pages(docs: Path) -> dict[str, str]:
    return {cid: (docs / f"cards/transposed/{cid}.md").read_text(encoding="utf-8") for cid in CARD_IDS}


@pytest.fixture(scope="module")
def cards(docs: Path) -> dict[str, dict]:
    doc = json.loads((docs / "data/cards.json").read_text(encoding="utf-8"))
    return {c["id"]: c for c in doc["cards"] if c["deck"] == "transposed"}


@pytest.fixture(scope="module")
def deck() -> dict:
    d = yaml.safe_load(DECK_FILE.read_text(encoding="utf-8"))
    return {c["id"]: c for c in d["cards"]}


def svg_texts(path: Path) -> list[str]:
    """Every label the figure paints (a row of cell labels may share one <text>)."""
    return [item[4] for item in svgpaint.painted(path.read_bytes()) if item[0] == "text"]


# ----------------------------------------------------------------------------- every card


def test_deck_has_all_eight_cards_in_order(cards):
    assert list(cards) == CARD_IDS


@pytest.mark.parametrize("cid", CARD_IDS)
def test_every_card_has_question_answer_figure_practice_links(cid, pages, cards, docs):
    page = pages[cid]
    assert page.index('!!! question "Question"') < page.index('??? success "Answer')
    figs = re.findall(r"!\[([^\]]{40,})\]\((figures/[^)]+\.svg)\)", page)
    assert figs, "a figure with a real alt text"
    for _alt, rel in figs:
        svg = (docs / "cards/transposed" / rel).read_text(encoding="utf-8")
        assert drawn_on_white(svg)  # white background
        texts = svg_texts(docs / "cards/transposed" / rel)
        assert any(t in ("input", "output") or "input" in t or "output" in t for t in texts), "cells labelled input / output"
    assert len([q for q in cards[cid]["practice"] if q["variant"] == 0]) >= 2
    assert "## Practice" in page and page.count('??? tip "Show the answer"') >= 2
    assert "## Builds on" in page and cards[cid]["builds_on"]
    assert "## In PyTorch" in page


# ----------------------------------------------------------------------------- transposed-as-ct


def test_transposed_as_ct_numbers(pages, cards):
    page = pages["transposed-as-ct"]
    C = brute_C(X.shape, K)
    y = (C @ X.ravel()).reshape(2, 2)
    assert np.array_equal(y, signal.correlate2d(X, K, mode="valid"))
    CT = brute_transpose(C)
    back = CT @ y.ravel()
    # oracle 2: Cᵀ of a correlation is the full true convolution (SciPy)
    assert np.array_equal(back.reshape(4, 4), signal.convolve2d(y, K, mode="full"))
    # hand-checked: x'_21 = 2·10 + 1·6 = 26
    assert back[4] == 26
    assert f"C = {latex.bmatrix(C)}" in page
    assert f"C^\\top = {latex.bmatrix(CT)}" in page
    assert f"x' = C^\\top y = {latex.bmatrix(back.reshape(4, 4))}" in page
    for j in range(16):
        assert f"x'_{{{j // 4 + 1}{j % 4 + 1}}} &= {latex.dot_sum(CT[j], y.ravel())}" in page
    ex = cards["transposed-as-ct"]["examples"][0]
    assert ex["arrays"]["unrolled_matrix"] == C.tolist()
    assert ex["arrays"]["output"] == y.tolist()


# ----------------------------------------------------------------------------- scatter-add


def test_scatter_add_stamps_and_sum(pages, docs):
    page = pages["scatter-add"]
    y = signal.correlate2d(X, K, mode="valid")
    for r in range(2):
        for c in range(2):
            assert f"y_{{{r + 1}{c + 1}}} \\cdot w = {y[r, c]} \\cdot w &= {latex.bmatrix(y[r, c] * K)}" in page
    total = brute_scatter(y, K)
    assert np.array_equal(total.ravel(), brute_transpose(brute_C(X.shape, K)) @ y.ravel())
    assert f"x' = {latex.bmatrix(total)}" in page
    # the most-covered cell, its contributions listed stamp by stamp
    counts = brute_counts(2, 3, 1)
    R, Cc = np.unravel_index(np.argmax(counts), counts.shape)
    ys, taps = [], []
    for r in range(2):
        for c in range(2):
            if 0 <= R - r < 3 and 0 <= Cc - c < 3:
                ys.append(y[r, c])
                taps.append(K[R - r, Cc - c])
    assert f"x'_{{{R + 1}{Cc + 1}}} = {latex.dot_sum(np.array(ys), np.array(taps))}" in page
    # the figure is drawn from the same arrays: every stamp entry and every sum appears as text
    texts = svg_texts(docs / "cards/transposed/figures/scatter-add-sobel-t-scatter-stamps.svg")
    for v in list(total.ravel()) + [v for r in range(2) for c in range(2) for v in (y[r, c] * K).ravel()]:
        assert latex.num(int(v)) in texts


def test_scatter_add_strided(pages, deck, docs):
    page = pages["scatter-add"]
    spec = deck["scatter-add"]["examples"]["strided"]
    y, k, s = np.array(spec["input"]), np.array(spec["kernel"]), spec["stride"]
    out = brute_scatter(y, k, s, spec["padding"])
    assert np.array_equal(out.ravel(), brute_transpose(brute_C(out.shape, k, s, spec["padding"])) @ y.ravel())
    assert f"x' = {latex.bmatrix(out)}" in page
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            assert f"y_{{{r + 1}{c + 1}}} \\cdot w = {y[r, c]} \\cdot w &= {latex.bmatrix(y[r, c] * k)}" in page
    texts = svg_texts(docs / "cards/transposed/figures/scatter-add-strided-scatter-stamps.svg")
    for v in out.ravel():
        assert latex.num(int(v)) in texts


# ----------------------------------------------------------------------------- zero-insertion


def brute_zero_insert(y: np.ndarray, k: int, s: int, p: int) -> np.ndarray:
    pad = k - 1 - p
    n = (y.shape[0] - 1) * s + 1 + 2 * pad
    m = (y.shape[1] - 1) * s + 1 + 2 * pad
    z = np.zeros((n, m), dtype=y.dtype)
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            z[pad + r * s, pad + c * s] = y[r, c]
    return z


def test_zero_insertion_same_numbers(pages, deck):
    page = pages["zero-insertion"]
    y = signal.correlate2d(X, K, mode="valid")
    z = brute_zero_insert(y, 3, 1, 0)
    out = brute_corr(z, np.rot90(K, 2))
    assert np.array_equal(out, signal.convolve2d(y, K, mode="full"))
    assert np.array_equal(out, brute_scatter(y, K))
    assert f"\\tilde{{y}} = {latex.bmatrix(z)}, \\qquad \\operatorname{{rot180}}(w) = {latex.bmatrix(np.rot90(K, 2))}" in page
    # issue 12: cross-correlation with rot180(w) is the true convolution (scipy's convolve2d) with w unrotated
    assert np.array_equal(out, signal.convolve2d(z, K, mode="valid"))
    assert f"\\tilde{{y}} \\star \\operatorname{{rot180}}(w) = \\tilde{{y}} * w = {latex.bmatrix(out)}" in page
    assert "cross-correlation with \\(\\operatorname{rot180}(w)\\)" in page
    assert "direct** convolution at stride 1 of a zero-inserted, padded input with the kernel rotated" not in page
    spec = deck["zero-insertion"]["examples"]["strided"]
    ys, ks, s = np.array(spec["input"]), np.array(spec["kernel"]), spec["stride"]
    z2 = brute_zero_insert(ys, ks.shape[0], s, spec["padding"])
    out2 = brute_corr(z2, np.rot90(ks, 2))
    assert np.array_equal(out2, brute_scatter(ys, ks, s, spec["padding"]))
    assert f"\\tilde{{y}} = {latex.bmatrix(z2)}" in page
    assert f"= {latex.bmatrix(out2)}" in page


def test_relationships_table_rows(pages, deck):
    page = pages["zero-insertion"]
    rows = deck["zero-insertion"]["data"]["relationships"]
    assert [r["rel"] for r in rows] == list(range(8, 15))
    for row in rows:
        i, k, s, p = row["i"], row["k"], row["s"], row["p"]
        o = n_windows(i + 2 * p, k, s)
        a = (i + 2 * p - k) % s
        measured = brute_scatter(np.ones((o, o), dtype=int), np.ones((k, k), dtype=int), s, p, 1, a).shape[0]
        assert measured == i, row  # the transposed convolution goes back to the input size
        line = next(ln.strip() for ln in page.splitlines() if ln.strip().startswith(f"| {row['rel']} |"))
        head = f"| {row['rel']} | \\({i}, {k}, {s}, {p}\\) | \\({o}, {s - 1}, {k - p - 1}, {a}\\) |"
        assert line.startswith(head), line
        assert line.endswith(f" = {measured}\\) | \\({measured} = i\\) |"), line


# ----------------------------------------------------------------------------- transposed-output-size


def test_output_size_table_rows(pages, deck):
    page = pages["transposed-output-size"]
    rows = deck["transposed-output-size"]["data"]["sizes"]
    for row in rows:
        i, k, s, p, d, a = row["i"], row["k"], row["s"], row["p"], row.get("d", 1), row.get("a", 0)
        measured = brute_scatter(np.ones((i, i), dtype=int), np.ones((k, k), dtype=int), s, p, d, a).shape
        assert measured[0] == measured[1]
        if torch is not None:
            t = F.conv_transpose2d(torch.ones(1, 1, i, i), torch.ones(1, 1, k, k), stride=s, padding=p, output_padding=a, dilation=d)
            assert t.shape[-1] == measured[0]
        m = measured[0]
        assert f"| \\({i}, {k}, {s}, {p}, {d}, {a}\\) | \\({m}\\) | \\({m}\\) | \\({m}\\) |" in page, row
    ex = deck["transposed-output-size"]["examples"]["up"]
    y, k = np.array(ex["input"]), np.array(ex["kernel"])
    out = brute_scatter(y, k, ex["stride"], ex["padding"], 1, ex["output_padding"])
    assert f"x' = {latex.bmatrix(out)}" in page
    assert re.search(rf"- \d+ = {out.shape[0]} \\\\\n", page) and re.search(rf"\+ 1 = {out.shape[0]}\n", page)


# ----------------------------------------------------------------------------- output-padding


def test_output_padding_sizes_and_extra_row(pages, deck):
    page = pages["output-padding"]
    ex = deck["output-padding"]["examples"]["up"]
    y, k, s, p = np.array(ex["input"]), np.array(ex["kernel"]), ex["stride"], ex["padding"]
    o = y.shape[0]
    sizes = [i for i in range(1, 40) if n_windows(i + 2 * p, k.shape[0], s) == o]
    assert len(sizes) == s  # several input sizes, one output size
    for i in sizes:
        assert f"| {i} | {o} |" in page
    outs = {a: brute_scatter(y, k, s, p, 1, a) for a in range(s)}
    assert sorted(v.shape[0] for v in outs.values()) == sizes
    small, big = outs[0], outs[ex["output_padding"]]
    assert f"a = 0:\\ {latex.bmatrix(small)}, \\qquad a = {ex['output_padding']}:\\ {latex.bmatrix(big)}" in page
    assert np.array_equal(big[: small.shape[0], : small.shape[1]], small)
    assert np.count_nonzero(big[-1]) > 0, "the extra row holds real values"
    assert f"The extra row \\({latex.bmatrix(big[-1])}\\)" in page
    assert f"({np.count_nonzero(big[-1]) + np.count_nonzero(big[:-1, -1])} of them non-zero here)" in page
    for a in range(s + 1):
        size = brute_scatter(y, k, s, p, 1, a).shape[0]
        back = n_windows(size + 2 * p, k.shape[0], s)
        assert f"| {a} | {size} | {back} | {'yes' if back == o else 'no'} |" in page
    assert f"| {s + 0} | 1 | {', '.join(str(v) for v in range(s))} |" in page


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
def test_output_padding_range_matches_pytorch(deck):
    for row in deck["output-padding"]["data"]["ranges"]:
        s, d = row["s"], row.get("d", 1)
        ok = []
        for a in range(5):
            try:
                F.conv_transpose2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3), stride=s, output_padding=a, dilation=d)
                ok.append(a)
            except RuntimeError:
                pass
        assert ok == list(range(max(s, d)))


# ----------------------------------------------------------------------------- not-an-inverse


def test_not_an_inverse_numbers(pages, cards):
    page = pages["not-an-inverse"]
    C = brute_C(X.shape, K)
    CtC = brute_transpose(C) @ C
    assert not np.array_equal(CtC, np.eye(16, dtype=int))
    assert f"C^\\top C = {latex.bmatrix(CtC)}" in page
    assert f"{np.count_nonzero(CtC != np.eye(16, dtype=int))} of its 256 entries differ" in page
    assert f"\\operatorname{{diag}}(C^\\top C) = {latex.bmatrix(np.array([CtC[j, j] for j in range(16)]))}" in page
    y = C @ X.ravel()
    back = (brute_transpose(C) @ y).reshape(4, 4)
    assert back.shape == X.shape and not np.array_equal(back, X)
    assert f"C^\\top y = {latex.bmatrix(back)}" in page
    # the strided case: input and output from cards.json, checked by brute force
    ex = cards["not-an-inverse"]["examples"][1]
    x6, k6 = np.array(ex["arrays"]["input"]), np.array(ex["arrays"]["kernel"])
    s, p = ex["stride"][0], ex["padding"]["top"]
    y6 = brute_corr(x6, k6, s, p)
    assert ex["arrays"]["output"] == y6.tolist()
    assert ex["arrays"]["unrolled_matrix"] == brute_C(x6.shape, k6, s, p).tolist()
    naive = brute_scatter(y6, k6, s, p)
    assert naive.shape != x6.shape, "the naive round trip gets the shape wrong"
    a = (x6.shape[0] + 2 * p - k6.shape[0]) % s
    right = brute_scatter(y6, k6, s, p, 1, a)
    assert right.shape == x6.shape
    assert np.array_equal(right.ravel(), brute_transpose(brute_C(x6.shape, k6, s, p)) @ y6.ravel())
    assert f"a = 0:\\ {latex.bmatrix(naive)} \\qquad a = {a}:\\ {latex.bmatrix(right)}" in page
    assert f"\\text{{a }} {naive.shape[0]} \\times {naive.shape[1]} \\text{{ array, not }} {x6.shape[0]} \\times {x6.shape[1]}" in page


# ----------------------------------------------------------------------------- gradient


def test_gradient_matches_finite_differences(pages, deck):
    page = pages["gradient"]
    g = np.array(deck["gradient"]["data"]["upstream"])

    def loss(x, k):
        return float((brute_corr(x, k) * g).sum())

    eps = 1e-3
    num_gx = np.zeros(X.shape)
    for idx in np.ndindex(X.shape):
        xp, xm = X.astype(float), X.astype(float)
        xp[idx] += eps
        xm[idx] -= eps
        num_gx[idx] = (loss(xp, K.astype(float)) - loss(xm, K.astype(float))) / (2 * eps)
    num_gw = np.zeros(K.shape)
    for idx in np.ndindex(K.shape):
        kp, km = K.astype(float), K.astype(float)
        kp[idx] += eps
        km[idx] -= eps
        num_gw[idx] = (loss(X.astype(float), kp) - loss(X.astype(float), km)) / (2 * eps)
    gx = (brute_transpose(brute_C(X.shape, K)) @ g.ravel()).reshape(X.shape)
    assert np.allclose(num_gx, gx)
    gx_int = np.rint(num_gx).astype(int)
    gw_int = np.rint(num_gw).astype(int)
    assert latex.bmatrix(gx_int) in page
    assert f"= {latex.bmatrix(gw_int)} \\]" in page
    assert f"x \\star g = {latex.bmatrix(gw_int)}" in page
    # im2col by loops: column j is the window of output j
    P = np.array([[X[j // 2 + a // 3, j % 2 + a % 3] for j in range(4)] for a in range(9)])
    assert f"{latex.bmatrix(P)} {latex.colvec(g.ravel())}" in page
    assert np.array_equal(P @ g.ravel(), gw_int.ravel())


def test_adjoint_identity(pages, deck):
    page = pages["gradient"]
    g = np.array(deck["gradient"]["data"]["upstream"])
    C = brute_C(X.shape, K)
    lhs, rhs = int((C @ X.ravel()) @ g.ravel()), int(X.ravel() @ (brute_transpose(C) @ g.ravel()))
    assert lhs == rhs
    assert f"\\langle Cx, g \\rangle = {latex.dot_sum(C @ X.ravel(), g.ravel(), show_zeros=False)}" in page
    gx = (brute_transpose(C) @ g.ravel()).reshape(X.shape)
    for r in range(4):
        assert f"\\text{{row }} {r + 1}: \\quad & {latex.dot_sum(X[r], gx[r], show_zeros=False)}" in page
    row_sums = " + ".join(latex.paren(int(X[r] @ gx[r])) for r in range(4))
    assert f"\\langle x, C^\\top g \\rangle = {row_sums} = {rhs}" in page
    assert f"Both are \\({lhs}\\)" in page
    rng = np.random.default_rng(0)
    for s, p in ((1, 0), (2, 1), (3, 2)):
        C = brute_C((7, 7), K, s, p)
        for _ in range(5):
            x, yy = rng.integers(-5, 6, 49), rng.integers(-5, 6, C.shape[0])
            assert (C @ x) @ yy == x @ (brute_transpose(C) @ yy)


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
def test_gradient_against_autograd(pages, deck):
    g = np.array(deck["gradient"]["data"]["upstream"])
    x = torch.tensor(X, dtype=torch.float64).reshape(1, 1, 4, 4).requires_grad_()
    k = torch.tensor(K, dtype=torch.float64).reshape(1, 1, 3, 3).requires_grad_()
    F.conv2d(x, k).backward(torch.tensor(g, dtype=torch.float64).reshape(1, 1, 2, 2))
    assert latex.bmatrix(x.grad.squeeze().int().numpy()) in pages["gradient"]
    assert latex.bmatrix(k.grad.squeeze().int().numpy()) in pages["gradient"]


# ----------------------------------------------------------------------------- checkerboard


def test_checkerboard_counts(pages, deck, docs):
    page = pages["checkerboard"]
    for name, ex in deck["checkerboard"]["examples"].items():
        if np.any(np.array(ex["kernel"]) != 1):  # shaped kernels: test_checkerboard_kernel_can_cancel_or_create
            continue
        n, k, s, p = len(ex["input"]), len(ex["kernel"]), ex["stride"], ex["padding"]
        counts = brute_counts(n, k, s, p)
        assert np.array_equal(counts, brute_scatter(np.ones((n, n), dtype=int), np.ones((k, k), dtype=int), s, p))
        assert f"\\text{{counts}} = {latex.bmatrix(counts)}" in page
        inner = counts[k - 1 - p : counts.shape[0] - (k - 1 - p), k - 1 - p : counts.shape[1] - (k - 1 - p)]
        if k % s:
            assert len(set(inner.ravel())) > 1, "uneven overlap in the interior"
        else:
            assert len(set(inner.ravel())) == 1, "uniform interior"
        texts = svg_texts(docs / f"cards/transposed/figures/checkerboard-{name}-overlap-heatmap.svg")
        cells = [t for t in texts if t.isdigit()]
        assert sorted(int(t) for t in cells) == sorted(counts.ravel().tolist())
    # hand-checked: k = 3, s = 2 along one row of a 4-long input
    assert "\\begin{bmatrix} 1 & 1 & 2 & 1 & 2 & 1 & 2 & 1 & 1 \\end{bmatrix}" in page


# ----------------------------------------------------------------------------- PyTorch snippets


def _snippets(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page, flags=re.S)


@pytest.mark.parametrize("cid", CARD_IDS)
def test_pytorch_snippets_state_what_the_call_computes(cid, pages):
    """Parse each conv_transpose2d snippet and recompute it with the brute-force scatter (PyTorch's documented semantics)."""
    for code in _snippets(pages[cid]):
        tensors = dict(re.findall(r"^(\w+) = torch\.tensor\((\[.*?\]), dtype", code, flags=re.M))
        call = re.search(r"^xt = F\.conv_transpose2d\((\w+), (\w+), (.*)\)$", code, flags=re.M)
        if not call:
            continue
        kw = dict(re.findall(r"(\w+)=([^,()]+|\([^)]*\))", call.group(3)))
        y, k = np.array(ast.literal_eval(tensors[call.group(1)])), np.array(ast.literal_eval(tensors[call.group(2)]))
        s, p, a, d = (int(ast.literal_eval(kw[n])) for n in ("stride", "padding", "output_padding", "dilation"))
        out = brute_scatter(y, k, s, p, d, a)
        assert f"print(xt.shape)  # torch.Size([1, 1, {out.shape[0]}, {out.shape[1]}])" in code
        m = re.search(r"print\(xt\[0, 0\]\.int\(\)\.tolist\(\)\)  # (.*)$", code, flags=re.M)
        if m:
            assert ast.literal_eval(m.group(1)) == out.tolist()
        m = re.search(r"print\(xt\[0, 0, -1\]\.int\(\)\.tolist\(\)\)  # (.*)$", code, flags=re.M)
        if m:
            assert ast.literal_eval(m.group(1)) == out[-1].tolist()


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("cid", CARD_IDS)
def test_pytorch_snippets_run(cid, pages, capsys):
    """Run each snippet with PyTorch; every printed line equals the comment beside its print."""
    for code in _snippets(pages[cid]):
        expected = [m for m in re.findall(r"^print\(.*\)  # (.*)$", code, flags=re.M)]
        exec(compile(code, f"<{cid}>", "exec"), {})
        printed = capsys.readouterr().out.strip().splitlines()
        assert len(printed) == len(expected)
        for got, want in zip(printed, expected, strict=True):
            assert got == want or got.replace(".0", "") == want


# ----------------------------------------------------------------------------- the shared snippet, transposed


SNIPPET_CASES = [
    # (stride, padding (top, bottom, left, right), dilation, output_padding)
    ((1, 1), (0, 0, 0, 0), (1, 1), (0, 0)),
    ((2, 2), (1, 1, 1, 1), (1, 1), (1, 1)),
    ((3, 2), (2, 2, 0, 0), (1, 1), (2, 1)),
    ((1, 1), (1, 1, 1, 1), (3, 2), (2, 1)),  # output_padding < dilation, not < stride
    ((2, 2), (2, 0, 1, 0), (1, 2), (1, 1)),  # asymmetric padding: the snippet crops
]


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("stride, padding, dilation, output_padding", SNIPPET_CASES)
def test_shared_snippet_for_transposed_examples(stride, padding, dilation, output_padding, capsys):
    """snippets.pytorch on a transposed example runs, and prints the shape of a brute-force scatter with the same parameters."""
    from generator import core, snippets
    from generator.examples import Example
    from generator.spec import ExampleSpec

    rng = np.random.default_rng(sum(stride) + sum(padding))
    y = rng.integers(-3, 4, size=(3, 4))
    k = rng.integers(-2, 3, size=(3, 2))
    p = core.ConvParams(stride=stride, padding=padding, dilation=dilation, output_padding=output_padding)
    ex = Example(ExampleSpec("case", "transposed_convolution", y, k, p))
    code = snippets.pytorch(ex)
    assert "F.conv_transpose2d(" in code
    scope: dict = {}
    exec(compile(code, "<snippet>", "exec"), scope)
    capsys.readouterr()
    # oracle: scatter every stamp on a big canvas, crop (top, left) and keep o' rows/cols by PyTorch's documented size
    (sh, sw), (dh, dw), (t, b, l, r), (ah, aw) = stride, dilation, padding, output_padding
    H = (y.shape[0] - 1) * sh + dh * (k.shape[0] - 1) + 1 + ah
    W = (y.shape[1] - 1) * sw + dw * (k.shape[1] - 1) + 1 + aw
    full = np.zeros((H, W), dtype=np.int64)
    for rr in range(y.shape[0]):
        for cc in range(y.shape[1]):
            for i in range(k.shape[0]):
                for j in range(k.shape[1]):
                    full[rr * sh + i * dh, cc * sw + j * dw] += y[rr, cc] * k[i, j]
    want = full[t : H - b, l : W - r]
    got = scope["xt"].squeeze(0).squeeze(0).numpy()
    assert got.shape == want.shape
    assert np.array_equal(np.rint(got).astype(np.int64), want)
    assert f"torch.Size([1, 1, {want.shape[0]}, {want.shape[1]}])" in code
    assert np.array_equal(ex.output, want)


# ----------------------------------------------------------------------------- not-an-inverse: when Cᵀ and C⁺ invert


def test_not_an_inverse_when_the_transpose_inverts(pages, deck):
    """Issue 12: Cᵀ does invert C when C's columns are orthonormal; C⁺ inverts a full-column-rank C."""
    page = pages["not-an-inverse"]
    assert "never its values" not in page
    ex = deck["not-an-inverse"]["examples"]
    # the delta kernel with "same" padding: C (built by loops) is the identity, the round trip is exact
    x, k = np.array(ex["identity"]["input"]), np.array(ex["identity"]["kernel"])
    C = brute_C(x.shape, k, 1, ex["identity"]["padding"])
    assert np.array_equal(brute_transpose(C) @ C, np.eye(x.size, dtype=int))
    back = brute_scatter(brute_corr(x, k, 1, 1), k, 1, 1)
    assert np.array_equal(back, x)
    assert f"C^\\top y = {latex.bmatrix(back)} = x" in page
    assert f"is the \\({x.size} \\times {x.size}\\) identity" in page
    # the orthogonal channel mix: Q^T Q = I by exact fractions
    from fractions import Fraction as Fr

    Q = [[Fr(3, 5), Fr(-4, 5)], [Fr(4, 5), Fr(3, 5)]]
    assert [[sum(Q[r][i] * Q[r][j] for r in range(2)) for j in range(2)] for i in range(2)] == [[1, 0], [0, 1]]
    assert "\\tfrac{3}{5} & -\\tfrac{4}{5}" in page
    # the tall case: least squares (lstsq, not pinv) recovers x exactly; the transpose does not
    x, k = np.array(ex["tall"]["input"]), np.array(ex["tall"]["kernel"])
    C = brute_C(x.shape, k, 1, 1)
    assert C.shape[0] > C.shape[1] and np.linalg.matrix_rank(C) == C.shape[1]
    y = brute_corr(x, k, 1, 1).ravel()
    assert np.array_equal(C @ x.ravel(), y)
    rec = np.linalg.lstsq(C.astype(float), y.astype(float), rcond=None)[0]
    assert np.allclose(rec, x.ravel())
    ct = (brute_transpose(C) @ y).reshape(x.shape)
    assert not np.array_equal(ct, x)
    assert f"C^\\top y = {latex.bmatrix(ct)}, \\qquad C^+ y = {latex.bmatrix(x)} = x" in page
    # the wide Sobel case: the minimum-norm solution reproduces y, is not x, and is shorter than x
    C = brute_C(X.shape, K)
    y = C @ X.ravel()
    xh = C.T @ np.linalg.solve((C @ C.T).astype(float), y.astype(float))  # C^T (C C^T)^{-1} y
    assert np.allclose(C @ xh, y) and not np.allclose(xh, X.ravel())
    assert np.linalg.norm(xh) < np.linalg.norm(X)
    assert f"C^+ y \\approx {latex.bmatrix(np.round(xh, 4).reshape(4, 4) + 0.0)}" in page


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
def test_not_an_inverse_round_trips_in_pytorch(deck):
    ex = deck["not-an-inverse"]["examples"]["identity"]
    x = torch.tensor(ex["input"], dtype=torch.float64).reshape(1, 1, 4, 4)
    k = torch.tensor(ex["kernel"], dtype=torch.float64).reshape(1, 1, 3, 3)
    assert torch.equal(F.conv_transpose2d(F.conv2d(x, k, padding=1), k, padding=1), x)
    Q = torch.tensor([[3.0, -4.0], [4.0, 3.0]], dtype=torch.float64).reshape(2, 2, 1, 1) / 5
    x2 = torch.arange(18, dtype=torch.float64).reshape(1, 2, 3, 3)
    assert torch.allclose(F.conv_transpose2d(F.conv2d(x2, Q), Q), x2)


def test_output_padding_beyond_the_stamps_is_zeros(pages, deck):
    """Issue 12: with a > p the last a - p rows and columns are zeros (brute-force scatter); with a <= p they are stamp cells."""
    page = pages["output-padding"]
    assert "does not pad with zeros" not in page
    ex = deck["output-padding"]["examples"]["beyond"]
    y, k = np.array(ex["input"]), np.array(ex["kernel"])
    s, p, a = ex["stride"], ex["padding"], ex["output_padding"]
    assert a > p
    out = brute_scatter(y, k, s, p, 1, a)
    assert not out[-(a - p):, :].any() and not out[:, -(a - p):].any()
    assert out[: out.shape[0] - (a - p), : out.shape[1] - (a - p)].any(axis=0).all()
    assert f"x' = {latex.bmatrix(out)}" in page
    assert f"Here \\(a - p = {a - p}\\)" in page
    # the sweep: for every a < s and p, the number of all-zero trailing rows is max(a - p, 0) (a kernel with no zero row)
    kk = np.ones((3, 3), dtype=int)
    for s in (2, 3):
        for p in range(3):
            for a in range(s):
                o = brute_scatter(np.ones((3, 3), dtype=int), kk, s, p, 1, a)
                zero_rows = next((j for j in range(o.shape[0]) if o[o.shape[0] - 1 - j].any()), o.shape[0])
                assert zero_rows == max(a - p, 0), (s, p, a)


def test_checkerboard_kernel_can_cancel_or_create(pages, deck, docs):
    """Issue 12: [1,2,1]⊗[1,2,1] at k=3, s=2 gives a flat interior; alternating taps at k=4, s=2 a checkerboard; resize+conv is flat."""
    page = pages["checkerboard"]
    assert "only in part" not in page
    ex = deck["checkerboard"]["examples"]
    cancel, learned = ex["cancel"], ex["learned"]
    k = np.array(cancel["kernel"])
    assert np.array_equal(k, 4 * np.outer([0.5, 1, 0.5], [0.5, 1, 0.5]))
    out = brute_scatter(np.array(cancel["input"]), k, cancel["stride"], cancel["padding"])
    assert len(k) % cancel["stride"] != 0  # uneven overlap...
    inner = out[2:-2, 2:-2]
    assert inner.size and np.all(inner == 4)  # ...cancelled exactly
    assert f"x' = {latex.bmatrix(out)}" in page and "Away from the border every value is 4" in page
    k2 = np.array(learned["kernel"])
    out2 = brute_scatter(np.array(learned["input"]), k2, learned["stride"], learned["padding"])
    assert len(k2) % learned["stride"] == 0  # even overlap...
    counts = brute_counts(4, len(k2), learned["stride"], learned["padding"])
    assert len(set(counts[2:-2, 2:-2].ravel())) == 1
    inner2 = out2[2:-2, 2:-2]
    assert sorted(set(inner2.ravel())) == [0, 4]  # ...yet a checkerboard
    assert f"x' = {latex.bmatrix(out2)}" in page and "the values are \\(0, 4\\), alternating" in page
    # resize then convolve: nearest ×2, 3×3 ones, 'same' padding, by scipy
    up = np.repeat(np.repeat(np.ones((4, 4), dtype=int), 2, axis=0), 2, axis=1)
    res = signal.correlate2d(up, np.ones((3, 3), dtype=int), mode="same")
    assert set(res[1:-1, 1:-1].ravel()) == {9}
    assert "has the value 9, the sum of the taps" in page
    for name in ("cancel", "learned"):
        assert (docs / f"cards/transposed/figures/checkerboard-{name}-output-heatmap.svg").exists()
