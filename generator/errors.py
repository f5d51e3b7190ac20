"""The one error type users see, and the problems it collects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec: where it is, what was expected, what was received."""

    file: str
    card: str | None
    field: str | None
    expected: str
    received: str

    def __str__(self) -> str:
        where = [self.file]
        if self.card is not None:
            where.append(f"card '{self.card}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: expected {self.expected}, but received {self.received}"


class SpecError(Exception):
    """Bad input from a user: one or more :class:`Problem`, all reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def short(value: object, limit: int = 60) -> str:
    """A value as the user wrote it, cut to ``limit`` characters for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
