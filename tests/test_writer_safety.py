"""Nothing lost: the manifest is checked before it is believed, a failed or killed write is
recoverable, two runs exclude each other, and figure workers die with their parent (issue 13)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, forked_generator
from test_authoring import _two_card_deck, readme_block, tree

from generator import writer


def gen(
    *args: str, cwd: Path = ROOT, fault: str | None = None, cache: Path | None = None, forked: bool = False
) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` in a subprocess; ``forked``: in a process forked from one that has
    imported the generator (conftest.forked_generator), which a fault kills just as dead."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's generator, whatever the folder
    env.pop("CONVCARDS_FAULT", None)
    if fault:
        env["CONVCARDS_FAULT"] = fault
    if cache is not None:
        env["CONVCARDS_CACHE"] = str(cache)
    if forked:
        return forked_generator(*args, cwd=cwd, env=env)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, env=env)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def author(tmp_path):
    decks, docs = tmp_path / "decks", tmp_path / "docs"
    decks.mkdir()
    (decks / "mine.yaml").write_text(readme_block("yaml"))
    return decks, docs


# ----------------------------------------------------------------------------- item 1: the manifest is input


def test_manifest_entries_outside_docs_or_edited_are_never_deleted(author, tmp_path):
    decks, docs = author
    assert gen("--decks", str(decks), "--docs", str(docs), "-q").returncode == 0
    victims = {tmp_path / "README.md": b"the clone's readme\n", tmp_path / "abs.txt": b"absolute\n", tmp_path / "decks/x.md": b"x\n"}
    for p, data in victims.items():
        p.write_bytes(data)
    (docs / "cards/mine/edited.md").write_bytes(b"edited by hand\n")
    (docs / "cards/mine/link.md").symlink_to(tmp_path / "abs.txt")
    manifest = json.loads((docs / writer.MANIFEST).read_text())
    manifest["files"].update(
        {
            "../README.md": sha(b"the clone's readme\n"),
            str(tmp_path / "abs.txt"): sha(b"absolute\n"),
            "cards/../../decks/x.md": sha(b"x\n"),
            "cards/mine/edited.md": sha(b"what the generator wrote\n"),  # content changed since: kept
            "cards/mine/link.md": sha(b"absolute\n"),  # a link out of docs/
        }
    )
    (docs / writer.MANIFEST).write_text(json.dumps(manifest))
    proc = gen("--decks", str(decks), "--docs", str(docs))
    assert proc.returncode == 0, proc.stderr
    for p, data in victims.items():
        assert p.read_bytes() == data, f"{p} was touched"
    assert (docs / "cards/mine/edited.md").read_bytes() == b"edited by hand\n"
    assert (docs / "cards/mine/link.md").is_symlink()
    for bad in ("../README.md", "cards/../../decks/x.md", "cards/mine/link.md"):
        assert f'ignored the entry "{bad}"' in proc.stderr
    assert "edited.md: kept" in proc.stderr
    assert "../README.md" not in (docs / writer.MANIFEST).read_text()


def test_safe_rel():
    good = ["a.md", "cards/deck/x.md", "figures/a-b.svg"]
    bad = ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "C:/x", "a/\0", None, 3]
    assert all(writer.safe_rel(r) for r in good)
    assert not any(writer.safe_rel(r) for r in bad)


# ----------------------------------------------------------------------------- item 2: where --docs points


def test_docs_defaults_to_the_current_folder_and_is_printed(tmp_path):
    before = (ROOT / "docs" / writer.MANIFEST).stat().st_mtime_ns
    proc = gen("--decks", str(ROOT / "generator/decks"), cwd=tmp_path)
    assert proc.returncode == 2 and "--docs" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "docs").exists()
    own = tmp_path / "mine"
    own.mkdir()
    (own / "decks").mkdir()
    (own / "decks/mine.yaml").write_text(readme_block("yaml"))
    proc = gen("--decks", "decks", "--docs", "docs", cwd=own)
    assert proc.returncode == 0, proc.stderr
    assert f"into {own / 'docs'}:" in proc.stdout, proc.stdout
    assert (own / "docs/cards/mine/strided-asymmetric.md").is_file()
    assert (ROOT / "docs" / writer.MANIFEST).stat().st_mtime_ns == before, "the clone's docs/ were not written"


# ----------------------------------------------------------------------------- item 3: failed and killed writes


def _note_fields(apkg: bytes, tmp: Path) -> list[tuple[str, str, str]]:
    """The notes of an .apkg (GUID, fields, tags), without their modification times."""
    import io
    import sqlite3
    import zipfile

    db = tmp / "peek.anki2"
    db.write_bytes(zipfile.ZipFile(io.BytesIO(apkg)).read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT guid, flds, tags FROM notes"))
    finally:
        con.close()


def test_a_kill_at_every_step_of_a_write_is_recovered(author, tmp_path, monkeypatch, capsys):
    """CONVCARDS_FAULT stops the writer dead (os._exit) at each step; --check then tells, and the
    next run, with the new decks or the old ones, leaves exactly what a clean run leaves."""
    from generator import cli

    cache = tmp_path / "cache"
    monkeypatch.setenv("CONVCARDS_CACHE", str(cache))
    before_decks, after_decks = tmp_path / "a", tmp_path / "b"
    before_decks.mkdir()
    after_decks.mkdir()
    (before_decks / "mine.yaml").write_text(_two_card_deck())
    # b: the second card removed, the first changed (a new title), a new card added
    text = readme_block("yaml").replace("title: Stride (2, 1)", "title: Stride (2, 1), again")
    card = text[text.index("  - id: strided-asymmetric") :]
    (after_decks / "mine.yaml").write_text(text + card.replace("id: strided-asymmetric", "id: third-card"))
    expected = {}
    for name, d in (("a", before_decks), ("b", after_decks)):
        out = tmp_path / f"clean-{name}"
        assert cli.main(["--decks", str(d), "--docs", str(out), "-q"]) == 0
        expected[name] = tree(out)
    # what an uninterrupted run of b over a's docs leaves (the Anki notes' times carry over from the
    # .apkg already there: generator/anki.py), the state a killed run of b must end in when finished
    out = tmp_path / "clean-a-then-b"
    shutil.copytree(tmp_path / "clean-a", out)
    assert cli.main(["--decks", str(after_decks), "--docs", str(out), "-q"]) == 0
    expected["b"] = tree(out)
    assert expected["a"] != expected["b"]
    for step in writer.FAULT_STEPS:
        for then in ("b", "a") if step in ("journal", "replace", "deleted") else ("b",):  # finish it, or go back
            work = tmp_path / f"w-{step}-{then}" / "docs"
            shutil.copytree(tmp_path / "clean-a", work)
            # a real subprocess for the first kill, forked for the others
            forked = step != writer.FAULT_STEPS[0]
            proc = gen("--decks", str(after_decks), "--docs", str(work), "-q", fault=step, cache=cache, forked=forked)
            assert proc.returncode == writer.FAULT_EXIT, (step, proc.stderr)
            assert tree(work) != expected["b"] or step in ("manifest", "done"), "the kill came before the end"
            capsys.readouterr()
            check = cli.main(["--decks", str(after_decks), "--docs", str(work), "--check"])
            assert check == (0 if step == "done" else 1), (step, capsys.readouterr().err)
            target = after_decks if then == "b" else before_decks
            assert cli.main(["--decks", str(target), "--docs", str(work), "-q"]) == 0, (step, capsys.readouterr().err)
            got, want = tree(work), dict(expected[then])
            if then == "a":  # gone back over b's .apkg: the notes' times carry over from it (never lower), fields as a's
                apkg = "downloads/convcards.apkg"
                assert _note_fields(got.pop(apkg), tmp_path) == _note_fields(want.pop(apkg), tmp_path), step
                got.pop(".generated.json"), want.pop(".generated.json")
            assert got == want, f"killed at {step}, then run with {then}"
            assert cli.main(["--decks", str(target), "--docs", str(work), "--check", "-q"]) == 0
            assert not [p for p in work.parent.iterdir() if p.name.startswith(".convcards-")]


def test_a_write_error_moves_every_file_back_and_names_the_real_path(author, monkeypatch, capsys):
    from generator import cli

    decks, docs = author
    (decks / "mine.yaml").write_text(_two_card_deck())
    assert cli.main(["--decks", str(decks), "--docs", str(docs), "--quiet"]) == 0
    before = tree(docs)
    (decks / "mine.yaml").write_text(readme_block("yaml").replace("title: Stride (2, 1)", "title: Changed"))
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 6:  # some files are already in place
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    assert cli.main(["--decks", str(decks), "--docs", str(docs)]) == 2
    err = capsys.readouterr().err
    assert calls["n"] >= 6
    assert tree(docs) == before, "every replaced file was moved back"
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"error: {docs}/") and ".convcards" not in line and "Permission denied" in line, err
    assert "as it was before" in line


def test_stale_staging_is_cleaned(author, tmp_path):
    decks, docs = author
    old = tmp_path / ".convcards-ab12cd34"  # what an older version left beside docs/
    (old / "cards").mkdir(parents=True)
    (docs / writer.STAGING / "new").mkdir(parents=True)
    keep = tmp_path / ".convcards-notes"  # not a staging folder's name: not ours
    keep.mkdir()
    assert gen("--decks", str(decks), "--docs", str(docs), "-q").returncode == 0
    assert not old.exists() and not (docs / writer.STAGING).exists() and keep.exists()


# ----------------------------------------------------------------------------- item 5: one run at a time


def test_a_second_run_on_the_same_docs_is_refused(author):
    decks, docs = author
    with writer.locked(docs):
        proc = gen("--decks", str(decks), "--docs", str(docs))
    assert proc.returncode == 2
    busy = "another `python -m generator` is writing into this folder; wait for it to finish, then run again"
    assert proc.stderr.strip() == f"error: {docs}: {busy}"
    assert gen("--decks", str(decks), "--docs", str(docs), "-q").returncode == 0


# ----------------------------------------------------------------------------- item 4: workers die with their parent


def _descendants(pid: int) -> set[int]:
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for k in map(int, kids):
            out.add(k)
            todo.append(k)
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="Linux /proc")
def test_figure_workers_exit_when_the_generator_is_killed(tmp_path):
    env = dict(os.environ, CONVCARDS_CACHE=str(tmp_path / "cache"), CONVCARDS_JOBS="2")
    env.pop("CONVCARDS_FAULT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "--docs", str(tmp_path / "docs")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _descendants(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the workers started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() and "Z" not in _state(w) for w in workers):
        time.sleep(0.05)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in _state(w)]
    assert not alive, f"workers {alive} outlived their parent"
    assert proc.stdout.read() is not None  # EOF: nobody holds the pipe open any more
    proc.stdout.close()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"
