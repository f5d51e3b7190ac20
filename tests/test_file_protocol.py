"""The site opened from disk (file://) says plainly that it must be served, and how; served, it
says nothing of the kind; and study mode no longer claims that JavaScript is off."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BANNER = ".cc-file-protocol"


@pytest.mark.parametrize("path", ["index.html", "study/index.html", "cards/matrix/flatten/index.html"])
def test_opened_from_disk_says_serve_it(browser, site_dir, path):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((site_dir / path).as_uri(), wait_until="load")
        banner = page.locator(BANNER)
        banner.wait_for(state="visible", timeout=10_000)
        text = banner.inner_text()
        assert "opened from disk" in text and "make serve" in text and "http.server" in text
        if path.startswith("study"):
            assert not page.locator(".cc-study-nojs").first.is_visible(), "study mode claims JavaScript is off"
    finally:
        context.close()


def test_served_pages_have_no_banner(page, server):
    for path in ("", "study/"):
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_timeout(200)
        assert page.locator(BANNER).count() == 0
