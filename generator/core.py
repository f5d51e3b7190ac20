"""Numeric core: convolution arithmetic with numpy, no I/O, no LaTeX.

Conventions (the site's notation):

* ``corr2d`` is what a deep-learning "convolution layer" computes: cross-correlation.
* Padding is given per side as ``(top, bottom, left, right)``; zeros are added there.
* Dilation ``d`` = 1 is a contiguous kernel (PyTorch's convention).
* Flattening is row-major ("left to right, top to bottom"), as ``ndarray.ravel()``.

Every 2-D function also accepts a 1-D signal by treating it as a single row.

Examples
--------
>>> x = np.arange(16).reshape(4, 4)
>>> k = np.array([[1, 0], [0, -1]])
>>> corr2d(x, k)
array([[-5, -5, -5],
       [-5, -5, -5],
       [-5, -5, -5]])
>>> C = unrolled_matrix(x.shape, k)
>>> C.shape
(9, 16)
>>> bool((C @ x.ravel() == corr2d(x, k).ravel()).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Pair = tuple[int, int]
Sides = tuple[int, int, int, int]


@dataclass(frozen=True)
class ConvParams:
    """Parameters of a 2-D convolution, every one already per axis or per side.

    ``padding`` is ``(top, bottom, left, right)``; ``output_padding`` only
    matters for the transposed convolution and is added at the bottom/right.
    """

    stride: Pair = (1, 1)
    padding: Sides = (0, 0, 0, 0)
    dilation: Pair = (1, 1)
    output_padding: Pair = (0, 0)
    groups: int = 1

    @property
    def pad_rows(self) -> Pair:
        return self.padding[0], self.padding[1]

    @property
    def pad_cols(self) -> Pair:
        return self.padding[2], self.padding[3]


def params(
    stride: int | Pair = 1,
    padding: int | Pair | Sides = 0,
    dilation: int | Pair = 1,
    output_padding: int | Pair = 0,
    groups: int = 1,
) -> ConvParams:
    """Build :class:`ConvParams` from PyTorch-like shorthands.

    ``padding`` may be one number (all sides), a pair ``(rows, cols)`` (both
    sides of each axis, as PyTorch) or four numbers ``(top, bottom, left, right)``.

    >>> params(stride=2, padding=(1, 2)).padding
    (1, 1, 2, 2)
    """
    return ConvParams(
        stride=as_pair(stride),
        padding=as_sides(padding),
        dilation=as_pair(dilation),
        output_padding=as_pair(output_padding),
        groups=int(groups),
    )


def as_pair(v: int | Pair | list[int]) -> Pair:
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    a, b = v
    return int(a), int(b)


def as_sides(v: int | Pair | Sides | list[int]) -> Sides:
    if isinstance(v, (int, np.integer)):
        n = int(v)
        return n, n, n, n
    v = [int(e) for e in v]
    if len(v) == 2:
        return v[0], v[0], v[1], v[1]
    if len(v) == 4:
        return v[0], v[1], v[2], v[3]
    raise ValueError(f"padding needs 1, 2 or 4 numbers, got {len(v)}")


# ----------------------------------------------------------------------------- sizes


def output_size(i: int, k: int, s: int = 1, p_lo: int = 0, p_hi: int | None = None, d: int = 1) -> int:
    """Output length of a cross-correlation along one axis (Relationship 15).

    ``o = floor((i + p_lo + p_hi - d(k-1) - 1) / s) + 1``; ``p_hi`` defaults to ``p_lo``.

    >>> output_size(4, 3)
    2
    >>> output_size(6, 3, s=2, p_lo=1)
    3
    """
    p_hi = p_lo if p_hi is None else p_hi
    return (i + p_lo + p_hi - d * (k - 1) - 1) // s + 1


def transposed_output_size(
    i: int, k: int, s: int = 1, p_lo: int = 0, p_hi: int | None = None, d: int = 1, a: int = 0
) -> int:
    """Output length of a transposed convolution along one axis (PyTorch's form).

    ``o' = (i' - 1)s - p_lo - p_hi + d(k - 1) + a + 1`` with ``a`` the output_padding.

    >>> transposed_output_size(2, 3)
    4
    """
    p_hi = p_lo if p_hi is None else p_hi
    return (i - 1) * s - p_lo - p_hi + d * (k - 1) + a + 1


def effective_kernel_size(k: int, d: int) -> int:
    """Size of a kernel with ``d - 1`` zeros between taps: ``k + (k-1)(d-1)``."""
    return k + (k - 1) * (d - 1)


def output_shape(in_shape: Pair, k_shape: Pair, p: ConvParams) -> Pair:
    """Output shape of :func:`corr2d` for an input and kernel shape."""
    (h, w), (kh, kw) = in_shape, k_shape
    return (
        output_size(h, kh, p.stride[0], p.padding[0], p.padding[1], p.dilation[0]),
        output_size(w, kw, p.stride[1], p.padding[2], p.padding[3], p.dilation[1]),
    )


def transposed_output_shape(in_shape: Pair, k_shape: Pair, p: ConvParams) -> Pair:
    """Output shape of the transposed convolution of an ``in_shape`` input."""
    (h, w), (kh, kw) = in_shape, k_shape
    return (
        transposed_output_size(h, kh, p.stride[0], p.padding[0], p.padding[1], p.dilation[0], p.output_padding[0]),
        transposed_output_size(w, kw, p.stride[1], p.padding[2], p.padding[3], p.dilation[1], p.output_padding[1]),
    )


# ----------------------------------------------------------------------------- helpers


def as_2d(a: np.ndarray) -> np.ndarray:
    """View a 1-D signal as a single row; leave 2-D arrays alone."""
    a = np.asarray(a)
    return a[np.newaxis, :] if a.ndim == 1 else a


def flip(k: np.ndarray) -> np.ndarray:
    """The kernel flip of true convolution: a 180° rotation (both axes reversed).

    Not a transpose:

    >>> flip(np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]))
    array([[-1,  0,  1],
           [-2,  0,  2],
           [-1,  0,  1]])
    """
    k = np.asarray(k)
    return k[tuple(slice(None, None, -1) for _ in range(k.ndim))].copy()


def pad(x: np.ndarray, padding: Sides) -> np.ndarray:
    """Zero-pad a 2-D array per side ``(top, bottom, left, right)``."""
    t, b, l, r = padding
    return np.pad(as_2d(x), ((t, b), (l, r)))


def dilate(k: np.ndarray, dilation: Pair) -> np.ndarray:
    """Insert ``d - 1`` zeros between the taps of a kernel along each axis."""
    k = as_2d(k)
    dh, dw = dilation
    kh, kw = k.shape
    out = np.zeros((effective_kernel_size(kh, dh), effective_kernel_size(kw, dw)), dtype=k.dtype)
    out[::dh, ::dw] = k
    return out


def insert_zeros(y: np.ndarray, stride: Pair) -> np.ndarray:
    """Insert ``s - 1`` zeros between the entries of ``y`` along each axis."""
    y = as_2d(y)
    sh, sw = stride
    h, w = y.shape
    out = np.zeros(((h - 1) * sh + 1, (w - 1) * sw + 1), dtype=y.dtype)
    out[::sh, ::sw] = y
    return out


def _result_dtype(*arrays: np.ndarray) -> np.dtype:
    return np.result_type(*arrays, np.int64)


# ----------------------------------------------------------------------------- forward


def corr2d(x: np.ndarray, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """Cross-correlation of one channel: ``y[r, c] = sum_ab k[a, b] x_pad[r s + a d, c s + b d]``.

    Vectorised over output positions; loops only over the kernel taps.
    Returns an array of shape :func:`output_shape`.
    """
    p = p or ConvParams()
    x, k = as_2d(x), as_2d(k)
    oh, ow = output_shape(x.shape, k.shape, p)
    if oh < 1 or ow < 1:
        raise ValueError(f"kernel {k.shape} does not fit the padded input {x.shape}")
    xp = pad(x, p.padding)
    (sh, sw), (dh, dw) = p.stride, p.dilation
    out = np.zeros((oh, ow), dtype=_result_dtype(x, k))
    for a in range(k.shape[0]):
        for b in range(k.shape[1]):
            r0, c0 = a * dh, b * dw
            out += k[a, b] * xp[r0 : r0 + sh * (oh - 1) + 1 : sh, c0 : c0 + sw * (ow - 1) + 1 : sw]
    return out


def conv2d(x: np.ndarray, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """True convolution: cross-correlation with the flipped kernel."""
    return corr2d(x, flip(as_2d(k)), p)


def window_origins(in_shape: Pair, k_shape: Pair, p: ConvParams) -> tuple[np.ndarray, np.ndarray]:
    """Top-left corner (in padded coordinates) of the window of every output position."""
    oh, ow = output_shape(in_shape, k_shape, p)
    return np.arange(oh) * p.stride[0], np.arange(ow) * p.stride[1]


def windows(x: np.ndarray, k_shape: Pair, p: ConvParams | None = None) -> np.ndarray:
    """The input patch under the kernel at each output position.

    Shape ``(oh, ow, kh, kw)``; padding cells hold 0. Taps only (dilation skips cells).
    """
    p = p or ConvParams()
    x = as_2d(x)
    kh, kw = k_shape
    oh, ow = output_shape(x.shape, k_shape, p)
    xp = pad(x, p.padding)
    rows = (np.arange(oh) * p.stride[0])[:, None, None, None] + (np.arange(kh) * p.dilation[0])[None, None, :, None]
    cols = (np.arange(ow) * p.stride[1])[None, :, None, None] + (np.arange(kw) * p.dilation[1])[None, None, None, :]
    return xp[rows, cols]


def _index_dtype(*sizes: int) -> type:
    """int32 when every index fits (half the memory traffic of int64), else int64."""
    return np.int32 if max(sizes) < 2**31 - 1 else np.int64


def _tap_offsets(n_out: int, k: int, s: int, d: int, lo: int, n_in: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Along one axis: the input index ``o s - lo + a d`` of output ``o`` and tap ``a``, and whether it is real.

    Returns ``(index, inside)`` of shape ``(n_out, k)``; cheap (one axis, not the whole matrix).
    """
    idx = (np.arange(n_out, dtype=dtype) * s - lo)[:, None] + (np.arange(k, dtype=dtype) * d)[None, :]
    return idx, (idx >= 0) & (idx < n_in)


