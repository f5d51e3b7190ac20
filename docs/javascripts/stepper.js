/* convcards stepper: a figure that slides, one position at a time.

   Progressive enhancement of a static figure: an <img class="cc-stepped"> whose step data the
   generator wrote next to it (same name, ".steps.json"; see generator/steps.py). For each step the
   data holds the input cells under the window, the kernel, the output entry, its sum written out
   and the row of C (or the row or column of Cᵀ) it is: every number comes from the generator,
   this script only shows them. Without JavaScript, in print, on study backs and in the Anki deck
   the static figure is all there is.

   Controls: Back, Play/Pause, Forward and a list to jump to a position; Left/Right arrows step,
   Home/End jump to the first/last position while focus is in the stepper. The position is
   announced through an aria-live region (not while playing). With prefers-reduced-motion: reduce
   nothing plays by itself and nothing moves but on request. An img with class cc-autoplay (the
   gallery, where the strip of every frame waits behind a reveal) plays while its stepper is on
   screen, unless motion is reduced. */
(function () {
  "use strict";

  var INTERVAL = 1400; // ms per step while playing
  var motion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  function reducedMotion() {
    return !!(motion && motion.matches);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function stepsUrl(img) {
    // the resolved address of the figure, its extension swapped: works under any site path
    return img.src.replace(/\.svg([?#].*)?$/, ".steps.json");
  }

  function buildGrid(g) {
    // coloured by its kind (input, kernel, output, ...; the id when it has none), found by its id
    var table = el("table", "cc-stepper-grid cc-stepper-" + (g.kind || g.id));
    table.setAttribute("data-grid", g.id);
    table.appendChild(el("caption", "", g.label));
    var body = el("tbody");
    var cells = [];
    g.cells.forEach(function (row, r) {
      var tr = el("tr");
      cells.push([]);
      row.forEach(function (v, c) {
        var td = el("td", "", v);
        var mark = g.marks ? g.marks[r][c] : "";
        if (mark) td.classList.add("is-" + mark);
        tr.appendChild(td);
        cells[r].push(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return { id: g.id, table: table, cells: cells };
  }

  function buildMatrix(m) {
    var wrap = el("div", "cc-stepper-matrix");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("tabindex", "0"); // scrollable by keyboard
    wrap.setAttribute("aria-label", m.label);
    var table = el("table", "cc-stepper-grid cc-stepper-mat");
    table.appendChild(el("caption", "", m.label));
    var body = el("tbody");
    var rows = [];
    m.cells.forEach(function (row) {
      var tr = el("tr");
      var tds = [];
      row.forEach(function (v) {
        var td = el("td", v === "0" ? "is-nil" : "", v);
        tr.appendChild(td);
        tds.push(td);
      });
      body.appendChild(tr);
      rows.push(tds);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    return { wrap: wrap, rows: rows, line: m.line, name: m.name };
  }

  var uid = 0;

  function valueText(d, s) {
    // two outputs (correlation and convolution; average and max): each named
    if (!Array.isArray(s.value)) return s.value;
    return s.value
      .map(function (v, k) {
        return d.values && d.values[k] ? d.values[k] + " " + v : v;
      })
      .join(", ");
  }

  function Stepper(img, data) {
    this.img = img;
    this.data = data;
    this.i = 0;
    this.timer = null;
    this.build();
    this.show(0, false);
  }

  Stepper.prototype.build = function () {
    var self = this;
    var d = this.data;
    var n = d.steps.length;
    var root = el("section", "cc-stepper");
    root.setAttribute("aria-label", "Step through the figure: " + d.title);
    root.appendChild(el("p", "cc-stepper-title", "Step through: " + d.title));

    var controls = el("div", "cc-stepper-controls");
    this.back = el("button", "md-button cc-stepper-back", "◀ Back");
    this.back.type = "button";
    this.back.setAttribute("aria-label", "Back one " + d.unit);
    this.play = el("button", "md-button cc-stepper-play", "▶ Play");
    this.play.type = "button";
    this.play.setAttribute("aria-label", "Play");
    this.fwd = el("button", "md-button cc-stepper-forward", "Forward ▶");
    this.fwd.type = "button";
    this.fwd.setAttribute("aria-label", "Forward one " + d.unit);
    var jump = el("label", "cc-stepper-jump");
    jump.appendChild(el("span", "", "Jump to " + d.unit + " "));
    this.select = el("select");
    d.steps.forEach(function (s, k) {
      var o = el("option", "", (k + 1) + ": " + s.name);
      o.value = String(k);
      self.select.appendChild(o);
    });
    jump.appendChild(this.select);
    [this.back, this.play, this.fwd, jump].forEach(function (c) {
      controls.appendChild(c);
    });
    root.appendChild(controls);

    this.status = el("p", "cc-stepper-status");
    this.status.setAttribute("aria-live", "polite");
    this.status.setAttribute("aria-atomic", "true");
    root.appendChild(this.status);

    var grids = el("div", "cc-stepper-grids");
    this.grids = d.grids.map(buildGrid);
    this.grids.forEach(function (g) {
      grids.appendChild(g.table);
    });
    root.appendChild(grids);
    this.expr = el("p", "cc-stepper-expr");
    root.appendChild(this.expr);
    this.matrix = d.matrix ? buildMatrix(d.matrix) : null;
    if (this.matrix) root.appendChild(this.matrix.wrap);

    this.back.addEventListener("click", function () {
      self.pause();
      self.show(self.i - 1, true);
    });
    this.fwd.addEventListener("click", function () {
      self.pause();
      self.show(self.i + 1, true);
    });
    this.play.addEventListener("click", function () {
      if (self.timer) self.pause();
      else self.start(false);
    });
    this.select.addEventListener("change", function () {
      self.pause();
      self.show(parseInt(self.select.value, 10), true);
    });
    root.addEventListener("keydown", function (ev) {
      if (ev.target === self.select || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var to = { ArrowLeft: self.i - 1, ArrowRight: self.i + 1, Home: 0, End: n - 1 }[ev.key];
      if (to === undefined) return;
      ev.preventDefault();
      self.pause();
      self.show(to, true);
    });
    this.root = root;
    // on the gallery, before the reveal that holds the strip of every frame; on a card, in the
    // figure's place: the static figure (every position at once) is hidden on screen behind a
    // button, and stays what prints (stepper.css)
    var strip = this.img.closest("details.cc-strip");
    if (strip) strip.parentNode.insertBefore(root, strip);
    else {
      var p = this.img.closest("p");
      var anchor = p && p.textContent.trim() === "" && p.querySelectorAll("img").length === 1 ? p : this.img;
      anchor.parentNode.insertBefore(root, anchor);
      this.static = anchor;
      anchor.classList.add("cc-stepped-static", "cc-static-hidden");
      if (!anchor.id) anchor.id = "cc-static-" + (++uid);
      this.toggle = el("button", "md-button cc-stepper-static", "Show the whole figure");
      this.toggle.type = "button";
      this.toggle.setAttribute("aria-expanded", "false");
      this.toggle.setAttribute("aria-controls", anchor.id);
      controls.appendChild(this.toggle);
      this.toggle.addEventListener("click", function () {
        var shown = anchor.classList.toggle("cc-static-hidden") === false;
        self.toggle.setAttribute("aria-expanded", shown ? "true" : "false");
        self.toggle.textContent = shown ? "Hide the whole figure" : "Show the whole figure";
      });
    }
  };

  Stepper.prototype.show = function (k, announce) {
    var d = this.data;
    var n = d.steps.length;
    k = ((k % n) + n) % n;
    this.i = k;
    var s = d.steps[k];
    this.grids.forEach(function (g) {
      var on = {};
      (s.cells[g.id] || []).forEach(function (rc) {
        on[rc[0] + "," + rc[1]] = true;
      });
      var any = false;
      g.cells.forEach(function (row, r) {
        row.forEach(function (td, c) {
          var lit = !!on[r + "," + c];
          td.classList.toggle("is-on", lit);
          any = any || lit;
        });
      });
      g.table.classList.toggle("is-active", any);
    });
    this.expr.textContent = s.expr;
    var line = "";
    if (this.matrix && s.line !== null && s.line !== undefined) {
      var m = this.matrix;
      m.rows.forEach(function (tds, r) {
        tds.forEach(function (td, c) {
          td.classList.toggle("is-on", (m.line === "row" ? r : c) === s.line);
        });
      });
      line = " " + (m.line === "row" ? "Row " : "Column ") + (s.line + 1) + " of " + m.name + " highlighted.";
      this.scrollMatrix(s.line);
    }
    this.select.value = String(k);
    this.root.setAttribute("data-step", String(k));
    // announced when the learner moves; silent while playing and on the first paint
    this.status.setAttribute("aria-live", announce ? "polite" : "off");
    this.status.textContent = d.unit.charAt(0).toUpperCase() + d.unit.slice(1) + " " + (k + 1) + " of " + n + ": " + s.name + " = " + valueText(d, s) + "." + line;
  };

  Stepper.prototype.scrollMatrix = function (line) {
    // inside the matrix's own scroll box only: the page never moves
    var m = this.matrix;
    var td = m.line === "row" ? m.rows[line] && m.rows[line][0] : m.rows[0] && m.rows[0][line];
    if (!td) return;
    var box = m.wrap;
    if (m.line === "row") {
      var top = td.offsetTop - box.clientHeight / 2;
      box.scrollTop = Math.max(0, top);
    } else {
      var left = td.offsetLeft - box.clientWidth / 2;
      box.scrollLeft = Math.max(0, left);
    }
  };

  Stepper.prototype.start = function (auto) {
    var self = this;
    if (this.timer) return;
    this.auto = auto;
    this.play.textContent = "❚❚ Pause";
    this.play.setAttribute("aria-label", "Pause");
    this.timer = window.setInterval(function () {
      self.show(self.i + 1, false);
    }, INTERVAL);
    this.show(this.i, false);
  };

  Stepper.prototype.pause = function () {
    if (!this.timer) return;
    window.clearInterval(this.timer);
    this.timer = null;
    this.auto = false;
    this.play.textContent = "▶ Play";
    this.play.setAttribute("aria-label", "Play");
  };

  function autoplay(st) {
    // the gallery: play while on screen, unless motion is reduced or the learner took the controls
    var touched = false;
    st.root.addEventListener("click", function () {
      touched = true;
    });
    st.root.addEventListener("keydown", function () {
      touched = true;
    });
    if (!("IntersectionObserver" in window)) return;
    new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting && !touched && !reducedMotion()) st.start(true);
        else if (!en.isIntersecting && st.auto) st.pause();
      });
    }).observe(st.root);
    if (motion && motion.addEventListener) {
      motion.addEventListener("change", function () {
        if (reducedMotion() && st.auto) st.pause();
      });
    }
  }

  function enhance(img) {
    if (img.getAttribute("data-cc-stepper")) return;
    img.setAttribute("data-cc-stepper", "loading");
    fetch(stepsUrl(img))
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        var st = new Stepper(img, data);
        img.setAttribute("data-cc-stepper", "ready");
        if (img.classList.contains("cc-autoplay")) autoplay(st);
      })
      .catch(function () {
        img.setAttribute("data-cc-stepper", "failed"); // the static figure stays, as without JavaScript
      });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("img.cc-stepped"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
