"""The convolution-arithmetic gallery: the cases of Dumoulin & Visin's guide, computed, stepped and downloadable.

Each :class:`Case` of :data:`CASES` (the gallery's spec) is a square convolution
``(i, k, s, p, d)`` or its transposed counterpart, drawn as the transposed cards teach it:
zeros inserted between the input values (the stride), padding, the flipped kernel at stride 1.
Its numbers come from :mod:`generator.core` through an :class:`~generator.examples.Example`;
its frames from :mod:`generator.steps` (one per output position). Outputs (paths relative
to ``docs/``):

- ``gallery/index.md``: the page, each case's frames as a static strip (behind a reveal) from
  which ``javascripts/stepper.js`` makes a stepper, playing on screen;
- ``downloads/gallery/<case>.gif`` (animated, one frame per output position after a title
  frame), ``<case>.svg`` (the strip) and ``<case>.steps.json`` (the frames' numbers);
- ``.snippets/gallery-downloads.md``: the list of them, for the downloads page;
- ``downloads/gallery/.keys.json``: each download's drawing key and SHA-256, so that a run whose
  ``docs/`` already holds them draws nothing (:func:`committed`).

GIFs and strips are drawn by :mod:`generator.galleryfig` in the figure drawer's worker
processes and cached like figures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import cache, core, steps
from .examples import Example
from .spec import ExampleSpec

PAGE = "gallery/index.md"
DOWNLOADS = "downloads/gallery"
SNIPPET = ".snippets/gallery-downloads.md"
KEYS = "downloads/gallery/.keys.json"  # drawing key and SHA-256 of each download (a dot-file: not published)
LICENCE = (
    "The gallery's GIFs and SVGs are released under the MIT licence, as the rest of convcards: "
    "use them in slides and notes, crediting “convcards”. The cases are those of Dumoulin & Visin, "
    "*A guide to convolution arithmetic for deep learning* (2016); the drawings and numbers are this generator's own."
)


@dataclass(frozen=True)
class Case:
    """One gallery case: a square convolution of an ``i × i`` input, or (``transposed``) its transposed counterpart."""

    id: str  # file stem, e.g. "no-padding-no-strides"
    title: str
    i: int
    k: int
    s: int = 1
    p: int = 0
    d: int = 1
    transposed: bool = False
    card: str = "sliding-window/cross-correlation"  # the card that explains it: "<deck>/<card id>"

    @property
    def o(self) -> int:
        """The forward output size (Relationship 6 with dilation)."""
        return core.output_size(self.i, self.k, self.s, self.p, self.p, self.d)

    @property
    def a(self) -> int:
        """The transposed counterpart's output_padding: what brings its output back to ``i``."""
        return (self.i + 2 * self.p - self.d * (self.k - 1) - 1) % self.s

    def params_text(self) -> str:
        dil = f", d = {self.d}" if self.d != 1 else ""
        if self.transposed:
            extra = f", a = {self.a}" if self.a else ""
            return f"i′ = {self.o}, k = {self.k}, s = {self.s}, p = {self.p}{dil}{extra} → o′ = {self.i}"
        return f"i = {self.i}, k = {self.k}, s = {self.s}, p = {self.p}{dil} → o = {self.o}"

    def heading(self) -> str:
        return f"{self.title} ({self.params_text()})"


