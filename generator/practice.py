"""Practice questions with computed answers, and seeded variants of them.

Variant 0 asks about the card's own example (it is shown on the card's page).
Variant ``n > 0`` draws fresh arrays of the same shapes and parameters (and fresh
sizes), and its prompt shows those arrays, so it stands on its own in study mode
and in the Anki deck.

Seeds: every draw comes from ``numpy.random.default_rng([spec.seed, card_key(card_id), n, purpose])``,
where ``card_key`` is taken from a SHA-256 of the card id (never Python's ``hash``, which
changes between runs) and ``purpose`` is a fixed small integer per kind of draw. So the same
spec always gives the same variants, and adding a kind does not change the others.
Nothing here writes files.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from . import core, latex, practice_kinds
from .examples import Example
from .practice_base import Question, _arrays_md, _given, _operation, _params_json, _tap, given, operation_name  # noqa: F401 (re-exported)
from .spec import ExampleSpec, PracticeSpec

# A fixed number per kind of draw (never reorder: it is part of every seed).
PURPOSE = {
    "arrays": 0, "c_entry": 1, "output_value": 2, "output_size": 3,
    "under_tap": 4, "output_shape": 5, "dilated_size": 6, "effective_kernel": 7, "flipped_entry": 8,
    "flipped_kernel": 9, "conv_minus_corr": 10, "ct_entry": 11, "transposed_value": 12, "input_gradient": 13,
    "roundtrip": 14, "shared_inputs": 15, "window_count": 16, "flat_index": 17, "c_shape": 18, "ct_shape": 19,
    "c_index": 20, "c_nonzeros": 21, "flat_index_column_major": 22, "p_shape": 23,
}
MAX_REDRAWS = 50


def card_key(card_id: str) -> int:
    """A stable 63-bit number for a card id (SHA-256, so independent of ``PYTHONHASHSEED``).

    >>> card_key("unrolled-matrix") == card_key("unrolled-matrix")
    True
    """
    return int.from_bytes(hashlib.sha256(card_id.encode("utf-8")).digest()[:8], "big") >> 1


def rng_for(seed: int, card_id: str, n: int, purpose: str) -> np.random.Generator:
    """The generator of one draw: variant ``n`` of a card, for one purpose (see :data:`PURPOSE`)."""
    return np.random.default_rng([seed, card_key(card_id), n, PURPOSE[purpose]])


def _variant_example(ex: Example, rng: np.random.Generator, n: int, seen: list[Example]) -> Example:
    """Fresh integer arrays of the same shapes and parameters as ``ex``, unlike those in ``seen``."""
    for _ in range(MAX_REDRAWS):
        x = rng.integers(-3, 4, size=ex.x.shape).astype(np.int64)
        k = ex.k if ex.pooling else rng.integers(-2, 3, size=ex.k.shape).astype(np.int64)
        if not k.any() or not x.any():
            continue
        if all(not (np.array_equal(x, s.x) and np.array_equal(k, s.k)) for s in seen):
            break
    return Example(ExampleSpec(f"{ex.name}_v{n}", ex.operation, x, k, ex.spec.params))


# Working longer than this (characters of LaTeX) goes on its own line as display math.
INLINE_WORKING_MAX = 40


def value_first(value: str, how: str, working: str) -> str:
    """An answer that states its value first, then how it comes about: ``\\(value\\), how: working``.

    Anki's MathJax and KaTeX never wrap inline math, so a long sum ending in ``= value`` puts
    the value off a phone's screen: long working is display math on its own line instead.

    >>> value_first("5", "the products summed", "2 + 3 = 5")
    '\\\\(5\\\\), the products summed: \\\\(2 + 3 = 5\\\\).'
    """
    if len(working) > INLINE_WORKING_MAX:
        return f"\\({value}\\), {how}:\n\n\\[ {working} \\]"  # a block of its own: arithmatex's display math
    return f"\\({value}\\), {how}: \\({working}\\)."


def _pos(ex: Example, row: int, col: int) -> str:
    """A 1-based position: ``(r, c)``, or one index for a 1-D example."""
    return f"{col + 1}" if ex.one_d else f"({row + 1}, {col + 1})"


def _sub(ex: Example, row: int, col: int) -> str:
    """An entry's subscript as the pages write it: ``y_{12}`` (row 1, column 2); ``y_{10,3}`` once an index has two digits."""
    if ex.one_d:
        return f"{col + 1}"
    return f"{row + 1}{col + 1}" if max(row, col) < 9 else f"{row + 1},{col + 1}"


