"""generator/katex_prerender.mjs: the math of a built site rendered at build time by KaTeX in Node.

The oracle for what KaTeX parsed is the TeX it writes into the MathML it produces
(``<annotation encoding="application/x-tex">``): it must be the LaTeX of the source element,
unescaped from the HTML and stripped of its delimiters, exactly what katex-init.js would
hand to KaTeX in the browser. The browser tests (tests/test_browser_pages.py) check the
rendered pages of the real site.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "generator" / "katex_prerender.mjs"

PAGE = """<!doctype html><html><body>
<p>Inline <span class="arithmatex">\\(a &lt; b \\cdot x_{1}\\)</span> and text.</p>
<div class="arithmatex">\\[ y = \\begin{bmatrix} 1 &amp; -2 \\\\ 3 &amp; 4 \\end{bmatrix} \\]</div>
<p><span class="arithmatex" data-katex="done"><span class="katex">kept as it is</span></span></p>
<pre><code>&lt;span class="arithmatex"&gt;\\(not math\\)&lt;/span&gt;</code></pre>
</body></html>
"""


def run(site: Path) -> subprocess.CompletedProcess:
    if shutil.which("node") is None:
        pytest.fail("node is required to build the site (generator/katex_prerender.mjs)")
    return subprocess.run(["node", str(SCRIPT), str(site)], cwd=ROOT, capture_output=True, text=True)


def test_prerender_renders_each_formula_once_with_its_own_tex(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text(PAGE, encoding="utf-8")
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "4 formulas rendered in 2 pages" in proc.stdout
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
    assert again.returncode == 0 and "0 formulas rendered" in again.stdout
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == out
    assert (tmp_path / "sub" / "index.html").read_text(encoding="utf-8") == out


def test_prerender_fails_loudly_without_a_site(tmp_path):
    proc = run(tmp_path / "missing")
    assert proc.returncode != 0 and "no built site" in proc.stderr
