"""Every page of the built site, opened in Debian's Chromium: what a reader sees.

The pages are discovered from the strict build (every ``index.html`` plus ``404.html``), never
listed, so cards added later are covered without touching this file. For each page (the test id
is its path in the site):

- math: every ``.arithmatex`` element is typeset by KaTeX, none is a ``.katex-error``, and every
  formula has a non-zero box, including the ones inside each answer once it is revealed;
- requests: no console error, no failed request (HTTP >= 400 included), nothing from another host;
- images: every image loads (lazy ones are scrolled into view) and has alt text;
- reveals: every ``<details>`` opens and closes by click, by Enter and by Space on its focused
  summary, and the keyboard focus is visible;
- palette: light and dark both render (Material's toggle), answers open; with
  ``CONVCARDS_SCREENSHOTS=1`` (``make shots``) full-page screenshots of both are written to
  ``screenshots/`` (gitignored) for a person to look at: they check nothing, so a plain run skips them;
- axe-core (npm, pinned in package-lock.json): no serious or critical violation: every rule in
  light mode; in dark mode the palette changes colours only (checked: every element is shown or
  hidden as in light mode, but for the palette toggle's two labels), so there axe runs its colour
  rules on the whole page and every rule on the palette toggle;
- a 375 px wide viewport has no horizontal page overflow (math and figures scroll in their own
  boxes); the failure names the elements that stick out.

One browser per session (conftest ``browser``); each page is loaded once, in its own context, and
shared by the four tests of ``TestEveryPage`` (class-scoped parametrization keeps them together);
the first test reloads it only if it is not pristine. ``test_detectors_*`` plant defects to show
that each check can fail.
``python tests/test_browser_pages.py`` rewrites the README's card screenshot
(docs/assets/card-screenshot.png) from the built site in ``site/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ROOT, open_recorded_page, strict_build

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules/axe-core/axe.min.js"
SHOTS = ROOT / "screenshots"
TAKE_SHOTS = os.environ.get("CONVCARDS_SCREENSHOTS", "") not in ("", "0")
PALETTE = "form[data-md-component=palette]"
# the axe rules whose outcome depends on colours (everything the palette changes)
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def discover_pages(site: Path) -> list[str]:
    """Site-relative URL paths of every page in a build: ``""`` for the home page, ``"a/b/"``, ``"404.html"``."""
    pages = []
    for html in site.rglob("index.html"):
        rel = html.parent.relative_to(site).as_posix()
        pages.append("" if rel == "." else rel + "/")
    if (site / "404.html").exists():
        pages.append("404.html")
    return sorted(pages)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "site_page" not in metafunc.fixturenames:
        return
    site, error = strict_build()
    pages = [] if error else discover_pages(site)
    if not pages:  # a failing build still yields failing tests, not a silently empty suite
        metafunc.parametrize("site_page", [None], ids=["no-pages-built"], indirect=True, scope="class")
        return
    metafunc.parametrize("site_page", pages, ids=[p or "/" for p in pages], indirect=True, scope="class")


def _slug(page_path: str) -> str:
    return (page_path.strip("/").replace("/", "--").removesuffix(".html") or "index").replace(".", "-")


# --------------------------------------------------------------------------------------------
# helpers running in the page

WAIT_MATH = """() => [...document.querySelectorAll('.arithmatex')].every(e => e.getAttribute('data-katex') === 'done')"""

# Problems with the math of the page. Formulas inside a closed <details> have no box by design;
# they are counted and checked again once every answer is open.
MATH_PROBLEMS = r"""() => {
  const problems = [];
  let hidden = 0, elsewhere = 0;
  document.querySelectorAll('.arithmatex').forEach((el, i) => {
    const ann = el.querySelector('annotation[encoding="application/x-tex"]');
    const tex = (ann ? ann.textContent : el.textContent).trim().replace(/\s+/g, ' ').slice(0, 80);
    const name = `formula #${i} <${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> "${tex}"`;
    const err = el.classList.contains('katex-error') ? el : el.querySelector('.katex-error');
    if (err) { problems.push(`${name}: KaTeX error: ${err.getAttribute('title')}`); return; }
    const k = el.querySelector('.katex');
    if (!k) { problems.push(`${name}: not typeset by KaTeX`); return; }
    if (el.closest('details:not([open])')) { hidden += 1; return; }
    // not rendered at all because a container is hidden on purpose (e.g. the study mode's other
    // cards): no box to check; a formula that is rendered must have a visible, non-empty box
    if (!el.checkVisibility()) { elsewhere += 1; return; }
    const html = el.querySelector('.katex-html') || k;
    const box = html.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) problems.push(`${name}: empty box ${box.width}x${box.height}`);
    else if (!html.checkVisibility({opacityProperty: true, visibilityProperty: true})) problems.push(`${name}: not visible`);
  });
  document.querySelectorAll('.katex-error').forEach(e => {
    if (!e.closest('.arithmatex')) problems.push(`KaTeX error outside arithmatex: ${e.getAttribute('title')}`);
  });
  return {count: document.querySelectorAll('.arithmatex').length, hidden, elsewhere, problems};
}"""

IMAGE_PROBLEMS = r"""async () => {
  const problems = [];
  // an image collapsed behind its disclosure button (the stepper's "Show the whole figure") is
  // opened the way a reader opens it, then checked like every other image
  for (const b of document.querySelectorAll('button[aria-controls][aria-expanded="false"]')) {
    const t = document.getElementById(b.getAttribute('aria-controls'));
    if (t && t.querySelector('img') && b.checkVisibility()) {
      b.click();
      if (b.getAttribute('aria-expanded') !== 'true' || !t.checkVisibility())
        problems.push(`${b.textContent.trim()}: did not show #${t.id}`);
    }
  }
  const imgs = [...document.querySelectorAll('img')];
  for (const img of imgs) {
    img.scrollIntoView({block: 'center'});
    const t0 = performance.now();
    while (!img.complete && performance.now() - t0 < 5000) await new Promise(r => setTimeout(r, 25));
    const name = img.getAttribute('src');
    if (!(img.complete && img.naturalWidth > 0)) problems.push(`${name}: did not load (naturalWidth ${img.naturalWidth})`);
    const box = img.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) problems.push(`${name}: empty box ${box.width}x${box.height}`);
    if (!(img.getAttribute('alt') || '').trim()) problems.push(`${name}: no alt text`);
  }
  window.scrollTo(0, 0);
  return {count: imgs.length, problems};
}"""

# Elements sticking out past the right edge of the viewport that no clipping or scrolling
# ancestor contains: the culprits of a horizontal page overflow (outermost ones only).
OVERFLOW_CULPRITS = r"""() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
    return s;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5) continue;
    let a = el.parentElement, contained = false;
    while (a && a !== document.body) {
      if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= vw + 0.5) { contained = true; break; }
      a = a.parentElement;
    }
    if (contained || out.some(o => o.el.contains(el))) continue;
    const path = [];
    for (let p = el; p && p !== document.body && path.length < 4; p = p.parentElement) path.unshift(describe(p));
    out.push({el, text: `${path.join(' > ')}: right edge ${Math.round(r.right)} px > ${vw} px` +
      (el.textContent.trim() ? ` ("${el.textContent.trim().replace(/\s+/g, ' ').slice(0, 60)}")` : '')});
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, viewport: vw, culprits: out.map(o => o.text)};
}"""

# Where to click a summary: scrolled to the middle of the viewport (clear of the sticky header).
SUMMARY_POINT = """s => { s.scrollIntoView({block: 'center'}); const r = s.getBoundingClientRect();
  return [r.left + Math.min(24, r.width / 2), r.top + r.height / 2]; }"""

# A reveal's state: open or not, whether each child but the summary shows, the summary's focus ring.
REVEAL_STATE = """d => {
  const s = d.querySelector(':scope > summary'), cs = getComputedStyle(s);
  return {
    open: d.open,
    // a <noscript> note is for readers without JavaScript: never shown here, by design
    // a part collapsed behind its own visible disclosure button (aria-controls, aria-expanded=false:
    // the stepper's "Show the whole figure") is reachable, by design: it counts as shown when that button shows
    shown: [...d.children].filter(c => c !== s && c.tagName !== 'NOSCRIPT')
      .map(c => {
        const t = c.id && d.querySelector(`[aria-controls="${c.id}"][aria-expanded="false"]`);
        return t && t.checkVisibility() && t.getBoundingClientRect().height > 0 ? t : c;
      })
      .map(c => c.checkVisibility({opacityProperty: true, visibilityProperty: true}) && c.getBoundingClientRect().height > 0),
    focusVisible: s.matches(':focus-visible'), outline: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth),
  };
}"""

AXE_RUN = """async (args) => {
  const [context, rules] = args || [];  // none: every rule on the whole page
  const options = {resultTypes: ['violations']};
  if (rules) options.runOnly = {type: 'rule', values: rules};
  const r = await axe.run(context ? {include: [context]} : document, options);
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    examples: v.nodes.slice(0, 4).map(n => n.target.join(' ') + '\\n      ' + n.failureSummary.replace(/\\n/g, '\\n      ')),
  }));
}"""


# --------------------------------------------------------------------------------------------
# steps


class SitePage:
    """One page of the site, loaded once in its own browser context and shared by the tests of
    ``TestEveryPage`` (pytest runs a class's tests together for each page, in the order written)."""

    def __init__(self, browser, server: str, page_path: str | None) -> None:
        self.browser, self.server, self.path = browser, server, page_path
        self.context = self.page = None
        self.pristine = False  # loaded and not touched since

    def load(self):
        if self.path is None:
            site, error = strict_build()
            pytest.fail(f"no page to test: the strict build failed or produced no page\n{error or site}")
        if self.context is None:
            self.context, self.page = open_recorded_page(self.browser, self.server)
        self.page.set_viewport_size(DESKTOP)
        open_page(self.page, self.server, self.path)
        self.pristine = True
        return self.page

    def fresh(self):
        """The page as a reader first sees it (reloaded if an earlier test touched it)."""
        page = self.page if self.pristine else self.load()
        self.pristine = False
        return page

    def loaded(self):
        """The page in whatever state the earlier tests left it (loaded if it is not)."""
        page = self.page if self.page is not None else self.load()
        self.pristine = False
        return page

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


def open_page(page, server: str, page_path: str) -> None:
    page.goto(f"{server}/{page_path}", wait_until="load")
    try:
        page.wait_for_function(WAIT_MATH, timeout=10_000)
    except Exception:
        pass  # reported precisely by check_math
    page.evaluate("document.fonts.ready.then(() => true)")


def open_all_answers(page) -> int:
    """Click every closed reveal's summary (document order, so outer reveals open first)."""
    details = page.locator("details")
    n = details.count()
    for i in range(n):
        d = details.nth(i)
        if not d.evaluate("d => d.open"):
            d.locator(":scope > summary").click()
        assert d.evaluate("d => d.open"), f"reveal #{i} did not open on click"
    return n


def check_math(page, when: str) -> dict:
    res = page.evaluate(MATH_PROBLEMS)
    assert not res["problems"], f"math {when}: {len(res['problems'])} problem(s):\n" + "\n".join(res["problems"])
    return res


def check_requests(page) -> None:
    msgs = []
    if page.offsite_requests:
        msgs.append("requests to another host:\n  " + "\n  ".join(page.offsite_requests))
    if page.failed_requests:
        msgs.append("failed requests:\n  " + "\n  ".join(page.failed_requests))
    if page.console_errors:
        msgs.append("console errors:\n  " + "\n  ".join(page.console_errors))
    assert not msgs, "\n".join(msgs)


def run_axe(page, mode: str, context: str | None = None, rules: list[str] | None = None) -> list[str]:
    """axe-core's serious and critical violations on the page (or the elements matching ``context``),
    every rule or only ``rules``."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [
        f"[{mode}] {v['impact']} {v['id']}: {v['help']} ({v['nodes']} element(s))\n    " + "\n    ".join(v["examples"])
        for v in page.evaluate(AXE_RUN, [context, rules])
    ]


# Which elements are rendered (a digest of checkVisibility() over the page in document order),
# outside the palette toggle: the same in both palettes when the palette changes colours only.
SHOWN_ELEMENTS = """palette => {
  const form = document.querySelector(palette);
  let h = 0, n = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (form && form.contains(el)) continue;
    h = (Math.imul(h, 31) + (el.checkVisibility() ? 1 : 2)) | 0; n += 1;
  }
  return [n, h];
}"""


def shown_elements(page) -> list[int]:
    return page.evaluate(SHOWN_ELEMENTS, PALETTE)


def run_axe_dark(page, shown_in_light: list[int]) -> list[str]:
    """axe in dark mode, on a page that showed ``shown_in_light`` (``shown_elements``) in light mode,
    where every rule ran: the palette changes colours only (checked first: the same elements are
    shown, outside the palette toggle), so the colour rules run on the whole page, every rule on the toggle."""
    shown = shown_elements(page)
    assert shown == shown_in_light, f"dark mode shows other elements than light mode (outside the palette toggle): {shown} {shown_in_light}"
    return run_axe(page, "dark", rules=COLOUR_RULES) + run_axe(page, "dark", context=PALETTE)


def scheme(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def toggle_palette(page) -> None:
    """Click Material's palette toggle (the visible one of its two labels) and wait for the switch."""
    before = scheme(page)
    # a print sheet's restyle takes seconds on a loaded machine: Playwright's 30 s default was met once
    page.locator("form[data-md-component=palette] label:visible").click(timeout=120_000)
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== {json.dumps(before)}", timeout=120_000)
    page.evaluate("document.fonts.ready.then(() => true)")


