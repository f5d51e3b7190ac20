"""The content-hash cache (generator/cache.py) and the SVG minifier (generator/svgmin.py).

The oracle for the cache is a run without it: whatever the cache holds, or fails to
hold, the generated files must be byte for byte those of ``CONVCARDS_CACHE=off``.
A two-card deck keeps these runs fast; each card draws one figure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from generator import cache, svgmin

DECK = """\
deck: tiny
title: "A tiny deck"
order: 1
intro: Two cards for the cache tests.
cards:
  - id: alpha
    title: Alpha
    question: What does the window compute?
    views: [sliding_window, figure]
    builds_on: []
    examples:
      small:
        operation: cross_correlation
        input: [[1, 2, 0], [0, 1, 3], [2, 0, 1]]
        kernel: [[1, 0], [0, -1]]
    practice:
      seed: 1
  - id: beta
    title: Beta
    question: And with another kernel?
    views: [figure]
    builds_on: [alpha]
    examples:
      small:
        operation: cross_correlation
        input: [[4, 0, 1], [1, 1, 0], [0, 2, 2]]
        kernel: [[0, 1], [1, 0]]
    practice:
      seed: 2
"""
ALPHA_FIG = "cards/tiny/figures/alpha-small-sliding-window.svg"
BETA_FIG = "cards/tiny/figures/beta-small-sliding-window.svg"


def generate(decks: Path, docs: Path, cache_dir: Path | str, *extra: str, jobs: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONVCARDS_CACHE": str(cache_dir)}
    if jobs is not None:
        env["CONVCARDS_JOBS"] = str(jobs)
    proc = subprocess.run([sys.executable, *extra, "-m", "generator", "--decks", str(decks), "--docs", str(docs), "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def imports_matplotlib(proc: subprocess.CompletedProcess) -> bool:
    return bool(re.search(r"\|\s*matplotlib\s*$", proc.stderr, re.M))


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    d = tmp_path / "decks"
    d.mkdir()
    (d / "1-tiny.yaml").write_text(DECK, encoding="utf-8")
    return d


@pytest.fixture
def cold(deck: Path, tmp_path: Path) -> dict[str, bytes]:
    """The oracle: every generated file, with the cache off and every figure drawn in this process."""
    generate(deck, tmp_path / "cold-docs", "off", jobs=1)
    t = tree(tmp_path / "cold-docs")
    assert ALPHA_FIG in t and BETA_FIG in t
    return t


def test_cached_run_gives_the_bytes_of_a_cold_run(deck, cold, tmp_path):
    store = tmp_path / "cache"
    generate(deck, tmp_path / "a", store, jobs=2)  # fills the cache, figures drawn by worker processes
    assert len(list((store / "figures").glob("*.bin"))) == 2 and len(list((store / "sites").glob("*.bin"))) == 1
    hit = generate(deck, tmp_path / "b", store, "-X", "importtime")  # whole site from the cache
    assert tree(tmp_path / "a") == cold
    assert tree(tmp_path / "b") == cold
    assert not imports_matplotlib(hit), "a run that draws nothing must not import matplotlib"
    # figures from the cache, pages rendered again (the site entry is gone)
    for entry in [*(store / "sites").glob("*.bin"), *(store / "cards").glob("*.bin")]:
        entry.unlink()
    figs_only = generate(deck, tmp_path / "c", store, "-X", "importtime")
    assert tree(tmp_path / "c") == cold
    assert not imports_matplotlib(figs_only)


def test_changing_a_number_redraws_only_that_cards_figure(deck, tmp_path):
    store = tmp_path / "cache"
    docs = tmp_path / "docs"
    generate(deck, docs, store)
    before = tree(docs)
    entries = set((store / "figures").glob("*.bin"))
    yaml_file = deck / "1-tiny.yaml"
    yaml_file.write_text(DECK.replace("input: [[1, 2, 0]", "input: [[7, 2, 0]"), encoding="utf-8")
    generate(deck, docs, store)
    after = tree(docs)
    new_entries = set((store / "figures").glob("*.bin")) - entries
    assert len(new_entries) == 1, "exactly one figure drawn again: alpha's"
    assert after[ALPHA_FIG] != before[ALPHA_FIG]
    assert after[BETA_FIG] == before[BETA_FIG]
    assert after["cards/tiny/beta.md"] == before["cards/tiny/beta.md"]
    assert after["cards/tiny/alpha.md"] != before["cards/tiny/alpha.md"]
    # and the result is what a cold run of the changed deck gives
    generate(deck, tmp_path / "cold", "off")
    assert tree(tmp_path / "cold") == after


OTHER_DECK = """\
deck: other
title: "Another deck"
order: 2
intro: One card in a deck of its own.
cards:
  - id: gamma
    title: Gamma
    question: Does a change elsewhere touch this card?
    views: [figure]
    builds_on: [alpha]
    examples:
      small:
        operation: cross_correlation
        input: [[1, 1], [2, 3]]
        kernel: [[1]]
    practice:
      seed: 3
