"""Whose site it is, read from its ``mkdocs.yml`` (``python -m generator --config``, ``convcards``).

- ``site_name``: the site's title, and the Anki root deck (``<site_name>::<deck title>``) unless
  ``extra.convcards.anki_deck`` names another;
- ``extra.convcards.guid_namespace``: what the note GUIDs are made from besides the card ids
  (default: the site's name), so that an author's card whose id is also one of ours never
  overwrites our note in a learner's Anki.

Without ``--config`` (this repository's own site) the deck is ``convcards`` and the GUIDs are
the card ids alone, as learners already have them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import anki
from .errors import Problem, SpecError


class _Tolerant(yaml.SafeLoader):
    """A safe loader that reads MkDocs' own tags (``!ENV``, ``!!python/name:...``) as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Tolerant.add_multi_constructor("!", _any_tag)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def _problem(path: Path, field: str | None, expected: str, received: str) -> SpecError:
    return SpecError([Problem(str(path), None, field, expected, received)])


def load(path: Path) -> dict[str, Any]:
    """The mkdocs.yml at ``path`` as a mapping; a missing or unreadable file is a :class:`SpecError`."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Tolerant)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise _problem(path, None, "an mkdocs.yml (the site's configuration)", "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise _problem(path, None, "a readable UTF-8 mkdocs.yml", str(e)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise _problem(path, None, "valid YAML", f"a YAML error{where}: {getattr(e, 'problem', e)}") from None
    if not isinstance(doc, dict):
        raise _problem(path, None, "a mapping of MkDocs settings", type(doc).__name__)
    return doc


def anki_config(path: Path) -> anki.Config:
    """The Anki deck's root name and GUID namespace from the site's mkdocs.yml (see the module)."""
    doc = load(path)
    name = doc.get("site_name")
    if not isinstance(name, str) or not name.strip():
        raise _problem(path, "site_name", "the site's title, a non-empty string", repr(name))
    extra = doc.get("extra") or {}
    ours = extra.get("convcards") or {} if isinstance(extra, dict) else {}
    if not isinstance(ours, dict):
        raise _problem(path, "extra.convcards", "a mapping with anki_deck and guid_namespace", type(ours).__name__)
    values: dict[str, str] = {}
    for key, default in (("anki_deck", name.strip()), ("guid_namespace", name.strip())):
        v = ours.get(key, default)
        if not isinstance(v, str) or not v.strip() or "::" in v or '"' in v:
            raise _problem(path, f"extra.convcards.{key}", 'a non-empty string without "::" or quotes', repr(v))
        values[key] = v.strip()
    return anki.Config(root_deck=values["anki_deck"], guid_namespace=values["guid_namespace"])
