"""The one module that writes files.

The generator owns only what it generated: a manifest (``.generated.json`` in the docs
folder) lists those files with their SHA-256. The manifest is committed, so it is *input*
like a deck file and is checked before it is believed: an entry that is absolute, holds a
``..``, or resolves outside the docs folder is ignored (with a warning), and a file is
deleted only when its content still has the hash that was recorded for it.

A write (:func:`apply`), run under an exclusive lock on the docs folder (:func:`locked`):

1. writes every changed file into a staging folder inside the docs folder
   (``.convcards-staging``, ignored by MkDocs like every dot-folder);
2. writes a journal (``.convcards-journal.json``): the hashes of the old files and of the new;
3. moves each old file into the staging folder and the new one into place (``os.replace``),
   moves the files no longer generated into the staging folder, then replaces the manifest;
4. removes the journal and the staging folder.

An error (a full disk, a permission) during step 3 moves every file back: docs/ is as it
was. A run that is *killed* leaves the journal: the next run (or ``--check``, which reports
it) owns both the old and the new files, so it finishes the update, whatever the decks are.

Nothing is touched when nothing changed, so a no-op regeneration writes nothing
(and live reload does not loop).

``CONVCARDS_FAULT=<step>`` (one of :data:`FAULT_STEPS`) makes a write stop dead at that step
(``os._exit``), as a kill would: the tests use it to check every step is recoverable.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import Problem, SpecError

MANIFEST = ".generated.json"
JOURNAL = ".convcards-journal.json"
STAGING = ".convcards-staging"
FAULT_STEPS = ("staged", "journal", "replace", "replaced", "delete", "deleted", "manifest", "done")
FAULT_EXIT = 86
_OLD_STAGING = re.compile(r"^\.convcards-[a-z0-9_]{8}$")  # tempfile.mkdtemp folders of older versions, beside docs/


class WriteError(Exception):
    """A write that failed (disk, permission): ``path`` is the real file, docs/ is as it was."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class Busy(Exception):
    """Another run holds the lock on the docs folder."""


@dataclass
class Plan:
    """What a write would do: files to create or change, to delete, and unchanged ones."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # no longer generated, but edited since: left alone
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False  # a journal of a killed run was found: the update must be finished

    @property
    def stale(self) -> list[str]:
        return sorted(list(self.write) + self.delete)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fault(step: str) -> None:
    if os.environ.get("CONVCARDS_FAULT") == step:
        os._exit(FAULT_EXIT)


# ----------------------------------------------------------------------------- paths


def safe_rel(rel: object) -> bool:
    """A relative POSIX path of plain names: no ``..``, ``.``, empty part, backslash or NUL."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel or rel.startswith("/") or re.match(r"^[A-Za-z]:", rel):
        return False
    parts = rel.split("/")
    return all(p not in ("", ".", "..") for p in parts) and not PurePosixPath(rel).is_absolute()


def inside(docs: Path, rel: str, resolved: dict[Path, Path] | None = None) -> bool:
    """``docs/rel`` is a path under ``docs`` once symbolic links are followed (and is no link itself).

    ``resolved``: folders already resolved in this check of many paths (folder -> real path), so
    that each folder is resolved once, not once for each of its files (the same answer: a file
    that is no link resolves to its folder's real path and its name)."""
    if not safe_rel(rel):
        return False
    target = docs / rel
    if target.is_symlink():
        return False
    memo = resolved if resolved is not None else {}
    for d in (docs, target.parent):
        if d not in memo:
            memo[d] = d.resolve()
    real = memo[target.parent] / target.name
    return real.is_relative_to(memo[docs]) and real != memo[docs]


