"""Small oracles shared by several test files: counted by brute force, never by a size formula."""

from __future__ import annotations


def n_windows(padded: int, k: int, s: int, d: int = 1) -> int:
    """Count window positions by sliding one: start at 0, step s, stop when the kernel sticks out."""
    n, start, span = 0, 0, d * (k - 1) + 1
    while start + span <= padded:
        n += 1
        start += s
    return n
