"""The content-hash cache (generator/cache.py) and the SVG minifier (generator/svgmin.py).

The oracle for the cache is a run without it: whatever the cache holds, or fails to
hold, the generated files must be byte for byte those of ``CONVCARDS_CACHE=off``.
A two-card deck keeps these runs fast; each card draws one figure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import svgpaint
from conftest import ROOT

from generator import anki, cache, svgmin

sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402  (bench/synth.py: the scale benchmark's cards)

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


def generate(decks: Path, docs: Path, cache_dir: Path | str, *extra: str, jobs: int = 1) -> subprocess.CompletedProcess:
    """``python -m generator`` on ``decks``. The tiny deck's two figures are drawn in the process itself
    (``jobs=1``: no worker importing matplotlib for one figure) unless ``jobs`` asks for workers."""
    env = {**os.environ, "CONVCARDS_CACHE": str(cache_dir), "CONVCARDS_JOBS": str(jobs)}
    proc = subprocess.run([sys.executable, *extra, "-m", "generator", "--decks", str(decks), "--docs", str(docs), "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the Anki deck as its notes without their modification times, which
    carry over from the build already in the folder (generator/anki.py), so a rebuild over an
    earlier build and a cold run differ there and only there."""
    out = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if anki.APKG_FILE in out:
        notes = anki.previous_notes(out[anki.APKG_FILE])
        out[anki.APKG_FILE] = repr(sorted((g, content) for g, (content, _) in notes.items())).encode()
        if ".generated.json" in out:  # the manifest holds the deck's hash
            manifest = json.loads(out[".generated.json"])
            manifest["files"].pop(anki.APKG_FILE, None)
            out[".generated.json"] = json.dumps(manifest, sort_keys=True).encode()
    return out


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
    assert len(list((store / "figures").glob("*.bin"))) == 2
    # the site, and a small entry naming it for the next run's key (the .apkg written is its previous build)
    sites = sorted((len(p.read_bytes()), p.stem) for p in (store / "sites").glob("*.bin"))
    assert len(sites) == 2 and sites[0][0] < 400 < sites[1][0]
    assert cache.unpack(sites[0][1], (store / "sites" / f"{sites[0][1]}.bin").read_bytes())[0] == {"same_as": sites[1][1]}
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
    meta, payload = cache.unpack(entry.stem, entry.read_bytes())
    assert payload[: meta["parts"][0]] == after["cards/tiny/beta.md"], "the new entry is beta's page, then its derived data"
    assert after["cards/tiny/beta.md"] != before["cards/tiny/beta.md"]
    assert after["cards/tiny/alpha.md"] == before["cards/tiny/alpha.md"]
    # the deck index, nav and data are rebuilt, and everything is what a cold run gives
    generate(deck, tmp_path / "cold", "off")
    assert tree(tmp_path / "cold") == after


