"""A MkDocs hook of the live preview only (``convcards serve``, ``make serve``): while the deck
specs do not build, every page shows the generator's error, the text printed in the terminal.

:mod:`.serve` writes the text into ``extra.convcards_preview_error`` of the preview's own
configuration (``.convcards-preview.yml`` beside mkdocs.yml, which inherits it; written whole,
then moved into place, and removed when the preview stops). ``mkdocs build`` never reads that
file, so the banner never reaches a built or committed site. MkDocs loads a hook by its path:
this file imports nothing of the package.
"""

from __future__ import annotations

import html
import re

STYLE = (
    "position:relative;z-index:5;margin:0;padding:.8em 1em;background:#b71c1c;color:#fff;"
    "font:14px/1.45 system-ui,sans-serif;border-bottom:3px solid #7f0000"
)
PRE = "margin:.5em 0 0;white-space:pre-wrap;word-break:break-word;font:13px/1.4 ui-monospace,monospace;color:#fff;background:none"


def banner(text: str) -> str:
    return (
        f'<div id="convcards-preview-error" role="alert" style="{STYLE}"><strong>The deck did not build: this preview shows '
        f"the last good pages. Fix what is named below and save; this banner goes when the deck builds.</strong>"
        f'<pre style="{PRE}">{html.escape(text)}</pre></div>'
    )


def on_post_page(output: str, page: object, config: dict) -> str:
    text = (config.get("extra") or {}).get("convcards_preview_error")
    if not text:
        return output
    body = re.search(r"<body[^>]*>", output)
    at = body.end() if body else 0
    return output[:at] + banner(text) + output[at:]
