"""A content-hash cache: figures and whole generated sites, reused when their inputs are unchanged.

Every entry is keyed by the SHA-256 of *everything* it depends on, so a key that is
found can be trusted and nothing ever has to be invalidated:

- a **figure** by its kind, the arrays and parameters it draws (a canonical encoding of
  the arguments, :func:`fingerprint`), its keyword arguments, the source of every module
  of the generator package and the matplotlib version;
- a **site** (every output of :func:`generator.render.render_site`) by the canonical
  encoding of the loaded decks, every template file, the generator's source, the
  versions of the libraries that shape the output and the names of the hand-written
  pages beside the generated ones (the navigation lists them).

Entries live in ``.cache/convcards`` at the repository root (gitignored), or in the
folder named by ``CONVCARDS_CACHE``; ``CONVCARDS_CACHE=off`` disables the cache. Each
entry carries the digest of its payload and its own key: an entry that does not match
(truncated, edited, or for another key) is ignored and redrawn, never trusted.

This module only *reads* files; :func:`generator.writer.store` writes the entries
(one module writes). Drawing in worker processes: :class:`FigureDrawer`.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import pickle
import struct
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
FORMAT = b"convcards-cache 1"
FIGURE_DIR = "figures"
SITE_DIR = "sites"
CARD_DIR = "cards"
KEEP = {SITE_DIR: 4, CARD_DIR: 2000, FIGURE_DIR: 2000}  # entries kept per kind, newest first (see prune)
LIBRARIES = ("jinja2", "markdown", "pymdown-extensions", "genanki", "numpy", "pyyaml")


# ----------------------------------------------------------------------------- where


def folder() -> Path | None:
    """The cache folder, or None when ``CONVCARDS_CACHE=off``."""
    env = os.environ.get("CONVCARDS_CACHE", "")
    if env.lower() in ("off", "0", "no", "false"):
        return None
    return Path(env) if env else ROOT / ".cache" / "convcards"


def jobs() -> int:
    """Worker processes for drawing figures: ``CONVCARDS_JOBS``, else every core we may use."""
    env = os.environ.get("CONVCARDS_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------- keys


def fingerprint(obj: Any) -> bytes:
    """A canonical byte encoding of ``obj``: equal encodings mean equal values.

    Handles what cards are made of: None, bools, numbers, strings, bytes, paths, enums,
    tuples, lists, dicts (in insertion order, as templates see them), sets (sorted),
    numpy arrays and scalars (dtype, shape, bytes) and dataclasses (field by field).
    Any other object is encoded by its class and ``__dict__`` when it has one, else by
    pickle; an object that cannot be encoded raises ``TypeError`` (no key, no caching).
    """
    out: list[bytes] = []
    _encode(obj, out, 0)
    return b"".join(out)


def _tag(out: list[bytes], tag: bytes, payload: bytes) -> None:
    out.append(tag + struct.pack("<Q", len(payload)) + payload)


def _encode(obj: Any, out: list[bytes], depth: int) -> None:  # noqa: C901 - one branch per type
    if depth > 60:
        raise TypeError("structure too deep to fingerprint")
    if obj is None or isinstance(obj, bool):
        _tag(out, b"c", repr(obj).encode())
    elif isinstance(obj, (int, float, complex, str)) and not isinstance(obj, enum.Enum):
        _tag(out, b"n" if not isinstance(obj, str) else b"s", (type(obj).__name__ + ":" + repr(obj)).encode("utf-8", "surrogatepass"))
    elif isinstance(obj, (bytes, bytearray)):
        _tag(out, b"b", bytes(obj))
    elif isinstance(obj, Path):
        _tag(out, b"p", str(obj).encode("utf-8", "surrogatepass"))
    elif isinstance(obj, enum.Enum):
        _tag(out, b"e", f"{type(obj).__qualname__}.{obj.name}".encode())
    elif isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            _tag(out, b"O", str(obj.shape).encode())
            for item in obj.ravel().tolist():
                _encode(item, out, depth + 1)
        else:
            _tag(out, b"a", f"{obj.dtype.str}{obj.shape}".encode() + b"|" + np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, np.generic):
        _tag(out, b"g", f"{obj.dtype.str}".encode() + b"|" + obj.tobytes())
    elif isinstance(obj, (list, tuple)):
        _tag(out, b"l" if isinstance(obj, list) else b"t", str(len(obj)).encode())
        for item in obj:
            _encode(item, out, depth + 1)
    elif isinstance(obj, dict):
        _tag(out, b"d", str(len(obj)).encode())
        for k, v in obj.items():
            _encode(k, out, depth + 1)
            _encode(v, out, depth + 1)
    elif isinstance(obj, (set, frozenset)):
        items = sorted(fingerprint(i) for i in obj)
        _tag(out, b"S", b"".join(struct.pack("<Q", len(i)) + i for i in items))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        _tag(out, b"D", f"{type(obj).__module__}.{type(obj).__qualname__}".encode())
        for f in dataclasses.fields(obj):
            _encode(f.name, out, depth + 1)
            _encode(getattr(obj, f.name), out, depth + 1)
    elif hasattr(obj, "__dict__") and not callable(obj):
        # e.g. examples.Example: its inputs live in attributes (cached results are derived from them)
        _tag(out, b"o", f"{type(obj).__module__}.{type(obj).__qualname__}".encode())
        state = {k: v for k, v in vars(obj).items() if not _is_derived(type(obj), k)}
        _encode(dict(sorted(state.items())), out, depth + 1)
    else:
        try:
            _tag(out, b"P", pickle.dumps(obj, protocol=4))
        except Exception as e:  # noqa: BLE001 - anything unpicklable has no key
            raise TypeError(f"cannot fingerprint {type(obj).__name__}") from e


def _is_derived(cls: type, name: str) -> bool:
    """A ``functools.cached_property`` value: computed from the other attributes, so not part of the key."""
    from functools import cached_property

    return isinstance(getattr(cls, name, None), cached_property)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 of every Python source file of the generator package (names and bytes)."""
    h = hashlib.sha256(FORMAT)
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@cache
def library_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def figure_key(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The key of one figure, or None when its arguments cannot be fingerprinted."""
    try:
        data = fingerprint((kind, args, dict(sorted(kwargs.items()))))
    except TypeError:
        return None
    libs = library_version("matplotlib") + "," + library_version("pillow")  # Pillow writes the gallery's GIFs
    h = hashlib.sha256(b"figure\0" + code_digest().encode() + libs.encode() + b"\0")
    h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=8)
def templates_digest(template_dirs: tuple[str, ...]) -> str:
    """SHA-256 of every file in the template folders (names and bytes), in search order."""
    h = hashlib.sha256(b"templates\0")
    for d in map(Path, template_dirs):
        h.update(str(d).encode() + b"\0")
        for path in sorted(p for p in d.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(d)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _environment_digest(template_dirs: list[Path]) -> bytes:
    h = hashlib.sha256(code_digest().encode() + templates_digest(tuple(str(d) for d in template_dirs)).encode())
    for lib in LIBRARIES + ("matplotlib",):
        h.update(f"{lib}={library_version(lib)}\0".encode())
    return h.digest()


def site_key(decks: Any, template_dirs: list[Path], docs_pages: list[str], decks_fp: bytes | None = None) -> str | None:
    """The key of a whole generated site: decks, templates, code, libraries, hand-written pages.
    ``decks_fp``: :func:`decks_digest` of ``decks``, when the caller has it (two keys of one run)."""
    try:
        h = hashlib.sha256(b"site\0" + _environment_digest(template_dirs))
        h.update(fingerprint(sorted(docs_pages)))
        h.update(decks_fp if decks_fp is not None else decks_digest(decks))
    except (TypeError, OSError):
        return None
    return h.hexdigest()


def decks_digest(decks: Any) -> bytes:
    """SHA-256 of :func:`fingerprint` of the decks (raises TypeError when they have none)."""
    return hashlib.sha256(fingerprint(decks)).digest()


def deck_header(deck: Any) -> dict[str, Any]:
    """What a card page may read of its deck: every field of the deck but the other cards'
    specs (their ids, titles and order are in the card key through ``all_cards``)."""
    if dataclasses.is_dataclass(deck) and not isinstance(deck, type):
        return {f.name: getattr(deck, f.name) for f in dataclasses.fields(deck) if f.name != "cards"}
    return {"deck": deck}


def cards_index(all_cards: dict[str, Any]) -> bytes:
    """The digest of the id, title and deck of every card in order: what a card's links may
    name of the other cards. :func:`render.render_site` computes it once for all its cards
    (computed for each card, it made the card keys cost O(n^2): 10 % of a profiled no-op at 290 cards)."""
    return hashlib.sha256(fingerprint([(c.id, c.title, c.deck) for c in all_cards.values()])).digest()


def card_key(card: Any, deck: Any, all_cards: dict[str, Any], template_dirs: list[Path], index: bytes | None = None) -> str | None:
    """The key of one card's page: the card, its deck's own fields (not its other cards, so a
    change to one card renders only that card again), the id, title and deck of every card in
    order (links name them: ``index``, :func:`cards_index` of ``all_cards``, computed here if not
    given), templates, code and libraries."""
    try:
        h = hashlib.sha256(b"card\0" + _environment_digest(template_dirs))
        h.update(fingerprint(card))
        h.update(fingerprint(deck_header(deck)))
        h.update(index if index is not None else cards_index(all_cards))
    except (TypeError, OSError, AttributeError):
        return None
    return h.hexdigest()


def load_card(key: str | None) -> tuple[str, dict[str, bytes], dict[str, Any], str] | None:
    """A card's page (Markdown), its figures (name -> SVG bytes) and what the course's shared
    outputs take from it (``derived`` and ``extra``, see :func:`save_card`) from an earlier run, or None.

    The figures are read from their own entries: if any is missing or bad, so is the card."""
    entry = _read(CARD_DIR, key) if key else None
    if entry is None:
        return None
    meta, payload = entry
    figures: dict[str, bytes] = {}
    try:
        for name, fig_key in meta.get("figures", []):
            fig = _read(FIGURE_DIR, fig_key)
            if fig is None:
                return None
            figures[str(name)] = fig[1]
        for name, text in meta.get("data", {}).items():  # small files computed with the page (step data)
            figures[str(name)] = str(text).encode("utf-8")
        md, derived, extra = (int(n) for n in meta["parts"])
        if md + derived + extra != len(payload):
            return None
        got = json.loads(payload[md : md + derived])  # JSON text, not meta: its objects keep their key order
        if not isinstance(got, dict):
            return None
        return payload[:md].decode("utf-8"), figures, got, payload[md + derived :].decode("utf-8")
    except (TypeError, ValueError, AttributeError):
        return None


def save_card(
    key: str | None,
    markdown: str,
    figure_keys: dict[str, str | None],
    data: dict[str, bytes] | None = None,
    derived: dict[str, Any] | None = None,
    extra: str = "",
) -> None:
    """Store a card's page with the keys of its figures, whole, its small data files (UTF-8 text),
    ``derived``: JSON values computed from the card alone that the course's shared outputs read
    (its practice questions, its study texts as HTML), and ``extra``, a text (its entry of
    cards.json), so that a card found here costs those outputs no work
    (:func:`generator.render.render_card`). The payload: the page, ``derived`` as JSON, ``extra``."""
    if not key or any(k is None for k in figure_keys.values()):
        return
    parts = [markdown.encode("utf-8"), json.dumps(derived or {}, ensure_ascii=False).encode("utf-8"), extra.encode("utf-8")]
    meta: dict[str, Any] = {"figures": [[n, k] for n, k in figure_keys.items()], "parts": [len(p) for p in parts]}
    if data:
        meta["data"] = {n: b.decode("utf-8") for n, b in data.items()}
    _store({f"{CARD_DIR}/{key}.bin": pack(key, meta, b"".join(parts))})


# ----------------------------------------------------------------------------- entries


def pack(key: str, meta: dict[str, Any], payload: bytes) -> bytes:
    """An entry: format line, header (key, payload digest, meta) as JSON, then the payload."""
    head = {"key": key, "sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload), "meta": meta}
    return FORMAT + b"\n" + json.dumps(head, sort_keys=True, ensure_ascii=True).encode() + b"\n" + payload


def unpack(key: str, data: bytes) -> tuple[dict[str, Any], bytes] | None:
    """``(meta, payload)`` of a valid entry for ``key``; None for anything else."""
    try:
        fmt, head, payload = data.split(b"\n", 2)
        if fmt != FORMAT:
            return None
        h = json.loads(head)
        if h.get("key") != key or h.get("size") != len(payload) or h.get("sha256") != hashlib.sha256(payload).hexdigest():
            return None
        meta = h.get("meta")
        return (meta, payload) if isinstance(meta, dict) else None
    except (ValueError, TypeError, AttributeError):
        return None


def _read(kind: str, key: str) -> tuple[dict[str, Any], bytes] | None:
    base = folder()
    if base is None or key is None:
        return None
    try:
        data = (base / kind / f"{key}.bin").read_bytes()
    except OSError:
        return None
    return unpack(key, data)


def _store(entries: dict[str, bytes]) -> None:
    """Hand new entries (relative path -> bytes) to the writer; a failure only costs the cache."""
    base = folder()
    if base is None or not entries:
        return
    from . import writer

    try:
        writer.store(base, entries)
    except OSError:
        pass


# ----------------------------------------------------------------------------- sites


def load_site(key: str | None) -> dict[str, bytes] | None:
    """Every output of a site generated before from the same inputs, or None."""
    entry = _read(SITE_DIR, key) if key else None
    if entry is not None and isinstance(entry[0].get("same_as"), str):  # an alias (save_site's ``also``): one step only
        entry = _read(SITE_DIR, entry[0]["same_as"])
        entry = None if entry is None or "same_as" in entry[0] else entry
    if entry is None:
        return None
    meta, payload = entry
    files = meta.get("files")
    if not isinstance(files, list):
        return None
    out: dict[str, bytes] = {}
    pos = 0
    try:
        for rel, size in files:
            out[str(rel)] = payload[pos : pos + int(size)]
            pos += int(size)
    except (TypeError, ValueError):
        return None
    return out if pos == len(payload) else None


def save_site(key: str | None, outputs: dict[str, bytes], also: str | None = None) -> None:
    """Store a site's outputs under ``key``, and, under ``also`` (other inputs known to give the
    same outputs), a small entry that names ``key``."""
    if not key:
        return
    names = sorted(outputs)
    payload = b"".join(outputs[n] for n in names)
    entries = {f"{SITE_DIR}/{key}.bin": pack(key, {"files": [[n, len(outputs[n])] for n in names]}, payload)}
    if also and also != key:
        entries[f"{SITE_DIR}/{also}.bin"] = pack(also, {"same_as": key}, b"")
    _store(entries)
    prune()


def prune() -> None:
    """Keep the cache bounded: per kind, the newest ``KEEP[kind]`` entries (by write time).

    A site entry holds every output (a few MB), so only the last few are kept; card pages
    and figures are small. A pruned entry is only a miss later, drawn or rendered again."""
    base = folder()
    if base is None:
        return
    old: list[str] = []
    for kind, keep in KEEP.items():
        try:
            entries = sorted((base / kind).glob("*.bin"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
        except OSError:
            continue
        old += [f"{kind}/{p.name}" for p in entries[keep:]]
    if old:
        from . import writer

        try:
            writer.discard(base, old)
        except OSError:
            pass


# ----------------------------------------------------------------------------- figures


def _die_with_parent(parent: int) -> None:
    """In a figure worker: exit when the generator dies, even by SIGKILL, so that no worker
    lives on holding its stdout (``python -m generator | tee log`` would never end).

    Linux: the kernel sends SIGKILL to the worker when its parent dies (``PR_SET_PDEATHSIG``);
    elsewhere a daemon thread polls the parent's pid."""
    import signal
    import threading

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the call
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _draw(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bytes, str]:
    from . import content

    svg, alt = content.figure(kind)(*args, **kwargs)
    return bytes(svg), str(alt)


