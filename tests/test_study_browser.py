"""Study mode and the home grid in Chromium: flipping, deck choice, math on both faces, keyboard
use, the page without JavaScript, the home grid. The scheduler (FSRS) is tested in
tests/test_schedule_browser.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

STORE = "convcards.study.v2"


def open_study(page, server):
    page.goto(server + "/study/")
    page.wait_for_selector("#cc-study[data-ready=true]")
    return page


def study_data(site_dir) -> dict:
    return json.loads((site_dir / "data/study.json").read_text())


def store(page) -> dict:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{STORE}') || 'null')") or {"items": {}}


def queue(page) -> list[str]:
    return page.evaluate("window.convcardsStudy.queue()")


def current(page) -> str:
    return page.get_attribute(".cc-study__card", "data-item")


def back_visible(page) -> bool:
    return page.is_visible(".cc-study__back")


def flip_and_grade(page, grade: int) -> str:
    """Flip the current card and grade it: 1 Again, 2 Hard, 3 Good, 4 Easy."""
    item = current(page)
    page.click(".cc-study__flip")
    page.click(f".cc-study__grade[data-grade='{grade}']")
    return item


def test_study_page_loads_clean(page, server):
    open_study(page, server)
    assert not page.is_visible(".cc-study-nojs")
    assert page.is_visible(".cc-study__front")
    assert not back_visible(page)
    assert page.offsite_requests == []
    assert page.console_errors == []
    for sel in (".cc-study__flip", ".cc-study__shuffle", ".cc-study__reset"):
        assert page.get_attribute(sel, "aria-label"), sel
    page.click(".cc-study__flip")
    for g, name in enumerate(("Again", "Hard", "Good", "Easy"), start=1):
        label = page.get_attribute(f".cc-study__grade[data-grade='{g}']", "aria-label")
        assert label.startswith(f"{name} in ") and label.endswith(f"(key {g})"), label
    assert page.get_attribute(".cc-study__announce", "aria-live") == "assertive"


def test_flip_by_click(page, server):
    open_study(page, server)
    assert page.inner_html(".cc-study__back") == ""  # nothing of the answer before the flip
    page.click(".cc-study__card")
    assert back_visible(page)
    assert page.get_attribute(".cc-study__card", "data-flipped") == "true"
    page.wait_for_function("document.querySelector('.cc-study__announce').textContent.includes('Answer shown')")
    page.click(".cc-study__flip")
    assert not back_visible(page)
    assert page.get_attribute(".cc-study__flip", "aria-expanded") == "false"


def test_flip_by_keyboard(page, server):
    open_study(page, server)
    page.focus(".cc-study__flip")
    page.keyboard.press("Enter")
    assert back_visible(page)
    page.keyboard.press("Space")
    assert not back_visible(page)
    # with the focus on the page itself (not on a control), Space and Enter flip too
    page.evaluate("document.activeElement.blur()")
    y = page.evaluate("window.scrollY")
    page.keyboard.press("Space")
    assert back_visible(page)
    page.keyboard.press("Enter")
    assert not back_visible(page)
    assert page.evaluate("window.scrollY") == y  # Space flipped the card instead of scrolling the page


def test_choose_decks_and_practice(page, server, site_dir):
    data = study_data(site_dir)
    deck_of = {it["id"]: it["deck"] for it in data["items"]}
    open_study(page, server)
    assert not page.is_visible(".cc-study__deck-list")  # the settings start closed
    page.click(".cc-study__settings > summary")
    boxes = page.locator(".cc-study__deck-list input[name=deck]")
    assert boxes.count() == len(data["decks"])
    keep = data["decks"][0]["id"]
    for d in data["decks"][1:]:
        page.uncheck(f".cc-study__deck-list input[value='{d['id']}']")
    q = queue(page)
    assert q and {deck_of[i] for i in q} == {keep}
    assert len(q) == min(20, data["decks"][0]["items"])  # new cards: at most 20 a day
    page.uncheck("input[name=practice]")
    q = queue(page)
    assert q and all(it["kind"] == "card" for it in data["items"] if it["id"] in q)
    assert "1 of" in page.inner_text(".cc-study__settings > summary")
    assert "left out" in page.inner_text(".cc-study__settings > summary")
    page.reload()
    page.wait_for_selector("#cc-study[data-ready=true]")
    assert queue(page) == q  # the choice is remembered


def test_math_renders_on_both_faces(page, server):
    open_study(page, server)
    faces_with_math = {"front": 0, "back": 0}
    for _ in range(8):
        if current(page) is None:
            break
        page.click(".cc-study__flip")
        for face in ("front", "back"):
            sel = f".cc-study__{face}"
            n_math = page.locator(f"{sel} .arithmatex").count()
            assert page.locator(f"{sel} .katex-error").count() == 0
            assert page.locator(f"{sel} .arithmatex[data-katex=done] .katex").count() == n_math
            faces_with_math[face] += n_math > 0
        page.click(".cc-study__grade[data-grade='4']")
    assert faces_with_math["front"] > 0 and faces_with_math["back"] > 0
    assert page.console_errors == []


def test_keyboard_only_no_trap_and_visible_focus(page, server):
    open_study(page, server)
    page.focus(".cc-study__flip")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # to "Again"
    assert page.evaluate("document.activeElement.getAttribute('data-grade')") == "1"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    left = False
    for _ in range(60):
        page.keyboard.press("Tab")
        if not page.evaluate("document.getElementById('cc-study').contains(document.activeElement)"):
            left = True
            break
    assert left, "Tab never leaves study mode"


def test_without_javascript(browser, server, site_dir):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server + "/study/")
    assert page.is_visible(".cc-study-nojs")
    assert "needs JavaScript" in page.inner_text(".cc-study-nojs")
    assert not page.is_visible("#cc-study")
    links = page.eval_on_selector_all(".cc-study-nojs a", "els => els.map(a => a.getAttribute('href'))")
    for d in study_data(site_dir)["decks"]:
        assert any(f"cards/{d['id']}/" in h for h in links), d["id"]
    ctx.close()


def test_home_grid_lists_every_deck_and_card(page, server, site_dir):
    cards = json.loads((site_dir / "data/cards.json").read_text())["cards"]
    data = study_data(site_dir)
    page.goto(server + "/")
    for d in data["decks"]:
        assert page.locator(f"#deck-{d['id']}").count() == 1
        el = page.locator(f".cc-deck-progress[data-deck='{d['id']}']")
        assert el.count() == 1
        assert el.get_attribute("data-total") == str(d["items"])
    tiles = page.locator(".cc-home-grid li")
    assert tiles.count() == len(cards)
    for c in cards:
        link = page.locator(f".cc-home-grid a[href$='cards/{c['deck']}/{c['id']}/']")
        assert link.count() == 1, c["id"]
    # one click on a tile opens its card
    page.locator(".cc-home-grid li").first.click(position={"x": 20, "y": 60})
    page.wait_for_url(f"**/cards/{cards[0]['deck']}/{cards[0]['id']}/")
    assert page.console_errors == []


def test_home_shows_due_counts_and_progress(page, server, site_dir):
    data = study_data(site_dir)
    page.goto(server + "/")
    for d in data["decks"]:  # nothing studied: nothing due, today's new cards
        el = page.locator(f".cc-deck-progress[data-deck='{d['id']}']")
        el.wait_for(state="visible")
        assert el.inner_text().strip() == f"0 cards due today \u00b7 {min(20, d['items'])} new"
    open_study(page, server)
    first = current(page)
    deck = next(it["deck"] for it in data["items"] if it["id"] == first)
    flip_and_grade(page, 4)  # Easy: in review, due in days
    flip_and_grade(page, 1)  # Again: due again today
    page.goto(server + "/")
    el = page.locator(f".cc-deck-progress[data-deck='{deck}']")
    el.wait_for(state="visible")
    assert el.get_attribute("data-studied") == "2"
    assert el.get_attribute("data-learned") == "1"
    assert el.get_attribute("data-due") == "1"
    assert el.get_attribute("data-new") == "18"  # 20 a day, 2 seen
    assert "1 card due today \u00b7 18 new" in el.inner_text()
    others = [d["id"] for d in data["decks"] if d["id"] != deck]
    for d in others:
        assert page.locator(f".cc-deck-progress[data-deck='{d}']").get_attribute("data-studied") == "0"
    assert axe_violations(page, ".md-content") == []


AXE = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_flipped_card_passes_axe(browser, server, color_scheme):
    """axe-core on study mode with a card flipped (the state the page-wide check does not see)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    page = ctx.new_page()
    page.goto(server + "/study/")
    page.wait_for_selector("#cc-study[data-ready=true]")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == ("slate" if color_scheme == "dark" else "default")
    page.click(".cc-study__settings > summary")
    page.click(".cc-study__flip")
    found = axe_violations(page, "#cc-study")
    ctx.close()
    assert found == []


def axe_violations(page, selector: str) -> list[str]:
    """Serious and critical axe-core violations inside ``selector``."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `npm ci` (or `make test`, which does)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (sel) => {
            const r = await axe.run(document.querySelector(sel), {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }""",
        selector,
    )
