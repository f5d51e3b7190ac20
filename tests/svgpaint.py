"""What an SVG paints, in paint order: an independent reading of our figures for the tests.

:func:`painted` walks an SVG file the way a renderer orders its painting and lists

- one ``("path", style, points, closed)`` per *subpath* of every ``<path>`` (absolute
  points, whatever mix of absolute and relative commands wrote them), and
- one ``("text", style, x, y, characters)`` per *text chunk* (a run of characters that
  starts at an absolute x or y: a ``<text>``, a ``<tspan x=…>`` or one character placed by
  an x list),

each with its computed style: the ``*`` rule, class rules (``.s1`` on the element, ``.s1>*``
on its parent), inline ``style``, inherited from the groups around it, with the clip paths
and transforms of the element and its ancestors. Nothing inside ``<defs>`` is listed.

It knows only what matplotlib and :mod:`generator.svgmin` write (no other selectors, no
arcs), and says so (``ValueError``) rather than guess.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
SKIP = {"defs", "clipPath", "pattern", "metadata", "style", "title", "desc"}
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_TOKEN = re.compile(r"[MmLlHhVvCcQqZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "Q": 4, "Z": 0}


def _decls(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        if part.strip():
            key, sep, value = part.partition(":")
            if not sep:
                raise ValueError(f"declaration without a value: {part!r}")
            out[key.strip()] = re.sub(r"\s+", " ", value.strip())
    return out


def _sheet(root: ET.Element) -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The ``*`` rule, rules for ``.cls`` and rules for ``.cls>*``."""
    star: dict[str, str] = {}
    cls: dict[str, dict[str, str]] = {}
    child: dict[str, dict[str, str]] = {}
    for style in root.iter(NS + "style"):
        for sel, body in _RULE.findall(style.text or ""):
            for s in sel.split(","):
                s = s.strip()
                if s == "*":
                    star.update(_decls(body))
                elif m := re.fullmatch(r"\.([\w-]+)", s):
                    cls.setdefault(m.group(1), {}).update(_decls(body))
                elif m := re.fullmatch(r"\.([\w-]+)\s*>\s*\*", s):
                    child.setdefault(m.group(1), {}).update(_decls(body))
                else:
                    raise ValueError(f"selector not understood: {s!r}")
    return star, cls, child


