"""Property tests for ``generator/core.py`` against oracles that are not the code under test.

The oracles written here are deliberately naive and independent of ``core``:

* ``brute_corr2d`` / ``brute_corr2d_multi``: explicit loops over output positions and
  kernel taps, padding handled by an "is this padded cell a real input cell?" test,
  window positions found by walking the padded input (never by an output-size formula);
* ``brute_transposed``: explicit scatter loop, every ``y[r, c] * k[a, b]`` added where it lands;
* ``brute_unrolled_matrix``: the matrix filled entry by entry from the same loops;
* SciPy's ``correlate2d`` / ``convolve2d`` on an ``np.pad``-ded input with an explicitly
  dilated kernel, and NumPy's ``correlate`` / ``convolve`` for 1-D signals;
* PyTorch's documented size formulas and Dumoulin & Visin's relationships 1-15, written out
  by hand.

All arrays are small integers (-5..5), so every comparison is exact.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

try:
    from generator import core
except ImportError:  # pragma: no cover - pytest started somewhere other than the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from generator import core


PROPS = settings(max_examples=300, deadline=None, database=None)

VMIN, VMAX = -5, 5
MAX_IN = 9  # input sides 1..9
MAX_K = 4  # kernel sides 1..4

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


# ============================================================================= oracles


def torch_conv_size(i: int, k: int, s: int = 1, p_lo: int = 0, p_hi: int | None = None, d: int = 1) -> int:
    """PyTorch's Conv2d doc: ``floor((i + 2p - d(k - 1) - 1)/s + 1)`` (2p = p_lo + p_hi)."""
    p_hi = p_lo if p_hi is None else p_hi
    return math.floor((i + p_lo + p_hi - d * (k - 1) - 1) / s + 1)


def torch_transposed_size(i: int, k: int, s: int = 1, p_lo: int = 0, p_hi: int | None = None, d: int = 1, a: int = 0) -> int:
    """PyTorch's ConvTranspose2d doc: ``(i - 1)s - 2p + d(k - 1) + output_padding + 1``."""
    p_hi = p_lo if p_hi is None else p_hi
    return (i - 1) * s - (p_lo + p_hi) + d * (k - 1) + a + 1


def brute_starts(i: int, k: int, s: int, p_lo: int, p_hi: int, d: int) -> list[int]:
    """Window origins (padded coordinates) found by sliding the kernel until it falls off."""
    padded_len = p_lo + i + p_hi
    starts, pos = [], 0
    while pos + d * (k - 1) <= padded_len - 1:  # the last tap must land on a padded cell
        starts.append(pos)
        pos += s
    return starts


def brute_size(i: int, k: int, s: int = 1, p_lo: int = 0, p_hi: int | None = None, d: int = 1) -> int:
    return len(brute_starts(i, k, s, p_lo, p_lo if p_hi is None else p_hi, d))


def explicit_dilate(k: np.ndarray, dh: int, dw: int) -> np.ndarray:
    """Kernel with d-1 zeros between taps, built tap by tap."""
    kh, kw = k.shape
    out = np.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1), dtype=k.dtype)
    for a in range(kh):
        for b in range(kw):
            out[a * dh, b * dw] = k[a, b]
    return out


def brute_corr2d(x, k, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1)) -> np.ndarray:
    """Cross-correlation by explicit loops over output positions and kernel taps."""
    x, k = np.asarray(x), np.asarray(k)
    H, W = x.shape
    KH, KW = k.shape
    (sh, sw), (t, b, l, r), (dh, dw) = stride, padding, dilation
    rows = brute_starts(H, KH, sh, t, b, dh)
    cols = brute_starts(W, KW, sw, l, r, dw)
    out = np.zeros((len(rows), len(cols)), dtype=np.int64)
    for oi, R0 in enumerate(rows):
        for oj, C0 in enumerate(cols):
            acc = 0
            for a in range(KH):
                for bb in range(KW):
                    rr, cc = R0 + a * dh - t, C0 + bb * dw - l  # padded -> input coordinates
                    if 0 <= rr < H and 0 <= cc < W:
                        acc += int(k[a, bb]) * int(x[rr, cc])
            out[oi, oj] = acc
    return out


def brute_unrolled_matrix(in_shape, k, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1)) -> np.ndarray:
    """The unrolled kernel matrix, filled entry by entry (row = output, column = input)."""
    H, W = in_shape
    KH, KW = k.shape
    (sh, sw), (t, b, l, r), (dh, dw) = stride, padding, dilation
    rows = brute_starts(H, KH, sh, t, b, dh)
    cols = brute_starts(W, KW, sw, l, r, dw)
    M = np.zeros((len(rows) * len(cols), H * W), dtype=np.int64)
    for oi, R0 in enumerate(rows):
        for oj, C0 in enumerate(cols):
            for a in range(KH):
                for bb in range(KW):
                    rr, cc = R0 + a * dh - t, C0 + bb * dw - l
                    if 0 <= rr < H and 0 <= cc < W:
                        M[oi * len(cols) + oj, rr * W + cc] += int(k[a, bb])
    return M


