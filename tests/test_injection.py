"""Nothing injected (issue 13, items 8 and 9): deck text is data, whatever it holds.

A deck whose every text field carries a payload set is built as an author builds it
(generator, ``mkdocs build --strict``, post-build KaTeX), then every built page and study
mode are opened in Chromium, which watches for any dialog, any payload script that runs
(each sets ``window.__pwned``) and any element or attribute that a payload would make.
The Anki deck's fields are read back from its SQLite collection. Titles must show as the
exact text written; a ``</details>`` in a summary must not show the answer early; links
and formula commands that cannot be made safe are refused, one line each; author templates
run in Jinja's sandbox.
"""

from __future__ import annotations

import functools
import html
import http.server
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, _QuietHandler, run_generator

from generator import markup
from generator.study import to_html as study_html

RUN = "window.__pwned=1"
SCRIPT = f"<script>{RUN}</script>"
IMG = f'<img src=x onerror="{RUN}">'
ATTRS = f"{{ autofocus onfocus={RUN} }}"
SVG = f'"><svg onload="{RUN}">'
TITLE_PAYLOADS = [
    SCRIPT,
    IMG,
    ATTRS,
    SVG,
    "`code` *em* _u_ [l](https://example.com/) $x$ \\(y\\) | #",
    "&lt;b&gt; &amp; ' \"",
    "</title><script>" + RUN + "</script>",
]
TEXT_PAYLOADS = [SCRIPT, IMG, ATTRS, SVG, "<!-- c -->", '<a href="javascript:' + RUN + '">a</a>', "<details open>x</details>"]
EARLY = "SHOWN-BEFORE-REVEAL"
EXAMPLE = {"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[1, 0], [0, -1]]}


def payload_deck() -> dict:
    cards = []
    for i, t in enumerate(TITLE_PAYLOADS):
        text = TEXT_PAYLOADS[i % len(TEXT_PAYLOADS)]
        cards.append(
            {
                "id": f"c{i}",
                "title": f"Card {i} {t}",
                "question": f"Question {i} {text}\n\n{TEXT_PAYLOADS[(i + 1) % len(TEXT_PAYLOADS)]} a | b\n\nwith \\(x < y\\) and `<kbd>`",
                "summary": f"Summary {i} {text}\n\n</details>\n\n{EARLY}\n\n{ATTRS}",
                "examples": {"main": EXAMPLE},
                "practice": {"variants": 2, "kinds": ["output_value"]},
            }
        )
    return {
        "deck": "evil",
        "title": f"Deck {IMG} {SCRIPT} | {ATTRS}",
        "order": 1,
        "intro": f"Intro {SCRIPT} {IMG}\n\n{ATTRS}",
        "cards": cards,
    }


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory) -> tuple[Path, Path]:
    """The payload deck built as README's author section builds a site: (docs, site)."""
    if not (ROOT / "docs/vendor/katex/katex.min.js").exists():
        pytest.fail("KaTeX is not in docs/vendor: run `make site`")
    home = tmp_path_factory.mktemp("evil")
    (home / "decks").mkdir()
    (home / "decks/evil.yaml").write_text(yaml.safe_dump(payload_deck(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    docs = home / "docs"
    docs.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", home / "mkdocs.yml")
    for d in ("javascripts", "stylesheets", "vendor", ".overrides"):
        shutil.copytree(ROOT / "docs" / d, docs / d)
    for page in (ROOT / "docs").glob("*.md"):  # the hand-written pages
        shutil.copy(page, docs / page.name)
    (docs / "data").mkdir()
    for f in (ROOT / "docs/data").glob("*.schema.json"):
        shutil.copy(f, docs / "data" / f.name)
    proc = run_generator("--decks", str(home / "decks"), "--docs", str(docs), "-q")
    assert proc.returncode == 0, proc.stderr
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))  # generator.mdext from this clone
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(home / "mkdocs.yml")],
        cwd=home,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run(["node", str(ROOT / "generator/postbuild.mjs"), str(home / "site")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return docs, home / "site"


@pytest.fixture(scope="module")
def evil_server(evil_site):
    handler = functools.partial(_QuietHandler, directory=str(evil_site[1]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(d):
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.getAttributeNames()) if (/^on/i.test(a)) bad.push(el.tagName + '[' + a + ']');
    if (el.hasAttribute('autofocus')) bad.push(el.tagName + '[autofocus]');
  }
  for (const s of document.scripts) if (s.textContent.includes('__pwned')) bad.push('script: ' + s.textContent.slice(0, 60));
  for (const a of document.querySelectorAll('a[href]')) if (/^\\s*javascript:/i.test(a.getAttribute('href'))) bad.push('a:js');
  for (const t of ['img[src=x]', 'svg[onload]', 'details[open] details']) if (document.querySelector(t)) bad.push(t);
  return bad;
}"""


@pytest.mark.browser
def test_no_payload_runs_on_any_built_page(evil_site, evil_server, browser):
    site = evil_site[1]
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) >= 7 + len(TITLE_PAYLOADS)  # home, notation, study, downloads, 404, the deck page and its print sheet
    context = browser.new_context()
    page = context.new_page()
    dialogs = _watch(page)
    try:
        for rel in pages:
            page.goto(f"{evil_server}/{rel}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(50)
            assert page.evaluate("window.__pwned") is None, rel
            assert page.evaluate(INJECTED) == [], rel
        # the search results show the pages' text: a search for the payloads runs none of them
        page.goto(f"{evil_server}/")
        page.keyboard.press("/")
        page.keyboard.type("pwned onerror script")
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_timeout(200)
        assert page.locator(".md-search-result__item").count() >= 3
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate(INJECTED) == []
        assert dialogs == []
    finally:
        context.close()


def heading(page) -> str:
    """The text of the page's h1, without its permalink."""
    return page.evaluate(
        "(() => { const h = document.querySelector('article h1').cloneNode(true); "
        "h.querySelectorAll('.headerlink').forEach(a => a.remove()); return h.textContent.trim(); })()"
    )


@pytest.mark.browser
def test_titles_show_exactly_as_written(evil_site, evil_server, browser):
    context = browser.new_context()
    page = context.new_page()
    try:
        deck = payload_deck()
        for card in deck["cards"]:
            page.goto(f"{evil_server}/cards/evil/{card['id']}/")
            assert heading(page) == card["title"]
            assert page.title() == f"{card['title']} - convcards"
        page.goto(f"{evil_server}/cards/evil/")
        assert heading(page) == deck["title"]
        nav = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('.md-nav--primary a.md-nav__link')]"
            ".map(a => [a.getAttribute('href'), a.textContent.trim().replace(/\\s+/g, ' ')]))"
        )
        for card in deck["cards"]:
            assert nav[f"{card['id']}/"] == " ".join(card["title"].split()), nav
        cells = page.locator("article table tbody tr td:first-child").all_inner_texts()
        assert [c.strip() for c in cells] == [c["title"] for c in deck["cards"]]
        # a question with "|" and several paragraphs stays in its own table cell (item 13)
        rows = page.evaluate("[...document.querySelectorAll('article table tbody tr')].map(r => [...r.cells].map(c => c.innerText))")
        assert len(rows) == len(deck["cards"]) and all(len(r) == 2 for r in rows), rows
        assert all(r[1].startswith(f"Question {i} ") and "a | b" in r[1] and "with" in r[1] for i, r in enumerate(rows)), rows
        page.goto(f"{evil_server}/")
        assert deck["title"] in page.inner_text("article")
        items = page.evaluate("[...document.querySelectorAll('.cc-home-grid > ul > li')].map(li => li.innerText)")
        assert len(items) == len(deck["cards"]), items
        for i, (item, card) in enumerate(zip(items, deck["cards"], strict=True)):
            assert item.startswith(card["title"]) and f"Question {i} " in item and "a | b" in item and "with" in item, item
    finally:
        context.close()


