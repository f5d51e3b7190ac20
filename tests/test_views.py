"""Which views fit which operation (spec.VIEWS_FOR), checked against what each view draws.

Every view of every kind of example (five operations, 1-D, 2-D and multi-channel inputs) is
computed by the generator and judged by an independent brute-force oracle (loops over output
positions, written here, no generator.core): a view is in the table exactly when what it draws
is true. Then the loader: a view that does not fit is refused naming file, card and field
(exit 2, no traceback, docs unchanged); a view listed twice, a generic card without examples or
with ``views: []`` are refused too; every built-in card's views fit its examples.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import test_spec_errors
import yaml
from test_spec_errors import fails, has

from generator import examples, figures, render, spec
from generator.errors import SpecError

docs_copy = test_spec_errors.docs_copy  # the fixture: a copy of docs/ that a refused spec must leave as it was

X2 = [[1, 2, 0, -1], [0, 1, 2, 2], [3, -1, 1, 0], [2, 0, -2, 1]]
K2 = [[1, 0], [2, -1]]
CASES = {
    "cc-2d": dict(operation="cross_correlation", input=X2, kernel=K2, stride=[2, 1], padding=1),
    "cc-2d-dilated": dict(operation="cross_correlation", input=X2, kernel=K2, dilation=2, padding=[1, 0, 0, 1]),
    "conv-2d": dict(operation="convolution", input=X2, kernel=K2, padding=1),
    "cc-1d": dict(operation="cross_correlation", input=[1, 2, 0, -1, 3], kernel=[1, -2], stride=2, padding=1),
    "conv-1d": dict(operation="convolution", input=[1, 2, 0, -1, 3], kernel=[1, -2], padding=1),
    "cc-multi": dict(
        operation="cross_correlation",
        input=[[[1, 2, 0], [0, 1, 2], [3, -1, 1]], [[1, 0, 0], [2, 1, 2], [0, -1, 1]]],
        kernel=[[[[1, 0], [2, -1]], [[0, 1], [1, 1]]]],
    ),
    "tconv-2d": dict(
        operation="transposed_convolution", input=[[1, 2], [3, -1]], kernel=[[1, 0, 2], [2, -1, 1], [0, 1, 1]], stride=2, padding=1
    ),
    "tconv-1d": dict(operation="transposed_convolution", input=[1, 2, -1], kernel=[1, -2, 1], stride=2),
    "max-2d": dict(operation="max_pooling", input=X2, kernel=2),
    "avg-2d": dict(operation="avg_pooling", input=X2, kernel=[2, 1], stride=[2, 1]),
}


def load_cards(cards: list[dict], tmp_path) -> list[spec.CardSpec]:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({"deck": "t", "title": "T", "cards": cards}), encoding="utf-8")
    return spec.load_decks([path])[0].cards


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, examples.Example]:
    """Each case as the generator's Example (loaded with a template that shows no views)."""
    cards = [
        {"id": name, "title": name, "question": "?", "template": "cards/cross-correlation.md.j2", "views": [], "examples": {"main": ex}}
        for name, ex in CASES.items()
    ]
    loaded = load_cards(cards, tmp_path_factory.mktemp("views"))
    return {c.id: examples.Example(c.examples["main"]) for c in loaded}


# ----------------------------------------------------------------------------- the oracle


def _params(ex: dict, one_d: bool) -> tuple[tuple[int, int], tuple[int, int, int, int], tuple[int, int]]:
    def pair(v, default):
        v = default if v is None else v
        return (v, v) if isinstance(v, int) else tuple(v)

    pool = ex["operation"].endswith("pooling")
    k = ex["kernel"]
    kshape = pair(k, 1) if pool else (1, len(k)) if one_d else (len(k), len(k[0]))
    s = pair(ex.get("stride"), None) if ex.get("stride") is not None else (kshape if pool else (1, 1))
    p = ex.get("padding", 0)
    p = (p,) * 4 if isinstance(p, int) else (p[0], p[0], p[1], p[1]) if len(p) == 2 else tuple(p)
    d = pair(ex.get("dilation"), 1)
    if one_d:
        s, p, d = (1, s[1]), (0, 0, p[2], p[3]), (1, d[1])
    return s, p, d


