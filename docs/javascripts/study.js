/* convcards study mode: one card at a time, flip, grade yourself, Leitner boxes in localStorage.
   Plain JavaScript, no framework, nothing from another host. Runs only on a page holding
   #cc-study (docs/study.md); its data is data/study.json, written by the generator.

   Progress is one localStorage entry, "convcards.study.v1":
     { version: 1,
       items: { <item id>: { box: 1..5, deck: <deck id>, seen: n, again: n } },
       settings: { decks: [<deck id>...] | null, practice: true|false, shuffle: true|false } }
   docs/javascripts/home.js reads the same entry to show progress per deck. */
(function () {
  "use strict";

  var STORE = "convcards.study.v1";
  var BOXES = 5;
  var AGAIN_GAP = 3; // a card graded "again" comes back after this many other cards

  function loadStore() {
    try {
      var s = JSON.parse(window.localStorage.getItem(STORE));
      if (s && s.version === 1 && s.items) {
        s.settings = s.settings || {};
        return s;
      }
    } catch (e) { /* unreadable: start afresh */ }
    return { version: 1, items: {}, settings: {} };
  }

  function saveStore(s) {
    try { window.localStorage.setItem(STORE, JSON.stringify(s)); } catch (e) { /* private mode: progress lives for this page only */ }
  }

  function siteBase() {
    try { return JSON.parse(document.getElementById("__config").textContent).base || "."; } catch (e) { return ".."; }
  }

  function renderMath(el) {
    if (typeof window.convcardsRenderMath === "function") window.convcardsRenderMath(el);
  }

  function shuffled(list) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  function Study(root, data) {
    this.root = root;
    this.data = data;
    this.byId = {};
    for (var i = 0; i < data.items.length; i++) this.byId[data.items[i].id] = data.items[i];
    this.store = loadStore();
    this.queue = [];
    this.pos = 0;
    this.flipped = false;
    this.reviewed = 0;
    this.el = {};
    var names = ["deck-list", "status", "meta", "front", "back", "flip", "again", "got", "shuffle", "reset", "boxes", "announce", "card"];
    for (var n = 0; n < names.length; n++) this.el[names[n]] = root.querySelector(".cc-study__" + names[n]);
    this.el.practice = root.querySelector('input[name="practice"]');
  }

  Study.prototype.box = function (id) {
    var rec = this.store.items[id];
    return rec && rec.box ? rec.box : 1;
  };

  Study.prototype.selectedDecks = function () {
    var chosen = this.store.settings.decks;
    var all = this.data.decks.map(function (d) { return d.id; });
    if (!chosen) return all;
    return all.filter(function (id) { return chosen.indexOf(id) >= 0; });
  };

  Study.prototype.pool = function () {
    var decks = this.selectedDecks();
    var practice = this.store.settings.practice !== false;
    return this.data.items.filter(function (it) {
      return decks.indexOf(it.deck) >= 0 && (practice || it.kind === "card");
    });
  };

  /* A session: every chosen item, lower boxes first; shuffled within a box when asked. */
  Study.prototype.buildQueue = function () {
    var groups = [];
    for (var b = 0; b < BOXES; b++) groups.push([]);
    var pool = this.pool();
    for (var i = 0; i < pool.length; i++) groups[this.box(pool[i].id) - 1].push(pool[i].id);
    var shuffle = !!this.store.settings.shuffle;
    this.queue = [];
    for (var g = 0; g < groups.length; g++) this.queue = this.queue.concat(shuffle ? shuffled(groups[g]) : groups[g]);
    this.pos = 0;
    this.reviewed = 0;
  };

  Study.prototype.current = function () {
    return this.pos < this.queue.length ? this.byId[this.queue[this.pos]] : null;
  };

  Study.prototype.announce = function (text) {
    var a = this.el.announce;
    a.textContent = "";
    window.setTimeout(function () { a.textContent = text; }, 30);
  };

  Study.prototype.setFlipped = function (flipped, announce) {
    var it = this.current();
    this.flipped = !!(flipped && it);
    if (this.flipped && !this.el.back.innerHTML) {
      this.el.back.innerHTML = this.backHtml;
      this.el.back.hidden = false;
      renderMath(this.el.back);
    }
    this.el.back.hidden = !this.flipped;
    this.el.card.setAttribute("data-flipped", this.flipped ? "true" : "false");
    this.el.flip.textContent = this.flipped ? "Hide answer" : "Show answer";
    this.el.flip.setAttribute("aria-label", this.flipped ? "Hide answer (flip the card back)" : "Show answer (flip the card)");
    this.el.flip.setAttribute("aria-expanded", this.flipped ? "true" : "false");
    this.el.flip.disabled = !it;
    this.el.again.disabled = !this.flipped;
    this.el.got.disabled = !this.flipped;
    if (announce) this.announce(this.flipped ? "Answer shown, below the question. Grade yourself: Again or Got it." : "Question shown.");
  };

  Study.prototype.show = function () {
    var it = this.current();
    var el = this.el;
    if (!it) {
      el.meta.textContent = "";
      el.front.innerHTML = "";
      el.back.innerHTML = "";
      this.backHtml = "";
      var done = document.createElement("p");
      done.className = "cc-study__done";
      done.textContent = this.queue.length
        ? "Session done: " + this.reviewed + " cards reviewed. Shuffle, change the decks or reload the page to start another round (lowest boxes first)."
        : "No cards: choose at least one deck.";
      el.front.appendChild(done);
      this.setFlipped(false, false);
      this.status();
      return;
    }
    var box = this.box(it.id);
    el.card.setAttribute("data-item", it.id);
    el.card.setAttribute("data-box", String(box));
    el.meta.textContent = it.deck_title + " · " + it.title + " · box " + box + " of " + BOXES;
    el.front.innerHTML = '<h2 class="cc-study__label">Question</h2>' + it.question;
    // The back is filled in when the card is first flipped: until then nothing of the answer
    // is in the page (not for the eye, nor for a screen reader, nor as hidden math).
    el.back.innerHTML = "";
    this.backHtml = '<h2 class="cc-study__label">Answer</h2>' + it.answer +
      '<p class="cc-study__more"><a href="' + siteBase() + "/" + it.url + '">Open the full card: ' + escapeHtml(it.title.replace(/^Practice: /, "")) + "</a></p>";
    renderMath(el.front);
    this.setFlipped(false, false);
    this.status();
  };

  /* The settings' summary says what is chosen, so it can stay closed. */
  Study.prototype.summarize = function () {
    var summary = this.root.querySelector(".cc-study__settings > summary");
    if (!summary) return;
    var n = this.selectedDecks().length;
    summary.textContent = "Decks and cards: " + n + " of " + this.data.decks.length + " decks, practice variants " +
      (this.store.settings.practice !== false ? "included" : "left out");
  };

  Study.prototype.status = function () {
    var n = this.queue.length;
    var text = n ? "Card " + Math.min(this.pos + 1, n) + " of " + n + " in this session." : "";
    if (this.pos >= n && n) text = "Session done.";
    this.el.status.textContent = text;
    var counts = [0, 0, 0, 0, 0];
    var pool = this.pool();
    for (var i = 0; i < pool.length; i++) counts[this.box(pool[i].id) - 1]++;
    var parts = [];
    for (var b = 0; b < BOXES; b++) parts.push('<span class="cc-study__box" data-box="' + (b + 1) + '">Box ' + (b + 1) + ": <strong>" + counts[b] + "</strong></span>");
    this.el.boxes.innerHTML = parts.join(" ");
    this.summarize();
  };

  Study.prototype.grade = function (gotIt) {
    var it = this.current();
    if (!it || !this.flipped) return;
    var rec = this.store.items[it.id] || { box: 1, deck: it.deck, seen: 0, again: 0 };
    rec.deck = it.deck;
    rec.seen = (rec.seen || 0) + 1;
    var id = this.queue[this.pos];
    this.queue.splice(this.pos, 1);
    if (gotIt) {
      rec.box = Math.min(BOXES, (rec.box || 1) + 1);
    } else {
      rec.box = 1;
      rec.again = (rec.again || 0) + 1;
      this.queue.splice(Math.min(this.pos + AGAIN_GAP, this.queue.length), 0, id);
    }
    this.store.items[it.id] = rec;
    saveStore(this.store);
    this.reviewed++;
    this.show();
    var next = this.current();
    this.announce((gotIt ? "Got it: moved to box " + rec.box + "." : "Again: back to box 1, it comes back soon.") +
      (next ? " Next card: " + next.title + "." : " Session done."));
    this.el.flip.focus();
  };

  Study.prototype.buildDeckList = function () {
    var self = this;
    var list = this.el["deck-list"];
    list.innerHTML = "";
    var chosen = this.selectedDecks();
    this.data.decks.forEach(function (d) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "deck";
      box.value = d.id;
      box.checked = chosen.indexOf(d.id) >= 0;
      box.addEventListener("change", function () { self.onDecksChanged(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + d.title + " (" + d.items + ")"));
      list.appendChild(label);
    });
  };

  Study.prototype.onDecksChanged = function () {
    var boxes = this.el["deck-list"].querySelectorAll('input[name="deck"]');
    var chosen = [];
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) chosen.push(boxes[i].value);
    this.store.settings.decks = chosen;
    saveStore(this.store);
    this.restart("Decks changed: " + this.queue.length + " cards.");
  };

  Study.prototype.restart = function (message) {
    this.buildQueue();
    this.show();
    this.announce(message.replace(/\d+ cards/, this.queue.length + " cards"));
  };

  Study.prototype.bind = function () {
    var self = this;
    var el = this.el;
    el.flip.addEventListener("click", function () { self.setFlipped(!self.flipped, true); });
    el.card.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a")) return; // links inside the card still work
      self.setFlipped(!self.flipped, true);
    });
    el.again.addEventListener("click", function () { self.grade(false); });
    el.got.addEventListener("click", function () { self.grade(true); });
    el.practice.checked = this.store.settings.practice !== false;
    el.practice.addEventListener("change", function () {
      self.store.settings.practice = el.practice.checked;
      saveStore(self.store);
      self.restart("Practice variants " + (el.practice.checked ? "included" : "left out") + ": 0 cards.");
    });
    el.shuffle.setAttribute("aria-pressed", this.store.settings.shuffle ? "true" : "false");
    el.shuffle.addEventListener("click", function () {
      self.store.settings.shuffle = true;
      saveStore(self.store);
      el.shuffle.setAttribute("aria-pressed", "true");
      self.restart("Shuffled: 0 cards, lowest boxes first.");
    });
    el.reset.addEventListener("click", function () {
      if (!window.confirm("Reset your study progress? Every card goes back to box 1.")) return;
      self.store.items = {};
      saveStore(self.store);
      self.restart("Progress reset: 0 cards, all in box 1.");
    });
    this.root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); });
    document.addEventListener("keydown", function (e) { self.onKey(e); });
  };

  /* Space and Enter flip, 1 and 2 grade; never when typing in or pressing a control (no traps). */
  Study.prototype.onKey = function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
    var inControl = tag === "input" || tag === "textarea" || tag === "select" || tag === "button" || tag === "a" || tag === "summary" || (t && t.isContentEditable);
    if ((e.key === " " || e.key === "Enter") && !inControl) {
      if (!this.current()) return;
      e.preventDefault();
      this.setFlipped(!this.flipped, true);
    } else if ((e.key === "1" || e.key === "2") && tag !== "input" && tag !== "textarea" && this.flipped) {
      e.preventDefault();
      this.grade(e.key === "2");
    }
  };

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function init() {
    var root = document.getElementById("cc-study");
    if (!root || root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "loading");
    var nojs = document.querySelectorAll(".cc-study-nojs");
    for (var i = 0; i < nojs.length; i++) nojs[i].hidden = true;
    root.hidden = false;
    var status = root.querySelector(".cc-study__status");
    status.textContent = "Loading the cards…";
    fetch(siteBase() + "/data/study.json")
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        var s = new Study(root, data);
        s.buildDeckList();
        s.bind();
        s.buildQueue();
        s.show();
        window.convcardsStudy = {
          queue: function () { return s.queue.slice(); },
          current: function () { var c = s.current(); return c ? c.id : null; },
          store: STORE
        };
        root.setAttribute("data-ready", "true");
      })
      .catch(function (err) {
        status.textContent = "Could not load the cards (data/study.json): " + err.message + ". Read them from the decks instead.";
        for (var i = 0; i < nojs.length; i++) nojs[i].hidden = false;
        root.setAttribute("data-ready", "error");
      });
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
