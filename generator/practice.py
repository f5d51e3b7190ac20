"""Practice questions with computed answers, and seeded variants of them.

Variant 0 asks about the card's own example; variant ``n > 0`` draws fresh
arrays of the same shapes (and fresh sizes) from ``default_rng([seed, n])``, so
the same spec always gives the same variants. Nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import core, latex
from .examples import Example
from .spec import ExampleSpec, PracticeSpec


@dataclass(frozen=True)
class Question:
    """One practice question: prompt and answer as Markdown with LaTeX, the answer as a number."""

    kind: str
    variant: int
    prompt: str
    answer: str
    value: Any
    arrays: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "variant": self.variant, "prompt": self.prompt, "answer": self.answer, "value": self.value, "arrays": self.arrays}


def _given(ex: Example) -> str:
    p = ex.params
    parts = [f"\\(s = ({p.stride[0]}, {p.stride[1]})\\)" if p.stride[0] != p.stride[1] else f"\\(s = {p.stride[0]}\\)"]
    t, b, l, r = p.padding
    parts.append(f"\\(p = {t}\\)" if len({t, b, l, r}) == 1 else f"padding (top, bottom, left, right) \\(= ({t}, {b}, {l}, {r})\\)")
    if p.dilation != (1, 1):
        parts.append(f"\\(d = ({p.dilation[0]}, {p.dilation[1]})\\)")
    return ", ".join(parts)


def _arrays_md(ex: Example) -> str:
    return f"\\[ x = {latex.bmatrix(ex.x)}, \\quad k = {latex.bmatrix(ex.k)} \\]"


def _variant_example(ex: Example, rng: np.random.Generator, n: int) -> Example:
    """Fresh integer arrays of the same shapes and parameters as ``ex``."""
    x = rng.integers(-3, 4, size=ex.x.shape).astype(np.int64)
    k = rng.integers(-2, 3, size=ex.k.shape).astype(np.int64)
    if ex.pooling:
        k = ex.k
    while not k.any():
        k = rng.integers(-2, 3, size=ex.k.shape).astype(np.int64)
    return Example(ExampleSpec(f"{ex.name}_v{n}", ex.operation, x, k, ex.spec.params))


def c_entry(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One entry of the unrolled matrix, mostly a non-zero one."""
    C = ex.C
    nz = np.argwhere(C != 0)
    if len(nz) and rng.random() < 0.7:
        r, c = (int(v) for v in nz[rng.integers(len(nz))])
    else:
        r, c = int(rng.integers(C.shape[0])), int(rng.integers(C.shape[1]))
    oh, ow = ex.out_hw if not ex.transposed_op else core.output_shape(ex.forward_in_hw, ex.k_hw, ex.params)
    h, w = ex.forward_in_hw
    orow, ocol = divmod(r, ow)
    irow, icol = divmod(c, w)
    which = "this card's example" if n == 0 else "the input and kernel below"
    prompt = (
        f"In the unrolled matrix \\(C\\) (shape \\({latex.shape(C)}\\)) of {which}, with {_given(ex)}, "
        f"what is the entry in row {r + 1}, column {c + 1}?"
    )
    if n:
        prompt += "\n\n" + _arrays_md(ex)
    (sh, sw), (dh, dw) = ex.stride, ex.dilation
    t, _, l, _ = ex.padding
    dr, dc = irow + t - orow * sh, icol + l - ocol * sw
    tap = None
    if dr >= 0 and dc >= 0 and dr % dh == 0 and dc % dw == 0 and dr // dh < ex.k_hw[0] and dc // dw < ex.k_hw[1]:
        tap = (dr // dh, dc // dw)
    kernel = ex.kernel_used if not ex.multi else ex.k
    if tap is None:
        why = f"input cell \\(({irow + 1}, {icol + 1})\\) is not under the kernel at output position \\(({orow + 1}, {ocol + 1})\\), so the entry is \\(0\\)."
    else:
        why = (
            f"Row {r + 1} is output position \\(({orow + 1}, {ocol + 1})\\); column {c + 1} is input cell \\(({irow + 1}, {icol + 1})\\), "
            f"under kernel tap \\(({tap[0] + 1}, {tap[1] + 1})\\), so the entry is \\(k_{{{tap[0] + 1}{tap[1] + 1}}} = {latex.num(kernel[tap])}\\)."
        )
    value = C[r, c].item()
    return Question("c_entry", n, prompt, f"\\({latex.num(value)}\\). {why}", value, {"input": ex.x.tolist(), "kernel": ex.k.tolist()} if n else {})


def output_value(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """One output entry, with its products summed."""
    wins = ex.windows
    w = wins[int(rng.integers(len(wins)))]
    which = "this card's example" if n == 0 else "the input and kernel below"
    name = "y" if not ex.one_d else "y"
    pos = f"({w.row + 1}, {w.col + 1})" if not ex.one_d else f"{w.col + 1}"
    prompt = f"For {which}, with {_given(ex)}, what is the output entry \\({name}_{{{pos}}}\\) (counting from 1)?"
    if n:
        prompt += "\n\n" + _arrays_md(ex)
    if ex.operation == "max_pooling":
        answer = f"\\({latex.num(w.value)}\\), the largest of \\({', '.join(latex.num(v) for v in w.patch.ravel())}\\)."
    else:
        answer = f"\\({latex.dot_sum(w.patch, ex.kernel_used)}\\)"
    value = w.value.item() if hasattr(w.value, "item") else w.value
    return Question("output_value", n, prompt, answer, value, {"input": ex.x.tolist(), "kernel": ex.k.tolist()} if n else {})


def output_size(ex: Example, rng: np.random.Generator, n: int) -> Question:
    """The output size of a convolution with fresh parameters."""
    for _ in range(100):
        k = int(rng.integers(1, 6))
        s = int(rng.integers(1, 4))
        p = int(rng.integers(0, 3))
        d = int(rng.integers(1, 3)) if rng.random() < 0.3 else 1
        i = int(rng.integers(max(k, 3), 17))
        if core.output_size(i, k, s, p, p, d) >= 1:
            break
    o = core.output_size(i, k, s, p, p, d)
    span = core.effective_kernel_size(k, d)
    dil = f", \\(d = {d}\\)" if d > 1 else ""
    prompt = f"An input of size \\(i = {i}\\), a kernel of size \\(k = {k}\\), stride \\(s = {s}\\), padding \\(p = {p}\\){dil}: what is the output size \\(o\\)?"
    num = i + 2 * p - span
    answer = (
        f"\\(o = \\left\\lfloor \\frac{{i + 2p - {'d(k-1) - 1' if d > 1 else 'k'}}}{{s}} \\right\\rfloor + 1"
        f" = \\left\\lfloor \\frac{{{num}}}{{{s}}} \\right\\rfloor + 1 = {o}\\)"
    )
    return Question("output_size", n, prompt, answer, o, {"i": i, "k": k, "s": s, "p": p, "d": d})


def _applies(kind: str, ex: Example) -> bool:
    """Multi-channel examples get size questions only; max pooling has no matrix C."""
    if ex.multi:
        return kind == "output_size"
    if kind == "c_entry":
        return ex.operation != "max_pooling"
    if kind == "output_value":
        return not ex.transposed_op
    return True


KINDS = {"c_entry": c_entry, "output_value": output_value, "output_size": output_size}


def questions(examples: dict[str, Example], spec: PracticeSpec, card_id: str) -> list[Question]:
    """Every practice question of a card: each kind for variant 0, then the variants."""
    if not examples:
        return []
    base = examples[spec.example] if spec.example else next(iter(examples.values()))
    kinds = [k for k in spec.kinds if _applies(k, base)]
    out: list[Question] = []
    for n in range(spec.variants + 1):
        rng = np.random.default_rng([spec.seed, n, sum(card_id.encode())])
        ex = base if n == 0 else _variant_example(base, rng, n)
        for kind in kinds:
            out.append(KINDS[kind](ex, rng, n))
    return out
