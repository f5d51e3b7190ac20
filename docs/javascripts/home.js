/* convcards home page: per deck, "N cards due today · M new" and the learner's progress, read
   from what study mode keeps in this browser (see progress.js and study.js). */
(function () {
  "use strict";

  function show() {
    var P = window.convcardsProgress;
    var els = document.querySelectorAll(".cc-deck-progress[data-deck]");
    if (!els.length || !P) return;
    var loaded = P.load();
    var store = loaded.store;
    var at = P.now();
    var left = P.newLeft(store, at);
    var end = P.endOfDay(at);
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var deck = el.getAttribute("data-deck");
      var total = parseInt(el.getAttribute("data-total"), 10) || 0;
      var studied = 0, learned = 0, due = 0;
      for (var id in store.items) {
        var rec = store.items[id];
        if (!rec || rec.deck !== deck) continue;
        studied++;
        if (rec.state === 2) learned++;
        if (Date.parse(rec.due) < end && (store.settings.practice !== false || id.indexOf("~") < 0)) due++;
      }
      // new cards: as study mode counts them, without the practice variants if they are left out
      var practice = store.settings.practice !== false;
      var pool = practice ? total : parseInt(el.getAttribute("data-cards"), 10) || 0;
      var seenInPool = 0;
      for (var sid in store.items) {
        if (store.items[sid] && store.items[sid].deck === deck && (practice || sid.indexOf("~") < 0)) seenInPool++;
      }
      var fresh = Math.min(Math.max(0, pool - seenInPool), left);
      el.innerHTML = "";
      var counts = document.createElement("a");
      counts.className = "cc-deck-progress__due";
      counts.href = (el.getAttribute("data-study") || "study/");
      counts.textContent = P.summary({ due: due, fresh: fresh });
      el.appendChild(counts);
      if (studied) {
        var bar = document.createElement("progress");
        bar.max = total;
        bar.value = Math.min(learned, total);
        bar.setAttribute("aria-label", "Your progress in this deck");
        var text = document.createElement("span");
        text.className = "cc-deck-progress__text";
        text.textContent = "Learned " + learned + " of " + total + " (in review), " + studied + " studied.";
        el.appendChild(document.createTextNode(" "));
        el.appendChild(bar);
        el.appendChild(document.createTextNode(" "));
        el.appendChild(text);
      }
      el.setAttribute("data-due", String(due));
      el.setAttribute("data-new", String(fresh));
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
  window.addEventListener("storage", function (e) {
    if (window.convcardsProgress && e.key === window.convcardsProgress.STORE) show();
  });
})();
