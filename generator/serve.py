"""``python -m generator.serve`` (``make serve``): live preview while writing cards.

Starts ``mkdocs serve`` (which watches ``docs/`` and ``mkdocs.yml`` and reloads the browser)
and, in this process, polls the modification times of everything the pages are generated
from: the generator's Python files, its templates, the deck specs and any author
``--decks``/``--templates`` paths. When one changes, ``python -m generator`` runs again in a
subprocess with the same arguments; its errors (one line per problem) are printed and the
preview goes on with the last good pages, each under a banner with the same text (mkdocs serve
runs on ``.convcards-preview.yml``, the site's mkdocs.yml plus :mod:`.preview_hook`). A regeneration that changes nothing writes nothing,
so the preview never loops.

MkDocs rebuilds only the pages whose files changed (``mkdocs serve --dirty``), and the preview's hook
makes that exact: the pages not rebuilt keep their titles in every navigation, and anything the
pages share (a title, a page added or removed, the navigation, a snippet, the configuration) makes
the build a full one (:mod:`.preview_hook`). ``--full`` rebuilds every page on every change.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .cli import ROOT, mkdocs_env
from .errors import SpecError

PACKAGE = Path(__file__).resolve().parent
WATCH_SUFFIXES = (".py", ".j2", ".yaml", ".yml")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m generator.serve", description="Regenerate on every change and serve the site with live reload."
    )
    ap.add_argument("--decks", "-d", action="append", type=Path, metavar="PATH", help="as for python -m generator (repeatable)")
    ap.add_argument("--docs", "-o", type=Path, metavar="DIR", help="as for python -m generator")
    ap.add_argument("--templates", "-t", action="append", type=Path, metavar="DIR", help="as for python -m generator (repeatable)")
    ap.add_argument(
        "--config", "-f", type=Path, default=ROOT / "mkdocs.yml", metavar="FILE", help="the mkdocs.yml to serve (default: ours)"
    )
    ap.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", metavar="HOST:PORT", help="where to serve (default: 127.0.0.1:8000)")
    ap.add_argument(
        "--full",
        action="store_true",
        help="rebuild every page on every change (by default only the changed pages are, unless what they share changed)",
    )
    ap.add_argument("--dirty", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for older commands
    ap.add_argument("--interval", type=float, default=0.5, metavar="SECONDS", help="how often to look for changes (default: 0.5)")
    return ap


def generator_args(args: argparse.Namespace) -> list[str]:
    """The arguments of ``python -m generator``, paths made absolute (it runs from the repository)."""
    out: list[str] = []
    for d in args.decks or []:
        out += ["--decks", str(d.resolve())]
    if args.docs:
        out += ["--docs", str(args.docs.resolve())]
    if args.config.resolve() != (ROOT / "mkdocs.yml").resolve():  # an author's site: its Anki deck name and GUIDs
        out += ["--config", str(args.config.resolve())]
    for t in args.templates or []:
        out += ["--templates", str(t.resolve())]
    return out


def watched_roots(args: argparse.Namespace) -> list[Path]:
    """Everything the pages are made from: the generator package (code, templates, built-in
    decks) and the author's deck and template paths."""
    return [PACKAGE, *(d.resolve() for d in args.decks or []), *(t.resolve() for t in args.templates or [])]


def snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    """``{path: (mtime_ns, size)}`` of every watched file under ``roots`` (files or folders)."""
    state: dict[str, tuple[int, int]] = {}
    for root in roots:
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = [p for p in root.rglob("*") if p.suffix in WATCH_SUFFIXES and "__pycache__" not in p.parts]
        else:
            files = []
        for f in files:
            try:
                st = f.stat()
            except OSError:  # deleted between listing and stat: the next poll sees it gone
                continue
            state[str(f)] = (st.st_mtime_ns, st.st_size)
    return state


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


PREVIEW_CONFIG = ".convcards-preview.yml"  # beside the site's mkdocs.yml (gitignored: .convcards-*)


def preview_config(config: Path) -> Path:
    return config.resolve().parent / PREVIEW_CONFIG


