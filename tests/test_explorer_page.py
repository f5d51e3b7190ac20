"""The explorer page (/explore/) in Chromium: what a learner does with it.

- linked views: pointing at an output cell (mouse hover, then keyboard focus and arrow keys)
  marks exactly its window on the padded input, its row of C and the input cells of that row, and
  writes its sum out; pointing at an input cell marks its column of C and exactly the outputs it
  feeds (all compared with generator/core.py, not with the page's own arithmetic);
- the URL holds the whole state: edits show up in it, and opening it anew gives the same page;
- every card's "Open this example in the explorer" link opens the explorer on that card's main
  example, and the output shown equals the card's published output (data/cards.json);
- every bad combination gets its message next to its field, the last valid result stays greyed,
  nothing throws, the console stays clean, and a fix brings the result back;
- no request leaves the site, axe-core finds nothing serious (light, dark, error state), a
  375 px viewport has no page overflow even with a 16×16 input; without JavaScript the page says
  what it needs and links to the decks.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import numpy as np
import pytest
from conftest import open_recorded_page
from test_browser_pages import AXE, AXE_RUN, MOBILE, check_requests

from generator import core, explore, spec

pytestmark = pytest.mark.browser

# A 5×6 input, a 3×2 kernel, stride (2, 1), asymmetric padding: nothing square or symmetric.
X = np.array([[1, -2, 0, 3, 1, 2], [0, 1, 4, -1, 2, 0], [2, 0, -3, 1, 1, 5], [1, 1, 0, -2, 3, 1], [-1, 2, 2, 0, 1, -4]])
K = np.array([[1, 0], [-1, 2], [0, 3]])
P = core.ConvParams(stride=(2, 1), padding=(1, 0, 0, 1))
SPEC = spec.ExampleSpec("e", "cross_correlation", X, K, P)


def open_explorer(page, server: str, example: spec.ExampleSpec | None = SPEC) -> None:
    page.goto(f"{server}/explore/" + ("#" + explore.fragment(example) if example is not None else ""))
    page.wait_for_selector("[data-section=output] td")
    page.wait_for_function("[...document.querySelectorAll('.cc-ex-results .arithmatex')].every(e => e.dataset.katex === 'done')")


def grid_values(page, section: str) -> list[list[float]]:
    return page.evaluate(
        f"""[...document.querySelectorAll('[data-section={section}] .cc-ex-scroll > table tr')]
             .map(tr => [...tr.cells].map(td => Number(td.textContent)))"""
    )


def marked(page, section: str, cls: str = "cc-hl") -> set[tuple[int, int]]:
    sel = f"[data-section={section}] .cc-ex-scroll > table td.{cls}" if section != "x-edit" else f"[data-grid=x-edit] td.{cls}"
    return {
        tuple(v) for v in page.evaluate(f"[...document.querySelectorAll('{sel}')].map(td => [td.parentElement.rowIndex, td.cellIndex])")
    }


def mat_state(page, mat: str = "C") -> dict:
    """What a canvas matrix (C or P) marks, from its box's data attributes (row band, column band, cells)."""
    d = page.evaluate(f"({{...document.querySelector('[data-section={mat}] .cc-ex-mat').dataset}})")
    cells = {tuple(int(v) for v in rc.split(",")) for rc in d["hlCells"].split(";") if rc}
    return {"row": int(d["hlRow"]), "col": int(d["hlCol"]), "cells": cells, "shape": tuple(int(v) for v in d["shape"].split(","))}


# The colours a canvas cell is painted with, read back from its pixels (the canvas, not the page's word).
PIXELS = """([mat, cells]) => {
  const box = document.querySelector(`[data-section=${mat}] .cc-ex-mat`), cv = box.querySelector('canvas');
  const m = window.convcardsExplorer.matrix(mat), ctx = cv.getContext('2d'), k = cv.width / parseFloat(cv.style.width);
  const at = (i, rc) => Math.round((rc * m.cell[i] - m.offset[i] + 2) * k);
  return cells.map(([r, c]) => [...ctx.getImageData(at(0, c), at(1, r), 1, 1).data]);
}"""
CSS_RGB = """name => { const d = document.createElement('div'); d.style.color = `var(${name})`;
  document.getElementById('cc-explore').appendChild(d); const c = getComputedStyle(d).color; d.remove();
  return c.match(/[\\d.]+/g).map(Number).slice(0, 3); }"""