def oracle(ex: dict) -> dict:
    """What the example computes, by loops: its result, its kernel taps per output, and (linear
    operations) its matrix built column by column from unit inputs."""
    op, x = ex["operation"], np.array(ex["input"], dtype=float)
    one_d = x.ndim == 1
    s, p, d = _params(ex, one_d)
    if op.endswith("pooling"):
        kh, kw = (ex["kernel"],) * 2 if isinstance(ex["kernel"], int) else ex["kernel"]
        k = np.ones((kh, kw))
    else:
        k = np.array(ex["kernel"], dtype=float)

    def forward(xin: np.ndarray) -> np.ndarray:
        x3 = xin.reshape(1, 1, -1) if one_d else xin[None] if xin.ndim == 2 else xin
        k4 = k.reshape(1, 1, 1, -1) if one_d else k[None, None] if k.ndim == 2 else k
        if op == "convolution":
            k4 = k4[:, :, ::-1, ::-1]
        cin, h, w = x3.shape
        kh, kw = k4.shape[2:]
        xp = np.zeros((cin, h + p[0] + p[1], w + p[2] + p[3]))
        xp[:, p[0] : p[0] + h, p[2] : p[2] + w] = x3
        oh = (xp.shape[1] - d[0] * (kh - 1) - 1) // s[0] + 1
        ow = (xp.shape[2] - d[1] * (kw - 1) - 1) // s[1] + 1
        out = np.zeros((k4.shape[0], oh, ow))
        for o, r, c in itertools.product(range(k4.shape[0]), range(oh), range(ow)):
            taps = [xp[ci, r * s[0] + i * d[0], c * s[1] + j * d[1]] for ci in range(cin) for i in range(kh) for j in range(kw)]
            if op == "max_pooling":
                out[o, r, c] = max(taps)
            elif op == "avg_pooling":
                out[o, r, c] = sum(taps) / len(taps)
            else:
                out[o, r, c] = sum(t * kv for t, kv in zip(taps, k4[o].ravel(), strict=True))
        return out.ravel() if one_d else out[0] if xin.ndim == 2 else out

    def transposed(yin: np.ndarray) -> np.ndarray:
        """Scatter-add: each input value stamps the (dilated) kernel, then the padding is cut."""
        y2, k2 = np.atleast_2d(yin), np.atleast_2d(k)
        kh, kw = k2.shape
        full = np.zeros(((y2.shape[0] - 1) * s[0] + d[0] * (kh - 1) + 1, (y2.shape[1] - 1) * s[1] + d[1] * (kw - 1) + 1))
        for r, c, i, j in itertools.product(range(y2.shape[0]), range(y2.shape[1]), range(kh), range(kw)):
            full[r * s[0] + i * d[0], c * s[1] + j * d[1]] += y2[r, c] * k2[i, j]
        out = full[p[0] : full.shape[0] - p[1], p[2] : full.shape[1] - p[3]]
        return out.ravel() if one_d else out

    f = transposed if op == "transposed_convolution" else forward
    result = f(x)
    matrix = None
    if op != "max_pooling":
        cols = []
        for i in range(x.size):
            e = np.zeros(x.size)
            e[i] = 1
            cols.append(f(e.reshape(x.shape)).ravel())
        matrix = np.array(cols).T  # result.ravel() == matrix @ x.ravel()
    return {"op": op, "x": x, "k": k, "result": result, "matrix": matrix, "s": s, "p": p, "d": d, "f": f}


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b)


