"""convcards generator: deck specs -> numbers -> LaTeX and figures -> Markdown pages."""

__version__ = "0.1.0"
