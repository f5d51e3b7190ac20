"""``convcards new DIR``: a working site for an author's own cards.

DIR/mkdocs.yml (ours, with the author's title, without our footer's claim, with the Anki deck
name and a GUID namespace of its own), DIR/decks/ (a sample deck of two cards),
DIR/docs/ (a home page linking study mode and the downloads, the study and downloads pages,
the site's scripts, styles, theme overrides and KaTeX). The site's own files come from the
installed package (``convcards/_site``, put there when the wheel is built) or, in a clone of the
repository, from the repository itself.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import yaml

from . import siteconfig
from .errors import Problem, SpecError

PACKAGE = Path(__file__).resolve().parent
COPIED = ("docs/javascripts", "docs/stylesheets", "docs/.overrides", "docs/study.md", "docs/vendor")


def site_root() -> Path:
    """Where the site's own files are: ``convcards/_site`` in an installed wheel, else the clone."""
    packaged = PACKAGE / "_site"
    return packaged if (packaged / "mkdocs.yml").is_file() else PACKAGE.parent


def katex_dir() -> Path | None:
    """KaTeX's files (katex.min.js, katex.min.css, fonts/) from the package or the clone, if any."""
    for d in (site_root() / "docs/vendor/katex", PACKAGE.parent / "node_modules/katex/dist"):
        if (d / "katex.min.js").is_file():
            return d
    return None


KATEX_MISSING = (
    "KaTeX is not installed with convcards: reinstall convcards from a wheel built after `npm ci` (or `make site`) "
    "in its clone, which then carries KaTeX, or copy KaTeX's katex.min.js, katex.min.css and fonts/ into the site's docs/vendor/katex/"
)


def mkdocs_config(title: str, namespace: str) -> dict[str, Any]:
    """Our mkdocs.yml, made the author's: their title, no claim of ours in the footer, no URLs of ours."""
    doc = siteconfig.load(site_root() / "mkdocs.yml")
    doc["site_name"] = title
    doc["site_description"] = f"{title}: convolution arithmetic as flashcards."
    for key in ("copyright", "repo_url", "site_url", "site_dir"):  # site_url and site_dir are !ENV tags of ours: site/ by default
        doc.pop(key, None)
    doc["extra"] = {**(doc.get("extra") or {}), "convcards": {"anki_deck": title, "guid_namespace": namespace}}
    # our Markdown extension under the name this package has here: convcards.mdext once installed
    doc["markdown_extensions"] = [f"{__package__}.mdext" if e == "generator.mdext" else e for e in doc.get("markdown_extensions") or []]
    return doc


def slug(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return s or "my-cards"


SAMPLE_DECK = """\
# A deck of two cards. Numbers here are inputs: every answer on the pages is computed from them.
# The spec format: "Write your own cards" in the convcards README.
deck: {deck}
title: "First deck"
order: 1
intro: Two sample cards to start from. Edit them, add more, and run `convcards build`.
cards:
  - id: one-output
    title: One output entry
    question: What does a 2×2 kernel compute at one position of a 3×3 input?
    summary: Multiply the window by the kernel entry by entry, and sum.
    views: [sliding_window, figure]
    examples:
      main: &example            # "&example" names this example; "*example" below repeats it
        operation: cross_correlation
        input: [[1, 2, 0], [0, 1, -1], [3, 1, 2]]
        kernel: [[1, 0], [-1, 2]]
    practice:
      seed: 1
      kinds: [output_value, output_size]

  - id: as-a-matrix
    title: The same as one matrix product
    question: How is that cross-correlation one matrix product?
    summary: Each row of C holds the kernel where the window sits; C times the flattened input is the output.
    builds_on: [one-output]
    views: [flatten, unrolled]
    examples:
      main: *example            # the same example as the first card's
    practice:
      seed: 2
      kinds: [c_entry]
"""

INDEX = """\
# {title}

Flashcards on convolution arithmetic. Every number on these cards is computed from the deck
specs in `decks/` by [convcards](https://pypi.org/project/convcards/).

[Study the decks](study.md) one card at a time (the site remembers what you got wrong), or
[download them](downloads.md) for Anki or to print.

--8<-- ".snippets/home-grid.md"
"""

DOWNLOADS = """\
# Downloads

## Anki deck

[Download the Anki deck](downloads/convcards.apkg){{ .md-button .md-button--primary download }}

Every card and every practice variant, one note each, in one subdeck per deck
(`{deck}::…`). In Anki, *File → Import…* and choose the file. Importing a newer version later
updates the notes you already have and keeps your review history. Anki never deletes a note on
import: after a release that removes a card, search `tag:{tag}::card-id` in Anki's *Browse*
and delete the notes found.

## Print

Each deck on one page, to print as question and answer sheets:

--8<-- ".snippets/print-links.md"
"""


def copy_vendor(dest: Path, katex: Path) -> None:
    """The served front-end packages: the built docs/vendor as a whole, or KaTeX's files alone."""
    built = site_root() / "docs/vendor"
    if (built / "katex/katex.min.js").is_file():
        shutil.copytree(built, dest, ignore=shutil.ignore_patterns(".stamp"))
        return
    (dest / "katex/fonts").mkdir(parents=True)
    for name in ("katex.min.js", "katex.min.css"):
        shutil.copy2(katex / name, dest / "katex" / name)
    for font in sorted((katex / "fonts").glob("*.woff2")):
        shutil.copy2(font, dest / "katex/fonts" / font.name)


def create(target: Path, title: str | None = None) -> list[Path]:
    """Write a new site into ``target`` (missing or empty); the files written, for the message.
    A failed write (a full disk, a permission) removes what it wrote: the folder is as it was."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        expected = "a new or empty folder for the site (name another one)"
        raise SpecError([Problem(str(target), None, None, expected, "a folder that has files in it")])
    katex = katex_dir()
    if katex is None:
        raise SpecError([Problem(str(target), None, None, "KaTeX installed with convcards", f"none: {KATEX_MISSING}")])
    existed = target.exists()
    try:
        return _write(target, title, katex)
    except BaseException:
        if existed:
            for p in target.iterdir():
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
        raise


def _write(target: Path, title: str | None, katex: Path) -> list[Path]:
    title = title or target.resolve().name
    deck = slug(title)
    namespace = f"{deck}-{uuid.uuid4().hex[:12]}"  # drawn once, then fixed in the author's mkdocs.yml
    config = mkdocs_config(title, namespace)
    root = site_root()
    (target / "decks").mkdir(parents=True)
    (target / "docs").mkdir()
    written = [target / "mkdocs.yml", target / "decks" / f"{deck}.yaml", target / "docs/index.md", target / "docs/downloads.md"]
    header = "# The site's configuration (MkDocs). extra.convcards: the Anki deck's name and the namespace of its note ids.\n"
    written[0].write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    written[1].write_text(SAMPLE_DECK.format(deck=deck), encoding="utf-8")
    written[2].write_text(INDEX.format(title=title), encoding="utf-8")
    tag = "_".join(title.split())
    written[3].write_text(DOWNLOADS.format(deck=title, tag=tag), encoding="utf-8")
    (target / ".gitignore").write_text("/site/\n/.cache/\n.convcards-*\n", encoding="utf-8")  # .convcards-*: the preview's
    for rel in COPIED:
        src = root / rel
        if rel == "docs/vendor":
            copy_vendor(target / rel, katex)
        elif src.is_dir():
            shutil.copytree(src, target / rel, ignore=shutil.ignore_patterns("__pycache__", ".stamp"))
        elif src.is_file():
            shutil.copy2(src, target / rel)
        written.append(target / rel)
    return written