def c_entry(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One entry of the unrolled matrix, mostly a non-zero one."""
    C = ex.C
    nz = np.argwhere(C != 0)
    if len(nz) and rng.random() < 0.7:
        r, c = (int(v) for v in nz[rng.integers(len(nz))])
    else:
        r, c = int(rng.integers(C.shape[0])), int(rng.integers(C.shape[1]))
    _, ow = core.output_shape(ex.forward_in_hw, ex.k_hw, ex.params)
    _, w = ex.forward_in_hw
    orow, ocol = divmod(r, ow)
    irow, icol = divmod(c, w)
    which = "this card's example" if n == 0 else "the input and kernel below"
    if ex.transposed_op:
        what = (
            f"The transposed convolution of {which} ({_given(ex)}) is \\(C^\\top y\\), "
            "with \\(C\\) the unrolled matrix of the forward convolution"
        )
    else:
        what = f"Write the {_operation(ex)} of {which} ({_given(ex)}) as one matrix product \\(y = C\\hat{{x}}\\)"
    prompt = f"{what}. What is the entry of \\(C\\) (shape \\({latex.shape(C)}\\)) in row {r + 1}, column {c + 1}?"
    if n:
        prompt += "\n\n" + _arrays_md(ex)
    (sh, sw), (dh, dw) = ex.stride, ex.dilation
    t, _, l, _ = ex.padding
    dr, dc = irow + t - orow * sh, icol + l - ocol * sw
    tap = None
    if dr >= 0 and dc >= 0 and dr % dh == 0 and dc % dw == 0 and dr // dh < ex.k_hw[0] and dc // dw < ex.k_hw[1]:
        tap = (dr // dh, dc // dw)
    value = C[r, c].item()
    opos, ipos = _pos(ex, orow, ocol), _pos(ex, irow, icol)
    if tap is None:
        why = f"Input cell \\({ipos}\\) is not under the kernel at output position \\({opos}\\), so the entry is \\(0\\)."
    else:
        lead = (
            f"Row {r + 1} is output position \\({opos}\\); column {c + 1} is input cell \\({ipos}\\), "
            f"under kernel tap \\({_pos(ex, *tap)}\\)"
        )
        if ex.operation == "avg_pooling":
            why = f"{lead}, and every tap of an average-pooling window weighs \\(1/{ex.k.size} = {latex.num(value)}\\)."
        elif ex.operation == "convolution":
            kh, kw = ex.k_hw
            src = (kh - 1 - tap[0], kw - 1 - tap[1])
            why = f"{lead} of the flipped kernel, which is \\(w_{{{_tap(ex, *src)}}} = {latex.num(ex.k.reshape(ex.k_hw)[src])}\\)."
        else:
            why = f"{lead}, so the entry is \\(w_{{{_tap(ex, *tap)}}} = {latex.num(ex.k.reshape(ex.k_hw)[tap])}\\)."
    data = {**_params_json(ex), "row": r, "col": c}
    return Question("c_entry", n, prompt, f"\\({latex.num(value)}\\). {why}", value, data)


def output_value(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One output entry, with its products summed."""
    wins = ex.windows
    w = wins[int(rng.integers(len(wins)))]
    which = "this card's example" if n == 0 else "the input and kernel below"
    op = _operation(ex)
    article = "an" if op[0] in "aeiou" else "a"
    sub = _sub(ex, w.row, w.col)
    prompt = f"For {which}, {article} {op} with {_given(ex)}, what is the output entry \\(y_{{{sub}}}\\) (counting from 1)?"
    if n:
        prompt += "\n\n" + _arrays_md(ex)
    value = w.value.item() if hasattr(w.value, "item") else w.value
    if ex.operation == "max_pooling":
        answer = f"\\({latex.num(value)}\\), the largest of \\({', '.join(latex.num(v) for v in w.patch.ravel())}\\)."
    else:
        how = "the products with the flipped kernel, summed" if ex.operation == "convolution" else "the products summed"
        answer = value_first(latex.num(value), how, latex.dot_sum(w.patch, ex.kernel_used))
    data = {**_params_json(ex), "row": w.row, "col": w.col}
    return Question("output_value", n, prompt, answer, value, data)


def _size_params(rng: np.random.Generator) -> tuple[int, int, int, int, int]:
    """(i, k, s, p, d) with an output of at least 1."""
    while True:
        k = int(rng.integers(1, 6))
        s = int(rng.integers(1, 4))
        p = int(rng.integers(0, 3))
        d = int(rng.integers(2, 4)) if rng.random() < 0.3 and k > 1 else 1
        i = int(rng.integers(max(k, 3), 17))
        if core.output_size(i, k, s, p, p, d) >= 1:
            return i, k, s, p, d


def output_size(rng: np.random.Generator, n: int, seen: set[tuple[int, ...]]) -> Question:
    """The output size of a convolution with fresh parameters, unlike those in ``seen``."""
    for _ in range(MAX_REDRAWS):
        i, k, s, p, d = _size_params(rng)
        if (i, k, s, p, d) not in seen:
            break
    seen.add((i, k, s, p, d))
    o = core.output_size(i, k, s, p, p, d)
    dil = f", dilation \\(d = {d}\\)" if d > 1 else ""
    prompt = (
        f"An input of size \\(i = {i}\\), a kernel of size \\(k = {k}\\), stride \\(s = {s}\\), "
        f"padding \\(p = {p}\\) per side{dil}: what is the output size \\(o\\)?"
    )
    num = i + 2 * p - core.effective_kernel_size(k, d)
    working = (
        f"o = \\left\\lfloor \\frac{{i + 2p - {'d(k-1) - 1' if d > 1 else 'k'}}}{{s}} \\right\\rfloor + 1"
        f" = \\left\\lfloor \\frac{{{num}}}{{{s}}} \\right\\rfloor + 1 = {o}"
    )
    answer = value_first(f"o = {o}", "by the formula", working)
    return Question("output_size", n, prompt, answer, o, {"i": i, "k": k, "s": s, "p": p, "d": d})


def transposed_size(rng: np.random.Generator, n: int, seen: set[tuple[int, ...]]) -> Question:
    """The output size of a transposed convolution with fresh parameters (PyTorch's form)."""
    for _ in range(MAX_REDRAWS):
        i, k, s, p = int(rng.integers(2, 9)), int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(0, 3))
        d = int(rng.integers(2, 4)) if rng.random() < 0.3 and k > 1 else 1
        a = int(rng.integers(0, max(s, d)))
        key = (i, k, s, p, d, a)
        if core.transposed_output_size(i, k, s, p, p, d, a) >= 1 and key not in seen:
            break
    seen.add(key)
    o = core.transposed_output_size(i, k, s, p, p, d, a)
    dil = f", dilation \\(d = {d}\\)" if d > 1 else ""
    prompt = (
        f"A transposed convolution of an input of size \\(i' = {i}\\) with a kernel of size \\(k = {k}\\), "
        f"stride \\(s = {s}\\), padding \\(p = {p}\\) per side{dil} and output_padding \\(a = {a}\\): "
        f"what is the output size \\(o'\\)?"
    )
    working = f"o' = s(i' - 1) + a + d(k - 1) + 1 - 2p = {s} \\cdot {i - 1} + {a} + {d * (k - 1)} + 1 - {2 * p} = {o}"
    answer = value_first(f"o' = {o}", "by the formula", working)
    return Question("transposed_size", n, prompt, answer, o, {"i": i, "k": k, "s": s, "p": p, "d": d, "a": a})


