"""Deck 1 (the sliding window): every array on its pages equals an independent oracle.

Oracles: SciPy (``correlate2d`` and its valid/same/full modes, ``scipy.linalg.toeplitz``),
``np.correlate`` and brute-force loops written here from the spec values read from the
deck's YAML. The generator writes the pages into a temporary folder first, so these tests
never read stale files. Matrices are compared as the LaTeX strings the page must contain
(built with the filters from the oracle arrays) and as the arrays in ``cards.json``.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, drawn_on_white, generated_docs
from scipy import linalg, signal

from generator import latex

DECK = ROOT / "generator/decks/1-sliding-window.yaml"
CARD_IDS = ["cross-correlation", "output-size", "padding-modes", "strides", "dilation", "channels", "one-d", "pooling"]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    return generated_docs()  # one clean generation per run, shared (tests/conftest.py)


@pytest.fixture(scope="module")
def spec() -> dict:
    doc = yaml.safe_load(DECK.read_text(encoding="utf-8"))
    return {c["id"]: c for c in doc["cards"]}


@pytest.fixture(scope="module")
def cards_json(docs) -> dict:
    doc = json.loads((docs / "data/cards.json").read_text(encoding="utf-8"))
    return {c["id"]: c for c in doc["cards"] if c["deck"] == "sliding-window"}


def page(docs: Path, card: str) -> str:
    return (docs / "cards/sliding-window" / f"{card}.md").read_text(encoding="utf-8")


def example(spec: dict, card: str, name: str) -> dict:
    return spec[card]["examples"][name]


def arrays(ex: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.array(ex["input"]), np.array(ex["kernel"])


def json_example(cards_json: dict, card: str, name: str) -> dict:
    return next(e for e in cards_json[card]["examples"] if e["name"] == name)


# ----------------------------------------------------------------------------- brute-force oracles


def sides(p) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from a YAML padding value."""
    if isinstance(p, int):
        return p, p, p, p
    if len(p) == 2:
        return p[0], p[0], p[1], p[1]
    return tuple(p)


def brute_corr(x, k, s=1, p=0, d=1):
    """Cross-correlation by four nested loops over a zero-padded copy."""
    x, k = np.atleast_2d(x), np.atleast_2d(k)
    t, b, l, r = sides(p)
    xp = np.zeros((x.shape[0] + t + b, x.shape[1] + l + r), dtype=x.dtype)
    xp[t : t + x.shape[0], l : l + x.shape[1]] = x
    kh, kw = k.shape
    out_rows, out_cols = [], None
    r0 = 0
    while r0 + d * (kh - 1) < xp.shape[0]:
        row, c0 = [], 0
        while c0 + d * (kw - 1) < xp.shape[1]:
            row.append(sum(k[a, bb] * xp[r0 + a * d, c0 + bb * d] for a in range(kh) for bb in range(kw)))
            c0 += s
        out_rows.append(row)
        out_cols = len(row)
        r0 += s
    return np.array(out_rows).reshape(len(out_rows), out_cols)


def count_positions(i: int, k: int, p: int, s: int, d: int = 1) -> int:
    """The output size by counting the window's positions along one axis."""
    n, start = 0, 0
    while start + d * (k - 1) <= i + 2 * p - 1:
        n += 1
        start += s
    return n


def covered_1d(i: int, k: int, p_lo: int, p_hi: int, s: int, d: int = 1) -> np.ndarray:
    """Which cells of the padded axis some window touches."""
    cov = np.zeros(i + p_lo + p_hi, dtype=bool)
    start = 0
    while start + d * (k - 1) <= len(cov) - 1:
        cov[start : start + d * (k - 1) + 1 : d] = True
        start += s
    return cov


def dot_sum_terms(patch, k) -> str:
    return " + ".join(f"{latex.paren(a)} \\cdot {latex.paren(b)}" for a, b in zip(np.ravel(patch), np.ravel(k), strict=True))


# ----------------------------------------------------------------------------- every card