@pytest.mark.browser
def test_a_closing_details_tag_does_not_show_the_answer_early(evil_site, evil_server, browser):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{evil_server}/cards/evil/c0/")
        early = page.get_by_text(EARLY, exact=False).first
        assert not early.is_visible(), "the summary's text shows before the reveal"
        page.click("article details.success summary")
        assert early.is_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_no_payload_runs_in_study_mode(evil_site, evil_server, browser):
    study = json.loads((evil_site[0] / "data/study.json").read_text())
    context = browser.new_context()
    page = context.new_page()
    dialogs = _watch(page)
    try:
        page.goto(f"{evil_server}/study/")
        page.wait_for_selector("#cc-study[data-ready=true]")
        n = len(study["items"])  # every item today: the daily new-card limit raised to all of them
        page.click(".cc-study__settings > summary")
        page.fill("input[name=new-per-day]", str(n))
        page.press("input[name=new-per-day]", "Enter")
        page.locator("input[name=new-per-day]").blur()
        page.wait_for_function(f"window.convcardsStudy.queue().length === {n}")
        page.click(".cc-study__settings > summary")
        for _ in range(n):
            page.click(".cc-study__flip")
            page.wait_for_timeout(20)
            assert page.evaluate("window.__pwned") is None
            assert page.evaluate(INJECTED) == []
            page.click(".cc-study__grade[data-grade='4']")  # Easy: due in days, so the next card comes
        assert dialogs == []
    finally:
        context.close()


def test_study_json_and_cards_json_hold_no_raw_html(evil_site):
    docs = evil_site[0]
    for name in ("data/study.json", "data/cards.json"):
        doc = json.loads((docs / name).read_text())
        items = doc.get("items") or doc.get("cards")
        for it in items:
            for key in ("question", "answer"):
                text = it.get(key, "")
                if name == "data/cards.json":  # Markdown there: what it becomes is study.json's HTML
                    text = study_html(text)
                assert markup_of(text) <= SAFE_TAGS, (name, it["id"], key, text[:300])
    study = json.loads((docs / "data/study.json").read_text())
    titles = {it["card"]: it["title"] for it in study["items"] if it["kind"] == "card"}
    assert titles == {c["id"]: c["title"] for c in payload_deck()["cards"]}, "titles are plain text in JSON (study.js sets textContent)"