def view_is_true(view: str, e: examples.Example, o: dict) -> bool:
    """Whether what ``view`` draws for ``e`` is true, judged by the oracle ``o`` (an error: not true)."""
    op, x, k = o["op"], o["x"], o["k"]
    try:
        if view == "sliding_window":  # y_rc = sum of kernel × window products, for every output entry
            ku = np.asarray(e.kernel_used, dtype=float)
            return _close(e.output, o["result"]) and len(e.windows) == np.asarray(o["result"]).size and all(
                np.isclose((np.asarray(w.patch) * ku).sum(), np.asarray(o["result"]).ravel()[n]) for n, w in enumerate(e.windows)
            )
        if view == "flatten":  # the input x flattened to x̂ (a transposed convolution's input is y)
            return op != "transposed_convolution" and _close(e.flat_input, x.ravel())
        if view == "unrolled":  # y = C x̂ with C the example's matrix
            return o["matrix"] is not None and _close(e.C, o["matrix"]) and _close(e.product, np.asarray(o["result"]).ravel())
        if view == "im2col":  # vec(k)ᵀ P = y
            return _close(np.asarray(e.im2col_product).ravel(), np.asarray(o["result"]).ravel())
        if view == "flip":  # rot180(k) beside the transpose of a 2-D kernel (a pooling window is no kernel)
            return not op.endswith("pooling") and k.ndim == 2 and _close(e.flipped, k[::-1, ::-1]) and _close(e.k.T, k.T)
        if view == "convolution":  # x * k and x ⋆ k of the example's x and k
            if op not in ("cross_correlation", "convolution"):
                return False
            cc = oracle({**CASE_OF[id(e)], "operation": "cross_correlation"})["result"]
            cv = oracle({**CASE_OF[id(e)], "operation": "convolution"})["result"]
            return _close(e.correlation, cc) and _close(e.convolution, cv)
        if view == "transposed":  # Cᵀ of the example's own C (a transposed convolution: its matrix is Cᵀ)
            if o["matrix"] is None:
                return False
            ct = o["matrix"] if op == "transposed_convolution" else o["matrix"].T
            return _close(e.CT, ct) and _close(np.asarray(e.transposed).ravel(), ct @ np.asarray(e.transposed_input, dtype=float).ravel())
        if view in ("scatter", "zero_insertion"):  # the transposed convolution of the example's input
            got = e.scatter if view == "scatter" else e.zero_insertion
            return op == "transposed_convolution" and _close(np.asarray(got).ravel(), np.asarray(o["result"]).ravel())
        if view == "figure":  # each drawn position: the outlined taps times the drawn kernel sum to the drawn output
            figures.sliding_window(e)  # draws without error
            out = np.atleast_2d(e.output)
            if not _close(out, np.atleast_2d(o["result"])) or np.asarray(e.kernel_used).ndim > 2:
                return False
            xp, kd = np.asarray(e.padded_input, dtype=float), np.atleast_2d(e.kernel_used)
            (sh, sw), (dh, dw) = o["s"], o["d"]
            for r, c in itertools.product(range(out.shape[0]), range(out.shape[1])):
                taps = xp[r * sh : r * sh + dh * (kd.shape[0] - 1) + 1 : dh, c * sw : c * sw + dw * (kd.shape[1] - 1) + 1 : dw]
                if taps.shape != kd.shape or not np.isclose((taps * kd).sum(), out[r, c]):
                    return False
            return True
    except (ValueError, IndexError):
        return False
    raise AssertionError(view)


CASE_OF: dict[int, dict] = {}


@pytest.mark.parametrize("name", CASES)
def test_the_table_holds_exactly_the_views_that_draw_true_things(name, built):
    e = built[name]
    CASE_OF[id(e)] = CASES[name]
    o = oracle(CASES[name])
    assert _close(np.asarray(e.output), o["result"]), "the generator's result (the oracle's control)"
    true = [v for v in spec.VIEWS if view_is_true(v, e, o)]
    assert list(spec.views_for(e.spec)) == true


def test_the_oracle_can_tell_a_wrong_view(built):
    """The control: the issue's case (the figure on a transposed convolution) and a max pooling's
    sums are judged false; the same views on a cross-correlation true."""
    assert not view_is_true("figure", built["tconv-2d"], oracle(CASES["tconv-2d"]))
    assert not view_is_true("sliding_window", built["max-2d"], oracle(CASES["max-2d"]))
    assert view_is_true("figure", built["cc-2d"], oracle(CASES["cc-2d"]))
    assert view_is_true("sliding_window", built["cc-2d"], oracle(CASES["cc-2d"]))


# ----------------------------------------------------------------------------- the loader


def _deck(views: str, example: str, extra: str = "") -> str:
    return (
        "deck: t\ntitle: T\ncards:\n  - id: c1\n    title: A card\n    question: What is it?\n"
        f"{extra}    views: {views}\n    examples:\n      main:\n" + "".join(f"        {line}\n" for line in example.splitlines())
    )


TCONV = "operation: transposed_convolution\ninput: [[1, 2], [3, -1]]\nkernel: [[1, 0], [2, -1]]\nstride: 2\n"