def write_preview_config(config: Path, error: str, incremental: bool = True) -> Path:
    """The preview's configuration: the site's (INHERIT), plus the hook that shows ``error`` (the
    generator's failure as printed; empty: none) on every page. Written whole, then moved into
    place, so mkdocs never reads half of it; mkdocs serve rebuilds when it changes."""
    from . import siteconfig

    site = siteconfig.load(config.resolve())
    doc = {
        "INHERIT": config.resolve().name,
        "hooks": [*(site.get("hooks") or []), str(PACKAGE / "preview_hook.py")],
        "watch": [*(site.get("watch") or []), config.resolve().name],  # the site's own config: edits to it rebuild too
        "extra": {"convcards_preview_error": error, "convcards_preview_incremental": incremental},
    }
    path = preview_config(config)
    tmp = path.with_name(path.name + ".tmp")
    header = "# The live preview's configuration (convcards serve): removed when it stops. Not for mkdocs build.\n"
    tmp.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    os.replace(tmp, path)
    return path


def regenerate(gen_args: list[str]) -> str:
    """Run the generator once; print what it says. The failure as printed, or "" on success."""
    proc = subprocess.run([sys.executable, "-m", f"{__package__}.cli", *gen_args], cwd=ROOT, capture_output=True, text=True)
    stamp = time.strftime("%H:%M:%S")
    lines = [f"[{stamp}] {line}" for line in (proc.stdout + proc.stderr).splitlines()]
    if proc.returncode != 0:
        lines.append(
            f"[{stamp}] generation failed (exit {proc.returncode}): fix what is named above and save, the preview regenerates; "
            "until then it serves the last good pages, under this error"
        )
    for line in lines:
        print(line, flush=True)
    return "\n".join(lines) if proc.returncode != 0 else ""


def start_mkdocs(args: argparse.Namespace) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(preview_config(args.config)), "--dev-addr", args.dev_addr]
    if not args.full:
        cmd.append("--dirty")  # made exact by the preview hook (convcards_preview_incremental)
    env = mkdocs_env()
    return subprocess.Popen(cmd, cwd=args.config.resolve().parent, env=env)


def watch(args: argparse.Namespace, mkdocs: subprocess.Popen, first_error: str = "") -> int:
    """Poll until mkdocs exits; regenerate after each settled change."""
    roots = watched_roots(args)
    gen_args = generator_args(args)
    state = snapshot(roots)
    shown_error = first_error
    while mkdocs.poll() is None:
        time.sleep(args.interval)
        now = snapshot(roots)
        if now == state:
            continue
        # Wait until the files settle (an editor may write in several steps).
        while True:
            time.sleep(args.interval / 2)
            again = snapshot(roots)
            if again == now:
                break
            now = again
        names = changed(state, now)
        state = now
        shown = ", ".join(Path(n).name for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        print(f"[{time.strftime('%H:%M:%S')}] changed: {shown}; regenerating", flush=True)
        error = regenerate(gen_args)
        if error != shown_error:  # the banner appears, changes or goes (mkdocs serve rebuilds on it)
            write_preview_config(args.config, error, not args.full)
            shown_error = error
    return mkdocs.returncode or 0


def address_problem(dev_addr: str) -> str | None:
    """Why ``mkdocs serve`` could not listen on ``HOST:PORT``, as a one-line message, or None."""
    host, sep, port = dev_addr.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"--dev-addr {dev_addr!r}: expected HOST:PORT, e.g. 127.0.0.1:8000"
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.bind((host.strip("[]"), int(port)))
    except OSError as e:
        busy = e.errno == errno.EADDRINUSE
        why = "is in use (another server, or a preview still running)" if busy else f"cannot be used ({e.strerror})"
        other = f"{host}:{int(port) + 1}"
        return f"{host}:{port} {why}: stop it, or serve elsewhere with --dev-addr {other} (make serve ADDR={other})"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (problem := address_problem(args.dev_addr)) is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that `finally` stops mkdocs too
    error = regenerate(generator_args(args))
    try:
        write_preview_config(args.config, error, not args.full)
    except SpecError as e:  # the site's mkdocs.yml itself cannot be read
        print("\n".join(f"error: {p}" for p in e.problems), file=sys.stderr)
        return 2
    mkdocs = None
    try:
        mkdocs = start_mkdocs(args)
        return watch(args, mkdocs, error)
    except KeyboardInterrupt:
        return 0
    finally:
        if mkdocs is not None and mkdocs.poll() is None:
            mkdocs.terminate()  # SIGTERM: a background job may ignore SIGINT
            try:
                mkdocs.wait(timeout=10)
            except subprocess.TimeoutExpired:
                mkdocs.kill()
        preview_config(args.config).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
