"""Typed answers on card pages in Chromium (docs/javascripts/answer.js): right, wrong, every
accepted spelling typed into the real field, refused input, the Enter key, the verdict read out
(aria-live), the worked answer revealed on a wrong reply, no JavaScript, axe-core, 375 px.

The questions are taken from the built site's data/cards.json by the type of their answer, so
the tests follow the decks; the right answer comes from each question's `expected`."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from test_study_browser import axe_violations

pytestmark = pytest.mark.browser


def questions(site_dir) -> list[tuple[str, int, dict]]:
    """(card url, 1-based number on its page, expected) for every question a card page shows."""
    out = []
    for c in json.loads((site_dir / "data/cards.json").read_text())["cards"]:
        shown = [q for q in c["practice"] if q["variant"] == 0]
        out += [(c["url"], i + 1, q["expected"]) for i, q in enumerate(shown)]
    return out


def find(site_dir, pred) -> tuple[str, int, dict]:
    found = [q for q in questions(site_dir) if pred(q[2])]
    if not found:
        pytest.fail("no card page question fits this test")
    return found[0]


def open_question(page, server, url: str, n: int):
    page.goto(f"{server}/{url}")
    host = page.locator(f".cc-answer[data-question='{n}']")
    host.locator("form").wait_for()
    return host


def reply(host, text: str, enter: bool = True) -> str:
    field = host.locator("input").first
    field.fill(text)
    if enter:
        field.press("Enter")
    else:
        host.locator("button", has_text="Check").click()
    verdict = host.locator(".cc-answer__verdict")
    verdict.locator("xpath=.").wait_for()
    host.page.wait_for_function("el => el.getAttribute('data-verdict')", arg=verdict.element_handle())
    return verdict.get_attribute("data-verdict")


def reveal_of(host):
    return host.locator("xpath=following-sibling::details[1]")


def test_typed_right_and_wrong_with_enter_and_button(page, server, site_dir):
    url, n, exp = find(site_dir, lambda e: e["type"] == "integer")
    host = open_question(page, server, url, n)
    field = host.locator("input")
    assert field.count() == 1
    name = field.evaluate("el => el.labels[0].textContent")
    assert "answer" in name.lower()
    assert not reveal_of(host).evaluate("d => d.open")
    # wrong, with the Check button: the right answer is said and the worked answer opens
    assert reply(host, str(exp["value"] + 1), enter=False) == "incorrect"
    text = host.locator(".cc-answer__verdict").inner_text()
    assert "Incorrect" in text and str(abs(exp["value"])) in text
    assert reveal_of(host).evaluate("d => d.open")
    # right, with Enter
    assert reply(host, str(exp["value"])) == "correct"
    assert host.locator(".cc-answer__verdict").inner_text().startswith("Correct")
    verdict = host.locator(".cc-answer__verdict")
    assert verdict.get_attribute("aria-live") == "polite" and verdict.get_attribute("role") == "status"
    assert page.console_errors == [] and page.offsite_requests == []


def test_every_accepted_spelling_typed_into_the_field(page, server, site_dir):
    # a negative integer: -N, −N (Unicode minus), with spaces around
    url, n, exp = find(site_dir, lambda e: e["type"] == "integer" and e["value"] < 0)
    host = open_question(page, server, url, n)
    v = abs(exp["value"])
    for text in (f"-{v}", f"\u2212{v}", f"  -{v}  ", f"\u2212 {v}"):
        assert reply(host, text) == "correct", text
    assert reply(host, str(v)) == "incorrect"  # the sign matters
    # a fraction: a/b and its decimal
    url, n, exp = find(site_dir, lambda e: e["type"] == "fraction")
    host = open_question(page, server, url, n)
    f = Fraction(exp["numerator"], exp["denominator"])
    spellings = [f"{f.numerator}/{f.denominator}", f"{2 * f.numerator} / {2 * f.denominator}"]
    if (f * 10**6).denominator == 1:
        spellings.append(str(float(f)))
    for text in spellings:
        assert reply(host, text) == "correct", text
    assert reply(host, f"{f.numerator + 1}/{f.denominator}") == "incorrect"
    # a shape: 2x3, 2×3, (2, 3), 2 by 3
    url, n, exp = find(site_dir, lambda e: e["type"] == "shape")
    host = open_question(page, server, url, n)
    a, b = exp["value"]
    for text in (f"{a}x{b}", f"{a}\u00d7{b}", f"({a}, {b})", f" {a} X {b} ", f"{a} by {b}"):
        assert reply(host, text) == "correct", text
    if a != b:
        assert reply(host, f"{b}x{a}") == "incorrect"  # rows first
    assert page.console_errors == []


def test_a_matrix_is_a_grid_of_fields(page, server, site_dir):
    url, n, exp = find(site_dir, lambda e: e["type"] == "matrix")
    host = open_question(page, server, url, n)
    cells = host.locator("input")
    rows, cols = len(exp["value"]), len(exp["value"][0])
    assert cells.count() == rows * cols
    for i in range(rows * cols):
        assert "answer" in cells.nth(i).get_attribute("aria-label").lower()
    assert "answer" in host.locator("legend").inner_text().lower()
    for r in range(rows):
        for c in range(cols):
            cells.nth(r * cols + c).fill(str(exp["value"][r][c]).replace("-", "\u2212"))
    cells.last.press("Enter")
    page.wait_for_function("el => el.getAttribute('data-verdict')", arg=host.locator(".cc-answer__verdict").element_handle())
    assert host.locator(".cc-answer__verdict").get_attribute("data-verdict") == "correct"
    cells.first.fill(str(exp["value"][0][0] + 1))
    host.locator("button", has_text="Check").click()
    assert host.locator(".cc-answer__verdict").get_attribute("data-verdict") == "incorrect"
    cells.first.fill("x")
    host.locator("button", has_text="Check").click()
    text = host.locator(".cc-answer__verdict").inner_text()
    assert "not a number: x" in text and "row 1, column 1" in text


def test_refused_input_is_never_marked_wrong(page, server, site_dir):
    url, n, _ = find(site_dir, lambda e: e["type"] == "integer")
    host = open_question(page, server, url, n)
    for text in ("abc", "3 apples", "1/0", "--3", "2x3"):
        assert reply(host, text) == "refused", text
        assert f"not a number: {text}" in host.locator(".cc-answer__verdict").inner_text()
    assert not reveal_of(host).evaluate("d => d.open")  # a refused reply reveals nothing
    assert reply(host, "") == "refused"
    url, n, _ = find(site_dir, lambda e: e["type"] == "shape")
    host = open_question(page, server, url, n)
    assert reply(host, "7") == "refused"
    assert "a shape is two" in host.locator(".cc-answer__verdict").inner_text()


def test_parser_edge_cases(page, server, site_dir):
    """The parser itself, on the cases a learner types (exact fractions; rounded decimals count for 1/3)."""
    url, n, _ = find(site_dir, lambda e: True)
    open_question(page, server, url, n)
    check = "([e, t]) => window.convcardsAnswer.check(e, t)"
    third = {"type": "fraction", "numerator": 1, "denominator": 3}
    assert page.evaluate(check, [third, "0.33"]) == {"ok": True}
    assert page.evaluate(check, [third, "0.3"]) == {"ok": False}
    assert page.evaluate(check, [third, "0.34"]) == {"ok": False}
    assert page.evaluate(check, [{"type": "integer", "value": 2}, "2.0"]) == {"ok": True}
    assert page.evaluate(check, [{"type": "integer", "value": 2}, "4/2"]) == {"ok": True}
    assert page.evaluate(check, [{"type": "integer", "value": 0}, "-0"]) == {"ok": True}
    assert page.evaluate(check, [{"type": "integer", "value": 2}, "2.01"]) == {"ok": False}


def test_without_javascript_practice_is_question_then_reveal(browser, server, site_dir):
    url, n, _ = find(site_dir, lambda e: True)
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{server}/{url}")
    host = page.locator(f".cc-answer[data-question='{n}']")
    assert host.count() == 1 and not host.is_visible()
    assert page.locator(".cc-answer input").count() == 0
    details = host.locator("xpath=following-sibling::details[1]")
    assert "Show the answer" in details.locator("summary").inner_text()
    ctx.close()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_answers_pass_axe_and_fit_375px(browser, server, site_dir, color_scheme):
    url, n, exp = find(site_dir, lambda e: e["type"] == "matrix")
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme=color_scheme)
    page = ctx.new_page()
    page.goto(f"{server}/{url}")
    page.locator(".cc-answer form").first.wait_for()
    hosts = page.locator(".cc-answer")
    for i in range(hosts.count()):  # every verdict state on the page at once
        h = hosts.nth(i)
        h.locator("input").first.fill(["1", "zz", "0"][i % 3])
        h.locator("button", has_text="Check").click()
    found = axe_violations(page, ".md-content")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    widest = page.evaluate("Math.max(...[...document.querySelectorAll('.cc-answer')].map(e => e.getBoundingClientRect().right))")
    ctx.close()
    assert found == []
    assert overflow <= 0
    assert widest <= 375