def _synthetic_course(folder: Path, decks: int, per_deck: int) -> None:
    """``decks`` decks of ``per_deck`` cards of the scale benchmark (bench/synth.py), as an author writes them."""
    folder.mkdir()
    for d in range(decks):
        name = f"synth-{d + 1:03d}"
        lines = [f"deck: {name}", f'title: "Synthetic deck {d + 1}"', f"order: {d + 1}", "cards:"]
        for i in range(d * per_deck, (d + 1) * per_deck):
            lines += synth.card_yaml(i, name)
        (folder / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_one_card_edit_is_the_bytes_of_a_cold_run_and_the_next_run_renders_nothing(tmp_path):
    """Regeneration at scale (issue 17). After one card's edit, every other card comes from the card
    cache whole (its page, its practice questions, its entry of cards.json, its study texts as
    HTML): each generated byte, the Anki deck's included, is what a run without the cache writes
    over the same previous build. The run after that (a no-op) is the site cache's entry stored
    for it by the edit's run: it renders no card."""
    decks, docs, store = tmp_path / "decks", tmp_path / "docs", tmp_path / "cache"
    _synthetic_course(decks, 3, 2)
    generate(decks, docs, store)
    synth.edit_first_card(decks, 1)
    shutil.copytree(docs, tmp_path / "cold")  # the same previous build (the Anki notes' times carry over from it)
    cards = set((store / "cards").glob("*.bin"))
    generate(decks, docs, store)
    assert len(set((store / "cards").glob("*.bin")) - cards) == 1, "the edited card alone is rendered again"
    generate(decks, tmp_path / "cold", "off")
    after = _files(docs)
    assert after == _files(tmp_path / "cold")
    assert "cards/synth-001/synth-001-card-1.md" in after and "downloads/convcards.apkg" in after
    for entry in (store / "cards").glob("*.bin"):
        entry.unlink()
    generate(decks, docs, store)
    assert not list((store / "cards").glob("*.bin")), "the no-op after the edit rendered a card: the site cache missed"
    assert _files(docs) == after


def test_each_text_of_the_study_items_is_converted_once_however_many(monkeypatch):
    """study.json and the Anki deck convert the same texts: the memo of study.to_html keeps them all
    (a memo of 4,096 texts was emptied by study.json before the Anki deck asked, from about 230 cards on)."""
    from generator import study

    calls = []
    convert = study._converter().convert
    monkeypatch.setattr(study, "_HTML", {})
    monkeypatch.setattr(study._converter(), "convert", lambda text: calls.append(text) or convert(text))
    texts = [f"text {i}" for i in range(5000)]
    first = [study.to_html(t) for t in texts]
    assert [study.to_html(t) for t in texts] == first
    assert len(calls) == 5000


def test_the_index_of_every_card_is_fingerprinted_once_per_site(deck, tmp_path, monkeypatch):
    """A card's key holds the id, title and deck of every card (its links name them); fingerprinted
    for each card it made the card keys cost O(n^2) (10 % of a profiled no-op at 290 cards)."""
    from generator import render, spec

    (deck / "2-other.yaml").write_text(OTHER_DECK, encoding="utf-8")
    monkeypatch.setenv("CONVCARDS_CACHE", str(tmp_path / "cache"))
    env = render.environment()
    decks = spec.load_decks([deck], render.card_templates(env))
    calls = []
    index = cache.cards_index
    monkeypatch.setattr(cache, "cards_index", lambda cards: calls.append(len(cards)) or index(cards))
    render.render_site(decks, env, tmp_path / "docs")
    assert calls == [3]


def test_the_anki_deck_is_the_same_bytes_with_its_times_set_by_note_id(tmp_path):
    """apkg_bytes sets each note's time by its id (the primary key; by GUID, unindexed, every update
    read the whole table); the bytes are those of updates by GUID."""
    import sqlite3

    from generator import anki, study
    from generator.practice import Question

    decks = [type("D", (), {"id": "d", "title": "Deck", "intro": "", "cards": []})()]
    q = Question("output_size", 1, "Prompt?", "Answer.", 3)
    items = [study.Item(id=f"c{i}", kind="card", card=f"c{i}", deck="d", deck_title="Deck", title=f"Card {i}", front=f"Front {i}",
                        back="Back", url=f"cards/d/c{i}/") for i in range(40)]
    items += [study.Item(id=f"c{i}~1", kind="practice", card=f"c{i}", deck="d", deck_title="Deck", title="P", front=f"P {i}",
                         back="A", url="u", practice=q) for i in range(40)]
    previous = anki.apkg_bytes(decks, items[:50])
    items[3] = study.Item(**{**items[3].__dict__, "back": "Changed"})
    new = anki.apkg_bytes(decks, items, previous)

    real_connect = sqlite3.connect

    class ByGuid:  # the connection apkg_bytes used before: updates by GUID
        def __init__(self, path):
            self.conn = real_connect(path)

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def execute(self, sql, *a):
            return self.conn.execute(sql, *a)

        def executemany(self, sql, rows):
            if sql.startswith("UPDATE notes"):
                ids = {i: g for i, g in self.conn.execute("SELECT id, guid FROM notes")}
                return self.conn.executemany("UPDATE notes SET mod = ? WHERE guid = ?", [(t, ids[i]) for t, i in rows])
            return self.conn.executemany(sql, rows)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(anki.sqlite3, "connect", lambda path: ByGuid(path) if str(path).endswith(".anki2") else real_connect(path))
        by_guid = anki.apkg_bytes(decks, items, previous)
    assert new == by_guid
    times = {g: t for g, (_, t) in anki.previous_notes(new).items()}
    assert sorted(set(times.values())) == [anki.TIMESTAMP, anki.TIMESTAMP + 1]  # the changed and the new notes bumped


def test_corrupted_entries_are_ignored_not_trusted(deck, cold, tmp_path):
    store = tmp_path / "cache"
    generate(deck, tmp_path / "a", store)
    entries = sorted(store.rglob("*.bin"))
    assert len(entries) == 6  # two figures, two cards, one site and the entry that names it for the next run
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
    assert len(small) < len(raw) * 0.5
    assert svgpaint.same_painting(svgpaint.painted(raw), svgpaint.painted(small)) is None
    texts = [item[4] for item in svgpaint.painted(small) if item[0] == "text"]
    assert "input (2×3)" in texts and "-6" in texts
    assert b"fill: #ffffff" in small  # the white background, declared as matplotlib wrote it
    assert small.startswith(b"<svg ") and small.rstrip().endswith(b"</svg>")
    assert b"<!DOCTYPE" not in small and b"<?xml" not in small


def test_minify_rectangles_keep_their_corners():
    raw, small = svgpaint.painted(_raw_svg()), svgpaint.painted(svgmin.minify(_raw_svg()))
    cells = [(p, q) for p, q in zip(raw, small, strict=True) if p[0] == "path" and len(p[2]) == 4 and p[3]]
    assert len(cells) >= 6
    for p, q in cells:
        assert all(abs(a - b) <= 0.05 for pa, qa in zip(p[2], q[2], strict=True) for a, b in zip(pa, qa, strict=True))


# Real figures, drawn without the minifier: cells, hatching, bold and negative labels, window
# outlines, mathtext, a legend (padding-conventions, as matplotlib draws it: the reference of
# tests/test_svgfigure.py, the site's own is written without matplotlib); thin-edged blocks and merged outlines
# (multi-channel-matrix); dashed lines, which are never merged (output-size).
REAL_FIGURES = [
    ("padding-conventions", "tf_same", "_sliding_window_matplotlib", {"max_positions": 3}),
    ("multi-channel-matrix", "two_by_two", "channel_blocks", {}),
    ("output-size", "wide", "window_coverage", {}),
]


@pytest.fixture(scope="module")
def real_figures() -> dict[str, bytes]:
    from generator import content, examples, figures, render, spec

    env = render.environment()
    cards = {c.id: c for d in spec.load_decks([render.DECK_DIR], render.card_templates(env)) for c in d.cards}
    keep = figures.minify
    figures.minify = lambda svg: svg
    try:
        return {
            f"{cid}-{name}-{kind}": content.figure(kind)(examples.build(cards[cid].examples)[name], **kw)[0]
            for cid, name, kind, kw in REAL_FIGURES
        }
    finally:
        figures.minify = keep


def test_minified_real_figures_paint_the_same_in_the_same_order(real_figures):
    for name, raw in real_figures.items():
        small = svgmin.minify(raw)
        assert small != raw and len(small) < len(raw) * 0.3, name
        assert svgmin.minify(raw) == small  # deterministic
        assert svgpaint.same_painting(svgpaint.painted(raw), svgpaint.painted(small)) is None, name


def _path_elements(svg: bytes) -> list[tuple[str, str]]:
    """(class of the element or of its group, d) of every path outside <defs>."""
    text = svg.decode()
    text = text[: text.rfind("<defs>")] if text.count("<defs>") > 1 else text
    out, group = [], None
    for line in text.splitlines():
        if m := re.fullmatch(r'<g class="(s\d+)">', line):
            group = m.group(1)
        elif line == "</g>":
            group = None
        elif m := re.fullmatch(r'<path (?:class="(s\d+)" )?d="([^"]*)"(?: class="(s\d+)")?/>', line):
            out.append((m.group(1) or m.group(3) or group, m.group(2)))
    return out


def test_only_paths_that_paint_the_same_are_merged(real_figures):
    """One path paints all fills, then all strokes: merged subpaths must be rectangles that do
    not overlap (or have no fill), under an opaque, solid stroke."""
    merged = 0
    for name, raw in real_figures.items():
        small = svgmin.minify(raw)
        rules = dict(re.findall(r"\.(s\d+)\{([^}]*)\}", small.decode()))
        for cls, d in _path_elements(small):
            parts = svgpaint.subpaths(d)
            if len(parts) < 2:
                continue
            merged += 1
            style = dict(kv.split(":", 1) for kv in rules[cls].split(";"))
            assert not any("opacity" in k or "dash" in k for k in style), (name, cls)
            assert re.fullmatch(r"#[0-9a-f]{6}|none", style.get("stroke", "none")), (name, cls)
            if style.get("fill") == "none":
                continue
            boxes = []
            for points, closed in parts:
                points = [(round(x, 6), round(y, 6)) for x, y in points]
                xs, ys = {x for x, _ in points}, {y for _, y in points}
                assert closed and len(points) == 4 and len(xs) == len(ys) == 2, (name, d[:80])
                assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:] + points[:1], strict=True)), (name, d[:80])
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
            for i, p in enumerate(boxes):
                for q in boxes[:i]:
                    assert p[2] <= q[0] + 1e-6 or q[2] <= p[0] + 1e-6 or p[3] <= q[1] + 1e-6 or q[3] <= p[1] + 1e-6, (name, p, q)
    assert merged >= 20  # the cells of a grid row (and the window outlines) are merged


