"""A real `mkdocs build --strict`, and the Sobel card in real Chromium with real KaTeX."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from generator import siteconfig


def test_strict_build_has_the_card_and_local_katex(site_dir):
    html = (site_dir / "cards/matrix/unrolled-matrix/index.html").read_text()
    assert "arithmatex" in html and "<details" in html
    assert (site_dir / "vendor/katex/katex.min.js").exists()
    assert not re.search(r"""(src|href)=["']https?://""", html.replace('href="https://squidfunk', "")), "no CDN"
    assert (site_dir / "data/cards.json").exists()


def test_sobel_card_renders_in_chromium(page, server):
    page.goto(f"{server}/cards/matrix/unrolled-matrix/")
    page.wait_for_function(
        "document.querySelectorAll('.arithmatex[data-katex=done]').length === document.querySelectorAll('.arithmatex').length"
    )
    n = page.locator(".arithmatex").count()
    assert n > 20
    assert page.locator(".arithmatex .katex").count() == n
    assert page.locator(".katex-error").count() == 0
    assert page.offsite_requests == []
    assert page.failed_requests == []
    # the answer opens on click and its matrices then have a real size
    page.locator("details.success > summary").first.click()
    box = page.locator("details.success .katex-display").first.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 20


# --- MkDocs' own link validation: mkdocs.yml's `validation:` makes broken links fail --strict ---



def _strict_build_of(tmp_path, pages: dict[str, str]) -> subprocess.CompletedProcess:
    """mkdocs build --strict of a tiny project that uses this project's `validation:` settings."""
    validation = siteconfig.load(ROOT / "mkdocs.yml")["validation"]  # mkdocs.yml has MkDocs' !ENV tag
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in pages.items():
        (docs / name).write_text(text)
    cfg = {"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "site"), "nav": list(pages), "validation": validation}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(cfg))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")], capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "link, complaint",
    [
        ("[x](missing.md)", "missing.md"),
        ("[x](other.md#no-such-heading)", "no-such-heading"),
        ("[x](#nothing-here)", "nothing-here"),
        ("[x](/other.md)", "/other.md"),
    ],
)
def test_strict_build_fails_on_a_broken_link_or_anchor(tmp_path, link, complaint):
    proc = _strict_build_of(tmp_path, {"index.md": f"# Home\n\n{link}\n", "other.md": "# Other\n\n## Real heading\n"})
    assert proc.returncode != 0, "a broken link must fail the strict build:\n" + proc.stderr
    assert complaint in proc.stderr, proc.stderr


def test_strict_build_passes_good_links(tmp_path):
    proc = _strict_build_of(tmp_path, {"index.md": "# Home\n\n[x](other.md#real-heading)\n", "other.md": "# Other\n\n## Real heading\n"})
    assert proc.returncode == 0, proc.stderr


def test_no_script_holds_the_parser(site_dir):
    """Every external script of every page is deferred (the theme's bundle through docs/.overrides/main.html):
    none stops the HTML parser before the page's content is parsed (README "Performance")."""
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        html = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html)
        assert any("bundle." in s for s in scripts), f"{page}: the theme's script is missing"
        blocking = [s for s in scripts if not re.search(r"\s(defer|async)(\s|>|=)", s)]
        assert not blocking, f"{page}: parser-blocking script(s) {blocking}"