def luminance(css_color: str) -> float:
    nums = [float(x) for x in css_color[css_color.index("(") + 1 : css_color.index(")")].replace("/", " ").replace(",", " ").split()[:3]]
    return (0.2126 * nums[0] + 0.7152 * nums[1] + 0.0722 * nums[2]) / 255


def next_frame(page) -> None:
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


# --------------------------------------------------------------------------------------------
# the tests, one set per page


@pytest.fixture(scope="module")
def axe_available() -> Path:
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `npm ci` (or `make test`, which does)")
    return AXE


@pytest.fixture(scope="class")
def site_page(request, browser, server):
    sp = SitePage(browser, server, request.param)
    yield sp
    sp.close()


class TestEveryPage:
    def test_math_and_reveals(self, site_page):
        """Math typeset before any reveal; every reveal opens and closes by click, Enter and Space
        with a visible focus; every formula inside the answers has a box once they are open."""
        page = site_page.fresh()
        before = check_math(page, "before any reveal")
        problems = []
        for i, d in enumerate(page.query_selector_all("details")):
            summary = d.evaluate_handle("d => d.querySelector(':scope > summary')")
            name = f"reveal #{i} ({summary.evaluate('s => s.textContent').strip()[:50]!r})"

            def click(summary=summary):  # a real mouse click on the summary (trusted event), no waiting
                x, y = summary.evaluate(SUMMARY_POINT)
                page.mouse.click(x, y)

            if d.evaluate("d => d.open"):  # open by default: close it first to test from the start
                click()
            for step, how in enumerate(["click", "click", "Enter", "Enter", "Space", "Space"]):
                want_open = step % 2 == 0
                if how == "click":
                    click()
                else:
                    summary.evaluate("s => s.focus()")
                    page.keyboard.press(how)
                st = d.evaluate(REVEAL_STATE)
                if st["open"] != want_open:
                    problems.append(f"{name}: {how} #{step // 2 + 1} left it {'open' if st['open'] else 'closed'}")
                    break
                if want_open and not (st["shown"] and all(st["shown"])):
                    problems.append(f"{name}: open after {how} but its content is not shown ({st['shown']})")
                if not want_open and any(st["shown"]):
                    problems.append(f"{name}: closed after {how} but its content still shows ({st['shown']})")
                if how != "click" and not (st["focusVisible"] and st["outline"] != "none" and st["outlineWidth"] >= 1):
                    problems.append(f"{name}: keyboard focus not visible on its summary ({st})")
            click()  # leave it open: nested reveals become reachable, the answers get checked
        assert not problems, "\n".join(problems)
        open_all_answers(page)
        after = check_math(page, "with every answer revealed")
        assert after["hidden"] == 0, f"{after['hidden']} formula(s) still hidden with every reveal open"
        assert after["count"] == before["count"]
        check_requests(page)

    def test_images_and_requests(self, site_page):
        """Every image loads and has alt text; nothing failed, nothing came from another host."""
        page = site_page.loaded()
        open_all_answers(page)
        images = page.evaluate(IMAGE_PROBLEMS)
        assert not images["problems"], "images:\n" + "\n".join(images["problems"])
        check_requests(page)

    def test_light_and_dark_mode_render_and_pass_axe(self, site_page, axe_available):
        """Both palettes render; axe-core finds nothing serious in either (every rule in light mode;
        in dark mode, where only colours change, the colour rules, and every rule on the toggle)."""
        page = site_page.loaded()
        open_all_answers(page)
        page.evaluate(IMAGE_PROBLEMS)  # loads the lazy figures (for the screenshots; every image as a reader scrolls)
        if scheme(page) != "default":
            toggle_palette(page)
        violations, colours = [], {}
        for mode, want in (("light", "default"), ("dark", "slate")):
            if mode == "dark":
                toggle_palette(page)
            assert scheme(page) == want, f"{mode} mode: body has data-md-color-scheme={scheme(page)!r}"
            colours[mode] = page.evaluate(
                "() => [getComputedStyle(document.body).backgroundColor,"
                " getComputedStyle(document.querySelector('.md-content') || document.body).color]"
            )
            if TAKE_SHOTS:
                SHOTS.mkdir(exist_ok=True)
                page.screenshot(path=SHOTS / f"{_slug(site_page.path)}-{mode}.png", full_page=True)
            check_math(page, f"in {mode} mode")
            if mode == "light":
                shown_in_light = shown_elements(page)
                violations += run_axe(page, mode)
            else:
                violations += run_axe_dark(page, shown_in_light)
        bg_light, fg_light = (luminance(c) for c in colours["light"])
        bg_dark, fg_dark = (luminance(c) for c in colours["dark"])
        assert bg_light > 0.8 and fg_light < 0.3, f"light mode is not dark-on-light: {colours['light']}"
        assert bg_dark < 0.3 and fg_dark > 0.6, f"dark mode is not light-on-dark: {colours['dark']}"
        assert not violations, f"axe-core: {len(violations)} serious/critical violation(s):\n" + "\n".join(violations)
        check_requests(page)

    def test_no_horizontal_overflow_at_375px(self, site_page):
        """At 375 px the page does not scroll sideways; wide formulas scroll in their own focusable box."""
        page = site_page.loaded()
        page.set_viewport_size(MOBILE)
        open_all_answers(page)
        page.evaluate(IMAGE_PROBLEMS)
        next_frame(page)
        res = page.evaluate(OVERFLOW_CULPRITS)
        assert res["scrollWidth"] <= res["viewport"], (
            f"the page is {res['scrollWidth']} px wide in a {res['viewport']} px viewport; sticking out:\n" + "\n".join(res["culprits"])
        )
        unreachable = page.evaluate(
            """() => [...document.querySelectorAll('.arithmatex, .md-typeset__scrollwrap, figure, .highlight pre > code')]
              .filter(e => /auto|scroll/.test(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1 && e.tabIndex < 0)
              .map(e => e.className + ': ' + (e.querySelector('annotation') || e).textContent.trim().slice(0, 60))"""
        )
        assert not unreachable, "boxes that scroll sideways but cannot be reached by keyboard:\n" + "\n".join(unreachable)
        check_requests(page)


