"""Deck specs: load YAML files, validate every field, return typed card specs.

Validation collects every problem of every file before failing once, with a
:class:`~generator.errors.SpecError` whose lines name the file, the card and the
field. Nothing here writes files or computes a convolution result.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import core, markup, strictyaml
from .errors import Problem, SpecError, short

OPERATIONS = ("cross_correlation", "convolution", "transposed_convolution", "max_pooling", "avg_pooling")
VIEWS = (
    "sliding_window",
    "flatten",
    "unrolled",
    "im2col",
    "flip",
    "convolution",
    "transposed",
    "scatter",
    "zero_insertion",
    "figure",
)
DEFAULT_VIEWS = ("sliding_window", "flatten", "unrolled", "figure")
# Which views draw something true for which operation (README "The views", deck.schema.json).
# Checked by computing each view of every operation (tests/test_views.py): e.g. the sliding
# window of a max pooling would show sums of products, the transposed view of a convolution
# would use the unflipped kernel, and the figure of a transposed convolution would draw
# windows over its input labelled with the entries of a larger output.
VIEWS_FOR: dict[str, tuple[str, ...]] = {
    "cross_correlation": ("sliding_window", "flatten", "unrolled", "im2col", "flip", "convolution", "transposed", "figure"),
    "convolution": ("sliding_window", "flatten", "unrolled", "im2col", "flip", "convolution", "figure"),
    "transposed_convolution": ("flip", "transposed", "scatter", "zero_insertion"),
    "max_pooling": ("flatten",),
    "avg_pooling": ("sliding_window", "flatten", "unrolled", "im2col", "figure"),
}
MULTI_CHANNEL_VIEWS = ("flatten", "unrolled")  # a (C_in, h, w) input: the views that draw every channel
NOT_1D_VIEWS = ("flip",)  # compares rot180(k) with the transpose k^T of a 2-D kernel
VIEW_NEEDS = {  # what a view draws, hence what it needs: said when it does not fit
    "sliding_window": "each output as a sum of kernel × window products, one channel",
    "flatten": "the input of a forward operation as the vector x̂",
    "unrolled": "y = C x̂, a linear forward operation",
    "im2col": "y = vec(k)ᵀ P, one channel",
    "flip": "rot180(k) beside the transpose of a 2-D kernel",
    "convolution": "x * k beside x ⋆ k, one channel",
    "transposed": "Cᵀ of the example's kernel as given: a cross-correlation's or a transposed convolution's",
    "scatter": "a transposed convolution of the example's input",
    "zero_insertion": "a transposed convolution of the example's input",
    "figure": "windows of a forward sum of products over one channel",
}


def views_for(ex: ExampleSpec) -> tuple[str, ...]:
    """The views that fit the example ``ex`` (its operation and number of dimensions)."""
    fit = VIEWS_FOR[ex.operation]
    if ex.input.ndim == 3:
        fit = tuple(w for w in fit if w in MULTI_CHANNEL_VIEWS)
    if ex.input.ndim == 1:
        fit = tuple(w for w in fit if w not in NOT_1D_VIEWS)
    return fit


def _example_kind(ex: ExampleSpec) -> str:
    dims = {1: "1-D ", 3: "multi-channel "}.get(ex.input.ndim, "")
    return f"{dims}{ex.operation}"
PRACTICE_KINDS = ("c_entry", "output_value", "output_size")  # a card's kinds when its spec names none
# Every kind a deck may name (generator/practice.py and practice_kinds.py make them; a test keeps the two in step).
ALL_PRACTICE_KINDS = (
    "c_entry", "output_value", "under_tap", "flipped_entry", "flipped_kernel", "conv_minus_corr", "ct_entry",
    "transposed_value", "input_gradient", "roundtrip", "output_size", "output_shape", "dilated_size",
    "effective_kernel", "shared_inputs", "window_count", "flat_index", "flat_index_column_major", "c_shape", "ct_shape",
    "c_index", "c_nonzeros", "p_shape",
)

# Limits that keep a page readable and a build small (documented in README).
MAX_SIDE = 32  # rows or columns of an input
MAX_KERNEL_SIDE = 9
MAX_CHANNELS = 8
MAX_ABS_VALUE = 10**6
MAX_MATRIX_ROWS = 64  # C is shown only up to this size
MAX_MATRIX_COLS = 144
MAX_STRIDE = 8
MAX_DILATION = 8
MAX_PADDING = 16
MAX_VARIANTS = 20
MAX_FILE_BYTES = 1_000_000  # a deck file; a 32×32 array is about 5 kB of YAML
MAX_VALUES = 100_000  # values in one file once YAML aliases are expanded (an "alias bomb" is refused)
MAX_DEPTH = 32  # nesting of mappings and lists in one file
# Decimal values (README "Limits"): every shown result of sums of products is then a multiple of
# 10^-6 of magnitude below 10^7, which float64 carries to well within half that step, so the
# LaTeX layer writes it exactly (latex.num rounds to 6 decimals, never with an exponent).
MAX_DECIMALS = 3  # decimal places of a value that is not whole
MAX_DECIMAL_ABS = 100  # magnitude of every value of an array holding a non-whole value
MAX_ID = 64  # characters of a deck id, card id or example name (they become file names)
MAX_TITLE = 120  # characters of a deck or card title (one line)
MAX_TEXT = 5000  # characters of a question, summary or intro
RESERVED_IDS = ("index", "print", "figures")  # cards/<deck>/index.md, print.md and figures/ are the deck's

# What each validity rule of an example expects, worded once: the spec loader's messages, and the
# explorer's (docs/javascripts/convcore.js reads them, with the limits, from data/rules.json).
RULE_MESSAGES = {
    "empty": "a non-empty array",
    "rectangular": "a rectangular array (every row the same length)",
    "numbers": "numbers only",
    "finite": "finite numbers",
    "magnitude": "numbers of magnitude at most {max}",
    "whole_one": "a whole number from {lo} to {hi}",
    "whole": "{what} (whole numbers from {lo} to {hi})",
    "range": "whole numbers from {lo} to {hi}",
    "kernel_1d": "a 1-D kernel for a 1-D input",
    "kernel_2d": "a 2-D kernel for a 2-D input",
    "input_side": "at most {max} rows and columns (a readable page)",
    "kernel_side": "at most {max} rows and columns",
    "output_padding": "a value smaller than the stride ({stride}) or the dilation ({dilation}) along {axis}",
    "transposed_fits": "padding small enough for a transposed output of at least 1×1",
    "kernel_fits": "a kernel (dilated span {span_h}×{span_w}) no larger than the padded input ({padded_h}×{padded_w})",
    "matrix_size": "a size whose matrix C has at most {max} entries",
    "operation": "one of {operations}",
}
MAX_MATRIX_ENTRIES = MAX_MATRIX_ROWS * MAX_MATRIX_COLS * 4
# An example's parameters: how many numbers may be given, and their range.
LIMITS = {
    "max_side": MAX_SIDE,
    "max_kernel_side": MAX_KERNEL_SIDE,
    "max_stride": MAX_STRIDE,
    "max_dilation": MAX_DILATION,
    "max_padding": MAX_PADDING,
    "max_abs_value": MAX_ABS_VALUE,
    "max_matrix_entries": MAX_MATRIX_ENTRIES,
}
# An example's parameters: how many numbers may be given, the smallest value, the limit of the largest.
PARAM_RULES: dict[str, tuple[tuple[int, ...], int, str]] = {
    "stride": ((2,), 1, "max_stride"),
    "padding": ((2, 4), 0, "max_padding"),
    "dilation": ((2,), 1, "max_dilation"),
    "output_padding": ((2,), 0, "max_stride"),
}


def _param_rule(name: str) -> tuple[tuple[int, ...], int, int]:
    counts, lo, limit = PARAM_RULES[name]
    return counts, lo, LIMITS[limit]
# The explorer (/explore/) computes what the spec loader accepts, within smaller sizes that keep a
# phone responsive: these override the limits above there.
EXPLORER_OPERATIONS = ("cross_correlation", "convolution", "transposed_convolution")
EXPLORER_LIMITS = {"max_side": 16, "max_stride": 4, "max_dilation": 4, "max_padding": 8, "max_abs_value": 999}


def rules_table() -> dict[str, Any]:
    """The validity rules of an example as data: limits and messages (written as data/rules.json)."""
    limits = dict(LIMITS)
    return {
        "schema": "convcards/rules.json",
        "limits": limits,
        "explorer_limits": {**limits, **EXPLORER_LIMITS},
        "explorer_operations": list(EXPLORER_OPERATIONS),
        # each parameter's range: from lo to the limit named (the spec loader's or the explorer's)
        "params": {
            name: {"what": _counts_text(counts), "lo": lo, "limit": limit} for name, (counts, lo, limit) in PARAM_RULES.items()
        },
        "messages": dict(RULE_MESSAGES),
    }

DECK_KEYS = ("deck", "title", "order", "intro", "cards")
CARD_KEYS = ("id", "title", "question", "template", "builds_on", "views", "examples", "practice", "data", "summary", "back", "formerly")
BACK_KEYS = ("example", "show")
BACK_SHOWS = ("output", "transposed")
EXAMPLE_KEYS = ("operation", "input", "kernel", "stride", "padding", "dilation", "output_padding", "groups")
RANDOM_KEYS = ("shape", "seed", "low", "high")
PRACTICE_KEYS = ("seed", "variants", "kinds", "example")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ExampleSpec:
    """One worked example: the operation, its arrays and its parameters."""

    name: str
    operation: str
    input: np.ndarray
    kernel: np.ndarray
    params: core.ConvParams

    def as_json(self) -> dict[str, Any]:
        p = self.params
        return {
            "operation": self.operation,
            "stride": list(p.stride),
            "padding": {"top": p.padding[0], "bottom": p.padding[1], "left": p.padding[2], "right": p.padding[3]},
            "dilation": list(p.dilation),
            "output_padding": list(p.output_padding),
            "groups": p.groups,
        }


@dataclass(frozen=True)
class PracticeSpec:
    seed: int = 0
    variants: int = 3
    kinds: tuple[str, ...] = PRACTICE_KINDS
    example: str | None = None


@dataclass(frozen=True)
class BackSpec:
    """What the back of the card shows in study mode and Anki: which example, and its output or
    its transposed convolution (Cᵀ applied to the output)."""

    example: str | None = None
    show: str = "output"


@dataclass(frozen=True)
class CardSpec:
    id: str
    deck: str
    title: str
    question: str
    template: str
    builds_on: tuple[str, ...]
    views: tuple[str, ...]
    examples: dict[str, ExampleSpec]
    practice: PracticeSpec
    data: dict[str, Any]
    summary: str
    file: str
    order: int
    back: BackSpec = field(default_factory=lambda: BackSpec())
    formerly: tuple[str, ...] = ()  # the card's earlier ids, oldest first: its Anki notes keep the first one's GUIDs

    @property
    def guid_id(self) -> str:
        """The id its Anki note GUIDs are made from: the first id it ever had."""
        return self.formerly[0] if self.formerly else self.id


@dataclass(frozen=True)
class DeckSpec:
    id: str
    title: str
    order: int
    intro: str
    file: str
    cards: list[CardSpec] = field(default_factory=list)


class _Collector:
    """Gathers problems for one file while its fields are checked."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, card: str | None, fld: str | None, expected: str, received: object) -> None:
        self.problems.append(Problem(self.file, card, fld, expected, received if isinstance(received, str) else short(received)))

    def unknown_keys(self, card: str | None, prefix: str, mapping: dict, allowed: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"'{close[0]}' (did you mean it?)" if close else "one of " + ", ".join(allowed)
                self.add(card, f"{prefix}{key}", hint, f"unknown key '{key}'")


# ----------------------------------------------------------------------------- scalars


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int_in(col: _Collector, card: str, fld: str, v: object, lo: int, hi: int) -> int | None:
    if not _is_int(v):
        col.add(card, fld, RULE_MESSAGES["whole_one"].format(lo=lo, hi=hi), short(v))
        return None
    if not lo <= v <= hi:
        col.add(card, fld, RULE_MESSAGES["whole_one"].format(lo=lo, hi=hi), short(v))
        return None
    return v


def _counts_text(counts: tuple[int, ...]) -> str:
    return " or ".join(["one number"] + [f"a list of {n}" for n in counts if n > 1])


def _ints(col: _Collector, card: str, fld: str, v: object, counts: tuple[int, ...], lo: int, hi: int) -> list[int] | None:
    """One number or a list of ``counts`` numbers, each within ``[lo, hi]``."""
    what = _counts_text(counts)
    given = v
    if isinstance(v, tuple):
        v = list(v)
    if _is_int(v):
        v = [v]
    if not isinstance(v, list) or len(v) not in (1, *counts) or not all(_is_int(e) for e in v):
        col.add(card, fld, RULE_MESSAGES["whole"].format(what=what, lo=lo, hi=hi), short(given))
        return None
    bad = [e for e in v if not lo <= e <= hi]
    if bad:
        col.add(card, fld, RULE_MESSAGES["whole_one" if len(v) == 1 else "range"].format(lo=lo, hi=hi), short(given))
        return None
    return v


def _text(col: _Collector, card: str | None, fld: str, v: object, required: bool = True) -> str:
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        col.add(card, fld, "a non-empty text", v if v is not None else "nothing")
        return ""
    if len(v) > MAX_TEXT:
        col.add(card, fld, f"a text of at most {MAX_TEXT} characters", f"{len(v)} characters")
        return ""
    return v.strip()


def _markdown(col: _Collector, card: str | None, fld: str, v: object, required: bool = True) -> str:
    """A Markdown text (question, summary, intro), cleaned by :func:`markup.markdown_field`."""
    text = _text(col, card, fld, v, required)
    if not text:
        return ""
    cleaned, problem = markup.markdown_field(text)
    if problem:
        col.add(card, fld, "Markdown without raw HTML, unsafe links or formula commands", problem)
        return ""
    return cleaned


def _title(col: _Collector, card: str | None, fld: str, v: object) -> str:
    """A title: plain text on one line (it is escaped wherever it is shown, never read as Markdown)."""
    text = _text(col, card, fld, v)
    if not text:
        return ""
    if len(text) > MAX_TITLE:
        col.add(card, fld, f"a title of at most {MAX_TITLE} characters", f"{len(text)} characters")
        return ""
    bad = next((c for c in text if ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\x85"), None)
    if bad is not None:
        what = "a line break" if bad in "\n\r\u2028\u2029\x85" else f"the control character U+{ord(bad):04X}"
        col.add(card, fld, "a title on one line (plain text)", what)
        return ""
    return text


# ----------------------------------------------------------------------------- arrays


def _array(col: _Collector, card: str, fld: str, v: object) -> np.ndarray | None:
    """A nested list of finite numbers, rectangular, 1 to 4 dimensions; or a random spec."""
    if isinstance(v, dict):
        return _random_array(col, card, fld, v)
    if not isinstance(v, list):
        col.add(card, fld, "a nested list of numbers, or {shape, seed}", v)
        return None
    shape: list[int] = []
    level = v
    while isinstance(level, list):
        if not level:
            col.add(card, fld, RULE_MESSAGES["empty"], v)
            return None
        shape.append(len(level))
        level = level[0]
    if len(shape) > 4:
        col.add(card, fld, "an array of 1 to 4 dimensions", f"{len(shape)} dimensions")
        return None
    flat: list[object] = []

    def walk(node: object, depth: int) -> bool:
        if depth == len(shape):
            if isinstance(node, list):
                return False
            flat.append(node)
            return True
        return isinstance(node, list) and len(node) == shape[depth] and all(walk(e, depth + 1) for e in node)

    if not walk(v, 0):
        col.add(card, fld, RULE_MESSAGES["rectangular"], "a ragged array " + short(v, 40))
        return None
    bad = [e for e in flat if isinstance(e, bool) or not isinstance(e, (int, float))]
    if bad:
        hint = ""
        if isinstance(bad[0], str) and re.fullmatch(r"[-+]?\d+[eE][-+]?\d+", bad[0].strip()):
            hint = f" (YAML reads {bad[0]} as text: write it with a dot, e.g. 1.0e+3)"
        col.add(card, fld, RULE_MESSAGES["numbers"] + hint, short(bad[0]))
        return None
    if not all(math.isfinite(e) for e in flat):
        col.add(card, fld, RULE_MESSAGES["finite"], next(e for e in flat if not math.isfinite(e)))
        return None
    if any(abs(e) > MAX_ABS_VALUE for e in flat):
        col.add(card, fld, RULE_MESSAGES["magnitude"].format(max=MAX_ABS_VALUE), next(e for e in flat if abs(e) > MAX_ABS_VALUE))
        return None
    if all(_is_int(e) for e in flat):
        return np.array(flat, dtype=np.int64).reshape(shape)
    if all(float(e).is_integer() for e in flat):
        return np.array(flat, dtype=np.float64).reshape(shape)
    fine = next((e for e in flat if _decimals(e) > MAX_DECIMALS), None)
    if fine is not None:
        col.add(card, fld, f"decimals of at most {MAX_DECIMALS} decimal places (shown exactly)", short(fine))
        return None
    big = next((e for e in flat if abs(e) > MAX_DECIMAL_ABS), None)
    if big is not None:
        col.add(card, fld, f"values of magnitude at most {MAX_DECIMAL_ABS} in an array with decimals (shown exactly)", short(big))
        return None
    return np.array(flat, dtype=np.float64).reshape(shape)


def _decimals(v: float | int) -> int:
    """Decimal places of a number as written (its shortest repr: YAML's 0.1 is 0.1)."""
    exp = Decimal(repr(float(v))).normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def _random_array(col: _Collector, card: str, fld: str, v: dict) -> np.ndarray | None:
    col.unknown_keys(card, f"{fld}.", v, RANDOM_KEYS)
    shape = v.get("shape")
    if not isinstance(shape, list) or not 1 <= len(shape) <= 4 or not all(_is_int(n) and 1 <= n <= MAX_SIDE for n in shape):
        col.add(card, f"{fld}.shape", f"a list of 1 to 4 sizes from 1 to {MAX_SIDE}", shape if shape is not None else "nothing")
        return None
    seed = _int_in(col, card, f"{fld}.seed", v.get("seed", 0), 0, 2**32 - 1)
    low = _int_in(col, card, f"{fld}.low", v.get("low", -3), -1000, 1000)
    high = _int_in(col, card, f"{fld}.high", v.get("high", 3), -1000, 1000)
    if None in (seed, low, high):
        return None
    if high < low:
        col.add(card, f"{fld}.high", f"a number not below low ({low})", high)
        return None
    return np.random.default_rng(seed).integers(low, high + 1, size=shape).astype(np.int64)


# ----------------------------------------------------------------------------- examples


def _example(col: _Collector, card: str, name: str, v: object) -> ExampleSpec | None:
    pre = f"examples.{name}"
    if not isinstance(v, dict):
        col.add(card, pre, "a mapping with operation, input, kernel, ...", v)
        return None
    col.unknown_keys(card, f"{pre}.", v, EXAMPLE_KEYS)
    before = len(col.problems)
    op = v.get("operation", "cross_correlation")
    if op not in OPERATIONS:
        close = difflib.get_close_matches(str(op), OPERATIONS, n=1)
        col.add(
            card, f"{pre}.operation", f"one of {', '.join(OPERATIONS)}" + (f" (did you mean '{close[0]}'?)" if close else ""), short(op)
        )
        op = "cross_correlation"  # go on checking the other fields; the example is rejected below
    x = _array(col, card, f"{pre}.input", v.get("input")) if "input" in v else None
    if "input" not in v:
        col.add(card, f"{pre}.input", "an array", "nothing")
    pooling = op.endswith("pooling")
    k = None
    if pooling:
        size = _ints(col, card, f"{pre}.kernel", v.get("kernel"), (2,), 1, MAX_KERNEL_SIDE)
        if size is not None:
            k = np.ones(core.as_pair(size if len(size) == 2 else size[0]), dtype=np.int64)
    elif "kernel" in v:
        k = _array(col, card, f"{pre}.kernel", v["kernel"])
    else:
        col.add(card, f"{pre}.kernel", "an array", "nothing")
    stride = _ints(col, card, f"{pre}.stride", v.get("stride", list(k.shape) if pooling and k is not None else 1), *_param_rule("stride"))
    padding = _ints(col, card, f"{pre}.padding", v.get("padding", 0), *_param_rule("padding"))
    dilation = _ints(col, card, f"{pre}.dilation", v.get("dilation", 1), *_param_rule("dilation"))
    out_pad = _ints(col, card, f"{pre}.output_padding", v.get("output_padding", 0), *_param_rule("output_padding"))
    groups = _int_in(col, card, f"{pre}.groups", v.get("groups", 1), 1, MAX_CHANNELS)
    if len(col.problems) > before or x is None or k is None:
        return None
    p = core.params(
        stride=stride if len(stride) == 2 else stride[0],
        padding=padding if len(padding) > 1 else padding[0],
        dilation=dilation if len(dilation) == 2 else dilation[0],
        output_padding=out_pad if len(out_pad) == 2 else out_pad[0],
        groups=groups,
    )
    if not _shapes_ok(col, card, pre, op, x, k, p):
        return None
    return ExampleSpec(name=name, operation=op, input=x, kernel=k, params=p)


def _shapes_ok(col: _Collector, card: str, pre: str, op: str, x: np.ndarray, k: np.ndarray, p: core.ConvParams) -> bool:
    """Dimensions agree, sizes are within limits, and the kernel fits."""
    multi = x.ndim == 3
    if multi and op != "cross_correlation":
        # The multi-channel pages show what a layer computes; the other operations are single-channel.
        col.add(card, f"{pre}.operation", "cross_correlation for a multi-channel input (C_in, h, w)", op)
        return False
    if op.endswith("pooling"):
        if p.padding != (0, 0, 0, 0):
            col.add(card, f"{pre}.padding", "0 for pooling (Relationship 7: pooling without padding)", list(p.padding))
            return False
        if p.dilation != (1, 1):
            col.add(card, f"{pre}.dilation", "1 for pooling", list(p.dilation))
            return False
    if x.ndim == 1 and k.ndim != 1:
        col.add(card, f"{pre}.kernel", RULE_MESSAGES["kernel_1d"], f"{k.ndim} dimensions")
        return False
    if x.ndim == 2 and k.ndim != 2:
        col.add(card, f"{pre}.kernel", RULE_MESSAGES["kernel_2d"], f"{k.ndim} dimensions")
        return False
    if multi and k.ndim != 4:
        col.add(card, f"{pre}.kernel", "a 4-D kernel (C_out, C_in/groups, kh, kw) for a 3-D input (C_in, h, w)", f"{k.ndim} dimensions")
        return False
    if x.ndim == 4:
        col.add(card, f"{pre}.input", "an array of 1 to 3 dimensions (h, w) or (C_in, h, w)", "4 dimensions")
        return False
    in_hw = x.shape[-2:] if x.ndim >= 2 else (1, x.shape[0])
    k_hw = k.shape[-2:] if k.ndim >= 2 else (1, k.shape[0])
    if max(in_hw) > MAX_SIDE:
        col.add(card, f"{pre}.input", RULE_MESSAGES["input_side"].format(max=MAX_SIDE), f"shape {x.shape}")
        return False
    if max(k_hw) > MAX_KERNEL_SIDE:
        col.add(card, f"{pre}.kernel", RULE_MESSAGES["kernel_side"].format(max=MAX_KERNEL_SIDE), f"shape {k.shape}")
        return False
    if multi:
        c_in, c_out, g = x.shape[0], k.shape[0], p.groups
        if max(c_in, c_out) > MAX_CHANNELS:
            col.add(card, f"{pre}.input", f"at most {MAX_CHANNELS} channels", f"{c_in} in, {c_out} out")
            return False
        if c_in % g or c_out % g:
            col.add(card, f"{pre}.groups", f"a number dividing both {c_in} input and {c_out} output channels", g)
            return False
        if k.shape[1] != c_in // g:
            col.add(card, f"{pre}.kernel", f"shape (C_out, {c_in // g}, kh, kw): C_in / groups = {c_in} / {g}", f"shape {k.shape}")
            return False
    elif p.groups != 1:
        col.add(card, f"{pre}.groups", "1 for a single-channel input (give the input as (C_in, h, w) for groups)", p.groups)
        return False
    for axis, name in ((0, "rows"), (1, "columns")):
        s, d, a = p.stride[axis], p.dilation[axis], p.output_padding[axis]
        if a >= max(s, d) and a:
            col.add(card, f"{pre}.output_padding", RULE_MESSAGES["output_padding"].format(stride=s, dilation=d, axis=name), a)
            return False
    if op == "transposed_convolution":
        oh, ow = (
            core.transposed_output_shape(in_hw, k_hw, p)
            if x.ndim != 1
            else (1, core.transposed_output_shape(in_hw, k_hw, _row_params(p))[1])
        )
        if oh < 1 or ow < 1:
            col.add(card, f"{pre}.padding", RULE_MESSAGES["transposed_fits"], p.padding)
            return False
        fwd_in = (oh, ow)
    else:
        fwd_in = in_hw
        q = _row_params(p) if x.ndim == 1 else p
        span = [core.effective_kernel_size(k_hw[i], q.dilation[i]) for i in (0, 1)]
        padded = [in_hw[0] + q.padding[0] + q.padding[1], in_hw[1] + q.padding[2] + q.padding[3]]
        if span[0] > padded[0] or span[1] > padded[1]:
            col.add(
                card,
                f"{pre}.kernel",
                RULE_MESSAGES["kernel_fits"].format(span_h=span[0], span_w=span[1], padded_h=padded[0], padded_w=padded[1]),
                f"shape {k.shape}",
            )
            return False
    q = _row_params(p) if x.ndim == 1 else p
    out = core.output_shape(fwd_in, k_hw, q)
    rows = out[0] * out[1] * (k.shape[0] if multi else 1)
    cols = fwd_in[0] * fwd_in[1] * (x.shape[0] if multi else 1)
    if rows * cols > MAX_MATRIX_ENTRIES:
        col.add(card, f"{pre}.input", RULE_MESSAGES["matrix_size"].format(max=MAX_MATRIX_ENTRIES), f"{rows}×{cols}")
        return False
    return True


def _row_params(p: core.ConvParams) -> core.ConvParams:
    """1-D signals are one row: only the column parameters apply."""
    return core.ConvParams(
        stride=(1, p.stride[1]),
        padding=(0, 0, p.padding[2], p.padding[3]),
        dilation=(1, p.dilation[1]),
        output_padding=(0, p.output_padding[1]),
        groups=p.groups,
    )


def example_params(ex: ExampleSpec) -> core.ConvParams:
    """The parameters in the 2-D form the core uses (1-D examples are one row)."""
    return _row_params(ex.params) if ex.input.ndim == 1 else ex.params


# ----------------------------------------------------------------------------- cards and decks


def _practice(col: _Collector, card: str, v: object, examples: dict) -> PracticeSpec:
    if v is None:
        return PracticeSpec()
    if not isinstance(v, dict):
        col.add(card, "practice", "a mapping with seed, variants, kinds", v)
        return PracticeSpec()
    col.unknown_keys(card, "practice.", v, PRACTICE_KEYS)
    seed = _int_in(col, card, "practice.seed", v.get("seed", 0), 0, 2**32 - 1)
    variants = _int_in(col, card, "practice.variants", v.get("variants", 3), 1, MAX_VARIANTS)
    kinds = v.get("kinds", list(PRACTICE_KINDS))
    if not isinstance(kinds, list) or not kinds or any(k not in ALL_PRACTICE_KINDS for k in kinds):
        col.add(card, "practice.kinds", f"a list from {', '.join(ALL_PRACTICE_KINDS)}", kinds)
        kinds = list(PRACTICE_KINDS)
    example = _example_name(col, card, "practice.example", v.get("example"), examples)
    return PracticeSpec(seed=seed or 0, variants=variants or 3, kinds=tuple(kinds), example=example)


def _example_name(col: _Collector, card: str, fld: str, value: object, examples: dict) -> str | None:
    """``value`` if it names one of the card's examples (or is absent), else a problem and None."""
    if value is not None and (not isinstance(value, str) or value not in examples):
        col.add(card, fld, f"the name of one of this card's examples ({', '.join(map(str, examples)) or 'none'})", short(value))
        return None
    return value


def _back(col: _Collector, card: str, v: object, examples: dict[str, ExampleSpec]) -> BackSpec:
    if v is None:
        return BackSpec()
    if not isinstance(v, dict):
        col.add(card, "back", "a mapping with example and show", v)
        return BackSpec()
    col.unknown_keys(card, "back.", v, BACK_KEYS)
    example = _example_name(col, card, "back.example", v.get("example"), examples)
    show = v.get("show", "output")
    if show not in BACK_SHOWS:
        col.add(card, "back.show", f"one of {', '.join(BACK_SHOWS)}", show)
        show = "output"
    target = examples[example] if example is not None else next(iter(examples.values()), None)
    if show == "transposed" and target is not None and (target.operation != "cross_correlation" or target.input.ndim == 3):
        col.add(card, "back.show", "transposed only for a single-channel cross_correlation example", show)
        show = "output"
    return BackSpec(example=example, show=show)


def _data(col: _Collector, card: str, v: object, path: str = "data") -> Any:
    """Free-form card data: mappings, lists, whole or finite numbers, texts."""
    if isinstance(v, dict):
        return {str(k): _data(col, card, e, f"{path}.{k}") for k, e in v.items()}
    if isinstance(v, list):
        return [_data(col, card, e, f"{path}[{i}]") for i, e in enumerate(v)]
    if isinstance(v, float) and not math.isfinite(v):
        col.add(card, path, "finite numbers", v)
        return 0
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    col.add(card, path, "numbers, texts, lists or mappings", type(v).__name__)
    return None


def _card(col: _Collector, deck: str, order: int, v: object, templates: set[str] | None) -> CardSpec | None:
    if not isinstance(v, dict):
        col.add(None, f"cards[{order}]", "a mapping with id, title, question, ...", v)
        return None
    cid = v.get("id")
    if not isinstance(cid, str) or not ID_RE.match(cid):
        col.add(None, f"cards[{order}].id", "an id of lower-case letters, digits and hyphens", cid if cid is not None else "nothing")
        return None
    if len(cid) > MAX_ID:
        col.add(None, f"cards[{order}].id", f"an id of at most {MAX_ID} characters", f"{len(cid)} characters")
        return None
    if cid in RESERVED_IDS:
        reserved = ", ".join(RESERVED_IDS[:-1]) + " and " + RESERVED_IDS[-1]
        col.add(None, f"cards[{order}].id", f"an id other than {reserved} (the deck's page, print sheet and figures use them)", cid)
        return None
    col.unknown_keys(cid, "", v, CARD_KEYS)
    title = _title(col, cid, "title", v.get("title"))
    question = _markdown(col, cid, "question", v.get("question"))
    summary = _markdown(col, cid, "summary", v.get("summary"), required=False)
    template = v.get("template", "card.md.j2")
    if not isinstance(template, str) or (templates is not None and template not in templates):
        choices = sorted(templates or ())
        close = difflib.get_close_matches(str(template), choices, n=1)
        col.add(
            cid,
            "template",
            "an existing template" + (f" (did you mean '{close[0]}'?)" if close else f" ({', '.join(choices)})"),
            short(template),
        )
    formerly = v.get("formerly", [])
    if not isinstance(formerly, list) or not all(isinstance(b, str) and ID_RE.match(b) and len(b) <= MAX_ID for b in formerly):
        col.add(cid, "formerly", "a list of the card's earlier ids, oldest first (e.g. [old-id])", short(formerly))
        formerly = []
    elif cid in formerly or len(set(formerly)) < len(formerly):
        col.add(cid, "formerly", "earlier ids, each once and none the card's id now", short(formerly))
        formerly = []
    builds_on = v.get("builds_on", [])
    if not isinstance(builds_on, list) or not all(isinstance(b, str) and ID_RE.match(b) for b in builds_on):
        col.add(cid, "builds_on", "a list of card ids", builds_on)
        builds_on = []
    views = v.get("views")
    if views is not None and (not isinstance(views, list) or not all(isinstance(w, str) for w in views)):
        col.add(cid, "views", f"a list from {', '.join(VIEWS)}", views)
        views = []
    for w in views or []:
        if w not in VIEWS:
            close = difflib.get_close_matches(w, VIEWS, n=1)
            col.add(cid, "views", f"views from {', '.join(VIEWS)}" + (f" (did you mean '{close[0]}'?)" if close else ""), short(w))
    for w in dict.fromkeys(w for w in views or [] if views.count(w) > 1):
        col.add(cid, "views", "each view listed once (the answer would show it twice): remove the repeat", f"'{w}' {views.count(w)} times")
    raw_examples = v.get("examples", {})
    examples: dict[str, ExampleSpec] = {}
    if not isinstance(raw_examples, dict):
        col.add(cid, "examples", "a mapping from example names to examples", raw_examples)
    else:
        for name, ex in raw_examples.items():
            if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
                col.add(cid, f"examples.{name}", "an example name of lower-case letters, digits and _", name)
                continue
            if len(name) > MAX_ID:
                col.add(cid, f"examples.{name[:20]}…", f"an example name of at most {MAX_ID} characters", f"{len(name)} characters")
                continue
            built = _example(col, cid, name, ex)
            if built is not None:
                examples[name] = built
    views = _fitting_views(col, cid, views, examples)
    if template == "card.md.j2" and isinstance(raw_examples, dict) and not raw_examples:
        col.add(
            cid, "examples",
            "at least one worked example (the generic card's answer is its examples' views; "
            "a card without examples needs a template of its own: field 'template')",
            "no examples: the answer would be empty",
        )
    elif template == "card.md.j2" and views == [] and examples:
        fit = ", ".join(views_for(next(iter(examples.values()))))
        col.add(cid, "views", f"at least one view (the generic card's answer is its views), e.g. {fit}", "[]: the answer would be empty")
    # names as written: an example rejected above is reported once, not again under practice.example
    practice = _practice(col, cid, v.get("practice"), raw_examples if isinstance(raw_examples, dict) else {})
    data = _data(col, cid, v.get("data", {}))
    back = _back(col, cid, v.get("back"), examples)
    return CardSpec(
        back=back,
        formerly=tuple(formerly),
        id=cid,
        deck=deck,
        title=title,
        question=question,
        template=template if isinstance(template, str) else "",
        builds_on=tuple(builds_on),
        views=tuple(dict.fromkeys(w for w in views if w in VIEWS)),
        examples=examples,
        practice=practice,
        data=data if isinstance(data, dict) else {},
        summary=summary,
        file=col.file,
        order=order,
    )


def _fitting_views(col: _Collector, cid: str, views: list[str] | None, examples: dict[str, ExampleSpec]) -> list[str]:
    """The card's views: as listed, each refused that does not fit one of its examples
    (:data:`VIEWS_FOR`); when none are listed, the default views that fit every example."""
    if views is None:
        fit = [w for w in DEFAULT_VIEWS if all(w in views_for(e) for e in examples.values())]
        if not fit and examples:  # e.g. a transposed convolution: none of the default views fits
            first = views_for(next(iter(examples.values())))
            fit = [w for w in first if all(w in views_for(e) for e in examples.values())]
        return fit
    for name, e in examples.items():
        fit = views_for(e)
        for i, w in enumerate(views):
            if w in VIEWS and w not in fit:
                col.add(
                    cid, f"views[{i}]",
                    f"views that fit example '{name}' ({_example_kind(e)}): {', '.join(fit)} "
                    "(README: \"The views\"); remove this one, or give that example a card of its own",
                    f"'{w}', which draws {VIEW_NEEDS[w]}",
                )
    return views


_ID_LINE = re.compile(r"^\s*(?:-\s+)?id\s*:\s*['\"]?([^'\"#\s]+)")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w]*)\s*:")


def _locate(lines: list[str], line: int) -> tuple[str | None, str | None]:
    """The card id and the dotted key path at ``line`` (0-based) of a file that did not parse.

    A best guess from the indentation alone, so that a syntax error still names the card and field.
    """
    card = None
    keys: list[str] = []
    indent = None
    for text in reversed(lines[: line + 1]):
        if m := _ID_LINE.match(text):
            card = m.group(1)
            break
        m = _KEY_LINE.match(text)
        if m and (indent is None or len(m.group(1)) < indent):
            keys.insert(0, m.group(2))
            indent = len(m.group(1))
    if card is not None and keys and keys[0] == "cards":
        keys = keys[1:]
    return card, ".".join(keys) or None


def _too_big(doc: object) -> str | None:
    """Why a parsed document is too large or too deep to check (aliases expanded), or None."""
    seen = 0
    stack: list[tuple[object, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            return f"more than {MAX_VALUES} values (YAML aliases included)"
        if depth > MAX_DEPTH:
            return f"values nested more than {MAX_DEPTH} levels deep"
        if isinstance(node, dict):
            stack.extend((e, depth + 1) for kv in node.items() for e in kv)
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend((e, depth + 1) for e in node)
    return None


def _bad_scalar(text: str) -> Any:
    """The start mark of the first scalar that PyYAML parses but cannot construct (``!!int x``), or None."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except Exception:  # noqa: BLE001 - only a hint for the message
        return None
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node, deep=True)
            except Exception:  # noqa: BLE001
                return node.start_mark
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(e for kv in node.value for e in kv)
    return None


def _load_yaml(text: str) -> object:
    """The safe loader without YAML 1.1's quirks (:mod:`generator.strictyaml`)."""
    return strictyaml.load(text)


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _read_bytes(path: Path, col: _Collector) -> bytes | None:
    """At most ``MAX_FILE_BYTES + 1`` bytes of a regular file; a device, FIFO or socket is refused
    unread (opened without blocking, checked on the open file)."""
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind is None:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            try:
                kind = _kind(os.fstat(fd).st_mode)
                if kind is None:
                    chunks, left = [], MAX_FILE_BYTES + 1
                    while left > 0 and (chunk := os.read(fd, min(left, 1 << 16))):
                        chunks.append(chunk)
                        left -= len(chunk)
                    raw = b"".join(chunks)
            finally:
                os.close(fd)
    except OSError as e:
        col.add(None, None, "a readable file", e.strerror or str(e))
        return None
    if kind is not None:
        col.add(None, None, "a regular deck file", kind)
        return None
    if len(raw) > MAX_FILE_BYTES:
        col.add(None, None, f"a deck file of at most {MAX_FILE_BYTES} bytes", f"more than {MAX_FILE_BYTES} bytes")
        return None
    return raw


def _read(path: Path, col: _Collector) -> object:
    raw = _read_bytes(path, col)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        lines = raw[: e.start].decode("utf-8", errors="replace").split("\n")
        card, fld = _locate(lines, len(lines) - 1)
        col.problems.append(
            Problem(
                col.file,
                card,
                fld,
                "a UTF-8 text file (save it as UTF-8)",
                f"the byte 0x{raw[e.start]:02x} at line {len(lines)}, column {len(lines[-1]) + 1}, which is not UTF-8",
            )
        )
        return None
    try:
        doc = _load_yaml(text)
    except strictyaml.Quirk as e:
        mark = e.problem_mark
        card, fld = _locate(text.split("\n"), mark.line)
        received = f"{e.received} at line {mark.line + 1}{getattr(mark, 'note', '')}"
        col.problems.append(Problem(col.file, card, fld, e.expected, received))
        return None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        start = getattr(e, "context_mark", None) or mark  # where the unclosed bracket or block began
        card, fld = _locate(text.split("\n"), start.line) if start else (None, None)
        col.problems.append(Problem(col.file, card, fld, "valid YAML", f"a syntax error{where}: {problem}"))
        return None
    except RecursionError:
        col.add(None, None, "valid YAML", f"values nested too deep to read (at most {MAX_DEPTH} levels)")
        return None
    except Exception as e:  # noqa: BLE001 - PyYAML raises ValueError etc. for bad tagged scalars (!!int x, 2001-13-01)
        mark = _bad_scalar(text)
        card, fld = _locate(text.split("\n"), mark.line) if mark else (None, None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        col.problems.append(Problem(col.file, card, fld, "valid YAML", f"a value YAML cannot read{where}: {str(e)[:80]}"))
        return None
    why = _too_big(doc)
    if why:
        col.add(None, None, "a deck small enough to check", why)
        return None
    return doc


def load_deck(path: Path, templates: set[str] | None = None, display: str | None = None) -> tuple[DeckSpec | None, list[Problem]]:
    """Read and validate one deck file; return the deck (if usable) and its problems."""
    col = _Collector(display or str(path))
    doc = _read(path, col)
    if col.problems:
        return None, col.problems
    if not isinstance(doc, dict):
        col.add(None, None, "a mapping with deck, title, order, cards", type(doc).__name__ if doc is not None else "an empty file")
        return None, col.problems
    col.unknown_keys(None, "", doc, DECK_KEYS)
    did = doc.get("deck")
    if not isinstance(did, str) or not ID_RE.match(did):
        col.add(None, "deck", "a deck id of lower-case letters, digits and hyphens", did if did is not None else "nothing")
        did = "?"
    elif len(did) > MAX_ID:
        col.add(None, "deck", f"a deck id of at most {MAX_ID} characters", f"{len(did)} characters")
        did = "?"
    title = _title(col, None, "title", doc.get("title"))
    order = _int_in(col, None, "order", doc.get("order", 99), 0, 999) or 0
    intro = _markdown(col, None, "intro", doc.get("intro"), required=False)
    cards_raw = doc.get("cards")
    cards: list[CardSpec] = []
    if not isinstance(cards_raw, list) or not cards_raw:
        col.add(None, "cards", "a non-empty list of cards", cards_raw if cards_raw is not None else "nothing")
    else:
        for i, c in enumerate(cards_raw):
            card = _card(col, did, i, c, templates)
            if card is not None:
                cards.append(card)
    deck = DeckSpec(id=did, title=title, order=order, intro=intro, file=col.file, cards=cards)
    return deck, col.problems


def deck_files(path: Path) -> list[Path]:
    """The deck files of a file or folder (``*.yaml`` and ``*.yml``, sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_decks(paths: list[Path], templates: set[str] | None = None) -> list[DeckSpec]:
    """Load every deck; check ids are unique and links resolve; raise one SpecError for all."""
    problems: list[Problem] = []
    decks: list[DeckSpec] = []
    files = [f for p in paths if p.exists() for f in deck_files(p)]
    for p in paths:
        if not p.exists():
            problems.append(Problem(str(p), None, None, "a deck file or folder (check the --decks path)", "a path that does not exist"))
        elif p.is_dir() and not deck_files(p):
            problems.append(Problem(str(p), None, None, "a folder holding *.yaml deck files", "a folder with none"))
    for f in files:
        deck, probs = load_deck(f, templates)
        problems += probs
        if deck is not None:
            decks.append(deck)
    seen_decks: dict[str, str] = {}
    seen_cards: dict[str, str] = {}
    for d in decks:
        if d.id in seen_decks and d.id != "?":
            problems.append(Problem(d.file, None, "deck", f"a deck id not used elsewhere (also in {seen_decks[d.id]})", d.id))
        seen_decks.setdefault(d.id, d.file)
        for c in d.cards:
            if c.id in seen_cards:
                problems.append(
                    Problem(d.file, c.id, "id", f"a card id used once (also in {seen_cards[c.id]})", f"a duplicate id '{c.id}'")
                )
            seen_cards.setdefault(c.id, d.file)
    former: dict[str, str] = {}
    for d in decks:
        for c in d.cards:
            for old in c.formerly:
                if old in seen_cards:
                    expected = f"an id no card has now (card '{old}' is in {seen_cards[old]}: two cards would share Anki notes)"
                    problems.append(Problem(d.file, c.id, "formerly", expected, f"'{old}'"))
                elif old in former:
                    expected = f"an earlier id of this card only (card '{former[old]}' lists it too)"
                    problems.append(Problem(d.file, c.id, "formerly", expected, f"'{old}'"))
                former.setdefault(old, c.id)
    for d in decks:
        for c in d.cards:
            for b in c.builds_on:
                if b not in seen_cards:
                    close = difflib.get_close_matches(b, list(seen_cards), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else " (is its deck file given with --decks?)"
                    problems.append(Problem(d.file, c.id, "builds_on", "ids of cards built together" + hint, b))
    if problems:
        raise SpecError(problems)
    return sorted(decks, key=lambda d: (d.order, d.id))
