"""Deck 6 (beyond one layer): every number on its pages against an independent oracle.

Oracles written for this file: brute-force loops (the matrix C entry by entry, scatters,
folds, index sets), SciPy (correlate, convolve2d, FFT-free identities), NumPy's FFT, and,
when it can be imported, PyTorch itself (autograd, conv_transpose2d, F.fold, conv3d).
None of them calls generator.content.deck6 or generator.core.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, drawn_on_white, generated_docs
from scipy import signal

from generator import latex

DECK_FILE = ROOT / "generator/decks/6-beyond.yaml"
CARD_IDS = [
    "strided-gradient", "transposed-groups", "receptive-field", "stacked-convolutions",
    "circular-padding", "shift-equivariance", "col2im", "conv3d",
]

try:  # the strongest oracle, when installed
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


# ----------------------------------------------------------------------------- oracles


def brute_C(shape: tuple[int, int], k: np.ndarray, s: int = 1, p: int = 0) -> np.ndarray:
    h, w = shape
    kh, kw = k.shape
    oh, ow = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
    C = np.zeros((oh * ow, h * w), dtype=np.int64)
    for r in range(oh):
        for c in range(ow):
            for a in range(kh):
                for b in range(kw):
                    ir, ic = r * s + a - p, c * s + b - p
                    if 0 <= ir < h and 0 <= ic < w:
                        C[r * ow + c, ir * w + ic] = k[a, b]
    return C


def pad_index(j: int, n: int, mode: str) -> int | None:
    """The input cell a padded position j (−p ≤ j < n + p) reads in a padding mode, or None for a zero."""
    if 0 <= j < n:
        return j
    if mode == "zeros":
        return None
    if mode == "circular":
        return j % n
    if mode == "replicate":
        return 0 if j < 0 else n - 1
    return -j if j < 0 else 2 * (n - 1) - j  # reflect: mirror without repeating the edge


def brute_C_1d(n: int, k: np.ndarray, p: int, mode: str, s: int = 1) -> np.ndarray:
    o = (n + 2 * p - len(k)) // s + 1
    C = np.zeros((o, n), dtype=np.int64)
    for r in range(o):
        for t in range(len(k)):
            j = pad_index(r * s + t - p, n, mode)
            if j is not None:
                C[r, j] += k[t]
    return C


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_docs()  # one clean generation per run, shared (tests/conftest.py)


@pytest.fixture(scope="module")
def pages(docs: Path) -> dict[str, str]:
    return {cid: (docs / f"cards/beyond/{cid}.md").read_text(encoding="utf-8") for cid in CARD_IDS}


@pytest.fixture(scope="module")
def cards(docs: Path) -> dict[str, dict]:
    doc = json.loads((docs / "data/cards.json").read_text(encoding="utf-8"))
    return {c["id"]: c for c in doc["cards"] if c["deck"] == "beyond"}


@pytest.fixture(scope="module")
def deck() -> dict:
    return {c["id"]: c for c in yaml.safe_load(DECK_FILE.read_text(encoding="utf-8"))["cards"]}


# ----------------------------------------------------------------------------- every card


def test_deck_has_the_eight_cards_in_order(cards):
    assert list(cards) == CARD_IDS


@pytest.mark.parametrize("cid", CARD_IDS)
def test_every_card_has_question_answer_figure_practice_links(cid, pages, cards, docs):
    page = pages[cid]
    assert page.index('!!! question "Question"') < page.index('??? success "Answer')
    figs = re.findall(r"!\[([^\]]{60,})\]\((figures/[^)]+\.svg)\)", page)
    assert figs, "a figure with a real alt text"
    for _alt, rel in figs:
        svg = (docs / "cards/beyond" / rel).read_text(encoding="utf-8")
        assert drawn_on_white(svg)
    assert len([q for q in cards[cid]["practice"] if q["variant"] == 0]) >= 2
    assert "## Practice" in page and "## Builds on" in page and "## In PyTorch" in page
    # builds_on teaches before use: every card it builds on comes earlier in the site's order
    order = [c["id"] for c in json.loads((docs / "data/cards.json").read_text(encoding="utf-8"))["cards"]]
    assert all(order.index(b) < order.index(cid) for b in cards[cid]["builds_on"])


# ----------------------------------------------------------------------------- strided-gradient


def test_strided_gradient(pages, deck):
    page = pages["strided-gradient"]
    ex = deck["strided-gradient"]["examples"]["layer"]
    x, k, s, p = np.array(ex["input"]), np.array(ex["kernel"]), ex["stride"], ex["padding"]
    g = np.array(deck["strided-gradient"]["data"]["upstream"])
    C = brute_C(x.shape, k, s, p)
    gx = (C.T @ g.ravel()).reshape(x.shape)
    xp = np.pad(x, p)
    gw = np.zeros_like(k)
    for a in range(3):
        for b in range(3):
            gw[a, b] = sum(g[r, c] * xp[r * s + a, c * s + b] for r in range(3) for c in range(3))
    assert f"\\longrightarrow\\; {latex.bmatrix(gx)}" in page
    assert f"\\frac{{\\partial L}}{{\\partial w}} = {latex.bmatrix(gw)}" in page
    a = (x.shape[0] + 2 * p - k.shape[0]) % s
    assert a == 1 and f"output_padding={a})`" in page
    assert f"= {s * (g.shape[0] - 1) + k.shape[0] - 2 * p}\\) wide, not \\(i = {x.shape[0]}\\)" in page
    if torch is not None:
        xt = torch.tensor(x, dtype=torch.float64)[None, None].requires_grad_()
        kt = torch.tensor(k, dtype=torch.float64)[None, None].requires_grad_()
        F.conv2d(xt, kt, stride=s, padding=p).backward(torch.tensor(g, dtype=torch.float64)[None, None])
        assert np.array_equal(xt.grad[0, 0].numpy(), gx) and np.array_equal(kt.grad[0, 0].numpy(), gw)


# ----------------------------------------------------------------------------- transposed-groups


def test_transposed_groups(pages, deck):
    page = pages["transposed-groups"]
    ex = deck["transposed-groups"]["examples"]["grouped"]
    x, w, groups = np.array(ex["input"]), np.array(ex["kernel"]), ex["groups"]
    y = np.array(deck["transposed-groups"]["data"]["upstream"])
    c_in_t, per = w.shape[0], w.shape[1]
    c_out_t = per * groups
    assert x.shape[0] == c_out_t
    # scatter by loops: input channel o of the transposed layer stamps w[o, j] onto output channel (group of o) * per + j
    out = np.zeros((c_out_t, 3, 3), dtype=np.int64)
    for o in range(c_in_t):
        grp = o // (c_in_t // groups)
        for j in range(per):
            for r in range(2):
                for c in range(2):
                    out[grp * per + j, r : r + 2, c : c + 2] += y[o, r, c] * w[o, j]
    for n, ch in enumerate(out):
        assert f"x'_{{{n + 1}}} = {latex.bmatrix(ch)}" in page
    assert "\\text{blocks} = \\begin{bmatrix} 1 & 1 & 0 & 0 \\\\ 0 & 0 & 1 & 1 \\end{bmatrix}" in page
    times = " \\times ".join(str(v) for v in w.shape)
    assert f"weight has shape \\({times}\\)" in page
    if torch is not None:
        got = F.conv_transpose2d(torch.tensor(y, dtype=torch.float64)[None], torch.tensor(w, dtype=torch.float64), groups=groups)
        assert np.array_equal(got[0].numpy(), out)


# ----------------------------------------------------------------------------- receptive-field


def receptive_by_matrices(layers: list[dict]) -> int:
    """Compose 1-D all-ones layers as matrices (loops) and count the inputs output 0 depends on."""
    n = 200
    M = np.eye(n, dtype=np.int64)
    size = n
    for layer in layers:
        k, s, d = layer["k"], layer.get("s", 1), layer.get("d", 1)
        span = d * (k - 1) + 1
        o = (size - span) // s + 1
        L = np.zeros((o, size), dtype=np.int64)
        for r in range(o):
            for t in range(k):
                L[r, r * s + t * d] = 1
        M, size = L @ M, o
    return int(np.count_nonzero(M[0]))


def test_receptive_field_tables(pages, deck):
    page = pages["receptive-field"]
    for name, layers in deck["receptive-field"]["data"]["stacks"].items():
        r = receptive_by_matrices(layers)
        assert f"#### {name}" in page
        j = int(np.prod([layer.get("s", 1) for layer in layers]))
        assert f"sees \\({r} \\times {r}\\) input cells; neighbouring outputs are {j} input cell" in page
    assert "three 3×3" in page and receptive_by_matrices([{"k": 3}] * 3) == 7


# ----------------------------------------------------------------------------- stacked-convolutions


def test_stacked_convolutions(pages, deck):
    page = pages["stacked-convolutions"]
    card = deck["stacked-convolutions"]
    ex = card["examples"]["first"]
    x, k1, k2 = np.array(ex["input"]), np.array(ex["kernel"]), np.array(card["data"]["second_kernel"])
    K = signal.convolve2d(k1, k2, mode="full")
    two = signal.correlate2d(signal.correlate2d(x, k1, mode="valid"), k2, mode="valid")
    assert np.array_equal(two, signal.correlate2d(x, K, mode="valid"))
    assert f"w_1 * w_2 = {latex.bmatrix(K)}, \\qquad x \\star (w_1 * w_2) = {latex.bmatrix(two)}" in page
    # depthwise-separable: C_pw C_dw by loops equals the two layers
    dw = card["examples"]["depthwise"]
    xs, wd, W = np.array(dw["input"]), np.array(dw["kernel"]), np.array(card["data"]["pointwise"])
    C_dw = np.zeros((8, 18), dtype=np.int64)
    for c in range(2):
        C_dw[c * 4 : c * 4 + 4, c * 9 : c * 9 + 9] = brute_C((3, 3), wd[c, 0])
    C_pw = np.zeros((12, 8), dtype=np.int64)
    for o in range(3):
        for c in range(2):
            C_pw[o * 4 : o * 4 + 4, c * 4 : c * 4 + 4] = W[o, c] * np.eye(4, dtype=np.int64)
    depth = np.stack([signal.correlate2d(xs[c], wd[c, 0], mode="valid") for c in range(2)])
    point = np.einsum("oc,chw->ohw", W, depth)
    assert np.array_equal((C_pw @ C_dw @ xs.ravel()).reshape(point.shape), point)
    assert f"C = {latex.bmatrix(C_pw @ C_dw)}" in page and f"C_\\text{{dw}} = {latex.bmatrix(C_dw)}" in page
    L = card["data"]["layer"]
    full, sep = L["c_out"] * L["c_in"] * L["k"] ** 2, L["c_in"] * L["k"] ** 2 + L["c_out"] * L["c_in"]
    assert f"= {latex.thousands(full)}\\)" in page and f"= {latex.thousands(sep)}\\)" in page
    assert f"\\({latex.thousands(full * L['h'] * L['w'])}\\)" in page and f"\\({latex.thousands(sep * L['h'] * L['w'])}\\)" in page


# ----------------------------------------------------------------------------- circular-padding


def test_circular_padding_matrices_and_fft(pages, deck):
    page = pages["circular-padding"]
    ex = deck["circular-padding"]["examples"]["signal"]
    x, k, p = np.array(ex["input"]), np.array(ex["kernel"]), ex["padding"]
    n = len(x)
    mats = {m: brute_C_1d(n, k, p, m) for m in ("zeros", "reflect", "replicate", "circular")}
    for m, C in mats.items():
        assert f"C_\\text{{{m}}} = {latex.bmatrix(C)}, \\qquad C_\\text{{{m}}}\\, x = {latex.bmatrix(C @ x)}" in page
        assert np.array_equal(C[1:-1], mats["zeros"][1:-1])  # only the boundary rows differ
    Cc = mats["circular"]
    assert all(np.array_equal(np.roll(Cc[0], r), Cc[r]) for r in range(n))
    lam = np.fft.fft(Cc[:, 0])
    assert np.allclose(np.fft.ifft(lam * np.fft.fft(x)).real, Cc @ x)
    assert np.allclose(Cc, (np.fft.ifft(np.eye(n), axis=0) @ np.diag(lam) @ np.fft.fft(np.eye(n), axis=0)).real)
    assert f"\\lambda = F C e_1 = {latex.bmatrix(np.round(lam.real, 4) + 0.0)}^\\top" in page
    if torch is not None:
        xt, kt = torch.tensor(x, dtype=torch.float64)[None, None], torch.tensor(k, dtype=torch.float64)[None, None]
        for m, mode in (("zeros", "constant"), ("reflect", "reflect"), ("replicate", "replicate"), ("circular", "circular")):
            assert F.conv1d(F.pad(xt, (p, p), mode=mode), kt)[0, 0].tolist() == (mats[m] @ x).tolist()


# ----------------------------------------------------------------------------- shift-equivariance


def test_shift_equivariance(pages, deck):
    page = pages["shift-equivariance"]
    card = deck["shift-equivariance"]
    ex = card["examples"]["signal"]
    x, k, p, s = np.array(ex["input"]), np.array(ex["kernel"]), ex["padding"], card["data"]["stride"]
    n = len(x)
    C = brute_C_1d(n, k, p, "circular")
    Sx = np.roll(x, 1)
    assert np.array_equal(C @ Sx, np.roll(C @ x, 1))
    Cs = brute_C_1d(n, k, p, "circular", s)
    assert not np.array_equal(Cs @ Sx, np.roll(Cs @ x, 1))
    assert f"C_s x = {latex.bmatrix(Cs @ x)}, \\qquad C_s(Sx) = {latex.bmatrix(Cs @ Sx)}" in page
    assert f"C(Sx) = {latex.bmatrix(C @ Sx)} = S(Cx)" in page
    odd = (C @ x)[np.arange(-1, n - 1, s)]  # the phase the stride dropped
    assert np.array_equal(Cs @ Sx, odd)


# ----------------------------------------------------------------------------- col2im


def test_col2im_adjoint_and_counts(pages, deck):
    page = pages["col2im"]
    card = deck["col2im"]
    ex = card["examples"]["layer"]
    x = np.array(ex["input"])
    Z = np.array(card["data"]["columns"])
    P = np.array([[x[j // 2 + a // 2, j % 2 + a % 2] for j in range(4)] for a in range(4)])
    fold = np.zeros((3, 3), dtype=np.int64)
    counts = np.zeros((3, 3), dtype=np.int64)
    for j in range(4):
        for a in range(4):
            fold[j // 2 + a // 2, j % 2 + a % 2] += Z[a, j]
            counts[j // 2 + a // 2, j % 2 + a % 2] += 1
    assert int((P * Z).sum()) == int((x * fold).sum())
    assert f"\\operatorname{{col2im}}(Z) = {latex.bmatrix(fold)}" in page
    assert f"= x \\odot {latex.bmatrix(counts)}" in page
    for row in card["data"]["layers"]:
        s, p = row.get("s", 1), row.get("p", 0)
        o = (row["h"] + 2 * p - row["k"]) // s + 1
        direct = row["c_out"] * o * o * row["c_in"] * row["k"] ** 2
        n = row["h"] + 2 * p
        fft = 4 * row["c_in"] * row["c_out"] * n * (n // 2 + 1)
        assert f"| {row['name']} |" in page and f"\\({latex.thousands(direct)}\\)" in page and f"\\({latex.thousands(fft)}\\)" in page
        if s == 1:
            assert direct / fft < row["k"] ** 2 / 2
    if torch is not None:
        got = F.fold(torch.tensor(Z, dtype=torch.float64)[None], output_size=(3, 3), kernel_size=2)
        assert np.array_equal(got[0, 0].numpy(), fold)


# ----------------------------------------------------------------------------- conv3d


def test_conv3d(pages, deck):
    page = pages["conv3d"]
    data = deck["conv3d"]["data"]
    x, k = np.array(data["volume"]), np.array(data["kernel3d"])
    y = signal.correlate(x, k, mode="valid")
    C = np.zeros((8, 27), dtype=np.int64)
    for j, (z, r, c) in enumerate(np.ndindex(2, 2, 2)):
        for a, b, e in np.ndindex(2, 2, 2):
            C[j, (z + a) * 9 + (r + b) * 3 + (c + e)] = k[a, b, e]
    assert np.array_equal(C @ x.ravel(), y.ravel())
    assert f"C = {latex.bmatrix(C)}" in page
    assert "y = \\left( " + ",\\; ".join(latex.bmatrix(s) for s in y) + " \\right)" in page
    if torch is not None:
        got = F.conv3d(torch.tensor(x, dtype=torch.float64)[None, None], torch.tensor(k, dtype=torch.float64)[None, None])
        assert np.array_equal(got[0, 0].numpy(), y)
