"""Deck files the spec checker used not to look at (issue 13): non-regular files, page
collisions and reserved ids, YAML 1.1 quirks, and length limits. Each refused with one line."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from test_spec_errors import GOOD, deck

from generator import render, spec
from generator.errors import SpecError


def problems(tmp_path: Path, text: str) -> list[str]:
    f = tmp_path / "d.yaml"
    f.write_text(text, encoding="utf-8")
    _, probs = spec.load_deck(f)
    return [str(p) for p in probs]


# ----------------------------------------------------------------------------- item 6: non-regular files


def test_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path):
    z = tmp_path / "z.yaml"
    z.symlink_to("/dev/zero")
    with pytest.raises(SpecError) as e:
        spec.load_decks([z])
    assert str(e.value) == f"{z}: expected a regular deck file, but received a character device"


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    result: list[object] = []
    t = threading.Thread(target=lambda: result.append(_try_load(fifo)), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # unblock the reader, so the test process can end
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("reading a FIFO blocked")
    assert result == [f"{fifo}: expected a regular deck file, but received a FIFO (named pipe)"]


def _try_load(path: Path) -> str:
    try:
        spec.load_decks([path])
    except SpecError as e:
        return str(e)
    return "loaded"


def test_a_file_whose_size_is_not_its_length_is_read_only_to_the_limit(tmp_path, monkeypatch):
    """/proc files are regular but report size 0: the limit holds on the bytes read, not on st_size."""
    monkeypatch.setattr(spec, "MAX_FILE_BYTES", 100)
    f = tmp_path / "maps.yaml"
    f.symlink_to("/proc/self/maps")
    assert os.stat(f).st_size == 0 and len(Path("/proc/self/maps").read_bytes()) > 100
    with pytest.raises(SpecError) as e:
        spec.load_decks([f])
    assert str(e.value) == f"{f}: expected a deck file of at most 100 bytes, but received more than 100 bytes"


# ----------------------------------------------------------------------------- item 7: one path, one page


@pytest.mark.parametrize("cid", ["index", "print", "figures"])
def test_reserved_card_ids_are_refused(tmp_path, cid):
    msgs = problems(tmp_path, deck(GOOD, card_id=cid))
    assert any("field 'cards[0].id': expected an id other than index, print and figures" in m for m in msgs), msgs


def test_two_outputs_on_one_path_are_refused():
    """Card 'a-b' with example 'c' and card 'a' with example 'b_c' name their figures alike."""
    import yaml

    text = deck(GOOD, card_id="a-b").replace("      main:", "      c:")
    doc = yaml.safe_load(text)
    other = dict(doc["cards"][0], id="a")
    other["examples"] = {"b_c": doc["cards"][0]["examples"]["c"]}
    doc["cards"].append(other)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "t.yaml"
        f.write_text(yaml.safe_dump(doc))
        env = render.environment()
        decks = spec.load_decks([f], render.card_templates(env))
        with pytest.raises(SpecError) as e:
            render.render_site(decks, env, None)
    msg = str(e.value)
    assert "cards/t/figures/a-b-c-sliding-window.svg" in msg and "card 'a'" in msg and "'a-b'" in msg, msg


# ----------------------------------------------------------------------------- item 11: YAML 1.1 quirks


@pytest.mark.parametrize(
    ("value", "expected", "line"),
    [
        ("1:30", "a plain decimal number (YAML 1.1 reads 1:30 as 90, base 60): write 90, or quote it", 10),
        ("010", "a plain decimal number (YAML 1.1 reads 010 as 8, octal): write 8 or 10", 10),
        ("0x1f", "a plain decimal number (YAML 1.1 reads 0x1f as 31, hexadecimal): write 31", 10),
        ("1_000", "a plain decimal number (YAML 1.1 reads 1_000 as 1000): write 1000", 10),
        ("1:30.5", "a plain decimal number (YAML 1.1 reads 1:30.5 as 90.5, base 60): write 90.5, or quote it", 10),
    ],
)
def test_yaml_11_numbers_are_refused_with_their_line(tmp_path, value, expected, line):
    msgs = problems(tmp_path, deck(f"input: [[1, 2, 3], [4, {value}, 6], [7, 8, 9]]\nkernel: [[1, 0], [0, -1]]\n"))
    assert len(msgs) == 1, msgs
    assert msgs[0].endswith(f"expected {expected}, but received {value} at line {line}"), msgs[0]
    assert "card 'c1'" in msgs[0]


def test_duplicate_keys_are_refused_with_both_lines(tmp_path):
    text = deck(GOOD).replace("    question: What is it?\n", "    question: What is it?\n    title: Another title\n")
    msgs = problems(tmp_path, text)
    assert len(msgs) == 1, msgs
    assert msgs[0].endswith("expected each key once in a mapping, but received 'title' again at line 8 (first at line 6)"), msgs[0]
    assert "card 'c1'" in msgs[0]


def test_ordinary_numbers_still_load(tmp_path):
    text = deck("input: [[1, -2, 3.5], [0, +4, 0.25], [1.0e+2, 8, 9]]\nkernel: [[1, 0], [0, -1]]\n")
    assert problems(tmp_path, text) == []


# ----------------------------------------------------------------------------- item 13: lengths


def test_ids_names_and_titles_have_length_limits(tmp_path):
    long_id = "a" * (spec.MAX_ID + 1)
    assert any(f"an id of at most {spec.MAX_ID} characters" in m for m in problems(tmp_path, deck(GOOD, card_id=long_id)))
    text = deck(GOOD).replace("      main:", "      " + "e" * (spec.MAX_ID + 1) + ":")
    assert any(f"an example name of at most {spec.MAX_ID} characters" in m for m in problems(tmp_path, text))
    text = deck(GOOD).replace("title: A card", "title: " + "T" * (spec.MAX_TITLE + 1))
    assert any(f"a title of at most {spec.MAX_TITLE} characters" in m for m in problems(tmp_path, text))
