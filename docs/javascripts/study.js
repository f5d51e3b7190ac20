/* convcards study mode: one card at a time, flip, grade yourself (Again, Hard, Good, Easy) or type
   the answer, and a scheduler (FSRS, the ts-fsrs package served from vendor/ts-fsrs) gives each
   card its next due date. Plain JavaScript, no framework, nothing from another host. Runs only
   on a page holding #cc-study (docs/study.md); its data is data/study.json, written by the
   generator. What is saved, and how old progress is migrated: progress.js. */
(function () {
  "use strict";

  var AGAIN_GAP = 3; // a card still due today comes back after this many other cards
  var AHEAD = 20; // how many not-yet-due cards "study ahead" brings
  var NAMES = { 1: "Again", 2: "Hard", 3: "Good", 4: "Easy" };
  var P; // window.convcardsProgress
  var FSRS; // window.FSRS (ts-fsrs)

  function siteBase() {
    try { return JSON.parse(document.getElementById("__config").textContent).base || "."; } catch (e) { return ".."; }
  }

  function renderMath(el) {
    if (typeof window.convcardsRenderMath === "function") window.convcardsRenderMath(el);
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function shuffled(list) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  /* "in 10 minutes", "in 3 days", "now". */
  function after(ms) {
    var min = Math.round(ms / 60000);
    if (min < 1) return "now";
    if (min < 60) return "in " + P.plural(min, "minute", "minutes");
    var h = Math.round(min / 60);
    if (h < 24) return "in " + P.plural(h, "hour", "hours");
    var d = Math.round(h / 24);
    if (d < 60) return "in " + P.plural(d, "day", "days");
    return "in " + P.plural(Math.round(d / 30), "month", "months");
  }

  function loadScheduler() {
    if (window.FSRS) return Promise.resolve(window.FSRS);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = siteBase() + "/vendor/ts-fsrs/ts-fsrs.umd.js";
      s.onload = function () { window.FSRS ? resolve(window.FSRS) : reject(new Error("ts-fsrs did not load")); };
      s.onerror = function () { reject(new Error("vendor/ts-fsrs/ts-fsrs.umd.js is missing")); };
      document.head.appendChild(s);
    });
  }

  function Study(root, data) {
    this.root = root;
    this.data = data;
    this.byId = {};
    for (var i = 0; i < data.items.length; i++) this.byId[data.items[i].id] = data.items[i];
    var loaded = P.load();
    this.store = loaded.store;
    this.problem = loaded.problem;
    this.migrated = !!loaded.migrated;
    // progress saved under a card's earlier id (a renamed card) moves to its id now, and is kept
    this.renamed = loaded.problem ? 0 : P.rename(this.store, data.renamed, this.byId);
    this.scheduler = FSRS.fsrs({ enable_fuzz: false });
    this.queue = [];
    this.pos = 0;
    this.flipped = false;
    this.answered = false;
    this.ahead = false;
    this.reviewed = 0;
    this.el = {};
    var names = ["deck-list", "status", "due", "meta", "front", "back", "flip", "next", "ahead", "shuffle", "reset", "announce", "card",
      "problem", "problem-text", "fresh", "export", "import"];
    for (var n = 0; n < names.length; n++) this.el[names[n]] = root.querySelector(".cc-study__" + names[n]);
    this.el.grades = root.querySelectorAll(".cc-study__grade");
    this.el.practice = root.querySelector('input[name="practice"]');
    this.el.limit = root.querySelector('input[name="new-per-day"]');
  }

  Study.prototype.save = function () {
    if (this.problem) return; // what is saved is unreadable: kept as it is until the learner starts afresh
    P.save(this.store);
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

  Study.prototype.poolIds = function () {
    return this.pool().map(function (it) { return it.id; });
  };

  /* A session: the cards due today (soonest first), then new cards up to today's limit. With
     ahead, the cards due soonest after today instead. Shuffled within each group when asked. */
  Study.prototype.buildQueue = function (ahead) {
    var at = P.now();
    var end = P.endOfDay(at);
    var items = this.store.items;
    var ids = this.poolIds();
    var due = [], later = [], unseen = [];
    for (var i = 0; i < ids.length; i++) {
      var r = items[ids[i]];
      if (!r) unseen.push(ids[i]);
      else if (Date.parse(r.due) < end) due.push(ids[i]);
      else later.push(ids[i]);
    }
    var byDue = function (a, b) { return Date.parse(items[a].due) - Date.parse(items[b].due); };
    due.sort(byDue);
    later.sort(byDue);
    var shuffle = !!this.store.settings.shuffle;
    this.ahead = !!ahead;
    if (ahead) {
      this.queue = later.slice(0, AHEAD);
    } else {
      var fresh = unseen.slice(0, P.newLeft(this.store, at));
      this.queue = (shuffle ? shuffled(due) : due).concat(shuffle ? shuffled(fresh) : fresh);
    }
    this.pos = 0;
    this.reviewed = 0;
  };

  Study.prototype.current = function () {
    return this.pos < this.queue.length ? this.byId[this.queue[this.pos]] : null;
  };

  Study.prototype.fsrsCard = function (id, at) {
    var r = this.store.items[id];
    if (!r) return FSRS.createEmptyCard(at);
    return {
      due: new Date(r.due), stability: r.stability, difficulty: r.difficulty, elapsed_days: r.elapsed_days || 0,
      scheduled_days: r.scheduled_days || 0, learning_steps: r.learning_steps || 0, reps: r.reps, lapses: r.lapses,
      state: r.state, last_review: r.last_review ? new Date(r.last_review) : undefined
    };
  };

  Study.prototype.announce = function (text) {
    var a = this.el.announce;
    a.textContent = "";
    window.setTimeout(function () { a.textContent = text; }, 30);
  };

  /* The grade buttons say when the card would come back. */
  Study.prototype.labelGrades = function () {
    var it = this.current();
    var at = P.now();
    var preview = it && this.flipped ? this.scheduler.repeat(this.fsrsCard(it.id, at), at) : null;
    for (var i = 0; i < this.el.grades.length; i++) {
      var b = this.el.grades[i];
      var g = parseInt(b.getAttribute("data-grade"), 10);
      var when = preview ? after(preview[g].card.due.getTime() - at.getTime()) : "";
      b.textContent = NAMES[g];
      if (when) {
        var small = document.createElement("small");
        small.className = "cc-study__when";
        small.textContent = " " + when;
        b.appendChild(small);
      }
      b.setAttribute("aria-label", NAMES[g] + (when ? " " + when : "") + " (key " + g + ")"); // the visible words first
      b.disabled = !this.flipped || this.answered || !it;
      b.hidden = this.answered;
    }
  };

  Study.prototype.setFlipped = function (flipped, announce) {
    var it = this.current();
    this.flipped = !!(flipped && it);
    if (this.flipped && !this.el.back.innerHTML) {
      this.el.back.innerHTML = this.backHtml;
      renderMath(this.el.back);
    }
    this.el.back.hidden = !this.flipped;
    if (this.flipped && !this.answered) {
      // the answer was looked at: a typed reply no longer grades the card (grade yourself)
      var typed = this.el.front.querySelectorAll(".cc-answer input, .cc-answer button");
      for (var j = 0; j < typed.length; j++) typed[j].disabled = true;
    }
    this.el.card.setAttribute("data-flipped", this.flipped ? "true" : "false");
    this.el.flip.textContent = this.flipped ? "Hide answer" : "Show answer";
    this.el.flip.setAttribute("aria-label", this.flipped ? "Hide answer (flip the card back)" : "Show answer (flip the card)");
    this.el.flip.setAttribute("aria-expanded", this.flipped ? "true" : "false");
    this.el.flip.disabled = !it;
    this.el.flip.hidden = this.answered;
    this.el.next.hidden = !this.answered;
    this.labelGrades();
    if (announce) this.announce(this.flipped ? "Answer shown, below the question. Grade yourself: 1 Again, 2 Hard, 3 Good, 4 Easy." : "Question shown.");
  };

  Study.prototype.dueLine = function () {
    var c = P.counts(this.store, this.poolIds(), P.now());
    this.el.due.textContent = P.summary(c);
    this.el.due.setAttribute("data-due", String(c.due));
    this.el.due.setAttribute("data-new", String(c.fresh));
    return c;
  };

  Study.prototype.show = function () {
    var it = this.current();
    var el = this.el;
    this.answered = false;
    el.ahead.hidden = true;
    if (!it) {
      el.meta.textContent = "";
      el.front.innerHTML = "";
      el.back.innerHTML = "";
      this.backHtml = "";
      el.card.removeAttribute("data-item");
      var done = document.createElement("p");
      done.className = "cc-study__done";
      var c = this.dueLine();
      var next = this.nextDue();
      if (!this.poolIds().length) {
        done.textContent = "No cards: choose at least one deck.";
      } else {
        done.textContent = (this.reviewed ? "Session done: " + P.plural(this.reviewed, "card", "cards") + " reviewed. " : "") +
          (c.due || c.fresh ? "" : "Nothing is due today" + (c.unseen ? " and today's new cards are done" : "") + ". ") +
          (next ? "The next card is due " + after(next - P.now().getTime()) + "." : "");
        el.ahead.hidden = !next;
        el.ahead.textContent = "Study ahead";
        el.ahead.setAttribute("aria-label", "Study ahead: the cards due soonest, before their due date");
      }
      el.front.appendChild(done);
      this.setFlipped(false, false);
      this.status();
      return;
    }
    var rec = this.store.items[it.id];
    el.card.setAttribute("data-item", it.id);
    el.card.setAttribute("data-state", rec ? String(rec.state) : "new");
    var when = !rec ? "new card" : "due " + (Date.parse(rec.due) <= P.now().getTime() ? "now" : after(Date.parse(rec.due) - P.now().getTime()));
    el.meta.textContent = it.deck_title + " \u00b7 " + it.title + " \u00b7 " + when;
    el.front.innerHTML = '<h2 class="cc-study__label">Question</h2>' + it.question;
    // The back is filled in when the card is first flipped: until then nothing of the answer
    // is in the page (not for the eye, nor for a screen reader, nor as hidden math).
    el.back.innerHTML = "";
    this.backHtml = '<h2 class="cc-study__label">Answer</h2>' + it.answer +
      '<p class="cc-study__more"><a href="' + siteBase() + "/" + it.url + '">Open the full card: ' + escapeHtml(it.title.replace(/^Practice: /, "")) + "</a></p>";
    if (it.expected && window.convcardsAnswer) {
      var host = document.createElement("div");
      host.className = "cc-answer cc-study__answer";
      el.front.appendChild(host);
      var self = this;
      window.convcardsAnswer.mount(host, it.expected, {
        label: "Your answer",
        explained: "the worked answer is shown below.",
        onResult: function (ok) { self.typed(ok); }
      });
    }
    renderMath(el.front);
    this.setFlipped(false, false);
    this.status();
  };

  Study.prototype.nextDue = function () {
    var ids = this.poolIds(), best = null;
    for (var i = 0; i < ids.length; i++) {
      var r = this.store.items[ids[i]];
      if (r && (best === null || Date.parse(r.due) < best)) best = Date.parse(r.due);
    }
    return best;
  };

  Study.prototype.summarize = function () {
    var summary = this.root.querySelector(".cc-study__settings > summary");
    if (!summary) return;
    var n = this.selectedDecks().length;
    summary.textContent = "Decks and cards: " + n + " of " + this.data.decks.length + " decks, practice variants " +
      (this.store.settings.practice !== false ? "included" : "left out") + ", " + this.store.settings.newPerDay + " new a day";
  };

  Study.prototype.status = function () {
    var n = this.queue.length;
    var text = n ? "Card " + Math.min(this.pos + 1, n) + " of " + n + (this.ahead ? " (studying ahead)." : " in this session.") : "";
    if (this.pos >= n && n) text = "Session done.";
    this.el.status.textContent = text;
    this.dueLine();
    this.summarize();
  };

  /* Schedule the current card with a grade (1-4) and save; returns what to say and its new due time. */
  Study.prototype.record = function (grade) {
    var it = this.current();
    var at = P.now();
    var isNew = !this.store.items[it.id];
    var card = this.scheduler.next(this.fsrsCard(it.id, at), at, grade).card;
    this.store.items[it.id] = {
      deck: it.deck, due: card.due.toISOString(), stability: card.stability, difficulty: card.difficulty,
      elapsed_days: card.elapsed_days, scheduled_days: card.scheduled_days, learning_steps: card.learning_steps,
      reps: card.reps, lapses: card.lapses, state: card.state, last_review: card.last_review ? card.last_review.toISOString() : null
    };
    P.rollDay(this.store, at);
    if (isNew) this.store.today.newSeen = (this.store.today.newSeen || 0) + 1;
    this.save();
    this.reviewed++;
    return { said: NAMES[grade] + ": comes back " + after(card.due.getTime() - at.getTime()) + ".", due: card.due.getTime(), at: at };
  };

  /* Leave the current card: a card due again today comes back after a few others. */
  Study.prototype.advance = function (done) {
    var id = this.queue[this.pos];
    this.queue.splice(this.pos, 1);
    if (done.due < P.endOfDay(done.at) && !this.ahead) this.queue.splice(Math.min(this.pos + AGAIN_GAP, this.queue.length), 0, id);
  };

  Study.prototype.grade = function (grade) {
    if (!this.current() || !this.flipped || this.answered) return;
    var done = this.record(grade);
    this.advance(done);
    this.show();
    var next = this.current();
    this.announce(done.said + (next ? " Next card: " + next.title + "." : " Session done."));
    this.el.flip.focus();
  };

  /* A typed answer grades the card by itself: right is Good, wrong is Again. The answer shows,
     and "Next card" moves on. */
  Study.prototype.typed = function (ok) {
    if (!this.current() || this.answered) return;
    this.pending = this.record(ok ? 3 : 1);
    this.answered = true;
    this.setFlipped(true, false);
    var inputs = this.el.front.querySelectorAll(".cc-answer input, .cc-answer button");
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = true;
    this.el.status.textContent = (ok ? "Correct" : "Incorrect") + ", so graded " + this.pending.said;
    var it = this.current();
    this.el.meta.textContent = it.deck_title + " \u00b7 " + it.title + " \u00b7 graded " + (ok ? "Good" : "Again");
    this.el.next.focus();
  };

  Study.prototype.nextCard = function () {
    if (!this.answered) return;
    this.advance(this.pending);
    this.show();
    var next = this.current();
    this.announce(next ? "Next card: " + next.title + "." : "Session done.");
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
    this.save();
    this.restart("Decks changed: 0 cards.");
  };

  Study.prototype.restart = function (message, ahead) {
    this.buildQueue(ahead);
    this.show();
    this.announce(message.replace(/\d+ cards/, P.plural(this.queue.length, "card", "cards")));
  };

  Study.prototype.showProblem = function () {
    this.el.problem.hidden = !this.problem;
    this.el["problem-text"].textContent = this.problem ? this.problem + " It is left as it is until you choose: start afresh (your saved progress is replaced), or import an exported file." : "";
  };

  Study.prototype.exportProgress = function () {
    var text = JSON.stringify(this.store, null, 1) + "\n";
    var blob = new Blob([text], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "convcards-progress-" + P.dayKey(P.now()) + ".json";
    document.body.appendChild(a);
    a.click();
    window.setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    this.announce("Progress exported: " + P.plural(Object.keys(this.store.items).length, "card", "cards") + ", as " + a.download + ".");
  };

  Study.prototype.importText = function (text, name) {
    var s, why;
    try { s = JSON.parse(text); } catch (e) { why = "it is not JSON (" + e.message + ")"; }
    if (!why) {
      if (P.isV1(s)) s = P.migrate(s, P.now());
      why = P.invalid(s);
    }
    if (!why) {
      P.rename(s, this.data.renamed, this.byId);  // a file saved before a card was renamed
      var ids = Object.keys(s.items);
      for (var i = 0; i < ids.length; i++) {
        if (!this.byId[ids[i]]) { why = "it has a card this site does not have: " + ids[i]; break; }
      }
    }
    if (why) {
      this.el.status.textContent = "Not imported: " + name + " is not convcards progress: " + why + ".";
      this.announce(this.el.status.textContent);
      return false;
    }
    var have = Object.keys(this.store.items).length;
    if (have && !this.problem && !window.confirm("Replace your progress in this browser (" + P.plural(have, "card", "cards") + ") with " + name + " (" + P.plural(Object.keys(s.items).length, "card", "cards") + ")?")) return false;
    s.settings = s.settings || {};
    if (typeof s.settings.newPerDay !== "number") s.settings.newPerDay = P.NEW_PER_DAY;
    s.today = s.today || { date: "", newSeen: 0 };
    this.store = s;
    this.problem = "";
    this.showProblem();
    this.save();
    this.syncSettings();
    this.buildDeckList();
    this.restart("Progress imported from " + name + ": 0 cards in this session.");
    return true;
  };

  Study.prototype.syncSettings = function () {
    this.el.practice.checked = this.store.settings.practice !== false;
    this.el.limit.value = String(this.store.settings.newPerDay);
    this.el.shuffle.setAttribute("aria-pressed", this.store.settings.shuffle ? "true" : "false");
  };

  Study.prototype.bind = function () {
    var self = this;
    var el = this.el;
    el.flip.addEventListener("click", function () { self.setFlipped(!self.flipped, true); });
    el.card.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a, .cc-answer")) return; // links and the answer field work as themselves
      if (self.answered) return;
      self.setFlipped(!self.flipped, true);
    });
    for (var i = 0; i < el.grades.length; i++) {
      el.grades[i].addEventListener("click", function (e) { self.grade(parseInt(e.currentTarget.getAttribute("data-grade"), 10)); });
    }
    el.next.addEventListener("click", function () { self.nextCard(); });
    el.ahead.addEventListener("click", function () { self.restart("Studying ahead: 0 cards due soonest.", true); });
    this.syncSettings();
    el.practice.addEventListener("change", function () {
      self.store.settings.practice = el.practice.checked;
      self.save();
      self.restart("Practice variants " + (el.practice.checked ? "included" : "left out") + ": 0 cards.");
    });
    el.limit.addEventListener("change", function () {
      var n = parseInt(el.limit.value, 10);
      if (!(n >= 0)) { el.limit.value = String(self.store.settings.newPerDay); return; }
      self.store.settings.newPerDay = Math.min(n, 999);
      self.save();
      self.restart("New cards per day: " + self.store.settings.newPerDay + ". 0 cards in this session.");
    });
    el.shuffle.addEventListener("click", function () {
      self.store.settings.shuffle = true;
      self.save();
      el.shuffle.setAttribute("aria-pressed", "true");
      self.restart("Shuffled: 0 cards.");
    });
    el.reset.addEventListener("click", function () {
      if (!window.confirm("Reset your study progress? Every card becomes new again.")) return;
      self.store.items = {};
      self.store.today = { date: "", newSeen: 0 };
      self.save();
      self.restart("Progress reset: 0 cards.");
    });
    el.fresh.addEventListener("click", function () {
      self.problem = "";
      self.store = P.fresh();
      self.save();
      self.showProblem();
      self.syncSettings();
      self.buildDeckList();
      self.restart("Started afresh: 0 cards.");
    });
    el["export"].addEventListener("click", function () { self.exportProgress(); });
    el["import"].addEventListener("change", function () {
      var file = el["import"].files && el["import"].files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { self.importText(String(reader.result), file.name); el["import"].value = ""; };
      reader.readAsText(file);
    });
    this.root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); });
    document.addEventListener("keydown", function (e) { self.onKey(e); });
  };

  /* Space and Enter flip (or go on after a typed answer), 1-4 grade; never while typing in or
     pressing a control (no traps). */
  Study.prototype.onKey = function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
    var inControl = tag === "input" || tag === "textarea" || tag === "select" || tag === "button" || tag === "a" || tag === "summary" || tag === "label" || (t && t.isContentEditable);
    if ((e.key === " " || e.key === "Enter") && !inControl) {
      if (!this.current()) return;
      e.preventDefault();
      if (this.answered) this.nextCard();
      else this.setFlipped(!this.flipped, true);
    } else if (/^[1-4]$/.test(e.key) && tag !== "input" && tag !== "textarea" && this.flipped && !this.answered) {
      e.preventDefault();
      this.grade(parseInt(e.key, 10));
    }
  };

  function init() {
    var root = document.getElementById("cc-study");
    if (!root || root.getAttribute("data-ready")) return;
    P = window.convcardsProgress;
    root.setAttribute("data-ready", "loading");
    var nojs = document.querySelectorAll(".cc-study-nojs");
    for (var i = 0; i < nojs.length; i++) nojs[i].hidden = true;
    root.hidden = false;
    var status = root.querySelector(".cc-study__status");
    status.textContent = "Loading the cards\u2026";
    Promise.all([
      fetch(siteBase() + "/data/study.json").then(function (r) {
        if (!r.ok) throw new Error("data/study.json: HTTP " + r.status);
        return r.json();
      }),
      loadScheduler()
    ])
      .then(function (got) {
        FSRS = got[1];
        var s = new Study(root, got[0]);
        s.showProblem();
        s.buildDeckList();
        s.bind();
        s.buildQueue(false);
        s.show();
        if (s.renamed) s.save();  // the moved progress, under the cards' ids now
        if (s.migrated) {
          s.save();
          s.el.status.textContent = "Your progress from the five boxes was carried over to the scheduler: " +
            P.plural(Object.keys(s.store.items).length, "card", "cards") + ". " + s.el.status.textContent;
        }
        window.convcardsStudy = {
          queue: function () { return s.queue.slice(); },
          current: function () { var c = s.current(); return c ? c.id : null; },
          store: P.STORE
        };
        root.setAttribute("data-ready", "true");
      })
      .catch(function (err) {
        status.textContent = "Could not load study mode (" + err.message + "). Read the cards from the decks instead.";
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
