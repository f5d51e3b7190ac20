"""The math behind reveals, typeset in the browser (docs/javascripts/katex-init.js).

The build (generator/postbuild.mjs) typesets every formula a reader sees on arrival and leaves the
formulas behind closed reveals as LaTeX, so a card page stays light; katex-init.js loads KaTeX once
the page is idle (or as a reveal is reached for) and typesets them. These tests hold KaTeX's script
back with a Playwright route to see each state, in real Chromium on the real built site. The oracle
for what was typeset is the LaTeX the element held before: KaTeX writes the TeX it parsed into its
MathML (<annotation encoding="application/x-tex">).
"""

from __future__ import annotations

import time

from conftest import open_recorded_page

CARD = "cards/transposed/transposed-output-size/"  # the page with the most formulas
REVEAL = "article details.success"

STATE = """() => {
  const all = [...document.querySelectorAll('.arithmatex')];
  const hidden = (e) => !!e.closest('details:not([open])');
  const done = (e) => e.getAttribute('data-katex') === 'done' && !!e.querySelector('.katex');
  return {
    total: all.length,
    shown_done: all.filter((e) => !hidden(e) && done(e)).length,
    shown: all.filter((e) => !hidden(e)).length,
    hidden_latex: all.filter((e) => hidden(e) && !done(e) && /^\\s*\\\\[(\\[]/.test(e.textContent)).length,
    hidden: all.filter(hidden).length,
    katex: typeof katex !== 'undefined',
  };
}"""

# each pending formula's LaTeX, by index among all formulas of the page
PENDING_TEX = """() => Object.fromEntries([...document.querySelectorAll('.arithmatex')].map((e, i) => [i, e]).filter(([, e]) =>
  e.getAttribute('data-katex') !== 'done').map(([i, e]) => [i, e.textContent.trim().replace(/^\\\\[(\\[]|\\\\[)\\]]$/g, '').trim()]))"""

TYPESET_TEX = """(idx) => idx.map((i) => { const e = document.querySelectorAll('.arithmatex')[i];
  const a = e.querySelector('annotation[encoding="application/x-tex"]'); return a ? a.textContent.trim() : null; })"""


def hold_katex(pg):
    held = []
    pg.route("**/vendor/katex/katex.min.js", lambda route: held.append(route))
    return held


def wait_for(cond, what: str, timeout: float = 10.0) -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_answers_wait_as_latex_and_are_typeset_when_katex_arrives(browser, server):
    context, pg = open_recorded_page(browser, server)
    try:
        held = hold_katex(pg)
        pg.goto(f"{server}/{CARD}", wait_until="load")
        s = pg.evaluate(STATE)
        assert s["total"] > 60 and s["hidden"] > 40, s
        assert s["shown_done"] == s["shown"], f"every formula seen on arrival is typeset by the build: {s}"
        assert s["hidden_latex"] == s["hidden"], f"the answers' formulas wait as LaTeX: {s}"
        assert not s["katex"], "KaTeX is not loaded before the page needs it"
        pending = pg.evaluate(PENDING_TEX)
        # once the page is idle, katex-init.js asks for KaTeX (held here)
        wait_for(lambda: (pg.wait_for_timeout(50), held)[1], "katex-init.js to request KaTeX once the page is idle")
        # a reveal opened meanwhile shows its LaTeX, readable, until KaTeX is in
        pg.locator(f"{REVEAL} > summary").click()
        assert pg.evaluate(f"() => document.querySelector('{REVEAL}').open")
        assert pg.evaluate(f"() => [...document.querySelectorAll('{REVEAL} .arithmatex')].every(e => !e.querySelector('.katex'))")
        held[0].continue_()
        pg.wait_for_function("() => !document.querySelector('.arithmatex:not([data-katex=done])')", timeout=10000)
        idx = sorted(int(i) for i in pending)
        assert pg.evaluate(TYPESET_TEX, idx) == [pending[str(i)] for i in idx], "each formula typeset from its own LaTeX"
        assert pg.locator(".katex-error").count() == 0
        assert pg.console_errors == [] and pg.offsite_requests == []
    finally:
        context.close()