def expected_links(fr: int) -> tuple[set[tuple[int, int]], set[int]]:
    """For output index fr: its window on the padded input, and the flat input cells of its row of C (core.py)."""
    oh, ow = core.output_shape(X.shape, K.shape, P)
    r, c = divmod(fr, ow)
    window = {
        (r * P.stride[0] + a * P.dilation[0], c * P.stride[1] + b * P.dilation[1]) for a in range(K.shape[0]) for b in range(K.shape[1])
    }
    rows, cols, _, _ = core.unrolled_coo(X.shape, K, P)
    return window, {int(j) for i, j in zip(rows, cols, strict=True) if i == fr}


def sum_text(page) -> str:
    return page.evaluate("(() => { const a = document.querySelector('.cc-ex-sum annotation'); return a ? a.textContent : ''; })()")


def test_pointing_at_an_output_cell_links_its_window_row_and_sum(page, server):
    open_explorer(page, server)
    y = core.corr2d(X, K, P)
    assert grid_values(page, "output") == y.tolist()
    assert page.evaluate("window.convcardsExplorer.matrix('C').drawn") == core.unrolled_matrix(X.shape, K, P).tolist()
    ow = y.shape[1]
    for r, c in [(0, 0), (1, 3), (y.shape[0] - 1, ow - 1)]:
        page.locator(f"[data-section=output] table tr:nth-child({r + 1}) td:nth-child({c + 1})").hover()
        window, cols = expected_links(r * ow + c)
        assert marked(page, "padded") == window
        c_marks = mat_state(page)
        assert c_marks["cells"] == {(r * ow + c, j) for j in cols} and c_marks["row"] == r * ow + c and c_marks["col"] == -1
        assert marked(page, "x-edit") == {divmod(j, X.shape[1]) for j in cols}
        page.wait_for_function("document.querySelector('.cc-ex-sum annotation') !== null")
        text = sum_text(page)
        assert text.startswith(f"y_{{{r + 1},{c + 1}}} =") and text.endswith(f"= {y[r, c]}"), text
        assert text.count("\\cdot") == K.size


def test_keyboard_focus_links_like_the_mouse(page, server):
    open_explorer(page, server)
    ow = core.output_shape(X.shape, K.shape, P)[1]
    first = page.locator("[data-section=output] td").first
    assert first.get_attribute("tabindex") == "0"  # the grid is one Tab stop
    first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("[document.activeElement.parentElement.rowIndex, document.activeElement.cellIndex]") == [1, 1]
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    window, cols = expected_links(1 * ow + 1)
    assert marked(page, "padded") == window and mat_state(page)["cells"] == {(1 * ow + 1, j) for j in cols}
    # an input cell, focused in the editor: its column of C and the outputs it feeds
    i, j = 2, 3
    page.locator("[data-grid=x-edit] input").nth(i * X.shape[1] + j).focus()
    rows, cols_all, _, _ = core.unrolled_coo(X.shape, K, P)
    feeds = {int(r) for r, cc in zip(rows, cols_all, strict=True) if cc == i * X.shape[1] + j}
    assert feeds, "the chosen cell should feed some output"
    assert marked(page, "output") == {divmod(r, ow) for r in feeds}
    c_marks = mat_state(page)
    assert c_marks["cells"] == {(r, i * X.shape[1] + j) for r in feeds} and c_marks["col"] == i * X.shape[1] + j and c_marks["row"] == -1
    assert page.evaluate("document.activeElement.closest('td').classList.contains('cc-hl-self')")


