"""The explorer's arithmetic (docs/javascripts/convcore.js) run in Chromium, against the generator.

- every single-channel example of the built site's data/cards.json that the explorer supports,
  recomputed by ``convcore.compute``, equals the published output, unrolled matrix and shapes;
- 2,000+ seeded random configurations (sizes 1-9, non-square, asymmetric padding, stride and
  dilation 1-3, output_padding in range, negative and zero values, 1-D and 2-D, the three
  operations), all evaluated in one ``page.evaluate``, equal what generator/core.py computes
  (through generator/examples.py, the code that writes cards.json);
- planted off-by-one defects in a copy of convcore.js (served in its place) make that comparison
  fail: the test can fail;
- validity: on valid and invalid combinations alike, ``convcore.check`` with the rules table the
  generator wrote (data/rules.json) refuses exactly what the spec loader refuses, with the same
  field and the same expected-message.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from generator import core, spec
from generator.examples import Example

pytestmark = pytest.mark.browser

OPS = ("cross_correlation", "convolution", "transposed_convolution")
N_RANDOM = 2000


def example_json(op: str, x: np.ndarray, k: np.ndarray, stride, padding, dilation, output_padding) -> dict:
    """An example laid out as in cards.json (what the explorer takes), without its results."""
    return {
        "operation": op,
        "stride": list(stride),
        "padding": dict(zip(("top", "bottom", "left", "right"), padding, strict=True)),
        "dilation": list(dilation),
        "output_padding": list(output_padding),
        "arrays": {"input": x.tolist(), "kernel": k.tolist()},
    }


def generator_result(ex: dict) -> dict:
    """What the generator publishes for this example (generator/examples.py over core.py)."""
    p = ex["padding"]
    params = core.ConvParams(
        tuple(ex["stride"]), (p["top"], p["bottom"], p["left"], p["right"]), tuple(ex["dilation"]), tuple(ex["output_padding"])
    )
    x, k = np.array(ex["arrays"]["input"]), np.array(ex["arrays"]["kernel"])
    js = Example(spec.ExampleSpec("e", ex["operation"], x, k, params)).as_json()
    return {"output": js["arrays"]["output"], "unrolled_matrix": js["arrays"]["unrolled_matrix"], "shapes": js["shapes"]}


def spec_problem(ex: dict) -> tuple[str, str] | None:
    """The spec loader's first problem with this example as (field, expected), or None if it accepts it."""
    col = spec._Collector("explorer.yaml")
    p = ex["padding"]
    v = {
        "operation": ex["operation"],
        "input": ex["arrays"]["input"],
        "kernel": ex["arrays"]["kernel"],
        "stride": ex["stride"],
        "padding": [p["top"], p["bottom"], p["left"], p["right"]],
        "dilation": ex["dilation"],
        "output_padding": ex["output_padding"],
    }
    got = spec._example(col, "card", "e", v)
    if not col.problems:
        assert got is not None
        return None
    first = col.problems[0]
    return first.field.removeprefix("examples.e."), first.expected


def random_valid_examples(n: int, seed: int = 11) -> list[dict]:
    """``n`` seeded random examples the spec loader accepts."""
    rng = np.random.default_rng(seed)
    out: list[dict] = []
    while len(out) < n:
        op = OPS[rng.integers(3)]
        one_d = rng.random() < 0.2
        h, w = (1 if one_d else int(rng.integers(1, 10))), int(rng.integers(1, 10))
        kh, kw = (1 if one_d else int(rng.integers(1, 6))), int(rng.integers(1, 6))
        s = [int(v) for v in rng.integers(1, 4, size=2)]
        d = [int(v) for v in rng.integers(1, 4, size=2)]
        pad = [int(v) for v in rng.integers(0, 4, size=4)]
        a = [int(rng.integers(0, max(s[i], d[i]))) if op == "transposed_convolution" else 0 for i in (0, 1)]
        x = rng.integers(-5, 6, size=(w,) if one_d else (h, w))
        k = rng.integers(-4, 5, size=(kw,) if one_d else (kh, kw))
        x[rng.random(x.shape) < 0.2] = 0  # zeros, and so sums that cancel
        ex = example_json(op, x, k, s, pad, d, a)
        if spec_problem(ex) is None:
            out.append(ex)
    return out


def open_core(page, server: str) -> None:
    page.goto(f"{server}/explore/")
    page.wait_for_function("typeof window.convcore === 'object'")