def test_every_card_is_generated(docs, cards_json, spec):
    assert sorted(cards_json) == sorted(CARD_IDS)
    assert sorted(spec) == sorted(CARD_IDS)
    for cid in CARD_IDS:
        text = page(docs, cid)
        # the question first, the answer behind the reveal
        assert text.index('!!! question "Question"') < text.index('??? success "Answer')


@pytest.mark.parametrize("cid", CARD_IDS)
def test_every_card_has_a_figure_with_alt_text(docs, cid):
    text = page(docs, cid)
    figs = re.findall(r"!\[([^\]]+)\]\((figures/[^)]+\.svg)\)", text)
    assert figs, "a figure is referenced"
    for alt, rel in figs:
        assert len(alt) > 60, alt
        svg = (docs / "cards/sliding-window" / rel).read_text(encoding="utf-8")
        assert "<svg" in svg and drawn_on_white(svg)  # drawn on white
        assert "input" in svg  # cells are labelled


@pytest.mark.parametrize("cid", CARD_IDS)
def test_every_card_has_two_practice_questions_with_oracle_answers(docs, cards_json, spec, cid):
    text = page(docs, cid)
    assert text.count('??? tip "Show the answer"') >= 2
    qs = [q for q in cards_json[cid]["practice"] if q["variant"] == 0]
    assert len(qs) >= 2
    for q in cards_json[cid]["practice"]:
        a = q["arrays"]
        if q["kind"] == "output_size":
            assert q["value"] == count_positions(a["i"], a["k"], a["p"], a["s"], a["d"])
        elif q["kind"] == "output_value":
            x, k = np.array(a["input"]), np.array(a["kernel"])
            s, d = a["stride"][1], a["dilation"][1]
            pad = a["padding"]
            if a["operation"] == "cross_correlation":
                y = brute_corr(x, k, s, pad, d)
                assert q["value"] == y[a["row"], a["col"]]
            elif a["operation"] == "avg_pooling":
                y = brute_corr(x, np.full_like(k, 1) / k.size, s)
                assert q["value"] == pytest.approx(y[a["row"], a["col"]])
            elif a["operation"] == "max_pooling":
                kh, kw = np.atleast_2d(k).shape
                assert q["value"] == x[a["row"] * s : a["row"] * s + kh, a["col"] * s : a["col"] * s + kw].max()
        elif q["kind"] == "c_entry":
            x, k = np.atleast_2d(np.array(a["input"])), np.atleast_2d(np.array(a["kernel"]))
            # column j of C is the output for the j-th unit input
            e = np.zeros(x.size)
            e[a["col"]] = 1
            kk = k / k.size if a["operation"] == "avg_pooling" else k
            y = brute_corr(e.reshape(x.shape), kk, a["stride"][1], a["padding"], a["dilation"][1])
            assert q["value"] == pytest.approx(y.ravel()[a["row"]])


@pytest.mark.parametrize("cid", CARD_IDS)
def test_builds_on_links(docs, spec, cid):
    text = page(docs, cid)
    for target in spec[cid].get("builds_on", []):
        assert f"({target}.md)" in text.split("## Builds on")[1]
    if not spec[cid].get("builds_on"):
        assert "## Builds on" not in text


# ----------------------------------------------------------------------------- cross-correlation


def test_cross_correlation_sobel(docs, spec, cards_json):
    x, k = arrays(example(spec, "cross-correlation", "sobel"))
    y = signal.correlate2d(x, k, mode="valid")
    assert np.array_equal(y, brute_corr(x, k))
    assert y[0, 0] == 10  # hand-checked: 1+1 + 2+4 + 1+1
    text = page(docs, "cross-correlation")
    assert f"y = {latex.bmatrix(y)}" in text
    for r in range(2):
        for c in range(2):
            assert f"y_{{{r + 1}{c + 1}}} &= {dot_sum_terms(x[r : r + 3, c : c + 3], k)} = {y[r, c]}" in text
    patch = x[:3, :3]
    assert f"{latex.bmatrix(patch)} \\odot {latex.bmatrix(k)} = {latex.bmatrix(patch * k)}" in text
    ex = json_example(cards_json, "cross-correlation", "sobel")
    assert ex["arrays"]["output"] == y.tolist()
    assert "figures/cross-correlation-sobel-sliding-window.svg" in text