# Kinds drawn from fresh sizes and parameters (no arrays); the others read an example.
PARAM_KINDS = {
    "output_size": None,  # handled below (a transposed card asks for o')
    "output_shape": practice_kinds.output_shape,
    "dilated_size": practice_kinds.dilated_size,
    "effective_kernel": practice_kinds.effective_kernel,
    "shared_inputs": practice_kinds.shared_inputs,
    "window_count": practice_kinds.window_count,
    "flat_index": practice_kinds.flat_index,
    "flat_index_column_major": lambda rng, n, seen: practice_kinds.flat_index(rng, n, seen, column_major=True),
    "c_shape": practice_kinds.c_shape,
    "ct_shape": lambda rng, n, seen: practice_kinds.c_shape(rng, n, seen, transposed=True),
    "c_index": practice_kinds.c_index,
    "c_nonzeros": practice_kinds.c_nonzeros,
    "p_shape": practice_kinds.p_shape,
}
ARRAY_KINDS = {
    "c_entry": c_entry,
    "output_value": output_value,
    "under_tap": practice_kinds.under_tap,
    "flipped_entry": practice_kinds.flipped_entry,
    "flipped_kernel": practice_kinds.flipped_kernel,
    "conv_minus_corr": practice_kinds.conv_minus_corr,
    "ct_entry": practice_kinds.ct_entry,
    "transposed_value": practice_kinds.transposed_value,
    "input_gradient": practice_kinds.input_gradient,
    "roundtrip": practice_kinds.roundtrip,
}
KINDS = tuple(ARRAY_KINDS) + tuple(PARAM_KINDS)


