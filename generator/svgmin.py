"""Make matplotlib's SVG small without changing what it draws.

matplotlib writes every cell of a grid as its own group with a long inline style,
six-decimal coordinates and a multi-line path. For our figures (hundreds of cells and
labels) that is most of a page's weight. :func:`minify` rewrites the text it knows:

- drops the RDF metadata block and the per-artist wrapper groups ``<g id="patch_12">``
  (groups with nothing but an id; groups with a transform, clip or style stay);
- writes path data with one decimal (a tenth of a point, below a tenth of a pixel): each
  command absolute or relative, whichever is shorter, ``H``/``V`` for axis-parallel lines,
  a command letter only where it changes and no separator where the grammar needs none
  (``M.5.5``, ``1-2``); the arithmetic is on whole tenths, so relative steps add up
  exactly to the rounded corners;
- rounds coordinates and sizes in attributes to one decimal and drops ``rotate(-0 …)``;
- turns each inline ``style`` (with its ``clip-path``) used more than once into a class
  in one ``<style>`` sheet (declarations as matplotlib wrote them, without blanks around
  ``:`` and ``;``); a run of elements of one class becomes a group carrying the class once
  (``.s3>*`` repeats its join and cap: matplotlib's ``*`` rule would override inheritance);
- merges a run of paths of one class into one path of several subpaths where that paints
  the same (:func:`_merge_mode`): strokes without fill, or rectangles whose insides do
  not overlap, under an opaque solid stroke; only the antialiased fringe of an edge two
  merged cells share differs (painted once instead of twice);
- puts the labels of a run that share a baseline into one ``<text>``, each label still at
  its own x (:func:`_rows`);
- drops the XML declaration and the DOCTYPE (an SVG image needs neither: UTF-8 is XML's
  default), ``version="1.1"`` and the ``xlink`` namespace when nothing uses it.

Pure text in, text out, deterministic. Anything it does not recognise (unbalanced groups,
unknown structure) makes it return the input unchanged: never a broken figure.
"""

from __future__ import annotations

import re
import unicodedata
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


