"""``convcards``: an author's site in one command each (the console script of ``pip install``).

    convcards new DIR        a working site: mkdocs.yml, a sample deck of two cards, a home page,
                             the site's scripts, styles, theme overrides and KaTeX
    convcards build [DIR]    generate the pages from DIR/decks, mkdocs build --strict, typeset the
                             math (node postbuild.mjs, in this package) -> DIR/site
    convcards serve [DIR]    live preview: regenerate on every change, reload the browser
    convcards check [DIR]    exit 1 naming each generated page that is out of date

DIR defaults to the current folder; ``python -m convcards`` is the same command. In a clone of
the repository, ``python -m generator`` (this repository's own site) keeps working as before.
Exit status: 0 done, 1 stale pages (check) or a failed build step, 2 bad input
(one line naming the file and what to do, no traceback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import cli, scaffold
from .errors import Problem, SpecError

PACKAGE = Path(__file__).resolve().parent


def _site(d: Path) -> tuple[Path, list[str]]:
    """The site folder and the generator's arguments for it (decks, docs, config); a folder that
    is not a convcards site is a :class:`SpecError` naming the fix."""
    for rel in ("mkdocs.yml", "decks", "docs"):
        if not (d / rel).exists():
            expected = f"a convcards site (mkdocs.yml, decks/ and docs/): make one with `convcards new {d}`, or name the site's folder"
            raise SpecError([Problem(str(d / rel), None, None, expected, f"no {rel} there")])
    d = d.resolve()
    os.environ.setdefault("CONVCARDS_CACHE", str(d / ".cache" / "convcards"))  # never inside the installed package
    if (d / "docs/vendor/katex/katex.min.js").is_file():  # the site's KaTeX checks the authors' formulas
        os.environ.setdefault("CONVCARDS_KATEX", str(d / "docs/vendor/katex/katex.min.js"))
    return d, ["--decks", str(d / "decks"), "--docs", str(d / "docs"), "--config", str(d / "mkdocs.yml")]


def cmd_new(args: argparse.Namespace) -> int:
    written = scaffold.create(args.dir, args.title)
    print(f"A new site in {args.dir}: {', '.join(str(p.relative_to(args.dir)) for p in written[:4])} and the site's scripts and KaTeX.")
    print(f"Next: convcards build {args.dir}   (or: convcards serve {args.dir} for a live preview)")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    d, gen = _site(args.dir)
    if not (d / "docs/vendor/katex/katex.min.js").is_file():
        katex = scaffold.katex_dir()
        if katex is None:
            missing = f"none, and {scaffold.KATEX_MISSING}"
            raise SpecError([Problem(str(d / "docs/vendor/katex"), None, None, "KaTeX's files here", missing)])
        scaffold.copy_vendor(d / "docs/vendor", katex)
        print(f"KaTeX copied into {d / 'docs/vendor'}")
    code = cli.main([*gen, *(["--quiet"] if args.quiet else [])])
    if code != 0:
        return code
    env = cli.mkdocs_env()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(d / "mkdocs.yml")], cwd=d, env=env)
    if proc.returncode != 0:
        fix = f"fix what its messages above name, then run `convcards build {args.dir}` again"
        print(f"error: {d / 'mkdocs.yml'}: mkdocs build --strict failed: {fix}", file=sys.stderr)
        return 1
    node = shutil.which("node")
    if node is None:
        print("note: Node.js not found: the math will be typeset in the browser, not at build time (install Node.js >= 18, build again)")
    else:
        env["CONVCARDS_KATEX"] = str(d / "docs/vendor/katex/katex.min.js")
        proc = subprocess.run([node, str(PACKAGE / "postbuild.mjs"), str(d / "site")], cwd=d, env=env, capture_output=args.quiet, text=True)
        if proc.returncode != 0:
            print(f"error: {d / 'site'}: the post-build step (math typeset at build time) failed: {proc.stderr.strip()}; "
                  f"fix what it names (Node.js >= 18 is needed), then run `convcards build {args.dir}` again", file=sys.stderr)
            return 1
    if not args.quiet:
        print(f"site built in {d / 'site'}: serve it (convcards serve {args.dir}), opening files from disk does not work")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import serve

    d, gen = _site(args.dir)
    return serve.main([*gen, "--dev-addr", args.dev_addr])


def cmd_check(args: argparse.Namespace) -> int:
    d, gen = _site(args.dir)
    return cli.main([*gen, "--check", "--regenerate-with", f"convcards build {args.dir}", *(["--quiet"] if args.quiet else [])])


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="convcards", description="Convolution arithmetic as flashcards: your own site of cards.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{new,build,serve,check}")
    p = sub.add_parser("new", help="start a site in DIR: configuration, a sample deck, home page, scripts, KaTeX")
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--title", help="the site's title and Anki deck name (default: DIR's name)")
    p.set_defaults(func=cmd_new)
    for name, func, text in (
        ("build", cmd_build, "generate the pages and build the site into DIR/site"),
        ("check", cmd_check, "exit 1 naming each generated page that is out of date"),
        ("serve", cmd_serve, "live preview with reload on every change"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("dir", type=Path, nargs="?", default=Path("."), metavar="DIR", help="the site (default: the current folder)")
        if name == "serve":
            p.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", metavar="HOST:PORT", help="default: 127.0.0.1:8000")
        else:
            p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
        p.set_defaults(func=func)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return cli.guarded(lambda: args.func(args))

if __name__ == "__main__":
    sys.exit(main())