def test_palette_toggles_back_and_persists(page, server):
    """Dark mode survives a page change (Material stores it) and the toggle switches back to light."""
    page.goto(f"{server}/")
    assert scheme(page) == "default"
    toggle_palette(page)
    assert scheme(page) == "slate"
    page.goto(f"{server}/notation/")
    assert scheme(page) == "slate", "dark mode is forgotten on the next page"
    toggle_palette(page)
    assert scheme(page) == "default", "the toggle does not switch back to light mode"
    check_requests(page)


# --------------------------------------------------------------------------------------------
# README's picture of a card: python tests/test_browser_pages.py [card path]


def write_card_screenshot(card: str = "cards/matrix/unrolled-matrix/", out: Path = ROOT / "docs/assets/card-screenshot.png") -> Path:
    import functools
    import http.server
    import threading

    from conftest import CHROMIUM_FLAGS, _QuietHandler, chromium_path
    from PIL import Image
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(ROOT / "site")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS[1:])
        pg = browser.new_page(viewport={"width": 900, "height": 1000}, color_scheme="light")
        pg.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{card}")
        pg.wait_for_function(WAIT_MATH)
        pg.locator("details.success > summary").first.click()
        pg.evaluate(IMAGE_PROBLEMS)
        pg.evaluate("document.fonts.ready.then(() => true)")
        pg.evaluate("window.scrollTo(0, 0)")
        pg.wait_for_timeout(500)  # the header's title settles after the scroll
        pg.screenshot(path=out)
        browser.close()
    httpd.shutdown()
    img = Image.open(out).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(out, optimize=True)
    return out


