"""Computations specific to the cards of deck 5."""

from __future__ import annotations

from typing import Any

EXTRAS: dict[str, Any] = {}