class FigureDrawer:
    """Figures for the templates: from the cache when their key is known, else drawn.

    ``request`` returns the Markdown of a figure at once when its alt text is known
    (a cache hit, or drawing in this process), else a placeholder that :meth:`finish`
    replaces. With ``parallel`` set, missing figures are drawn in worker processes
    (``jobs()`` of them, started on the first miss) while templates keep rendering.
    """

    PLACEHOLDER = "\x02convcards-figure-{}\x03"

    def __init__(self, parallel: bool = False):
        self.parallel = parallel and jobs() > 1
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[int, tuple[str | None, Future | None, tuple[str, tuple, dict]]] = {}
        self.results: dict[int, tuple[bytes, str]] = {}
        self.keys: dict[int, str | None] = {}  # ticket -> figure key
        self.new: dict[str, bytes] = {}
        self.hits = self.misses = 0

    def request(self, kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, tuple[bytes, str] | None]:
        """``(ticket, (svg, alt))`` when known now, else ``(ticket, None)``: call :meth:`result` later."""
        key = figure_key(kind, args, kwargs)
        ticket = len(self.keys)
        self.keys[ticket] = key
        hit = _read(FIGURE_DIR, key) if key else None
        if hit is not None and isinstance(hit[0].get("alt"), str):
            self.hits += 1
            self.results[ticket] = (hit[1], hit[0]["alt"])
            return ticket, self.results[ticket]
        self.misses += 1
        if self.parallel:
            future = self._submit(kind, args, kwargs)
            if future is not None:
                self.pending[ticket] = (key, future, (kind, args, kwargs))
                return ticket, None
        self.results[ticket] = self._keep(key, _draw(kind, args, kwargs))
        return ticket, self.results[ticket]

    def _submit(self, kind: str, args: tuple, kwargs: dict) -> Future | None:
        try:
            pickle.dumps((args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not sendable to a worker: draw here
            return None
        if self.pool is None:
            import multiprocessing

            ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
            # the initializer only ties the worker's life to ours; matplotlib is imported with the
            # first figure, so an idle worker costs nothing
            self.pool = ProcessPoolExecutor(max_workers=jobs(), mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),))
        return self.pool.submit(_draw, kind, args, kwargs)

    def _keep(self, key: str | None, result: tuple[bytes, str]) -> tuple[bytes, str]:
        if key:
            self.new[f"{FIGURE_DIR}/{key}.bin"] = pack(key, {"alt": result[1]}, result[0])
        return result

    def result(self, ticket: int) -> tuple[bytes, str]:
        """The figure of a ticket, waiting for its worker if needed."""
        if ticket not in self.results:
            key, future, job = self.pending.pop(ticket)
            try:
                res = future.result()
            except Exception:  # noqa: BLE001 - a worker that failed: draw here, so a real error surfaces with its traceback
                res = _draw(*job)
            self.results[ticket] = self._keep(key, res)
        return self.results[ticket]

    def finish(self) -> None:
        """Wait for every worker, stop the pool and store the new figures in the cache."""
        for ticket in list(self.pending):
            self.result(ticket)
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
        _store(self.new)
        self.new = {}

    def close(self) -> None:
        """Stop the workers without waiting for figures nobody will use (after an error)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def fill(self, text: str, markdown_of: Callable[[int], str]) -> str:
        """Replace every placeholder in ``text`` by ``markdown_of(ticket)``."""
        if "\x02convcards-figure-" not in text:
            return text
        import re

        return re.sub("\x02convcards-figure-(\\d+)\x03", lambda m: markdown_of(int(m.group(1))), text)
