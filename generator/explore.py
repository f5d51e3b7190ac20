"""Links into the explorer (/explore/): an example's parameters and arrays in the URL.

A card links to ``explore/?STATE``; the explorer moves STATE to its fragment (``#STATE``, which
it keeps up to date as the learner edits). STATE is what ``docs/javascripts/explore.js`` reads
(``parse_state``): ``op`` (the
operation), ``n=1`` for a 1-D example, ``x`` and ``k`` (rows joined by ``;``, entries by ``,``),
``s``, ``d``, ``a`` (stride, dilation, output_padding as rows,cols) and ``p`` (top,bottom,left,right).

>>> from generator.spec import ExampleSpec
>>> from generator import core
>>> ex = ExampleSpec("e", "cross_correlation", np.array([[1, 2], [3, 4]]), np.array([[1]]), core.params(padding=(0, 1)))
>>> fragment(ex)
'op=cross_correlation&x=1,2;3,4&k=1&s=1,1&p=0,0,1,1&d=1,1&a=0,0'
"""

from __future__ import annotations

import numpy as np

from .spec import EXPLORER_LIMITS, EXPLORER_OPERATIONS, ExampleSpec

PAGE_FROM_CARD = "../../../explore/"  # a card's page is cards/<deck>/<id>/


def _rows(a: np.ndarray) -> str:
    a = np.atleast_2d(a)
    return ";".join(",".join(repr(v) for v in row.tolist()) for row in a)


def supported(ex: ExampleSpec) -> bool:
    """The explorer shows single-channel 1-D and 2-D examples of its operations, within its sizes."""
    p = ex.params
    return (
        ex.operation in EXPLORER_OPERATIONS
        and ex.input.ndim in (1, 2)
        and max(ex.input.shape) <= EXPLORER_LIMITS["max_side"]
        and max(p.stride) <= EXPLORER_LIMITS["max_stride"]
        and max(p.dilation) <= EXPLORER_LIMITS["max_dilation"]
        and max(p.padding) <= EXPLORER_LIMITS["max_padding"]
        and max(np.abs(ex.input).max(), np.abs(ex.kernel).max()) <= EXPLORER_LIMITS["max_abs_value"]
    )


def fragment(ex: ExampleSpec) -> str:
    p = ex.params
    parts = [f"op={ex.operation}"] + (["n=1"] if ex.input.ndim == 1 else [])
    parts += [f"x={_rows(ex.input)}", f"k={_rows(ex.kernel)}"]
    parts += [f"s={p.stride[0]},{p.stride[1]}", "p=" + ",".join(str(v) for v in p.padding)]
    parts += [f"d={p.dilation[0]},{p.dilation[1]}", f"a={p.output_padding[0]},{p.output_padding[1]}"]
    return "&".join(parts)


def href(example: object) -> str | None:
    """The explorer's URL for a card's example (relative to the card's page), or None if it cannot show it."""
    ex = getattr(example, "spec", example)
    if not isinstance(ex, ExampleSpec) or not supported(ex):
        return None
    return PAGE_FROM_CARD + "?" + fragment(ex)
