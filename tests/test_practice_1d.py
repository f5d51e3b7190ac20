"""1-D practice prompts show 1-D parameters and 1-D indices (issue 13, item 12).

The oracle is the deck text itself: the stride, padding and dilation typed for a 1-D signal
must come back as single numbers (padding as left, right), never as the 2-D pairs or the
four sides the core computes with, and a kernel tap of a 1-D kernel has one index."""

from __future__ import annotations

import re
import textwrap

import pytest

from generator import practice, spec
from generator.examples import build

DECK = textwrap.dedent(
    """
    deck: one-d
    title: One-D
    cards:
      - id: one-d-sym
        title: Symmetric
        question: q?
        examples:
          a: {input: [1, -2, 3, 0, 2, -1, 4], kernel: [2, -1, 1], stride: 2, padding: 1, dilation: 2}
        practice: {seed: 3, variants: 6, kinds: [c_entry, output_value]}
      - id: one-d-asym
        title: Asymmetric
        question: q?
        examples:
          a: {input: [1, -2, 3, 0, 2, -1, 4], kernel: [2, -1], stride: 3, padding: [0, 0, 0, 2]}
        practice: {seed: 5, variants: 6, kinds: [c_entry, output_value]}
    """
)


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    f = tmp_path_factory.mktemp("oned") / "d.yaml"
    f.write_text(DECK)
    deck = spec.load_decks([f])[0]
    return {c.id: practice.questions(build(c.examples), c.practice, c.id) for c in deck.cards}


def test_symmetric_1d_parameters_are_single_numbers(cards):
    for q in cards["one-d-sym"]:
        assert "\\(s = 2\\)" in q.prompt and "\\(p = 1\\)" in q.prompt and "\\(d = 2\\)" in q.prompt, q.prompt
        assert not re.search(r"\(\d+, \d+\)", q.prompt.split("\\[")[0]), q.prompt  # no pair before the arrays


def test_asymmetric_1d_padding_is_left_and_right(cards):
    for q in cards["one-d-asym"]:
        head = q.prompt.split("\\[")[0]
        assert "\\(s = 3\\)" in head and "padding (left, right) \\(= (0, 2)\\)" in head, head
        assert "top" not in head and "(1, 3)" not in head, head


def test_1d_kernel_taps_have_one_index(cards):
    answers = [q.answer for qs in cards.values() for q in qs if q.kind == "c_entry"]
    taps = [m for a in answers for m in re.findall(r"w_\{(\d+)\}", a)]
    assert taps, "some c_entry answers name a kernel tap"
    assert all(len(t) == 1 for t in taps), taps  # kernels of 2 or 3 taps: one digit, never "1 2" run together
    assert all(int(t) <= 3 for t in taps), taps
