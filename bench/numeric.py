"""``make bench``: the numeric core, the unrolled matrix C in sparse form against a naive loop."""

from __future__ import annotations

import sys
import time
from typing import Any

from timing import ROOT, median


def bench_core(runs: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from generator import core

    k = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])

    def naive(n: int, stride: int = 1, pad: int = 0, dil: int = 1) -> tuple[list[int], list[int], list[int]]:
        """The triplets of C one by one: a Python loop over output positions and kernel taps,
        as general as core.unrolled_coo (stride, padding, dilation, taps on padding skipped);
        the sparse form of tests/test_core.py's brute_unrolled_matrix (its dense C would not fit)."""
        kl = k.tolist()
        kh, kw = len(kl), len(kl[0])
        o = (n + 2 * pad - dil * (kh - 1) - 1) // stride + 1
        rows, cols, vals = [], [], []
        for r in range(o):
            for c in range(o):
                for a in range(kh):
                    for b in range(kw):
                        rr, cc = r * stride + a * dil - pad, c * stride + b * dil - pad
                        if 0 <= rr < n and 0 <= cc < n:
                            rows.append(r * o + c)
                            cols.append(rr * n + cc)
                            vals.append(kl[a][b])
        return rows, cols, vals

    out = {}
    for n in (64, 256):
        fast, slow = [], []
        res = core.unrolled_coo((n, n), k)  # warm-up (first-touch of the memory)
        for _ in range(runs):  # interleaved, so that both see the same load
            for _ in range(3):
                t = time.perf_counter()
                res = core.unrolled_coo((n, n), k)
                fast.append(time.perf_counter() - t)
            t = time.perf_counter()
            ref = naive(n)
            slow.append(time.perf_counter() - t)
        same = all(np.array_equal(np.asarray(a), b) for a, b in zip(ref, res[:3], strict=True))
        out[f"coo_{n}_ms"] = median(fast) * 1000
        out[f"naive_{n}_ms"] = median(slow) * 1000
        out[f"coo_{n}_speedup"] = median(slow) / median(fast)
        out[f"coo_{n}_nonzeros"] = int(len(res[0]))
        out[f"coo_{n}_agrees_with_naive"] = bool(same)
    return out
