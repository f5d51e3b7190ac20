"""Synthetic decks for the scale benchmark: an author's course of N cards, written as deck files.

Every card uses the generic template (``card.md.j2``) with the five standard views and a
seeded random example: input sides 3 to 8, kernel sides 1 to 3, stride 1 or 2, padding 0 to
2 (per axis), practice with three variants. Card ``i`` is the same card whatever N is, so the
29 cards of the smallest scale are the first 29 of every larger one; decks hold ``PER_DECK``
cards, as a course grows by adding decks.
"""

from __future__ import annotations

import random
from pathlib import Path

PER_DECK = 29
VIEWS = ["sliding_window", "flatten", "unrolled", "im2col", "figure"]


def card_params(i: int) -> dict[str, object]:
    """The i-th synthetic card's example (a pure function of i)."""
    rng = random.Random(1000 + i)
    while True:
        h, w = rng.randint(3, 8), rng.randint(3, 8)
        kh, kw = rng.randint(1, 3), rng.randint(1, 3)
        sr, sc = rng.randint(1, 2), rng.randint(1, 2)
        pr, pc = rng.randint(0, 2), rng.randint(0, 2)
        if kh <= h + 2 * pr and kw <= w + 2 * pc and max(kh, kw) > 1:
            break
    return {"h": h, "w": w, "kh": kh, "kw": kw, "stride": [sr, sc], "padding": [pr, pc], "seed": 7 * i + 1}


def card_yaml(i: int, deck: str) -> list[str]:
    p = card_params(i)
    h, w, kh, kw = p["h"], p["w"], p["kh"], p["kw"]
    title = f"Synthetic card {i + 1}: {h}×{w} input, {kh}×{kw} kernel"
    return [
        f"  - id: {deck}-card-{i + 1}",
        f'    title: "{title}"',
        "    question: >-",
        f"      A {kh}×{kw} kernel slides over a {h}×{w} input with stride {tuple(p['stride'])} and",
        f"      padding {tuple(p['padding'])}. What is the output?",
        f"    views: [{', '.join(VIEWS)}]",
        "    examples:",
        "      main:",
        f"        input: {{shape: [{h}, {w}], seed: {p['seed']}, low: -3, high: 3}}",
        f"        kernel: {{shape: [{kh}, {kw}], seed: {p['seed'] + 1}, low: -2, high: 2}}",
        f"        stride: {p['stride']}",
        f"        padding: {p['padding']}",
        "    practice:",
        f"      seed: {i}",
        "      variants: 3",
    ]


def write_decks(folder: Path, n_cards: int) -> list[Path]:
    """Deck files for ``n_cards`` cards in ``folder`` (decks of PER_DECK cards); returns them."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for d, start in enumerate(range(0, n_cards, PER_DECK)):
        deck = f"synth-{d + 1:03d}"
        lines = [f"deck: {deck}", f'title: "Synthetic deck {d + 1}"', f"order: {min(d + 1, 999)}", "cards:"]
        for i in range(start, min(start + PER_DECK, n_cards)):
            lines += card_yaml(i, deck)
        path = folder / f"{deck}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def edit_first_card(folder: Path, k: int) -> None:
    """A one-card change: the first card's input drawn with another seed (text edit, rest untouched)."""
    path = folder / "synth-001.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("input: {shape:")
    seed_at = text.index("seed: ", start) + len("seed: ")
    end = text.index(",", seed_at)
    path.write_text(text[:seed_at] + str(100_000 + k) + text[end:], encoding="utf-8")
