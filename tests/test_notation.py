"""One meaning per symbol (issue 12): a registry of the site's symbols, and a scan of everything a learner reads.

The registry below is the notation page's table as data: each symbol, its one meaning, the card
that introduces it, and the forms in which it would carry a *different* meaning (the kernel
array written with the size's letter, a channel count written with the matrix's letter, ...).
The scan reads every generated card page (prose, formulas, practice prompts and answers, figure
alt texts, PyTorch snippet comments), every practice prompt and answer in ``cards.json`` and
every study/Anki back in ``study.json``, and fails on

- a registered symbol used in a form that belongs to another meaning, and
- a symbol used on a card that comes, in the deck order, before the card that introduces it
  (unless that card introduces it itself, listed in ``also``).

The oracle is the text itself: the regular expressions are written here, not taken from the
generator. ``test_a_planted_misuse_fails`` shows that each rule catches what it is for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
import yaml
from conftest import ROOT

DOCS = ROOT / "docs"
DECKS = ROOT / "generator/decks"

# Not a letter, digit or backslash before; not a letter after (so `k` is not `\kappa`, `kernel`, `k_h`...).
_B = r"(?<![A-Za-z0-9\\])"
_E = r"(?![A-Za-z])"


@dataclass(frozen=True)
class Symbol:
    name: str  # as the notation page writes it (LaTeX)
    meaning: str
    card: str | None  # the card that introduces it; None: the notation page, before every card
    use: str | None = None  # a regex for any use of it in math (for the order check)
    misuse: tuple[tuple[str, str], ...] = ()  # (regex in math, the other meaning it would carry)
    text_misuse: tuple[tuple[str, str], ...] = ()  # the same, in plain text (alt texts, comments, prose)
    also: tuple[str, ...] = field(default=())  # earlier cards that introduce it for themselves


def _k_subscript_is_entry(math: str) -> list[str]:
    """``k`` with a subscript that is not a size label (``k_h``, ``k_w``, ``k_d``, ``k_\\text{eff}``): an entry."""
    bad = []
    for m in re.finditer(_B + r"k_(\{(?:[^{}]|\{[^{}]*\})*\}|\\text\{[^}]*\}|[A-Za-z0-9])", math):
        sub = re.sub(r"\\text\{[^}]*\}", "", m.group(1)).strip("{} ")
        if sub not in ("", "h", "w", "d"):
            bad.append(m.group(0))
    return bad


def _o_as_index(math: str) -> list[str]:
    """``o`` inside a subscript (``y_o``, ``w_{oc}``): an output-channel index, not the output size."""
    bad = []
    for m in re.finditer(r"(?<![A-Za-z\\])([A-Za-z])_(\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z])", math):
        if m.group(1) == "o":  # o_h, o_w: the output size along an axis
            continue
        sub = re.sub(r"\\[A-Za-z]+(\{[^}]*\})?", " ", m.group(2))
        if re.search(r"(?<![A-Za-z])o(?=[a-z]|\b)", sub) and not re.search(r"o_|o'", sub):
            bad.append(m.group(0))
    return bad


SYMBOLS: tuple[Symbol, ...] = (
    Symbol("k", "kernel size along one axis", None, misuse=(
        (_B + r"k\s*=\s*\\begin\{[bp]?matrix\}", "the kernel array"),
        (r"(?:\\star|\*)\s*k" + _E + r"(?!_[hw])", "the kernel array"),
        (_B + r"k(?:_\{?\d\}?)?\s*(?:\\star|\*)", "the kernel array"),
        (r"\\operatorname\{(?:rot180|vec)\}\(k\)", "the kernel array"),
        (_B + r"k\^\\top", "the kernel array"),
        (_B + r"k\s+k\^", "the kernel array"),
        (r"\\partial\s*k" + _E, "the kernel array"),
        (r"\\cdot\s*k\s*&?=", "the kernel array"),  # a scaled stamp, y_rc * kernel
        (r"y_\{?\w+\}?\s*\\cdot\s*k" + _E, "the kernel array"),
    ), text_misuse=(
        (r"\bkernel k\b", "the kernel array"),
        (r"rot180\(k\)", "the kernel array"),
        (r"[⋆*] k\b", "the kernel array"),
        (r"\bk [⋆*]", "the kernel array"),
    )),
    Symbol("w", "the kernel array (entries w_ab)", None, misuse=(
        (r"\\times\s*w" + _E, "a width"),
        (r"(?<![A-Za-z0-9\\_])h\s*\\times", "a height"),
    )),
    Symbol("i", "input size", None, misuse=(
        (r"[xy]_\{i[a-z+]", "a row index"),
    )),
    Symbol("o", "output size", None, misuse=(
        (r"\(o,\s*[a-z]\)", "an output-channel index"),
    ), text_misuse=(
        (r"channel \\\(o\\\)|channel o\b|\(o, c\)", "an output-channel index"),
    )),
    Symbol("C", "the unrolled kernel matrix (a label in its subscript names which one)", "flatten", use=_B + r"C" + _E, misuse=(
        (r"C_\{?\\text\{(?:in|out)\}", "a channel count"),
        (r"C_\{(?:in|out)\}", "a channel count"),
    ), text_misuse=((r"\bC_(?:in|out)\b", "a channel count"),), also=("one-d", "pooling")),
    Symbol(r"c_\text{in}", "number of input channels (c_out: of output channels)", "channels", use=r"c_\{?\\text\{(?:in|out)\}"),
    Symbol("P", "the patches matrix of im2col", "im2col", use=_B + r"P" + _E, misuse=(
        (_B + r"P\s*=\s*2p", "the total padding"),
        (r"\+\s*P" + _E, "the total padding"),
    )),
    Symbol("a", "output_padding (Relationship 14's a); as a subscript index, a kernel tap's row", None, misuse=(
        (r"(?<![A-Za-z0-9\\_{])a\s*=\s*\\begin\{[bp]?matrix\}", "an array"),
        (r"\\(?:max|operatorname\{mean\})\(a" + _E, "an array"),
        (r"f\(a\s*\+", "an array"),
    )),
    Symbol(r"\hat{x}", "the input flattened row-major", "flatten", use=r"\\hat\{x\}", also=("pooling",)),
    Symbol(r"\tilde{y}", "the zero-inserted input of a transposed convolution", "zero-insertion", use=r"\\tilde\{y\}"),
    Symbol("x'", "the output of a transposed convolution", "transposed-as-ct", use=_B + r"x'"),
    Symbol("g", "the gradient dL/dy", "gradient", use=_B + r"g" + _E + r"(?!_)", misuse=(
        (r"\\text\{groups\}\s*=\s*g" + _E, "a number of groups"),
    ), text_misuse=((r"groups\s*=\s*g\b", "a number of groups"),)),
)

PROSE_MISUSE = (
    (r"channel \\\(o\\\)", "o as an output-channel index"),
    (r"(?<![A-Za-z])[cC]_\\text\{(?:in|out)\}'", "a prime on a channel count (primes mark only i', o', x')"),
    (r"`[^`]*\bF\.conv[^`]*\(\w+, k[,)]", "k as the kernel array in code"),
)
MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.S)
FIG_ALT = re.compile(r"!\[((?:\\.|[^\]])*)\]\(figures/")
COMMENT = re.compile(r"#\s.*$", re.M)


def deck_order() -> list[tuple[str, str]]:
    """(deck, card id) in the order a learner meets them: decks by their order, cards as listed."""
    decks = sorted((yaml.safe_load(p.read_text(encoding="utf-8")) for p in DECKS.glob("*.yaml")), key=lambda d: d["order"])
    return [(d["deck"], c["id"]) for d in decks for c in d["cards"]]


def builds_on_closure() -> dict[str, set[str]]:
    """Every card a card builds on, directly or through the cards it builds on."""
    direct = {c["id"]: set(c.get("builds_on", [])) for p in DECKS.glob("*.yaml")
              for c in yaml.safe_load(p.read_text(encoding="utf-8"))["cards"]}
    closure: dict[str, set[str]] = {}

    def walk(card: str) -> set[str]:
        if card not in closure:
            closure[card] = set()
            for b in direct.get(card, ()):
                closure[card] |= {b} | walk(b)
        return closure[card]

    for card in direct:
        walk(card)
    return closure


def math_of(text: str) -> list[str]:
    """The formulas of ``text`` as written (``\\text{...}`` kept: ``C_{\\text{in}}`` is a misuse of ``C``)."""
    return [a or b for a, b in MATH.findall(text)]



def texts_of_card(deck: str, card: str, cards_json: dict, study: dict) -> dict[str, str]:
    """Everything a learner reads of one card, by where it comes from."""
    out = {"page": (DOCS / "cards" / deck / f"{card}.md").read_text(encoding="utf-8")}
    for c in cards_json["cards"]:
        if c["id"] == card:
            for q in c["practice"]:
                out[f"practice {q['kind']} #{q['variant']}"] = q["prompt"] + "\n\n" + q["answer"]
    for it in study["items"]:
        if it.get("card") == card:
            out[f"study {it['id']}"] = it.get("question", "") + "\n\n" + it.get("answer", "")
    return out


def plain_parts(text: str) -> list[str]:
    """Alt texts and snippet comments: where a symbol appears outside the math."""
    return FIG_ALT.findall(text) + COMMENT.findall("\n".join(re.findall(r"```python\n(.*?)```", text, re.S)))


def misuses(text: str) -> list[str]:
    """Every use of a registered symbol, in ``text``, in a form that belongs to another meaning."""
    found = []
    for rx, what in PROSE_MISUSE:  # in the sentences around the formulas
        found += [f"{what}: {hit.group(0)!r}" for hit in re.finditer(rx, text)]
    maths = math_of(text)
    for sym in SYMBOLS:
        for m in maths:
            for rx, other in sym.misuse:
                found += [f"{sym.name} as {other}: {hit.group(0)!r} in \\({m.strip()[:80]}\\)" for hit in re.finditer(rx, m)]
        for part in plain_parts(text):
            for rx, other in sym.text_misuse:
                found += [f"{sym.name} as {other}: {hit.group(0)!r} in {part.strip()[:80]!r}" for hit in re.finditer(rx, part)]
    for m in maths:
        found += [f"k as the kernel array: {hit!r} in \\({m.strip()[:80]}\\)" for hit in _k_subscript_is_entry(m)]
        found += [f"o as an output-channel index: {hit!r} in \\({m.strip()[:80]}\\)" for hit in _o_as_index(m)]
    return found


def used_before_defined(card: str, text: str, earlier_than: dict[str, set[str]]) -> list[str]:
    """Registered symbols ``text`` uses although the card that introduces them comes later."""
    found = []
    maths = math_of(text)
    for sym in SYMBOLS:
        if sym.card is None or sym.use is None or card in sym.also or card not in earlier_than[sym.card]:
            continue
        for m in maths:
            if re.search(sym.use, m):
                found.append(f"{sym.name} ({sym.meaning}) before its card {sym.card}: \\({m.strip()[:80]}\\)")
                break
    return found


@pytest.fixture(scope="module")
def sources() -> list[tuple[str, str, dict[str, str]]]:
    cards_json = json.loads((DOCS / "data/cards.json").read_text(encoding="utf-8"))
    study = json.loads((DOCS / "data/study.json").read_text(encoding="utf-8"))
    return [(deck, card, texts_of_card(deck, card, cards_json, study)) for deck, card in deck_order()]


def test_every_symbol_has_one_meaning(sources):
    bad = [f"{card} ({where}): {m}" for _, card, texts in sources for where, t in texts.items() for m in misuses(t)]
    assert not bad, f"{len(bad)} symbol(s) used with another meaning:\n" + "\n".join(bad[:40])


def test_no_symbol_before_its_card(sources):
    order = [card for _, card, _ in sources]
    earlier_than = {c: set(order[: order.index(c)]) for c in order}
    for sym in SYMBOLS:
        assert sym.card is None or sym.card in order, f"{sym.name}: no card {sym.card}"
    bad = [f"{card} ({where}): {m}" for _, card, texts in sources for where, t in texts.items()
           for m in used_before_defined(card, t, earlier_than)]
    assert not bad, "\n".join(bad[:40])


def test_the_notation_page_states_every_registered_symbol():
    page = (DOCS / "notation.md").read_text(encoding="utf-8")
    for sym in SYMBOLS:
        assert f"\\({sym.name}" in page or f", {sym.name}" in page or f"{sym.name}\\)" in page, f"{sym.name} is not on the notation page"


def test_every_symbol_comes_from_a_card_built_on(sources):
    """Stricter than the deck order: a card (its page, prompts and backs) uses a symbol only if it
    introduces it or builds on, directly or not, the card that does."""
    closure = builds_on_closure()
    bad = []
    for _, card, texts in sources:
        for sym in SYMBOLS:
            if sym.card is None or sym.use is None or card == sym.card or card in sym.also or sym.card in closure[card]:
                continue
            for where, t in texts.items():
                hit = next((m for m in math_of(t) if re.search(sym.use, m)), None)
                if hit is not None:
                    bad.append(f"{card} ({where}) uses {sym.name} but does not build on {sym.card}: \\({hit.strip()[:60]}\\)")
                    break
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("planted, rule", [
    (r"the kernel \(k = \begin{bmatrix} 1 & 2 \end{bmatrix}\)", "kernel array"),
    (r"\(y_{11} = \sum k_{ab} x_{ab}\)", "kernel array"),
    (r"\(x \star k\)", "kernel array"),
    (r"\(\operatorname{rot180}(k)\)", "kernel array"),
    (r"\[ y_{11} \cdot k = 10 \cdot k &= \begin{bmatrix} 10 \end{bmatrix} \]", "kernel array"),
    (r"![The kernel k and rot180(k).](figures/a.svg)", "kernel array"),
    (r"\(C_{\text{in}} = 2\)", "channel count"),
    (r"\[ y_{ij} = \sum_a \sum_b w_{ab} x_{i+a-1, j+b-1} \]", "row index"),
    (r"output channel \(o\) reads", "output-channel index"),
    (r"\(\partial L/\partial k\)", "kernel array"),
    (r"\(f(a + b) = f(a) + f(b)\)", "an array"),
    (r"\(o = \lfloor (i + P - k)/s \rfloor + 1\)", "total padding"),
    (r"\(y_o = \sum_c w_{oc} \star x_c\)", "output-channel index"),
    (r"an \(h \times w\) input", "width"),
    ("```python\ny = F.conv2d(x, w, groups=g)  # groups = g\n```", "number of groups"),
])
def test_a_planted_misuse_fails(planted, rule):
    assert any(rule in m for m in misuses(planted)), f"not caught: {planted}"


def test_a_planted_early_use_fails():
    order = [c for _, c in deck_order()]
    earlier_than = {c: set(order[: order.index(c)]) for c in order}
    assert used_before_defined("output-size", r"Write it as \(y = C\hat{x}\).", earlier_than)
    assert not used_before_defined("im2col", r"Write it as \(y = C\hat{x}\).", earlier_than)
