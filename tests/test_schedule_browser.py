"""Study mode's scheduler in Chromium (study.js, progress.js, ts-fsrs from vendor/): four grades
and their keys, due dates, "N cards due today · M new", the daily new-card limit, study ahead,
a typed answer grading the card, the clock moved a day, the migration of a stored v1 (Leitner
boxes) state, corrupt and foreign storage, export and import of progress, axe-core and 375 px.

The clock is fixed: window.convcardsNow is set before the page's scripts run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import open_recorded_page
from test_study_browser import axe_violations, current, queue, study_data

pytestmark = pytest.mark.browser

STORE = "convcards.study.v2"
OLD_STORE = "convcards.study.v1"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def at(t: datetime):
    """A context option: the page's clock is ``t`` (set before any script runs)."""
    return f"window.convcardsNow = {json.dumps(iso(t))};"


@pytest.fixture
def study(browser, server):
    """Open study mode at a fixed time (UTC, as the learner's time zone) with given storage."""
    contexts = []

    def open_(t: datetime = NOW, storage: dict[str, str] | None = None, width: int = 1280, color_scheme: str = "light"):
        ctx, page = open_recorded_page(browser, server, timezone_id="UTC", viewport={"width": width, "height": 900},
                                       color_scheme=color_scheme, accept_downloads=True)
        contexts.append(ctx)
        ctx.add_init_script(at(t))
        if storage:
            ctx.add_init_script("const s = " + json.dumps(storage) + "; if (!sessionStorage.getItem('seeded')) {"
                                " for (const k in s) localStorage.setItem(k, s[k]); sessionStorage.setItem('seeded', '1'); }")
        page.goto(server + "/study/")
        page.wait_for_selector("#cc-study[data-ready=true]")
        return page

    yield open_
    for c in contexts:
        c.close()


def reopen(page, t: datetime):
    """The same browser (same storage) at another time."""
    page.context.add_init_script(at(t))
    page.reload()
    page.wait_for_selector("#cc-study[data-ready=true]")
    return page


def saved(page) -> dict:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{STORE}') || 'null')")


def grade(page, g: int, key: bool = False) -> str:
    item = current(page)
    page.click(".cc-study__flip")
    if key:
        page.keyboard.press(str(g))
    else:
        page.click(f".cc-study__grade[data-grade='{g}']")
    return item


def due_of(page, item: str) -> datetime:
    return datetime.fromisoformat(saved(page)["items"][item]["due"].replace("Z", "+00:00"))


def test_four_grades_give_ordered_due_dates(study):
    page = study()
    assert page.inner_text(".cc-study__due") == "0 cards due today \u00b7 20 new"
    q = queue(page)
    assert len(q) == 20
    items = [grade(page, 1), grade(page, 2, key=True), grade(page, 3), grade(page, 4, key=True)]
    dues = [due_of(page, i) for i in items]
    # a new card: Again < Hard < Good within minutes (learning steps), Easy after days
    assert dues == sorted(dues) and len(set(dues)) == 4
    assert NOW < dues[0] <= NOW + timedelta(minutes=10)
    assert dues[2] <= NOW + timedelta(hours=1)
    assert dues[3] >= NOW + DAY
    s = saved(page)
    assert s["version"] == 2 and s["today"] == {"date": "2026-03-02", "newSeen": 4}
    assert [s["items"][i]["state"] for i in items] == [1, 1, 1, 2]  # learning, learning, learning, review
    # the three learning cards come back in this session; the easy one does not
    q = queue(page)
    assert all(i in q for i in items[:3]) and items[3] not in q
    assert page.inner_text(".cc-study__due") == "3 cards due today \u00b7 16 new"
    announce = page.locator(".cc-study__announce")
    assert announce.get_attribute("aria-live") == "assertive"
    page.wait_for_function("document.querySelector('.cc-study__announce').textContent.startsWith('Easy: comes back in ')")


def test_again_comes_back_after_three_cards_and_progress_survives_reload(study):
    page = study()
    first = grade(page, 1)
    assert queue(page).index(first) == 3
    page.reload()
    page.wait_for_selector("#cc-study[data-ready=true]")
    assert queue(page)[0] == first  # due today, before new cards
    assert page.inner_text(".cc-study__due").startswith("1 card due today")


