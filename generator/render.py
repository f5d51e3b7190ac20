"""Render decks into the files of ``docs/``: Markdown pages, figures, data and navigation.

:func:`render_site` gathers every output in memory as ``{relative path: bytes}``;
writing them is :mod:`generator.writer`'s job. Templates receive arrays and call
LaTeX filters; they never see a number that was typed into them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from . import anki, cache, content, explore, gallery, latex, markup, plaintext, snippets, spec, steps, study
from .errors import Problem, SpecError
from .examples import Example, build
from .practice import Question, questions
from .spec import CardSpec, DeckSpec

PACKAGE = Path(__file__).parent
TEMPLATE_DIR = PACKAGE / "templates"
DECK_DIR = PACKAGE / "decks"
CARDS_DIR = "cards"
DATA_FILE = "data/cards.json"
RULES_FILE = "data/rules.json"  # the validity rules of an example, read by the explorer (/explore/)
NAV_FILE = ".nav.yml"
LEAD_PAGES = ("index.md", "notation.md", "study.md", "explore.md")
SITE_URL_BASE = ""


def environment(extra_template_dirs: list[Path] | None = None) -> jinja2.Environment:
    """The jinja2 environment: author templates first, then the built-in ones.

    Jinja's sandbox: a template reads the values it is given (no ``__class__``, ``__globals__``
    or other private attribute, so no way to a module, a file or a shell) and calls only
    their safe methods. Deck text is escaped by filters: ``plain`` (a title, as inline
    Markdown), ``html_text`` (as HTML), ``cell`` (a Markdown text in one table cell)."""
    dirs = [str(d) for d in (extra_template_dirs or [])] + [str(TEMPLATE_DIR)]
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(dirs),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(latex.FILTERS)
    env.filters["pylist"] = snippets.pylist
    env.globals["explore_href"] = explore.href  # a card's "open in the explorer" link
    env.filters["plain"] = markup.plain
    env.filters["html_text"] = markup.html_text
    env.filters["cell"] = markup.cell
    env.filters["attr_text"] = markup.attr_text
    env.filters["description"] = plaintext.description
    return env


def card_templates(env: jinja2.Environment) -> set[str]:
    """Template names a card may use: ``card.md.j2`` and ``cards/*.md.j2``."""
    return {n for n in env.list_templates() if n.endswith(".md.j2") and (n == "card.md.j2" or n.startswith("cards/"))}


def card_path(card: CardSpec) -> str:
    return f"{CARDS_DIR}/{card.deck}/{card.id}.md"


def deck_path(deck: DeckSpec) -> str:
    return f"{CARDS_DIR}/{deck.id}/index.md"


@dataclass
class RenderedCard:
    card: CardSpec
    deck: DeckSpec
    examples: dict[str, Example]
    questions: list[Question]
    markdown: str = ""
    figures: dict[str, bytes] = field(default_factory=dict)
    figure_source: Any = field(default=None, repr=False, compare=False)  # _Figures still drawing (render_site)
    json_text: str | None = field(default=None, repr=False, compare=False)  # its entry of cards.json (card_json)
    back: tuple[str, str] | None = field(default=None, repr=False, compare=False)  # (page, its study back): study.card_back

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.card.id,
            "deck": self.deck.id,
            "deck_title": self.deck.title,
            "title": self.card.title,
            "question": self.card.question,
            "url": card_path(self.card)[: -len(".md")] + "/",
            "builds_on": list(self.card.builds_on),
            "examples": [ex.as_json() for ex in self.examples.values()],
            "practice": [q.as_json() for q in self.questions],
        }


class _Figures:
    """Draws figures on demand from a template and keeps their bytes.

    Figures come from a :class:`cache.FigureDrawer`: known ones from the cache; missing
    ones are drawn, in worker processes when the drawer is parallel, in which case the
    template gets a placeholder that :meth:`finish` replaces once the figure is drawn.
    """

    def __init__(self, card: CardSpec, drawer: cache.FigureDrawer | None = None):
        self.card = card
        self.files: dict[str, bytes] = {}
        self.drawer = drawer or cache.FigureDrawer()
        self.later: dict[int, str] = {}  # ticket -> file name, figures still being drawn
        self.keys: dict[str, str | None] = {}  # file name -> figure key (for the card's cache entry)
        self.data: dict[str, bytes] = {}  # file name -> step data of a figure that slides (generator.steps)
        self.card_key: str | None = None

    def __call__(self, kind: str, ex: Example | Any, **kw: Any) -> str:
        try:
            content.figure(kind)  # an unknown kind fails here, inside its template
        except AttributeError:  # an author template asked for a figure that does not exist
            known = ", ".join(sorted(content.FIGURES))
            expected = f"a figure kind ({known}, or a drawing of generator/figures.py)"
            raise SpecError([Problem(self.card.template, self.card.id, "template", expected, f"figure('{kind}')")]) from None
        name = f"{self.card.id}-{getattr(ex, 'name', 'data')}-{kind}".replace("_", "-")
        if kw:
            # keyword values become part of the file name: keep only characters safe in a path
            name += "-" + "-".join(
                re.sub(r"[^a-z0-9]+", "-", f"{k}{v}".lower()).strip("-") for k, v in sorted(kw.items()) if isinstance(v, (int, str))
            )
        fname = f"figures/{name}.svg"
        key = cache.figure_key(kind, (ex,), kw)
        if fname in self.keys and (key is None or self.keys[fname] != key):  # two different figures, one file name
            expected = "figures whose example, kind and whole-number or text arguments differ"
            raise SpecError([Problem(self.card.template, self.card.id, "template", expected, f"a second figure named '{fname}'")])
        data = steps.for_figure(kind, ex, kw)
        if data is not None:  # the page's stepper reads it next to the figure: same name, .steps.json
            self.files[f"figures/{name}.steps.json"] = self.data[f"figures/{name}.steps.json"] = data
        ticket, done = self.drawer.request(kind, (ex,), kw)
        self.files[fname] = done[0] if done else b""
        self.keys[fname] = self.drawer.keys[ticket]
        if done is None:
            self.later[ticket] = fname
            return self.drawer.PLACEHOLDER.format(ticket)
        return self._markdown(fname, done[1])

    def _markdown(self, fname: str, alt: str) -> str:
        # Brackets or backslashes in the alt text would end or escape the Markdown image.
        safe = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        stepped = " .cc-stepped" if fname[: -len(".svg")] + ".steps.json" in self.data else ""
        return f"![{safe}]({fname}){{ .cc-figure{stepped} loading=lazy }}"

    def finish(self, markdown: str) -> str:
        """The page with every placeholder replaced, once each figure is drawn (bytes into ``files``)."""
        done = {}
        for ticket, fname in self.later.items():
            svg, alt = self.drawer.result(ticket)
            self.files[fname] = svg
            done[ticket] = self._markdown(fname, alt)
        self.later = {}
        return self.drawer.fill(markdown, done.__getitem__) if done else markdown

    def save(self, rc: RenderedCard) -> None:
        """The finished card into the cache, with what the course's shared outputs read of it."""
        derived = {
            "questions": [q.as_json() for q in rc.questions],
            "back": study.card_back(rc),
            "html": {t: study.to_html(t) for t in study.card_texts(rc)},
        }
        cache.save_card(self.card_key, rc.markdown, self.keys, self.data, derived, card_json(rc))


def _links(cards: dict[str, CardSpec], here: CardSpec) -> Callable[[str], str]:
    def link(card_id: str, text: str | None = None) -> str:
        target = cards[card_id]
        rel = target.id + ".md" if target.deck == here.deck else f"../{target.deck}/{target.id}.md"
        return f"[{text or markup.plain(target.title)}]({rel})"

    return link


def render_card(
    env: jinja2.Environment,
    deck: DeckSpec,
    card: CardSpec,
    all_cards: dict[str, CardSpec],
    drawer: cache.FigureDrawer | None = None,
    index: bytes | None = None,
) -> RenderedCard:
    """One card's page and figures. With a shared parallel ``drawer`` (render_site), figures
    may still be drawing on return: :func:`finish_card` completes the card. ``index``:
    :func:`cache.cards_index` of ``all_cards``, when the caller renders many cards."""
    examples = build(card.examples)  # cheap: an example computes its arrays when first asked
    key = cache.card_key(card, deck, all_cards, [Path(d) for d in getattr(env.loader, "searchpath", [])], index)
    hit = cache.load_card(key)
    if hit is not None:  # rendered before from the same inputs: page, figures and derived data from the cache
        rc = _from_cache(card, deck, examples, *hit)
        if rc is not None:
            return rc
    rc = RenderedCard(card, deck, examples, questions(examples, card.practice, card.id))
    figs = _Figures(card, drawer)
    figs.card_key = key
    ctx = {
        "card": card,
        "deck": deck,
        "ex": examples,
        "main": next(iter(examples.values()), None),
        "questions": [q for q in rc.questions if q.variant == 0],
        "data": card.data,
        "extra": content.extras(card, examples),
        "figure": figs,
        "link": _links(all_cards, card),
        "pytorch": snippets.pytorch,
        "pytorch_matrix": snippets.pytorch_matrix,
    }
    try:
        rc.markdown = env.get_template(card.template).render(ctx)
    except jinja2.TemplateNotFound as e:
        raise SpecError([Problem(card.file, card.id, "template", "an existing template", f"'{e.name}', which was not found")]) from None
    except jinja2.TemplateSyntaxError as e:  # an author template jinja2 cannot read
        where = f"{e.filename or e.name or card.template}:{e.lineno}"
        raise SpecError([Problem(where, card.id, "template", "a template jinja2 can read", f"a syntax error: {e.message}")]) from None
    except jinja2.UndefinedError as e:  # a template that uses a name the card does not have
        where = _template_line(e) or card.template
        raise SpecError(
            [Problem(where, card.id, "template", f"names the card provides ({', '.join(sorted(ctx))})", f"an undefined name: {e.message}")]
        ) from None
    except jinja2.sandbox.SecurityError as e:  # an author template reaching outside its values
        where = _template_line(e) or card.template
        raise SpecError([Problem(where, card.id, "template", "a template that only reads the card's values", f"{e}")]) from None
    except SpecError:
        raise
    except Exception as e:  # noqa: BLE001 - an author template that fails while rendering: one line, not a traceback
        where = _template_line(e)
        if where is None or Path(where.rsplit(":", 1)[0]).resolve().is_relative_to(TEMPLATE_DIR.resolve()):
            raise  # in a built-in template: a bug, with its traceback
        first = str(e).splitlines()[0] if str(e) else ""
        raise SpecError([Problem(where, card.id, "template", "a template that renders", f"{type(e).__name__}: {first[:120]}")]) from None
    rc.figures = figs.files
    rc.figure_source = figs
    if drawer is None:  # on its own: complete now
        figs.drawer.finish()
        finish_card(rc)
    return rc


def _from_cache(card: CardSpec, deck: DeckSpec, examples: dict[str, Example], markdown: str, figures: dict[str, bytes],
                derived: dict[str, Any], json_text: str) -> RenderedCard | None:
    """A card from its cache entry: its practice questions as cards.json holds them (JSON values:
    lists where the fresh ones may hold tuples), its study back and texts' HTML, its entry of
    cards.json. None if the entry lacks any of them (then the card is rendered again)."""
    try:
        qs = [Question(**q) for q in derived["questions"]]
        back = str(derived["back"])
        html = {str(k): str(v) for k, v in derived["html"].items()}
    except (KeyError, TypeError, AttributeError):
        return None
    study.known_html(html)
    return RenderedCard(card, deck, examples, qs, markdown, figures, json_text=json_text, back=(markdown, back))


def finish_card(rc: RenderedCard) -> RenderedCard:
    """Wait for the card's figures, put their Markdown into its page and keep the card in the cache."""
    if rc.figure_source is not None:
        figs, rc.figure_source = rc.figure_source, None
        rc.markdown = figs.finish(rc.markdown)
        figs.save(rc)
    return rc


def _template_line(e: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of an exception's traceback (jinja2 maps them)."""
    where = None
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def render_site(
    decks: list[DeckSpec], env: jinja2.Environment, docs_dir: Path | None = None, anki_config: anki.Config = anki.DEFAULT
) -> dict[str, bytes]:
    """Every generated file of the site, keyed by its path relative to ``docs/``.

    A site generated before from the same decks, templates, code and pages comes from
    the cache (see :mod:`generator.cache`), without rendering anything.
    """
    pages = sorted(p.name for p in docs_dir.glob("*.md")) if docs_dir is not None else []
    previous_apkg = anki.previous_build(docs_dir)  # the notes' times carry over from it
    previous_key = hashlib.sha256(previous_apkg or b"").hexdigest()
    extra = [str(docs_dir is None), previous_key, repr(anki_config)]
    template_dirs = [Path(d) for d in getattr(env.loader, "searchpath", [])]
    try:
        decks_fp: bytes | None = cache.decks_digest(decks)
    except TypeError:
        decks_fp = None
    key = cache.site_key(decks, template_dirs, pages + extra, decks_fp) if decks_fp is not None else None
    cached = cache.load_site(key)
    if cached is not None:
        return cached
    all_cards = {c.id: c for d in decks for c in d.cards}
    out: dict[str, bytes] = {}
    rendered: list[RenderedCard] = []
    drawer = cache.FigureDrawer(parallel=True)
    try:
        # the gallery's GIFs and strips first: the longest drawings, started while the cards render
        drawings = gallery.request(drawer, decks, docs_dir)
        index = cache.cards_index(all_cards)
        cards_of = {deck.id: [render_card(env, deck, card, all_cards, drawer, index) for card in deck.cards] for deck in decks}
        if drawer.pending:  # figures still drawing in workers: meanwhile, study mode's Markdown to HTML
            study.warm([rc for deck in decks for rc in cards_of[deck.id]])
        drawer.finish()
    finally:
        drawer.close()
    owner: dict[str, CardSpec | DeckSpec] = {}
    clashes: list[Problem] = []

    def put(rel: str, data: bytes, who: CardSpec | DeckSpec) -> None:
        """One output per path: a second one for a path is a problem, not an overwrite."""
        if rel in owner:
            first = owner[rel]
            name = f"card '{first.id}'" if isinstance(first, CardSpec) else f"the page of deck '{first.id}'"
            card = who.id if isinstance(who, CardSpec) else None
            clashes.append(Problem(who.file, card, "id", f"a page or figure path of its own ({name} writes it too)", f"'{rel}'"))
            return
        owner[rel] = who
        out[rel] = data

    for deck in decks:
        deck_cards = []
        for rc in cards_of[deck.id]:
            card = finish_card(rc).card
            rendered.append(rc)
            deck_cards.append(rc)
            put(card_path(card), rc.markdown.encode("utf-8"), card)
            for fname, svg in rc.figures.items():
                put(f"{CARDS_DIR}/{deck.id}/{fname}", svg, card)
        put(deck_path(deck), env.get_template("deck.md.j2").render(deck=deck, cards=deck_cards).encode("utf-8"), deck)
    if clashes:
        raise SpecError(clashes)
    out[DATA_FILE] = cards_json(rendered)
    out[RULES_FILE] = (json.dumps(spec.rules_table(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    out.update(study.outputs(decks, rendered))  # study mode, home grid, print pages
    out.update(anki.outputs(decks, study.items(rendered), previous_apkg, anki_config))  # the Anki deck
    out.update(gallery.outputs(decks, drawer, drawings))  # the gallery page, its downloads and step data
    out[NAV_FILE] = nav_yaml(decks, docs_dir)
    next_key = None
    if docs_dir is not None and out.get(anki.APKG_FILE, previous_apkg) != previous_apkg:
        # The next run reads this .apkg as its previous build and gets these very outputs back
        # (every note unchanged keeps its time): filed under that run's key too, the no-op after
        # a change is a cache hit instead of a whole rendering again (10 s of CPU at 290 cards).
        extra[1] = hashlib.sha256(out[anki.APKG_FILE]).hexdigest()
        next_key = cache.site_key(decks, template_dirs, pages + extra, decks_fp) if decks_fp is not None else None
    cache.save_site(key, out, also=next_key)
    return out


CARDS_SCHEMA = {"schema": "convcards/cards.json", "version": 1}


def card_json(rc: RenderedCard) -> str:
    """A card's entry of cards.json as it is written there: ``json.dumps(indent=1)`` of
    :meth:`RenderedCard.as_json`, indented one level deeper (JSON strings hold no newline).
    Kept with the card in the cache: Python's JSON encoder with ``indent`` is pure Python, and
    encoding every card's examples on every run was 12 % of a profiled no-op at 290 cards."""
    if rc.json_text is None:
        rc.json_text = json.dumps(rc.as_json(), indent=1, ensure_ascii=False).replace("\n", "\n  ")
    return rc.json_text


def cards_json(rendered: list[RenderedCard]) -> bytes:
    """``json.dumps({schema, version, cards: [...]}, indent=1)``, assembled from :func:`card_json`."""
    head = "".join(f"\n {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in CARDS_SCHEMA.items())
    cards = "[\n  " + ",\n  ".join(card_json(rc) for rc in rendered) + "\n ]" if rendered else "[]"
    return ("{" + head + f'\n "cards": {cards}\n}}\n').encode("utf-8")


def nav_yaml(decks: list[DeckSpec], docs_dir: Path | None) -> bytes:
    """The ``nav`` that mkdocs.yml inherits: lead pages, then each deck in order."""
    lines = ["# Generated by `python -m generator`: the site's navigation. Do not edit.", "nav:"]
    present = [p for p in LEAD_PAGES if docs_dir is None or (docs_dir / p).exists()]
    lines += [f"  - {p}" for p in present]
    for deck in decks:
        lines.append(f"  - {json.dumps(markup.html_text(deck.title, quote=False), ensure_ascii=False)}:")
        lines.append(f"    - {deck_path(deck)}")
        lines += [f"    - {card_path(c)}" for c in deck.cards]
    if gallery.wanted(decks):
        lines.append(f"  - {gallery.PAGE}")
    if docs_dir is not None:
        extra = sorted(p.name for p in docs_dir.glob("*.md") if p.name not in LEAD_PAGES and not p.name.startswith("."))
        lines += [f"  - {p}" for p in extra]
    return ("\n".join(lines) + "\n").encode("utf-8")
