"""Practice questions and their seeded variants, checked against an independent oracle.

Every answer is recomputed by tests/practice_oracle.py from what the prompt shows (the
arrays, the parameters, the entry asked for), with SciPy and loops; variant 0 uses the
card's own arrays, which its page shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import practice_oracle as oracle
import pytest

from generator import practice, spec
from generator.examples import build

ROOT = Path(__file__).resolve().parent.parent

# One card per operation and parameter shape the practice code branches on.
SYNTHETIC = textwrap.dedent(
    """
    deck: practice-zoo
    title: "Practice zoo"
    order: 99
    intro: Cards that exercise each kind of practice question.
    cards:
      - id: zoo-corr-stride-pad
        title: Strided, padded correlation
        question: q?
        examples:
          a:
            {operation: cross_correlation, input: {shape: [5, 6], seed: 1, low: -3, high: 3},
             kernel: [[1, -1, 2], [0, 3, -2]], stride: [2, 1], padding: [1, 0, 2, 1]}
        practice: {seed: 11, variants: 4}
      - id: zoo-conv-dilated
        title: Dilated convolution
        question: q?
        examples:
          a: {operation: convolution, input: {shape: [6, 6], seed: 2, low: -3, high: 3}, kernel: [[1, 2], [-1, 3]], dilation: 2, padding: 1}
        practice: {seed: 12, variants: 3}
      - id: zoo-one-d
        title: 1-D
        question: q?
        examples:
          a: {operation: cross_correlation, input: [1, -2, 3, 0, 2, -1, 4], kernel: [2, -1, 1], stride: 2}
        practice: {seed: 13, variants: 3}
      - id: zoo-avg-pool
        title: Average pooling
        question: q?
        examples:
          a: {operation: avg_pooling, input: {shape: [4, 4], seed: 3, low: -4, high: 4}, kernel: [2, 2], stride: 2}
        practice: {seed: 14, variants: 3}
      - id: zoo-max-pool
        title: Max pooling
        question: q?
        examples:
          a: {operation: max_pooling, input: {shape: [4, 6], seed: 4, low: -4, high: 4}, kernel: [2, 3], stride: [2, 3]}
        practice: {seed: 15, variants: 3}
      - id: zoo-transposed
        title: Transposed
        question: q?
        examples:
          a:
            {operation: transposed_convolution, input: [[1, -2], [3, 0]],
             kernel: [[1, 0, -1], [2, 1, 0], [0, -1, 1]], stride: 2, padding: 1, output_padding: 1}
        practice: {seed: 16, variants: 3}
    """
)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> list[spec.CardSpec]:
    path = tmp_path_factory.mktemp("zoo") / "99-zoo.yaml"
    path.write_text(SYNTHETIC)
    return spec.load_decks([path])[0].cards


def real_cards() -> list[spec.CardSpec]:
    return [c for d in spec.load_decks([ROOT / "generator/decks"]) for c in d.cards]


def card_questions(card: spec.CardSpec) -> list[practice.Question]:
    return practice.questions(build(card.examples), card.practice, card.id)


SIZE_KINDS = ("output_size", "transposed_size")


def base_arrays(card: spec.CardSpec) -> tuple[np.ndarray, np.ndarray]:
    ex = card.examples[card.practice.example] if card.practice.example else next(iter(card.examples.values()))
    return ex.input, ex.kernel


def check_card(card: spec.CardSpec) -> int:
    qs = card_questions(card)
    x0, k0 = base_arrays(card)
    for q in qs:
        where = f"{card.id} variant {q.variant} {q.kind}: {q.prompt}"
        if q.kind not in SIZE_KINDS and q.variant > 0:
            px, pk, win = oracle.prompt_arrays(q.prompt)
            assert px is not None, f"variant prompt does not show its input: {where}"
            assert (pk is not None) or (win is not None), f"variant prompt does not show its kernel: {where}"
            np.testing.assert_array_equal(px.ravel(), np.asarray(q.arrays["input"]).ravel(), err_msg=where)
        if q.kind not in SIZE_KINDS and np.ndim(x0) == 3:
            continue  # multi-channel examples only get size questions
        want = oracle.answer(q.kind, q.prompt, x0 if q.variant == 0 else None, k0 if q.variant == 0 else None)
        assert float(q.value) == pytest.approx(want, abs=1e-9), where
        assert oracle.stated_answer(q.answer) == pytest.approx(want, rel=1e-3, abs=1e-3), f"{where}\nanswer: {q.answer}"
    return len(qs)


def test_zoo_answers_match_the_oracle(zoo):
    counts = {c.id: check_card(c) for c in zoo}
    # every kind that applies, for variant 0 and each variant
    assert counts["zoo-corr-stride-pad"] == 3 * 5
    assert counts["zoo-max-pool"] == 2 * 4  # no matrix C for max pooling
    assert counts["zoo-transposed"] == 2 * 4  # no sliding-window output entry for a transposed convolution


def test_real_deck_answers_match_the_oracle():
    cards = real_cards()
    assert cards
    assert sum(check_card(c) for c in cards) > 0


def test_every_kind_is_exercised(zoo):
    kinds = {(q.kind, q.arrays.get("operation")) for c in zoo for q in card_questions(c)}
    for op in ("cross_correlation", "convolution", "avg_pooling", "transposed_convolution"):
        assert ("c_entry", op) in kinds
    for op in ("cross_correlation", "convolution", "avg_pooling", "max_pooling"):
        assert ("output_value", op) in kinds


def test_same_seed_same_variants(zoo):
    for card in zoo:
        a = [q.as_json() for q in card_questions(card)]
        b = [q.as_json() for q in card_questions(card)]
        assert a == b


def test_variants_do_not_depend_on_python_hash_seed():
    code = (
        "import json; from pathlib import Path; from generator import spec, practice; from generator.examples import build;"
        "cs=[c for d in spec.load_decks([Path('generator/decks')]) for c in d.cards];"
        "print(json.dumps([q.as_json() for c in cs for q in practice.questions(build(c.examples), c.practice, c.id)]))"
    )
    def run(seed: str) -> str:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout

    outs = {run(s) for s in ("0", "1", "12345")}
    assert len(outs) == 1


def test_variants_differ(zoo):
    for card in zoo:
        qs = card_questions(card)
        by_variant: dict[int, list] = {}
        for q in qs:
            by_variant.setdefault(q.variant, []).append((q.kind, q.prompt))
        prompts = [tuple(v) for v in by_variant.values()]
        assert len(set(prompts)) == len(prompts), card.id
        arrays = [q.arrays["input"] for q in qs if q.kind not in SIZE_KINDS]
        sizes = [tuple(q.arrays.values()) for q in qs if q.kind in SIZE_KINDS]
        assert len(sizes) == len(set(sizes)), card.id
        # each variant draws fresh arrays (one per variant, shared by its kinds)
        distinct = {repr(a) for a in arrays}
        assert len(distinct) == card.practice.variants + 1, card.id


def test_seed_changes_variants(zoo):
    card = zoo[0]
    other = spec.CardSpec(**{**card.__dict__, "practice": spec.PracticeSpec(seed=card.practice.seed + 1, variants=card.practice.variants)})
    a = [q.prompt for q in card_questions(card) if q.variant > 0]
    b = [q.prompt for q in card_questions(other) if q.variant > 0]
    assert a != b


def test_card_key_is_sha256_based():
    import hashlib

    assert practice.card_key("abc") == int.from_bytes(hashlib.sha256(b"abc").digest()[:8], "big") >> 1
    assert practice.card_key("ab-c") != practice.card_key("ac-b")  # anagrams no longer collide


def test_oracle_catches_a_wrong_answer(zoo):
    """The oracle is not a rubber stamp: a perturbed value is caught."""
    q = next(q for q in card_questions(zoo[0]) if q.variant == 1 and q.kind == "output_value")
    assert oracle.answer(q.kind, q.prompt) != q.value + 1
    assert oracle.answer(q.kind, q.prompt) == pytest.approx(q.value)


def test_this_cards_example_is_the_cards_main_example():
    """Issue 12: a question on an example other than the card's first one shows that example's arrays, not 'this card's example'."""
    checked = 0
    for card in real_cards():
        first = next(iter(card.examples), None)
        if not card.practice.example or card.practice.example == first:
            continue
        for q in card_questions(card):
            if q.variant == 0 and q.kind in ("c_entry", "output_value"):
                assert "this card's example" not in q.prompt, f"{card.id}: {q.prompt}"
                px, _, _ = oracle.prompt_arrays(q.prompt)
                assert px is not None and np.array_equal(px.ravel(), np.asarray(q.arrays["input"]).ravel()), card.id
                checked += 1
    assert checked >= 2  # channels and padding-modes, at least
