/* convcards home page: the learner's progress per deck, read from the entry study mode
   keeps in localStorage ("convcards.study.v1", see study.js). Shown once they have studied. */
(function () {
  "use strict";

  var STORE = "convcards.study.v1";

  function load() {
    try {
      var s = JSON.parse(window.localStorage.getItem(STORE));
      return s && s.version === 1 && s.items ? s : null;
    } catch (e) { return null; }
  }

  function show() {
    var els = document.querySelectorAll(".cc-deck-progress[data-deck]");
    if (!els.length) return;
    var store = load();
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var deck = el.getAttribute("data-deck");
      var total = parseInt(el.getAttribute("data-total"), 10) || 0;
      var studied = 0, learned = 0;
      if (store) {
        for (var id in store.items) {
          var rec = store.items[id];
          if (!rec || rec.deck !== deck) continue;
          studied++;
          if (rec.box >= 2) learned++;
        }
      }
      if (!studied) { el.hidden = true; continue; }
      el.innerHTML = "";
      var bar = document.createElement("progress");
      bar.max = total;
      bar.value = Math.min(learned, total);
      bar.setAttribute("aria-label", "Your progress in this deck");
      var text = document.createElement("span");
      text.className = "cc-deck-progress__text";
      text.textContent = "Your progress: " + learned + " of " + total + " learned (box 2 or higher), " + studied + " studied.";
      el.appendChild(bar);
      el.appendChild(document.createTextNode(" "));
      el.appendChild(text);
      el.setAttribute("data-learned", String(learned));
      el.setAttribute("data-studied", String(studied));
      el.hidden = false;
    }
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(show);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
  window.addEventListener("storage", function (e) { if (e.key === STORE) show(); });
})();