def _applies(kind: str, ex: Example) -> bool:
    """Whether a kind can be asked of an example (multi-channel examples get parameter kinds only)."""
    if kind in PARAM_KINDS:
        return True
    if ex.multi:
        return False
    op = ex.operation
    return {
        "c_entry": op != "max_pooling",
        "output_value": not ex.transposed_op,
        "under_tap": op == "cross_correlation",
        "flipped_entry": not ex.pooling,
        "flipped_kernel": not ex.pooling,
        "conv_minus_corr": op in ("cross_correlation", "convolution"),
        "ct_entry": op in ("cross_correlation", "transposed_convolution"),
        "transposed_value": ex.transposed_op,
        "input_gradient": op == "cross_correlation",
        "roundtrip": op == "cross_correlation",
    }[kind]


def questions(examples: dict[str, Example], spec: PracticeSpec, card_id: str) -> list[Question]:
    """Every practice question of a card: each kind for variant 0, then for each variant."""
    if not examples:
        return []
    base = examples[spec.example] if spec.example else next(iter(examples.values()))
    kinds = [k for k in KINDS if k in spec.kinds and _applies(k, base)]
    kinds.sort(key=spec.kinds.index)  # in the order the deck lists them
    out: list[Question] = []
    seen_examples: list[Example] = [base]
    seen_sizes: set[tuple[int, ...]] = set()
    for n in range(spec.variants + 1):
        if n == 0:
            ex = base
        elif any(k not in PARAM_KINDS for k in kinds):
            ex = _variant_example(base, rng_for(spec.seed, card_id, n, "arrays"), n, seen_examples)
            seen_examples.append(ex)
        for kind in kinds:
            rng = rng_for(spec.seed, card_id, n, kind)
            if kind == "output_size" and base.transposed_op:
                out.append(transposed_size(rng, n, seen_sizes))  # a transposed card asks for o'
            elif kind == "output_size":
                out.append(output_size(rng, n, seen_sizes))
            elif kind in PARAM_KINDS:
                out.append(PARAM_KINDS[kind](rng, n, seen_sizes))
            else:
                out.append(ARRAY_KINDS[kind](ex, rng, n))
    if spec.example and base is not next(iter(examples.values())):
        out = [_shown(q, base) if q.variant == 0 else q for q in out]
    return out


def _shown(q: Question, ex: Example) -> Question:
    """A variant-0 question on an example that is not the card's main one: name it by its arrays, shown in the prompt."""
    if "this card's example" not in q.prompt:
        return q
    prompt = q.prompt.replace("this card's example", "the input and kernel below") + "\n\n" + _arrays_md(ex)
    return dataclasses.replace(q, prompt=prompt)

