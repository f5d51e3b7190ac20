"""The one module that writes files.

The generator owns only what it generated: a manifest (``.generated.json`` in the
docs folder) lists those files with their hashes. A write:

1. refuses to overwrite a file that exists but is not in the manifest (a hand-written page);
2. writes every changed file into a temporary folder beside ``docs/`` first;
3. moves each into place with :func:`os.replace` (atomic per file), deletes the files
   of the old manifest that are no longer generated, then replaces the manifest.

Nothing is touched when nothing changed, so a no-op regeneration writes nothing
(and live reload does not loop).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, SpecError

MANIFEST = ".generated.json"


@dataclass
class Plan:
    """What a write would do: files to create or change, to delete, and unchanged ones."""

    write: dict[str, bytes] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def stale(self) -> list[str]:
        return sorted(list(self.write) + self.delete)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(docs: Path) -> dict[str, str]:
    path = docs / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        files = doc.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def manifest_bytes(outputs: dict[str, bytes]) -> bytes:
    doc = {"generator": "convcards", "files": {p: digest(b) for p, b in sorted(outputs.items())}}
    return (json.dumps(doc, indent=1) + "\n").encode("utf-8")


def plan(docs: Path, outputs: dict[str, bytes]) -> Plan:
    """Compare ``outputs`` with the docs folder; raise SpecError for hand-written conflicts."""
    owned = read_manifest(docs)
    result = Plan()
    conflicts = []
    for rel, data in sorted(outputs.items()):
        target = docs / rel
        if target.is_file():
            current = target.read_bytes()
            if current == data:
                result.unchanged.append(rel)
                continue
            if rel not in owned:
                conflicts.append(rel)
                continue
        elif target.exists():
            conflicts.append(rel)
            continue
        result.write[rel] = data
    for rel in sorted(owned):
        if rel not in outputs and (docs / rel).is_file():
            result.delete.append(rel)
    if conflicts:
        raise SpecError(
            [
                Problem(
                    str(docs / rel),
                    None,
                    None,
                    "a path the generator owns (not a hand-written page)",
                    "a file that the generator did not write; move it or rename the card",
                )
                for rel in conflicts
            ]
        )
    mb = manifest_bytes(outputs)
    mpath = docs / MANIFEST
    if not mpath.is_file() or mpath.read_bytes() != mb:
        result.write[MANIFEST] = mb
    return result


def apply(docs: Path, p: Plan) -> None:
    """Carry out a :class:`Plan`: stage every file, then move them into place."""
    if not p.write and not p.delete:
        return
    docs.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".convcards-", dir=docs.parent))
    try:
        for rel, data in p.write.items():
            tmp = staging / rel
            tmp.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        # The manifest goes last so that an interruption leaves the old ownership in place.
        for rel in sorted(p.write, key=lambda r: r == MANIFEST):
            target = docs / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
        for rel in p.delete:
            target = docs / rel
            target.unlink(missing_ok=True)
            _prune(target.parent, docs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by deletions, up to (not including) ``root``."""
    root = root.resolve()
    while folder.resolve() != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def store(folder: Path, entries: dict[str, bytes]) -> None:
    """Write cache entries (see :mod:`generator.cache`): each to a temporary file, then moved
    into place, so a reader sees a whole entry or none. Entries are never read back unchecked."""
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
