"""``convcards``, the console script, as an author meets it: a wheel built from this repository,
installed into a fresh virtual environment (not this one), run in a folder outside the
repository: ``convcards new`` + ``convcards build`` give a site with the author's title and
deck, typeset math and no claim of ours; ``convcards check`` finds it current. The package is
installed as ``convcards`` (``import convcards``, ``python -m convcards``), never as the generic
``generator`` (the repository's folder name). The dependencies come from the lock file, hash-checked.

Plus, in this environment: the scaffold's error messages (an occupied folder, a folder that is
not a site) and an author's Anki GUIDs, which never collide with ours.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest

from generator import anki, app

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**env, **kw.pop("env", {})}, **kw)


def _apkg_notes(apkg: Path, tmp: Path) -> tuple[list[str], list[tuple[str, str]]]:
    db = tmp / "peek.anki2"
    db.write_bytes(zipfile.ZipFile(io.BytesIO(apkg.read_bytes())).read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        decks = [d["name"] for d in json.loads(con.execute("SELECT decks FROM col").fetchone()[0]).values()]
        return decks, list(con.execute("SELECT guid, tags FROM notes"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv outside the repository with the wheel built from it; its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    work = tmp / "src"
    # build from a copy, so the repository gets no build/ or egg-info of ours
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "site", ".cache", "build", "*.egg-info",
                                                              "screenshots", "__pycache__", ".pytest_cache"), symlinks=True)
    proc = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(work)], cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    wheel = next((tmp / "dist").glob("convcards-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "convcards/_site/docs/vendor/katex/katex.min.js" in names and "convcards/postbuild.mjs" in names
    for name in ("convcards/preview_hook.py", "convcards/templates/card.md.j2", "convcards/decks/1-sliding-window.yaml"):
        assert name in names, name
    assert not [n for n in names if n.startswith("generator/")], "the package is convcards, not generator"
    venv = tmp / "venv"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    # the installer make site uses: the same lock, much faster (uv venv: no pip bootstrapped, 0.1 s)
    make_venv = [uv, "venv", "-q", "--python", sys.executable, str(venv)] if uv else [sys.executable, "-m", "venv", str(venv)]
    assert _run(make_venv, cwd=tmp).returncode == 0
    py = venv / "bin" / "python"
    if uv:
        deps = [uv, "pip", "install", "--python", str(py), "--require-hashes", "-r", str(LOCK)]
        pkg = [uv, "pip", "install", "--python", str(py), "--no-deps", str(wheel)]
    else:
        deps = [str(py), "-m", "pip", "install", "-q", "--require-hashes", "-r", str(LOCK)]
        pkg = [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)]
    for cmd in (deps, pkg):
        proc = _run(cmd, cwd=tmp)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return venv / "bin"


def test_new_build_check_from_the_installed_wheel(installed, tmp_path):
    convcards = str(installed / "convcards")
    proc = _run([convcards, "new", "cards", "--title", "Signal Cards"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "cards"
    for rel in ("mkdocs.yml", "decks/signal-cards.yaml", "docs/index.md", "docs/study.md", "docs/downloads.md",
                "docs/javascripts/katex-init.js", "docs/stylesheets/convcards.css", "docs/.overrides/main.html",
                "docs/vendor/katex/katex.min.js"):
        assert (site / rel).is_file(), rel
    proc = _run([convcards, "build", "cards"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (site / "site/index.html").read_text(encoding="utf-8")
    assert "<title>Signal Cards</title>" in html
    assert "independent oracle" not in html  # our footer's claim is ours
    assert 'href="study/"' in html and 'href="downloads/"' in html  # the home page links study mode and downloads
    assert "First deck" in html  # the home grid
    card = (site / "site/cards/signal-cards/one-output/index.html").read_text(encoding="utf-8")
    assert 'class="katex"' in card and "katex-error" not in card  # typeset at build time
    decks, notes = _apkg_notes(site / "site/downloads/convcards.apkg", tmp_path)
    assert "Signal Cards::First deck" in decks
    assert notes and all(tags.strip().startswith("Signal_Cards::") for _, tags in notes)
    assert genanki.guid_for("one-output") not in {g for g, _ in notes}  # a namespace of its own
    proc = _run([convcards, "check", "cards"], cwd=tmp_path)
    assert proc.returncode == 0 and "up to date" in proc.stdout, proc.stderr
    py = str(installed / "python")
    proc = _run([py, "-m", "convcards", "--help"], cwd=tmp_path)
    assert proc.returncode == 0 and "{new,build,serve,check}" in proc.stdout, proc.stderr
    proc = _run([py, "-c", "import convcards, convcards.app, convcards.mdext; print(convcards.__file__)"], cwd=tmp_path)
    assert proc.returncode == 0 and "site-packages/convcards/__init__.py" in proc.stdout, proc.stderr
    proc = _run([py, "-c", "import generator"], cwd=tmp_path)
    assert proc.returncode != 0 and "No module named 'generator'" in proc.stderr
    assert "convcards.mdext" in (site / "mkdocs.yml").read_text(encoding="utf-8")  # the extension under the installed name
    assert not list((installed.parent / "lib").glob("python*/site-packages/.cache")), "nothing is written into the installed package"
    assert (site / ".cache").is_dir()


def test_new_refuses_a_folder_with_files(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    assert app.main(["new", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "x") in err and "new or empty folder" in err
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["keep.txt"]


def test_build_outside_a_site_names_the_fix(tmp_path, capsys):
    assert app.main(["build", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "convcards new" in err and "mkdocs.yml" in err


def test_an_authors_guids_never_collide_with_ours():
    ours = anki.Config()
    theirs = anki.Config(root_deck="Mine", guid_namespace="mine-1234")
    from generator.study import Item

    it = Item(id="unrolled-matrix", kind="card", card="unrolled-matrix", deck="d", deck_title="D", title="t", front="f", back="b", url="u")
    assert anki.note_guid(it, ours) == genanki.guid_for("unrolled-matrix")  # learners' existing notes keep theirs
    assert anki.note_guid(it, theirs) == genanki.guid_for("mine-1234", "unrolled-matrix") != anki.note_guid(it, ours)


def test_check_names_the_command_that_fixes_it(tmp_path, capsys):
    """`convcards check` on a site whose pages were never generated: exit 1, and the fix is the
    command the author uses (not the repository's `python -m generator`)."""
    assert app.main(["new", str(tmp_path / "s")]) == 0
    capsys.readouterr()
    assert app.main(["check", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert f"run `convcards build {tmp_path / 's'}`" in err and "python -m generator" not in err


def test_one_error_handler_for_both_commands(tmp_path, capsys):
    """A bad deck under `convcards build` is reported as `python -m generator` reports it: one line
    per problem naming file, card and field, exit 2, no traceback."""
    assert app.main(["new", str(tmp_path / "s")]) == 0
    deck = next((tmp_path / "s/decks").glob("*.yaml"))
    deck.write_text(deck.read_text(encoding="utf-8").replace("views: [sliding_window, figure]", "views: [figure, figure]"))
    capsys.readouterr()
    assert app.main(["build", str(tmp_path / "s"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"error: {deck}: card 'one-output': field 'views': expected each view listed once" in err
