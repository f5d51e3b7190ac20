"""Bad input gives a clear error and loses nothing.

Every case runs ``python -m generator`` as a user does (a few in a real subprocess, the others in
a process forked from one that has imported the generator: conftest.forked_generator), against a
temporary copy of ``docs/``, and checks: exit status 2, no traceback, one line per problem naming the file, the card and the
field with what was expected and what was received, and the docs folder byte-identical after.
The hypothesis tests feed random specs and random bytes to the loader: it returns decks or
raises SpecError, never anything else.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, forked_generator, run_generator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import spec
from generator.errors import SpecError

LINE = re.compile(
    r"^error: (?P<file>.+?): card '(?P<card>[^']+)': field '(?P<field>[^']+)': expected (?P<expected>.+), but received (?P<received>.+)$"
)


def deck(example: str, card_extra: str = "", card_id: str = "c1", deck_id: str = "t") -> str:
    """A deck file with one card whose example ``main`` is ``example`` (YAML, 2-space indented)."""
    return (
        f"deck: {deck_id}\ntitle: Test deck\norder: 50\ncards:\n  - id: {card_id}\n    title: A card\n    question: What is it?\n"
        + textwrap.indent(textwrap.dedent(card_extra), "    ")
        + "    examples:\n      main:\n"
        + textwrap.indent(textwrap.dedent(example), "        ")
    )


GOOD = "input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: [[1, 0], [0, -1]]\n"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def docs_copy(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A copy of the committed docs/ (KaTeX left out) and its bytes before any run."""
    docs = tmp_path_factory.mktemp("docs") / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("vendor"))
    return docs, tree(docs)


def fails(docs_copy, tmp_path: Path, files: dict[str, bytes | str], *extra: str, real: bool = False) -> list[re.Match]:
    """Write ``files`` into a deck folder, run the generator on it (``real``: in a subprocess of
    its own, else forked: conftest.forked_generator), check the failure contract."""
    docs, before = docs_copy
    decks = tmp_path / "decks"
    decks.mkdir()
    for name, text in files.items():
        (decks / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    proc = (run_generator if real else forked_generator)("--decks", str(decks), "--docs", str(docs), *extra)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert tree(docs) == before, "docs/ changed although the spec was rejected"
    lines = proc.stderr.strip().splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), "every line names file, card and field:\n" + proc.stderr
    return matches


def one(matches: list[re.Match], file: Path, card: str, field: str, expected: str, received: str) -> None:
    """Exactly one problem, about ``file``/``card``/``field``, whose parts contain the given texts."""
    assert len(matches) == 1, [m.group(0) for m in matches]
    has(matches[0], file, card, field, expected, received)


def has(m: re.Match, file: Path, card: str, field: str, expected: str, received: str) -> None:
    assert m["file"] == str(file), m.group(0)
    assert m["card"] == card, m.group(0)
    assert m["field"] == field, m.group(0)
    assert expected in m["expected"], m.group(0)
    assert received in m["received"], m.group(0)


# ----------------------------------------------------------------------------- the control


