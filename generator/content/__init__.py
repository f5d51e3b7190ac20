"""Card-specific computations: tables, enumerations and maps a card shows beyond its examples.

Each deck module maps card ids to a function ``(card, examples) -> dict`` whose
result templates receive as ``extra``. Pure numpy on top of :mod:`generator.core`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import galleryfig
from ..examples import Example
from ..spec import CardSpec
from . import deck1, deck2, deck3, deck4, deck5, deck6

Extra = Callable[[CardSpec, dict[str, Example]], dict[str, Any]]

EXTRAS: dict[str, Extra] = {}
FIGURES: dict[str, Callable[..., tuple[bytes, str]]] = {}


def _merge(target: dict[str, Any], source: dict[str, Any], what: str, module: str) -> None:
    """Add ``source`` to ``target``; two deck modules defining one name is a bug, not an override."""
    clash = sorted(set(target) & set(source))
    if clash:
        raise RuntimeError(f"{module} defines {what} already defined by another deck module: {', '.join(clash)}")
    target.update(source)


for _module in (deck1, deck2, deck3, deck4, deck5, deck6):
    _merge(EXTRAS, _module.EXTRAS, "extras", _module.__name__)
    _merge(FIGURES, getattr(_module, "FIGURES", {}), "figures", _module.__name__)
_merge(FIGURES, galleryfig.FIGURES, "figures", galleryfig.__name__)  # the gallery's GIFs and strips


def extras(card: CardSpec, examples: dict[str, Example]) -> dict[str, Any]:
    """The card's extra computed values, or an empty dict for cards without any."""
    fn = EXTRAS.get(card.id)
    return fn(card, examples) if fn else {}


def figure(kind: str) -> Callable[..., tuple[bytes, str]]:
    """A figure function by name: a deck module's ``FIGURES`` first, then :mod:`generator.figures`."""
    from .. import figures

    return FIGURES.get(kind) or getattr(figures, kind)
