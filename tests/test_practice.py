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
# Kinds whose prompt states every number (no arrays of the card's example, nothing to re-draw).
PARAM_KINDS = (*SIZE_KINDS, *(k for k in practice.PARAM_KINDS if k != "output_size"))
OLD_KINDS = ("c_entry", "output_value", *SIZE_KINDS)


def base_arrays(card: spec.CardSpec) -> tuple[np.ndarray, np.ndarray]:
    ex = card.examples[card.practice.example] if card.practice.example else next(iter(card.examples.values()))
    return ex.input, ex.kernel


def expected_matches(expected: dict, want) -> bool:
    """The machine-readable answer (cards.json's `expected`) equals the oracle's answer."""
    t = expected["type"]
    if t == "integer":
        return float(want) == expected["value"]
    if t == "fraction":
        return abs(float(want) - expected["numerator"] / expected["denominator"]) < 1e-9 and expected["denominator"] > 1
    if t in ("shape", "matrix"):
        return np.array_equal(np.asarray(want, dtype=float), np.asarray(expected["value"], dtype=float))
    raise AssertionError(f"unknown expected type {t}")


def check_card(card: spec.CardSpec) -> int:
    qs = card_questions(card)
    x0, k0 = base_arrays(card)
    for q in qs:
        where = f"{card.id} variant {q.variant} {q.kind}: {q.prompt}"
        if q.kind not in OLD_KINDS:
            if np.ndim(x0) == 3:
                x0 = None
            want = oracle.new_answer(q.kind, q.prompt, x0, k0)
            assert expected_matches(q.as_json()["expected"], want), f"{where}\nexpected {q.as_json()['expected']}, oracle {want}"
            assert np.array_equal(np.asarray(q.value, dtype=float), np.asarray(want, dtype=float)), where
            stated = oracle.stated_new(q.answer)
            assert np.allclose(np.asarray(stated, dtype=float), np.asarray(want, dtype=float)), f"{where}\nanswer: {q.answer}"
            continue
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
        assert expected_matches(q.as_json()["expected"], want), where
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
        arrays = [q.arrays["input"] for q in qs if q.kind not in PARAM_KINDS and "input" in q.arrays]
        sizes = [(q.kind, repr(q.arrays)) for q in qs if q.kind in PARAM_KINDS]
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


# ----------------------------------------------------------------------------- questions that fit their card

# Card -> the kinds that ask its own idea. Every card of the real decks must be here with at
# least two kinds, and its questions must be exactly these (a card with no fitting kind fails).
FITS: dict[str, set[str]] = {
    "cross-correlation": {"output_value", "under_tap"},
    "output-size": {"output_size", "output_shape", "output_value"},
    "padding-modes": {"output_value", "under_tap", "output_size"},
    "strides": {"output_value", "output_size", "output_shape"},
    "dilation": {"dilated_size", "effective_kernel", "output_value"},
    "channels": {"output_value", "under_tap"},
    "one-d": {"output_value", "under_tap"},
    "pooling": {"output_value", "output_size", "output_shape"},
    "flatten": {"flat_index", "flat_index_column_major"},
    "unrolled-matrix": {"c_entry", "c_index", "c_shape"},
    "toeplitz-structure": {"c_entry", "c_nonzeros", "c_shape"},
    "matrix-padding-stride": {"c_entry", "c_shape", "c_index"},
    "im2col": {"p_shape", "output_value", "c_entry"},
    "multi-channel-matrix": {"c_shape", "c_index"},
    "flip-kernel": {"flipped_entry", "flipped_kernel", "output_value"},
    "conv-vs-corr": {"conv_minus_corr", "flipped_entry", "output_value"},
    "why-correlation": {"conv_minus_corr", "output_value", "output_size"},
    "transposed-as-ct": {"ct_entry", "ct_shape"},
    "scatter-add": {"transposed_value", "window_count", "ct_entry"},
    "zero-insertion": {"transposed_value", "flipped_entry", "ct_entry"},
    "transposed-output-size": {"transposed_size", "transposed_value", "ct_entry"},
    "output-padding": {"shared_inputs", "transposed_size"},
    "not-an-inverse": {"roundtrip", "ct_entry"},
    "gradient": {"input_gradient", "ct_entry"},
    "checkerboard": {"window_count", "transposed_value", "transposed_size"},
    "padding-conventions": {"output_value", "output_size", "c_entry"},
    "dilation-conventions": {"dilated_size", "effective_kernel", "output_value"},
    "floor-vs-invalid": {"output_size", "shared_inputs"},
    "flattening-order": {"flat_index_column_major", "c_entry", "c_index"},
    "strided-gradient": {"input_gradient", "dilated_size"},
    "transposed-groups": {"ct_entry", "ct_shape"},
    "receptive-field": {"output_size", "dilated_size", "effective_kernel"},
    "stacked-convolutions": {"conv_minus_corr", "c_shape"},
    "circular-padding": {"output_value", "under_tap"},
    "shift-equivariance": {"output_value", "under_tap"},
    "col2im": {"ct_entry", "c_shape"},
    "conv3d": {"c_entry", "c_shape", "c_index"},
}

