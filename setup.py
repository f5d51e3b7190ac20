"""The wheel carries what an author's site needs besides the Python code (``convcards new``):
the site's scripts, styles, theme overrides, study page and mkdocs.yml, and the vendored
front-end packages (KaTeX: docs/vendor, which ``make site`` fills from the pinned npm package,
or node_modules/katex directly; with neither, ``npm ci`` is run here). They are copied into ``convcards/_site/`` at build time,
never committed (the import package is ``convcards``, from the folder generator/: pyproject.toml). Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SITE_FILES = ("mkdocs.yml", "docs/javascripts", "docs/stylesheets", "docs/.overrides", "docs/study.md")
KATEX_FILES = ("katex.min.js", "katex.min.css")
PACKAGE = "convcards"  # the import name of the folder generator/ (pyproject.toml: package-dir)


def copy_site(dest: Path) -> None:
    """The site's own files into ``dest`` (convcards/_site in the build), KaTeX included."""
    if dest.exists():
        shutil.rmtree(dest)
    for rel in SITE_FILES:
        src = HERE / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    vendor, katex = HERE / "docs/vendor", HERE / "node_modules/katex/dist"
    npm = shutil.which("npm")
    if not (vendor / "katex/katex.min.js").is_file() and not (katex / "katex.min.js").is_file() and npm:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)  # the pinned KaTeX
    if (vendor / "katex/katex.min.js").is_file():
        shutil.copytree(vendor, dest / "docs/vendor", ignore=shutil.ignore_patterns(".stamp"))
    elif (katex / "katex.min.js").is_file():
        (dest / "docs/vendor/katex/fonts").mkdir(parents=True)
        for name in KATEX_FILES:
            shutil.copy2(katex / name, dest / "docs/vendor/katex" / name)
        for font in sorted((katex / "fonts").glob("*.woff2")):
            shutil.copy2(font, dest / "docs/vendor/katex/fonts" / font.name)
    else:
        raise SystemExit(
            "convcards: KaTeX is missing (no docs/vendor/katex, no node_modules/katex, no npm): install Node.js >= 18 "
            "(with npm), run `npm ci` in the repository, then build again"
        )


class BuildPyWithSite(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            copy_site(Path(self.build_lib) / PACKAGE / "_site")


setup(cmdclass={"build_py": BuildPyWithSite})
