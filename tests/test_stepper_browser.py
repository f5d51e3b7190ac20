"""The stepper (docs/javascripts/stepper.js) in Chromium: on a card and on the gallery.

Mouse and keyboard step, play and pause; the highlighted cells, output entry and row of C are
those of the step data the generator wrote (read here from the built site); reduced motion stops
the gallery's autoplay; no console error, nothing off-site, axe-core clean in light and dark; at
375 px the page does not scroll sideways; in print the stepper is hidden and the figure shows.
"""

from __future__ import annotations

import json

import pytest
from conftest import open_recorded_page
from test_browser_pages import AXE, run_axe, run_axe_dark, shown_elements, toggle_palette

pytestmark = pytest.mark.browser

CARD = "cards/sliding-window/cross-correlation/"
STEPS = "cards/sliding-window/figures/cross-correlation-sobel-sliding-window.steps.json"


def steps_of(site_dir, rel: str) -> dict:
    return json.loads((site_dir / rel).read_text(encoding="utf-8"))


def state(stepper) -> dict:
    """What the stepper shows: its step, highlighted cells per grid, highlighted matrix cells, status and sum."""
    return stepper.evaluate(
        """st => {
      const grids = {};
      st.querySelectorAll('table.cc-stepper-grid:not(.cc-stepper-mat)').forEach(t => {
        const id = t.dataset.grid;
        grids[id] = [];
        t.querySelectorAll('tr').forEach((tr, r) => tr.querySelectorAll('td').forEach((td, c) => {
          if (td.classList.contains('is-on')) grids[id].push([r, c, td.textContent]);
        }));
      });
      const mat = [];
      st.querySelectorAll('table.cc-stepper-mat tr').forEach((tr, r) => tr.querySelectorAll('td').forEach((td, c) => {
        if (td.classList.contains('is-on')) mat.push([r, c]);
      }));
      return {step: +st.dataset.step, grids, mat, status: st.querySelector('.cc-stepper-status').textContent,
              live: st.querySelector('.cc-stepper-status').getAttribute('aria-live'),
              expr: st.querySelector('.cc-stepper-expr').textContent,
              play: st.querySelector('.cc-stepper-play').getAttribute('aria-label')};
    }"""
    )


def check_step(stepper, data: dict, k: int) -> None:
    s = state(stepper)
    st = data["steps"][k]
    assert s["step"] == k
    assert sorted(c[:2] for c in s["grids"]["input"]) == sorted(st["cells"]["input"]), f"step {k}: window"
    assert [c[:2] for c in s["grids"]["output"]] == st["cells"]["output"], f"step {k}: output entry"
    assert s["grids"]["output"][0][2] == st["value"]
    assert s["expr"] == st["expr"]
    n_cols = len(data["matrix"]["cells"][0])
    assert s["mat"] == [[st["line"], c] for c in range(n_cols)], f"step {k}: the highlighted row of C is row {st['line'] + 1}"
    assert f"{k + 1} of {len(data['steps'])}" in s["status"] and f"Row {st['line'] + 1} of C" in s["status"]


def open_card(page, server):
    page.goto(f"{server}/{CARD}", wait_until="load")
    page.locator("details:has(img.cc-stepped) > summary").first.click()
    page.wait_for_selector(".cc-stepper")
    return page.locator(".cc-stepper").first


def test_card_stepper_mouse_and_keyboard(page, server, site_dir):
    data = steps_of(site_dir, STEPS)
    n = len(data["steps"])
    st = open_card(page, server)
    # the stepper is the figure's enhanced form: in its place, the static figure behind a button
    img = page.locator("img.cc-stepped").first
    assert img.is_hidden(), "on screen the stepper replaces the static figure"
    assert st.evaluate("s => s.nextElementSibling.contains(document.querySelector('img.cc-stepped'))"), "the figure follows it"
    assert st.get_by_role("button", name="Show the whole figure").count() == 1
    toggle = st.locator("button.cc-stepper-static")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert img.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    st.get_by_role("button", name="Hide the whole figure").click()
    assert img.is_hidden()
    for label in ("Back one output position", "Play", "Forward one output position"):
        assert st.get_by_role("button", name=label).count() == 1, label
    assert st.get_by_label("Jump to output position").count() == 1
    check_step(st, data, 0)
    # mouse: forward through every position, the highlighted row of C following; then back
    for k in range(1, n):
        st.get_by_role("button", name="Forward one output position").click()
        check_step(st, data, k)
        assert state(st)["live"] == "polite", "a step the learner takes is announced"
    st.get_by_role("button", name="Forward one output position").click()
    check_step(st, data, 0)  # wraps around
    st.get_by_role("button", name="Back one output position").click()
    check_step(st, data, n - 1)
    # keyboard: Tab to a button, Enter and Space press it; arrows, Home and End step
    st.get_by_role("button", name="Back one output position").focus()
    page.keyboard.press("Enter")
    check_step(st, data, n - 2)
    page.keyboard.press("Home")
    check_step(st, data, 0)
    page.keyboard.press("ArrowRight")
    check_step(st, data, 1)
    page.keyboard.press("End")
    check_step(st, data, n - 1)
    page.keyboard.press("ArrowLeft")
    check_step(st, data, n - 2)
    page.keyboard.press("Tab")  # to Play
    page.keyboard.press("Tab")  # to Forward
    page.keyboard.press("Space")
    check_step(st, data, n - 1)
    # jump to a position with the list
    st.get_by_label("Jump to output position").select_option(str(1))
    check_step(st, data, 1)
    # play, then pause: it moves while playing and stops when paused
    st.get_by_role("button", name="Play").click()
    assert state(st)["play"] == "Pause" and state(st)["live"] == "off", "silent while playing"
    page.wait_for_function("s => +document.querySelector('.cc-stepper').dataset.step !== 1", arg=None, timeout=4000)
    st.get_by_role("button", name="Pause").click()
    stopped = state(st)["step"]
    page.wait_for_timeout(1700)
    assert state(st)["step"] == stopped and state(st)["play"] == "Play"
    check_step(st, data, stopped)
    assert page.console_errors == [] and page.offsite_requests == [] and page.failed_requests == []