def _entries(docs: Path, name: str, mapping: object, warnings: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    if not isinstance(mapping, dict):
        return out
    resolved: dict[Path, Path] = {}
    for rel, h in mapping.items():
        if not inside(docs, rel, resolved) or rel in (MANIFEST, JOURNAL) or rel.split("/")[0] == STAGING:
            warnings.append(f"{docs / name}: ignored the entry {json.dumps(rel)}: expected a path inside {docs}")
            continue
        if isinstance(h, str) and re.fullmatch(r"[0-9a-f]{64}", h):
            out.setdefault(rel, set()).add(h)
        else:
            warnings.append(f"{docs / name}: ignored the entry {json.dumps(rel)}: expected a SHA-256 hash, but received {h!r:.40}")
    return out


def _load(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def read_manifest(docs: Path, warnings: list[str] | None = None) -> dict[str, set[str]]:
    """The files the generator owns (path -> the hashes it wrote), entries checked."""
    doc = _load(docs / MANIFEST)
    files = doc.get("files", {}) if isinstance(doc, dict) else {}
    return _entries(docs, MANIFEST, files, warnings if warnings is not None else [])


def read_journal(docs: Path, warnings: list[str] | None = None) -> dict[str, set[str]] | None:
    """The files of an interrupted write (old and new hashes), or None when there was none."""
    doc = _load(docs / JOURNAL)
    if doc is None:
        return None
    out: dict[str, set[str]] = {}
    for part in ("old", "new"):
        got = _entries(docs, JOURNAL, doc.get(part, {}) if isinstance(doc, dict) else {}, warnings if warnings is not None else [])
        for rel, hashes in got.items():
            out.setdefault(rel, set()).update(hashes)
    return out


def manifest_bytes(outputs: dict[str, bytes]) -> bytes:
    doc = {"generator": "convcards", "files": {p: digest(b) for p, b in sorted(outputs.items())}}
    return (json.dumps(doc, indent=1) + "\n").encode("utf-8")


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


# ----------------------------------------------------------------------------- plan


def plan(docs: Path, outputs: dict[str, bytes]) -> Plan:
    """Compare ``outputs`` with the docs folder; raise SpecError for hand-written conflicts."""
    result = Plan()
    owned = read_manifest(docs, result.warnings)
    journal = read_journal(docs, result.warnings)
    if journal is not None:  # a killed run: both its old and its new files are ours
        result.interrupted = True
        for rel, hashes in journal.items():
            owned.setdefault(rel, set()).update(hashes)
    conflicts = []
    resolved: dict[Path, Path] = {}
    for rel, data in sorted(outputs.items()):
        target = docs / rel
        if not inside(docs, rel, resolved):
            conflicts.append((rel, "a path inside the docs folder (no link out of it)"))
            continue
        if target.is_file():
            current = target.read_bytes()
            if current == data:
                result.unchanged.append(rel)
                continue
            if rel not in owned:
                conflicts.append((rel, "a path the generator owns (not a hand-written page)"))
                continue
        elif target.exists() or target.is_symlink():
            conflicts.append((rel, "a path the generator owns (not a hand-written page)"))
            continue
        result.write[rel] = data
    for rel in sorted(owned):
        if rel in outputs or not (docs / rel).is_file():
            continue
        if _file_digest(docs / rel) in owned[rel]:
            result.delete.append(rel)
        else:
            result.kept.append(rel)
            result.warnings.append(f"{docs / rel}: kept: no longer generated, but edited since the generator wrote it")
    if conflicts:
        received = "a file that the generator did not write; move it or rename the card"
        raise SpecError([Problem(str(docs / rel), None, None, expected, received) for rel, expected in conflicts])
    mb = manifest_bytes(outputs)
    mpath = docs / MANIFEST
    if result.interrupted or not mpath.is_file() or mpath.read_bytes() != mb:
        result.write[MANIFEST] = mb
    return result


# ----------------------------------------------------------------------------- lock


@contextlib.contextmanager
def locked(docs: Path) -> Iterator[None]:
    """Hold an exclusive lock on the docs folder (``flock`` on the folder itself) or raise :class:`Busy`."""
    import fcntl

    created = not docs.exists()
    docs.mkdir(parents=True, exist_ok=True)
    fd = os.open(docs, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise Busy(str(docs)) from None
            raise
        yield
    finally:
        os.close(fd)  # releases the lock
        if created:  # a run that failed before writing leaves no empty folder behind
            with contextlib.suppress(OSError):
                docs.rmdir()


# ----------------------------------------------------------------------------- apply


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def clean_staging(docs: Path) -> None:
    """Remove a staging folder left by a killed run, and older versions' ``.convcards-*`` folders beside docs/."""
    shutil.rmtree(docs / STAGING, ignore_errors=True)
    with contextlib.suppress(OSError):
        for p in docs.resolve().parent.iterdir():
            if _OLD_STAGING.match(p.name) and p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)


def apply(docs: Path, p: Plan) -> None:
    """Carry out a :class:`Plan` (see the module's docstring); raise :class:`WriteError` after undoing it."""
    if not p.write and not p.delete and not p.interrupted:
        if (docs / STAGING).exists():  # a run killed before its journal: docs/ is whole, only staging to remove
            clean_staging(docs)
        return
    docs.mkdir(parents=True, exist_ok=True)
    clean_staging(docs)
    staging = docs / STAGING
    new, old = staging / "new", staging / "old"
    current = "?"
    try:
        for rel, data in p.write.items():
            current = rel
            _write_synced(new / rel, data)
        _fault("staged")
        current = JOURNAL
        replaced = {rel: _file_digest(docs / rel) for rel in p.write if rel != MANIFEST}
        journal = {
            "generator": "convcards",
            "old": {rel: h for rel, h in replaced.items() if h} | {rel: _file_digest(docs / rel) for rel in p.delete},
            "new": {rel: digest(data) for rel, data in p.write.items() if rel != MANIFEST},
        }
        journal["old"] = {k: v for k, v in journal["old"].items() if v}
        _write_synced(staging / JOURNAL, (json.dumps(journal, indent=1, sort_keys=True) + "\n").encode())
        os.replace(staging / JOURNAL, docs / JOURNAL)
        _fsync_dir(docs)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(docs / current, e.strerror or str(e)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fault("journal")
    done: list[tuple[Path, Path | None]] = []  # (target, its backup or None when it was new)
    target = docs
    try:
        order = [r for r in p.write if r != MANIFEST]
        for rel in order:
            target = docs / rel
            backup = None
            if target.exists():
                backup = old / rel
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            target.parent.mkdir(parents=True, exist_ok=True)
            done.append((target, backup))
            os.replace(new / rel, target)
            _fault("replace")
        _fault("replaced")
        for rel in p.delete:
            target = docs / rel
            backup = old / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, backup)
            done.append((target, backup))
            _fault("delete")
        _fault("deleted")
        if MANIFEST in p.write:
            target = docs / MANIFEST
            backup = old / MANIFEST if target.exists() else None
            if backup is not None:
                old.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
            done.append((target, backup))
            os.replace(new / MANIFEST, target)
        _fault("manifest")
    except BaseException as e:
        _undo(done, docs)
        (docs / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(e, OSError):
            raise WriteError(target, e.strerror or str(e)) from None
        raise
    (docs / JOURNAL).unlink(missing_ok=True)
    for target, _ in done:
        _prune(target.parent, docs)
    shutil.rmtree(staging, ignore_errors=True)
    _fault("done")


def _undo(done: list[tuple[Path, Path | None]], docs: Path) -> None:
    """Put every moved file back, newest first (best effort: a file that cannot move stays in staging)."""
    for target, backup in reversed(done):
        with contextlib.suppress(OSError):
            if backup is None:
                target.unlink(missing_ok=True)
                _prune(target.parent, docs)
            elif backup.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(backup, target)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by deletions, up to (not including) ``root``."""
    root = root.resolve()
    while folder.resolve() != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def store(folder: Path, entries: dict[str, bytes]) -> None:
    """Write cache entries (see :mod:`generator.cache`): each to a temporary file, then moved
    into place, so a reader sees a whole entry or none. Entries are never read back unchecked."""
    import tempfile

    for rel, data in entries.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def discard(folder: Path, rels: list[str]) -> None:
    """Delete cache entries (``generator.cache`` prunes old ones); a missing one is no error."""
    for rel in rels:
        (folder / rel).unlink(missing_ok=True)