def test_a_good_spec_does_change_the_docs_copy(tmp_path):
    """The control: the same runner with a valid spec writes, so "docs unchanged" can fail."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("vendor"))
    before = tree(docs)
    (tmp_path / "d.yaml").write_text(deck(GOOD))
    proc = run_generator("--decks", str(tmp_path / "d.yaml"), "--docs", str(docs))
    assert proc.returncode == 0, proc.stderr
    assert tree(docs) != before and (docs / "cards/t/c1.md").is_file()


# ----------------------------------------------------------------------------- one case each

CASES = {
    # name: (example YAML, field, expected contains, received contains)
    "unknown key": ("input: [[1, 2], [3, 4]]\nkernel: [[1]]\nstirde: 1\n", "examples.main.stirde", "'stride' (did you mean it?)", "stirde"),
    "wrong type": ("input: [[1, 2], [3, 4]]\nkernel: [[1]]\nstride: two\n", "examples.main.stride", "whole number", "two"),
    "wrong type of array": ("input: hello\nkernel: [[1]]\n", "examples.main.input", "a nested list of numbers", "hello"),
    "ragged array": ("input: [[1, 2, 3], [4, 5]]\nkernel: [[1]]\n", "examples.main.input", "rectangular", "[[1, 2, 3], [4, 5]]"),
    "NaN": ("input: [[1, .nan], [3, 4]]\nkernel: [[1]]\n", "examples.main.input", "finite numbers", "nan"),
    "infinity": ("input: [[1, 2], [3, 4]]\nkernel: [[-.inf]]\n", "examples.main.kernel", "finite numbers", "-inf"),
    "empty array": ("input: []\nkernel: [[1]]\n", "examples.main.input", "non-empty array", "[]"),
    "empty row": ("input: [[]]\nkernel: [[1]]\n", "examples.main.input", "non-empty array", "[[]]"),
    "kernel larger than padded input": (
        "input: [[1, 2], [3, 4]]\nkernel: [[1, 1, 1], [1, 1, 1]]\npadding: [0, 0]\n",
        "examples.main.kernel",
        "no larger than the padded input (2×2)",
        "shape (2, 3)",
    ),
    "dilated kernel larger than padded input": (
        "input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: [[1, 1], [1, 1]]\ndilation: 3\n",
        "examples.main.kernel",
        "dilated span 4×4",
        "shape (2, 2)",
    ),
    "zero stride": ("input: [[1, 2], [3, 4]]\nkernel: [[1]]\nstride: 0\n", "examples.main.stride", "from 1 to 8", "0"),
    "negative stride": ("input: [[1, 2], [3, 4]]\nkernel: [[1]]\nstride: [1, -2]\n", "examples.main.stride", "from 1 to 8", "[1, -2]"),
    "negative padding": (
        "input: [[1, 2], [3, 4]]\nkernel: [[1]]\npadding: [0, 0, -1, 0]\n",
        "examples.main.padding",
        "from 0 to 16",
        "[0, 0, -1, 0]",
    ),
    "dilation below 1": ("input: [[1, 2], [3, 4]]\nkernel: [[1]]\ndilation: 0\n", "examples.main.dilation", "from 1 to 8", "0"),
    "output_padding not below stride or dilation": (
        "operation: transposed_convolution\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1], [1, 1]]\nstride: 2\noutput_padding: 2\n",
        "examples.main.output_padding",
        "smaller than the stride (2) or the dilation (1)",
        "2",
    ),
    "groups not dividing the channels": (
        "input: {shape: [3, 4, 4], seed: 1}\nkernel: {shape: [2, 1, 2, 2], seed: 2}\ngroups: 2\n",
        "examples.main.groups",
        "dividing both 3 input and 2 output channels",
        "2",
    ),
    "kernel channels not C_in / groups": (
        "input: {shape: [4, 3, 3], seed: 1}\nkernel: {shape: [2, 4, 2, 2], seed: 2}\ngroups: 2\n",
        "examples.main.kernel",
        "C_in / groups = 4 / 2",
        "(2, 4, 2, 2)",
    ),
    "input too large for a page": (
        "input: {shape: [5, 40], seed: 1}\nkernel: [[1]]\n",
        "examples.main.input.shape",
        f"sizes from 1 to {spec.MAX_SIDE}",
        "[5, 40]",
    ),
    "explicit input too large for a page": (
        "input: [" + ", ".join(["1"] * 33) + "]\nkernel: [1]\n",
        "examples.main.input",
        f"at most {spec.MAX_SIDE} rows and columns",
        "(33,)",
    ),
    "matrix C too large": (
        "input: {shape: [32, 32], seed: 1}\nkernel: [[1]]\n",
        "examples.main.input",
        "matrix C has at most",
        "1024×1024",
    ),
    "channels too many": (
        "input: {shape: [9, 3, 3], seed: 1}\nkernel: {shape: [1, 9, 1, 1]}\n",
        "examples.main.input",
        f"at most {spec.MAX_CHANNELS} channels",
        "9 in",
    ),
    "huge value": ("input: [[1, 2], [3, 1.0e+300]]\nkernel: [[1]]\n", "examples.main.input", "magnitude at most", "1e+300"),
    "a number YAML reads as text": ("input: [[1, 2], [3, 1e3]]\nkernel: [[1]]\n", "examples.main.input", "write it with a dot", "'1e3'"),
}


# in a subprocess of their own (as test_yaml_syntax_error, test_not_utf8, test_errors_of_several_files_together)
REAL_RUNS = ("unknown key", "NaN")


@pytest.mark.parametrize("name", list(CASES))
def test_bad_example_field(name, docs_copy, tmp_path):
    example, field, expected, received = CASES[name]
    m = fails(docs_copy, tmp_path, {"d.yaml": deck(example)}, real=name in REAL_RUNS)
    one(m, tmp_path / "decks/d.yaml", "c1", field, expected, received)


def test_yaml_syntax_error(docs_copy, tmp_path):
    text = deck("input: [[1, 2], [3, 4]\nkernel: [[1]]\n")  # the input's outer ] is missing
    m = fails(docs_copy, tmp_path, {"d.yaml": text}, real=True)
    line = text.splitlines().index("        kernel: [[1]]") + 1
    one(m, tmp_path / "decks/d.yaml", "c1", "examples.main.input", "valid YAML", f"syntax error at line {line}")


def test_bad_yaml_scalar(docs_copy, tmp_path):
    """PyYAML raises ValueError, not YAMLError, for a date that does not exist."""
    text = deck(GOOD).replace("title: A card", "title: 2026-13-01")
    m = fails(docs_copy, tmp_path, {"d.yaml": text})
    line = text.splitlines().index("    title: 2026-13-01") + 1
    one(m, tmp_path / "decks/d.yaml", "c1", "title", "valid YAML", f"at line {line}, column 12: month must be in 1..12")


def test_not_utf8(docs_copy, tmp_path):
    text = deck(GOOD).replace("title: A card", "title: Caf\u00e9 card").encode("latin-1")
    m = fails(docs_copy, tmp_path, {"d.yaml": text}, real=True)
    line = text.split(b"\n").index(b"    title: Caf\xe9 card") + 1
    one(m, tmp_path / "decks/d.yaml", "c1", "title", "UTF-8", f"0xe9 at line {line}")


def test_duplicate_card_ids(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"a.yaml": deck(GOOD, deck_id="a"), "b.yaml": deck(GOOD, deck_id="b")})
    one(m, tmp_path / "decks/b.yaml", "c1", "id", f"used once (also in {tmp_path / 'decks/a.yaml'})", "c1")


def test_unknown_card_key(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"d.yaml": deck(GOOD, card_extra="veiws: [flip]\n")})
    one(m, tmp_path / "decks/d.yaml", "c1", "veiws", "'views' (did you mean it?)", "veiws")


def test_unknown_view(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"d.yaml": deck(GOOD, card_extra="views: [sliding_window, unroled]\n")})
    one(m, tmp_path / "decks/d.yaml", "c1", "views", "did you mean 'unrolled'", "unroled")


def test_missing_template(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"d.yaml": deck(GOOD, card_extra="template: cards/my-card.md.j2\n")})
    one(m, tmp_path / "decks/d.yaml", "c1", "template", "an existing template", "cards/my-card.md.j2")


def test_three_errors_in_one_run(docs_copy, tmp_path):
    example = "input: [[1, 2], [3]]\nkernel: [[1]]\npadding: -1\nstirde: 2\n"
    m = fails(docs_copy, tmp_path, {"d.yaml": deck(example)})
    assert len(m) == 3, [x.group(0) for x in m]
    f = tmp_path / "decks/d.yaml"
    by_field = {x["field"]: x for x in m}
    has(by_field["examples.main.input"], f, "c1", "examples.main.input", "rectangular", "[[1, 2], [3]]")
    has(by_field["examples.main.padding"], f, "c1", "examples.main.padding", "from 0 to 16", "-1")
    has(by_field["examples.main.stirde"], f, "c1", "examples.main.stirde", "'stride'", "stirde")


def test_errors_of_several_files_together(docs_copy, tmp_path):
    m = fails(
        docs_copy,
        tmp_path,
        {
            "a.yaml": deck("input: []\nkernel: [[1]]\n", deck_id="a", card_id="c1"),
            "b.yaml": deck("input: [[1]]\nkernel: [[1]]\nstride: 0\n", deck_id="b", card_id="c2"),
        },
        real=True,
    )
    assert sorted((x["card"], x["field"]) for x in m) == [("c1", "examples.main.input"), ("c2", "examples.main.stride")]


# ----------------------------------------------------------------------------- author templates

TEMPLATES = {
    "undefined": (
        '{% extends "base.md.j2" %}\n{% block answer %}\nThe answer: {{ mian.output }}\n{% endblock %}\n',
        "names the card provides",
        "undefined name: 'mian' is undefined",
    ),
    "syntax": (
        '{% extends "base.md.j2" %}\n{% block answer %}\nThe answer: {{ main.output + }}\n{% endblock %}\n',
        "jinja2 can read",
        "syntax error",
    ),
}


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_author_template_error(kind, docs_copy, tmp_path):
    """A broken author template: SpecError naming the template file (and line) and the card."""
    text, expected, received = TEMPLATES[kind]
    tdir = tmp_path / "templates"
    (tdir / "cards").mkdir(parents=True)
    (tdir / "cards/mine.md.j2").write_text(text)
    good = deck(GOOD, card_id="c0", deck_id="a")  # rendered first: the failure comes mid-render
    bad = deck(GOOD, card_extra="template: cards/mine.md.j2\n", card_id="c1", deck_id="b")
    m = fails(docs_copy, tmp_path, {"a.yaml": good, "b.yaml": bad}, "--templates", str(tdir))
    assert len(m) == 1
    assert m[0]["file"] == f"{tdir / 'cards/mine.md.j2'}:3" and m[0]["card"] == "c1" and m[0]["field"] == "template"
    assert expected in m[0]["expected"] and received in m[0]["received"]


def test_the_forked_runner_answers_as_a_real_run(docs_copy, tmp_path):
    """conftest.forked_generator gives what a real ``python -m generator`` gives: the same exit
    status, stdout and stderr, for a rejected spec, a missing path, a usage error and a success."""
    docs, before = docs_copy
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text(deck("input: [[1, 2], [3]]\nkernel: [[1]]\nstride: 0\nsizes: 1\n"), encoding="utf-8")
    good.write_text(deck(GOOD), encoding="utf-8")
    for args in (["--decks", str(bad)], ["--decks", str(tmp_path / "nope")], ["--no-such-option"], ["--decks", str(good), "--check"]):
        real, forked = run_generator(*args, "--docs", str(docs)), forked_generator(*args, "--docs", str(docs))
        assert (forked.returncode, forked.stdout, forked.stderr) == (real.returncode, real.stdout, real.stderr), args
    assert tree(docs) == before


def test_missing_deck_path(docs_copy, tmp_path):
    docs, before = docs_copy
    proc = run_generator("--decks", str(tmp_path / "nope.yaml"), "--docs", str(docs))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nope.yaml'}: expected a deck file or folder (check the --decks path), but received a path that does not exist"
    ]
    assert tree(docs) == before


# ----------------------------------------------------------------------------- the loader never crashes


def _load(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as t:
        p = Path(t) / "d.yaml"
        p.write_bytes(data)
        try:
            decks = spec.load_decks([p], {"card.md.j2"})
        except SpecError as e:
            assert e.problems and all(str(pr).count("\n") == 0 for pr in e.problems)
        else:
            assert decks and all(isinstance(d, spec.DeckSpec) for d in decks)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(
        [
            "card.md.j2",
            "cross_correlation",
            "transposed_convolution",
            "max_pooling",
            "avg_pooling",
            "convolution",
            "sliding_window",
            "c_entry",
            "c-1",
            "main",
        ]
    ),
)
_arrays = st.recursive(st.one_of(st.integers(-3, 9), _scalars), lambda c: st.lists(c, max_size=4), max_leaves=24)
_keys = st.sampled_from([*spec.EXAMPLE_KEYS, *spec.CARD_KEYS, *spec.RANDOM_KEYS, *spec.PRACTICE_KEYS, "x"])
_values = st.recursive(
    st.one_of(_scalars, _arrays), lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(_keys, c, max_size=4)), max_leaves=16
)
_small = st.one_of(st.integers(-1, 4), st.lists(st.integers(-1, 4), min_size=1, max_size=4), _scalars)
_random_array = st.fixed_dictionaries(
    {"shape": st.lists(st.integers(-1, 6), max_size=5)}, optional={"seed": st.integers(-1, 9), "low": _small, "high": _small}
)
_example = st.fixed_dictionaries(
    {"input": st.one_of(_arrays, _random_array), "kernel": st.one_of(_arrays, _random_array, _small)},
    optional={
        "operation": st.sampled_from(spec.OPERATIONS) | _scalars,
        "stride": _small,
        "padding": _small,
        "dilation": _small,
        "output_padding": _small,
        "groups": _small,
        "x": _values,
    },
)


@st.composite
def _valid_example(draw) -> dict:
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    ex = {
        "operation": draw(st.sampled_from(["cross_correlation", "convolution", "transposed_convolution"])),
        "input": draw(
            st.one_of(
                st.just({"shape": [h, w], "seed": draw(st.integers(0, 9))}),
                st.lists(st.lists(st.integers(-3, 3), min_size=w, max_size=w), min_size=h, max_size=h),
            )
        ),
        "kernel": draw(st.lists(st.lists(st.integers(-2, 2), min_size=kw, max_size=kw), min_size=kh, max_size=kh)),
    }
    for key, strat in (
        ("stride", st.integers(1, 2) | st.lists(st.integers(1, 3), min_size=2, max_size=2)),
        ("padding", st.integers(0, 1) | st.lists(st.integers(0, 2), min_size=4, max_size=4)),
    ):
        if draw(st.booleans()):
            ex[key] = draw(strat)
    return ex


@st.composite
def _deck(draw) -> dict:
    """A valid deck, then 0 to 3 fields of it set to random values (most runs are near-valid)."""
    examples = [draw(_valid_example()) for _ in range(draw(st.integers(1, 2)))]
    cards = [
        {
            "id": f"c-{i}",
            "title": "T",
            "question": "Q?",
            # views that fit the operation (spec.VIEWS_FOR): the planted mistakes below make the invalid ones
            "views": draw(st.lists(st.sampled_from(spec.VIEWS_FOR[ex["operation"]]), min_size=1, max_size=3, unique=True)),
            "examples": {"main": ex},
            "practice": {"seed": draw(st.integers(0, 5)), "variants": 1},
        }
        for i, ex in enumerate(examples)
    ]
    if len(cards) == 2 and draw(st.booleans()):
        cards[1]["builds_on"] = ["c-0"]
    d = {"deck": "d", "title": "T", "order": 1, "cards": cards}
    # a third of the decks stay valid, so that the fuzzing reaches the renderer's side of the loader too
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        target = draw(
            st.sampled_from(
                [
                    (),
                    ("cards", 0),
                    ("cards", 0, "examples"),
                    ("cards", 0, "examples", "main"),
                    ("cards", 0, "practice"),
                    ("cards", 0, "examples", "main", "input"),
                ]
            )
        )
        node = d
        try:
            for k in target:
                node = node[k]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(node, dict):
            continue
        key = draw(st.sampled_from([*spec.EXAMPLE_KEYS, *spec.CARD_KEYS, *spec.RANDOM_KEYS, *spec.PRACTICE_KEYS, *spec.DECK_KEYS, "x"]))
        node[key] = draw(st.one_of(_small, _values, _arrays, _random_array, st.lists(_card_like(), max_size=2)))
    return d


def _card_like():
    return st.fixed_dictionaries(
        {"id": st.sampled_from(["c-0", "c-9", "Bad", 3])}, optional={k: _values for k in spec.CARD_KEYS if k != "id"}
    )


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_deck())
def test_random_specs_load_or_raise_spec_error(d):
    _load(yaml.safe_dump(d, allow_unicode=True).encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_load_or_raise_spec_error(b):
    _load(b)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]{}:-,&*!|>'\"#?%@ \n\tab01.~")), max_size=120))
def test_random_yaml_punctuation_loads_or_raises_spec_error(t):
    _load(("deck: d\ntitle: T\ncards:\n  - id: c\n    title: " + t).encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]\n",  # a list that contains itself
        "deck: d\ntitle: T\ncards:\n  - id: c\n    title: T\n    question: Q\n    data: &a [*a, *a]\n",
        # an alias bomb: 10 levels of 10 aliases expand to 10^10 values
        "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else "1"] * 10) + "]\n" for i in range(10)),
        "x: !!int nope\n",
        "x: !!timestamp nope\n",
        "x: !!float nope\n",
        "\ufeffdeck: d\n",
        "",
        "- 1\n- 2\n",
        "deck: d\ntitle: T\ncards:\n" + "  - id: c\n" * 3,
    ],
)
def test_nasty_yaml_raises_spec_error(text, tmp_path):
    p = tmp_path / "d.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as e:
        spec.load_decks([p], {"card.md.j2"})
    assert all(pr.file == str(p) for pr in e.value.problems)


def test_the_random_specs_are_often_valid(tmp_path):
    """The structured strategy reaches valid decks often, so the fuzzing above is not hollow."""
    outcomes = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    @given(_deck())
    def probe(d):
        p = tmp_path / "d.yaml"
        p.write_text(yaml.safe_dump(d))
        try:
            spec.load_decks([p], {"card.md.j2"})
            outcomes.append(True)
        except SpecError:
            outcomes.append(False)

    probe()
    assert 0.2 * len(outcomes) < sum(outcomes) < len(outcomes), f"{sum(outcomes)} of {len(outcomes)} random decks valid"


def test_author_template_asking_for_an_unknown_figure(docs_copy, tmp_path):
    tdir = tmp_path / "templates"
    (tdir / "cards").mkdir(parents=True)
    (tdir / "cards/mine.md.j2").write_text(
        '{% extends "base.md.j2" %}\n{% block answer %}\n{{ figure("sliding_windo", main) }}\n{% endblock %}\n'
    )
    m = fails(docs_copy, tmp_path, {"d.yaml": deck(GOOD, card_extra="template: cards/mine.md.j2\n")}, "--templates", str(tdir))
    one(m, Path("cards/mine.md.j2"), "c1", "template", "a figure kind (", "figure('sliding_windo')")


def test_a_bad_operation_does_not_hide_the_other_fields(docs_copy, tmp_path):
    m = fails(
        docs_copy, tmp_path, {"d.yaml": deck("operation: corss_correlation\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\ndilation: two\n")}
    )
    assert len(m) == 2, [x.group(0) for x in m]
    f = tmp_path / "decks/d.yaml"
    has(m[0], f, "c1", "examples.main.operation", "did you mean 'cross_correlation'", "'corss_correlation'")
    has(m[1], f, "c1", "examples.main.dilation", "whole numbers from 1 to 8", "'two'")


def test_a_rejected_example_is_reported_once(docs_copy, tmp_path):
    """practice.example naming an example that has its own error is not a second problem."""
    m = fails(docs_copy, tmp_path, {"d.yaml": deck("input: []\nkernel: [[1]]\n", card_extra="practice: {example: main}\n")})
    one(m, tmp_path / "decks/d.yaml", "c1", "examples.main.input", "non-empty array", "[]")


# ----------------------------------------------------------------------------- unsupported combinations
# Operations the pages cannot show correctly are refused with a message, not computed wrongly:
# a multi-channel true or transposed convolution, and pooling with padding (max pooling pads with
# -inf in PyTorch) or dilation.


def _one_example_spec(tmp_path, example: str):
    f = tmp_path / "deck.yaml"
    f.write_text(
        "deck: mine\ntitle: Mine\ncards:\n  - id: c1\n    title: T\n    question: Q?\n    examples:\n      main:\n" + example,
        encoding="utf-8",
    )
    return f


@pytest.mark.parametrize(
    ("example", "field", "expected"),
    [
        (
            "        operation: convolution\n        input: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]\n        kernel: [[[[1]], [[2]]]]\n",
            "examples.main.operation",
            "cross_correlation for a multi-channel input",
        ),
        (
            "        operation: max_pooling\n        input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\n        kernel: 2\n        padding: 1\n",
            "examples.main.padding",
            "0 for pooling",
        ),
        (
            "        operation: avg_pooling\n        input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\n        kernel: 2\n        dilation: 2\n",
            "examples.main.dilation",
            "1 for pooling",
        ),
    ],
)
def test_unsupported_combinations_are_refused(tmp_path, example, field, expected):
    from generator import spec
    from generator.errors import SpecError

    f = _one_example_spec(tmp_path, example)
    with pytest.raises(SpecError) as err:
        spec.load_decks([f])
    [problem] = err.value.problems
    assert (problem.card, problem.field) == ("c1", field)
    assert expected in problem.expected