def _forward(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> dict[str, Any]:
    return {"i": i, "k": k, "s": s, "p": p, "d": d}


# The gallery's spec: the guide's forward cases and the transposed counterpart of each.
_FORWARD: list[tuple[str, str, dict[str, Any], str]] = [
    ("no-padding-no-strides", "No padding, unit strides", _forward(4, 3), "sliding-window/cross-correlation"),
    ("arbitrary-padding-no-strides", "Arbitrary padding, unit strides", _forward(5, 4, p=2), "sliding-window/output-size"),
    ("same-padding-no-strides", "Half (same) padding, unit strides", _forward(5, 3, p=1), "sliding-window/padding-modes"),
    ("full-padding-no-strides", "Full padding, unit strides", _forward(5, 3, p=2), "sliding-window/padding-modes"),
    ("no-padding-strides", "No padding, strides", _forward(5, 3, s=2), "sliding-window/strides"),
    ("padding-strides", "Padding, strides", _forward(5, 3, s=2, p=1), "sliding-window/strides"),
    ("padding-strides-odd", "Padding, strides (odd fit)", _forward(6, 3, s=2, p=1), "conventions/floor-vs-invalid"),
    ("dilation", "Dilation", _forward(7, 3, d=2), "sliding-window/dilation"),
]
TRANSPOSED_CARD = "transposed/zero-insertion"

CASES: list[Case] = [Case(cid, title, **f, card=card) for cid, title, f, card in _FORWARD] + [
    Case(cid + "-transposed", "Transposed: " + title[0].lower() + title[1:], **f, transposed=True, card=TRANSPOSED_CARD)
    for cid, title, f, _ in _FORWARD
]


def pattern(n: int, m: int, a: int, b: int, mod: int, shift: int) -> np.ndarray:
    """Small integers with no visible period along a row: ``(a r + b c) mod m − shift``."""
    r, c = np.indices((n, m))
    return ((a * r + b * c + 1) % mod - shift).astype(np.int64)


def example(case: Case) -> Example:
    """The case's numbers: an input and a kernel of small integers, the parameters of the case."""
    k = pattern(case.k, case.k, 2, 1, 3, 1)  # entries in {-1, 0, 1}
    if not case.transposed:
        x = pattern(case.i, case.i, 3, 2, 5, 1)  # entries in {-1, ..., 3}
        p = core.params(stride=case.s, padding=case.p, dilation=case.d)
        return Example(ExampleSpec(case.id, "cross_correlation", x, k, p))
    y = pattern(case.o, case.o, 3, 2, 5, 1)
    p = dataclasses.replace(core.params(stride=case.s, padding=case.p, dilation=case.d), output_padding=(case.a, case.a))
    return Example(ExampleSpec(case.id, "transposed_convolution", y, k, p))


def step_data(case: Case) -> dict[str, Any]:
    """The case's frames (:mod:`generator.steps`), titled with its parameters."""
    e = example(case)
    data = steps.zero_insertion_steps(e) if case.transposed else steps.window_steps(e)
    data["title"] = case.heading()
    data["case"] = case.id
    return data


def card_url(case: Case) -> str:
    return f"../cards/{case.card}.md"


def wanted(decks: list[Any]) -> bool:
    """The gallery is part of a site whose decks hold every card it links to (the project's own);
    a site of other decks (an author's, a test's) has none, and pays nothing for it."""
    cards = {f"{c.deck}/{c.id}" for d in decks for c in d.cards}
    return all(case.card in cards for case in CASES)


def drawings() -> list[tuple[str, str, Case]]:
    """``(path under docs/, figure kind, case)`` of every download the gallery draws."""
    return [(f"{DOWNLOADS}/{c.id}.{ext}", kind, c) for c in CASES for ext, kind in (("gif", "gallery_gif"), ("svg", "gallery_strip"))]


def committed(docs_dir: Path | None) -> dict[str, bytes]:
    """Downloads already in ``docs/`` that need no drawing: those whose drawing key (the figure key:
    case, generator code, matplotlib and Pillow versions) and SHA-256 are the ones ``KEYS`` records.

    The committed downloads are the cache of a fresh clone, whose ``.cache/`` is empty: its
    ``make site`` draws no GIF. Off with ``CONVCARDS_CACHE=off``, as the cache."""
    if docs_dir is None or cache.folder() is None:
        return {}
    try:
        known = json.loads((docs_dir / KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for path, kind, case in drawings():
        entry = known.get(path) if isinstance(known, dict) else None
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != cache.figure_key(kind, (case,), {}):
            continue
        try:
            data = (docs_dir / path).read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == entry[1]:
            out[path] = data
    return out


def request(drawer: Any, decks: list[Any], docs_dir: Path | None = None) -> dict[str, int | bytes]:
    """Every case's GIF and strip: the bytes already committed (:func:`committed`), else a ticket of
    the figure drawer (drawn in its workers, or from the cache). ``{path under docs/: bytes or ticket}``,
    for :func:`outputs`; empty when the site has no gallery."""
    if not wanted(decks):
        return {}
    have: dict[str, int | bytes] = dict(committed(docs_dir))
    for path, kind, case in drawings():
        if path not in have:
            have[path] = drawer.request(kind, (case,), {})[0]
    return have


def outputs(decks: list[Any], drawer: Any, tickets: dict[str, int | bytes]) -> dict[str, bytes]:
    """The gallery's files (paths relative to ``docs/``), once the drawer has finished. Without a
    gallery, only the downloads page's snippet, saying so."""
    if not wanted(decks):
        return {SNIPPET: b"This site's decks have no gallery: it is built with the project's own decks.\n"}
    cards = {f"{c.deck}/{c.id}": c.title for d in decks for c in d.cards}
    out = {PAGE: page(CASES, cards).encode("utf-8"), SNIPPET: downloads_snippet(CASES).encode("utf-8")}
    for case in CASES:
        out[f"{DOWNLOADS}/{case.id}.steps.json"] = steps.dumps(step_data(case))
    keys = {}
    for path, kind, case in drawings():
        ticket = tickets[path]
        out[path] = ticket if isinstance(ticket, bytes) else drawer.result(ticket)[0]
        keys[path] = [cache.figure_key(kind, (case,), {}), hashlib.sha256(out[path]).hexdigest()]
    out[KEYS] = (json.dumps(keys, indent=1, sort_keys=True) + "\n").encode("utf-8")
    return out


def page(cases: list[Case], cards: dict[str, str]) -> str:
    """The gallery's Markdown: one section per case, its strip (stepped by the script), its downloads."""
    out = [
        "---",
        "description: The cases of the convolution-arithmetic guide, each frame with its numbers, step by step.",
        "---",
        "",
        "# Gallery",
        "",
        "The cases of Dumoulin & Visin's *guide to convolution arithmetic*, computed: each frame shows the",
        "input (its zero padding hatched), the kernel and the output, the window on the input and the output",
        "entry it gives, with its sum written out. A transposed convolution is drawn as a direct one:",
        "zeros inserted between the input values (the stride, s − 1 of them), padding, the flipped kernel at",
        "stride 1. Use the controls to step through a case, or download it as an animated GIF or an SVG",
        "strip for your slides ([downloads](../downloads.md#gallery)).",
        "",
    ]
    for case in cases:
        d = example(case)
        n = d.out_hw[0] * d.out_hw[1] if not case.transposed else d.zero_insertion.size
        out += [
            f"## {case.heading()} {{ #{case.id} }}",
            "",
            f"{n} frames, one per output position."
            + (f" Explained on the card [{cards[case.card]}]({card_url(case)})." if case.card in cards else ""),
            "",
            # the strip (every frame) behind a reveal; the stepper, made from it, goes before the reveal
            '??? cc-strip "Every frame as one image (the SVG strip)"',
            "",
            f"    ![{alt(case)}](../{DOWNLOADS}/{case.id}.svg){{ .cc-figure .cc-stepped .cc-autoplay loading=lazy }}",
            "",
            f"[GIF](../{DOWNLOADS}/{case.id}.gif){{ download }} · [SVG strip](../{DOWNLOADS}/{case.id}.svg){{ download }}",
            "",
        ]
    return "\n".join(out)


def alt(case: Case) -> str:
    e = example(case)
    if case.transposed:
        z = e.zero_inserted
        return (
            f"Every frame of the transposed convolution of a {case.o}×{case.o} input ({case.params_text()}): "
            f"the input with zeros inserted and padding, {z.shape[0]}×{z.shape[1]}, the flipped {case.k}×{case.k} kernel "
            f"at stride 1 and the {case.i}×{case.i} output; in each frame the window's cells carry their numbers "
            "and the output entry they give is shown."
        )
    return (
        f"Every frame of the convolution of a {case.i}×{case.i} input ({case.params_text()}): the input with the window, "
        f"and the {case.o}×{case.o} output; in each frame the window's cells carry their numbers and the output "
        "entry they give is shown."
    )


def downloads_snippet(cases: list[Case]) -> str:
    lines = [
        "| Case | Animated GIF | SVG strip |",
        "|---|---|---|",
    ]
    for c in cases:
        lines.append(
            f"| [{c.heading()}](gallery/index.md#{c.id}) | [{c.id}.gif]({DOWNLOADS}/{c.id}.gif){{ download }} "
            f"| [{c.id}.svg]({DOWNLOADS}/{c.id}.svg){{ download }} |"
        )
    intro = (
        "Every case of the [gallery](gallery/index.md) as an animated GIF, for slides (a title frame with every number, "
        "then one frame per output position, its sum written out), and as a static SVG strip (every number once, then "
        "every frame small, laid out like the output). They are generated with the site, from the numbers the gallery's "
        "steppers show."
    )
    return intro + "\n\n" + "\n".join(lines) + "\n\n" + LICENCE + "\n"
