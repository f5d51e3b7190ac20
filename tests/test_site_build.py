"""A real `mkdocs build --strict`, and the Sobel card in real Chromium with real KaTeX."""

from __future__ import annotations

import re


def test_strict_build_has_the_card_and_local_katex(site_dir):
    html = (site_dir / "cards/matrix/unrolled-matrix/index.html").read_text()
    assert "arithmatex" in html and "<details" in html
    assert (site_dir / "vendor/katex/katex.min.js").exists()
    assert not re.search(r"""(src|href)=["']https?://""", html.replace('href="https://squidfunk', "")), "no CDN"
    assert (site_dir / "data/cards.json").exists()


def test_sobel_card_renders_in_chromium(page, server):
    page.goto(f"{server}/cards/matrix/unrolled-matrix/")
    page.wait_for_function("document.querySelectorAll('.arithmatex[data-katex=done]').length === document.querySelectorAll('.arithmatex').length")
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