def unrolled_coo(in_shape: Pair, k: np.ndarray, p: ConvParams | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, Pair]:
    """The unrolled kernel matrix as sparse triplets ``(rows, cols, values, shape)``.

    Only taps that land on real input cells appear (padding columns are dropped).
    Entries come in row-major order of (output position, kernel tap), tap ``a * kw + b``.
    Built by index arithmetic, no Python loop over entries.

    Notes
    -----
    The flat input index of output ``(r, c)`` and tap ``(a, b)`` separates into a row
    part and a column part, ``(r s_h - t + a d_h) w + (c s_w - l + b d_w)``, so the
    ``(oh*ow, kh*kw)`` index table is one broadcast sum of two small per-axis tables.
    Indices are int32 whenever they fit. When no tap lands on padding (the common
    unpadded case) no mask is built at all: rows are a repeat and values a tile.
    """
    p = p or ConvParams()
    k = as_2d(k)
    in_shape = tuple(in_shape) if len(in_shape) == 2 else (1, in_shape[0])
    h, w = in_shape
    kh, kw = k.shape
    oh, ow = output_shape(in_shape, k.shape, p)
    if (oh < 0 or ow < 0) and oh * ow != 0:  # as ever: an empty side gives an empty matrix
        raise ValueError(f"kernel {k.shape} does not fit the padded input {in_shape}")
    oh, ow = max(oh, 0), max(ow, 0)
    n_out, n_taps = oh * ow, kh * kw
    shape = (n_out, h * w)
    it = _index_dtype(h * w, n_out * n_taps)
    r_idx, r_in = _tap_offsets(oh, kh, p.stride[0], p.dilation[0], p.padding[0], h, it)
    c_idx, c_in = _tap_offsets(ow, kw, p.stride[1], p.dilation[1], p.padding[2], w, it)
    # flat[r, c, a, b] = r_idx[r, a] * w + c_idx[c, b]
    flat = ((r_idx * it(w))[:, None, :, None] + c_idx[None, :, None, :]).reshape(n_out, n_taps)
    kv = k.ravel()
    if r_in.all() and c_in.all():
        rows = np.repeat(np.arange(n_out, dtype=it), n_taps)
        return rows, flat.ravel(), np.tile(kv, n_out), shape
    inside = (r_in[:, None, :, None] & c_in[None, :, None, :]).reshape(n_out, n_taps)
    rows, taps = np.nonzero(inside)
    return rows.astype(it, copy=False), flat[rows, taps], kv[taps], shape


