"""The lock files agree with pyproject.toml (offline: no resolver is run).

Every dependency of pyproject.toml is locked, at a version inside its range, for the Pythons we
support; every locked package has hashes; the site's lock holds no test tool; make installs the
locks hash-checked. A dependency added to pyproject.toml without `make lock` fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11.5", "3.12.0", "3.13.0")  # what the locks must cover (requires-python >= 3.11.5)


def locked(path: Path) -> list[tuple[str, Version, Marker | None, int]]:
    """(name, version, marker, number of hashes) of each package in a uv/pip-tools lock file."""
    out = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text(encoding="utf-8")):
        m = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\\n]+))?", block)
        if m:
            marker = Marker(m.group(3).strip()) if m.group(3) else None
            out.append((canonicalize_name(m.group(1)), Version(m.group(2)), marker, block.count("--hash=sha256:")))
    return out


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def env(python: str) -> dict[str, str]:
    return {"python_full_version": python, "python_version": ".".join(python.split(".")[:2]), "sys_platform": "linux",
            "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": ""}


def version_for(lock: list, name: str, python: str) -> Version | None:
    for n, v, marker, _ in lock:
        if n == name and (marker is None or marker.evaluate(env(python))):
            return v
    return None


@pytest.mark.parametrize("lockfile, groups", [("requirements.lock", ("site",)), ("requirements-dev.lock", ("site", "dev"))])
def test_every_dependency_is_locked_inside_its_range(lockfile, groups):
    lock = locked(ROOT / lockfile)
    assert len(lock) > 10
    proj = pyproject()["project"]
    reqs = [*(proj["dependencies"] if "site" in groups else []), *(proj["optional-dependencies"]["dev"] if "dev" in groups else [])]
    for python in PYTHONS:
        for text in reqs:
            r = Requirement(text)
            if r.marker is not None and not r.marker.evaluate(env(python)):
                continue
            v = version_for(lock, canonicalize_name(r.name), python)
            assert v is not None, f"{lockfile}: {r.name} is not locked for Python {python}: run `make lock`"
            assert r.specifier.contains(v, prereleases=True), f"{lockfile}: {r.name}=={v} is outside {r.specifier}: run `make lock`"


def test_every_locked_package_has_hashes_and_the_site_lock_has_no_test_tools():
    for lockfile in ("requirements.lock", "requirements-dev.lock", "requirements-uv.lock"):
        for name, v, _, hashes in locked(ROOT / lockfile):
            assert hashes >= 1, f"{lockfile}: {name}=={v} has no hash"
    site = {n for n, *_ in locked(ROOT / "requirements.lock")}
    assert not site & {"pytest", "playwright", "ruff", "anki", "scipy"}
    assert {n for n, *_ in locked(ROOT / "requirements-uv.lock")} == {"uv"}


def test_make_installs_the_locks_hash_checked():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    for lockfile in ("requirements.lock", "requirements-dev.lock", "requirements-uv.lock"):
        assert re.search(rf"--require-hashes -r {re.escape(lockfile)}\b", make), lockfile
    assert re.search(r"^lock:", make, re.M)
    assert pyproject()["project"]["requires-python"].startswith(">=3.11.5")