def test_clock_moved_a_day(study):
    page = study()
    easy = grade(page, 4)
    good = grade(page, 3)
    due_easy = due_of(page, easy)
    assert easy not in queue(page)
    # the next day: the learning card is due; the easy card only once its day comes
    page = reopen(page, NOW + DAY)
    assert queue(page)[0] == good
    assert (easy in queue(page)) == (due_easy < datetime(2026, 3, 4, tzinfo=UTC))
    assert page.inner_text(".cc-study__due").endswith("\u00b7 20 new")  # a new day: 20 new again
    page = reopen(page, due_easy + timedelta(minutes=1))
    assert easy in queue(page)[:2]


def test_daily_new_card_limit(study):
    page = study()
    page.click(".cc-study__settings > summary")
    page.fill("input[name=new-per-day]", "3")
    page.press("input[name=new-per-day]", "Enter")
    page.locator("input[name=new-per-day]").blur()
    page.wait_for_function("window.convcardsStudy.queue().length === 3")
    assert page.inner_text(".cc-study__due") == "0 cards due today \u00b7 3 new"
    for _ in range(3):
        grade(page, 4)
    assert page.inner_text(".cc-study__due") == "0 cards due today \u00b7 0 new"
    assert current(page) is None
    assert saved(page)["settings"]["newPerDay"] == 3
    page.reload()
    page.wait_for_selector("#cc-study[data-ready=true]")
    assert page.input_value("input[name=new-per-day]") == "3"
    assert queue(page) == []


def test_study_ahead_when_nothing_is_due(study):
    page = study()
    page.click(".cc-study__settings > summary")
    page.fill("input[name=new-per-day]", "2")
    page.locator("input[name=new-per-day]").blur()
    page.wait_for_function("window.convcardsStudy.queue().length === 2")
    a, b = grade(page, 4), grade(page, 4)
    assert "Nothing is due today" in page.inner_text(".cc-study__front")
    assert page.is_visible(".cc-study__ahead")
    page.click(".cc-study__ahead")
    q = queue(page)
    assert set(q) == {a, b}
    assert q == sorted(q, key=lambda i: due_of(page, i))
    assert "studying ahead" in page.inner_text(".cc-study__status")


def test_typed_answer_grades_the_card(study, site_dir):
    data = study_data(site_dir)
    expected = {it["id"]: it.get("expected") for it in data["items"]}
    page = study()
    # grade cards until a practice variant with a typed answer is shown
    for _ in range(10):
        if expected.get(current(page)):
            break
        grade(page, 4)
    item = current(page)
    exp = expected[item]
    assert exp, "no practice variant in the first cards"
    field = page.locator(".cc-study__front .cc-answer input").first
    assert "answer" in (field.get_attribute("aria-label") or field.evaluate("el => el.labels[0].textContent")).lower()
    assert page.inner_html(".cc-study__back") == ""
    fields = page.locator(".cc-study__front .cc-answer input")
    if exp["type"] == "matrix":
        vals = [v for row in exp["value"] for v in row]
        for i, v in enumerate(vals):
            fields.nth(i).fill(str(v))
    else:
        right = {"integer": lambda e: str(e["value"]), "fraction": lambda e: f"{e['numerator']}/{e['denominator']}",
                 "shape": lambda e: f"{e['value'][0]}x{e['value'][1]}"}[exp["type"]](exp)
        fields.first.fill("not a number")
        fields.first.press("Enter")
        assert "not a number" in page.inner_text(".cc-study__front .cc-answer__verdict")
        assert item not in saved(page)["items"]  # a refused reply grades nothing
        fields.first.fill(right)
    fields.last.press("Enter")
    assert page.get_attribute(".cc-study__front .cc-answer__verdict", "data-verdict") == "correct"
    rec = saved(page)["items"][item]
    assert rec["reps"] == 1 and rec["state"] == 1  # graded Good: a new card starts learning
    assert page.is_visible(".cc-study__back") and page.inner_html(".cc-study__back") != ""
    assert page.is_visible(".cc-study__next") and not page.is_visible(".cc-study__grade[data-grade='3']")
    assert page.evaluate("document.activeElement.classList.contains('cc-study__next')")
    assert "graded Good" in page.inner_text(".cc-study__status")
    page.keyboard.press("Enter")
    assert current(page) != item


