"""What keeps a large course's pages small: the navigation pruned to the page's own deck, and a
long deck's print sheets split into pages of bounded size. (Their cost is measured by
``make bench``'s scale section, bench/scale.py, never timed here.)"""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml
from conftest import ROOT

from generator import study

sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402  (bench/synth.py: the scale benchmark's decks)

# --- the navigation ---------------------------------------------------------------------------


def _nav_links(page: str) -> list[str]:
    """The hrefs of the primary (site) navigation of a built page, the page's own table of contents left out."""
    start = page.index('<nav class="md-nav md-nav--primary"')
    end = page.index('<div class="md-content"', start)
    nav = re.sub(r'<nav class="md-nav md-nav--secondary".*?</nav>', "", page[start:end], flags=re.S)
    return re.findall(r'<a href="([^"#]*)"[^>]*class="md-nav__link', nav)


def _resolve(page_dir: str, href: str) -> str:
    """A relative href of the page at ``page_dir`` ("cards/matrix/flatten/") as a site path ("cards/matrix/")."""
    parts = [p for p in page_dir.split("/") if p]
    for seg in href.split("/"):
        if seg == "..":
            parts.pop()
        elif seg not in ("", "."):
            parts.append(seg)
    return "/".join(parts) + "/" if parts else ""


def test_a_card_page_lists_its_own_deck_and_links_every_other_deck_but_not_its_cards(site_dir):
    nav = yaml.safe_load((ROOT / "docs/.nav.yml").read_text(encoding="utf-8"))["nav"]
    decks = [next(iter(item.values())) for item in nav if isinstance(item, dict)]  # [index.md, card.md, ...] per deck
    assert len(decks) >= 2, "the site has several decks"

    def url(md: str) -> str:
        return md.removesuffix("index.md").removesuffix(".md") + ("/" if not md.endswith("index.md") else "")

    for deck in decks:
        page_dir = url(deck[1])  # the deck's first card
        html = (site_dir / page_dir / "index.html").read_text(encoding="utf-8")
        links = {_resolve(page_dir, h) for h in _nav_links(html)}
        own = {url(md) for md in deck}
        others = {url(md) for d in decks if d is not deck for md in d[1:]}
        assert own <= links, f"{page_dir}: every card of its own deck is in the navigation"
        assert not links & others, f"{page_dir}: no card of another deck is in its navigation: {sorted(links & others)[:3]}"
        for d in decks:  # every other deck is one click away (its index page, or its first page)
            assert links & {url(md) for md in d}, f"{page_dir}: the navigation reaches the deck of {d[0]}"


def test_the_navigation_is_pruned_in_mkdocs_yml_and_no_feature_undoes_it():
    text = re.sub(r"^INHERIT:.*$", "", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), flags=re.M)
    features = yaml.safe_load(re.sub(r"!ENV\s*", "", text))["theme"]["features"]  # !ENV [NAME, default]: MkDocs' tag, read as its list
    assert "navigation.prune" in features
    # Material never prunes a section (navigation.sections makes every top-level deck one) and
    # navigation.expand is incompatible with pruning
    assert "navigation.sections" not in features and "navigation.expand" not in features


# --- print sheets -----------------------------------------------------------------------------


