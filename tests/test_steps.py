"""Step-through figures and the gallery: every frame's numbers against brute-force loops.

The oracles here are loops written in this file from a case's parameters (input size, kernel,
stride, padding, dilation, output_padding), never generator.core: the window of each output
position, its sum, the output, the row of C / column or row of Cᵀ, and for a transposed case a
scatter-add done by hand. The GIFs are read back with Pillow and their pixels sampled; the
strips' text is read from the SVG.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from generator import gallery, galleryfig, render, spec, steps, study
from generator.examples import build

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GALLERY = DOCS / gallery.DOWNLOADS
MINUS = "−"


def num(s: str) -> float:
    """A number as shown: a decimal, or a fraction such as 5/2 (an average)."""
    from fractions import Fraction

    return float(Fraction(s.replace(MINUS, "-")))


def grid(data: dict, gid: str) -> dict:
    return next(g for g in data["grids"] if g["id"] == gid)


def values(g: dict) -> np.ndarray:
    return np.array([[num(v) for v in row] for row in g["cells"]], dtype=float)


# ----------------------------------------------------------------------------- oracles (loops)


def brute_correlation(xp: np.ndarray, k: np.ndarray, s: int, d: int) -> tuple[np.ndarray, list[list[tuple[int, int]]]]:
    """Slide the kernel over the padded input by hand: outputs, and each position's tap cells."""
    kh, kw = k.shape
    span_h, span_w = d * (kh - 1) + 1, d * (kw - 1) + 1
    rows = [r for r in range(0, xp.shape[0] - span_h + 1, s)]
    cols = [c for c in range(0, xp.shape[1] - span_w + 1, s)]
    out = np.zeros((len(rows), len(cols)))
    taps = []
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            cells, total = [], 0.0
            for a in range(kh):
                for b in range(kw):
                    cells.append((r + a * d, c + b * d))
                    total += xp[r + a * d, c + b * d] * k[a, b]
            out[i, j] = total
            taps.append(cells)
    return out, taps


def brute_transposed(y: np.ndarray, k: np.ndarray, s: int, p: int, d: int, a: int) -> np.ndarray:
    """Scatter-add by hand: y[r, c] stamps y[r, c]·k (taps d apart) at (r s, c s); crop p, extend by a."""
    kh, kw = k.shape
    n = (y.shape[0] - 1) * s + d * (kh - 1) + 1 + a
    m = (y.shape[1] - 1) * s + d * (kw - 1) + 1 + a
    canvas = np.zeros((n, m))
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            for i in range(kh):
                for j in range(kw):
                    canvas[r * s + i * d, c * s + j * d] += y[r, c] * k[i, j]
    return canvas[p : n - p, p : m - p]


def check_sum_step(st: dict, xp: np.ndarray, kern: np.ndarray, taps: list[tuple[int, int]], expect: float, where: str) -> None:
    assert [tuple(c) for c in st["cells"]["input"]] == taps, f"{where}: highlighted input cells"
    assert num(st["value"]) == pytest.approx(expect), f"{where}: value"
    products = [num(x) * num(kv) for x, kv in st["terms"]]
    assert sum(products) == pytest.approx(expect), f"{where}: the products do not add up to the value"
    assert [num(x) for x, _ in st["terms"]] == pytest.approx([xp[i, j] for i, j in taps]), f"{where}: input factors"
    assert [num(kv) for _, kv in st["terms"]] == pytest.approx(list(kern.ravel())), f"{where}: kernel factors"
    # the written-out sum shows the same products and value
    assert st["expr"].endswith(f"= {st['value']}"), f"{where}: expr {st['expr']!r}"
    assert st["expr"].count("·") == len(taps), f"{where}: expr has one product per tap"


# ----------------------------------------------------------------------------- the gallery