def brute_transposed(y, k, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), output_padding=(0, 0)):
    """Transposed convolution by an explicit scatter loop.

    ``y[r, c] * k[a, b]`` lands at ``(r sh + a dh, c sw + b dw)`` of the uncropped canvas; the
    canvas ends with the last stamp plus output_padding; ``padding`` is cut from each side.
    """
    y, k = np.asarray(y), np.asarray(k)
    ih, iw = y.shape
    KH, KW = k.shape
    (sh, sw), (t, b, l, r), (dh, dw), (ah, aw) = stride, padding, dilation, output_padding
    canvas_h = (ih - 1) * sh + (KH - 1) * dh + 1 + ah
    canvas_w = (iw - 1) * sw + (KW - 1) * dw + 1 + aw
    out_h, out_w = canvas_h - t - b, canvas_w - l - r
    out = np.zeros((out_h, out_w), dtype=np.int64)
    for rr in range(ih):
        for cc in range(iw):
            for a in range(KH):
                for bb in range(KW):
                    R, C = rr * sh + a * dh - t, cc * sw + bb * dw - l
                    if 0 <= R < out_h and 0 <= C < out_w:
                        out[R, C] += int(y[rr, cc]) * int(k[a, bb])
    return out


def brute_corr2d_multi(x, w, stride, padding, dilation, groups) -> np.ndarray:
    """Grouped multi-channel cross-correlation (torch.nn.functional.conv2d, no bias) by loops."""
    c_in, H, W = x.shape
    c_out, per_in, KH, KW = w.shape
    per_out = c_out // groups
    (sh, sw), (t, b, l, r), (dh, dw) = stride, padding, dilation
    rows = brute_starts(H, KH, sh, t, b, dh)
    cols = brute_starts(W, KW, sw, l, r, dw)
    out = np.zeros((c_out, len(rows), len(cols)), dtype=np.int64)
    for o in range(c_out):
        g = o // per_out
        for oi, R0 in enumerate(rows):
            for oj, C0 in enumerate(cols):
                acc = 0
                for j in range(per_in):
                    c = g * per_in + j
                    for a in range(KH):
                        for bb in range(KW):
                            rr, cc = R0 + a * dh - t, C0 + bb * dw - l
                            if 0 <= rr < H and 0 <= cc < W:
                                acc += int(w[o, j, a, bb]) * int(x[c, rr, cc])
                out[o, oi, oj] = acc
    return out


def scipy_corr2d(x, k, stride, padding, dilation) -> np.ndarray:
    t, b, l, r = padding
    xp = np.pad(np.asarray(x), ((t, b), (l, r)))
    full = scipy.signal.correlate2d(xp, explicit_dilate(np.asarray(k), *dilation), mode="valid")
    return full[:: stride[0], :: stride[1]]


def scipy_conv2d(x, k, stride, padding, dilation) -> np.ndarray:
    t, b, l, r = padding
    xp = np.pad(np.asarray(x), ((t, b), (l, r)))
    full = scipy.signal.convolve2d(xp, explicit_dilate(np.asarray(k), *dilation), mode="valid")
    return full[:: stride[0], :: stride[1]]


# ============================================================================= strategies


def int_arrays(shape) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(VMIN, VMAX))


class Case(NamedTuple):
    x: np.ndarray
    k: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    dilation: tuple[int, int]

    @property
    def p(self) -> core.ConvParams:
        return core.ConvParams(stride=self.stride, padding=self.padding, dilation=self.dilation)

    @property
    def kw(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation)


def _fitting_side(draw, k: int, d: int, p_lo: int, p_hi: int, max_in: int) -> int:
    """An input length in 1..max_in that the (dilated) kernel fits into once padded."""
    need = max(1, d * (k - 1) + 1 - p_lo - p_hi)
    assume(need <= max_in)
    return draw(st.integers(need, max_in))


@st.composite
def conv_cases(draw, max_in=MAX_IN, max_k=MAX_K, max_s=3, max_d=3, max_p=3):
    kh, kw = draw(st.integers(1, max_k)), draw(st.integers(1, max_k))
    sh, sw = draw(st.integers(1, max_s)), draw(st.integers(1, max_s))
    dh, dw = draw(st.integers(1, max_d)), draw(st.integers(1, max_d))
    t, b, l, r = (draw(st.integers(0, max_p)) for _ in range(4))
    h = _fitting_side(draw, kh, dh, t, b, max_in)
    w = _fitting_side(draw, kw, dw, l, r, max_in)
    x = draw(int_arrays((h, w)))
    k = draw(int_arrays((kh, kw)))
    # The kernel must fit (output size >= 1) - checked with the brute-force window walk.
    assume(brute_size(h, kh, sh, t, b, dh) >= 1 and brute_size(w, kw, sw, l, r, dw) >= 1)
    return Case(x, k, (sh, sw), (t, b, l, r), (dh, dw))


class TCase(NamedTuple):
    y: np.ndarray
    k: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    dilation: tuple[int, int]
    output_padding: tuple[int, int]

    @property
    def p(self) -> core.ConvParams:
        return core.ConvParams(stride=self.stride, padding=self.padding, dilation=self.dilation, output_padding=self.output_padding)

    @property
    def kw(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation, output_padding=self.output_padding)


def _transposed_axis(draw, max_in, max_k, max_s, max_d, max_p):
    i = draw(st.integers(1, max_in))
    k = draw(st.integers(1, max_k))
    s = draw(st.integers(1, max_s))
    d = draw(st.integers(1, max_d))
    a = draw(st.integers(0, max(s, d) - 1))  # PyTorch: output_padding < max(stride, dilation)
    canvas = (i - 1) * s + d * (k - 1) + 1 + a
    p_lo = draw(st.integers(0, max_p))
    assume(canvas - p_lo >= 1)
    p_hi = draw(st.integers(0, min(max_p, canvas - p_lo - 1)))  # transposed output size >= 1
    assume(torch_transposed_size(i, k, s, p_lo, p_hi, d, a) >= 1)
    return i, k, s, d, a, p_lo, p_hi