_TOKEN = re.compile(r"\s*(?:([MLHVCQZz])|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))\s*,?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "Q": 4, "Z": 0}

Segment = tuple[str, tuple[int, ...]]  # "M", "L", "C", "Q" or "Z" and absolute coordinates in tenths


def _tenths(s: str) -> int:
    return round(round(float(s), DECIMALS) * 10)


def _segments(d: str) -> list[Segment] | None:
    """Absolute path data (what matplotlib writes) as segments on whole tenths; None for anything else."""
    pos, cmd, args, out = 0, None, [], []
    x = y = sx = sy = 0
    while pos < len(d):
        m = _TOKEN.match(d, pos)
        if m is None or m.end() == pos:
            return None
        pos = m.end()
        if m.group(1):
            if args or (cmd is None and m.group(1) != "M"):
                return None
            cmd = m.group(1).upper()
            if cmd == "Z":
                out.append(("Z", ()))
                x, y = sx, sy
            continue
        if cmd is None or cmd == "Z":
            return None
        args.append(_tenths(m.group(2)))
        if len(args) < _ARITY[cmd]:
            continue
        if cmd == "H":
            out.append(("L", (args[0], y)))
        elif cmd == "V":
            out.append(("L", (x, args[0])))
        else:
            out.append((cmd, tuple(args)))
        x, y = out[-1][1][-2:]
        if cmd == "M":
            sx, sy = x, y
            cmd = "L"  # further pairs after a moveto are linetos
        args = []
    return out if out and not args and out[0][0] == "M" else None


def _fmt(v: int) -> str:
    """Tenths as the shortest decimal: 12 -> ``1.2``, -5 -> ``-.5``, 30 -> ``3``."""
    sign, v = ("-", -v) if v < 0 else ("", v)
    whole, tenth = divmod(v, 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{tenth}"


def _emit(letter: str, nums: tuple[int, ...], last: str, prev_num: str) -> tuple[str, str, str]:
    """One command as text after what came before: ``(text, last number written, letter)``."""
    parts: list[str] = []
    if letter != last or not nums:
        parts.append(letter)
        prev_num = ""
    for v in nums:
        t = _fmt(v)
        if prev_num and not (t.startswith("-") or (t.startswith(".") and "." in prev_num)):
            parts.append(" ")
        parts.append(t)
        prev_num = t
    return "".join(parts), prev_num, letter


def _encode(segs: list[Segment], compact: bool = True) -> str:
    """Path data for ``segs``: each command absolute or relative, whichever is shorter
    (absolute only when not ``compact``), a command letter only where it changes, and a
    separator between two numbers only where the path grammar needs one."""
    out: list[str] = []
    x = y = sx = sy = 0
    last = ""  # the command a bare number after the previous one would continue
    prev_num = ""  # the previous number written, when the last thing written is a number
    for i, (cmd, a) in enumerate(segs):
        if cmd == "Z":
            cands = [("Z", ())]
        elif cmd == "L" and a[1] == y and a[0] != x:
            cands = [("H", (a[0],)), ("h", (a[0] - x,))]
        elif cmd == "L" and a[0] == x and a[1] != y:
            cands = [("V", (a[1],)), ("v", (a[1] - y,))]
        else:
            rel = tuple(v - (x if k % 2 == 0 else y) for k, v in enumerate(a))
            cands = [(cmd, a), (cmd.lower(), rel)]
        if not compact or i == 0:
            cands = cands[:1]
        best = min((_emit(letter, nums, last, prev_num) for letter, nums in cands), key=lambda e: len(e[0]))
        out.append(best[0])
        prev_num, letter = best[1], best[2]
        last = {"M": "L", "m": "l", "Z": ""}.get(letter, letter)
        if cmd == "Z":
            x, y = sx, sy
        else:
            x, y = a[-2:]
            if cmd == "M":
                sx, sy = x, y
    return "".join(out)


def _path(d: str, compact: bool = False) -> str:
    segs = _segments(d)
    if segs is not None:
        return _encode(segs, compact)
    out: list[str] = []  # unknown commands: only round the numbers
    for t in d.split():
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
    text = _PROLOG.sub("", text)
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
        head = text.find("<defs>")
        if head < 0:
            return svg
        text = _group_runs(text, {n: _merge_mode(style) for (_, style), n in names.items()})
        grouped = set(_GROUP_CLASS.findall(text))
        ordered = sorted(names.items(), key=lambda kv: int(kv[1][1:]))
        rules = "".join(f".{n}{{{style}{'; clip-path: url(#' + clip + ')' if clip else ''}}}" for (clip, style), n in ordered)
        # matplotlib's own sheet sets `*{stroke-linejoin: round; stroke-linecap: butt}`: it matches
        # the children of a group directly, so they would not inherit the group's join and cap.
        for (_, style), n in ordered:
            own = [d.strip() for d in style.split(";") if d.strip().startswith(("stroke-linejoin", "stroke-linecap"))]
            if n in grouped and own:
                rules += f".{n}>*{{{'; '.join(own)}}}"
        text = text[: head + 6] + f'\n<style type="text/css">{rules}</style>' + text[head + 6 :]
    # one style sheet, without blanks around ":" and ";" (two sheets in a row cascade as one)
    text = text.replace('<style type="text/css">', "<style>").replace("</style>\n<style>", "")
    text = _STYLE_EL.sub(lambda m: "<style>" + _CSS_BLANK.sub(r"\1", m.group(1)) + "</style>", text)
    text = _PATH_D.sub(lambda m: f'd="{_path(m.group(1), compact=True)}"', text)
    text = _SVG_TAG.sub(_svg_tag, text, count=1)
    return text.encode("utf-8")


_GROUP_CLASS = re.compile(r'^<g class="(s\d+)">$', re.M)
_PROLOG = re.compile(r'^\s*<\?xml [^>]*\?>\s*(?:<!DOCTYPE svg [^>]*>\s*)?')
_STYLE_EL = re.compile(r"<style>(.*?)</style>", re.S)
_CSS_BLANK = re.compile(r"\s*([:;{}])\s*")
_SVG_TAG = re.compile(r"<svg [^>]*>")


def _svg_tag(m: re.Match[str]) -> str:
    tag = m.group(0).replace(' version="1.1"', "")
    if "xlink:" not in m.string.replace('xmlns:xlink="', ""):
        tag = tag.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    return tag


_CLASSED = re.compile(r'^(<(?:path|text|use)\b[^>]*?) class="(s\d+)"(.*)$')
_BARE_PATH = re.compile(r'<path d="([^"]*)" class="(s\d+)"/>')
_MERGE_KEYS = {"fill", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap", "stroke-miterlimit"}
_OPAQUE = re.compile(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}")
_PATTERN = re.compile(r"url\(#[A-Za-z0-9_-]+\)")


def _merge_mode(style: str) -> str | None:
    """How paths of this style may share one ``<path>``: ``"strokes"``, ``"rects"`` or not at all (None).

    One path paints all its subpaths' fills, then all their strokes; separate paths paint
    fill, stroke, fill, stroke. With an opaque, solid stroke of one colour and width that is
    the same picture when there is no fill (the strokes' union either way: ``"strokes"``),
    or when the subpaths are rectangles whose insides do not overlap (``"rects"``): a later
    rectangle's fill can only cover an earlier stroke within half a stroke width of its own
    edge, which its own stroke paints over again. Anything else (opacity, dashes, a fill
    rule, markers, a gradient, an unknown property) is not merged."""
    decls: dict[str, str] = {}
    for part in style.split(";"):
        if part.strip():
            key, sep, value = part.partition(":")
            if not sep:
                return None
            decls[key.strip()] = value.strip()
    if not set(decls) <= _MERGE_KEYS:
        return None
    stroke = decls.get("stroke", "none")
    if stroke != "none" and not _OPAQUE.fullmatch(stroke):
        return None
    fill = decls.get("fill", "#000000")
    if fill == "none":
        return "strokes"
    return "rects" if _OPAQUE.fullmatch(fill) or _PATTERN.fullmatch(fill) else None


def _rect(d: str) -> tuple[int, int, int, int] | None:
    """``(x0, y0, x1, y1)`` of a closed axis-parallel rectangle path (one subpath, four sides), else None."""
    segs = _segments(d)
    if segs is None or len(segs) != 5 or [c for c, _ in segs] != ["M", "L", "L", "L", "Z"]:
        return None
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = (a for _, a in segs[:4])
    horizontal_first = y1 == y0 and x2 == x1 and y3 == y2 and x3 == x0
    vertical_first = x1 == x0 and y2 == y1 and x3 == x2 and y3 == y0
    if not (horizontal_first or vertical_first) or x2 == x0 or y2 == y0:
        return None
    return min(x0, x2), min(y0, y2), max(x0, x2), max(y0, y2)


def _apart(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """The insides of two rectangles do not overlap (they may share an edge)."""
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def _batches(paths: list[str], mode: str | None) -> list[list[str]]:
    """Consecutive paths of one class, in order, cut into runs that may share one ``<path>``."""
    out: list[list[str]] = []
    rects: list[tuple[int, int, int, int]] = []
    for d in paths:
        if mode == "strokes" and out:
            out[-1].append(d)
            continue
        r = _rect(d) if mode == "rects" else None
        if r is not None and out and rects and len(rects) == len(out[-1]) and all(_apart(r, q) for q in rects):
            out[-1].append(d)
            rects.append(r)
            continue
        out.append([d])
        rects = [r] if r is not None else []
    return out


_LABEL = re.compile(r'<text x="(-?[\d.]+)" y="(-?[\d.]+)">([^<>&\s]+)</text>')


def _char(label: str) -> bool:
    """One character that a list of x positions can place on its own (a BMP, non-combining character)."""
    return len(label) == 1 and label.isprintable() and ord(label) < 0x10000 and not unicodedata.combining(label)


def _rows(lines: list[str]) -> list[str]:
    """Labels of one class in a row (same ``y``, one after another) as one ``<text>``.

    Each label keeps its own absolute ``x``: a one-character label through the text's
    (or a ``tspan``'s) list of x positions, a longer one as a ``tspan`` with one ``x``. Every
    absolute x starts a new text chunk, and ``text-anchor`` places each chunk on its own x:
    the glyphs land where separate ``<text>`` elements put them. Only labels without blanks
    or character references are packed (no white space to collapse, one character each)."""
    out: list[str] = []
    row: list[tuple[str, str]] = []
    row_y = None

    def flush() -> None:
        if len(row) == 1:
            out.append(f'<text x="{row[0][0]}" y="{row_y}">{row[0][1]}</text>')
        elif row:
            parts: list[tuple[list[str], str]] = []  # (x positions, characters)
            for x, label in row:
                if _char(label) and parts and len(parts[-1][0]) == len(parts[-1][1]):
                    parts[-1][0].append(x)
                    parts[-1] = (parts[-1][0], parts[-1][1] + label)
                else:
                    parts.append(([x], label))
            (xs, first), rest = parts[0], parts[1:]
            inner = "".join(f'<tspan x="{" ".join(p)}">{t}</tspan>' for p, t in rest)
            out.append(f'<text x="{" ".join(xs)}" y="{row_y}">{first}{inner}</text>')
        row.clear()

    for line in lines:
        m = _LABEL.fullmatch(line)
        if m is None or m.group(2) != row_y:
            flush()
            row_y = m.group(2) if m else None
        if m is None:
            out.append(line)
        else:
            row.append((m.group(1), m.group(3)))
    flush()
    return out


def _group_runs(text: str, modes: dict[str, str | None]) -> str:
    """Consecutive elements of one class share it through a group: ``<g class="s3">`` … ``</g>``;
    consecutive paths of one class become one path where :func:`_merge_mode` allows.

    Fill, stroke and font properties inherit; a clip-path on the group clips its children
    exactly as it clipped each of them (same clip, same user space). Nothing is merged
    inside a group that sets an opacity (its strokes may not be opaque)."""
    out: list[str] = []
    run: list[str] = []
    run_cls = None
    groups: list[bool] = []  # open groups: does one set an opacity?

    def flush() -> None:
        paths = [_BARE_PATH.fullmatch(ln) for ln in run]
        if len(run) > 1 and all(paths) and not any(groups):
            merged = [f'<path d="{"".join(b)}"/>' for b in _batches([m.group(1) for m in paths], modes.get(run_cls))]
        else:
            merged = _rows([_CLASSED.sub(r"\1\3", ln) for ln in run])
        if len(merged) > 1:
            out.append(f'<g class="{run_cls}">')
            out.extend(merged)
            out.append("</g>")
        elif len(run) > 1:
            out.append(re.sub(r"^<(path|text) ", f'<\\1 class="{run_cls}" ', merged[0]))
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
            if line.startswith("<g") and not line.endswith("/>"):
                groups.append("opacity" in line)
            elif line == "</g>" and groups:
                groups.pop()
        else:
            run.append(line)
    flush()
    return "\n".join(out)