def v1_state(ids: list[str], deck: str) -> dict:
    boxes = {ids[0]: 1, ids[1]: 2, ids[2]: 3, ids[3]: 5}
    return {"version": 1, "items": {i: {"box": b, "deck": deck, "seen": b, "again": 1 if b == 1 else 0} for i, b in boxes.items()},
            "settings": {"practice": True}}


def test_v1_boxes_are_migrated(study, site_dir):
    data = study_data(site_dir)
    ids = [it["id"] for it in data["items"][:4]]
    v1 = v1_state(ids, data["items"][0]["deck"])
    page = study(storage={OLD_STORE: json.dumps(v1)})
    s = saved(page)
    assert s and s["version"] == 2 and s["migrated_from"] == 1
    assert set(s["items"]) == set(ids)
    box1, box2, box3, box5 = (s["items"][i] for i in ids)
    assert box1["due"] == iso(NOW).replace("Z", ".000Z") and box1["state"] in (1, 3)  # due now, relearning
    assert box1["lapses"] == 1
    for rec, box in ((box2, 2), (box3, 3), (box5, 5)):
        assert rec["state"] == 2  # in review
        assert due_of(page, ids[[2, 3, 5].index(box) + 1]) == NOW + (box - 1) * DAY
    assert box2["stability"] < box3["stability"] < box5["stability"]
    assert json.loads(page.evaluate(f"localStorage.getItem('{OLD_STORE}')")) == v1  # the old entry is kept
    assert "carried over" in page.inner_text(".cc-study__status")
    assert queue(page)[0] == ids[0]  # box 1 is due today
    assert page.inner_text(".cc-study__due").startswith("1 card due today")
    # the scheduler takes the migrated state from there: Good on the box-5 card moves it further out
    page = reopen(page, NOW + 5 * DAY)
    while current(page) != ids[3]:
        grade(page, 3)
    grade(page, 3)
    assert due_of(page, ids[3]) > NOW + 10 * DAY


@pytest.mark.parametrize("bad", ["{not json", json.dumps({"version": 7, "items": {}}), json.dumps([1, 2]),
                                 json.dumps({"version": 2, "items": {"x": {"due": "never"}}})])
def test_corrupt_or_foreign_storage_offers_a_fresh_start(study, bad):
    page = study(storage={STORE: bad})
    problem = page.locator(".cc-study__problem")
    assert problem.is_visible()
    assert problem.get_attribute("role") == "alert"
    assert "saved progress" in problem.inner_text()
    assert page.is_visible(".cc-study__front")  # never a blank page: the cards still work
    assert page.console_errors == []
    grade(page, 3)
    assert page.evaluate(f"localStorage.getItem('{STORE}')") == bad  # nothing overwritten before the learner chooses
    page.click(".cc-study__fresh")
    assert not problem.is_visible()
    s = saved(page)
    assert s["version"] == 2 and s["items"] == {}


def test_export_import_round_trip(study, tmp_path):
    page = study()
    graded = [grade(page, 4), grade(page, 1), grade(page, 3)]
    before = saved(page)
    page.click(".cc-study__settings > summary")
    with page.expect_download() as dl:
        page.click(".cc-study__export")
    download = dl.value
    assert download.suggested_filename == "convcards-progress-2026-03-02.json"
    path = tmp_path / "progress.json"
    download.save_as(path)
    assert json.loads(path.read_text()) == before
    # reset, then import the file back
    page.once("dialog", lambda d: d.accept())
    page.click(".cc-study__reset")
    assert saved(page)["items"] == {}
    page.set_input_files(".cc-study__import", str(path))
    page.wait_for_function(f"Object.keys(JSON.parse(localStorage.getItem('{STORE}')).items).length === {len(before['items'])}")
    assert saved(page) == before
    assert set(graded) <= set(saved(page)["items"])
    # a file that is not progress is refused, with the reason, and nothing changes
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 2, "items": {"no-such-card": {"due": iso(NOW), "stability": 1, "difficulty": 5,
                                                                        "state": 2, "reps": 1, "lapses": 0}}}))
    page.set_input_files(".cc-study__import", str(bad))
    page.wait_for_function("document.querySelector('.cc-study__status').textContent.startsWith('Not imported')")
    assert "no-such-card" in page.inner_text(".cc-study__status")
    assert saved(page) == before
    (tmp_path / "junk.json").write_text("hello")
    page.set_input_files(".cc-study__import", str(tmp_path / "junk.json"))
    page.wait_for_function("document.querySelector('.cc-study__status').textContent.includes('not JSON')")
    assert saved(page) == before