# ----------------------------------------------------------------------------- output-size


def relationship(i, k, p, s):
    if s == 1 and p == 0:
        return 1
    if s == 1:
        return 2
    return 5 if p == 0 else 6


def test_output_size_table_matches_counted_positions(docs, spec):
    text = page(docs, "output-size")
    cases = spec["output-size"]["data"]["cases"]
    assert len(cases) >= 5
    drops = 0
    for c in cases:
        i, k, p, s = c["i"], c["k"], c["p"], c["s"]
        o = count_positions(i, k, p, s)
        assert o == (i + 2 * p - k) // s + 1  # the formula agrees with counting
        cov = covered_1d(i, k, p, p, s)
        left = len(cov) - 1 - int(np.flatnonzero(cov).max())
        dropped = int((~cov[p : p + i]).sum())
        drops += dropped > 0
        lost = f" ({dropped} input)" if left else ""
        row = f"| ({i}, {k}, {p}, {s}) | {relationship(i, k, p, s)} | {i + 2 * p - k} | **{o}** | {left}{lost} |"
        assert row in text, row
    assert drops >= 1, "one case where the floor drops input"
    assert {relationship(c["i"], c["k"], c["p"], c["s"]) for c in cases} >= {1, 2, 5, 6}


def test_output_size_example_drops_a_column(docs, spec, cards_json):
    ex = example(spec, "output-size", "wide")
    x, k = arrays(ex)
    assert x.shape[0] != x.shape[1] and k.shape[0] != k.shape[1], "non-square input and kernel"
    s = ex["stride"]
    y = brute_corr(x, k, s)
    assert np.array_equal(y, signal.correlate2d(x, k, mode="valid")[::s, ::s])
    text = page(docs, "output-size")
    assert f"y = {latex.bmatrix(y)}" in text
    assert json_example(cards_json, "output-size", "wide")["arrays"]["output"] == y.tolist()
    cols = covered_1d(x.shape[1], k.shape[1], 0, 0, s)
    never = [j + 1 for j in np.flatnonzero(~cols)]
    assert never, "the floor drops an input column"
    for j in never:
        assert f"Input column {j} is never under the kernel" in text


# ----------------------------------------------------------------------------- padding-modes


def test_padding_modes_valid_same_full(docs, spec, cards_json):
    text = page(docs, "padding-modes")
    x, k = arrays(example(spec, "padding-modes", "valid"))
    i, kk = x.shape[0], k.shape[0]
    assert kk % 2 == 1
    scipy_mode = {"valid": "valid", "same": "same", "full": "full"}
    size = {"valid": i - kk + 1, "same": i, "full": i + kk - 1}  # Relationships 1, 3, 4
    for name in ("valid", "same", "full"):
        ex = example(spec, "padding-modes", name)
        assert np.array_equal(np.array(ex["input"]), x) and np.array_equal(np.array(ex["kernel"]), k)
        y = brute_corr(x, k, 1, ex["padding"])
        assert np.array_equal(y, signal.correlate2d(x, k, mode=scipy_mode[name]))
        assert y.shape == (size[name], size[name])
        assert f"y_{{\\text{{{name}}}}} = {latex.bmatrix(y)} \\qquad ({y.shape[0]} \\times {y.shape[1]})" in text
        assert json_example(cards_json, "padding-modes", name)["arrays"]["output"] == y.tolist()
    # full padding: the corner output is one product, k's last entry times x's first
    assert f"y_{{11}} = {latex.paren(x[0, 0])} \\cdot {latex.paren(k[-1, -1])} = {x[0, 0] * k[-1, -1]}" in text


def test_padding_modes_even_kernel_asymmetric(docs, spec, cards_json):
    ex = example(spec, "padding-modes", "same_even")
    x, k = arrays(ex)
    t, b, l, r = sides(ex["padding"])
    assert (t, l) != (b, r), "asymmetric"
    xp = np.pad(x, ((t, b), (l, r)))
    y = signal.correlate2d(xp, k, mode="valid")
    assert y.shape == x.shape
    text = page(docs, "padding-modes")
    assert f"x_{{\\text{{padded}}}} = {latex.bmatrix(xp)}, \\qquad y = {latex.bmatrix(y)}" in text
    assert json_example(cards_json, "padding-modes", "same_even")["arrays"]["output"] == y.tolist()