def subpaths(d: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """Path data as absolute subpaths ``(points, closed)``; the control points of curves included."""
    tokens = _TOKEN.findall(d)
    if "".join(tokens) != re.sub(r"[\s,]+", "", d):
        raise ValueError(f"path data not understood: {d[:60]!r}")
    out: list[tuple[list[tuple[float, float]], bool]] = []
    x = y = sx = sy = 0.0
    cmd = None
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.isalpha():
            cmd = t
            i += 1
            if cmd in "Zz":
                if out:
                    out[-1] = (out[-1][0], True)
                x, y = sx, sy
                cmd = None
                continue
        elif cmd is None:
            raise ValueError(f"a number without a command in {d[:60]!r}")
        n = _ARITY[cmd.upper()]
        args = [float(v) for v in tokens[i : i + n]]
        if len(args) < n or any(a.isalpha() for a in tokens[i : i + n]):
            raise ValueError(f"too few numbers in {d[:60]!r}")
        i += n
        rel = cmd.islower()
        up = cmd.upper()
        if up == "H":
            pts = [(args[0] + (x if rel else 0), y)]
        elif up == "V":
            pts = [(x, args[0] + (y if rel else 0))]
        else:
            pts = [(args[k] + (x if rel else 0), args[k + 1] + (y if rel else 0)) for k in range(0, n, 2)]
        if up == "M":
            if out and out[-1][1] is False and len(out[-1][0]) == 1:
                out.pop()  # a moveto followed by another one draws nothing
            out.append(([pts[0]], False))
            sx, sy = pts[0]
            cmd = "l" if rel else "L"
        else:
            if not out or out[-1][1]:  # drawing on after a closepath starts at the subpath's start
                out.append(([(sx, sy)], False))
            out[-1][0].extend(pts)
        x, y = pts[-1]
    return out


def _numbers(s: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", s))


def _transform(t: str) -> tuple:
    out = []
    for name, args in re.findall(r"(\w+)\(([^)]*)\)", t):
        nums = _numbers(args)
        if name == "rotate" and nums and nums[0] == 0:
            continue  # matplotlib's rotate(-0 x y) turns nothing
        out.append((name, nums))
    return tuple(out)


def painted(svg: bytes | str) -> list[tuple]:
    """Everything the SVG paints, in order (see the module docstring)."""
    root = ET.fromstring(svg.encode() if isinstance(svg, str) else svg)
    star, cls, child = _sheet(root)
    out: list[tuple] = []

    def computed(el: ET.Element, parent: ET.Element | None, inherited: dict[str, str]) -> dict[str, str]:
        own = dict(star)
        if parent is not None and parent.get("class") in child:
            own.update(child[parent.get("class")])
        for c in (el.get("class") or "").split():
            if c not in cls:
                raise ValueError(f"class without a rule: {c}")
            own.update(cls[c])
        own.update(_decls(el.get("style") or ""))
        style = {k: v for k, v in inherited.items() if k != "clip-path"}
        style.update(own)
        return style

    def key(style: dict[str, str], clips: frozenset, transforms: tuple) -> tuple:
        return (tuple(sorted((k, v) for k, v in style.items() if k != "clip-path")), clips, transforms)

    def text_chunks(el: ET.Element, style: dict[str, str], k: tuple) -> None:
        chars: list[list] = []  # [character, x or None, y or None]

        def walk(node: ET.Element) -> None:
            own_x = list(_numbers(node.get("x", ""))) if node.get("x") is not None else None
            own_y = list(_numbers(node.get("y", ""))) if node.get("y") is not None else None
            start = len(chars)

            def add(s: str | None) -> None:
                for ch in s or "":
                    chars.append([ch, None, None])

            add(node.text)
            for sub in node:
                if sub.tag != NS + "tspan" or sub.get("style") or sub.get("class"):
                    raise ValueError("only plain tspans are understood")
                walk(sub)
                add(sub.tail)
            for i, item in enumerate(chars[start:]):
                if own_x is not None and i < len(own_x) and item[1] is None:
                    item[1] = own_x[i]
                if own_y is not None and i < len(own_y) and item[2] is None:
                    item[2] = own_y[i]

        # positions: a tspan's own list first (walk fills inner elements first), then its ancestors'
        walk(el)
        chunks: list[list] = []
        x = y = 0.0
        for ch, cx, cy in chars:
            if cx is None and cy is not None and chunks:
                raise ValueError("a new y without a new x is not understood")
            if cx is not None or cy is not None or not chunks:
                x = cx if cx is not None else x
                y = cy if cy is not None else y
                chunks.append([x, y, ch])
            else:
                chunks[-1][2] += ch
        out.extend(("text", k, cx, cy, s) for cx, cy, s in chunks)

    def visit(el: ET.Element, parent: ET.Element | None, inherited: dict[str, str], clips: frozenset, transforms: tuple) -> None:
        tag = el.tag.removeprefix(NS)
        if tag in SKIP:
            return
        style = computed(el, parent, inherited)
        clip = el.get("clip-path") or (computed(el, parent, {}).get("clip-path"))
        if clip:
            clips = clips | {clip}
        if el.get("transform"):
            transforms = transforms + _transform(el.get("transform"))
        k = key(style, clips, transforms)
        if tag == "path":
            for points, closed in subpaths(el.get("d", "")):
                out.append(("path", k, tuple(points), closed))
        elif tag == "text":
            text_chunks(el, style, k)
        elif tag in ("svg", "g"):
            for sub in el:
                visit(sub, el, style, clips, transforms)
        elif tag == "rect":
            x, y, w, h = (float(el.get(a, "0")) for a in ("x", "y", "width", "height"))
            out.append(("path", k, ((x, y), (x + w, y), (x + w, y + h), (x, y + h)), True))
        else:
            raise ValueError(f"element not understood: {tag}")

    visit(root, None, {}, frozenset(), ())
    return out


def same_painting(a: list[tuple], b: list[tuple], tol: float = 0.051) -> str | None:
    """None when ``a`` and ``b`` paint the same things in the same order (coordinates within
    ``tol``, what rounding to a tenth moves); else where they first differ."""
    if len(a) != len(b):
        return f"{len(a)} painted items, then {len(b)}"
    for i, (p, q) in enumerate(zip(a, b, strict=True)):
        if p[0] != q[0] or p[1][0] != q[1][0] or p[1][1] != q[1][1]:
            return f"item {i}: {p[:2]} became {q[:2]}"
        tp, tq = p[1][2], q[1][2]
        if len(tp) != len(tq) or any(n1 != n2 or len(v1) != len(v2) or any(abs(s - t) > tol for s, t in zip(v1, v2, strict=True))
                                     for (n1, v1), (n2, v2) in zip(tp, tq, strict=True)):
            return f"item {i}: transform {tp} became {tq}"
        if p[0] == "path":
            if p[3] != q[3] or len(p[2]) != len(q[2]) or any(
                abs(x1 - x2) > tol or abs(y1 - y2) > tol for (x1, y1), (x2, y2) in zip(p[2], q[2], strict=True)
            ):
                return f"item {i}: path {p[2:]} became {q[2:]}"
        elif p[4] != q[4] or abs(p[2] - q[2]) > tol or abs(p[3] - q[3]) > tol:
            return f"item {i}: text {p[2:]} became {q[2:]}"
    return None