def test_a_reveal_is_typeset_in_the_click_before_it_is_painted_open(page, server):
    page.goto(f"{server}/{CARD}", wait_until="load")
    page.wait_for_function("() => typeof katex !== 'undefined' && !document.querySelector('.arithmatex:not([data-katex=done])')")
    # put two formulas of a closed reveal back to LaTeX, as they are before idle time reaches them
    r = page.evaluate("""() => {
      const d = [...document.querySelectorAll('article details:not([open])')].find((x) => x.querySelector('.arithmatex'));
      const els = [...d.querySelectorAll('.arithmatex')].slice(0, 2);
      const tex = els.map((e) => e.querySelector('annotation').textContent);
      els.forEach((e, i) => {
        e.removeAttribute('data-katex');
        e.textContent = e.tagName === 'DIV' ? `\\\\[${tex[i]}\\\\]` : `\\\\(${tex[i]}\\\\)`;
      });
      const before = els.map((e) => !!e.querySelector('.katex'));
      d.querySelector('summary').click();  // one task: no frame is painted before this returns
      return {before, open: d.open, after: els.map((e) => e.getAttribute('data-katex') === 'done' && !!e.querySelector('.katex')),
               tex, typeset: els.map((e) => e.querySelector('annotation') && e.querySelector('annotation').textContent)};
    }""")
    assert r["before"] == [False, False] and r["open"]
    assert r["after"] == [True, True], "the reveal's math is typeset by the click itself"
    assert r["typeset"] == r["tex"]


def test_printing_typesets_whatever_is_left(page, server):
    page.goto(f"{server}/{CARD}", wait_until="load")
    page.wait_for_function("() => typeof katex !== 'undefined' && !document.querySelector('.arithmatex:not([data-katex=done])')")
    n = page.evaluate("""() => {
      const els = [...document.querySelectorAll('article details .arithmatex')].slice(0, 3);
      els.forEach((e) => { const t = e.querySelector('annotation').textContent; e.removeAttribute('data-katex');
                           e.textContent = e.tagName === 'DIV' ? `\\\\[${t}\\\\]` : `\\\\(${t}\\\\)`; });
      window.dispatchEvent(new Event('beforeprint'));
      window.dispatchEvent(new Event('afterprint'));
      return document.querySelectorAll('.arithmatex:not([data-katex=done])').length;
    }""")
    assert n == 0


def test_a_page_whose_math_is_all_typeset_never_loads_katex(browser, server):
    context, pg = open_recorded_page(browser, server)
    try:
        requested = []
        pg.on("request", lambda r: requested.append(r.url) if r.url.endswith("katex.min.js") else None)
        pg.goto(f"{server}/notation/", wait_until="load")
        assert pg.evaluate(STATE)["hidden"] == 0, "the notation page has no reveal (pick another page for this test)"
        assert pg.locator(".arithmatex .katex").count() > 10
        pg.wait_for_timeout(1500)  # well past idle time
        assert requested == [] and not pg.evaluate("typeof katex !== 'undefined'")
    finally:
        context.close()


def test_without_javascript_the_question_shows_typeset_math_and_the_answer_its_latex(browser, server):
    context, pg = open_recorded_page(browser, server, java_script_enabled=False)
    try:
        pg.goto(f"{server}/{CARD}", wait_until="load")
        shown = pg.locator("article .arithmatex:not(details .arithmatex)")
        assert shown.count() > 5
        assert pg.locator("article .arithmatex:not(details .arithmatex) .katex").count() == shown.count()
        pg.locator(f"{REVEAL} > summary").click()  # native <details>: opens without a script
        first = pg.locator(f"{REVEAL} .arithmatex").first
        assert first.is_visible()
        assert first.inner_text().strip().startswith(("\\(", "\\["))
        assert pg.locator(f"{REVEAL} > noscript .cc-noscript").is_visible(), "a note says why the LaTeX shows"
    finally:
        context.close()


def test_with_javascript_the_noscript_note_does_not_show(browser, server):
    context, pg = open_recorded_page(browser, server)
    try:
        pg.goto(f"{server}/{CARD}", wait_until="load")
        pg.locator(f"{REVEAL} > summary").click()
        assert pg.locator(f"{REVEAL} .cc-noscript").count() == 0, "noscript content is not parsed into elements with JavaScript on"
        assert pg.locator(f"{REVEAL} > noscript").count() == 1
    finally:
        context.close()
