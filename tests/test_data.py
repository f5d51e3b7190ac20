"""The published data (site/data/cards.json): its schema, and every array in it against an oracle.

This is the global guard for every card of every deck: for each example, the output and the
unrolled matrix are recomputed here from the input, the kernel and the parameters with
brute-force loops written for this file (no code from ``generator``), and with
``torch.nn.functional`` when PyTorch is installed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml
from conftest import ROOT

SCHEMA = ROOT / "docs/data/cards.schema.json"
DECKS = ROOT / "generator/decks"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def data(site_dir: Path) -> dict:
    return json.loads((site_dir / "data/cards.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def all_examples(data: dict) -> list[tuple[str, dict]]:
    return [(f"{c['id']}/{e['name']}", e) for c in data["cards"] for e in c["examples"]]


# ----------------------------------------------------------------------------- oracle


class Params:
    """One example's parameters along rows and columns; a 1-D example is one row."""

    def __init__(self, e: dict, one_d: bool):
        pad = e["padding"]
        self.s = (1, e["stride"][1]) if one_d else tuple(e["stride"])
        self.d = (1, e["dilation"][1]) if one_d else tuple(e["dilation"])
        self.a = (0, e["output_padding"][1]) if one_d else tuple(e["output_padding"])
        self.top, self.bottom = (0, 0) if one_d else (pad["top"], pad["bottom"])
        self.left, self.right = pad["left"], pad["right"]
        self.groups = e["groups"]


def count_windows(padded: int, k: int, s: int, d: int) -> int:
    """Slide a window of span d(k-1)+1 by s from 0 until it sticks out; count the positions."""
    n, start, span = 0, 0, d * (k - 1) + 1
    while start + span <= padded:
        n += 1
        start += s
    return n


def window_taps(x: np.ndarray, kh: int, kw: int, P: Params, fill: float = 0.0):
    """For every output position, the list of padded-input values under the kernel taps (row-major)."""
    h, w = x.shape
    oh = count_windows(h + P.top + P.bottom, kh, P.s[0], P.d[0])
    ow = count_windows(w + P.left + P.right, kw, P.s[1], P.d[1])
    out = []
    for r in range(oh):
        row = []
        for c in range(ow):
            vals = []
            for a in range(kh):
                for b in range(kw):
                    rr, cc = r * P.s[0] + a * P.d[0] - P.top, c * P.s[1] + b * P.d[1] - P.left
                    vals.append(x[rr, cc] if 0 <= rr < h and 0 <= cc < w else fill)
            row.append(vals)
        out.append(row)
    return out, (oh, ow)


def corr_loop(x: np.ndarray, k: np.ndarray, P: Params) -> np.ndarray:
    taps, (oh, ow) = window_taps(x, k.shape[0], k.shape[1], P)
    y = np.zeros((oh, ow))
    for r in range(oh):
        for c in range(ow):
            y[r, c] = sum(v * kv for v, kv in zip(taps[r][c], k.ravel(), strict=True))
    return y


def transposed_scatter_loop(x: np.ndarray, k: np.ndarray, P: Params) -> np.ndarray:
    """Each input value stamps value * kernel at (r s, c s) with taps d apart; crop top/left padding."""
    h, w = x.shape
    kh, kw = k.shape
    oh = (h - 1) * P.s[0] - P.top - P.bottom + P.d[0] * (kh - 1) + P.a[0] + 1
    ow = (w - 1) * P.s[1] - P.left - P.right + P.d[1] * (kw - 1) + P.a[1] + 1
    y = np.zeros((oh, ow))
    for r in range(h):
        for c in range(w):
            for a in range(kh):
                for b in range(kw):
                    rr, cc = r * P.s[0] + a * P.d[0] - P.top, c * P.s[1] + b * P.d[1] - P.left
                    if 0 <= rr < oh and 0 <= cc < ow:
                        y[rr, cc] += x[r, c] * k[a, b]
    return y


def rot180(k: np.ndarray) -> np.ndarray:
    return k[..., ::-1, ::-1]