@st.composite
def transposed_cases(draw, max_in=6, max_k=MAX_K, max_s=3, max_d=3, max_p=3):
    ih, kh, sh, dh, ah, t, b = _transposed_axis(draw, max_in, max_k, max_s, max_d, max_p)
    iw, kw, sw, dw, aw, l, r = _transposed_axis(draw, max_in, max_k, max_s, max_d, max_p)
    y = draw(int_arrays((ih, iw)))
    k = draw(int_arrays((kh, kw)))
    return TCase(y, k, (sh, sw), (t, b, l, r), (dh, dw), (ah, aw))


# ============================================================================= forward


@PROPS
@given(conv_cases())
def test_corr2d_matches_brute_force_and_scipy(case):
    out = core.corr2d(case.x, case.k, case.p)
    brute = brute_corr2d(case.x, case.k, **case.kw)
    ref = scipy_corr2d(case.x, case.k, case.stride, case.padding, case.dilation)
    assert brute.shape == ref.shape  # the two oracles agree on the shape ...
    assert np.array_equal(brute, ref)  # ... and on the values
    assert out.shape == brute.shape
    assert np.array_equal(out, brute)
    assert np.issubdtype(out.dtype, np.integer)  # integer in, integer out: exact arithmetic


@PROPS
@given(conv_cases())
def test_output_shape_matches_formulas_and_brute_force(case):
    (h, w), (kh, kw) = case.x.shape, case.k.shape
    (sh, sw), (t, b, l, r), (dh, dw) = case.stride, case.padding, case.dilation
    expected = (torch_conv_size(h, kh, sh, t, b, dh), torch_conv_size(w, kw, sw, l, r, dw))
    assert expected == (brute_size(h, kh, sh, t, b, dh), brute_size(w, kw, sw, l, r, dw))
    assert core.output_shape((h, w), (kh, kw), case.p) == expected
    assert (core.output_size(h, kh, sh, t, b, dh), core.output_size(w, kw, sw, l, r, dw)) == expected
    assert core.corr2d(case.x, case.k, case.p).shape == expected


@PROPS
@given(conv_cases())
def test_conv2d_matches_scipy_convolve2d_and_flipped_corr(case):
    out = core.conv2d(case.x, case.k, case.p)
    ref = scipy_conv2d(case.x, case.k, case.stride, case.padding, case.dilation)
    assert np.array_equal(out, ref)
    flipped = np.rot90(case.k, 2)
    assert np.array_equal(out, core.corr2d(case.x, core.flip(case.k), case.p))
    assert np.array_equal(out, brute_corr2d(case.x, flipped, **case.kw))


@PROPS
@given(conv_cases())
def test_conv_equals_corr_for_point_symmetric_kernel(case):
    k = case.k + np.rot90(case.k, 2)  # invariant under a 180-degree rotation
    assert np.array_equal(core.flip(k), k)
    assert np.array_equal(core.conv2d(case.x, k, case.p), core.corr2d(case.x, k, case.p))
    assert np.array_equal(core.conv2d(case.x, k, case.p), brute_corr2d(case.x, k, **case.kw))


def test_transpose_symmetric_kernel_is_not_enough_for_conv_equals_corr():
    k = np.array([[1, 2], [2, 3]])  # k == k.T, but flip(k) != k
    x = np.array([[1, 0], [0, 0]])
    assert np.array_equal(k, k.T)
    assert core.corr2d(x, k)[0, 0] == 1  # 1*1
    assert core.conv2d(x, k)[0, 0] == 3  # flipped: 3*1
    assert np.array_equal(core.conv2d(x, k), scipy.signal.convolve2d(x, k, mode="valid"))


@PROPS
@given(int_arrays(st.tuples(st.integers(1, 5), st.integers(1, 5))))
def test_flip_is_a_180_degree_rotation(k):
    f = core.flip(k)
    assert np.array_equal(f, np.rot90(k, 2))
    assert np.array_equal(f, k[::-1, ::-1])
    assert np.array_equal(core.flip(f), k)
    f[...] = 99  # flip returns a copy, not a view into the kernel
    assert not (k == 99).any()


@PROPS
@given(int_arrays(st.integers(1, 8)))
def test_flip_of_1d_signal_reverses_it(k):
    assert np.array_equal(core.flip(k), k[::-1])


def test_flip_is_not_the_transpose_for_sobel_x():
    f = core.flip(SOBEL_X)
    assert np.array_equal(f, np.rot90(SOBEL_X, 2))
    assert np.array_equal(f, np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]))
    assert not np.array_equal(f, SOBEL_X.T)
    assert np.array_equal(SOBEL_X.T, np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]))