# ----------------------------------------------------------------------------- strides


def test_strides_leftover_row_and_column(docs, spec, cards_json):
    ex = example(spec, "strides", "stride2")
    x, k = arrays(ex)
    s, p = ex["stride"], ex["padding"]
    assert (x.shape[0], k.shape[0], s, p) == (6, 3, 2, 1)
    y = brute_corr(x, k, s, p)
    text = page(docs, "strides")
    assert f"y = {latex.bmatrix(y)}" in text
    assert json_example(cards_json, "strides", "stride2")["arrays"]["output"] == y.tolist()
    # brute force: the coverage of the padded input by every window
    n = x.shape[0] + 2 * p
    cov = np.zeros((n, n), dtype=int)
    for r0 in range(0, n - k.shape[0] + 1, s):
        for c0 in range(0, n - k.shape[1] + 1, s):
            cov[r0 : r0 + 3, c0 : c0 + 3] += 1
    assert (cov[-1, :] == 0).all() and (cov[:, -1] == 0).all(), "last row and column never covered"
    assert (cov[:-1, :-1] > 0).all()
    assert latex.bmatrix(cov) in text
    assert f"Row {n} of the padded input, a row of padding, is under no window." in text
    assert f"Column {n} of the padded input, a column of padding, is under no window." in text
    # so padding only top and left gives the same output
    twin = example(spec, "strides", "top_left_only")
    assert sides(twin["padding"]) == (1, 0, 1, 0)
    assert np.array_equal(brute_corr(x, k, s, twin["padding"]), y)
    # stride 2 keeps every second entry of stride 1
    y1 = brute_corr(x, k, 1, p)
    assert np.array_equal(y1[::s, ::s], y)
    kept = [(r, c) for r in range(0, y1.shape[0], s) for c in range(0, y1.shape[1], s)]
    assert latex.bmatrix(y1, highlight=kept) in text


# ----------------------------------------------------------------------------- dilation


def test_dilation(docs, spec, cards_json):
    ex = example(spec, "dilation", "dilated")
    x, k = arrays(ex)
    d = ex["dilation"]
    assert d > 1
    y = brute_corr(x, k, 1, 0, d)
    kd = np.zeros((k.shape[0] + (k.shape[0] - 1) * (d - 1), k.shape[1] + (k.shape[1] - 1) * (d - 1)), dtype=k.dtype)
    for a in range(k.shape[0]):
        for b in range(k.shape[1]):
            kd[a * d, b * d] = k[a, b]
    assert np.array_equal(signal.correlate2d(x, kd, mode="valid"), y)
    text = page(docs, "dilation")
    assert f"w_{{d={d}}} = {latex.bmatrix(kd)}" in text
    assert f"y = {latex.bmatrix(y)}" in text
    assert json_example(cards_json, "dilation", "dilated")["arrays"]["output"] == y.tolist()
    for axis in (0, 1):
        i, kk = x.shape[axis], k.shape[axis]
        o = (i - kk - (kk - 1) * (d - 1)) // 1 + 1  # Relationship 15, p = 0, s = 1
        assert o == y.shape[axis] == count_positions(i, kk, 0, 1, d)
        assert f"= {kk + (kk - 1) * (d - 1)}\\), so \\(o =" in text
        assert f"\\right\\rfloor + 1 = {o}\\)" in text


# ----------------------------------------------------------------------------- channels


