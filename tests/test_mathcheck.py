"""An author's formula that KaTeX cannot typeset (an unknown macro, a missing brace) or an
unbalanced \\( is refused before anything is written: exit status 2, one line naming the file,
the card and the field, no traceback. The check is KaTeX's own (the pinned npm package)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import scaffold

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (make test has it)")


def _run(tmp_path: Path, question: str) -> subprocess.CompletedProcess:
    deck = scaffold.SAMPLE_DECK.format(deck="t").replace(
        "question: What does a 2×2 kernel compute at one position of a 3×3 input?", f"question: {json.dumps(question)}"
    )
    assert json.dumps(question) in deck
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks/t.yaml").write_text(deck, encoding="utf-8")
    docs = tmp_path / "docs"
    return subprocess.run([sys.executable, "-m", "generator", "--decks", str(tmp_path / "decks"), "--docs", str(docs)],
                          cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("question, says", [
    (r"What is \(\foo{x}\)?", "Undefined control sequence"),
    (r"What is \(\frac{1}{2\)?", "expected '}'"),
    (r"What is \(x + 1?", "balanced math delimiters"),
])
def test_bad_formula_is_one_line_with_file_card_field(tmp_path, question, says):
    proc = _run(tmp_path, question)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    line = proc.stderr
    assert "t.yaml" in line and "card 'one-output'" in line and "field 'question'" in line and says in line, line
    assert not (tmp_path / "docs").exists(), "nothing is written"


def test_good_formula_passes(tmp_path):
    proc = _run(tmp_path, r"What is \(\frac{1}{2} \cdot x_{11}\)?")
    assert proc.returncode == 0, proc.stderr