def test_sobel_worked_example():
    x = np.array([[1, 0, -1, 1], [1, 2, -2, 0], [1, 1, -1, 1], [0, 1, 1, 0]])
    k = SOBEL_X
    # Hand-checked golden values, one kernel row at a time (kernel rows [1,0,-1], [2,0,-2], [1,0,-1]):
    # y[0,0]: window rows [1,0,-1],[1,2,-2],[1,1,-1]
    #         (1*1 + 0*0 + -1*-1) + (2*1 + 0*2 + -2*-2) + (1*1 + 0*1 + -1*-1) = 2 + 6 + 2 = 10
    # y[0,1]: window rows [0,-1,1],[2,-2,0],[1,-1,1]
    #         (1*0 + 0*-1 + -1*1) + (2*2 + 0*-2 + -2*0) + (1*1 + 0*-1 + -1*1) = -1 + 4 + 0 = 3
    # y[1,0]: window rows [1,2,-2],[1,1,-1],[0,1,1]
    #         (1*1 + 0*2 + -1*-2) + (2*1 + 0*1 + -2*-1) + (1*0 + 0*1 + -1*1) = 3 + 4 - 1 = 6
    # y[1,1]: window rows [2,-2,0],[1,-1,1],[1,1,0]
    #         (1*2 + 0*-2 + -1*0) + (2*1 + 0*-1 + -2*1) + (1*1 + 0*1 + -1*0) = 2 + 0 + 1 = 3
    golden = np.array([[10, 3], [6, 3]])
    out = core.corr2d(x, k)
    assert np.array_equal(out, golden)
    assert np.array_equal(out, scipy.signal.correlate2d(x, k, mode="valid"))
    assert np.array_equal(out, brute_corr2d(x, k))
    assert np.array_equal(core.unrolled_matrix(x.shape, k) @ x.ravel(), golden.ravel())
    # flip(Sobel-x) == -Sobel-x, so the true convolution is the negated correlation.
    assert np.array_equal(core.conv2d(x, k), -golden)
    assert np.array_equal(core.conv2d(x, k), scipy.signal.convolve2d(x, k, mode="valid"))


# ============================================================================= unrolled matrices


@PROPS
@given(conv_cases())
def test_unrolled_matrix_matches_corr2d_and_brute_force(case):
    C = core.unrolled_matrix(case.x.shape, case.k, case.p)
    brute = brute_unrolled_matrix(case.x.shape, case.k, **case.kw)
    assert np.array_equal(brute @ case.x.ravel(), brute_corr2d(case.x, case.k, **case.kw).ravel())  # oracles agree
    assert C.shape == brute.shape
    assert np.array_equal(C, brute)
    assert np.array_equal(C @ case.x.ravel(), core.corr2d(case.x, case.k, case.p).ravel())
    assert np.array_equal(C @ case.x.ravel(), brute_corr2d(case.x, case.k, **case.kw).ravel())


@PROPS
@given(conv_cases())
def test_unrolled_coo_densifies_to_the_unrolled_matrix(case):
    rows, cols, values, shape = core.unrolled_coo(case.x.shape, case.k, case.p)
    h, w = case.x.shape
    assert shape == (len(brute_corr2d(case.x, case.k, **case.kw).ravel()), h * w)
    assert len(rows) == len(cols) == len(values)
    assert ((cols >= 0) & (cols < h * w)).all()  # only real input cells, no padding columns
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == len(rows)  # no duplicate entries
    dense = np.zeros(shape, dtype=np.int64)
    np.add.at(dense, (rows, cols), values)
    assert np.array_equal(dense, core.unrolled_matrix(case.x.shape, case.k, case.p))
    assert np.array_equal(dense, brute_unrolled_matrix(case.x.shape, case.k, **case.kw))


@PROPS
@given(conv_cases())
def test_unrolled_matrix_column_major(case):
    CF = core.unrolled_matrix_column_major(case.x.shape, case.k, case.p)
    expected = brute_corr2d(case.x, case.k, **case.kw).ravel(order="F")
    assert np.array_equal(CF @ case.x.ravel(order="F"), expected)
    assert np.array_equal(CF @ case.x.ravel(order="F"), core.corr2d(case.x, case.k, case.p).ravel(order="F"))


@PROPS
@given(conv_cases())
def test_unrolled_matrix_padded(case):
    t, b, l, r = case.padding
    xp = np.pad(case.x, ((t, b), (l, r)))
    Cp = core.unrolled_matrix_padded(case.x.shape, case.k, case.p)
    assert Cp.shape[1] == xp.size  # padding cells are kept as columns
    assert np.array_equal(Cp @ xp.ravel(), core.corr2d(case.x, case.k, case.p).ravel())
    assert np.array_equal(Cp @ xp.ravel(), brute_corr2d(case.x, case.k, **case.kw).ravel())
    assert np.array_equal(core.pad(case.x, case.padding), xp)


@PROPS
@given(conv_cases())
def test_im2col_and_windows(case):
    (h, w), (kh, kw) = case.x.shape, case.k.shape
    (sh, sw), (t, b, l, r), (dh, dw) = case.stride, case.padding, case.dilation
    rows = brute_starts(h, kh, sh, t, b, dh)
    cols = brute_starts(w, kw, sw, l, r, dw)
    win = core.windows(case.x, (kh, kw), case.p)
    assert win.shape == (len(rows), len(cols), kh, kw)
    xp = np.pad(case.x, ((t, b), (l, r)))
    for oi, R0 in enumerate(rows):
        for oj, C0 in enumerate(cols):
            patch = xp[R0 : R0 + (kh - 1) * dh + 1 : dh, C0 : C0 + (kw - 1) * dw + 1 : dw]
            assert np.array_equal(win[oi, oj], patch)
    M = core.im2col(case.x, (kh, kw), case.p)
    assert M.shape == (kh * kw, len(rows) * len(cols))
    expected = brute_corr2d(case.x, case.k, **case.kw).ravel()
    assert np.array_equal(case.k.ravel() @ M, expected)
    assert np.array_equal(case.k.ravel() @ M, core.corr2d(case.x, case.k, case.p).ravel())