def test_channels_two_in_two_out(docs, spec, cards_json):
    ex = example(spec, "channels", "two_in_two_out")
    x, w = arrays(ex)
    assert x.shape[0] == 2 and w.shape[:2] == (2, 2)
    text = page(docs, "channels")
    assert f"\\(({', '.join(str(n) for n in w.shape)})\\)" in text
    y = np.zeros((2, x.shape[1] - w.shape[2] + 1, x.shape[2] - w.shape[3] + 1), dtype=int)
    for o in range(2):
        partials = [signal.correlate2d(x[c], w[o, c], mode="valid") for c in range(2)]
        y[o] = sum(partials)
        line = " + ".join(latex.bmatrix(pp) for pp in partials) + f" = {latex.bmatrix(y[o])}"
        assert line in text
    assert json_example(cards_json, "channels", "two_in_two_out")["arrays"]["output"] == y.tolist()
    # the top-left entry of output channel 1, worked by hand: one window per input channel
    kh, kw = w.shape[2:]
    parts = []
    for c in range(2):
        patch = x[c, :kh, :kw]
        parts.append(int((patch * w[0, c]).sum()))
        assert f"x_{{{c + 1}}} \\star w_{{1{c + 1}}}:\\quad & {dot_sum_terms(patch, w[0, c])} = {parts[-1]}" in text
    assert sum(parts) == y[0, 0, 0]
    assert f"(y_{{1}})_{{11}} &= {' + '.join(latex.paren(v) for v in parts)} = {y[0, 0, 0]}" in text


def test_channels_pointwise_is_a_matrix_product(docs, spec, cards_json):
    ex = example(spec, "channels", "pointwise")
    x, w = arrays(ex)
    assert w.shape[2:] == (1, 1)
    W = w[:, :, 0, 0]
    X = x.reshape(x.shape[0], -1)
    # oracle: a 1×1 correlation per (output, input) pair, summed
    y = np.array([sum(signal.correlate2d(x[c], w[o, c], mode="valid") for c in range(x.shape[0])) for o in range(w.shape[0])])
    assert np.array_equal((W @ X).reshape(y.shape), y)
    text = page(docs, "channels")
    assert f"W X = {latex.bmatrix(W)} {latex.bmatrix(X)} = {latex.bmatrix(W @ X)}" in text
    assert json_example(cards_json, "channels", "pointwise")["arrays"]["output"] == y.tolist()


def test_channels_depthwise_groups(docs, spec, cards_json):
    ex = example(spec, "channels", "depthwise")
    x, w = arrays(ex)
    g = ex["groups"]
    assert g == x.shape[0] and w.shape[1] == 1
    text = page(docs, "channels")
    y = np.array([signal.correlate2d(x[o], w[o, 0], mode="valid") for o in range(w.shape[0])])
    for o in range(w.shape[0]):
        assert f"x_{{{o + 1}}} \\star {latex.bmatrix(w[o, 0])} = {latex.bmatrix(y[o])}" in text
    assert json_example(cards_json, "channels", "depthwise")["arrays"]["output"] == y.tolist()
    assert "groups=2" in text
    L = spec["channels"]["data"]["layer"]
    ci, co, k = L["c_in"], L["c_out"], L["k"]
    for count in (np.prod((co, ci, k, k)), np.prod((ci, 1, k, k)), np.prod((co, ci, 1, 1)), ci * k * k + co * ci):
        assert f"| {int(count):,} |" in text


# ----------------------------------------------------------------------------- one-d


def test_one_d_banded_toeplitz(docs, spec, cards_json):
    ex = example(spec, "one-d", "signal")
    x, k = arrays(ex)
    y = np.correlate(x, k, mode="valid")
    n_out = len(x) - len(k) + 1
    first_row = np.r_[k, np.zeros(len(x) - len(k), dtype=k.dtype)]
    first_col = np.r_[k[0], np.zeros(n_out - 1, dtype=k.dtype)]
    C = linalg.toeplitz(first_col, first_row)
    assert np.array_equal(C @ x, y)
    text = page(docs, "one-d")
    assert f"= {latex.bmatrix(C)} \\]" in text
    assert f"C x = {latex.bmatrix(C)} {latex.colvec(x)} = {latex.colvec(y)} = y" in text
    got = json_example(cards_json, "one-d", "signal")["arrays"]
    assert got["output"] == y.tolist() and got["unrolled_matrix"] == C.tolist()
    assert "conv1d" in text