def _cards(sizes: list[int], deck: str = "d") -> list[SimpleNamespace]:
    """Stand-ins for rendered cards: front matter, a heading, prose, and formulas of ``n`` bytes of
    LaTeX in all (delimiters included), an inline one and a display one."""
    cards = []
    for i, n in enumerate(sizes):
        inline = "\\(" + "a" * (n // 2 - 4) + "\\)"
        display = "\\[" + "b" * (n - len(inline) - 4) + "\\]"
        assert len(inline) + len(display) == n
        body = f"# card {i}\n\nProse, {'words ' * 500}and {inline}.\n\n{display}\n"
        cards.append(SimpleNamespace(markdown=f"---\ntitle: c{i}\n---\n{body}", deck=SimpleNamespace(id=deck), id=i))
    return cards


@pytest.mark.parametrize(
    "sizes",
    [[1000] * 3, [10_000] * 10, [23_000, 2_000, 30_000, 100, 100, 12_000, 12_000], [study.PRINT_SHEET_MATH] * 3, [100] * 500],
    ids=["small", "even", "uneven", "exactly-full", "many-small"],
)
def test_print_sheets_keep_every_card_in_order_on_pages_no_larger_than_the_limit(sizes):
    limit = study.PRINT_SHEET_MATH
    cards = _cards(sizes)
    size = {c.id: n for c, n in zip(cards, sizes, strict=True)}
    sheets = study.print_sheets(cards)
    assert [c for s in sheets for c in s] == cards, "every card once, in the deck's order"
    for s in sheets:
        math = sum(size[c.id] for c in s)
        assert s and (math <= limit or len(s) == 1), "a page holds at most the limit of LaTeX, unless one card alone has more"
    for a, b in zip(sheets, sheets[1:], strict=False):  # greedy: the next card did not fit on the page before it
        assert sum(size[c.id] for c in a + b[:1]) > limit
    # the smallest number of pages for cards taken in order, by brute force over the cut points
    assert len(sheets) == _fewest_pages(sizes, limit)


def _fewest_pages(sizes: list[int], limit: int) -> int:
    best = [0] + [len(sizes) + 1] * len(sizes)  # best[i]: pages for the first i cards
    for i in range(1, len(sizes) + 1):
        for j in range(i):
            if j == i - 1 or sum(sizes[j:i]) <= limit:
                best[i] = min(best[i], best[j] + 1)
    return best[-1]


def test_a_long_deck_prints_on_numbered_pages_each_linked_with_its_cards():
    deck = SimpleNamespace(id="big", title="Big deck")
    cards = _cards([15_000] * 5, "big")
    sheets = study.print_sheets(cards)
    assert len(sheets) == 5
    assert [study.print_path(deck, i) for i in range(5)] == ["cards/big/print.md"] + [f"cards/big/print-{n}.md" for n in range(2, 6)]
    links = study.print_links([deck], {"big": sheets}).decode()
    assert re.findall(r"\[cards? ([^\]]+)\]\((print[^)]*)\)", links.replace("cards/big/", "")) == [
        (str(n), "print.md" if n == 1 else f"print-{n}.md") for n in range(1, 6)
    ]
    page = study.print_page(deck, sheets, 2).decode()
    assert "# Big deck: question and answer sheets (card 3 of 5)" in page
    assert page.count("# card ") == 1 and "# card 2\n" in page
    one = study.print_links([deck], {"big": [cards]}).decode()
    assert "- [Big deck](cards/big/print.md)" in one, "a deck on one page keeps one plain link"


def test_every_print_page_of_a_deck_is_typeset_whole_by_the_post_build_step(tmp_path):
    page = ('<!doctype html><html><body><article><details><summary>Answer</summary>'
            '<p><span class="arithmatex">\\(x^2\\)</span></p></details></article></body></html>')
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    for name in ("print", "print-2", "print-12", "printing"):
        (tmp_path / "cards" / "d" / name).mkdir(parents=True)
        (tmp_path / "cards" / "d" / name / "index.html").write_text(page, encoding="utf-8")
    proc = subprocess.run(["node", str(ROOT / "generator/postbuild.mjs"), str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    done = {n: 'data-katex="done"' in (tmp_path / "cards/d" / n / "index.html").read_text(encoding="utf-8")
            for n in ("print", "print-2", "print-12", "printing")}
    assert done == {"print": True, "print-2": True, "print-12": True, "printing": False}, "print sheets only, every one of them"


def test_math_bytes_counts_the_latex_of_inline_and_display_formulas():
    md = "Text \\(x_1\\) more \\(y\\)\n\n\\[\na \\\\ b\n\\]\n\n`code`"
    assert study.math_bytes(md) == len("\\(x_1\\)") + len("\\(y\\)") + len("\\[\na \\\\ b\n\\]")
    assert study.math_bytes("no formulas, a \\ backslash") == 0


def test_the_built_in_decks_each_print_on_one_page():
    docs = ROOT / "docs" / "cards"
    assert sorted(p.name for p in docs.glob("*/print*.md")) == ["print.md"] * len(list(docs.glob("*/index.md")))


# --- the scale benchmark's decks are valid input, the same cards at every scale ----------------


def test_synthetic_decks_are_valid_and_the_smaller_course_is_the_start_of_the_larger(tmp_path):
    from generator import render, spec

    small, large = synth.write_decks(tmp_path / "a", 3), synth.write_decks(tmp_path / "b", synth.PER_DECK + 2)
    assert len(small) == 1 and len(large) == 2
    env = render.environment()
    a = spec.load_decks([tmp_path / "a"], render.card_templates(env))
    b = spec.load_decks([tmp_path / "b"], render.card_templates(env))
    assert [c.id for d in b for c in d.cards][:3] == [c.id for d in a for c in d.cards]
    assert sum(len(d.cards) for d in b) == synth.PER_DECK + 2
    for ca, cb in zip(a[0].cards, b[0].cards, strict=False):
        assert ca.views == cb.views == tuple(synth.VIEWS) and ca.template == "card.md.j2"
        assert (ca.examples["main"].input == cb.examples["main"].input).all()
    before = (tmp_path / "a" / "synth-001.yaml").read_text()
    synth.edit_first_card(tmp_path / "a", 1)
    after = spec.load_decks([tmp_path / "a"], render.card_templates(env))
    changed = [ca.id for ca, cb in zip(a[0].cards, after[0].cards, strict=True)
               if (ca.examples["main"].input != cb.examples["main"].input).any()]
    assert changed == [a[0].cards[0].id], "the one-card edit changes the first card's input and nothing else"
    assert len(before.splitlines()) == len((tmp_path / "a" / "synth-001.yaml").read_text().splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))


# --- the generator's modules: the data flows one way --------------------------------------------


def _imports() -> dict[str, set[str]]:
    """For each module of generator/, the modules of generator/ it imports (at run time or for type
    checking); the package generator/content/ counts as one module, ``content``."""
    import ast

    pkg = ROOT / "generator"
    names = {p.stem for p in pkg.glob("*.py")} | {"content"}
    graph: dict[str, set[str]] = {}
    for path in [*pkg.glob("*.py"), *(pkg / "content").glob("*.py")]:
        inside = path.parent.name == "content"
        mod = "content" if inside else path.stem
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == (2 if inside else 1):
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator"):
                parts = (node.module or "").split(".")
                deps |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        graph[mod] = graph.get(mod, set()) | ((deps & names) - {mod})
    return graph


# Two lazy imports of content/ (the package of per-card figures, seen as one module since this
# test reads it) close circles, known and left for a follow-up; listed, so that none is added
# unnoticed: the figure workers' draw function (cache._draw, run in FigureDrawer's processes), the
# circle cache -> content -> galleryfig -> gallery -> cache, also the one import against the flow
# of stages below; and steps.py's zero-insertion masks (content/deck4.py), the circle
# steps -> content -> galleryfig -> gallery -> steps.
KNOWN_BACKWARDS = {("cache", "content")}
KNOWN_CIRCLES = KNOWN_BACKWARDS | {("steps", "content")}


def test_the_generator_modules_import_each_other_without_a_circle():
    graph = _imports()
    for m, d in KNOWN_CIRCLES:
        assert d in graph[m], f"{m} no longer imports {d}: remove it from KNOWN_CIRCLES"
        graph[m] = graph[m] - {d}
    assert graph["render"] >= {"study", "anki"} and "study" in graph["anki"], "the graph is read (render uses study and anki)"
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:  # depth-first: a module met again while still on the stack closes a circle
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                pytest.fail("import circle: " + " -> ".join(stack[stack.index(d):] + [d]))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


# The stages of generator/, in the order the data flows; a module imports only modules of its own
# stage or earlier ones (README, "Layout": the module map says the same).
STAGES = {
    "tools": {"core", "errors", "strictyaml", "markup", "latex", "svgmin", "plaintext", "mdext", "writer", "cache", "__init__"},
    "spec": {"spec", "mathcheck"},
    "numbers": {"examples", "practice_base", "practice_kinds", "practice", "explore", "snippets"},
    "latex and figures": {"figures", "steps", "gallery", "galleryfig", "content"},
    "pages and downloads": {"study", "anki", "render"},
    "commands": {"siteconfig", "cli", "serve", "preview_hook", "scaffold", "app", "__main__"},
}


def test_the_generator_modules_import_one_way_by_stage():
    """spec -> numbers -> LaTeX and figures -> pages and downloads -> commands: no module imports a
    later stage, and every module of generator/ has a stage (a new one must be placed)."""
    graph = _imports()
    stage = {m: i for i, (_, ms) in enumerate(STAGES.items()) for m in ms}
    assert set(graph) - set(stage) == set(), "modules of generator/ with no stage in STAGES"
    assert set(stage) - set(graph) == set(), "STAGES names a module generator/ does not have"
    assert "figures" in graph["content"] and "content" in graph["render"], "the graph is read (content/ and who imports it)"
    names = list(STAGES)
    backwards = {(m, d) for m in graph for d in graph[m] if stage[d] > stage[m]}
    assert backwards == KNOWN_BACKWARDS, "\n".join(
        f"{m} ({names[stage[m]]}) imports {d} ({names[stage[d]]})" for m, d in sorted(backwards ^ KNOWN_BACKWARDS))
