"""Deck 5 (conventions and pitfalls): every number on its pages against an independent oracle.

Oracles here are brute-force loops written for this file (window counting, explicit index
arithmetic), SciPy, and a few values checked by hand; never the deck-5 code under test.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import ROOT, drawn_on_white
from oracles import n_windows
from scipy import signal

from generator import latex, render, spec
from generator.content import deck5

DECK_FILE = ROOT / "generator/decks/5-conventions.yaml"
CARD_IDS = ["padding-conventions", "dilation-conventions", "floor-vs-invalid", "flattening-order"]


# ----------------------------------------------------------------------------- oracles



def brute_corr(x: np.ndarray, k: np.ndarray, s: int = 1, pad: tuple[int, int, int, int] = (0, 0, 0, 0), d: int = 1) -> np.ndarray:
    t, b, l, r = pad
    h, w = x.shape
    xp = np.zeros((h + t + b, w + l + r), dtype=np.int64)
    xp[t : t + h, l : l + w] = x
    kh, kw = k.shape
    oh, ow = n_windows(xp.shape[0], kh, s, d), n_windows(xp.shape[1], kw, s, d)
    y = np.zeros((oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for c in range(kw):
                    y[i, j] += k[a, c] * xp[i * s + a * d, j * s + c * d]
    return y


def never_read(i: int, k: int, s: int, p: int) -> list[int]:
    """1-based input rows no window reads, by marking every read row."""
    read = set()
    for w in range(n_windows(i + 2 * p, k, s)):
        for a in range(k):
            read.add(w * s + a - p)
    return [r + 1 for r in range(i) if r not in read]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def rendered() -> dict[str, render.RenderedCard]:
    """Deck 5 rendered in memory; links may point at cards of any deck file that loads."""
    env = render.environment()
    templates = render.card_templates(env)
    deck, problems = spec.load_deck(DECK_FILE, templates)
    assert not problems, "\n".join(str(p) for p in problems)
    all_cards = {}
    for f in spec.deck_files(render.DECK_DIR):
        d, probs = spec.load_deck(f, templates)
        if d is not None and not probs:
            all_cards.update({c.id: c for c in d.cards})
    all_cards.update({c.id: c for c in deck.cards})
    missing = {b for c in deck.cards for b in c.builds_on if b not in all_cards}
    if missing:
        pytest.skip(f"cards of other decks not loadable yet: {sorted(missing)}")
    return {c.id: render.render_card(env, deck, c, all_cards) for c in deck.cards}


def md(rendered, cid: str) -> str:
    return rendered[cid].markdown


# ----------------------------------------------------------------------------- every card


def test_deck_is_the_fifth_with_the_four_cards():
    deck, problems = spec.load_deck(DECK_FILE)
    assert not problems
    assert (deck.id, deck.order, deck.title) == ("conventions", 5, "Deck 5: conventions and pitfalls")
    assert [c.id for c in deck.cards] == CARD_IDS


@pytest.mark.parametrize("cid", CARD_IDS)
def test_card_page_has_every_part(rendered, cid):
    rc = rendered[cid]
    page = rc.markdown
    q, a = page.index('!!! question "Question"'), page.index('??? success "Answer')
    assert q < a, "the question comes first, the answer behind the reveal"
    assert page.index("## In PyTorch") > a and "F.conv2d(" in page
    assert len([x for x in rc.questions if x.variant == 0]) >= 2
    assert page.count("??? tip") >= 2
    assert rc.card.builds_on and "## Builds on" in page
    assert rc.figures, "at least one figure"
    for name, svg in rc.figures.items():
        if not name.endswith(".svg"):
            continue  # a stepped figure's step data (figures/*.steps.json) sits beside it
        text = svg.decode()
        assert drawn_on_white(text), f"{name}: white background"
        for label in ("input", "kernel", "output"):
            assert label in text, f"{name}: no '{label}' label"
    for alt in re.findall(r"!\[([^\]]*)\]\(figures/", page):
        assert len(alt) > 60 and "input" in alt


@pytest.mark.parametrize("cid", CARD_IDS)
def test_examples_match_brute_force(rendered, cid):
    for e in rendered[cid].examples.values():
        if e.multi:  # several channels: checked against loops in test_flattening_order_page
            continue
        if e.name != next(iter(rendered[cid].examples)):  # a practice-only example: its output is in cards.json, not on the page
            assert np.array_equal(e.output, brute_corr(e.x, e.k, e.stride[0], e.padding, e.dilation[0]))
            continue
        pad = e.padding
        assert np.array_equal(e.output, brute_corr(e.x, e.k, e.stride[0], pad, e.dilation[0]))
        assert f"{latex.bmatrix(e.output)}" in md(rendered, cid)


# ----------------------------------------------------------------------------- padding-conventions


def test_same_split_keeps_the_size_and_leans_after():
    for k in range(1, 9):
        for d in (1, 2, 3):
            before, after = deck5.same_split(k, d)
            for i in range(d * (k - 1) + 1, 12):
                assert n_windows(i + before + after, k, 1, d) == i
            assert 0 <= after - before <= 1
    assert deck5.same_split(4) == (1, 2)  # hand-checked: 3 zeros, 1 before and 2 after


def test_tf_same_is_the_least_padding_giving_ceil_i_over_s():
    for s in (1, 2, 3):
        for k in (1, 2, 3, 4, 5):
            for i in range(1, 15):
                target = -(-i // s)
                total = next(P for P in range(0, 20) if i + P >= k and n_windows(i + P, k, s) == target)
                before, after = deck5.tf_same_split(i, k, s)
                assert before + after == total and 0 <= after - before <= 1
    assert deck5.tf_same_split(6, 3, 2) == (0, 1)  # hand-checked: (3 - 1)*2 + 3 - 6 = 1


def test_padding_page_numbers(rendered):
    page = md(rendered, "padding-conventions")
    ex = rendered["padding-conventions"].examples
    even = ex["even_same"]
    assert even.padding == (*deck5.same_split(even.k.shape[0]), *deck5.same_split(even.k.shape[1]))
    y = signal.correlate2d(np.pad(even.x, ((0, 1), (0, 1))), even.k, mode="valid")
    assert y.shape == even.x.shape and f"y = {latex.bmatrix(y)}" in page
    for k in (2, 4, 6):
        b, a = deck5.same_split(k)
        assert f"| {k} | {k - 1} | {b} | {a} | {n_windows(4 + k - 1, k, 1)} |" in page
    tf = ex["tf_same"]
    i, k, s = tf.x.shape[0], tf.k.shape[0], 2
    P = (math.ceil(i / s) - 1) * s + k - i
    assert f"= \\max({P}, 0) = {P}" in page
    y = signal.correlate2d(np.pad(tf.x, ((0, 1), (0, 1))), tf.k, mode="valid")[::s, ::s]
    assert y.shape == (3, 3) and latex.bmatrix(y) in page
    per = ex["per_side"]
    i, k = per.x.shape[0], per.k.shape[0]
    o = n_windows(i + 2, k, 1)
    assert page.count(f"\\right\\rfloor + 1 = {o}") >= 2
    assert f"= {n_windows(i + 1, k, 1)}\\) instead of {o}" in page
    assert "padding='same' is not supported for strided convolutions" in page


# ----------------------------------------------------------------------------- dilation-conventions


def test_dilation_conventions_page(rendered):
    page = md(rendered, "dilation-conventions")
    ex = rendered["dilation-conventions"].examples
    e = ex["dilated"]
    d = e.dilation[0]
    g = d - 1
    holed = np.zeros(((e.k.shape[0] - 1) * (g + 1) + 1,) * 2, dtype=np.int64)
    for a in range(e.k.shape[0]):
        for b in range(e.k.shape[1]):
            holed[a * (g + 1), b * (g + 1)] = e.k[a, b]
    assert np.array_equal(deck5.gap_dilated_kernel(e.k, g), holed)
    assert f"w_{{d = {d}}} = {latex.bmatrix(holed)}" in page and f"w_{{z = {g}}} = {latex.bmatrix(holed)}" in page
    y = signal.correlate2d(e.x, holed, mode="valid")
    assert np.array_equal(y, brute_corr(e.x, e.k, d=d))
    assert f"x \\star w_{{z = {g}}} = {latex.bmatrix(y)}" in page
    assert holed.shape[0] == 5  # hand-checked: 3 taps, one hole between each
    yc = signal.correlate2d(e.x, e.k, mode="valid")
    assert not np.array_equal(yc.shape, y.shape) and latex.bmatrix(yc) in page
    for dd in (1, 2, 3, 4):
        assert f"| {dd} | {dd - 1} | {3 + 2 * (dd - 1)} |" in page


# ----------------------------------------------------------------------------- floor-vs-invalid


def test_floor_page_dropped_rows(rendered):
    page = md(rendered, "floor-vs-invalid")
    ex = rendered["floor-vs-invalid"].examples
    assert never_read(6, 3, 2, 0) == [6]  # hand-checked: windows read rows 1-3 and 3-5
    e = ex["dropped"]
    rows = never_read(e.x.shape[0], 3, 2, 0)
    assert f"Input row(s) {', '.join(map(str, rows))} and column(s) {', '.join(map(str, rows))}" in page
    # changing the never-read row changes nothing
    x2 = e.x.copy()
    x2[-1, :] += 100
    x2[:, -1] -= 7
    assert np.array_equal(brute_corr(x2, e.k, 2), e.output)
    counts = np.zeros(e.x.shape, dtype=np.int64)
    for r in range(2):
        for c in range(2):
            counts[2 * r : 2 * r + 3, 2 * c : 2 * c + 3] += 1
    assert latex.bmatrix(counts) in page
    q = ex["padding_dropped"]
    assert never_read(q.x.shape[0], 3, 2, 1) == []
    assert "every input cell is read" in page


def test_floor_page_table():
    card = next(c for c in spec.load_deck(DECK_FILE)[0].cards if c.id == "floor-vs-invalid")
    extra = deck5.floor_vs_invalid(card, {})
    for case, row in zip(card.data["cases"], extra["rows"], strict=True):
        i, k, s, p = case["i"], case["k"], case["s"], case["p"]
        assert row["o"] == n_windows(i + 2 * p, k, s)
        assert row["unused_input"] == never_read(i, k, s, p)
        # ceil mode: one more window when the floor dropped a remainder, unless it would start in the right padding
        more = (i + 2 * p - k) % s != 0 and n_windows(i + 2 * p, k, s) * s < i + p
        assert row["o_ceil"] == n_windows(i + 2 * p, k, s) + more
    assert deck5.ceil_mode_size(6, 3, 2, 0) == 3  # hand-checked: windows at 0, 2, 4 (the last one partial)


# ----------------------------------------------------------------------------- flattening-order


def test_flattening_order_page(rendered):
    """NCHW vs NHWC (issue 12: no longer a repeat of the flatten card): C built by loops in each layout."""
    page = md(rendered, "flattening-order")
    e = rendered["flattening-order"].examples["orders"]
    x, w = e.x, e.k  # (ci, h, wd), (co, ci, kh, kw)
    ci, h, wd = x.shape
    co, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    nchw = lambda c, r, q: c * h * wd + r * wd + q  # noqa: E731
    nhwc = lambda c, r, q: (r * wd + q) * ci + c  # noqa: E731
    onchw = lambda o, r, q: o * oh * ow + r * ow + q  # noqa: E731
    onhwc = lambda o, r, q: (r * ow + q) * co + o  # noqa: E731
    C1 = np.zeros((co * oh * ow, x.size), dtype=np.int64)
    C2 = np.zeros_like(C1)
    for o in range(co):
        for r in range(oh):
            for q in range(ow):
                for c in range(ci):
                    for a in range(kh):
                        for b in range(kw):
                            C1[onchw(o, r, q), nchw(c, r + a, q + b)] = w[o, c, a, b]
                            C2[onhwc(o, r, q), nhwc(c, r + a, q + b)] = w[o, c, a, b]
    y = np.stack([sum(signal.correlate2d(x[c], w[o, c], mode="valid") for c in range(ci)) for o in range(co)])
    x_nhwc = np.moveaxis(x, 0, -1).ravel()
    assert np.array_equal(C1 @ x.ravel(), y.ravel())
    assert np.array_equal(C2 @ x_nhwc, np.moveaxis(y, 0, -1).ravel())
    assert f"C_{{\\text{{NCHW}}}} = {latex.bmatrix(C1)}" in page
    assert f"C_{{\\text{{NHWC}}}} = {latex.bmatrix(C2)}" in page
    assert f"\\hat{{x}}_{{\\text{{NHWC}}}} = {latex.bmatrix(x_nhwc)}^\\top" in page
    assert f"They differ in {int((C1 != C2).sum())} of their {C1.size} entries" in page
    wrong = C1 @ x_nhwc
    assert not np.array_equal(wrong, y.ravel()) and latex.bmatrix(wrong) in page
    assert "Row-major or column-major" not in page  # the flatten card teaches that


def test_flattening_order_layouts_in_pytorch(rendered):
    torch = pytest.importorskip("torch")
    e = rendered["flattening-order"].examples["orders"]
    x = torch.tensor(e.x, dtype=torch.float64)[None]
    assert torch.equal(x.to(memory_format=torch.channels_last).flatten(), x.flatten())
    assert x.permute(0, 2, 3, 1).flatten().tolist() == np.moveaxis(e.x, 0, -1).ravel().tolist()


# ----------------------------------------------------------------------------- what the pages say about PyTorch


def test_pytorch_behaves_as_the_pages_say(rendered):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    e = rendered["padding-conventions"].examples["even_same"]
    x = torch.tensor(e.x, dtype=torch.float64)[None, None]
    k = torch.tensor(e.k, dtype=torch.float64)[None, None]
    with pytest.warns(UserWarning):
        same = F.conv2d(x, k, padding="same")
    assert torch.equal(same, F.conv2d(F.pad(x, (0, 1, 0, 1)), k))
    msg = "padding='same' is not supported for strided convolutions"
    with pytest.raises(RuntimeError, match=msg):
        F.conv2d(x, k, padding="same", stride=2)
    with pytest.raises(ValueError, match=msg):
        torch.nn.Conv2d(1, 1, 2, padding="same", stride=2)
    with pytest.raises(RuntimeError):
        F.conv2d(x, k, dilation=0)
    card = next(c for c in spec.load_deck(DECK_FILE)[0].cards if c.id == "floor-vs-invalid")
    for row in deck5.floor_vs_invalid(card, {})["rows"]:
        z = torch.zeros(1, 1, row["i"], row["i"])
        assert F.max_pool2d(z, row["k"], row["s"], row["p"]).shape[-1] == row["o"]
        assert F.max_pool2d(z, row["k"], row["s"], row["p"], ceil_mode=True).shape[-1] == row["o_ceil"]
    d = rendered["floor-vs-invalid"].examples["dropped"]
    y = F.conv2d(torch.tensor(d.x, dtype=torch.float64)[None, None], torch.tensor(d.k, dtype=torch.float64)[None, None], stride=2)
    assert y[0, 0].numpy().tolist() == d.output.tolist()


# ----------------------------------------------------------------------------- same padding: the parity of d(k - 1)


def test_same_padding_parity_table(rendered):
    """Issue 12: d(k - 1) is odd only for even k and odd d; the table's splits keep o = i (brute force)."""
    page = md(rendered, "padding-conventions")
    assert "for an even \\(k\\) that number is odd" not in page
    assert "\\(k = 2\\), \\(d = 2\\), splits evenly" in page
    x = np.arange(1, 50).reshape(7, 7) % 5
    for d in (1, 2, 3):
        cells = []
        for k in (2, 3, 4, 5):
            total = d * (k - 1)
            assert (total % 2 == 1) == (k % 2 == 0 and d % 2 == 1)
            before, after = total // 2, total - total // 2
            y = brute_corr(x, np.ones((k, k), dtype=int), 1, (before, after, before, after), d)
            assert y.shape == x.shape
            cell = f"{total}: ({before}, {after})"
            cells.append(f"**{cell}**" if total % 2 else cell)
        assert f"| \\(d = {d}\\) | " + " | ".join(cells) + " | " in page


def test_same_padding_split_matches_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.arange(49, dtype=torch.float64).reshape(1, 1, 7, 7)
    for d in (1, 2, 3):
        for k in (2, 3, 4, 5):
            w = torch.arange(1, k * k + 1, dtype=torch.float64).reshape(1, 1, k, k)
            total = d * (k - 1)
            before, after = total // 2, total - total // 2
            explicit = F.conv2d(F.pad(x, (before, after, before, after)), w, dilation=d)
            assert torch.equal(F.conv2d(x, w, padding="same", dilation=d), explicit), (d, k)