if __name__ == "__main__":
    import sys

    path = write_card_screenshot(*sys.argv[1:2])
    print(path, path.stat().st_size, "bytes")


# --------------------------------------------------------------------------------------------
# the checks themselves can fail: each detector is shown a planted defect on the home page


def test_detectors_find_planted_defects(page, server):
    page.set_viewport_size(MOBILE)
    open_page(page, server, "")
    page.evaluate(
        r"""async () => {
      const article = document.querySelector('article') || document.body;
      article.insertAdjacentHTML('beforeend',
        '<div id="too-wide" style="width: 900px">wide</div>' +
        '<div class="arithmatex">\\[ \\begin{bmatrix} 1 & 2 & 3 & 4 & 5 & 6 & 7 & 8 & 9 & 10 & 11 & 12 & 13 & 14 & 15 & 16 & 17 & 18 ' +
        '& 19 & 20 & 21 & 22 & 23 & 24 & 25 & 26 & 27 & 28 & 29 & 30 \\end{bmatrix} \\]</div>' +
        '<p><span class="arithmatex" id="bad-tex">\\(\\frac{1}{\\)</span> <span class="arithmatex" id="untyped">\\(x\\)</span>' +
        ' <span class="arithmatex" id="invisible">\\(y\\)</span></p>' +
        '<img src="no-such-figure.svg" alt="a figure that is not there"> <img src="/assets/images/favicon.png">');
      document.getElementById('untyped').setAttribute('data-katex', 'done');
      await window.convcardsRenderMath(document);  // loads KaTeX first: this page had nothing left to typeset
      document.querySelector('#invisible .katex-html').style.fontSize = '0';
    }"""
    )
    math = page.evaluate(MATH_PROBLEMS)["problems"]
    assert any("span#bad-tex" in p and "KaTeX error" in p for p in math), math
    assert any("span#untyped" in p and "not typeset" in p for p in math), math
    assert any("span#invisible" in p and "empty box" in p for p in math), math
    assert len(math) == 3, math  # the wide matrix is fine: it scrolls in its own box
    images = page.evaluate(IMAGE_PROBLEMS)["problems"]
    assert any("no-such-figure.svg: did not load" in p for p in images), images
    assert any("favicon.png: no alt text" in p for p in images), images
    overflow = page.evaluate(OVERFLOW_CULPRITS)
    assert overflow["scrollWidth"] > MOBILE["width"]
    assert len(overflow["culprits"]) == 1 and "div#too-wide" in overflow["culprits"][0], overflow
    page.evaluate("() => fetch('https://example.org/cdn.js').catch(() => null)")
    page.wait_for_timeout(200)
    assert page.offsite_requests == ["https://example.org/cdn.js"]
    assert any(f.startswith("HTTP 404") and "no-such-figure.svg" in f for f in page.failed_requests), page.failed_requests


