"""site_url: empty for local builds (the site works from any address), the published address when
the Pages workflow sets CONVCARDS_SITE_URL (then the sitemap and canonical links are absolute)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = "from mkdocs.config import load_config; print(repr(load_config('mkdocs.yml').site_url))"


def _site_url(value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CONVCARDS_SITE_URL"}
    if value is not None:
        env["CONVCARDS_SITE_URL"] = value
    proc = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_site_url_comes_from_the_environment_only():
    assert _site_url(None) in ("''", "None")
    assert _site_url("https://example.org/convcards/") == "'https://example.org/convcards/'"


def test_the_pages_workflow_sets_it_for_the_published_build():
    ci = (ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8")
    assert "CONVCARDS_SITE_URL: ${{ format('{0}/', steps.pages.outputs.base_url) }}" in ci
    assert "uses: actions/configure-pages@v5" in ci