# ============================================================================= adjoint / transposed


@PROPS
@given(conv_cases(), st.data())
def test_adjoint_identity(case, data):
    """<Cx, y> == <x, C^T y> for the matrix and for every transposed-convolution method."""
    x, k = case.x, case.k
    y = data.draw(int_arrays(brute_corr2d(x, k, **case.kw).shape))
    cx = core.corr2d(x, k, case.p)
    lhs = int(np.sum(cx * y))
    assert lhs == int(np.sum(brute_corr2d(x, k, **case.kw) * y))

    C = core.unrolled_matrix(x.shape, k, case.p)
    assert lhs == int(x.ravel() @ (C.T @ y.ravel()))

    # output_padding that makes the transposed output exactly x's shape (Relationship 14).
    (h, w), (kh, kw) = x.shape, k.shape
    (sh, sw), (t, b, l, r), (dh, dw) = case.stride, case.padding, case.dilation
    a = ((h + t + b - dh * (kh - 1) - 1) % sh, (w + l + r - dw * (kw - 1) - 1) % sw)
    p = core.ConvParams(stride=case.stride, padding=case.padding, dilation=case.dilation, output_padding=a)
    ct_brute = brute_transposed(y, k, output_padding=a, **case.kw)
    assert ct_brute.shape == x.shape
    assert lhs == int(np.sum(x * ct_brute))
    for method in (core.transposed_via_matrix, core.transposed_scatter, core.transposed_zero_insertion):
        ct = method(y, k, p)
        assert ct.shape == x.shape, method.__name__
        assert lhs == int(np.sum(x * ct)), method.__name__


@PROPS
@given(transposed_cases())
def test_transposed_methods_agree_with_brute_force_scatter(case):
    (ih, iw), (kh, kw) = case.y.shape, case.k.shape
    (sh, sw), (t, b, l, r), (dh, dw), (ah, aw) = case.stride, case.padding, case.dilation, case.output_padding
    shape = (torch_transposed_size(ih, kh, sh, t, b, dh, ah), torch_transposed_size(iw, kw, sw, l, r, dw, aw))
    assert core.transposed_output_shape((ih, iw), (kh, kw), case.p) == shape
    brute = brute_transposed(case.y, case.k, **case.kw)
    assert brute.shape == shape
    results = {
        m.__name__: m(case.y, case.k, case.p) for m in (core.transposed_via_matrix, core.transposed_scatter, core.transposed_zero_insertion)
    }
    for name, out in results.items():
        assert out.shape == shape, name
        assert np.array_equal(out, brute), name


