"""A MkDocs hook of the live preview only (``convcards serve``, ``make serve``): while the deck
specs do not build, every page shows the generator's error, the text printed in the terminal.

:mod:`.serve` writes the text into ``extra.convcards_preview_error`` of the preview's own
configuration (``.convcards-preview.yml`` beside mkdocs.yml, which inherits it; written whole,
then moved into place, and removed when the preview stops). ``mkdocs build`` never reads that
file, so the banner never reaches a built or committed site. MkDocs loads a hook by its path:
this file imports nothing of the package.

It also makes the preview's rebuilds incremental, and still exact (``extra.convcards_preview_incremental``,
set by :mod:`.serve` unless ``--full``; mkdocs serve then runs ``--dirty``). MkDocs' own ``--dirty``
rebuilds only the pages whose Markdown changed, and gets the others' navigation wrong: a page it did
not read again has no title, and a title, a new card or a snippet changed elsewhere never reaches the
pages already built. Here:

- a page not read again keeps the title and metadata it had in the previous build (so every
  navigation built now names it as a full build would);
- everything the pages share is compared with the previous build: the list of pages, the
  configuration (navigation, ``extra``, site name, the configuration files), the snippets and theme
  overrides (``docs/.snippets``, ``docs/.overrides``) and the title of every page read again. If any
  differs, every page is read and built again, the site folder emptied first when the list of pages
  changed (so a removed card leaves no page behind). Otherwise only the changed pages are built: the
  others are exactly what a full build would write again.

What it keeps between builds lives in this process's ``sys.modules`` (mkdocs loads a hook anew on
each build). The search index is MkDocs Material's, which merges a dirty rebuild into the previous one.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
import types
from pathlib import Path
from typing import Any

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


# ----------------------------------------------------------------------------- incremental rebuilds

FLAG = "convcards_preview_incremental"
_STATE = sys.modules.setdefault("_convcards_preview_state", types.ModuleType("_convcards_preview_state"))  # survives reloads


def _incremental(config: Any) -> bool:
    return bool((config.get("extra") or {}).get(FLAG))


def _shared_files(config: Any) -> list[tuple[str, int, int]]:
    """(path, mtime, size) of what every page is built with besides its own Markdown: the
    configuration files, the snippets and the theme overrides."""
    docs = Path(config["docs_dir"])
    paths: list[Path] = []
    if config.get("config_file_path"):
        conf = Path(config["config_file_path"])
        paths += sorted(conf.parent.glob("*.yml")) + [docs / ".nav.yml"]
    for d in (".snippets", ".overrides"):
        paths += sorted(p for p in (docs / d).rglob("*") if p.is_file())
    out = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return out


def _signature(config: Any, pages: list[str]) -> str:
    parts = [pages, repr(config.get("nav")), repr(config.get("extra")), repr(config.get("site_name")), _shared_files(config)]
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _pages(files: Any) -> list[Any]:
    return list(files.documentation_pages())


def _rebuild_all(files: Any) -> None:
    for f in _pages(files):
        f.is_modified = lambda: True  # this build reads and writes every page, --dirty or not


def on_files(files: Any, config: Any) -> Any:
    if not _incremental(config):
        return files
    pages = sorted(f.src_uri for f in _pages(files))
    sig = _signature(config, pages)
    _STATE.full = getattr(_STATE, "sig", None) != sig
    if _STATE.full:
        if getattr(_STATE, "pages", None) not in (None, pages):  # a page added or removed: no stale page left behind
            from mkdocs import utils

            utils.clean_directory(config["site_dir"])
        _rebuild_all(files)
    _STATE.next_sig, _STATE.next_pages = sig, pages
    if not hasattr(_STATE, "titles"):
        _STATE.titles, _STATE.metas = {}, {}
    return files


class _Compiled:
    """Jinja's compiled templates kept between builds (MkDocs makes a new environment for each
    build, and compiling the theme's templates again cost about a third of a one-card rebuild).
    Keyed by template name and the checksum of its source, as jinja2's own bytecode caches are."""

    def load_bytecode(self, bucket: Any) -> None:
        code = _STATE.bytecode.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Any) -> None:
        _STATE.bytecode[bucket.key] = bucket.bytecode_to_string()


def _bytecode_cache() -> Any:
    import jinja2

    class Cache(_Compiled, jinja2.BytecodeCache):
        pass

    if not hasattr(_STATE, "bytecode"):
        _STATE.bytecode = {}
    return Cache()


def on_env(env: Any, config: Any, files: Any) -> Any:
    """After the pages are read: a title changed means a full build; else the pages not read
    again take their title and metadata from the previous build."""
    if not _incremental(config):
        return env
    env.bytecode_cache = _bytecode_cache()
    if _STATE.full:
        return env
    titles, metas = _STATE.titles, _STATE.metas
    read = [f for f in _pages(files) if f.page is not None and f.page.markdown is not None]
    unread = [f for f in _pages(files) if f.page is not None and f.page.markdown is None]
    if any(f.src_uri not in titles or f.page.title != titles[f.src_uri] for f in read):
        from mkdocs.commands.build import _populate_page

        _STATE.full = True
        _rebuild_all(files)
        for f in unread:
            _populate_page(f.page, config, files)
        return env
    for f in unread:
        f.page.title = titles.get(f.src_uri)
        f.page.meta = dict(metas.get(f.src_uri, {}))
    return env


def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    """A page built: its title and metadata, for the builds that will not read it again."""
    if _incremental(config):
        _STATE.titles[page.file.src_uri] = page.title
        _STATE.metas[page.file.src_uri] = dict(page.meta or {})
    return context


def on_post_build(config: Any) -> None:
    """The build is complete: the next one compares with it (a failed build leaves the next one full)."""
    if _incremental(config):
        _STATE.sig, _STATE.pages = _STATE.next_sig, _STATE.next_pages