def unrolled_matrix(in_shape: Pair | tuple[int], k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """The matrix ``C`` with ``C @ x.ravel() == corr2d(x, k, p).ravel()`` (row-major).

    Shape ``(oh*ow, h*w)``. Row ``r`` holds the kernel laid over input window ``r``.
    """
    rows, cols, values, shape = unrolled_coo(in_shape, k, p)
    C = np.zeros(shape, dtype=_result_dtype(np.asarray(k)))
    C[rows, cols] = values
    return C


def unrolled_matrix_column_major(in_shape: Pair, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """``C`` for column-major flattening of input and output (``ravel(order='F')``)."""
    C = unrolled_matrix(in_shape, k, p)
    h, w = in_shape
    oh, ow = output_shape(in_shape, as_2d(k).shape, p or ConvParams())
    out_perm = np.arange(oh * ow).reshape(oh, ow).ravel(order="F")
    in_perm = np.arange(h * w).reshape(h, w).ravel(order="F")
    return C[np.ix_(out_perm, in_perm)]


def unrolled_matrix_padded(in_shape: Pair, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """``C`` acting on the flattened *padded* input: padding kept as columns."""
    p = p or ConvParams()
    t, b, l, r = p.padding
    h, w = in_shape
    q = ConvParams(stride=p.stride, dilation=p.dilation)
    return unrolled_matrix((h + t + b, w + l + r), k, q)


def im2col(x: np.ndarray, k_shape: Pair, p: ConvParams | None = None) -> np.ndarray:
    """The patches matrix: column ``j`` is the (padded) window of output position ``j``.

    Shape ``(kh*kw, oh*ow)``; ``k.ravel() @ im2col(x, k.shape, p)`` is the flattened output.
    """
    win = windows(x, k_shape, p)
    oh, ow, kh, kw = win.shape
    return win.reshape(oh * ow, kh * kw).T.copy()


# ----------------------------------------------------------------------------- channels


def corr2d_multi(x: np.ndarray, w: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """Multi-channel cross-correlation, as ``torch.nn.functional.conv2d`` (no bias).

    ``x`` has shape ``(C_in, h, w)``, ``w`` has shape ``(C_out, C_in / groups, kh, kw)``;
    returns ``(C_out, oh, ow)``. Output channel ``o`` of group ``g`` sums the
    correlations of its group's input channels with its kernels.
    """
    p = p or ConvParams()
    x, w = np.asarray(x), np.asarray(w)
    c_in, c_out, g = x.shape[0], w.shape[0], p.groups
    per_in, per_out = c_in // g, c_out // g
    oh, ow = output_shape(x.shape[1:], w.shape[2:], p)
    out = np.zeros((c_out, oh, ow), dtype=_result_dtype(x, w))
    for o in range(c_out):
        grp = o // per_out
        for j in range(per_in):
            out[o] += corr2d(x[grp * per_in + j], w[o, j], p)
    return out


def unrolled_matrix_multi(in_shape: tuple[int, int, int], w: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """Block matrix of a multi-channel layer: block ``(o, c)`` is ``C`` of kernel ``w[o, c]``.

    Shape ``(C_out*oh*ow, C_in*h*w)``; blocks linking channels of different groups are zero.
    Acts on the input flattened channel by channel (``x.ravel()``).
    """
    p = p or ConvParams()
    w = np.asarray(w)
    c_in, h, wd = in_shape
    c_out, g = w.shape[0], p.groups
    per_in, per_out = c_in // g, c_out // g
    oh, ow = output_shape((h, wd), w.shape[2:], p)
    n_out, n_in = oh * ow, h * wd
    M = np.zeros((c_out * n_out, c_in * n_in), dtype=_result_dtype(w))
    for o in range(c_out):
        grp = o // per_out
        for j in range(per_in):
            c = grp * per_in + j
            M[o * n_out : (o + 1) * n_out, c * n_in : (c + 1) * n_in] = unrolled_matrix((h, wd), w[o, j], p)
    return M


# ----------------------------------------------------------------------------- transposed


def transposed_via_matrix(y: np.ndarray, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """Transposed convolution as ``C.T @ y`` where ``C`` is the forward matrix.

    The forward input shape is the transposed output shape (so output_padding is honoured).
    """
    p = p or ConvParams()
    y, k = as_2d(y), as_2d(k)
    out_shape = transposed_output_shape(y.shape, k.shape, p)
    C = unrolled_matrix(out_shape, k, p)
    fwd = output_shape(out_shape, k.shape, p)
    if fwd != y.shape:
        # output_padding >= stride (allowed when < dilation): the forward convolution of
        # the larger input has extra outputs; y only feeds the first ones.
        keep = np.arange(fwd[0] * fwd[1]).reshape(fwd)[: y.shape[0], : y.shape[1]].ravel()
        C = C[keep]
    return (C.T @ y.ravel()).reshape(out_shape)


def transposed_scatter(y: np.ndarray, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """Transposed convolution by scatter-add: each ``y[r, c]`` stamps ``y[r, c] * k``.

    Stamps land at ``(r s, c s)`` of a full-size canvas; overlaps add; the canvas
    is then cropped by the padding (and extended by output_padding).
    """
    p = p or ConvParams()
    y, k = as_2d(y), as_2d(k)
    kd = dilate(k, p.dilation)
    (sh, sw), (kh, kw) = p.stride, kd.shape
    h, w = y.shape
    full = np.zeros(((h - 1) * sh + kh + p.output_padding[0], (w - 1) * sw + kw + p.output_padding[1]), dtype=_result_dtype(y, k))
    for r in range(h):
        for c in range(w):
            full[r * sh : r * sh + kh, c * sw : c * sw + kw] += y[r, c] * kd
    t, b, l, rr = p.padding
    out_h, out_w = transposed_output_shape(y.shape, k.shape, p)
    return _crop_or_pad(full, t, l, out_h, out_w)


def _crop_or_pad(a: np.ndarray, top: int, left: int, out_h: int, out_w: int) -> np.ndarray:
    """Window ``[top : top + out_h, left : left + out_w]`` of ``a``, zeros outside it."""
    out = np.zeros((out_h, out_w), dtype=a.dtype)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + out_h, a.shape[0]), min(left + out_w, a.shape[1])
    if r1 > r0 and c1 > c0:
        out[r0 - top : r1 - top, c0 - left : c1 - left] = a[r0:r1, c0:c1]
    return out


def zero_insertion_input(y: np.ndarray, k_shape: Pair, p: ConvParams | None = None) -> np.ndarray:
    """The input of the direct convolution equivalent to a transposed one.

    ``s - 1`` zeros between entries of ``y``, then ``d(k-1) - p`` zeros on each side
    (plus output_padding at the bottom/right). A negative amount crops instead.
    """
    p = p or ConvParams()
    z = insert_zeros(y, p.stride)
    kh, kw = k_shape
    (dh, dw), (t, b, l, r), (ah, aw) = p.dilation, p.padding, p.output_padding
    top, bottom = dh * (kh - 1) - t, dh * (kh - 1) - b + ah
    left, right = dw * (kw - 1) - l, dw * (kw - 1) - r + aw
    return _crop_or_pad(z, -top, -left, z.shape[0] + top + bottom, z.shape[1] + left + right)


def transposed_zero_insertion(y: np.ndarray, k: np.ndarray, p: ConvParams | None = None) -> np.ndarray:
    """Transposed convolution as a direct one: zeros inserted and padded, flipped kernel, stride 1."""
    p = p or ConvParams()
    k = as_2d(k)
    z = zero_insertion_input(y, k.shape, p)
    return corr2d(z, flip(k), ConvParams(dilation=p.dilation))


def overlap_counts(in_shape: Pair, k_shape: Pair, p: ConvParams | None = None) -> np.ndarray:
    """How many kernel stamps cover each output cell of a transposed convolution."""
    return transposed_scatter(np.ones(in_shape, dtype=np.int64), np.ones(k_shape, dtype=np.int64), p)


def valid_input_sizes(o: int, k: int, s: int, p: int = 0, d: int = 1) -> list[int]:
    """Every input length ``i`` that a convolution maps to output length ``o``.

    >>> valid_input_sizes(3, 3, 2)
    [7, 8]
    """
    lo = (o - 1) * s + d * (k - 1) + 1 - 2 * p
    return [i for i in range(max(lo, 1), lo + s) if output_size(i, k, s, p, p, d) == o]


# ----------------------------------------------------------------------------- pooling


def pool2d(x: np.ndarray, k: int | Pair, s: int | Pair | None = None, mode: str = "max") -> np.ndarray:
    """Max or average pooling without padding: ``o = floor((i - k)/s) + 1`` (Relationship 7)."""
    kh, kw = as_pair(k)
    p = ConvParams(stride=as_pair(s if s is not None else k))
    win = windows(x, (kh, kw), p)
    if mode == "max":
        return win.max(axis=(2, 3))
    if mode == "avg":
        return win.mean(axis=(2, 3))
    raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