def test_the_canvas_of_c_paints_what_it_marks_and_reads_out_by_keyboard(page, server):
    open_explorer(page, server)
    ow = core.output_shape(X.shape, K.shape, P)[1]
    rows, cols, vals, _ = core.unrolled_coo(X.shape, K, P)
    page.locator("[data-section=output] td").first.hover()  # output (1,1): row 0 of C, in view
    marks = mat_state(page)
    in_row = [(0, int(j)) for i, j in zip(rows, cols, strict=True) if i == 0]
    assert marks["cells"] == set(in_row) and marks["shape"] == (core.output_shape(X.shape, K.shape, P)[0] * ow, X.size)
    hl = page.evaluate(CSS_RGB, "--cc-ex-hl")
    off_row = [(2, j) for j in range(X.size)][:5]
    painted = page.evaluate(PIXELS, ["C", in_row + [(0, j) for j in range(X.size) if (0, j) not in in_row][:2] + off_row])
    assert [p[:3] for p in painted[: len(in_row)]] == [hl] * len(in_row)  # the marked cells: the highlight colour, opaque
    assert all(p[3] == 255 for p in painted[: len(in_row)])
    assert all(0 < p[3] < 255 for p in painted[len(in_row) : len(in_row) + 2])  # the rest of the row: the translucent band
    assert all(p[3] == 0 for p in painted[len(in_row) + 2 :])  # another row: nothing painted under the text
    # the keyboard: C is one Tab stop, the arrow keys move a cursor, its row is marked and read out
    page.locator("[data-section=C] .cc-ex-mat").focus()
    for key in ("ArrowDown", "ArrowDown", "ArrowDown", "ArrowRight"):
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.matches('.cc-ex-mat:focus-visible')")
    fr = 3
    want = {(fr, int(j)) for i, j in zip(rows, cols, strict=True) if i == fr}
    assert mat_state(page)["cells"] == want and mat_state(page)["row"] == fr
    said = page.locator("[data-section=C] .cc-ex-mat-text").inner_text()
    y = core.corr2d(X, K, P)
    value = core.unrolled_matrix(X.shape, K, P)[fr, 1]
    assert said.startswith(f"C row {fr + 1}, column 2: {value}. Row {fr + 1} of C (output y({fr // ow + 1},{fr % ow + 1}))"), said
    assert said.endswith(f"they sum to {y.flat[fr]}."), said
    taps = [f"{v} at column {j + 1}" for i, j, v in zip(rows, cols, vals, strict=True) if i == fr]
    assert all(t in said for t in taps) and said.count(" at column ") == len(taps)
    assert marked(page, "x-edit") == {divmod(j, X.shape[1]) for (_, j) in want}
    # a small C is also a table (text), the same numbers
    page.locator("[data-section=C] details.cc-ex-astable summary").click()
    assert grid_values(page, "C") == core.unrolled_matrix(X.shape, K, P).tolist()


def test_transposed_linking_follows_the_columns_of_c(page, server):
    y = np.array([[1, -2, 3], [0, 4, -1]])
    p = core.ConvParams(stride=(2, 2), padding=(1, 0, 0, 1), output_padding=(1, 0))
    open_explorer(page, server, spec.ExampleSpec("t", "transposed_convolution", y, K, p))
    out = core.transposed_via_matrix(y, K, p)
    assert grid_values(page, "output") == out.tolist()
    for r, c in [(0, 0), (2, 1)]:
        page.locator(f"[data-section=output] table tr:nth-child({r + 1}) td:nth-child({c + 1})").hover()
        col = r * out.shape[1] + c
        rows, cols, _, _ = core.unrolled_coo(out.shape, K, p)
        feeders = {int(i) for i, j in zip(rows, cols, strict=True) if j == col and i < y.size}
        assert marked(page, "x-edit") == {divmod(i, y.shape[1]) for i in feeders}
        assert sum_text(page).endswith(f"= {out[r, c]}")
    tables = page.evaluate(
        """[...document.querySelectorAll('[data-section=three] .cc-ex-pair > div table')]
             .map(t => [...t.rows].map(tr => [...tr.cells].map(td => Number(td.textContent))))"""
    )
    assert tables == [
        core.transposed_scatter(y, K, p).tolist(),
        core.zero_insertion_input(y, K.shape, p).tolist(),
        core.transposed_zero_insertion(y, K, p).tolist(),
    ]
    assert "All three equal" in page.locator("[data-section=three] .cc-ex-note").inner_text()


def test_the_url_holds_the_whole_state(browser, server):
    context, page = open_recorded_page(browser, server)
    open_explorer(page, server)
    page.locator("[data-grid=x-edit] input").nth(7).fill("-9")
    page.locator("input[name=sw]").fill("2")
    page.locator("select[name=op]").select_option("convolution")
    page.wait_for_function("location.hash.includes('op=convolution') && location.hash.includes('s=2,2')")
    url = page.url
    x2 = X.copy()
    x2.flat[7] = -9
    p2 = core.ConvParams(stride=(2, 2), padding=P.padding)
    want = core.conv2d(x2, K, p2).tolist()
    assert grid_values(page, "output") == want
    other = context.new_page()
    other.goto(url)
    other.wait_for_selector("[data-section=output] td")
    assert grid_values(other, "output") == want
    assert other.locator("select[name=op]").input_value() == "convolution"
    assert other.locator("[data-grid=x-edit] input").nth(7).input_value() == "-9"
    check_requests(page)
    context.close()