# One call for the whole batch; the results come back as one JSON text (fast to transfer and parse).
# With views: the other arrays the explorer shows, from the other functions of convcore.js.
COMPUTE_ALL = """([exs, views]) => JSON.stringify(exs.map(ex => {
  try {
    const r = convcore.compute(ex);
    if (!views) return r;
    const c = convcore, p = c.example_params(ex), x = c.as_2d(ex.arrays.input), k = c.as_2d(ex.arrays.kernel);
    const v = {padded: c.pad(x, p.padding), flipped: c.flip(k)};
    if (ex.operation === 'transposed_convolution') {
      v.scatter = c.transposed_scatter(x, k, p);
      v.zero_insertion_input = c.zero_insertion_input(x, [k.length, k[0].length], p);
      v.zero_insertion = c.transposed_zero_insertion(x, k, p);
    } else {
      const ku = c.as_2d(c.kernel_used(ex));
      v.im2col = c.im2col(x, [k.length, k[0].length], p);
      v.product = c.matvec(r.unrolled_matrix, c.ravel(x));
      // output_padding that restores the input's shape (as the cards' C^T y and the explorer do)
      const a = [0, 1].map(ax => (x.length * (1 - ax) + x[0].length * ax + p.padding[2 * ax] + p.padding[2 * ax + 1]
        - p.dilation[ax] * ((ax ? ku[0].length : ku.length) - 1) - 1) % p.stride[ax]);
      v.back = c.transposed_via_matrix(c.as_2d(r.output), ku, c.params(p.stride, p.padding, p.dilation, a));
    }
    r.views = v;
    return r;
  } catch (e) { return {error: String(e && e.message || e)}; }
}))"""


def compute_all(page, cases: list[dict], views: bool = False) -> list[dict]:
    return json.loads(page.evaluate(COMPUTE_ALL, [cases, views]))


def generator_views(ex: dict) -> dict:
    """The same views from generator/core.py."""
    pd = ex["padding"]
    one_d = not isinstance(ex["arrays"]["input"][0], list)
    raw = core.ConvParams(
        tuple(ex["stride"]), (pd["top"], pd["bottom"], pd["left"], pd["right"]), tuple(ex["dilation"]), tuple(ex["output_padding"])
    )
    p = spec._row_params(raw) if one_d else raw
    x, k = core.as_2d(np.array(ex["arrays"]["input"])), core.as_2d(np.array(ex["arrays"]["kernel"]))
    v = {"padded": core.pad(x, p.padding), "flipped": core.flip(k)}
    if ex["operation"] == "transposed_convolution":
        v["scatter"] = core.transposed_scatter(x, k, p)
        v["zero_insertion_input"] = core.zero_insertion_input(x, k.shape, p)
        v["zero_insertion"] = core.transposed_zero_insertion(x, k, p)
    else:
        ku = core.flip(k) if ex["operation"] == "convolution" else k
        v["im2col"] = core.im2col(x, k.shape, p)
        v["product"] = core.unrolled_matrix(x.shape, ku, p) @ x.ravel()
        y = core.corr2d(x, ku, p)
        a = Example(spec.ExampleSpec("e", "cross_correlation", x, ku, p)).transposed_output_padding
        v["back"] = core.transposed_via_matrix(y, ku, core.ConvParams(p.stride, p.padding, p.dilation, a))
    return {name: a.tolist() for name, a in v.items()}


def mismatches(got: list[dict], want: list[dict], cases: list[dict]) -> list[str]:
    bad = []
    for i, (g, w, ex) in enumerate(zip(got, want, cases, strict=True)):
        if g != w:
            diff = "error " + g["error"] if "error" in g else ", ".join(f for f in w if g.get(f) != w[f])
            if "views" in w and "views" in g:
                diff += " " + ", ".join(f for f in w["views"] if g["views"].get(f) != w["views"][f])
            bad.append(f"#{i} {json.dumps({k: ex[k] for k in ex if k != 'arrays'})}: {diff}")
    return bad


@pytest.fixture(scope="module")
def random_cases() -> tuple[list[dict], list[dict]]:
    cases = random_valid_examples(N_RANDOM)
    return cases, [generator_result(ex) | {"views": generator_views(ex)} for ex in cases]


