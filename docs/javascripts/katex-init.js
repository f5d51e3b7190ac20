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

  window.convcardsRenderMath = renderMath;
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(function () { renderMath(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { renderMath(document); });
  } else {
    renderMath(document);
  }
})();