@PROPS
@given(transposed_cases())
def test_transposed_is_adjoint_of_forward_on_its_output_shape(case):
    """The transposed output, fed back to the forward conv, has y's shape (output_padding < max(s, d))."""
    out = core.transposed_scatter(case.y, case.k, case.p)
    (ih, iw), (kh, kw) = case.y.shape, case.k.shape
    (sh, sw), (t, b, l, r), (dh, dw), (ah, aw) = case.stride, case.padding, case.dilation, case.output_padding
    fwd = (brute_size(out.shape[0], kh, sh, t, b, dh), brute_size(out.shape[1], kw, sw, l, r, dw))
    # Extra forward outputs appear only when output_padding >= stride (allowed if < dilation).
    assert fwd == (ih + ah // sh, iw + aw // sw)
    # <x, C^T y> == <C x, y> with x random and C the forward conv restricted to y's outputs.
    x = np.arange(out.size, dtype=np.int64).reshape(out.shape) % 11 - 5
    cx = brute_corr2d(x, case.k, case.stride, case.padding, case.dilation)[:ih, :iw]
    assert int(np.sum(cx * case.y)) == int(np.sum(x * out))


@PROPS
@given(transposed_cases())
def test_overlap_counts_match_brute_force(case):
    (ih, iw), (kh, kw) = case.y.shape, case.k.shape
    (sh, sw), (t, b, l, r), (dh, dw), (ah, aw) = case.stride, case.padding, case.dilation, case.output_padding
    oh = torch_transposed_size(ih, kh, sh, t, b, dh, ah)
    ow = torch_transposed_size(iw, kw, sw, l, r, dw, aw)
    counts = np.zeros((oh, ow), dtype=np.int64)
    for rr, cc, a, bb in itertools.product(range(ih), range(iw), range(kh), range(kw)):
        R, C = rr * sh + a * dh - t, cc * sw + bb * dw - l
        if 0 <= R < oh and 0 <= C < ow:
            counts[R, C] += 1
    got = core.overlap_counts((ih, iw), (kh, kw), case.p)
    assert np.array_equal(got, counts)
    if case.padding == (0, 0, 0, 0):
        assert got.sum() == ih * iw * kh * kw  # nothing cropped: every stamp tap is counted


# ============================================================================= sizes


@PROPS
@given(
    i=st.integers(1, 30),
    k=st.integers(1, 8),
    s=st.integers(1, 5),
    p_lo=st.integers(0, 6),
    p_hi=st.integers(0, 6),
    d=st.integers(1, 4),
    a=st.integers(0, 4),
)
def test_size_formulas_against_pytorch_docs_and_brute_force(i, k, s, p_lo, p_hi, d, a):
    o = core.output_size(i, k, s, p_lo, p_hi, d)
    assert o == torch_conv_size(i, k, s, p_lo, p_hi, d)
    n = brute_size(i, k, s, p_lo, p_hi, d)
    if n >= 1:
        assert o == n
    else:
        assert o < 1
    assert core.output_size(i, k, s, p_lo, d=d) == torch_conv_size(i, k, s, p_lo, p_lo, d)  # p_hi defaults to p_lo
    assert core.transposed_output_size(i, k, s, p_lo, p_hi, d, a) == torch_transposed_size(i, k, s, p_lo, p_hi, d, a)
    assert core.transposed_output_size(i, k, s, p_lo, d=d, a=a) == torch_transposed_size(i, k, s, p_lo, p_lo, d, a)
    assert core.effective_kernel_size(k, d) == len(explicit_dilate(np.ones((1, k)), 1, d)[0])


FWD_GRID = list(itertools.product(range(1, 13), range(1, 6), range(1, 5), range(0, 5), range(1, 4)))  # i, k, s, p, d: 3600 combinations


def _row_params(s, p, d, a=0):
    """1-row problems: the parameters act on the column axis only."""
    return core.ConvParams(stride=(1, s), padding=(0, 0, p, p), dilation=(1, d), output_padding=(0, a))


def _col_params(s, p, d):
    return core.ConvParams(stride=(s, 1), padding=(p, p, 0, 0), dilation=(d, 1))


def test_dumoulin_visin_forward_relationships():
    hits = Counter()
    for i, k, s, p, d in FWD_GRID:
        n = brute_size(i, k, s, p, p, d)
        row_x, row_k = np.ones((1, i), dtype=np.int64), np.ones((1, k), dtype=np.int64)
        if n < 1:
            assert core.output_size(i, k, s, p, p, d) < 1
            with pytest.raises(ValueError):
                core.corr2d(row_x, row_k, _row_params(s, p, d))
            hits["no fit"] += 1
            continue
        o = core.output_size(i, k, s, p, p, d)
        assert o == n == torch_conv_size(i, k, s, p, p, d), (i, k, s, p, d)
        assert core.corr2d(row_x, row_k, _row_params(s, p, d)).shape == (1, n)
        assert core.corr2d(row_x.T, row_k.T, _col_params(s, p, d)).shape == (n, 1)
        if d == 1:
            if s == 1 and p == 0:
                assert n == (i - k) + 1  # Relationship 1
                hits[1] += 1
            if s == 1:
                assert n == (i - k) + 2 * p + 1  # Relationship 2
                hits[2] += 1
            if s == 1 and k % 2 == 1 and p == k // 2:
                assert n == i  # Relationship 3 (half / same padding)
                hits[3] += 1
            if s == 1 and p == k - 1:
                assert n == i + (k - 1)  # Relationship 4 (full padding)
                hits[4] += 1
            if p == 0:
                assert n == (i - k) // s + 1  # Relationship 5
                hits[5] += 1
                # Relationship 7: pooling has the same arithmetic (no padding).
                pooled = core.pool2d(np.zeros((i, i), dtype=np.int64), k, s)
                assert pooled.shape == ((i - k) // s + 1,) * 2
                hits[7] += 1
            assert n == (i + 2 * p - k) // s + 1  # Relationship 6
            hits[6] += 1
        assert n == (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1  # Relationship 15
        hits[15] += 1
    for rel in (1, 2, 3, 4, 5, 6, 7, 15, "no fit"):
        assert hits[rel] >= 10, (rel, hits)
    assert sum(hits[r] for r in (15, "no fit")) == len(FWD_GRID) >= 1000


TRANSPOSED_METHODS = (core.transposed_scatter, core.transposed_via_matrix, core.transposed_zero_insertion)


def _transposed_len(n, k, s, p, d, a):
    """Length of every transposed method's output for a 1 x n input (all must agree)."""
    y = np.arange(1, n + 1, dtype=np.int64)[None, :]
    kern = np.ones((1, k), dtype=np.int64)
    shapes = {m(y, kern, _row_params(s, p, d, a)).shape for m in TRANSPOSED_METHODS}
    assert len(shapes) == 1, shapes
    (shape,) = shapes
    assert shape[0] == 1
    return shape[1]


def test_dumoulin_visin_transposed_relationships():
    hits = Counter()
    for i, k, s, p, d in FWD_GRID:
        n = brute_size(i, k, s, p, p, d)  # i' : the forward output = the transposed input
        if n < 1:
            continue
        a_rt = (i + 2 * p - d * (k - 1) - 1) % s  # output_padding that restores i
        assert a_rt < max(s, d)
        # Relationship 14 (dilated form): the round trip restores exactly i.
        o_rt = _transposed_len(n, k, s, p, d, a_rt)
        assert o_rt == i == core.transposed_output_size(n, k, s, p, p, d, a_rt), (i, k, s, p, d)
        assert o_rt == torch_transposed_size(n, k, s, p, p, d, a_rt)
        y_back = core.transposed_scatter(np.ones((1, n), dtype=np.int64), np.ones((1, k), dtype=np.int64), _row_params(s, p, d, a_rt))
        assert core.corr2d(y_back, np.ones((1, k), dtype=np.int64), _row_params(s, p, d)).shape == (1, n)
        hits["round trip"] += 1
        # Every i that convolves to n, from the smallest (output_padding 0) up.
        preimages = [j for j in range(1, i + s + 1) if brute_size(j, k, s, p, p, d) == n]
        assert i in preimages
        o0 = torch_transposed_size(n, k, s, p, p, d, 0)
        if o0 < 1:
            assert a_rt > 0 and o0 == i - a_rt  # only output_padding makes this one valid
            hits["o0 < 1"] += 1
            continue
        assert _transposed_len(n, k, s, p, d, 0) == o0 == min(preimages) == i - a_rt
        assert core.transposed_output_size(n, k, s, p, p, d, 0) == o0
        if d == 1:
            if s == 1 and p == 0:
                assert o0 == n + (k - 1)  # Relationship 8
                hits[8] += 1
            if s == 1:
                assert o0 == n + (k - 1) - 2 * p  # Relationship 9
                hits[9] += 1
            if s == 1 and k % 2 == 1 and p == k // 2:
                assert o0 == n  # Relationship 10
                hits[10] += 1
            if s == 1 and p == k - 1:
                assert o0 == n - (k - 1)  # Relationship 11
                hits[11] += 1
            if p == 0 and (i - k) % s == 0:
                assert o0 == s * (n - 1) + k == i  # Relationship 12
                hits[12] += 1
            if (i + 2 * p - k) % s == 0:
                assert o0 == s * (n - 1) + k - 2 * p == i  # Relationship 13
                hits[13] += 1
            a = (i + 2 * p - k) % s
            assert a == a_rt
            assert o_rt == s * (n - 1) + a + k - 2 * p == i  # Relationship 14
            hits[14] += 1
    for rel in (8, 9, 10, 11, 12, 13, 14, "round trip", "o0 < 1"):
        assert hits[rel] >= 10, (rel, hits)
    assert hits["round trip"] >= 1000


def test_valid_input_sizes_against_brute_force():
    checked = 0
    for o, k, s, p, d in itertools.product(range(1, 7), range(1, 6), range(1, 5), range(0, 4), range(1, 4)):
        upper = (o + 2) * s + d * k + 2 * p + 5  # brute_size grows with i; past this it exceeds o
        expected = [i for i in range(1, upper) if brute_size(i, k, s, p, p, d) == o]
        got = core.valid_input_sizes(o, k, s, p, d)
        assert list(got) == expected, (o, k, s, p, d)
        assert len(got) <= s
        for i in got:  # each one is reached by the transposed conv with some output_padding < s
            a = i - torch_transposed_size(o, k, s, p, p, d, 0)
            assert 0 <= a < s
        checked += 1
    assert checked >= 1000


def test_valid_input_sizes_docstring_example():
    assert core.valid_input_sizes(3, 3, 2) == [7, 8]
    assert brute_size(7, 3, 2) == brute_size(8, 3, 2) == 3 != brute_size(6, 3, 2) != brute_size(9, 3, 2)


# ============================================================================= channels


@st.composite
def multi_cases(draw):
    g = draw(st.integers(1, 3))
    per_in, per_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    t, b, l, r = (draw(st.integers(0, 2)) for _ in range(4))
    h = _fitting_side(draw, kh, dh, t, b, 6)
    w = _fitting_side(draw, kw, dw, l, r, 6)
    x = draw(int_arrays((g * per_in, h, w)))
    wt = draw(int_arrays((g * per_out, per_in, kh, kw)))
    return x, wt, (sh, sw), (t, b, l, r), (dh, dw), g


@PROPS
@given(multi_cases())
def test_corr2d_multi_matches_brute_force_with_groups(case):
    x, w, stride, padding, dilation, g = case
    p = core.ConvParams(stride=stride, padding=padding, dilation=dilation, groups=g)
    out = core.corr2d_multi(x, w, p)
    brute = brute_corr2d_multi(x, w, stride, padding, dilation, g)
    # Oracle cross-check: output channel o sums SciPy correlations over its group's input channels.
    per_in, per_out = x.shape[0] // g, w.shape[0] // g
    for o in range(w.shape[0]):
        grp = o // per_out
        ref = sum(scipy_corr2d(x[grp * per_in + j], w[o, j], stride, padding, dilation) for j in range(per_in))
        assert np.array_equal(brute[o], ref)
    assert out.shape == brute.shape
    assert np.array_equal(out, brute)


@PROPS
@given(multi_cases())
def test_unrolled_matrix_multi(case):
    x, w, stride, padding, dilation, g = case
    p = core.ConvParams(stride=stride, padding=padding, dilation=dilation, groups=g)
    M = core.unrolled_matrix_multi(x.shape, w, p)
    assert np.array_equal(M @ x.ravel(), core.corr2d_multi(x, w, p).ravel())
    assert np.array_equal(M @ x.ravel(), brute_corr2d_multi(x, w, stride, padding, dilation, g).ravel())
    # Blocks between channels of different groups are zero.
    c_in, h, wd = x.shape
    c_out = w.shape[0]
    n_out = M.shape[0] // c_out
    for o, c in itertools.product(range(c_out), range(c_in)):
        if o // (c_out // g) != c // (c_in // g):
            assert not M[o * n_out : (o + 1) * n_out, c * h * wd : (c + 1) * h * wd].any()


# ============================================================================= 1-D signals


@st.composite
def signals(draw, max_n=12, max_k=5):
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, min(n, max_k)))
    return draw(int_arrays(n)), draw(int_arrays(m)), draw(st.integers(1, 3))


@PROPS
@given(signals())
def test_1d_signals_against_numpy(case):
    x, k, s = case
    p = core.params(stride=s)
    expected = np.correlate(x, k, mode="valid")[::s]
    out = core.corr2d(x, k, p)
    assert out.shape == (1, len(expected))
    assert np.array_equal(out[0], expected)
    assert np.array_equal(core.conv2d(x, k, p)[0], np.convolve(x, k, mode="valid")[::s])
    assert np.array_equal(core.unrolled_matrix(x.shape, k, p) @ x, expected)


@PROPS
@given(signals(max_n=9, max_k=4), st.integers(0, 3), st.integers(0, 3), st.integers(1, 3))
def test_1d_signals_with_padding_and_dilation(case, lo, hi, d):
    x, k, s = case
    assume(brute_size(len(x), len(k), s, lo, hi, d) >= 1)
    p = core.ConvParams(stride=(1, s), padding=(0, 0, lo, hi), dilation=(1, d))
    xd = np.pad(x, (lo, hi))
    kd = explicit_dilate(k[None, :], 1, d)[0]
    expected = np.correlate(xd, kd, mode="valid")[::s]
    assert np.array_equal(brute_corr2d(x[None, :], k[None, :], (1, s), (0, 0, lo, hi), (1, d))[0], expected)
    assert np.array_equal(core.corr2d(x, k, p), expected[None, :])


# ============================================================================= pooling


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, MAX_K)), draw(st.integers(1, MAX_K))
    h, w = draw(st.integers(kh, MAX_IN)), draw(st.integers(kw, MAX_IN))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    return draw(int_arrays((h, w))), (kh, kw), stride


