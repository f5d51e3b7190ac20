/* convcards progress: what study mode remembers, shared by study.js and home.js. Plain
   JavaScript; no scheduler here (study.js loads ts-fsrs for that), only reading, checking,
   migrating and counting.

   One localStorage entry, "convcards.study.v2" (nothing leaves the browser):
     { version: 2,
       items: { <item id>: { deck, due, stability, difficulty, elapsed_days, scheduled_days,
                             learning_steps, reps, lapses, state, last_review } },   (an FSRS card; dates as ISO strings)
       settings: { decks: [<deck id>...] | null, practice: bool, shuffle: bool, newPerDay: n },
       today: { date: "YYYY-MM-DD", newSeen: n } }
   A "convcards.study.v1" entry (Leitner boxes, before scheduling) is migrated once and kept.

   The clock: window.convcardsNow (a date string or milliseconds, set before the page's
   scripts run) or ?now=<ISO date> in the address, else the real time. Tests move it. */
(function () {
  "use strict";

  var STORE = "convcards.study.v2";
  var OLD_STORE = "convcards.study.v1";
  var DAY = 86400000;
  var NEW_PER_DAY = 20;
  // v1 boxes -> FSRS: stability in days (the interval a Leitner box stood for) and when it is due
  var BOX_STABILITY = { 1: 0.5, 2: 1, 3: 3, 4: 7, 5: 15 };

  function now() {
    var fixed = window.convcardsNow;
    if (fixed == null) {
      var m = /[?&]now=([^&#]+)/.exec(window.location.search);
      if (m) fixed = decodeURIComponent(m[1]);
    }
    if (fixed != null) {
      var t = typeof fixed === "number" ? fixed : Date.parse(fixed);
      if (!isNaN(t)) return new Date(t);
    }
    return new Date();
  }

  function dayKey(d) {
    var m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }

  /* The end of the learner's day (local midnight): a card due before it is due today. */
  function endOfDay(d) {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  }

  function fresh() {
    return { version: 2, items: {}, settings: { newPerDay: NEW_PER_DAY }, today: { date: "", newSeen: 0 } };
  }

  function isNum(v) { return typeof v === "number" && isFinite(v); }
  function isDate(v) { return typeof v === "string" && !isNaN(Date.parse(v)); }

  /* Why a value is not a v2 store (a short phrase), or "" when it is one. */
  function invalid(s) {
    if (!s || typeof s !== "object" || Array.isArray(s)) return "not an object";
    if (s.version !== 2) return "version " + JSON.stringify(s.version) + " is not 2";
    if (!s.items || typeof s.items !== "object" || Array.isArray(s.items)) return "no items";
    for (var id in s.items) {
      if (!Object.prototype.hasOwnProperty.call(s.items, id)) continue;
      var r = s.items[id];
      if (!r || typeof r !== "object") return "item " + id + " is not an object";
      if (!isDate(r.due)) return "item " + id + " has no due date";
      if (!isNum(r.stability) || r.stability < 0 || !isNum(r.difficulty)) return "item " + id + " has no stability or difficulty";
      if ([0, 1, 2, 3].indexOf(r.state) < 0) return "item " + id + " has an unknown state";
      if (!isNum(r.reps) || !isNum(r.lapses)) return "item " + id + " has no review counts";
      if (r.last_review != null && !isDate(r.last_review)) return "item " + id + " has a bad last review date";
    }
    if (s.settings != null && (typeof s.settings !== "object" || Array.isArray(s.settings))) return "bad settings";
    if (s.settings && s.settings.newPerDay != null && !(isNum(s.settings.newPerDay) && s.settings.newPerDay >= 0)) return "bad new-card limit";
    return "";
  }

  function isV1(s) {
    if (!s || typeof s !== "object" || s.version !== 1 || !s.items || typeof s.items !== "object") return false;
    for (var id in s.items) {
      var r = s.items[id];
      if (!r || typeof r !== "object" || [1, 2, 3, 4, 5].indexOf(r.box) < 0) return false;
    }
    return true;
  }

  /* Leitner boxes become FSRS cards: box 1 is learning and due now; box b >= 2 is in review,
     with the stability its box stood for (1, 3, 7, 15 days), due over the next b - 1 days so
     migrated cards come back soon and the scheduler learns from real reviews. Settings stay. */
  function migrate(v1, at) {
    var s = fresh();
    var t = at.getTime();
    for (var id in v1.items) {
      if (!Object.prototype.hasOwnProperty.call(v1.items, id)) continue;
      var r = v1.items[id], box = r.box;
      var again = r.again || 0, seen = r.seen || 0;
      s.items[id] = {
        deck: r.deck || "",
        due: new Date(box === 1 ? t : t + (box - 1) * DAY).toISOString(),
        stability: BOX_STABILITY[box],
        difficulty: Math.min(10, 5 + Math.min(again, 3)),
        elapsed_days: 0,
        scheduled_days: box === 1 ? 0 : box - 1,
        learning_steps: 0,
        reps: Math.max(seen, box - 1),
        lapses: again,
        state: box === 1 ? (seen ? 3 : 1) : 2,
        last_review: new Date(t).toISOString()
      };
    }
    var st = v1.settings || {};
    s.settings = { decks: Array.isArray(st.decks) ? st.decks : null, practice: st.practice !== false, shuffle: !!st.shuffle, newPerDay: NEW_PER_DAY };
    s.migrated_from = 1;
    return s;
  }

  function read(key) {
    var raw = window.localStorage.getItem(key);
    return raw == null ? { missing: true } : { raw: raw };
  }

  /* Load the progress: {store, problem, migrated}. problem is a sentence when what is saved cannot
     be read (the caller offers a fresh start; nothing is overwritten until the learner agrees). */
  function load() {
    var at = now();
    var v2;
    try { v2 = read(STORE); } catch (e) { return { store: fresh(), problem: "", unsaved: true }; }
    if (!v2.missing) {
      var s;
      try { s = JSON.parse(v2.raw); } catch (e) { return { store: fresh(), problem: "Your saved progress is not readable (" + e.message + ")." }; }
      var why = invalid(s);
      if (why) return { store: fresh(), problem: "Your saved progress is not in a form this site knows (" + why + ")." };
      s.settings = s.settings || {};
      if (!isNum(s.settings.newPerDay)) s.settings.newPerDay = NEW_PER_DAY;
      s.today = s.today && typeof s.today === "object" ? s.today : { date: "", newSeen: 0 };
      return { store: s, problem: "" };
    }
    var v1 = read(OLD_STORE);
    if (v1.missing) return { store: fresh(), problem: "" };
    var old;
    try { old = JSON.parse(v1.raw); } catch (e) { old = null; }
    if (!isV1(old)) return { store: fresh(), problem: "Your saved progress from before (" + OLD_STORE + ") is not readable." };
    return { store: migrate(old, at), problem: "", migrated: true };
  }

  /* A renamed card (study.json's "renamed": {old id: new id}, from a card's `formerly`): its
     items' progress moves to the new ids ("old" -> "new", "old~1~kind" -> "new~1~kind"), and to
     the deck the new item is in (byId: item id -> study.json item). Where both ids have progress,
     the later review is kept. Returns how many items moved. */
  function rename(s, renamed, byId) {
    var moved = 0;
    if (!renamed || !s || !s.items) return 0;
    var ids = Object.keys(s.items);
    for (var i = 0; i < ids.length; i++) {
      var id = ids[i], tilde = id.indexOf("~");
      var card = tilde < 0 ? id : id.slice(0, tilde);
      if (!Object.prototype.hasOwnProperty.call(renamed, card)) continue;
      var to = renamed[card] + (tilde < 0 ? "" : id.slice(tilde));
      var rec = s.items[id], there = s.items[to];
      delete s.items[id];
      moved++;
      if (there && Date.parse(there.last_review || 0) >= Date.parse(rec.last_review || 0)) continue;
      if (byId && byId[to]) rec.deck = byId[to].deck;
      s.items[to] = rec;
    }
    return moved;
  }

  function save(s) {
    try { window.localStorage.setItem(STORE, JSON.stringify(s)); return true; } catch (e) { return false; }
  }

  /* Start a new day's new-card count when the date changed. */
  function rollDay(s, at) {
    var key = dayKey(at);
    if (!s.today || s.today.date !== key) s.today = { date: key, newSeen: 0 };
    return s;
  }

  function newLeft(s, at) {
    rollDay(s, at);
    var limit = isNum(s.settings.newPerDay) ? s.settings.newPerDay : NEW_PER_DAY;
    return Math.max(0, limit - (s.today.newSeen || 0));
  }

  /* Counts over a list of item ids: due today (seen before, due before midnight) and new
     (never seen, at most the new cards left today). */
  function counts(s, ids, at) {
    var end = endOfDay(at), due = 0, unseen = 0;
    for (var i = 0; i < ids.length; i++) {
      var r = s.items[ids[i]];
      if (!r) unseen++;
      else if (Date.parse(r.due) < end) due++;
    }
    return { due: due, unseen: unseen, fresh: Math.min(unseen, newLeft(s, at)) };
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function summary(c) {
    return plural(c.due, "card", "cards") + " due today \u00b7 " + c.fresh + " new";
  }

  window.convcardsProgress = {
    STORE: STORE, OLD_STORE: OLD_STORE, DAY: DAY, NEW_PER_DAY: NEW_PER_DAY,
    now: now, dayKey: dayKey, endOfDay: endOfDay, fresh: fresh, invalid: invalid, isV1: isV1, migrate: migrate,
    load: load, save: save, rename: rename, rollDay: rollDay, newLeft: newLeft, counts: counts, summary: summary, plural: plural
  };
})();
