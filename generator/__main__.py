"""``python -m generator`` in a clone: regenerate this repository's pages (:mod:`.cli`).
``python -m convcards`` once installed: the ``convcards`` command (:mod:`.app`: new, build,
serve, check). One folder, two names (pyproject.toml maps generator/ to the package convcards)."""

import sys

if __package__ == "convcards":
    from .app import main
else:
    from .cli import main

sys.exit(main())
