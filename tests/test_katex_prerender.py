"""generator/postbuild.mjs and its katex_prerender.mjs: the math of a built site typeset at build time by KaTeX in Node.

The oracle for what KaTeX parsed is the TeX it writes into the MathML it produces
(``<annotation encoding="application/x-tex">``): it must be the LaTeX of the source element,
unescaped from the HTML and stripped of its delimiters, exactly what katex-init.js would
hand to KaTeX in the browser. The browser tests (tests/test_browser_pages.py) check the
rendered pages of the real site.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "generator" / "postbuild.mjs"

PAGE = """<!doctype html><html><body>
<p>Inline <span class="arithmatex">\\(a &lt; b \\cdot x_{1}\\)</span> and text.</p>
<div class="arithmatex">\\[ y = \\begin{bmatrix} 1 &amp; -2 \\\\ 3 &amp; 4 \\end{bmatrix} \\]</div>
<p><span class="arithmatex" data-katex="done"><span class="katex">kept as it is</span></span></p>
<pre><code>&lt;span class="arithmatex"&gt;\\(not math\\)&lt;/span&gt;</code></pre>
</body></html>
"""


def run(site: Path) -> subprocess.CompletedProcess:
    if shutil.which("node") is None:
        pytest.fail("node is required to build the site (generator/postbuild.mjs)")
    return subprocess.run(["node", str(SCRIPT), str(site)], cwd=ROOT, capture_output=True, text=True)


def test_prerender_renders_each_formula_once_with_its_own_tex(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text(PAGE, encoding="utf-8")
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "4 formulas typeset, 0 behind closed reveals left to the browser; 2 pages rewritten" in proc.stdout
    out = (tmp_path / "index.html").read_text(encoding="utf-8")
    tex = [html.unescape(t).strip() for t in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', out, re.S)]
    assert tex == ["a < b \\cdot x_{1}", "y = \\begin{bmatrix} 1 & -2 \\\\ 3 & 4 \\end{bmatrix}"]
    assert out.count('data-katex="done"') == 3
    assert out.count('class="katex-display"') == 1, "the div is display math, the span inline"
    assert '<span class="katex">kept as it is</span>' in out, "an element already rendered is left alone"
    assert "&lt;span class=\"arithmatex\"&gt;\\(not math\\)" in out, "code that shows the markup is not math"
    assert "\\(" not in out.split("<pre>")[0] and "\\[" not in out.split("<pre>")[0]
    # deterministic and idempotent: a second run changes nothing
    again = run(tmp_path)
    assert again.returncode == 0 and "0 formulas typeset" in again.stdout and "0 pages rewritten" in again.stdout
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == out
    assert (tmp_path / "sub" / "index.html").read_text(encoding="utf-8") == out


def test_prerender_fails_loudly_without_a_site(tmp_path):
    proc = run(tmp_path / "missing")
    assert proc.returncode != 0 and "no built site" in proc.stderr


# --- generator/postbuild.mjs: what `make site` runs after mkdocs build ------------------------

REVEALS = """<!doctype html><html><body>
<p>Seen: <span class="arithmatex">\\(a_{1}\\)</span></p>
<details class="success"><summary>Answer</summary>
<p>Hidden: <span class="arithmatex">\\(b_{2}\\)</span></p>
<details class="tip" open><summary>Nested, open</summary><div class="arithmatex">\\[ c_{3} \\]</div></details>
<p>Still hidden: <span class="arithmatex">\\(d_{4}\\)</span></p>
</details>
<details open><summary>Open</summary><p><span class="arithmatex">\\(e_{5}\\)</span></p></details>
<p>After: <span class="arithmatex">\\(f_{6}\\)</span></p>
<pre><code>
    indented
        code</code></pre>
<script>
    var kept = "  two spaces";
</script>
<p title="a
    b">text
    on two lines</p>