def test_a_view_that_does_not_fit_is_refused(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"t.yaml": _deck("[transposed, figure]", TCONV)})
    assert len(m) == 1
    fit = "fit example 'main' (transposed_convolution): flip, transposed, scatter"
    has(m[0], tmp_path / "decks/t.yaml", "c1", "views[1]", fit, "'figure'")


def test_every_unfitting_view_is_named_once(docs_copy, tmp_path):
    pool = "operation: max_pooling\ninput: [[1, 2], [3, -1]]\nkernel: 2\n"
    m = fails(docs_copy, tmp_path, {"t.yaml": _deck("[flatten, sliding_window, unrolled, figure]", pool)})
    assert [x["field"] for x in m] == ["views[1]", "views[2]", "views[3]"]


def test_a_view_listed_twice_is_refused(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"t.yaml": _deck("[figure, flatten, figure]", "input: [[1, 2], [3, -1]]\nkernel: [[1]]\n")})
    assert len(m) == 1
    has(m[0], tmp_path / "decks/t.yaml", "c1", "views", "each view listed once", "'figure' 2 times")


def test_a_generic_card_without_examples_is_refused(docs_copy, tmp_path):
    text = "deck: t\ntitle: T\ncards:\n  - id: c1\n    title: A card\n    question: What is it?\n    examples: {}\n"
    m = fails(docs_copy, tmp_path, {"t.yaml": text})
    assert len(m) == 1
    has(m[0], tmp_path / "decks/t.yaml", "c1", "examples", "at least one worked example", "the answer would be empty")


def test_a_generic_card_without_views_is_refused(docs_copy, tmp_path):
    m = fails(docs_copy, tmp_path, {"t.yaml": _deck("[]", "input: [[1, 2], [3, -1]]\nkernel: [[1]]\n")})
    assert len(m) == 1
    has(m[0], tmp_path / "decks/t.yaml", "c1", "views", "at least one view", "the answer would be empty")


def test_a_card_with_its_own_template_may_have_no_examples_or_views(tmp_path):
    card = {"id": "c1", "title": "T", "question": "?", "template": "cards/cross-correlation.md.j2", "views": []}
    assert load_cards([card], tmp_path)[0].views == ()


@pytest.mark.parametrize("name", CASES)
def test_default_views_fit(name, tmp_path):
    """Without ``views`` a card gets the default views that fit its examples, never an empty answer."""
    (c,) = load_cards([{"id": "c1", "title": "T", "question": "?", "examples": {"main": CASES[name]}}], tmp_path)
    fit = spec.views_for(c.examples["main"])
    assert c.views and set(c.views) <= set(fit)
    assert c.views == tuple(v for v in spec.DEFAULT_VIEWS if v in fit) or not set(spec.DEFAULT_VIEWS) & set(fit)


def test_every_builtin_cards_views_fit_its_examples():
    env = render.environment([])
    for d in spec.load_decks([render.DECK_DIR], render.card_templates(env)):
        for c in d.cards:
            for e in c.examples.values():
                assert set(c.views) <= set(spec.views_for(e)), (c.id, c.views)


def test_the_loader_raises_specerror_not_a_crash(tmp_path):
    with pytest.raises(SpecError) as err:
        load_cards([{"id": "c1", "title": "T", "question": "?", "views": ["scatter"], "examples": {"main": CASES["cc-multi"]}}], tmp_path)
    assert "multi-channel cross_correlation" in str(err.value)


def test_readmes_table_is_the_generators():
    """README's views × operations table says what spec.VIEWS_FOR (and the multi-channel rule) say."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    head = "| view | shows | cross-corr. | convolution | multi-channel | transposed | max pool | avg pool |"
    rows = readme.split(head, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    cols = ["cross_correlation", "convolution", "multi", "transposed_convolution", "max_pooling", "avg_pooling"]
    table = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        table[cells[0].strip("`")] = {op for op, c in zip(cols, cells[2:], strict=True) if c == "✓"}
    assert list(table) == list(spec.VIEWS)
    for view, ops in table.items():
        want = {op for op in cols if (view in spec.MULTI_CHANNEL_VIEWS if op == "multi" else view in spec.VIEWS_FOR[op])}
        assert ops == want, view