def test_gallery_autoplays_and_reduced_motion_stops_it(browser, server, site_dir):
    ctx, page = open_recorded_page(browser, server)
    page.goto(f"{server}/gallery/", wait_until="load")
    page.wait_for_selector(".cc-stepper")
    first = page.locator(".cc-stepper").first
    page.wait_for_function("() => +document.querySelector('.cc-stepper').dataset.step > 0", timeout=5000)
    assert state(first)["play"] == "Pause", "the gallery plays the case on screen"
    strip = page.locator("details.cc-strip").first
    assert strip.evaluate("d => !d.open && d.previousElementSibling.classList.contains('cc-stepper')"), (
        "the stepper stands before the closed reveal of the strip"
    )
    assert page.console_errors == [] and page.offsite_requests == [] and page.failed_requests == []
    ctx.close()
    ctx, page = open_recorded_page(browser, server, reduced_motion="reduce")
    page.goto(f"{server}/gallery/", wait_until="load")
    page.wait_for_selector(".cc-stepper")
    page.wait_for_timeout(3200)
    steps = page.evaluate("[...document.querySelectorAll('.cc-stepper')].map(s => +s.dataset.step)")
    assert steps and set(steps) == {0}, "with reduced motion nothing plays by itself"
    assert state(page.locator(".cc-stepper").first)["play"] == "Play"
    ctx.close()


def test_gallery_case_numbers_match_its_data(page, server, site_dir):
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{server}/gallery/", wait_until="load")
    page.wait_for_selector(".cc-stepper")
    case = "padding-strides-transposed"
    data = steps_of(site_dir, f"downloads/gallery/{case}.steps.json")
    st = page.locator(f"h2#{case} ~ section.cc-stepper").first
    for k in (0, 3, len(data["steps"]) - 1):
        st.get_by_label("Jump to output position").select_option(str(k))
        s = state(st)
        assert s["expr"] == data["steps"][k]["expr"]
        assert sorted(c[:2] for c in s["grids"]["input"]) == sorted(data["steps"][k]["cells"]["input"])
        assert [c[:2] for c in s["grids"]["output"]] == data["steps"][k]["cells"]["output"]
        assert s["mat"] == [[data["steps"][k]["line"], c] for c in range(len(data["matrix"]["cells"][0]))]
    # each case links to its card and to its downloads
    for link in ("../cards/transposed/zero-insertion/", f"../downloads/gallery/{case}.gif", f"../downloads/gallery/{case}.svg"):
        assert page.locator(f"a[href='{link}']").count() >= 1, link


@pytest.mark.parametrize("path", [CARD, "gallery/"])
def test_axe_light_dark_and_375px(browser, server, path):
    assert AXE.exists(), "axe-core is not installed: run `npm ci`"
    ctx, page = open_recorded_page(browser, server, reduced_motion="reduce")
    page.goto(f"{server}/{path}", wait_until="load")
    if path == CARD:
        page.locator("details:has(img.cc-stepped) > summary").first.click()
    page.wait_for_selector(".cc-stepper")
    violations, shown_in_light = run_axe(page, "light"), shown_elements(page)
    toggle_palette(page)
    violations += run_axe_dark(page, shown_in_light)  # colours only change: colour rules, every rule on the toggle
    assert not violations, "\n".join(violations)
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(100)
    over = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert over <= 0, f"the page scrolls sideways by {over}px at 375 px"
    box = page.locator(".cc-stepper").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    if path == CARD:
        assert page.locator("img.cc-stepped").first.is_hidden(), "on screen the stepper stands for the figure"
    page.emulate_media(media="print")
    assert page.locator(".cc-stepper").first.is_hidden(), "the stepper is not printed"
    assert page.locator("img.cc-stepped").first.is_visible(), "the static figure is printed"
    assert page.console_errors == [] and page.offsite_requests == [] and page.failed_requests == []
    ctx.close()