def test_one_d_bridge_blocks(docs, spec):
    ex = example(spec, "one-d", "sobel")
    x, k = arrays(ex)
    h, w = x.shape
    kh, kw = k.shape
    oh, ow = h - kh + 1, w - kw + 1
    T = [linalg.toeplitz(np.r_[k[a, 0], np.zeros(ow - 1)], np.r_[k[a], np.zeros(w - kw)]).astype(int) for a in range(kh)]
    Z = np.zeros((ow, w), dtype=int)
    C = np.block([[T[c - r] if 0 <= c - r < kh else Z for c in range(h)] for r in range(oh)])
    assert np.array_equal(C @ x.ravel(), signal.correlate2d(x, k, mode="valid").ravel())
    text = page(docs, "one-d")
    for a in range(kh):
        assert f"T_{{{a + 1}}} = {latex.bmatrix(T[a])}" in text
    layout = [[f"T_{{{c - r + 1}}}" if 0 <= c - r < kh else "0" for c in range(h)] for r in range(oh)]
    assert f"C = {latex.symbolic_matrix(np.array(layout, dtype=object))} = {latex.bmatrix(C)}" in text


# ----------------------------------------------------------------------------- pooling


def brute_pool(x, k, s, reduce):
    oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    return np.array([[reduce(x[r * s : r * s + k, c * s : c * s + k]) for c in range(ow)] for r in range(oh)])


def test_pooling_average_and_max(docs, spec, cards_json):
    avg_spec = example(spec, "pooling", "avg")
    x = np.array(avg_spec["input"])
    k, s = avg_spec["kernel"], avg_spec["stride"]
    avg = brute_pool(x, k, s, lambda w: Fraction(int(w.sum()), w.size))
    mx = brute_pool(x, k, s, np.max)
    for axis in (0, 1):  # Relationship 7
        assert avg.shape[axis] == (x.shape[axis] - k) // s + 1 == count_positions(x.shape[axis], k, 0, s)
    text = page(docs, "pooling")
    avg_f = avg.astype(float)
    assert f"\\text{{average: }} {latex.bmatrix(avg_f, fractions=True)}, \\qquad \\text{{max: }} {latex.bmatrix(mx)}" in text
    assert json_example(cards_json, "pooling", "max")["arrays"]["output"] == mx.tolist()
    assert np.allclose(json_example(cards_json, "pooling", "avg")["arrays"]["output"], avg_f)
    # average pooling as a matrix: one row per window, 1/k² on its cells
    C = np.zeros((avg.size, x.size))
    for r in range(avg.shape[0]):
        for c in range(avg.shape[1]):
            for a in range(k):
                for b in range(k):
                    C[r * avg.shape[1] + c, (r * s + a) * x.shape[1] + c * s + b] = 1 / (k * k)
    assert np.allclose(C @ x.ravel(), avg_f.ravel())
    assert f"C = {latex.bmatrix(C, fractions=True)}" in text
    assert "\\tfrac{1}{4}" in text
    assert "max_pool2d" in text and "avg_pool2d" in text


def test_max_pooling_is_not_linear(docs, spec):
    a, b = (np.array(spec["pooling"]["data"][n]) for n in ("a", "b"))
    assert (a + b).max() != a.max() + b.max()
    text = page(docs, "pooling")
    assert f"\\max(A + B) = {(a + b).max()} \\quad \\neq \\quad \\max(A) + \\max(B) = {a.max()} + {b.max()} = {a.max() + b.max()}" in text
    # and on the card's own input: pooling x + x' differs from pooling x plus pooling x'
    x = np.array(example(spec, "pooling", "max")["input"])
    k, s = spec["pooling"]["examples"]["max"]["kernel"], spec["pooling"]["examples"]["max"]["stride"]
    rng = np.random.default_rng(0)
    found = False
    for _ in range(50):
        x2 = rng.integers(-3, 4, size=x.shape)
        if not np.array_equal(brute_pool(x + x2, k, s, np.max), brute_pool(x, k, s, np.max) + brute_pool(x2, k, s, np.max)):
            found = True
            break
    assert found
    # the average, in contrast, adds
    mean = lambda m: Fraction(int(m.sum()), m.size)  # noqa: E731
    assert mean(a + b) == mean(a) + mean(b)
