"""The back of a card in study mode and Anki: `back: {example, show: transposed}` shows Cᵀy,
recomputed here by a brute-force scatter loop; bad `back` fields are user errors."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest
import yaml
from conftest import ROOT, generated_docs
from scipy import signal

from generator import latex, spec
from generator.errors import SpecError


def scatter(y: np.ndarray, k: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Each y[r, c] stamps y[r, c] * k at (r s, c s); overlaps add; crop the padding."""
    kh, kw = k.shape
    full = np.zeros(((y.shape[0] - 1) * stride + kh, (y.shape[1] - 1) * stride + kw), dtype=np.int64)
    for r in range(y.shape[0]):
        for c in range(y.shape[1]):
            for a in range(kh):
                for b in range(kw):
                    full[r * stride + a, c * stride + b] += y[r, c] * k[a, b]
    return full[pad : full.shape[0] - pad, pad : full.shape[1] - pad]


def test_transposed_backs_show_the_oracles_numbers():
    docs = generated_docs()  # a clean generation of the built-in decks, once per run, shared (tests/conftest.py)
    items = json.loads((docs / "data/study.json").read_text())
    items = items["items"] if isinstance(items, dict) else items
    backs = {it["id"]: html.unescape(it["answer"]) for it in items if it["kind"] == "card"}
    checked = 0
    for f in sorted((ROOT / "generator/decks").glob("*.yaml")):
        for card in yaml.safe_load(f.read_text())["cards"]:
            back = card.get("back", {})
            if back.get("show") != "transposed":
                continue
            ex = card["examples"][back.get("example") or next(iter(card["examples"]))]
            assert ex.get("stride", 1) == 1 and ex.get("padding", 0) == 0, "this oracle covers s = 1, p = 0"
            x, k = np.array(ex["input"]), np.array(ex["kernel"])
            y = signal.correlate2d(x, k, mode="valid")
            want = scatter(y, k, 1, 0)
            assert np.array_equal(want, signal.convolve2d(y, k, mode="full")), "two oracles agree"
            assert latex.bmatrix(want) in backs[card["id"]], card["id"]
            assert latex.bmatrix(y) in backs[card["id"]], card["id"]
            checked += 1
    assert checked >= 4


CARD = (
    "deck: d\ntitle: D\ncards:\n  - id: c1\n    title: T\n    question: Q?\n    examples:\n      {name}:\n"
    "        operation: {op}\n        input: {x}\n        kernel: {k}\n    back: {back}\n"
)


@pytest.mark.parametrize(
    ("op", "back", "field", "expected"),
    [
        ("cross_correlation", "{example: nope}", "back.example", "the name of one of this card's examples"),
        ("cross_correlation", "{example: [1, 2]}", "back.example", "the name of one of this card's examples"),
        ("cross_correlation", "{show: sideways}", "back.show", "one of output, transposed"),
        ("transposed_convolution", "{show: transposed}", "back.show", "transposed only for a single-channel cross_correlation"),
        ("cross_correlation", "{shwo: transposed}", "back.shwo", "'show' (did you mean it?)"),
        ("cross_correlation", "[transposed]", "back", "a mapping with example and show"),
    ],
)
def test_bad_back_fields_are_user_errors(tmp_path, op, back, field, expected):
    f = tmp_path / "d.yaml"
    f.write_text(CARD.format(name="main", op=op, x="[[1, 2], [3, 4]]", k="[[1]]", back=back))
    with pytest.raises(SpecError) as err:
        spec.load_decks([f])
    [p] = err.value.problems
    assert (p.card, p.field) == ("c1", field)
    assert expected in p.expected
