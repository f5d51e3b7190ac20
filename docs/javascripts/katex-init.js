/* Typeset the math the build left as LaTeX, with the KaTeX the site serves itself (no CDN).

   The build (generator/postbuild.mjs) typesets every formula a reader sees on arrival; a
   formula behind a closed reveal keeps its LaTeX (the page stays light) and is typeset here:
   - KaTeX (vendor/katex/katex.min.js) is loaded only when some formula needs it: at once when
     one is already on screen (`mkdocs serve`, which has no build step), otherwise once the
     page is painted and idle, or as soon as the reader reaches for a reveal;
   - then the formulas behind reveals are typeset a few at a time in idle time, so a reveal
     opens on typeset math; a reveal opened earlier is typeset first, in the click itself
     (before the browser paints it open) or on its toggle event;
   - before printing, everything left is typeset.
   Only elements produced by pymdownx.arithmatex are touched; errors are shown in place
   (class .katex-error) instead of breaking the page. window.convcardsRenderMath(root) is the
   entry point for pages that add math later (study mode). */
(function () {
  "use strict";

  var PENDING = ".arithmatex:not([data-katex=done])";
  var here = document.currentScript && document.currentScript.src;
  var KATEX_SRC = here ? new URL("../vendor/katex/katex.min.js", here).href : null;
  var loading = false, waiting = [];

  function strip(tex) {
    tex = tex.trim();
    if ((tex.startsWith("\\(") && tex.endsWith("\\)")) || (tex.startsWith("\\[") && tex.endsWith("\\]"))) {
      return tex.slice(2, -2);
    }
    return tex;
  }

  // Run then() once KaTeX is there, loading it on first need.
  function withKatex(then) {
    if (typeof katex !== "undefined") { then(); return; }
    waiting.push(then);
    if (loading || !KATEX_SRC) return;
    loading = true;
    var s = document.createElement("script");
    s.src = KATEX_SRC;
    function flush() { var w = waiting; waiting = []; for (var i = 0; i < w.length; i++) w[i](); }
    s.onload = flush;
    // the LaTeX stays readable; whoever waited is told (KaTeX still undefined), a later need retries
    s.onerror = function () { loading = false; s.remove(); flush(); };
    document.head.appendChild(s);
  }

  function renderOne(el) {
    if (el.getAttribute("data-katex") === "done") return;
    katex.render(strip(el.textContent), el, {
      displayMode: el.tagName === "DIV",
      throwOnError: false,
      output: "htmlAndMathml"
    });
    el.setAttribute("data-katex", "done");
    watchScrolling(el);
  }

  // Typeset every pending formula under root: now if KaTeX is loaded, else once it is. Returns a
  // Promise settled when that is done (or KaTeX could not be loaded: the LaTeX then stays).
  function renderMath(root) {
    root = root || document;
    return new Promise(function (resolve) {
      if (!root.querySelector || !root.querySelector(PENDING)) { resolve(); return; }
      withKatex(function () {
        if (typeof katex !== "undefined") {
          var nodes = root.querySelectorAll(PENDING);
          for (var i = 0; i < nodes.length; i++) renderOne(nodes[i]);
        }
        resolve();
      });
    });
  }

  // The formulas behind reveals, a few at a time while the browser is idle.
  var idle = window.requestIdleCallback || function (fn) {
    return setTimeout(function () { fn({ timeRemaining: function () { return 8; } }); }, 16);
  };
  var idleQueued = false;
  function renderWhenIdle() {
    if (idleQueued || !document.querySelector(PENDING)) return;
    idleQueued = true;
    idle(function () {
      withKatex(function step() {
        if (typeof katex === "undefined") { idleQueued = false; return; }
        idle(function (deadline) {
          var next;
          while ((next = document.querySelector(PENDING))) {
            renderOne(next);
            if (deadline.timeRemaining() < 4) break;
          }
          if (document.querySelector(PENDING)) step();
          else idleQueued = false;
        });
      });
    }, { timeout: 1500 });
  }

  // A reveal about to open: typeset its math before the browser paints it open.
  document.addEventListener("click", function (e) {
    var summary = e.target && e.target.closest ? e.target.closest("summary") : null;
    var details = summary && summary.parentElement;
    if (details && details.tagName === "DETAILS" && !details.open) renderMath(details);
  }, true);
  document.addEventListener("toggle", function (e) {
    if (e.target && e.target.open) renderMath(e.target);
  }, true);
  // A reader reaching for a reveal (pointer down, keyboard focus) starts loading KaTeX.
  function reaching(e) {
    if (e.target && e.target.closest && e.target.closest("summary")) withKatex(function () {});
  }
  document.addEventListener("pointerdown", reaching, true);
  document.addEventListener("focusin", reaching, true);
  window.addEventListener("beforeprint", function () { renderMath(document); });

  // A wide formula (and a wide table, which Material wraps in .md-typeset__scrollwrap) scrolls in
  // its own box (convcards.css). Such a box must be reachable by keyboard to be scrolled (axe
  // scrollable-region-focusable): it gets tabindex=0 while it overflows, re-checked whenever the
  // box or its content changes size (viewport resized, reveal opened, KaTeX fonts loaded).
  var SCROLLERS = "div.arithmatex, span.arithmatex, .md-typeset__scrollwrap";
  var watcher = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(function (entries) {
    for (var i = 0; i < entries.length; i++) {
      var el = entries[i].target.closest(SCROLLERS);
      if (!el) continue;
      var scrolls = /auto|scroll/.test(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1;
      if (scrolls) el.setAttribute("tabindex", "0");
      else el.removeAttribute("tabindex");
    }
  });

  function watchScrolling(root) {
    if (!watcher) return;
    var nodes = root.matches && root.matches(SCROLLERS) ? [root] : (root || document).querySelectorAll(SCROLLERS);
    for (var i = 0; i < nodes.length; i++) {
      watcher.observe(nodes[i]);
      var inner = nodes[i].querySelector(".katex-html, table");
      if (inner) watcher.observe(inner);
    }
  }

  // On arrival: math already on screen but not typeset (no build step) is typeset at once; the
  // math behind reveals once the page has loaded and the browser is idle.
  function start() {
    var pending = document.querySelectorAll(PENDING);
    for (var i = 0; i < pending.length; i++) {
      if (!pending[i].closest("details:not([open])")) { renderMath(document); break; }
    }
    watchScrolling(document);
    if (document.readyState === "complete") renderWhenIdle();
    else window.addEventListener("load", renderWhenIdle, { once: true });
  }

  window.convcardsRenderMath = renderMath;
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
