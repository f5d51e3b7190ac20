"""``python -m generator``: regenerate the pages of the deck, or check they are current.

Exit status: 0 done (or up to date), 1 ``--check`` found stale files, 2 bad input or a
failed write (one line per problem, no traceback). A bug is a traceback and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from . import writer
from .errors import SpecError

ROOT = Path(__file__).resolve().parent.parent


def mkdocs_env() -> dict[str, str]:
    """The environment for running mkdocs on a site: this package importable under its own name
    (mkdocs.yml's markdown extension ``<package>.mdext``) from a clone as from an install."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=path)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m generator", description="Regenerate the convcards pages from deck specs.")
    ap.add_argument(
        "--decks",
        "-d",
        action="append",
        type=Path,
        metavar="PATH",
        help="a deck file (.yaml) or a folder of them; repeat for several (default: generator/decks)",
    )
    ap.add_argument(
        "--docs",
        "-o",
        type=Path,
        metavar="DIR",
        help="the docs folder to write into (default: ./docs, in the current folder; required with --decks)",
    )
    ap.add_argument(
        "--templates", "-t", action="append", type=Path, metavar="DIR", help="an extra template folder, searched before the built-in one"
    )
    ap.add_argument(
        "--config", "-c", type=Path, metavar="FILE",
        help="the site's mkdocs.yml: its site_name (and extra.convcards) name the Anki deck and its GUIDs (default: ours)",
    )
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 naming each stale or missing file")
    ap.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    ap.add_argument("--regenerate-with", help=argparse.SUPPRESS)  # what --check tells to run (convcards check: convcards build DIR)
    return ap


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from . import render, writer

    decks_paths = args.decks or [render.DECK_DIR]
    problems = []
    if args.decks and args.docs is None:
        problems.append("--docs: expected the docs folder to write your decks into (--docs DIR), but received nothing")
    docs = (args.docs or Path("docs")).absolute()
    extra_dirs = args.templates or []
    for d in extra_dirs:
        if not d.is_dir():
            problems.append(f"{d}: expected a template folder (--templates DIR), but received a path that is not a folder: check the path")
    if problems:
        print("\n".join(f"error: {p}" for p in problems), file=sys.stderr)
        return 2
    if args.check:
        return _check(args, docs, extra_dirs, decks_paths)
    with writer.locked(docs):
        decks, outputs = _render(args, docs, extra_dirs, decks_paths)
        plan = writer.plan(docs, outputs)
        _warn(plan)
        writer.apply(docs, plan)
    if not args.quiet:
        n_cards = sum(len(d.cards) for d in decks)
        changed = len([p for p in plan.write if p != writer.MANIFEST])
        finished = " (finished the update a killed run had begun)" if plan.interrupted else ""
        print(
            f"{n_cards} cards in {len(decks)} decks into {docs}: {changed} file(s) written, {len(plan.delete)} removed, "
            f"{len(plan.unchanged)} unchanged{finished}"
        )
    return 0


def _warn(plan: object) -> None:
    for w in getattr(plan, "warnings", []):
        print(f"warning: {w}", file=sys.stderr)


def _render(args: argparse.Namespace, docs: Path, extra_dirs: list[Path], decks_paths: list[Path]) -> tuple[list, dict[str, bytes]]:
    """The decks, checked (every formula too), and every generated file's bytes."""
    from . import mathcheck, render, siteconfig, spec

    env = render.environment(extra_dirs)
    decks = spec.load_decks(decks_paths, render.card_templates(env))
    if math_problems := mathcheck.check(decks):  # an author's formula KaTeX cannot typeset
        raise SpecError(math_problems)
    return decks, render.render_site(decks, env, docs, *([siteconfig.anki_config(args.config)] if args.config else []))


def _check(args: argparse.Namespace, docs: Path, extra_dirs: list[Path], decks_paths: list[Path]) -> int:
    from . import writer

    _, outputs = _render(args, docs, extra_dirs, decks_paths)
    plan = writer.plan(docs, outputs)
    _warn(plan)
    if plan.stale or plan.interrupted:
        for rel in plan.stale:
            state = "missing" if not (docs / rel).exists() else ("no longer generated" if rel in plan.delete else "stale")
            print(f"{docs / rel}: {state}", file=sys.stderr)
        if plan.interrupted:
            print(f"{docs / writer.JOURNAL}: an update was interrupted (the run was killed)", file=sys.stderr)
        n = len([r for r in plan.stale if r != writer.MANIFEST]) if plan.interrupted else len(plan.stale)
        fix = args.regenerate_with or "python -m generator" + (" with the same --decks, --docs and --config" if args.decks else "")
        print(f"{n} generated file(s) out of date in {docs}: run `{fix}`", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{len(outputs)} generated files up to date in {docs}")
    return 0


def guarded(work: Callable[[], int]) -> int:
    """Run ``work`` (a command); an author's mistake or a failed write becomes one line per problem
    on stderr, each naming what to do, and exit status 2: never a traceback. Shared by
    ``python -m generator`` and ``convcards`` (:mod:`.app`)."""
    try:
        return work()
    except SpecError as e:
        for p in e.problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except writer.Busy as e:
        busy = "another `python -m generator` is writing into this folder; wait for it to finish, then run again"
        print(f"error: {e}: {busy}", file=sys.stderr)
        return 2
    except writer.WriteError as e:  # a disk or permission failure while writing: every file was moved back
        fix = "free space or fix the permission, then run again"
        print(f"error: {e.path}: could not write ({e.reason}); docs/ is as it was before this run: {fix}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. the docs folder cannot be created
        fix = "check the path and its permissions, then run again"
        print(f"error: {e.filename or 'docs'}: could not write ({e.strerror or e}); nothing was changed: {fix}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    return guarded(lambda: run(argv))

if __name__ == "__main__":  # python -m generator.cli (python -m convcards.cli once installed): what the live preview runs
    sys.exit(main())