def brute_pool(x, k, s, reduce):
    (kh, kw), (sh, sw) = k, s
    h, w = x.shape
    rows = brute_starts(h, kh, sh, 0, 0, 1)
    cols = brute_starts(w, kw, sw, 0, 0, 1)
    out = np.zeros((len(rows), len(cols)), dtype=np.float64)
    for oi, R0 in enumerate(rows):
        for oj, C0 in enumerate(cols):
            vals = [int(x[R0 + a, C0 + b]) for a in range(kh) for b in range(kw)]
            out[oi, oj] = reduce(vals)
    return out


@PROPS
@given(pool_cases())
def test_pool2d_matches_brute_force(case):
    x, k, stride = case
    s = k if stride is None else stride
    mx = core.pool2d(x, k, stride, mode="max")
    assert np.array_equal(mx, brute_pool(x, k, s, max))
    # Relationship 7 for the shape.
    assert mx.shape == ((x.shape[0] - k[0]) // s[0] + 1, (x.shape[1] - k[1]) // s[1] + 1)
    n = k[0] * k[1]
    sums = brute_pool(x, k, s, sum)
    avg = core.pool2d(x, k, stride, mode="avg")
    assert np.array_equal(np.rint(avg * n), sums)  # exact integer sums behind the means
    assert np.allclose(avg, sums / n, rtol=0, atol=1e-12)
    with pytest.raises(ValueError):
        core.pool2d(x, k, stride, mode="median")


@PROPS
@given(pool_cases())
def test_avg_pooling_is_the_unrolled_matrix_of_the_mean_kernel(case):
    x, (kh, kw), _ = case
    p = core.params(stride=(kh, kw))
    avg = core.pool2d(x, (kh, kw), mode="avg")
    C = core.unrolled_matrix(x.shape, np.ones((kh, kw)) / (kh * kw), p)
    assert np.allclose((C @ x.ravel()).reshape(avg.shape), avg, rtol=0, atol=1e-12)
    C_int = core.unrolled_matrix(x.shape, np.ones((kh, kw), dtype=np.int64), p)
    assert np.array_equal(C_int @ x.ravel(), np.rint(avg * kh * kw).ravel())


# ============================================================================= helpers


@PROPS
@given(int_arrays(st.tuples(st.integers(1, 5), st.integers(1, 5))), st.integers(1, 4), st.integers(1, 4))
def test_dilate_and_insert_zeros(k, dh, dw):
    assert np.array_equal(core.dilate(k, (dh, dw)), explicit_dilate(k, dh, dw))
    assert np.array_equal(core.insert_zeros(k, (dh, dw)), explicit_dilate(k, dh, dw))
    assert core.dilate(k, (dh, dw)).shape == (core.effective_kernel_size(k.shape[0], dh), core.effective_kernel_size(k.shape[1], dw))


def test_params_shorthands():
    assert core.params(padding=3).padding == (3, 3, 3, 3)
    assert core.params(stride=2, padding=(1, 2)).padding == (1, 1, 2, 2)
    assert core.params(padding=(1, 2, 3, 4)).padding == (1, 2, 3, 4)
    p = core.params(stride=(2, 3), dilation=2, output_padding=(1, 0), groups=2)
    assert (p.stride, p.dilation, p.output_padding, p.groups) == ((2, 3), (2, 2), (1, 0), 2)
    assert (p.pad_rows, p.pad_cols) == ((0, 0), (0, 0))
    assert core.params(padding=(1, 2, 3, 4)).pad_rows == (1, 2)
    assert core.params(padding=(1, 2, 3, 4)).pad_cols == (3, 4)
    with pytest.raises(ValueError):
        core.params(padding=(1, 2, 3))


def test_corr2d_rejects_a_kernel_that_does_not_fit():
    with pytest.raises(ValueError):
        core.corr2d(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError):
        core.corr2d(np.ones((3, 3)), np.ones((2, 2)), core.params(dilation=3))