def test_axe_finds_a_planted_violation(page, server, axe_available):
    open_page(page, server, "")
    page.evaluate(
        """() => document.querySelector('article').insertAdjacentHTML('beforeend',
        '<p style="color: #bbb; background: #fff">faint text</p><button></button>')"""
    )
    found = "\n".join(run_axe(page, "light"))
    assert "color-contrast" in found and "button-name" in found, found


def test_dark_mode_checks_find_planted_defects(page, server, axe_available):
    """The dark run's two checks can fail: faint text in dark mode only (axe's colour rules), and an
    element that only dark mode shows (the premise that the palette changes colours only)."""
    open_page(page, server, "")
    if scheme(page) != "default":
        toggle_palette(page)
    light = page.evaluate(SHOWN_ELEMENTS, PALETTE)
    page.evaluate(
        """() => document.querySelector('article').insertAdjacentHTML('beforeend',
        '<style>[data-md-color-scheme=slate] #faint { color: #333 !important }' +
        ' #dark-only { display: none } [data-md-color-scheme=slate] #dark-only { display: block }</style>' +
        '<p id="faint">faint in dark mode only</p><p id="dark-only">shown in dark mode only</p>')"""
    )
    assert page.evaluate(SHOWN_ELEMENTS, PALETTE)[0] == light[0] + 3  # the three planted elements
    shown_light = shown_elements(page)
    assert not [v for v in run_axe(page, "light", rules=COLOUR_RULES) if "#faint" in v]
    toggle_palette(page)
    assert scheme(page) == "slate"
    found = "\n".join(run_axe(page, "dark", rules=COLOUR_RULES))
    assert "color-contrast" in found and "#faint" in found, found
    with pytest.raises(AssertionError, match="dark mode shows other elements"):
        run_axe_dark(page, shown_light)
