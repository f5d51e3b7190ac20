"""Make matplotlib's SVG small without changing what it draws.

matplotlib writes every cell of a grid as its own group with a long inline style,
six-decimal coordinates and a multi-line path. For our figures (hundreds of cells and
labels) that is most of a page's weight. :func:`minify` rewrites the text it knows:

- drops the RDF metadata block and the per-artist wrapper groups ``<g id="patch_12">``
  (groups with nothing but an id; groups with a transform, clip or style stay);
- writes path data with one decimal (a tenth of a point, below a tenth of a pixel), and
  axis-aligned rectangles as ``M x y H x V y H x Z``;
- rounds coordinates and sizes in attributes to one decimal and drops ``rotate(-0 …)``;
- turns each inline ``style`` (with its ``clip-path``) used more than once into a class
  in one ``<style>`` block; declarations are kept as matplotlib wrote them; a run of
  elements of one class becomes a group carrying the class once.

Pure text in, text out, deterministic. Anything it does not recognise (unbalanced groups,
unknown structure) makes it return the input unchanged: never a broken figure.
"""

from __future__ import annotations

import re
from collections import Counter

_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_PATH_D = re.compile(r'\bd="([^"]*)"', re.S)
_ATTR_NUM = re.compile(r'\b(x|y|x1|x2|y1|y2|width|height|cx|cy|r)="(-?\d+(?:\.\d+)?)"')
_ROT0 = re.compile(r' transform="rotate\(-?0 [-\d. ]+\)"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_BARE_G = re.compile(r'<g id="[A-Za-z0-9_.-]+">$')
_STYLE_CLIP = re.compile(r'(?: clip-path="url\(#([A-Za-z0-9_-]+)\)")? style="([^"]*)"')


DECIMALS = 1  # a tenth of a point: under a tenth of a CSS pixel


def _n(s: str) -> str:
    """A number with at most DECIMALS decimals, without a trailing zero or a leading ``0.``."""
    v = round(float(s), DECIMALS)
    if v == 0:
        return "0"
    t = f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return t.replace("0.", ".", 1) if t.startswith(("0.", "-0.")) else t


def _path(d: str) -> str:
    tokens = d.split()
    # an axis-aligned rectangle: M a b L c b L c e L a e z
    if len(tokens) == 13 and tokens[0] == "M" and tokens[3] == tokens[6] == tokens[9] == "L" and tokens[12].lower() == "z":
        a, b, c, b2, c2, e, a2, e2 = (tokens[i] for i in (1, 2, 4, 5, 7, 8, 10, 11))
        if b == b2 and c == c2 and e == e2 and a == a2:
            return f"M{_n(a)} {_n(b)}H{_n(c)}V{_n(e)}H{_n(a)}Z"
    out: list[str] = []
    for t in tokens:
        if _NUM.fullmatch(t):
            n = _n(t)
            out.append(n if not out or out[-1].isalpha() or n.startswith("-") else " " + n)
        else:
            out.append(t)
    return "".join(out)


def minify(svg: bytes) -> bytes:
    """The same drawing in fewer bytes (see the module docstring); the input when unsure."""
    try:
        text = svg.decode("utf-8")
    except UnicodeDecodeError:
        return svg
    if "<svg" not in text:
        return svg
    text = _METADATA.sub("", text, count=1)
    text = _PATH_D.sub(lambda m: f'd="{_path(m.group(1))}"', text)
    text = _ROT0.sub("", text)
    text = _ATTR_NUM.sub(lambda m: f'{m.group(1)}="{_n(m.group(2))}"', text)
    lines, stack = [], []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("<g") and line.endswith(">") and not line.endswith("/>"):
            bare = bool(_BARE_G.fullmatch(line))
            stack.append(bare)
            if bare:
                continue
        elif line == "</g>":
            if not stack:
                return svg
            if stack.pop():
                continue
        lines.append(line)
    if stack:
        return svg
    text = "\n".join(lines) + "\n"
    # shared styles become classes
    found = [(m.group(1) or "", m.group(2)) for m in _STYLE_CLIP.finditer(text)]
    counts = Counter(found)
    names = {k: f"s{i}" for i, (k, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) if n > 1}
    if names:
        def cls(m: re.Match[str]) -> str:
            k = (m.group(1) or "", m.group(2))
            return f' class="{names[k]}"' if k in names else m.group(0)

        text = _STYLE_CLIP.sub(cls, text)
        ordered = sorted(names.items(), key=lambda kv: int(kv[1][1:]))
        rules = "".join(f".{n}{{{style}{'; clip-path: url(#' + clip + ')' if clip else ''}}}" for (clip, style), n in ordered)
        head = text.find("<defs>")
        if head < 0:
            return svg
        text = text[: head + 6] + f'\n<style type="text/css">{rules}</style>' + text[head + 6 :]
        text = _group_runs(text)
    return text.encode("utf-8")


_CLASSED = re.compile(r'^(<(?:path|text|use)\b[^>]*?) class="(s\d+)"(.*)$')


def _group_runs(text: str) -> str:
    """Consecutive elements of one class share it through a group: ``<g class="s3">`` … ``</g>``.

    Fill, stroke and font properties inherit; a clip-path on the group clips its children
    exactly as it clipped each of them (same clip, same user space)."""
    out: list[str] = []
    run: list[str] = []
    run_cls = None

    def flush() -> None:
        if len(run) > 1:
            out.append(f'<g class="{run_cls}">')
            out.extend(_CLASSED.sub(r"\1\3", ln) for ln in run)
            out.append("</g>")
        else:
            out.extend(run)
        run.clear()

    for line in text.split("\n"):
        m = _CLASSED.match(line)
        cls = m.group(2) if m else None
        if cls is None or cls != run_cls:
            flush()
            run_cls = cls
        if cls is None:
            out.append(line)
        else:
            run.append(line)
    flush()
    return "\n".join(out)