def test_random_cases_cover_what_the_issue_asks(random_cases):
    """The seeded configurations really span the space: each operation, 1-D and 2-D, non-square,
    asymmetric padding, stride and dilation 3, output_padding > 0, negative values."""
    cases, _ = random_cases
    assert len(cases) >= 2000
    assert {c["operation"] for c in cases} == set(OPS)
    one_d = [c for c in cases if not isinstance(c["arrays"]["input"][0], list)]
    assert 100 < len(one_d) < len(cases)
    two_d = [c for c in cases if c not in one_d]
    assert any(len(c["arrays"]["input"]) != len(c["arrays"]["input"][0]) for c in two_d)
    assert any(len(c["arrays"]["kernel"]) != len(c["arrays"]["kernel"][0]) for c in two_d)
    assert any(c["padding"]["top"] != c["padding"]["bottom"] for c in two_d)
    assert any(c["padding"]["left"] != c["padding"]["right"] for c in cases)
    assert any(3 in c["stride"] for c in cases) and any(3 in c["dilation"] for c in cases)
    assert any(max(c["output_padding"]) > 0 for c in cases)
    assert any(min(np.ravel(c["arrays"]["input"])) < 0 for c in cases)


def test_every_published_example_is_recomputed_exactly(page, server, site_dir: Path):
    doc = json.loads((site_dir / "data/cards.json").read_text(encoding="utf-8"))
    cases, want = [], []
    for card in doc["cards"]:
        for ex in card["examples"]:
            if ex["operation"] in OPS and len(ex["shapes"]["input"]) <= 2:
                cases.append(
                    {k: ex[k] for k in ("operation", "stride", "padding", "dilation", "output_padding")} | {"arrays": ex["arrays"]}
                )
                want.append({"output": ex["arrays"]["output"], "unrolled_matrix": ex["arrays"]["unrolled_matrix"], "shapes": ex["shapes"]})
    assert len(cases) >= 30
    assert {c["operation"] for c in cases} == set(OPS)
    open_core(page, server)
    got = compute_all(page, cases)
    bad = mismatches(got, want, cases)
    assert not bad, f"{len(bad)} published example(s) differ:\n" + "\n".join(bad[:10])


def test_random_configurations_equal_the_generator(page, server, random_cases):
    cases, want = random_cases
    open_core(page, server)
    got = compute_all(page, cases, views=True)  # one batch: 2,000 examples in one call
    bad = mismatches(got, want, cases)
    assert not bad, f"{len(bad)} of {len(cases)} differ from generator/core.py:\n" + "\n".join(bad[:10])


# Off-by-one defects, each planted in a copy of convcore.js served in place of the real one.
PLANTED = {
    "output size": (
        "return floor_div(i + p_lo + p_hi - d * (k - 1) - 1, s) + 1;",
        "return floor_div(i + p_lo + p_hi - d * (k - 1), s) + 1;",
    ),
    "left padding in C": (
        "var j = c * p.stride[1] - p.padding[2] + b * p.dilation[1];",
        "var j = c * p.stride[1] - p.padding[2] + 1 + b * p.dilation[1];",
    ),
    "scatter crop": (
        "return crop_or_pad(full, p.padding[0], p.padding[2], o[0], o[1]);",
        "return crop_or_pad(full, p.padding[0], p.padding[2] + 1, o[0], o[1]);",
    ),
    "transposed size": ("return (i - 1) * s - p_lo - p_hi + d * (k - 1) + a + 1;", "return (i - 1) * s - p_lo - p_hi + d * (k - 1) + a;"),
}


@pytest.mark.parametrize("defect", sorted(PLANTED))
def test_a_planted_off_by_one_is_caught(page, server, site_dir: Path, random_cases, defect):
    source = (site_dir / "javascripts/convcore.js").read_text(encoding="utf-8")
    old, new = PLANTED[defect]
    assert source.count(old) == 1, f"the line to break is no longer in convcore.js: {old}"
    mutant = source.replace(old, new)
    page.route("**/javascripts/convcore.js", lambda r: r.fulfill(status=200, content_type="text/javascript", body=mutant))
    cases, want = random_cases[0][:400], random_cases[1][:400]  # a fifth of the batch is plenty to catch each
    open_core(page, server)
    assert page.evaluate("fetch('../javascripts/convcore.js').then(r => r.text())") == mutant  # the copy is what is served
    got = compute_all(page, cases, views=True)
    bad = mismatches(got, want, cases)
    assert bad, f"the planted defect ({defect}) went unnoticed by the comparison with generator/core.py"


