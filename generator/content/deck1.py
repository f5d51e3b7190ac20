"""Computations specific to the cards of deck 1."""

from __future__ import annotations

from typing import Any

# card id -> function(card, examples) -> dict, available to the card's template as `extra`.
EXTRAS: dict[str, Any] = {}
# figure kind -> function(obj, **kw) -> (svg bytes, alt text), called as `figure("kind", obj)`.
FIGURES: dict[str, Any] = {}