"""


def test_a_change_renders_again_only_the_changed_card(deck, tmp_path):
    (deck / "2-other.yaml").write_text(OTHER_DECK, encoding="utf-8")
    store, docs = tmp_path / "cache", tmp_path / "docs"
    generate(deck, docs, store)
    cards = set((store / "cards").glob("*.bin"))
    assert len(cards) == 3
    (deck / "1-tiny.yaml").write_text(DECK.replace("kernel: [[0, 1], [1, 0]]", "kernel: [[0, 2], [1, 0]]"), encoding="utf-8")
    before = tree(docs)
    generate(deck, docs, store)
    new = set((store / "cards").glob("*.bin")) - cards
    assert len(new) == 1, "beta only: not alpha (same deck) nor gamma (another deck)"
    after = tree(docs)
    (entry,) = new
    assert cache.unpack(entry.stem, entry.read_bytes())[1] == after["cards/tiny/beta.md"], "the new entry is beta's page"
    assert after["cards/tiny/beta.md"] != before["cards/tiny/beta.md"]
    assert after["cards/tiny/alpha.md"] == before["cards/tiny/alpha.md"]
    # the deck index, nav and data are rebuilt, and everything is what a cold run gives
    generate(deck, tmp_path / "cold", "off")
    assert tree(tmp_path / "cold") == after


def test_corrupted_entries_are_ignored_not_trusted(deck, cold, tmp_path):
    store = tmp_path / "cache"
    generate(deck, tmp_path / "a", store)
    entries = sorted(store.rglob("*.bin"))
    assert len(entries) == 5  # two figures, two cards, one site
    for i, entry in enumerate(entries):
        data = bytearray(entry.read_bytes())
        if i == 0:
            data = data[: len(data) // 2]  # truncated
        else:
            data[-10] ^= 0x55  # one byte of the payload changed; the header still claims the old digest
        entry.write_bytes(bytes(data))
    generate(deck, tmp_path / "b", store)
    assert tree(tmp_path / "b") == cold
    # the bad entries were replaced by good ones
    for entry in sorted(store.rglob("*.bin")):
        assert cache.unpack(entry.stem, entry.read_bytes()) is not None


def test_an_entry_filed_under_another_key_is_not_used(deck, cold, tmp_path):
    store = tmp_path / "cache"
    generate(deck, tmp_path / "a", store)
    figs = sorted((store / "figures").glob("*.bin"))
    a, b = figs[0].read_bytes(), figs[1].read_bytes()
    figs[0].write_bytes(b)  # swapped: each valid, but for the other key
    figs[1].write_bytes(a)
    for entry in [*(store / "sites").glob("*.bin"), *(store / "cards").glob("*.bin")]:
        entry.unlink()
    generate(deck, tmp_path / "b", store)
    assert tree(tmp_path / "b") == cold


# ----------------------------------------------------------------------------- entries and keys


def test_pack_unpack_round_trip_and_rejections():
    key = "k" * 64
    entry = cache.pack(key, {"alt": "an alt text"}, b"<svg>payload</svg>")
    assert cache.unpack(key, entry) == ({"alt": "an alt text"}, b"<svg>payload</svg>")
    assert cache.unpack("x" * 64, entry) is None  # another key
    assert cache.unpack(key, entry[:-1]) is None  # truncated
    assert cache.unpack(key, entry[:-2] + b"X>") is None  # payload changed
    assert cache.unpack(key, b"not an entry") is None
    assert cache.unpack(key, entry.replace(cache.FORMAT, b"convcards-cache 0", 1)) is None


def test_fingerprint_tells_apart_what_a_figure_could_show():
    f = cache.fingerprint
    a = np.arange(6).reshape(2, 3)
    assert f(a) == f(np.arange(6).reshape(2, 3))
    assert f(a) != f(a.reshape(3, 2))  # same bytes, other shape
    assert f(a) != f(a.astype(np.int32))  # other dtype
    assert f(a) != f(a.astype(float))
    assert f(a) != f(a.T.copy())
    assert f(a[:, ::2]) == f(np.ascontiguousarray(a[:, ::2]))  # a view and its copy show the same
    assert f({"a": 1, "b": 2}) != f({"b": 2, "a": 1})  # templates see insertion order
    assert f((1, 2)) != f([1, 2]) and f(1) != f(1.0) and f(1) != f(True) and f("1") != f(1)
    assert f(["ab", "c"]) != f(["a", "bc"])  # lengths are part of the encoding


def test_fingerprint_of_an_example_ignores_what_it_computed_lazily(deck):
    from generator import examples, render, spec

    env = render.environment()
    decks = spec.load_decks([deck], render.card_templates(env))
    card = decks[0].cards[0]
    ex = next(iter(examples.build(card.examples).values()))
    before = cache.fingerprint(ex)
    _ = ex.output  # a cached_property filled in
    assert cache.fingerprint(ex) == before
    other = next(iter(examples.build(card.examples).values()))
    assert cache.fingerprint(other) == before


def test_unfingerprintable_arguments_have_no_key():
    assert cache.figure_key("sliding_window", (lambda: 1,), {}) is None


# ----------------------------------------------------------------------------- svgmin


def _raw_svg() -> bytes:
    import io

    from generator import figures

    fig, ax = figures._new(5, 3)
    x = np.array([[1, -2, 3], [4, 5, -6]])
    figures.draw_grid(ax, x, 0, 0.7, hatch=np.array([[True, False, False], [False, False, True]]), title="input (2×3)")
    figures.outline(ax, 1, 0.7, 2, 2)
    figures.legend(ax, ["input", "padding"], 0, 0)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    figures._matplotlib()[1].close(fig)
    return buf.getvalue()


def _numbers(path_d: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d*\.?\d+(?:e-?\d+)?", path_d)]


def test_minify_keeps_every_label_and_shape():
    raw = _raw_svg()
    small = svgmin.minify(raw)
    assert len(small) < len(raw) * 0.7
    texts = lambda s: re.findall(r">([^<>]+)</text>", s.decode())  # noqa: E731
    assert texts(small) == texts(raw) and "input (2×3)" in texts(small)
    assert small.count(b"<path") == raw.count(b"<path")
    assert small.count(b"<text") == raw.count(b"<text")
    assert b"fill: #ffffff" in small  # the white background, declared as matplotlib wrote it
    assert small.startswith(b"<?xml") and small.rstrip().endswith(b"</svg>")


def test_minify_rectangles_keep_their_corners():
    raw = _raw_svg().decode()
    small = svgmin.minify(raw.encode()).decode()
    rects = [m for m in re.findall(r'd="([^"]*)"', raw, re.S) if len(m.split()) == 13]
    short = [m for m in re.findall(r'd="([^"]*)"', small) if re.fullmatch(r"M[-\d.]+ [-\d.]+H[-\d.]+V[-\d.]+H[-\d.]+Z", m)]
    assert len(rects) >= 6 and len(short) == len(rects)
    for long_d, short_d in zip(rects, short, strict=True):
        x0, y0, x1, _, _, y1, *_ = _numbers(long_d)
        a, b, c, d, e = _numbers(short_d)
        assert abs(a - x0) <= 0.05 and abs(b - y0) <= 0.05 and abs(c - x1) <= 0.05 and abs(d - y1) <= 0.05 and e == a


def test_minify_leaves_what_it_does_not_understand_alone():
    odd = b'<svg xmlns="http://www.w3.org/2000/svg">\n<g id="a">\n</g>\n</g>\n</svg>\n'  # unbalanced
    assert svgmin.minify(odd) == odd
    assert svgmin.minify(b"\xff\xfe not utf-8") == b"\xff\xfe not utf-8"
    assert svgmin.minify(b"plain text") == b"plain text"


def test_old_site_entries_are_pruned_and_the_newest_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVCARDS_CACHE", str(tmp_path / "cache"))
    keys = [f"{i:064x}" for i in range(cache.KEEP[cache.SITE_DIR] + 3)]
    for i, key in enumerate(keys):
        cache.save_site(key, {"page.md": f"page {i}\n".encode()})
        os.utime(tmp_path / "cache" / cache.SITE_DIR / f"{key}.bin", ns=(10**18 + i * 10**9, 10**18 + i * 10**9))
    cache.prune()
    kept = sorted(p.stem for p in (tmp_path / "cache" / cache.SITE_DIR).glob("*.bin"))
    assert kept == sorted(keys[-cache.KEEP[cache.SITE_DIR] :])
    assert cache.load_site(keys[-1]) == {"page.md": f"page {len(keys) - 1}\n".encode()}
    assert cache.load_site(keys[0]) is None
