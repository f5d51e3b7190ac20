"""Decimal inputs are shown exactly (issue 13, item 10): no float residue, no e-notation, and
every written sum adds up. The oracle is exact rational arithmetic (fractions.Fraction) on
the numbers as the page prints them; the accepted precision and range are spec rules."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
from test_spec_errors import deck

from generator import latex, render, spec

# 0.1 + 0.2 - 0.3 is 5.55e-17 in floats; 99.999 and 0.001 span the accepted range.
EXAMPLE = "input: [[0.1, 0.2, -0.3, 1.5], [99.999, -0.001, 2.25, 0.5], [1, 2, 3, 4]]\nkernel: [[1, 1], [1, 0.5]]\n"


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    f = tmp_path_factory.mktemp("dec") / "d.yaml"
    f.write_text(deck(EXAMPLE, "views: [sliding_window, unrolled, im2col]\n"))
    env = render.environment()
    decks = spec.load_decks([f], render.card_templates(env))
    return render.render_site(decks, env, None)["cards/t/c1.md"].decode()


def numbers(tex: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", tex)


def test_no_exponent_anywhere(page):
    assert not re.search(r"\d[eE][-+]?\d", page), re.search(r".{40}\d[eE][-+]?\d.{20}", page)


def test_every_written_sum_adds_up_exactly(page):
    sums = re.findall(r"&= ((?:\(?-?[\d.]+\)? \\cdot \(?-?[\d.]+\)?(?: \+ )?)+) = (-?[\d.]+)", page)
    assert len(sums) == 6, sums  # 2 x 3 outputs
    for terms, total in sums:
        pairs = re.findall(r"\(?(-?[\d.]+)\)? \\cdot \(?(-?[\d.]+)\)?", terms)
        assert sum(Fraction(a) * Fraction(b) for a, b in pairs) == Fraction(total), (terms, total)


def test_the_output_matrix_is_exact(page):
    x = [[Fraction(v) for v in row] for row in [["0.1", "0.2", "-0.3", "1.5"], ["99.999", "-0.001", "2.25", "0.5"], ["1", "2", "3", "4"]]]
    k = [[Fraction(1), Fraction(1)], [Fraction(1), Fraction("0.5")]]
    y = [[sum(x[r + i][c + j] * k[i][j] for i in range(2) for j in range(2)) for c in range(3)] for r in range(2)]
    m = re.search(r"y = \\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", page)
    shown = [[Fraction(c.strip()) for c in row.split("&")] for row in m.group(1).split("\\\\")]
    assert shown == y


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1 + 0.2 - 0.3, "0"),
        (-(0.1 + 0.2 - 0.3), "0"),
        (10000.5, "10000.5"),
        (0.1 + 0.2, "0.3"),
        (1 / 9, "0.1111"),
        (123456.75, "123456.75"),
        (2.5e-6, "0.0000025"),
        (-1234.5678, "-1234.5678"),
        (1e6 + 0.25, "1000000.25"),
    ],
)
def test_num_writes_decimals_without_exponent_or_residue(value, text):
    assert latex.num(value) == text
    assert latex.num(np.float64(value)) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.0001", f"at most {spec.MAX_DECIMALS} decimal places"), ("100.5", f"magnitude at most {spec.MAX_DECIMAL_ABS}")],
)
def test_decimal_precision_and_range_are_spec_rules(tmp_path, value, expected):
    f = tmp_path / "d.yaml"
    f.write_text(deck(f"input: [[1, 2, 3], [4, {value}, 6], [7, 8, 9]]\nkernel: [[1, 0], [0, -1]]\n"))
    _, probs = spec.load_deck(f)
    assert len(probs) == 1 and expected in str(probs[0]) and "examples.main.input" in str(probs[0]), probs