def card_links(site: Path) -> list[tuple[str, str]]:
    links = []
    for html in sorted((site / "cards").glob("*/*/index.html")):
        if re.fullmatch(r"print(-\d+)?", html.parent.name):  # a deck's print sheets repeat its cards (the link is not printed)
            continue
        m = re.search(r'<p class="cc-explore-link"><a href="([^"]+)"', html.read_text(encoding="utf-8"))
        if m:
            links.append((html.parent.relative_to(site).as_posix() + "/", unescape(m.group(1))))
    return links


def test_every_card_link_reproduces_the_cards_output(page, server, site_dir: Path):
    doc = json.loads((site_dir / "data/cards.json").read_text(encoding="utf-8"))
    mains = {c["url"]: c["examples"][0] for c in doc["cards"] if c["examples"]}
    supported = {url for url, ex in mains.items() if ex["operation"] in explore.EXPLORER_OPERATIONS and len(ex["shapes"]["input"]) <= 2}
    links = dict(card_links(site_dir))
    assert set(links) == supported, "a card the explorer supports has no link, or one it cannot show has one"
    assert len(links) >= 20
    # one link followed from its card page, as a reader does; the others by their fragment, in one
    # explorer page (hashchange), which is what the link loads
    first_url = sorted(links)[0]
    page.goto(f"{server}/{first_url}")
    page.locator("p.cc-explore-link a").click()
    page.wait_for_selector("[data-section=output] td")
    for url, href in sorted(links.items()):
        target = urljoin(f"{server}/{url}", href)
        assert target.startswith(f"{server}/explore/?"), target
        state = urlsplit(target).query
        if url != first_url:
            # resolves after the explorer's own hashchange listener (registered first) has run
            page.evaluate(
                """h => new Promise(r => {
                     if (location.hash.slice(1) === h) return r();  // another card with the same example
                     addEventListener('hashchange', () => r(), {once: true});
                     location.hash = h;
                   })""",
                state,
            )
        assert page.url == f"{server}/explore/#{state}"  # the query moved to the fragment
        want = mains[url]["arrays"]["output"]
        got = grid_values(page, "output")
        assert got == ([want] if not isinstance(want[0], list) else want), f"{url}: the explorer shows another output"
        assert page.locator(".cc-ex-error:not(:empty)").count() == 0, f"{url}: an error is shown"
    assert not page.offsite_requests and not page.console_errors


# (field to change, value, error slot, text the message must contain)
BAD = [
    ("kh", "7", "kernel", "no larger than the padded input (6×7)"),  # kernel larger than the padded input
    ("dh", "3", "kernel", "a kernel (dilated span 7×2)"),  # the dilated kernel does not fit
    ("xw", "2.5", "input", "a whole number from 1 to 16"),  # a non-integer size
    ("xh", "", "input", "but received nothing"),  # an empty size
    ("xw", "17", "input", "a whole number from 1 to 16"),  # past the page's limit
    ("kw", "0", "kernel", "a whole number from 1 to 9"),
    ("sh", "x", "stride", "a whole number from 1 to 4"),
    ("pl", "-1", "padding", "a whole number from 0 to 8"),
    ("cell", "abc", "input", "numbers only"),  # a value that is not a number
    ("cell", "", "input", "an empty cell"),
    ("cell", "1e9", "input", "magnitude at most 999"),
]


class SharedExplorer:
    """One explorer page opened on SPEC, shared by tests that put back what they change (and check
    that they did): reopened in a fresh context whenever it is not as opened (another state, an
    error or a greyed result shown, anything recorded that check_requests would report)."""

    def __init__(self, browser, server: str) -> None:
        self.browser, self.server = browser, server
        self.context = self.page = self.state = None

    def pristine(self):
        page = self.page
        if page is None or self.now(page) != self.state or page.console_errors or page.failed_requests or page.offsite_requests or page.evaluate(
            "document.getElementById('cc-explore').classList.contains('cc-ex--stale') || !!document.querySelector('.cc-ex-error:not(:empty)')"
        ):
            self.close()
            self.context, page = open_recorded_page(self.browser, self.server)
            open_explorer(page, self.server)
            self.page, self.state = page, self.now(page)
        return page

    @staticmethod
    def now(page) -> str:
        """The explorer's whole state (what its URL holds)."""
        return page.evaluate("JSON.stringify(window.convcardsExplorer.state())")

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = None


@pytest.fixture(scope="module")
def shared_explorer(browser, server):
    shared = SharedExplorer(browser, server)
    yield shared
    shared.close()