# Kind -> the cards that teach what it asks; a card may ask it only if one of them is the card
# itself or among the cards it builds on (transitively).
TAUGHT_BY: dict[str, set[str]] = {
    "output_value": {"cross-correlation"},
    "under_tap": {"cross-correlation"},
    "output_size": {"output-size"},
    "output_shape": {"output-size"},
    "shared_inputs": {"output-size"},
    "transposed_size": {"transposed-output-size"},
    "dilated_size": {"dilation"},
    "effective_kernel": {"dilation"},
    "flipped_entry": {"flip-kernel"},
    "flipped_kernel": {"flip-kernel"},
    "conv_minus_corr": {"flip-kernel"},
    "flat_index": {"flatten"},
    "flat_index_column_major": {"flatten"},
    "c_entry": {"unrolled-matrix"},
    "c_index": {"unrolled-matrix"},
    "c_shape": {"unrolled-matrix"},
    "c_nonzeros": {"unrolled-matrix"},
    "p_shape": {"im2col"},
    "ct_entry": {"transposed-as-ct"},
    "ct_shape": {"transposed-as-ct"},
    "transposed_value": {"transposed-as-ct"},
    "roundtrip": {"transposed-as-ct"},
    "window_count": {"scatter-add"},
    "input_gradient": {"gradient"},
}


def test_every_card_asks_at_least_two_fitting_kinds():
    cards = real_cards()
    missing = [c.id for c in cards if c.id not in FITS]
    assert not missing, f"cards with no fitting practice kinds in FITS: {missing}"
    for card in cards:
        got = {q.kind for q in card_questions(card)}
        assert len(FITS[card.id]) >= 2, card.id
        assert got == FITS[card.id], f"{card.id}: asks {sorted(got)}, fits {sorted(FITS[card.id])}"


def test_a_card_without_fitting_kinds_fails():
    """The table check is not a rubber stamp: a card asking one kind, or a kind not in its row, is caught."""
    card = next(c for c in real_cards() if c.id == "dilation")
    one = spec.CardSpec(**{**card.__dict__, "practice": spec.PracticeSpec(seed=5, kinds=("output_value",))})
    assert {q.kind for q in card_questions(one)} != FITS["dilation"]


def ancestors(cards: list[spec.CardSpec], card_id: str) -> set[str]:
    by_id = {c.id: c for c in cards}
    out, todo = {card_id}, [card_id]
    while todo:
        for b in by_id[todo.pop()].builds_on:
            if b not in out:
                out.add(b)
                todo.append(b)
    return out


def test_questions_stay_within_what_was_taught():
    cards = real_cards()
    for card in cards:
        known = ancestors(cards, card.id)
        for kind in {q.kind for q in card_questions(card)}:
            assert TAUGHT_BY[kind] & known, f"{card.id} asks {kind}, taught by {sorted(TAUGHT_BY[kind])}, not among {sorted(known)}"


def test_teaching_order_check_catches_an_early_question():
    cards = real_cards()
    assert not (TAUGHT_BY["output_size"] & ancestors(cards, "cross-correlation"))
    assert not (TAUGHT_BY["c_entry"] & ancestors(cards, "flip-kernel"))


def test_every_kind_is_known_to_the_spec_and_the_oracle():
    assert set(practice.KINDS) == set(spec.ALL_PRACTICE_KINDS)
    assert set(TAUGHT_BY) >= set(practice.KINDS) - {"output_size"} | {"transposed_size"}


@pytest.mark.parametrize("kind", sorted(set(practice.KINDS) | {"transposed_size"}))
def test_a_wrong_expected_answer_is_caught(kind):
    """For every kind, one real question whose machine-readable answer is perturbed fails the oracle."""
    q = next((q for c in real_cards() for q in card_questions(c) if q.kind == kind and q.variant == 1), None)
    if q is None:
        pytest.skip(f"no real card asks {kind}")
    exp = q.as_json()["expected"]
    bad = dict(exp)
    if exp["type"] == "integer":
        bad["value"] = exp["value"] + 1
    elif exp["type"] == "fraction":
        bad["numerator"] = exp["numerator"] + 1
    elif exp["type"] == "shape":
        bad["value"] = [exp["value"][0] + 1, exp["value"][1]]
    else:
        bad["value"] = [[v + 1 for v in row] for row in exp["value"]]
    want = oracle.new_answer(kind, q.prompt, None, None) if kind not in OLD_KINDS else oracle.answer(kind, q.prompt)
    assert expected_matches(exp, want)
    assert not expected_matches(bad, want)


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