def test_without_javascript_the_static_figure_is_all(browser, server):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{server}/{CARD}", wait_until="load")
    page.locator("details:has(img.cc-stepped) > summary").first.click()
    assert page.locator("img.cc-stepped").first.is_visible() and page.locator(".cc-stepper").count() == 0
    page.goto(f"{server}/gallery/", wait_until="load")
    assert page.locator(".cc-stepper").count() == 0
    page.locator("details.cc-strip > summary").first.click()  # every frame, one click away
    assert page.locator("img.cc-stepped").first.is_visible()
    ctx.close()


# one card of each kind stepped later: (page, step data, the grids whose lit cells are checked)
KINDS = [
    ("cards/correlation/conv-vs-corr/", "cards/correlation/figures/conv-vs-corr-asymmetric-corr-conv-windows.steps.json"),
    ("cards/conventions/dilation-conventions/", "cards/conventions/figures/dilation-conventions-dilated-dilation-conventions.steps.json"),
    ("cards/sliding-window/output-size/", "cards/sliding-window/figures/output-size-wide-window-coverage.steps.json"),
    ("cards/conventions/floor-vs-invalid/", "cards/conventions/figures/floor-vs-invalid-dropped-coverage.steps.json"),
    ("cards/sliding-window/channels/", "cards/sliding-window/figures/channels-two-in-two-out-channel-kernels.steps.json"),
    ("cards/matrix/multi-channel-matrix/", "cards/matrix/figures/multi-channel-matrix-two-by-two-channel-blocks.steps.json"),
    ("cards/sliding-window/pooling/", "cards/sliding-window/figures/pooling-data-pooling-windows.steps.json"),
]


@pytest.mark.parametrize("path,rel", KINDS, ids=[k[0].split("/")[-2] for k in KINDS])
def test_each_kind_steps_with_its_row_of_c(browser, server, site_dir, path, rel):
    """Forward through every step and back by keyboard: every grid's lit cells, the sum, the status and the
    highlighted row of C are those of the step data; axe-clean; the static figure hidden behind its button."""
    data = steps_of(site_dir, rel)
    ctx, page = open_recorded_page(browser, server, reduced_motion="reduce")
    page.goto(f"{server}/{path}", wait_until="load")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    name = rel.rsplit("/", 1)[1].replace(".steps.json", ".svg")
    page.wait_for_selector(f"img[src$='{name}'][data-cc-stepper=ready]", state="attached")
    # the stepper of this figure: the one just before it
    page.evaluate(
        """name => [...document.querySelectorAll('section.cc-stepper')].find(s =>
             s.nextElementSibling && s.nextElementSibling.matches(`img[src$='${name}'], :has(img[src$='${name}'])`)
           ).setAttribute('data-test', 'this')""",
        name,
    )
    st = page.locator("section.cc-stepper[data-test=this]")
    assert page.locator(f"img[src$='{name}']").is_hidden()
    n = len(data["steps"])
    n_cols = len(data["matrix"]["cells"][0])

    def check(k: int) -> None:
        s, want = state(st), data["steps"][k]
        assert s["step"] == k
        for gid, cells in want["cells"].items():
            assert sorted(c[:2] for c in s["grids"][gid]) == sorted(cells), f"step {k}: grid {gid}"
        for gid, lit in s["grids"].items():
            assert lit == [] or gid in want["cells"], f"step {k}: grid {gid} lit but not in the step"
        assert s["expr"] == want["expr"]
        assert s["mat"] == [[want["line"], c] for c in range(n_cols)], f"step {k}: row {want['line'] + 1} of C"
        assert f"{k + 1} of {n}" in s["status"] and f"Row {want['line'] + 1} of C" in s["status"]

    check(0)
    forward = st.locator(".cc-stepper-forward")
    for k in range(1, n):
        forward.click()
        check(k)
    page.keyboard.press("Home")
    check(0)
    page.keyboard.press("ArrowLeft")
    check(n - 1)
    violations, shown_in_light = run_axe(page, "light"), shown_elements(page)
    toggle_palette(page)
    violations += run_axe_dark(page, shown_in_light)  # colours only change: colour rules, every rule on the toggle
    assert not violations, "\n".join(violations)
    assert page.console_errors == [] and page.offsite_requests == [] and page.failed_requests == []
    ctx.close()