@pytest.mark.parametrize(("name", "value", "slot", "text"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_a_bad_value_gets_its_message_and_the_last_result_stays(shared_explorer, name, value, slot, text):
    page = shared_explorer.pristine()  # SPEC as opened; this test puts every value back (checked below)
    assert grid_values(page, "output") == core.corr2d(X, K, P).tolist()
    before = grid_values(page, "output")
    target = page.locator("[data-grid=x-edit] input").nth(3) if name == "cell" else page.locator(f"input[name={name}]")
    old = target.input_value()
    target.fill(value)
    msg = page.locator(f"[data-error={slot}]")
    assert text in msg.inner_text(), msg.inner_text()
    assert page.locator(".cc-ex-error:not(:empty)").count() == 1
    assert page.evaluate("document.getElementById('cc-explore').classList.contains('cc-ex--stale')")
    assert page.locator(".cc-ex-stale-note").is_visible()  # says that what is shown is the last valid result
    assert grid_values(page, "output") == before  # the last valid result, greyed
    assert page.evaluate("getComputedStyle(document.querySelector('.cc-ex-results')).filter") == "grayscale(1)"
    target.fill(old)
    assert msg.inner_text() == ""
    assert not page.evaluate("document.getElementById('cc-explore').classList.contains('cc-ex--stale')")
    assert not page.locator(".cc-ex-stale-note").is_visible()
    assert grid_values(page, "output") == before
    assert shared_explorer.now(page) == shared_explorer.state  # every value put back
    check_requests(page)  # no console error, nothing thrown, nothing off the site


def test_output_padding_not_below_stride_or_dilation_is_refused(browser, server):
    context, page = open_recorded_page(browser, server)
    y = np.array([[1, 2], [3, 4]])
    open_explorer(page, server, spec.ExampleSpec("t", "transposed_convolution", y, K, core.ConvParams(stride=(2, 2))))
    page.locator("input[name=aw]").fill("2")
    msg = page.locator("[data-error=output_padding]").inner_text()
    assert (
        msg
        == "output padding: expected "
        + spec.RULE_MESSAGES["output_padding"].format(stride=2, dilation=1, axis="columns")
        + ", but received 2."
    )
    page.locator("input[name=aw]").fill("1")
    assert page.locator("[data-error=output_padding]").inner_text() == ""
    assert grid_values(page, "output") == core.transposed_via_matrix(y, K, core.ConvParams(stride=(2, 2), output_padding=(0, 1))).tolist()
    check_requests(page)
    context.close()


def test_shortcuts_random_values_and_presets(page, server):
    open_explorer(page, server)
    page.locator("button[data-pad=full]").click()
    assert [page.locator(f"input[name={n}]").input_value() for n in ("pt", "pb", "pl", "pr")] == ["2", "2", "1", "1"]
    page.locator("button[data-pad=same]").click()
    p_same = core.ConvParams(stride=P.stride, padding=(1, 1, 0, 1))
    assert grid_values(page, "output") == core.corr2d(X, K, p_same).tolist()
    seed = int(page.locator("input[name=seed]").input_value())
    page.locator("button[data-action=random]").click()
    assert int(page.locator("input[name=seed]").input_value()) == seed + 1
    xs = page.evaluate("[...document.querySelectorAll('[data-grid=x-edit] input')].map(i => Number(i.value))")
    assert len(xs) == X.size and all(-3 <= v <= 3 and v == int(v) for v in xs) and xs != X.ravel().tolist()
    page.locator("select[name=preset]").select_option("identity")
    x_now = np.array(xs).reshape(X.shape)
    ident = np.zeros(K.shape, dtype=int)
    ident[1, 0] = 1
    assert grid_values(page, "output") == core.corr2d(x_now, ident, p_same).tolist()


def test_axe_dark_error_state_and_a_phone(browser, server):
    context, page = open_recorded_page(browser, server, viewport=MOBILE, color_scheme="dark")
    big = spec.ExampleSpec("b", "cross_correlation", np.arange(256).reshape(16, 16) % 7 - 3, np.ones((5, 5), dtype=int), core.ConvParams())
    open_explorer(page, server, big)
    assert grid_values(page, "output") == core.corr2d(big.input, big.kernel).tolist()
    page.locator("[data-section=output] td").nth(5).hover()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than a 375 px phone"
    # axe on a smaller example (axe checks every cell's contrast: 36,864 of them in C above)
    open_explorer(page, server)
    page.locator("[data-section=output] td").nth(2).hover()
    page.locator("input[name=kw]").fill("20")  # an error state
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    assert not violations, json.dumps(violations, indent=1)
    page.locator("input[name=kw]").fill("2")
    assert not page.evaluate(AXE_RUN)
    page.emulate_media(color_scheme="light")
    assert not page.evaluate(AXE_RUN)
    check_requests(page)
    context.close()


def test_without_javascript_the_page_says_what_it_needs(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/explore/")
    note = page.locator(".cc-explore-nojs")
    assert note.is_visible() and "needs JavaScript" in note.inner_text()
    assert note.locator("a[href*='cards/']").count() >= 5  # the decks
    assert not page.locator("#cc-explore").is_visible()
    context.close()


# (operation, input, kernel, params): forward and transposed, 1-D and 2-D, stride, padding, dilation
IM2COL_CASES = [
    ("cross_correlation", X, K, P),
    ("convolution", X, K, core.ConvParams(stride=(1, 2), padding=(0, 2, 1, 0), dilation=(2, 1))),
    (
        "cross_correlation",
        np.array([[3, -1, 0, 2, 5, -4, 1]]),
        np.array([[2, -1, 1]]),
        core.ConvParams(stride=(1, 2), padding=(0, 0, 2, 1)),
    ),
    (
        "transposed_convolution",
        np.array([[1, -2, 3], [0, 4, -1]]),
        K,
        core.ConvParams(stride=(2, 2), padding=(1, 0, 0, 1), output_padding=(1, 0)),
    ),
    ("transposed_convolution", np.array([[2, -1], [1, 3]]), np.array([[1, 2], [-1, 0]]), core.ConvParams(stride=(1, 3), dilation=(2, 1))),
]


@pytest.mark.parametrize("case", range(len(IM2COL_CASES)))
def test_the_im2col_view_equals_the_generators(page, server, case):
    op, x, k, p = IM2COL_CASES[case]
    one_d = x.shape[0] == 1
    ex = spec.ExampleSpec("i", op, x.ravel() if one_d else x, k.ravel() if one_d else k, p)
    open_explorer(page, server, ex)
    if op == "transposed_convolution":  # the patches of the zero-inserted input, with the rotated kernel at stride 1
        out = core.transposed_via_matrix(x, k, p)
        z = core.zero_insertion_input(x, k.shape, p)
        want_p, kernel = core.im2col(z, k.shape, core.ConvParams(dilation=p.dilation)).T, core.flip(k)
    else:
        kernel = core.flip(k) if op == "convolution" else k
        out = core.corr2d(x, kernel, p)
        want_p = core.im2col(x, k.shape, p).T
    page.locator("[data-section=P] .cc-ex-mat").scroll_into_view_if_needed()  # drawn once in view
    drawn = page.wait_for_function("window.convcardsExplorer.matrix('P').drawn").json_value()
    assert drawn == want_p.tolist()
    assert mat_state(page, "P")["shape"] == (out.size, k.size)  # one row per output position, one column per tap
    pk = page.evaluate("[...document.querySelectorAll('[data-grid=Pk] > table tr')].map(tr => [...tr.cells].map(td => +td.textContent))")
    assert pk == (want_p @ kernel.ravel()).reshape(out.shape).tolist() == out.tolist()
    assert "it is equal to the output." in page.locator("[data-section=P] .cc-ex-note").text_content()
    # pointing at an output cell marks its row of P
    r, c = out.shape[0] - 1, out.shape[1] // 2
    page.locator(f"[data-section=output] table tr:nth-child({r + 1}) td:nth-child({c + 1})").hover()
    assert mat_state(page, "P")["row"] == r * out.shape[1] + c
    pointed = "[...document.querySelectorAll('[data-grid=Pk] td.cc-hl-self')].map(td => [td.parentElement.rowIndex, td.cellIndex])"
    assert page.evaluate(pointed) == [[r, c]]
    page.locator(f"[data-grid=Pk] table tr:nth-child(1) td:nth-child({c + 1})").hover()  # its cells point like the output's
    assert mat_state(page, "P")["row"] == c
    if op != "transposed_convolution":  # an input cell: the entries of P that are copies of it
        i, j = x.shape[0] - 1, x.shape[1] - 1
        page.locator("[data-grid=x-edit] input").nth(i * x.shape[1] + j).focus()
        padded = core.pad(x, p.padding)
        pi, pj = i + p.padding[0], j + p.padding[2]
        oh, ow = out.shape
        copies = set()
        for orow in range(oh):
            for ocol in range(ow):
                for a in range(k.shape[0]):
                    for b in range(k.shape[1]):
                        if (orow * p.stride[0] + a * p.dilation[0], ocol * p.stride[1] + b * p.dilation[1]) == (pi, pj):
                            copies.add((orow * ow + ocol, a * k.shape[1] + b))
        assert mat_state(page, "P")["cells"] == copies and all(want_p[rc] == padded[pi, pj] for rc in copies)


def test_a_convolution_says_which_c_its_transpose_is(page, server):
    p = core.ConvParams(padding=(1, 0, 0, 1))
    open_explorer(page, server, spec.ExampleSpec("c", "convolution", X, K, p))
    y = core.conv2d(X, K, p)
    back = core.ConvParams(padding=p.padding)  # stride 1: the transposed convolution gives the input's shape back
    shown = grid_values(page, "CTy")
    assert shown == core.transposed_via_matrix(y, core.flip(K), back).tolist()  # C of rot180(k), the C shown above
    assert shown != core.transposed_via_matrix(y, K, back).tolist()  # the cards' transposed view (C of k) differs here
    assert page.evaluate("window.convcardsExplorer.matrix('C').drawn") == core.unrolled_matrix(X.shape, core.flip(K), p).tolist()
    note = page.locator("[data-section=CTy] .cc-ex-note").text_content()  # (inner_text: '' while the section is off screen)
    assert "is the matrix above, built from" in note and "the cards' transposed view builds its" in note
    # a cross-correlation's C is k's: no such sentence
    open_explorer(page, server)
    assert "is the matrix above, built from" not in page.locator("[data-section=CTy] .cc-ex-note").text_content()


@pytest.mark.parametrize(
    "kernel, padding",
    [
        (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), (1, 1, 1, 1)),  # a delta with "same" padding: C = I
        (np.array([[0, 0, 0], [0, -1, 0], [0, 0, 0]]), (1, 1, 1, 1)),  # -I: orthonormal columns too
        (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), (0, 0, 0, 0)),  # no padding: the border columns are zero
        (K, (0, 0, 0, 0)),  # the Sobel kernel
    ],
)
def test_the_transpose_says_when_it_gives_the_input_back(page, server, kernel, padding):
    """The sentence under C^T y is decided by C's columns (C^T C = I or not), which numpy checks here."""
    p = core.ConvParams(padding=padding)
    open_explorer(page, server, spec.ExampleSpec("t", "cross_correlation", X, kernel, p))
    C = core.unrolled_matrix(X.shape, kernel, p)
    inverts = np.array_equal(C.T @ C, np.eye(C.shape[1]))
    note = page.locator("[data-section=CTy] .cc-ex-note").text_content()
    assert ("so this is the input back" in note) == inverts and ("It is not the input back" in note) == (not inverts), note
    shown = np.array(grid_values(page, "CTy"))
    assert np.array_equal(shown.ravel(), C.T @ C @ X.ravel())  # C^T y with y = C x
    if inverts:
        assert np.array_equal(shown, X)  # the input back, as the sentence says


# A hash of everything a canvas matrix shows (its pixels), to compare two drawings of it.
CANVAS_HASH = """mat => {
  const cv = document.querySelector(`[data-section=${mat}] .cc-ex-mat canvas`);
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619) >>> 0;
  return [cv.width, cv.height, h];
}"""
AFTER_FRAME = "new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"


def test_an_edit_redraws_the_cells_of_c_as_a_whole_drawing_would(browser, server):
    """A kernel edit redraws only the cells of C whose value changed: the pixels must be those a
    whole drawing of the new C gives (fractional device pixels, C scrolled, a row marked)."""
    context, page = open_recorded_page(browser, server, device_scale_factor=1.5)
    x8 = (np.arange(64).reshape(8, 8) * 7) % 9 - 4
    k3 = np.array([[1, -2, 0], [3, 1, -1], [0, 2, 5]])
    open_explorer(page, server, spec.ExampleSpec("c", "cross_correlation", x8, k3, core.ConvParams()))
    box = page.locator("[data-section=C] .cc-ex-mat")
    box.scroll_into_view_if_needed()
    page.evaluate("() => { const b = document.querySelector('[data-section=C] .cc-ex-mat'); b.scrollTop = 37; b.scrollLeft = 53; }")
    page.evaluate(AFTER_FRAME)
    page.locator("[data-section=output] table tr:nth-child(3) td:nth-child(2)").hover()  # a row band and marked cells in C
    for i, value in enumerate(["-7", "12", "0"]):  # the last one turns the entries into zeros (drawn muted)
        cell = page.locator("[data-grid=k-edit] input").nth(i * 4)
        cell.fill(value)
        page.evaluate(AFTER_FRAME)
        k3.flat[i * 4] = int(value)
        assert page.evaluate("window.convcardsExplorer.matrix('C').drawn") == core.unrolled_matrix(x8.shape, k3, core.ConvParams()).tolist()
        edited = page.evaluate(CANVAS_HASH, "C")
        # scrolling away and back draws C whole at the same place
        page.evaluate("() => { const b = document.querySelector('[data-section=C] .cc-ex-mat'); b.scrollTop += 18; }")
        page.evaluate(AFTER_FRAME)
        assert page.evaluate(CANVAS_HASH, "C") != edited  # (the scroll did draw something else)
        page.evaluate("() => { const b = document.querySelector('[data-section=C] .cc-ex-mat'); b.scrollTop -= 18; }")
        page.evaluate(AFTER_FRAME)
        assert page.evaluate(CANVAS_HASH, "C") == edited, f"edit {i}: the cells redrawn differ from a whole drawing"
    check_requests(page)
    context.close()


def test_sections_off_screen_follow_an_edit_once_its_frame_is_shown(page, server):
    """An edit of values updates the sections off screen (C x, C^T y, P, P vec(w)) right after the
    frame that shows it: soon, and equal to the generator's."""
    open_explorer(page, server)
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate(AFTER_FRAME)
    x = X.copy()
    for n, value in [(7, "-9"), (20, "6")]:
        page.locator("[data-grid=x-edit] input").nth(n).fill(value)
        x.flat[n] = int(value)
        y = core.corr2d(x, K, P)
        C = core.unrolled_matrix(x.shape, K, P)
        want = {"Cx": y.tolist(), "CTy": (C.T @ y.ravel()).reshape(x.shape).tolist()}
        page.wait_for_function(
            """want => Object.keys(want).every(s => JSON.stringify(
                 [...document.querySelectorAll(`[data-section=${s}] .cc-ex-scroll > table tr`)]
                   .map(tr => [...tr.cells].map(td => Number(td.textContent)))) === JSON.stringify(want[s]))""",
            arg=want,
            timeout=3000,
        )
        pk = "[...document.querySelectorAll('[data-grid=Pk] > table tr')].map(tr => [...tr.cells].map(td => +td.textContent))"
        assert page.evaluate(pk) == y.tolist()
        assert page.evaluate("window.convcardsExplorer.matrix('P').values") == core.im2col(x, K.shape, P).T.tolist()
    check_requests(page)


# Everything the explorer writes for a reader: its text, the TeX of every formula, each canvas's
# accessible name and read-out line, and the page's headings.
EXPLORER_WORDS = """() => {
  const root = document.querySelector('#cc-explore');
  const tex = [...root.querySelectorAll('annotation[encoding="application/x-tex"]')].map(a => '\\\\(' + a.textContent + '\\\\)');
  const raw = [...root.querySelectorAll('.arithmatex')].filter(e => !e.querySelector('.katex')).map(e => e.textContent);
  const names = [...root.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'));
  return [root.innerText, ...tex, ...raw, ...names].join('\\n');
}"""


@pytest.mark.parametrize("op", ["cross_correlation", "convolution", "transposed_convolution"])
def test_the_explorer_writes_the_sites_notation(page, server, op):
    """One meaning per symbol (the notation page; tests/test_notation.py's registry) holds on the
    explorer too: the kernel is w (k only its size), and im2col's P (one column per window) is
    shown transposed and called P^T, never P, since its rows are the windows."""
    from test_notation import SYMBOLS, misuses

    ex = SPEC if op != "transposed_convolution" else spec.ExampleSpec("t", op, X[:3, :3], K, core.ConvParams(stride=(2, 1)))
    open_explorer(page, server, spec.ExampleSpec("n", op, ex.input, ex.kernel, ex.params))
    page.locator("[data-section=output] td").nth(1).hover()  # the read-out lines say their sentences
    words = page.evaluate(EXPLORER_WORDS)
    found = misuses(words)
    for sym in SYMBOLS:  # the plain-text forms, over all the words (the page has no code comments or alt texts)
        found += [f"{sym.name} as {other}: {hit.group(0)!r}" for rx, other in sym.text_misuse for hit in re.finditer(rx, words)]
    assert not found, "\n".join(found)
    # the patch matrix: rows are windows, so it is P^T; a bare P names only the cards' P (a column per window)
    heading = page.locator("[data-section=P] h2, [data-section=P] h3").first.text_content()
    assert "P^\\top" in page.locator("[data-section=P]").first.inner_html() and "transposed" in heading, heading
    said = page.locator("[data-section=P] [role=status]").first.text_content() or ""
    assert re.search(r"\bof P\b(?!\u1d40)", said) is None, said