@pytest.mark.parametrize("case", gallery.CASES, ids=lambda c: c.id)
def test_gallery_case_frames_match_brute_force(case):
    data = json.loads((GALLERY / f"{case.id}.steps.json").read_text(encoding="utf-8"))
    assert data["title"].startswith(case.title) and case.params_text() in data["title"]
    inp, kern, out = values(grid(data, "input")), values(grid(data, "kernel")), values(grid(data, "output"))
    marks = np.array(grid(data, "input")["marks"])
    e = gallery.example(case)
    if not case.transposed:
        x = np.asarray(e.x, dtype=float)
        assert x.shape == (case.i, case.i)
        xp = np.zeros((case.i + 2 * case.p,) * 2)
        xp[case.p : case.p + case.i, case.p : case.p + case.i] = x
        assert np.array_equal(inp, xp), "the drawn input is the input padded by p"
        assert ((marks == "pad") == (np.pad(np.zeros_like(x), case.p, constant_values=1) == 1)).all(), "pad marks"
        assert np.array_equal(kern, np.asarray(e.k, dtype=float))
        expect, taps = brute_correlation(xp, kern, case.s, case.d)
        assert out.shape == (case.o, case.o) == expect.shape
        assert np.allclose(out, expect)
        C = values({"cells": data["matrix"]["cells"]})
        assert data["matrix"]["line"] == "row" and C.shape == (case.o**2, case.i**2)
        assert np.allclose(C @ x.ravel(), expect.ravel()), "C vec(x) = the output"
    else:
        y = np.asarray(e.x, dtype=float)
        assert y.shape == (case.o, case.o)
        lo = case.d * (case.k - 1) - case.p  # zeros around the inserted input, Dumoulin & Visin's p'
        z = np.zeros(((case.o - 1) * case.s + 1 + 2 * lo + case.a,) * 2)
        for r in range(case.o):
            for c in range(case.o):
                z[lo + r * case.s, lo + c * case.s] = y[r, c]
        assert np.array_equal(inp, z), "the drawn input is y with s−1 zeros inserted and padded by d(k−1)−p (+a)"
        assert ((marks == "") == (z != 0) | ((marks == "") & (z == 0))).all()
        for r in range(case.o):
            for c in range(case.o):
                assert marks[lo + r * case.s, lo + c * case.s] == "", "input values are unmarked"
        if case.s > 1:
            assert marks[lo, lo + 1] == "zero", "an inserted zero is marked"
        k = np.asarray(e.k, dtype=float)
        assert np.array_equal(kern, k[::-1, ::-1]), "the kernel is drawn flipped"
        expect = brute_transposed(y, k, case.s, case.p, case.d, case.a)
        assert expect.shape == (case.i, case.i) == out.shape
        assert np.allclose(out, expect), "the output is the scatter-add done by hand"
        direct, taps = brute_correlation(z, kern, 1, case.d)
        assert np.allclose(direct, expect), "zero insertion + flipped kernel at stride 1 gives the same"
        CT = values({"cells": data["matrix"]["cells"]})
        assert data["matrix"]["line"] == "row" and CT.shape == (case.i**2, case.o**2)
        assert np.allclose(CT @ y.ravel(), expect.ravel()), "Cᵀ vec(y) = the output"
    ow = out.shape[1]
    assert len(data["steps"]) == out.size
    for n, st in enumerate(data["steps"]):
        r, c = divmod(n, ow)
        where = f"{case.id} frame {n + 1}"
        assert st["at"] == [r, c] and st["cells"]["output"] == [[r, c]], where
        check_sum_step(st, inp, kern, taps[n], expect[r, c], where)
        assert st["line"] == n, f"{where}: the highlighted line of the matrix is the output's flat index"
        line = C[n] if not case.transposed else CT[n]
        src = x if not case.transposed else y
        assert line @ src.ravel() == pytest.approx(expect[r, c]), f"{where}: the highlighted row gives the value"


