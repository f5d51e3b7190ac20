/* Typeset every arithmatex element with the KaTeX the site serves itself (no CDN).
   Only elements produced by pymdownx.arithmatex are touched; errors are shown in place
   (class .katex-error) instead of breaking the page. */
(function () {
  "use strict";

  function strip(tex) {
    tex = tex.trim();
    if ((tex.startsWith("\\(") && tex.endsWith("\\)")) || (tex.startsWith("\\[") && tex.endsWith("\\]"))) {
      return tex.slice(2, -2);
    }
    return tex;
  }

  function renderMath(root) {
    if (typeof katex === "undefined") return;
    var nodes = (root || document).querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (el.getAttribute("data-katex") === "done") continue;
      var display = el.tagName === "DIV";
      katex.render(strip(el.textContent), el, {
        displayMode: display,
        throwOnError: false,
        output: "htmlAndMathml"
      });
      el.setAttribute("data-katex", "done");
    }
  }

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
    var nodes = (root || document).querySelectorAll(SCROLLERS);
    for (var i = 0; i < nodes.length; i++) {
      watcher.observe(nodes[i]);
      var inner = nodes[i].querySelector(".katex-html, table");
      if (inner) watcher.observe(inner);
    }
  }

  window.convcardsRenderMath = renderMath;
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(function () { renderMath(document); watchScrolling(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { renderMath(document); watchScrolling(document); });
  } else {
    renderMath(document);
    watchScrolling(document);
  }
})();
