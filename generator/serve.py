"""``python -m generator.serve`` (``make serve``): live preview while writing cards.

Starts ``mkdocs serve`` (which watches ``docs/`` and ``mkdocs.yml`` and reloads the browser)
and, in this process, polls the modification times of everything the pages are generated
from: the generator's Python files, its templates, the deck specs and any author
``--decks``/``--templates`` paths. When one changes, ``python -m generator`` runs again in a
subprocess with the same arguments; its errors (one line per problem) are printed and the
preview goes on with the last good pages. A regeneration that changes nothing writes nothing,
so the preview never loops.
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

from .cli import ROOT

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
        "--dirty",
        action="store_true",
        help="mkdocs serve --dirty: rebuild only the pages whose files changed (faster on a large course; other pages keep "
        "their old navigation and links until the next full build)",
    )
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


def regenerate(gen_args: list[str]) -> bool:
    """Run the generator once; print what it says. True when it succeeded."""
    proc = subprocess.run([sys.executable, "-m", "generator", *gen_args], cwd=ROOT, capture_output=True, text=True)
    stamp = time.strftime("%H:%M:%S")
    for line in (proc.stdout + proc.stderr).splitlines():
        print(f"[{stamp}] {line}", flush=True)
    if proc.returncode != 0:
        print(f"[{stamp}] generation failed (exit {proc.returncode}); serving the last good pages", flush=True)
    return proc.returncode == 0


def start_mkdocs(args: argparse.Namespace) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(args.config.resolve()), "--dev-addr", args.dev_addr]
    if args.dirty:
        cmd.append("--dirty")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.Popen(cmd, cwd=args.config.resolve().parent, env=env)


def watch(args: argparse.Namespace, mkdocs: subprocess.Popen) -> int:
    """Poll until mkdocs exits; regenerate after each settled change."""
    roots = watched_roots(args)
    gen_args = generator_args(args)
    state = snapshot(roots)
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
        regenerate(gen_args)
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
    regenerate(generator_args(args))
    mkdocs = start_mkdocs(args)
    try:
        return watch(args, mkdocs)
    except KeyboardInterrupt:
        return 0
    finally:
        if mkdocs.poll() is None:
            mkdocs.terminate()  # SIGTERM: a background job may ignore SIGINT
            try:
                mkdocs.wait(timeout=10)
            except subprocess.TimeoutExpired:
                mkdocs.kill()


if __name__ == "__main__":
    sys.exit(main())
