"""YAML for deck files: the safe loader, minus YAML 1.1's surprises.

PyYAML implements YAML 1.1, where ``1:30`` is the base-60 number 90, ``010`` is the octal
8, ``0x1f``, ``0b101`` and ``1_000`` are numbers too, and a key given twice in one mapping
silently keeps the later value. A deck file means none of that: each of them is refused
with :class:`Quirk`, which names the line. Plain decimals (``-3``, ``+4``, ``2.5``,
``1.0e+3``) load as before.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")


class Quirk(yaml.YAMLError):
    """A YAML 1.1 reading that a deck file refuses: what was expected, what was written, where."""

    def __init__(self, expected: str, received: str, mark: Any):
        self.expected = expected
        self.received = received
        self.problem_mark = mark
        super().__init__(f"expected {expected}, but received {received} at line {mark.line + 1}")


def _number_hint(text: str, value: object) -> str:
    t = text.replace("_", "")
    if ":" in text:
        return f"a plain decimal number (YAML 1.1 reads {text} as {value}, base 60): write {value}, or quote it"
    if re.match(r"^[-+]?0[0-7]+$", t):
        return f"a plain decimal number (YAML 1.1 reads {text} as {value}, octal): write {value} or {int(t)}"
    if re.match(r"^[-+]?0x", t):
        return f"a plain decimal number (YAML 1.1 reads {text} as {value}, hexadecimal): write {value}"
    if re.match(r"^[-+]?0b", t):
        return f"a plain decimal number (YAML 1.1 reads {text} as {value}, binary): write {value}"
    return f"a plain decimal number (YAML 1.1 reads {text} as {value}): write {value}"


class _Strict:
    """Mixed into a safe loader: plain numbers only, each key once."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(self, node)  # type: ignore[arg-type]
        if not _PLAIN_INT.match(node.value):
            raise Quirk(_number_hint(node.value, value), node.value, node.start_mark)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = yaml.constructor.SafeConstructor.construct_yaml_float(self, node)  # type: ignore[arg-type]
        if not _PLAIN_FLOAT.match(node.value):
            shown = int(value) if value == int(value) else value
            raise Quirk(_number_hint(node.value, shown), node.value, node.start_mark)
        return value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    first = seen[key]
                    raise Quirk(
                        "each key once in a mapping",
                        f"'{key_node.value}' again",
                        _Mark(key_node.start_mark, f" (first at line {first.line + 1})"),
                    )
                seen[key] = key_node.start_mark
        return yaml.constructor.SafeConstructor.construct_mapping(self, node, deep=deep)  # type: ignore[arg-type]


class _Mark:
    """A mark whose line is reported with a note after it."""

    def __init__(self, mark: Any, note: str):
        self.line, self.column, self.note = mark.line, mark.column, note


def _strict(base: type) -> type:
    cls = type(f"Strict{base.__name__}", (_Strict, base), {})
    cls.add_constructor("tag:yaml.org,2002:int", _Strict.construct_yaml_int)
    cls.add_constructor("tag:yaml.org,2002:float", _Strict.construct_yaml_float)
    return cls


StrictLoader = _strict(yaml.SafeLoader)
StrictCLoader = _strict(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None


def load(text: str) -> object:
    """Like ``yaml.safe_load`` (through libyaml when PyYAML has it) but strict; a document libyaml
    rejects is parsed again by PyYAML's own parser, so syntax errors read as PyYAML's."""
    if StrictCLoader is not None:
        try:
            return yaml.load(text, Loader=StrictCLoader)  # noqa: S506 - a subclass of CSafeLoader
        except Quirk:
            raise
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a subclass of SafeLoader