def test_the_painting_check_sees_a_reordered_or_dropped_cell(real_figures):
    raw = real_figures["padding-conventions-tf_same-_sliding_window_matplotlib"]
    small = svgmin.minify(raw).decode()
    d = next(d for _, d in _path_elements(small.encode()) if len(svgpaint.subpaths(d)) >= 3)
    parts = [f"M{pts[0][0]:.1f} {pts[0][1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in pts[1:]) + ("Z" if closed else "")
             for pts, closed in svgpaint.subpaths(d)]
    swapped = small.replace(f'd="{d}"', f'd="{"".join([parts[1], parts[0], *parts[2:]])}"', 1)
    dropped = small.replace(f'd="{d}"', f'd="{"".join(parts[1:])}"', 1)
    same = small.replace(f'd="{d}"', f'd="{"".join(parts)}"', 1)
    before = svgpaint.painted(raw)
    assert svgpaint.same_painting(before, svgpaint.painted(small)) is None
    assert svgpaint.same_painting(before, svgpaint.painted(same)) is None
    assert svgpaint.same_painting(before, svgpaint.painted(swapped)) is not None
    assert svgpaint.same_painting(before, svgpaint.painted(dropped)) is not None


def test_path_data_is_exact_in_tenths_absolute_or_relative():
    from generator.svgmin import _encode, _segments

    d = "M 9.5 30.1 L 38.9 30.1 L 38.9 59.5 L 9.5 59.5 z M 38.9 30.1 L 68.3 30.1 L 68.3 -0.5 L 38.95 -0.04 z M 1 2 Q 3 4 5 6 L 7.25 8.75"
    segs = _segments(d)
    short, long = _encode(segs), _encode(segs, compact=False)
    assert len(short) < len(long) < len(d)
    assert short.startswith("M9.5 30.1H38.9V59.5H9.5Zm29.4 0H68.3")
    assert _segments(long) == segs
    for (pa, ca), (pb, cb) in zip(svgpaint.subpaths(d), svgpaint.subpaths(short), strict=True):
        assert ca == cb and all(abs(a - b) <= 0.05 + 1e-9 for p, q in zip(pa, pb, strict=True) for a, b in zip(p, q, strict=True))
    # relative steps are whole tenths: they add up exactly to the absolute corners
    for (pa, _), (pb, _) in zip(svgpaint.subpaths(long), svgpaint.subpaths(short), strict=True):
        assert all(abs(a - b) < 1e-9 for p, q in zip(pa, pb, strict=True) for a, b in zip(p, q, strict=True))
    assert _encode(_segments("M 0.5 0.5 L 1.5 0.5 L 1.5 1.5 L -2 -3")) == "M.5.5h1v1L-2-3"  # separators only where needed
    assert _segments("M 1 2 A 1 1 0 0 1 3 4") is None  # arcs: left to the plain rounding


def test_labels_of_a_row_share_one_text_and_keep_their_places():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg">\n<defs>\n</defs>\n'
        + "".join(f'<text x="{x}" y="7.04" style="font-size: 9px; text-anchor: middle">{t}</text>\n'
                  for x, t in [(1, "2"), (2.5, "-3"), (4, "0"), (5.5, "7"), (7, "a b"), (8.5, "1")])
        + '<text x="1" y="9" style="font-size: 9px; text-anchor: middle">4</text>\n</svg>\n'
    ).encode()
    small = svgmin.minify(raw)
    assert b'<text x="1" y="7">2<tspan x="2.5">-3</tspan><tspan x="4 5.5">07</tspan></text>' in small
    assert b">a b</text>" in small  # a label with a blank stays a text of its own
    assert svgpaint.same_painting(svgpaint.painted(raw), svgpaint.painted(small)) is None


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