def test_import_a_v1_file_migrates_it(study, tmp_path, site_dir):
    data = study_data(site_dir)
    ids = [it["id"] for it in data["items"][:4]]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(v1_state(ids, data["items"][0]["deck"])))
    page = study()
    page.click(".cc-study__settings > summary")
    page.set_input_files(".cc-study__import", str(path))
    page.wait_for_function(f"(JSON.parse(localStorage.getItem('{STORE}')) || {{}}).migrated_from === 1")
    assert set(saved(page)["items"]) == set(ids)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_scheduler_ui_passes_axe_and_fits_375px(study, color_scheme, site_dir):
    page = study(width=375, color_scheme=color_scheme)
    page.click(".cc-study__settings > summary")
    grade(page, 3)
    page.click(".cc-study__flip")  # grade buttons with their intervals
    found = axe_violations(page, "#cc-study")
    overflow = page.evaluate("document.getElementById('cc-study').scrollWidth - document.getElementById('cc-study').clientWidth")
    right = page.evaluate("Math.max(...[...document.querySelectorAll('#cc-study button, #cc-study input, #cc-study label')]"
                          ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right))")
    assert found == []
    assert overflow <= 0 and right <= 375


def test_shuffle_changes_order_not_set_and_reset_asks_first(study):
    page = study()
    before = queue(page)
    page.click(".cc-study__shuffle")
    after = queue(page)
    assert sorted(after) == sorted(before) and after != before
    assert page.get_attribute(".cc-study__shuffle", "aria-pressed") == "true"
    grade(page, 4)
    page.once("dialog", lambda d: d.dismiss())
    page.click(".cc-study__reset")
    assert len(saved(page)["items"]) == 1  # cancelled: nothing lost
    page.once("dialog", lambda d: d.accept())
    page.click(".cc-study__reset")
    assert saved(page)["items"] == {} and saved(page)["today"]["newSeen"] == 0
    assert page.inner_text(".cc-study__due") == "0 cards due today \u00b7 20 new"


def test_after_looking_at_the_answer_a_typed_reply_no_longer_grades(study, site_dir):
    expected = {it["id"]: it.get("expected") for it in study_data(site_dir)["items"]}
    page = study()
    for _ in range(10):
        if expected.get(current(page)):
            break
        grade(page, 4)
    assert expected.get(current(page))
    assert page.locator(".cc-study__front .cc-answer input").first.is_enabled()
    page.click(".cc-study__flip")
    assert page.locator(".cc-study__front .cc-answer input").first.is_disabled()
    assert page.locator(".cc-study__grade[data-grade='3']").is_enabled()  # grade yourself instead


def test_home_counts_match_study_mode(study, server, site_dir):
    """The home page's line for a deck says what study mode says with only that deck chosen,
    with or without practice variants."""
    data = study_data(site_dir)
    deck = data["decks"][0]["id"]
    page = study()
    page.click(".cc-study__settings > summary")
    for d in data["decks"][1:]:
        page.uncheck(f".cc-study__deck-list input[value='{d['id']}']")
    grade(page, 4)
    grade(page, 1)
    for practice in (True, False):
        page.set_checked("input[name=practice]", practice)
        line = page.inner_text(".cc-study__due")
        page.goto(server + "/")
        home = page.locator(f".cc-deck-progress[data-deck='{deck}'] .cc-deck-progress__due")
        home.wait_for()
        assert home.inner_text() == line, practice
        page.goto(server + "/study/")
        page.wait_for_selector("#cc-study[data-ready=true]")
        page.click(".cc-study__settings > summary")