SAFE_TAGS = {"p", "span", "div", "code", "em", "strong", "a", "ul", "li", "ol", "pre", "br", "hr"}


def markup_of(text: str) -> set[str]:
    """The tags in an HTML text, plus a pseudo-tag for each event handler, autofocus or script URL."""
    from html.parser import HTMLParser

    found: set[str] = set()

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.add(tag)
            for name, value in attrs:
                if name.startswith("on") or name == "autofocus" or (value or "").strip().lower().startswith("javascript:"):
                    found.add(f"{tag}[{name}]")

        def handle_comment(self, data):
            found.add("<!--")

    P().feed(text)
    return found


def test_anki_fields_hold_no_raw_html(evil_site, tmp_path):
    data = (evil_site[0] / "downloads/convcards.apkg").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "c.anki2")
    rows = [r[0].split("\x1f") for r in con.execute("select flds from notes")]
    decks = json.loads(con.execute("select decks from col").fetchone()[0])
    con.close()
    study = json.loads((evil_site[0] / "data/study.json").read_text())
    assert len(rows) == len(study["items"]) > len(TITLE_PAYLOADS)
    titles = {c["title"] for c in payload_deck()["cards"]} | {"Practice: " + c["title"] for c in payload_deck()["cards"]}
    for front, back, title, source in rows:
        assert html.unescape(title) in titles and title == markup.html_text(html.unescape(title))
        for field in (front, back, title, source):
            assert markup_of(field) <= SAFE_TAGS, field[:300]
    for d in decks.values():
        assert "::" not in d["name"].removeprefix("convcards::"), d["name"]
        assert "<script" not in d.get("desc", "") and "<img" not in d.get("desc", "")


# ----------------------------------------------------------------------------- refused outright


@pytest.mark.parametrize(
    ("field", "text", "why"),
    [
        ("question", "[click](javascript:alert(1))", "a link to 'javascript:alert(1'"),
        ("question", "[click](java&#115;cript:alert(1))", "a link to"),
        ("summary", "[x]: javascript:alert(1)\n\n[click][x]", "a link to 'javascript:alert(1)'"),
        ("question", "\\(\\href{javascript:alert(1)}{x}\\)", "the formula command \\href"),
        ("question", '--8<-- "mkdocs.yml"', "a snippet marker"),
        ("title", "Two\nlines", "a line break"),
    ],
)
def test_what_cannot_be_made_safe_is_refused(tmp_path, field, text, why):
    doc = payload_deck()
    doc["cards"] = [dict(doc["cards"][0], **{field: text})]
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(doc))
    proc = run_generator("--decks", str(tmp_path / "d.yaml"), "--docs", str(tmp_path / "docs"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"card 'c0': field '{field}'" in lines[0] and why in lines[0], lines


# ----------------------------------------------------------------------------- item 9: templates are sandboxed


@pytest.mark.parametrize(
    "expr",
    [
        "cycler.__init__.__globals__.os.popen('touch PWNED').read()",
        "lipsum.__globals__['os'].popen('touch PWNED').read()",
        "card.__class__.__init__.__globals__['__builtins__']['open']('PWNED', 'w').write('x')",
        "self._TemplateReference__context",
    ],
)
def test_author_templates_cannot_reach_modules_files_or_a_shell(tmp_path, expr):
    (tmp_path / "t/cards").mkdir(parents=True)
    (tmp_path / "t/cards/evil.md.j2").write_text('{% extends "base.md.j2" %}\n{% block answer %}\n{{ ' + expr + " }}\n{% endblock %}\n")
    doc = payload_deck()
    doc["cards"] = [dict(doc["cards"][0], template="cards/evil.md.j2")]
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(doc))
    proc = run_generator("--decks", str(tmp_path / "d.yaml"), "--docs", str(tmp_path / "docs"), "--templates", str(tmp_path / "t"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "evil.md.j2:3" in proc.stderr and "card 'c0': field 'template'" in proc.stderr
    assert not (tmp_path / "PWNED").exists() and not (ROOT / "PWNED").exists()


def test_an_author_template_error_is_one_line(tmp_path):
    (tmp_path / "t/cards").mkdir(parents=True)
    (tmp_path / "t/cards/bad.md.j2").write_text('{% extends "base.md.j2" %}\n{% block answer %}\n\n{{ 1 // 0 }}\n{% endblock %}\n')
    doc = payload_deck()
    doc["cards"] = [dict(doc["cards"][0], template="cards/bad.md.j2")]
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(doc))
    proc = run_generator("--decks", str(tmp_path / "d.yaml"), "--docs", str(tmp_path / "docs"), "--templates", str(tmp_path / "t"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == (
        f"error: {tmp_path / 't/cards/bad.md.j2'}:4: card 'c0': field 'template': expected a template that renders, "
        "but received ZeroDivisionError: integer division or modulo by zero"
    )