def test_gallery_spec_covers_the_guide():
    ids = {c.id for c in gallery.CASES}
    forward = [c for c in gallery.CASES if not c.transposed]
    assert {(c.p > 0, c.s > 1, c.d > 1) for c in forward} >= {
        (False, False, False),
        (True, False, False),
        (False, True, False),
        (True, True, False),
    }
    assert any(c.p == (c.k - 1) // 2 and c.o == c.i for c in forward), "half (same) padding"
    assert any(c.p == c.k - 1 for c in forward), "full padding"
    assert any(c.d > 1 for c in forward), "dilation"
    assert any(c.s > 1 and (c.i + 2 * c.p - c.k) % c.s for c in forward), "an odd fit"
    assert any(c.s > 1 and (c.i + 2 * c.p - c.k) % c.s == 0 for c in forward), "an even fit"
    assert all(f"{c.id}-transposed" in ids for c in forward), "each case has its transposed counterpart"
    cards = {f"{c.deck}/{c.id}" for d in spec.load_decks([render.DECK_DIR], render.card_templates(render.environment())) for c in d.cards}
    missing = [c.card for c in gallery.CASES if c.card not in cards]
    assert not missing, f"gallery cases link to cards that do not exist: {missing}"


def _cell_box(img, colours: set[tuple[int, int, int]], top: int = 0, left: int = 0, right: int | None = None) -> tuple[int, int, int, int]:
    """The bounding box of the pixels of some colours, below ``top`` and between ``left`` and ``right``."""
    a = np.asarray(img.convert("RGB"))
    mask = np.zeros(a.shape[:2], dtype=bool)
    for col in colours:
        mask |= (a == col).all(axis=2)
    mask[:top] = False
    mask[:, :left] = False
    if right is not None:
        mask[:, right:] = False
    ys, xs = np.nonzero(mask)
    return xs.min(), ys.min(), xs.max(), ys.max()


def hexrgb(h: str) -> tuple[int, int, int]:
    return tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("case", gallery.CASES, ids=lambda c: c.id)
def test_gallery_gif_frames(case):
    """One title frame and one frame per output position; in each, the window's input cells are orange and only
    those, and the output cell being computed is the highlighted one (pixels sampled in every cell)."""
    from PIL import Image, ImageSequence

    from generator.figures import COLORS

    raw = (GALLERY / f"{case.id}.gif").read_bytes()
    assert len(raw) < 300_000, f"{case.id}.gif is {len(raw)} bytes"
    data = json.loads((GALLERY / f"{case.id}.steps.json").read_text(encoding="utf-8"))
    img = Image.open(io.BytesIO(raw))
    assert img.n_frames == len(data["steps"]) + 1
    frames = [f.convert("RGB") for f in ImageSequence.Iterator(img)]
    inp, out = grid(data, "input"), grid(data, "output")
    ih, iw = len(inp["cells"]), len(inp["cells"][0])
    oh, ow = len(out["cells"]), len(out["cells"][0])
    # the geometry from the title frame's colours: the kernel (green, only there) gives the grids' top and
    # the cell size; the input lies left of it (past the ⋆ between them), the output right of it (past the =)
    kh, kw = len(grid(data, "kernel")["cells"]), len(grid(data, "kernel")["cells"][0])
    kx0, top, kx1, ky1 = _cell_box(frames[0], {hexrgb(COLORS["kernel"])})
    cw, ch = (kx1 - kx0 + 1) / kw, (ky1 - top + 1) / kh
    band = np.asarray(frames[0]).copy()
    band[: top - 1] = 255
    band[int(top + max(ih, oh) * ch) + 2 :] = 255
    band = Image.fromarray(band)
    x0, y0, _, _ = _cell_box(band, {hexrgb(COLORS[k]) for k in ("input", "padding")}, right=int(kx0 - 1.2 * cw))
    ox0, oy0, _, _ = _cell_box(band, {hexrgb(COLORS["output"])}, left=int(kx1 + 1.2 * cw))
    ocw, och = cw, ch
    window, current = np.array(hexrgb(COLORS["window"])), np.array(hexrgb(COLORS["current"]))
    for n, (frame, st) in enumerate(zip(frames[1:], data["steps"], strict=True)):
        a = np.asarray(frame)
        on = {tuple(c) for c in st["cells"]["input"]}
        for r in range(ih):
            for c in range(iw):
                px = a[int(y0 + (r + 0.18) * ch), int(x0 + (c + 0.18) * cw)]
                assert (px == window).all() == ((r, c) in on), f"{case.id} frame {n + 1}: input cell ({r}, {c})"
        for r in range(oh):
            for c in range(ow):
                px = a[int(oy0 + (r + 0.18) * och), int(ox0 + (c + 0.18) * ocw)]
                assert (px == current).all() == ([r, c] == st["at"]), f"{case.id} frame {n + 1}: output cell ({r}, {c})"


@pytest.mark.parametrize("case", gallery.CASES, ids=lambda c: c.id)
def test_gallery_strip_lists_every_frame(case):
    data = json.loads((GALLERY / f"{case.id}.steps.json").read_text(encoding="utf-8"))
    root = ET.fromstring((GALLERY / f"{case.id}.svg").read_bytes())
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    labels = [t for t in texts if re.match(r"^\d+: ", t)]
    assert labels == [f"{n + 1}: {s['name']} = {s['value']}" for n, s in enumerate(data["steps"])]
    for word in ("input", "output"):
        assert any(t.startswith(word) for t in texts), f"{word!r} written on the strip"
    assert any(t.startswith("kernel") for t in texts)


@pytest.mark.parametrize("cid", ["no-padding-no-strides", "no-padding-strides-transposed"])
def test_gallery_downloads_are_byte_identical_to_a_fresh_drawing(cid):
    """Drawn again in this process (another run than the one that committed them): the same bytes."""
    case = next(c for c in gallery.CASES if c.id == cid)
    assert galleryfig.gif(case)[0] == (GALLERY / f"{cid}.gif").read_bytes()
    assert galleryfig.strip(case)[0] == (GALLERY / f"{cid}.svg").read_bytes()
    assert galleryfig.gif(case)[0] == galleryfig.gif(case)[0]


def test_gallery_page_and_downloads_list():
    page = (DOCS / gallery.PAGE).read_text(encoding="utf-8")
    snippet = (DOCS / gallery.SNIPPET).read_text(encoding="utf-8")
    for case in gallery.CASES:
        assert f"{{ #{case.id} }}" in page and f"{case.id}.gif" in page and f"{case.id}.svg" in page
        assert f"{case.id}.gif" in snippet and f"{case.id}.svg" in snippet
    assert "MIT licence" in snippet
    assert page.count(".cc-stepped") == len(gallery.CASES)
    assert "gallery/index.md" in (DOCS / ".nav.yml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the cards' stepped figures


def card_examples():
    env = render.environment()
    for deck in spec.load_decks([render.DECK_DIR], render.card_templates(env)):
        for card in deck.cards:
            for name, e in build(card.examples).items():
                stem = f"{card.id}-{name}".replace("_", "-")
                for f in sorted((DOCS / "cards" / deck.id / "figures").glob(f"{stem}-sliding-window*.steps.json")):
                    yield f, e


def test_card_sliding_window_steps_match_brute_force():
    seen = 0
    for f, e in card_examples():
        data = json.loads(f.read_text(encoding="utf-8"))
        x = np.atleast_2d(np.asarray(e.x, dtype=float))
        t, b, l, r = e.padding
        xp = np.zeros((x.shape[0] + t + b, x.shape[1] + l + r))
        xp[t : t + x.shape[0], l : l + x.shape[1]] = x
        inp = values(grid(data, "input"))
        assert np.allclose(inp, xp), f.name
        k = np.atleast_2d(np.asarray(e.k, dtype=float))
        if e.operation == "convolution":
            k = k[::-1, ::-1]
        (sh, sw), (dh, dw) = e.stride, e.dilation
        assert sh == sw and dh == dw, "square strides and dilations in the deck's sliding-window figures"
        if e.operation == "max_pooling" or e.operation == "avg_pooling":
            continue
        assert np.allclose(values(grid(data, "kernel")), k), f.name
        expect, taps = brute_correlation(xp, k, sh, dh)
        assert np.allclose(values(grid(data, "output")), expect), f.name
        C = values({"cells": data["matrix"]["cells"]})
        for n, st in enumerate(data["steps"]):
            rr, cc = divmod(n, expect.shape[1])
            check_sum_step(st, xp, k, taps[n], expect[rr, cc], f"{f.name} step {n + 1}")
            assert st["line"] == n and C[n] @ x.ravel() == pytest.approx(expect[rr, cc])
        seen += 1
    assert seen >= 8, f"only {seen} sliding-window figures with step data"


def test_card_scatter_and_pooling_steps():
    import glob

    files = sorted(glob.glob(str(DOCS / "cards/*/figures/*scatter-stamps*.steps.json")))
    assert len(files) >= 2
    for f in files:
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        y, k, out = values(grid(data, "input")), values(grid(data, "kernel")), values(grid(data, "output"))
        CT = values({"cells": data["matrix"]["cells"]})
        assert data["matrix"]["line"] == "column"
        total = np.zeros(out.shape)
        for n, st in enumerate(data["steps"]):
            r, c = divmod(n, y.shape[1])
            assert st["cells"]["input"] == [[r, c]] and st["line"] == n
            placed = np.zeros(out.shape)  # the kernel where y[r, c] stamps it, cropped to the output
            for (i, j), (a, b) in zip(st["cells"]["output"], st["cells"]["kernel"], strict=True):
                placed[i, j] = k[a, b]
            assert np.allclose(CT[:, n].reshape(out.shape), placed), f"{f}: column {n + 1} of Cᵀ is where y{r + 1}{c + 1} stamps k"
            assert [num(v) for v, _ in st["terms"]] == [y[r, c]] * len(st["terms"]) and num(st["value"]) == y[r, c]
            total += y[r, c] * placed
        assert np.allclose(total, out), f"{f}: the stamps add up to the output"
    f = next(iter(glob.glob(str(DOCS / "cards/*/figures/pooling-*.steps.json"))))
    data = json.loads(Path(f).read_text(encoding="utf-8"))
    x, avg, mx = values(grid(data, "input")), values(grid(data, "average")), values(grid(data, "max"))
    for st in data["steps"]:
        cells = [x[i, j] for i, j in st["cells"]["input"]]
        r, c = st["at"]
        assert len(cells) == 4 and {tuple(v) for v in st["cells"]["input"]} == {(2 * r + a, 2 * c + b) for a in (0, 1) for b in (0, 1)}
        assert avg[r, c] == pytest.approx(sum(cells) / 4) and mx[r, c] == max(cells)


@pytest.mark.parametrize(
    "card_id",
    [
        "cross-correlation",
        "scatter-add",
        "pooling",
        "zero-insertion",
        "conv-vs-corr",
        "dilation-conventions",
        "floor-vs-invalid",
        "channels",
    ],
)
def test_stepping_leaves_figures_and_study_backs_unchanged(card_id, monkeypatch):
    """With and without step data, a card's figures (SVG bytes) and its study items and Anki text are the same;
    the page differs only by the class that marks a stepped figure."""
    monkeypatch.setenv("CONVCARDS_CACHE", "off")
    env = render.environment()
    decks = spec.load_decks([render.DECK_DIR], render.card_templates(env))
    all_cards = {c.id: c for d in decks for c in d.cards}
    deck = next(d for d in decks if any(c.id == card_id for c in d.cards))
    card = all_cards[card_id]
    with_steps = render.render_card(env, deck, card, all_cards)
    monkeypatch.setattr(steps, "for_figure", lambda *a, **k: None)
    without = render.render_card(env, deck, card, all_cards)
    svgs = {n: b for n, b in with_steps.figures.items() if n.endswith(".svg")}
    assert svgs == without.figures, "the figures are the same bytes"
    assert [n for n in with_steps.figures if n.endswith(".steps.json")], "the card has step data"
    assert with_steps.markdown.replace(" .cc-stepped", "") == without.markdown
    items_with = [i.as_json() for i in study.items([with_steps])]
    items_without = [i.as_json() for i in study.items([without])]
    assert items_with == items_without
    assert "cc-stepped" not in json.dumps(items_with) and "steps.json" not in json.dumps(items_with)


def test_steps_text_helpers():
    assert steps.sub(0, 1) == "₁₂" and steps.sub(9, 0) == "₁₀‚₁"
    assert steps.factor(-2) == "(−2)" and steps.factor(3) == "3" and steps.text(0.5) == "0.5"


def test_committed_downloads_are_reused_only_when_key_and_bytes_match(tmp_path, monkeypatch):
    """A fresh clone draws no GIF: the committed downloads whose drawing key (this code, these
    library versions) and SHA-256 match .keys.json are taken as they are; any other is drawn."""
    import shutil

    monkeypatch.setenv("CONVCARDS_CACHE", str(tmp_path / "cache"))
    paths = {p for p, _, _ in gallery.drawings()}
    assert set(gallery.committed(DOCS)) == paths, "every committed download matches the current code"
    docs = tmp_path / "docs"
    shutil.copytree(GALLERY, docs / gallery.DOWNLOADS)
    gif = f"{gallery.DOWNLOADS}/no-padding-no-strides.gif"
    svg = f"{gallery.DOWNLOADS}/dilation.svg"
    (docs / gif).write_bytes((docs / gif).read_bytes() + b"\0")  # edited by hand
    keys = json.loads((docs / gallery.KEYS).read_text())
    keys[svg][0] = "0" * 64  # drawn by other code
    (docs / gallery.KEYS).write_text(json.dumps(keys))
    assert set(gallery.committed(docs)) == paths - {gif, svg}
    monkeypatch.setenv("CONVCARDS_CACHE", "off")
    assert gallery.committed(docs) == {}, "with the cache off everything is drawn"


# ----------------------------------------------------------------------------- the kinds stepped later


def stepped(kind: str):
    """``(step data, example)`` of every card figure of a kind, from the committed docs."""
    env = render.environment()
    out = []
    for deck in spec.load_decks([render.DECK_DIR], render.card_templates(env)):
        for card in deck.cards:
            for name, e in build(card.examples).items():
                stem = f"{card.id}-{name}-{kind}".replace("_", "-")
                for f in sorted((DOCS / "cards" / deck.id / "figures").glob(f"{stem}.steps.json")):
                    out.append((json.loads(f.read_text(encoding="utf-8")), e, f.name))
    return out


def padded(x: np.ndarray, t: int, b: int, l: int, r: int) -> np.ndarray:
    xp = np.zeros((x.shape[0] + t + b, x.shape[1] + l + r))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            xp[t + i, l + j] = x[i, j]
    return xp


def test_corr_conv_steps_match_brute_force():
    found = stepped("corr_conv_windows")
    assert found, "conv-vs-corr has step data"
    for data, e, name in found:
        x = np.atleast_2d(np.asarray(e.x, dtype=float))
        k = np.atleast_2d(np.asarray(e.k, dtype=float))
        rot = np.array([[k[k.shape[0] - 1 - a, k.shape[1] - 1 - b] for b in range(k.shape[1])] for a in range(k.shape[0])])
        xp = padded(x, *e.padding)
        assert np.array_equal(values(grid(data, "input")), xp) and np.array_equal(values(grid(data, "kernel")), k)
        assert np.array_equal(values(grid(data, "rot")), rot), f"{name}: rot180(k) by hand"
        corr, taps = brute_correlation(xp, k, e.stride[0], e.dilation[0])
        conv, _ = brute_correlation(xp, rot, e.stride[0], e.dilation[0])
        assert np.allclose(values(grid(data, "corr")), corr) and np.allclose(values(grid(data, "conv")), conv)
        C = values({"cells": data["matrix"]["cells"]})
        for n, st in enumerate(data["steps"]):
            r, c = divmod(n, corr.shape[1])
            where = f"{name} step {n + 1}"
            check_sum_step({**st, "value": st["value"][0], "expr": st["expr"].split("; ")[0]}, xp, k, taps[n], corr[r, c], where)
            conv_st = {**st, "value": st["value"][1], "terms": st["terms_conv"], "expr": st["expr"].split("; ")[1]}
            check_sum_step(conv_st, xp, rot, taps[n], conv[r, c], where + " (convolution)")
            assert st["cells"]["corr"] == st["cells"]["conv"] == [[r, c]]
            assert st["line"] == n and C[n] @ x.ravel() == pytest.approx(conv[r, c]), f"{where}: row {n + 1} of C gives x * k"


def test_dilation_conventions_steps_match_brute_force():
    found = stepped("dilation_conventions")
    assert found
    for data, e, name in found:
        x, k = np.atleast_2d(np.asarray(e.x, dtype=float)), np.atleast_2d(np.asarray(e.k, dtype=float))
        d = e.dilation[0]
        holed = np.zeros((d * (k.shape[0] - 1) + 1, d * (k.shape[1] - 1) + 1))
        for a in range(k.shape[0]):
            for b in range(k.shape[1]):
                holed[a * d, b * d] = k[a, b]
        assert np.array_equal(values(grid(data, "holes")), holed), f"{name}: the kernel with d − 1 zeros between taps"
        xp = padded(x, *e.padding)
        expect, taps = brute_correlation(xp, k, e.stride[0], d)
        contiguous, spans = brute_correlation(xp, holed, e.stride[0], 1)
        assert np.allclose(expect, contiguous), "the two conventions give one output (by hand)"
        C = values({"cells": data["matrix"]["cells"]})
        for n, st in enumerate(data["steps"]):
            r, c = divmod(n, expect.shape[1])
            check_sum_step(st, xp, k, taps[n], expect[r, c], f"{name} step {n + 1}")
            # the holed kernel's whole span lies on the window: its cells, offset by the window's corner
            corner = np.array(st["cells"]["input"][0])
            assert [tuple(corner + rc) for rc in st["cells"]["holes"]] == spans[n]
            assert C[n] @ x.ravel() == pytest.approx(expect[r, c])


@pytest.mark.parametrize("kind", ["window_coverage", "coverage"])
def test_coverage_steps_match_brute_force(kind):
    found = stepped(kind)
    assert len(found) >= 2, kind
    for data, e, name in found:
        x, k = np.atleast_2d(np.asarray(e.x, dtype=float)), np.atleast_2d(np.asarray(e.kernel_used, dtype=float))
        t, b, l, r_ = e.padding
        xp = padded(x, t, b, l, r_)
        expect, taps = brute_correlation(xp, k, e.stride[0], e.dilation[0])
        counts = np.zeros(xp.shape)
        for cells in taps:
            for i, j in cells:
                counts[i, j] += 1
        assert np.array_equal(values(grid(data, "coverage")), counts), f"{name}: windows covering each cell"
        marks = np.array(grid(data, "input")["marks"])
        is_pad = np.ones(xp.shape, dtype=bool)
        is_pad[t : t + x.shape[0], l : l + x.shape[1]] = False
        assert ((marks == "unread") == ((counts == 0) & ~is_pad)).all(), f"{name}: the unread input cells are marked"
        never = int(((counts == 0) & ~is_pad).sum())
        assert (f"{never} input cell" in data["title"]) if never else ("every input cell read" in data["title"])
        C = values({"cells": data["matrix"]["cells"]})
        for n, st in enumerate(data["steps"]):
            r, c = divmod(n, expect.shape[1])
            check_sum_step(st, xp, k, taps[n], expect[r, c], f"{name} step {n + 1}")
            assert st["cells"]["coverage"] == st["cells"]["input"]
            assert st["line"] == n and C[n] @ x.ravel() == pytest.approx(expect[r, c])


@pytest.mark.parametrize("kind", ["channel_kernels", "channel_blocks"])
def test_channel_steps_match_brute_force(kind):
    """Per output channel and position: the window on each input channel of its group, every product, the
    channels' sums and their total by hand; the highlighted row of C, times the flattened input, is the entry."""
    found = stepped(kind)
    assert found, kind
    for data, e, name in found:
        x, w = np.asarray(e.x, dtype=float), np.asarray(e.k, dtype=float)
        c_in, c_out, g = x.shape[0], w.shape[0], e.params.groups
        per_in, per_out = c_in // g, c_out // g
        s, d = e.stride[0], e.dilation[0]
        xps = [padded(x[c], *e.padding) for c in range(c_in)]
        for c in range(c_in):
            assert np.array_equal(values(grid(data, f"x{c + 1}")), xps[c])
        C = values({"cells": data["matrix"]["cells"]})
        n = 0
        for o in range(c_out):
            grp = o // per_out
            partials, taps = [], None
            for j in range(per_in):
                assert np.array_equal(values(grid(data, f"w{o + 1}-{j + 1}")), w[o, j])
                part, taps = brute_correlation(xps[grp * per_in + j], w[o, j], s, d)
                partials.append(part)
            total = sum(partials)
            assert np.allclose(values(grid(data, f"y{o + 1}")), total), f"{name}: output channel {o + 1}"
            for r in range(total.shape[0]):
                for c in range(total.shape[1]):
                    st = data["steps"][n]
                    where = f"{name} step {n + 1}"
                    assert st["at"] == [o, r, c] and st["cells"][f"y{o + 1}"] == [[r, c]], where
                    for j in range(per_in):
                        ch = grp * per_in + j
                        assert [tuple(v) for v in st["cells"][f"x{ch + 1}"]] == taps[r * total.shape[1] + c], where
                    others = [f"x{ch + 1}" for ch in range(c_in) if ch // per_in != grp]
                    assert not any(k in st["cells"] for k in others), f"{where}: channels of other groups are not lit"
                    products = [num(a) * num(b) for a, b in st["terms"]]
                    assert sum(products) == pytest.approx(total[r, c]) and num(st["value"]) == pytest.approx(total[r, c]), where
                    if per_in > 1:
                        assert [num(p) for p in st["partials"]] == pytest.approx([p[r, c] for p in partials]), where
                    assert st["expr"].endswith(f"= {st['value']}") and st["expr"].count("·") == len(st["terms"])
                    assert st["line"] == n and C[n] @ x.ravel() == pytest.approx(total[r, c]), f"{where}: row {n + 1} of C"
                    n += 1
        assert n == len(data["steps"])


def test_pooling_averages_are_the_cards_fractions():
    """The average pool's entries and sums are written as exact fractions (as the card writes them), equal to
    fractions.Fraction of the brute-force mean; the highlighted row of the average pool's C gives the entry."""
    import glob
    from fractions import Fraction

    files = glob.glob(str(DOCS / "cards/*/figures/pooling-*.steps.json"))
    assert files
    for f in files:
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        x = grid(data, "input")["cells"]
        xf = np.array([[Fraction(v.replace(MINUS, "-")) for v in row] for row in x], dtype=object)
        C = [[Fraction(v.replace(MINUS, "-")) for v in row] for row in data["matrix"]["cells"]]
        avg = grid(data, "average")["cells"]
        seen_fraction = False
        for n, st in enumerate(data["steps"]):
            window = [xf[i][j] for i, j in st["cells"]["input"]]
            mean = Fraction(0)
            for v in window:
                mean += v
            mean /= len(window)
            want = str(mean).replace("-", MINUS)
            r, c = st["at"]
            assert st["value"][0] == want and avg[r][c] == want, f"{f} step {n + 1}: {st['value'][0]} is not {want}"
            assert f"/ {len(window)} = {want};" in st["expr"], st["expr"]
            assert sum((a * b for a, b in zip(C[st["line"]], xf.ravel(), strict=True)), Fraction(0)) == mean
            seen_fraction |= "/" in want
        assert seen_fraction, "the deck's pooling example has a mean that is not whole: the test can tell"
        assert data["values"] == ["average", "max"]