def forward(op: str, x: np.ndarray, k: np.ndarray, P: Params, multi: bool) -> np.ndarray:
    """The example's operation on a 2-D input (or (C_in, h, w) when multi), by loops."""
    if multi:
        c_in, c_out, g = x.shape[0], k.shape[0], P.groups
        kk = rot180(k) if op == "convolution" else k
        ys = []
        for o in range(c_out):
            grp = o // (c_out // g)
            ys.append(sum(corr_loop(x[grp * (c_in // g) + j], kk[o, j], P) for j in range(c_in // g)))
        return np.stack(ys)
    if op == "cross_correlation":
        return corr_loop(x, k, P)
    if op == "convolution":
        return corr_loop(x, rot180(k), P)
    if op == "avg_pooling":  # zeros in the padding count (count_include_pad=True)
        return corr_loop(x, np.ones_like(k, dtype=float) / k.size, P)
    if op == "max_pooling":  # padding never wins (PyTorch pads max pooling with -inf)
        taps, (oh, ow) = window_taps(x, k.shape[0], k.shape[1], P, fill=-np.inf)
        return np.array([[max(taps[r][c]) for c in range(ow)] for r in range(oh)], dtype=float)
    raise AssertionError(f"no oracle for {op}")


def transposed_multi(x: np.ndarray, k: np.ndarray, P: Params) -> np.ndarray:
    """PyTorch's layout: weight (C_in, C_out / groups, kh, kw)."""
    c_in, g = x.shape[0], P.groups
    per_out = k.shape[1]
    ys = []
    for o in range(per_out * g):
        grp = o // per_out
        chans = range(grp * (c_in // g), (grp + 1) * (c_in // g))
        ys.append(sum(transposed_scatter_loop(x[c], k[c, o % per_out], P) for c in chans))
    return np.stack(ys)


def oracle(e: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """(output, unrolled matrix) recomputed from input, kernel and parameters."""
    x = np.asarray(e["arrays"]["input"], dtype=float)
    k = np.asarray(e["arrays"]["kernel"], dtype=float)
    op = e["operation"]
    one_d, multi = x.ndim == 1, x.ndim == 3
    P = Params(e, one_d)
    x2, k2 = (x[np.newaxis, :], k[np.newaxis, :]) if one_d else (x, k)
    if op == "transposed_convolution":
        y = transposed_multi(x2, k2, P) if multi else transposed_scatter_loop(x2, k2, P)
        # C: the forward cross-correlation on the output's shape, column j = its response to a unit input j
        basis_shape = y.shape
        fwd = (lambda z: forward("cross_correlation", z, k2, P, multi)) if not multi else None
    else:
        y = forward(op, x2, k2, P, multi)
        basis_shape = x2.shape
        fwd = (lambda z: forward(op, z, k2, P, multi)) if op != "max_pooling" else None
    C = None
    if fwd is not None:
        cols = []
        for j in range(int(np.prod(basis_shape))):
            unit = np.zeros(int(np.prod(basis_shape)))
            unit[j] = 1
            cols.append(fwd(unit.reshape(basis_shape)).ravel())
        C = np.stack(cols, axis=1)
    return (y.ravel() if one_d else y), C


# ----------------------------------------------------------------------------- the oracle itself


def test_oracle_on_hand_checked_values():
    """The oracle reproduces numbers worked out by hand (so a wrong oracle cannot pass everything)."""
    e = {
        "operation": "cross_correlation", "stride": [1, 1], "dilation": [1, 1], "output_padding": [0, 0], "groups": 1,
        "padding": {"top": 0, "bottom": 0, "left": 0, "right": 0},
        "arrays": {"input": [[1, 0, -1, 1], [1, 2, -2, 0], [1, 1, -1, 1], [0, 1, 1, 0]], "kernel": [[1, 0, -1], [2, 0, -2], [1, 0, -1]]},
    }
    y, C = oracle(e)
    assert y.tolist() == [[10, 3], [6, 3]]  # the Sobel example: 1+1 + 2+4 + 1+1 = 10
    assert C.shape == (4, 16) and C[0].tolist() == [1, 0, -1, 0, 2, 0, -2, 0, 1, 0, -1, 0, 0, 0, 0, 0]
    t = dict(e, operation="transposed_convolution", stride=[2, 2], arrays={"input": [[1, 2]], "kernel": [[1, 1]]})
    y, C = oracle(t)
    assert y.tolist() == [[1, 1, 2, 2]]  # stamps [1 1] at 0 and [2 2] at 2
    one = dict(e, operation="convolution", arrays={"input": [1, 2, 3], "kernel": [1, 0]})
    assert oracle(one)[0].tolist() == [2, 3]  # flipped kernel [0, 1] picks the right neighbour
    mp = dict(e, operation="max_pooling", stride=[1, 1], padding={"top": 1, "bottom": 0, "left": 0, "right": 0},
              arrays={"input": [[-1, -2]], "kernel": [[1], [1]]})
    assert oracle(mp)[0].tolist() == [[-1, -2]]  # padding is not a 0 that beats negative values
    grp = dict(e, groups=2, arrays={"input": [[[1]], [[2]]], "kernel": [[[[3]]], [[[5]]]]})
    y, C = oracle(grp)
    assert y.ravel().tolist() == [3, 10] and C.tolist() == [[3, 0], [0, 5]]


# ----------------------------------------------------------------------------- the data


def test_schema_is_valid_draft_2020_12(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_site_data_validates_against_the_schema(data, schema, site_dir):
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:20])
    assert (site_dir / "data/cards.schema.json").is_file(), "the schema is published beside the data"


def test_schema_rejects_broken_data(data, schema):
    v = jsonschema.Draft202012Validator(schema)
    bad = json.loads(json.dumps(data))
    ex = bad["cards"][0]["examples"][0]
    ex["padding"]["top"] = -1
    ex["operation"] = "deconvolution"
    del bad["cards"][0]["url"]
    assert len(list(v.iter_errors(bad))) >= 3


def test_data_covers_every_card_of_the_yaml(data):
    ids = [c["id"] for f in sorted(DECKS.glob("*.yaml")) for c in yaml.safe_load(f.read_text(encoding="utf-8"))["cards"]]
    assert sorted(c["id"] for c in data["cards"]) == sorted(ids)


def test_every_example_equals_the_oracle(data):
    problems = []
    n = 0
    for where, e in all_examples(data):
        arrays = e["arrays"]
        for key, arr in arrays.items():
            if list(np.shape(arr)) != e["shapes"][key]:
                problems.append(f"{where}: shapes.{key} = {e['shapes'][key]} but the array is {list(np.shape(arr))}")
        try:
            y, C = oracle(e)
        except Exception as exc:  # an example the oracle cannot even run is a finding too
            problems.append(f"{where}: oracle failed: {exc!r}")
            continue
        got_y = np.asarray(arrays["output"], dtype=float)
        if got_y.shape != y.shape or not np.allclose(got_y, y, atol=1e-9):
            problems.append(f"{where} ({e['operation']}): output {got_y.tolist()} != oracle {y.tolist()}")
        if C is not None:
            if "unrolled_matrix" not in arrays:
                problems.append(f"{where}: no unrolled_matrix for a linear operation")
                continue
            got_C = np.asarray(arrays["unrolled_matrix"], dtype=float)
            if got_C.shape != C.shape or not np.allclose(got_C, C, atol=1e-9):
                problems.append(f"{where} ({e['operation']}): unrolled_matrix {got_C.shape} differs from the oracle's {C.shape}")
        n += 1
    assert not problems, f"{len(problems)} mismatch(es):\n" + "\n".join(problems)
    assert n >= len(data["cards"]), "every card has a worked example"


# ----------------------------------------------------------------------------- PyTorch


def torch_output(e: dict):
    import torch
    import torch.nn.functional as F

    x = torch.tensor(e["arrays"]["input"], dtype=torch.float64)
    k = torch.tensor(e["arrays"]["kernel"], dtype=torch.float64)
    op, g = e["operation"], e["groups"]
    one_d, multi = x.ndim == 1, x.ndim == 3
    P = Params(e, one_d)
    x = x.reshape(1, 1, 1, -1) if one_d else (x.unsqueeze(0) if multi else x.reshape(1, 1, *x.shape))
    if not multi:
        k = k.reshape(1, 1, 1, -1) if one_d else k.reshape(1, 1, *k.shape)
    pads = (P.left, P.right, P.top, P.bottom)
    if op in ("cross_correlation", "convolution"):
        if op == "convolution":
            k = torch.flip(k, dims=(-2, -1))
        y = F.conv2d(F.pad(x, pads), k, stride=P.s, dilation=P.d, groups=g)
    elif op == "transposed_convolution":
        y = F.conv_transpose2d(x, k, stride=P.s, output_padding=P.a, groups=g, dilation=P.d)
        full_h, full_w = y.shape[-2:]
        y = y[..., P.top : full_h - P.bottom, P.left : full_w - P.right]
    elif op == "max_pooling":
        kh, kw = k.shape[-2:]
        y = F.max_pool2d(F.pad(x, pads, value=-np.inf), (kh, kw), stride=P.s, dilation=P.d)
    elif op == "avg_pooling":
        kh, kw = k.shape[-2:]
        y = F.avg_pool2d(F.pad(x, pads), (kh, kw), stride=P.s)
    else:
        raise AssertionError(op)
    y = y[0] if multi else y[0, 0]
    return y.reshape(-1).numpy() if one_d else y.numpy()


def test_every_example_equals_pytorch(data):
    pytest.importorskip("torch")
    problems = []
    for where, e in all_examples(data):
        got = np.asarray(e["arrays"]["output"], dtype=float)
        want = torch_output(e)
        if got.shape != want.shape or not np.allclose(got, want, atol=1e-9):
            problems.append(f"{where} ({e['operation']}): output {got.tolist()} != PyTorch {want.tolist()}")
    assert not problems, f"{len(problems)} mismatch(es) with PyTorch:\n" + "\n".join(problems)


# ----------------------------------------------------------------------------- decks: order and README


def deck_files() -> list[dict]:
    return [yaml.safe_load(f.read_text(encoding="utf-8")) for f in sorted(DECKS.glob("*.yaml"))]


def test_decks_appear_in_order_in_the_nav():
    nav = yaml.safe_load((ROOT / "docs/.nav.yml").read_text(encoding="utf-8"))["nav"]
    titles = [next(iter(item)) for item in nav if isinstance(item, dict)]
    numbers = [int(m.group(1)) for t in titles if (m := re.match(r"Deck (\d+):", t))]
    decks = sorted(deck_files(), key=lambda d: d["order"])
    assert numbers == list(range(1, len(decks) + 1)) and len(decks) >= 6, titles
    assert [d["order"] for d in decks] == numbers
    assert [d["title"] for d in decks] == [t for t in titles if re.match(r"Deck \d+:", t)]
    for d in decks:
        assert d["title"].startswith(f"Deck {d['order']}:"), d["title"]


def test_site_data_lists_decks_in_order(data):
    order = []
    for c in data["cards"]:
        n = int(re.match(r"Deck (\d+):", c["deck_title"]).group(1))
        if not order or order[-1] != n:
            order.append(n)
    assert order == sorted(set(order)) == list(range(1, len(order) + 1)) and len(order) >= 6


def readme_decks() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## The decks\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert m, "README.md has a '## The decks' section"
    return m.group(1)


def test_readme_lists_every_deck_and_card():
    section = readme_decks()
    for d in deck_files():
        assert d["title"] in section, f"README's deck list lacks the deck '{d['title']}'"
        for c in d["cards"]:
            assert f"`{c['id']}`" in section, f"README's deck list lacks the card `{c['id']}` ({d['title']})"
    listed = set(re.findall(r"`([a-z0-9-]+)`", section))
    known = {c["id"] for d in deck_files() for c in d["cards"]}
    assert listed <= known, f"README lists cards that no deck has: {sorted(listed - known)}"


def readme_data_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Data: site/data/cards.json\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert m, "README.md has a '## Data: site/data/cards.json' section"
    return m.group(1)


def test_readme_json_snippet_is_the_real_card(data):
    """The README's example card is the published one (only its practice list is elided)."""
    block = re.search(r"```json\n(.*?)```", readme_data_section(), flags=re.S).group(1)
    shown = json.loads(block.replace("[...]", "null"))
    card = next(c for c in data["cards"] if c["id"] == shown["id"])
    assert shown["practice"] is None
    assert {k: v for k, v in shown.items() if k != "practice"} == {k: v for k, v in card.items() if k != "practice"}


def test_readme_notebook_snippet_runs(site_dir):
    code = re.search(r"```python\n(.*?)```", readme_data_section(), flags=re.S).group(1)
    assert "json.load" in code and "np.array" in code
    exec(compile(code.replace('"site/data/cards.json"', repr(str(site_dir / "data/cards.json"))), "README.md", "exec"), {})