</body></html>
"""


def typeset_tex(page: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', page, re.S)]


def test_postbuild_leaves_the_math_behind_closed_reveals_to_the_browser(tmp_path):
    (tmp_path / "index.html").write_text(REVEALS, encoding="utf-8")
    (tmp_path / "cards" / "d" / "print").mkdir(parents=True)
    (tmp_path / "cards" / "d" / "print" / "index.html").write_text(REVEALS, encoding="utf-8")
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    # typeset: outside any reveal and in an open one; kept as LaTeX: everything inside the closed
    # reveal, the open reveal nested in it too (it shows only once the outer one opens)
    assert typeset_tex(page) == ["a_{1}", "e_{5}", "f_{6}"]
    assert page.count('data-katex="done"') == 3
    # without JavaScript that LaTeX stays: one note says so, first thing in the outer closed reveal
    assert page.count('class="cc-noscript"') == 1
    assert '<summary>Answer</summary>\n<noscript><p class="cc-noscript">' in page.replace("</summary><noscript>", "</summary>\n<noscript>")
    assert "\\(b_{2}\\)</span>" in page and "\\[ c_{3} \\]</div>" in page and "\\(d_{4}\\)</span>" in page
    # a deck's print sheet is printed: typeset whole
    sheet = (tmp_path / "cards" / "d" / "print" / "index.html").read_text(encoding="utf-8")
    assert typeset_tex(sheet) == ["a_{1}", "b_{2}", "c_{3}", "d_{4}", "e_{5}", "f_{6}"]
    assert "cc-noscript" not in sheet, "nothing is left to JavaScript on a print sheet"
    assert "9 formulas typeset, 3 behind closed reveals left to the browser" in proc.stdout
    # idempotent: a second run changes nothing
    again = run(tmp_path)
    assert again.returncode == 0 and "0 formulas typeset" in again.stdout
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == page


def test_postbuild_drops_indentation_only_where_it_does_not_show(tmp_path):
    (tmp_path / "index.html").write_text(REVEALS, encoding="utf-8")
    assert run(tmp_path).returncode == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<pre><code>\n    indented\n        code</code></pre>" in page, "preformatted text is kept byte for byte"
    assert '<script>\n    var kept = "  two spaces";\n</script>' in page, "scripts are kept byte for byte"
    assert 'title="a\n    b"' in page, "attribute values are kept byte for byte"
    assert ">text\non two lines</p>" in page, "indentation in running text goes (it renders as one space)"


def test_postbuild_changes_no_rendered_text_of_the_real_site(site_dir):
    """Oracle: Python's HTML parser. Every page of the built site (postbuild already ran) against the
    same page built again without the whitespace step: the same elements and attributes in the same
    order, the same text once white-space runs are collapsed, preformatted text byte-identical."""
    from html.parser import HTMLParser

    class Tokens(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[tuple] = []
            self.pre = 0

        def handle_starttag(self, tag, attrs):
            self.pre += tag in ("pre", "textarea", "script", "style")
            self.out.append(("start", tag, tuple(attrs)))

        def handle_endtag(self, tag):
            self.pre -= tag in ("pre", "textarea", "script", "style")
            self.out.append(("end", tag))

        def handle_data(self, data):
            text = data if self.pre else re.sub(r"\s+", " ", data)
            if self.out and self.out[-1][0] == "text":
                self.out[-1] = ("text", re.sub(r"\s+", " ", self.out[-1][1] + text) if not self.pre else self.out[-1][1] + text)
            else:
                self.out.append(("text", text))

    def tokens(text: str) -> list[tuple]:
        t = Tokens()
        t.feed(text)
        return [x for x in t.out if x != ("text", " ")]

    # one Node process for every page (a process per page cost a Node start-up each): it reads
    # [built page, the same page with every line indented by Python] pairs as JSON and gives back
    # trimIndentation of each
    script = (
        "import fs from 'node:fs'; import { trimIndentation } from './generator/postbuild.mjs';"
        "const pairs = JSON.parse(fs.readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(pairs.map((p) => p.map((t) => trimIndentation(t)))));"
    )
    pages = sorted(site_dir.rglob("*.html"))[:60]
    befores = [page.read_text(encoding="utf-8") for page in pages]
    untrimmed = [b.replace("\n", "\n    ") for b in befores]  # indent every line: the step must undo exactly this, outside <pre>
    proc = subprocess.run(["node", "--input-type=module", "-e", script], input=json.dumps(list(zip(befores, untrimmed, strict=True))),
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    trimmed = json.loads(proc.stdout)
    assert len(trimmed) == len(pages)
    checked = 0
    for page, before, indented, (again, undone) in zip(pages, befores, untrimmed, trimmed, strict=True):
        assert again == before, f"{page}: the built page still has indentation to drop (postbuild did not run?)"
        assert tokens(undone) == tokens(indented), f"{page}: trimming changed what the page shows"
        checked += 1
    assert checked >= 40


# --- the post-build's speed: KaTeX remembered within a run, pages shared out among threads ------

MEMO = """<!doctype html><html><body>
<p><span class="arithmatex">\\(x^{2}\\)</span> and <span class="arithmatex">\\(x^{2}\\)</span></p>
<div class="arithmatex">\\[x^{2}\\]</div>
<div class="arithmatex">\\[x^{2}\\]</div>
<p><span class="arithmatex">\\(\\frac{1}{2}\\)</span></p>
</body></html>
"""


def test_a_formula_met_again_is_typeset_as_the_first_time_in_its_own_mode(tmp_path):
    """The memo of katex_prerender.mjs is keyed by the display mode and the TeX: the same TeX inline
    and displayed gives each its own markup, and every repeat is the markup KaTeX gives it alone."""
    (tmp_path / "index.html").write_text(MEMO, encoding="utf-8")
    assert run(tmp_path).returncode == 0
    out = (tmp_path / "index.html").read_text(encoding="utf-8")
    spans = re.findall(r'<span class="arithmatex" data-katex="done">(.*?)</span>(?= and|</p>)', out, re.S)
    divs = re.findall(r'<div class="arithmatex" data-katex="done">(.*?)</div>', out, re.S)
    assert len(spans) == 3 and len(divs) == 2
    assert spans[0] == spans[1] and "katex-display" not in spans[0], "inline, twice the same"
    assert divs[0] == divs[1] and "katex-display" in divs[0], "display, twice the same"
    script = ('import katex from "katex"; process.stdout.write(JSON.stringify(['
              'katex.renderToString("x^{2}", {displayMode: false, throwOnError: false, output: "htmlAndMathml"}),'
              'katex.renderToString("x^{2}", {displayMode: true, throwOnError: false, output: "htmlAndMathml"})]))')
    proc = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True)
    alone = json.loads(proc.stdout)
    assert spans[0] == alone[0] and divs[0] == alone[1], "a remembered formula is what KaTeX gives it alone"


def test_the_pages_come_out_the_same_from_one_thread_or_several(tmp_path):
    pages = [PAGE, REVEALS, MEMO] * 4
    said = {}
    for n in ("1", "3"):
        site = tmp_path / n
        for i, page in enumerate(pages):
            (site / f"p{i}").mkdir(parents=True)
            (site / f"p{i}" / "index.html").write_text(page, encoding="utf-8")
        (site / "index.html").write_text(MEMO, encoding="utf-8")
        proc = subprocess.run(["node", str(SCRIPT), str(site)], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "CONVCARDS_POSTBUILD_WORKERS": n})
        assert proc.returncode == 0, proc.stderr
        said[n] = proc.stdout.replace(str(site), "SITE")
    assert said["1"] == said["3"] and "13 pages rewritten" in said["1"], said
    one = {p.relative_to(tmp_path / "1"): p.read_bytes() for p in (tmp_path / "1").rglob("*.html")}
    three = {p.relative_to(tmp_path / "3"): p.read_bytes() for p in (tmp_path / "3").rglob("*.html")}
    assert one == three and len(one) == 13