def invalid_examples(seed: int = 5) -> list[dict]:
    """Combinations the issue names, and others: each breaks one rule (some several)."""
    rng = np.random.default_rng(seed)

    def ex(op="cross_correlation", x=(4, 4), k=(3, 3), s=(1, 1), p=(0, 0, 0, 0), d=(1, 1), a=(0, 0), xv=None, kv=None):
        xa = xv if xv is not None else rng.integers(-3, 4, size=x).tolist()
        ka = kv if kv is not None else rng.integers(-3, 4, size=k).tolist()
        return {
            "operation": op,
            "stride": list(s),
            "dilation": list(d),
            "output_padding": list(a),
            "padding": dict(zip(("top", "bottom", "left", "right"), p, strict=True)),
            "arrays": {"input": xa, "kernel": ka},
        }

    out = [
        ex(x=(3, 3), k=(4, 4)),  # kernel larger than the input
        ex(x=(3, 5), k=(4, 2), p=(0, 0, 1, 1)),  # larger than the padded input along the rows only
        ex(x=(5, 5), k=(3, 3), d=(3, 1)),  # the dilated kernel does not fit
        ex(x=(5,), k=(6,)),  # 1-D
        ex(x=(5,), k=(3,), d=(1, 3)),
        ex(op="transposed_convolution", s=(2, 2), a=(2, 0)),  # output_padding not below max(stride, dilation)
        ex(op="transposed_convolution", s=(1, 2), d=(1, 1), a=(0, 2)),
        ex(op="transposed_convolution", s=(1, 1), a=(1, 1)),
        ex(op="transposed_convolution", x=(2, 2), k=(2, 2), p=(3, 3, 0, 0)),  # no transposed output left
        ex(s=(0, 1)),
        ex(s=(1, 9)),
        ex(d=(0, 1)),
        ex(p=(0, 17, 0, 0)),
        ex(p=(-1, 0, 0, 0)),
        ex(a=(9, 0)),
        ex(s=(1.5, 1)),
        ex(p=(0, 0, 0.5, 0)),  # not whole numbers
        ex(xv=[[1, "a"], [2, 3]], k=(1, 1)),
        ex(kv=[[1, None]]),  # not numbers
        ex(xv=[[1, math.inf], [2, 3]], k=(1, 1)),
        ex(kv=[[math.nan]]),  # not finite
        ex(xv=[[1, 2_000_000]], k=(1, 1)),  # too large a value
        ex(xv=[], k=(1, 1)),
        ex(xv=[[]], k=(1, 1)),
        ex(kv=[[1, 2], [3]]),  # empty, ragged
        ex(x=(5,), k=(2, 2)),
        ex(x=(5, 5), k=(3,)),  # dimensions disagree
        ex(x=(40, 3), k=(1, 1)),
        ex(x=(4, 4), k=(10, 1)),  # past the limits
        ex(x=(32, 32), k=(1, 1)),  # a matrix C past its limit (1024×1024)
        ex(op="transposed_convolution", x=(8, 8), k=(3, 3), s=(4, 4)),  # a transposed output whose C is too large
    ]
    for _ in range(300):  # random combinations near the edges: some valid, many not
        op = OPS[rng.integers(3)]
        one_d = rng.random() < 0.2
        x = (int(rng.integers(1, 7)),) if one_d else tuple(int(v) for v in rng.integers(1, 7, size=2))
        k = (int(rng.integers(1, 8)),) if one_d else tuple(int(v) for v in rng.integers(1, 8, size=2))
        out.append(
            ex(
                op,
                x,
                k,
                s=rng.integers(0, 5, size=2).tolist(),
                p=rng.integers(0, 4, size=4).tolist(),
                d=rng.integers(1, 4, size=2).tolist(),
                a=rng.integers(0, 4, size=2).tolist(),
            )
        )
    return out


def test_check_refuses_exactly_what_the_spec_loader_refuses(page, server, site_dir: Path):
    rules = json.loads((site_dir / "data/rules.json").read_text(encoding="utf-8"))
    assert rules["messages"] == spec.RULE_MESSAGES and rules["limits"] == spec.LIMITS  # the table is the spec's
    cases = invalid_examples()
    want = [spec_problem(ex) for ex in cases]
    assert sum(w is not None for w in want) >= 100 and sum(w is None for w in want) >= 20  # both kinds well represented
    assert {w[0] for w in want if w} >= {"kernel", "input", "stride", "padding", "dilation", "output_padding"}
    open_core(page, server)
    got = page.evaluate(
        """([exs, rules]) => exs.map(ex => {
             const p = convcore.check(ex, rules);
             return p.length ? [p[0].field, p[0].expected] : null;
           })""",
        [cases, rules],
    )
    bad = [
        f"#{i} {json.dumps(ex)[:160]}\n    spec: {w}\n    js:   {g}"
        for i, (ex, w, g) in enumerate(zip(cases, want, got, strict=True))
        if (tuple(g) if g else None) != w
    ]
    assert not bad, f"{len(bad)} combination(s) judged differently:\n" + "\n".join(bad[:10])
