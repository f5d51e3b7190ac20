/* The explorer (/explore/): the learner sets a convolution, the page shows every array of its
   matrix view, recomputed on each change by convcore.js (the JS mirror of generator/core.py).

   - State: read from the form, checked by convcore.check against the rules table the generator
     writes (data/rules.json, embedded in the page as #cc-rules) with the page's own limits; a
     problem is shown next to its field and the last valid result stays on screen, greyed.
   - Views: HTML grids (cells can be pointed at), formulas typeset by the site's KaTeX through
     katex-init.js (window.convcardsRenderMath). A grid whose shape did not change is updated in
     place (only the cells whose value changed), so an edit costs little.
   - Linked views: pointing at an output cell (hover or keyboard focus) marks its window, its row
     of C and writes its sum out; pointing at an input cell marks its column of C and the outputs
     it feeds. Grids of results are one Tab stop each; arrow keys move inside them.
   - URL: the whole state is in the fragment (#op=...&x=...); the cards' "Open this example in
     the explorer" links carry it as a query (?op=..., generator/explore.py), moved to the fragment. */
(function () {
  "use strict";

  var root = document.getElementById("cc-explore");
  var rulesEl = document.getElementById("cc-rules");
  if (!root || !rulesEl || !window.convcore) return;
  var cc = window.convcore;
  var RULES = JSON.parse(rulesEl.textContent);
  var LIMITS = RULES.explorer_limits;
  var form = root.querySelector("form");
  var results = root.querySelector(".cc-ex-results");
  var stale_note = document.createElement("p");
  stale_note.className = "cc-ex-stale-note";
  stale_note.setAttribute("role", "status");
  stale_note.textContent = "This cannot be computed (see the message above): the last result that could is shown, greyed.";
  stale_note.hidden = true;
  results.parentNode.insertBefore(stale_note, results);
  var SOBEL_X = [[1, 0, -1, 1], [1, 2, -2, 0], [1, 1, -1, 1], [0, 1, 1, 0]];
  var SOBEL_K = [[1, 0, -1], [2, 0, -2], [1, 0, -1]];

  // ------------------------------------------------------------------------------ state

  var state = {
    op: "cross_correlation", one_d: false, seed: 1,
    x: SOBEL_X.map(function (r) { return r.slice(); }), k: SOBEL_K.map(function (r) { return r.slice(); }),
    s: [1, 1], p: [0, 0, 0, 0], d: [1, 1], a: [0, 0]
  };
  var view = null; // what is on screen: {ex, res, ...}

  function nums(text) { return text.split(",").map(function (v) { return v.trim() === "" ? NaN : Number(v); }); }
  function rows(text) { return text.split(";").map(nums); }

  function parse_state(hash) {
    var q = new URLSearchParams(hash.replace(/^#/, "")), st = JSON.parse(JSON.stringify(state));
    if (!q.has("x") || !q.has("k")) return null;
    st.op = q.get("op") || st.op;
    st.one_d = q.get("n") === "1";
    st.x = rows(q.get("x")); st.k = rows(q.get("k"));
    function pair(name, dflt) { var v = q.has(name) ? nums(q.get(name)) : dflt; return v.length === 2 ? v : [v[0], v[0]]; }
    st.s = pair("s", [1, 1]); st.d = pair("d", [1, 1]); st.a = pair("a", [0, 0]);
    var p = q.has("p") ? nums(q.get("p")) : [0, 0, 0, 0];
    st.p = p.length === 4 ? p : [p[0], p[0], p[0], p[0]];
    if (st.one_d) { st.x = [st.x[0]]; st.k = [st.k[0]]; st.s[0] = 1; st.d[0] = 1; st.a[0] = 0; st.p[0] = st.p[1] = 0; }
    if (q.has("seed")) st.seed = Number(q.get("seed"));
    return st;
  }

  function fragment(st) {
    function m(a) { return a.map(function (r) { return r.join(","); }).join(";"); }
    return "op=" + st.op + (st.one_d ? "&n=1" : "") + "&x=" + m(st.x) + "&k=" + m(st.k) + "&s=" + st.s.join(",") +
      "&p=" + st.p.join(",") + "&d=" + st.d.join(",") + "&a=" + st.a.join(",") + "&seed=" + st.seed;
  }

  function example(st) {
    return {
      operation: st.op, stride: st.s.slice(), dilation: st.d.slice(), output_padding: st.a.slice(),
      padding: {top: st.p[0], bottom: st.p[1], left: st.p[2], right: st.p[3]},
      arrays: {input: st.one_d ? st.x[0] : st.x, kernel: st.one_d ? st.k[0] : st.k}
    };
  }

  // ------------------------------------------------------------------------------ the form

  function field(name) { return form.elements[name]; }

  function write_form(st) {
    field("op").value = st.op; field("dim").value = st.one_d ? "1" : "2";
    var v = {xh: st.x.length, xw: st.x[0].length, kh: st.k.length, kw: st.k[0].length, sh: st.s[0], sw: st.s[1], dh: st.d[0], dw: st.d[1],
      pt: st.p[0], pb: st.p[1], pl: st.p[2], pr: st.p[3], ah: st.a[0], aw: st.a[1], seed: st.seed};
    Object.keys(v).forEach(function (n) { field(n).value = String(v[n]); });
    editor("x-edit", st.x, "input"); editor("k-edit", st.k, "kernel");
    modes(st);
  }

  function modes(st) {
    root.classList.toggle("cc-ex--1d", st.one_d);
    root.classList.toggle("cc-ex--tr", st.op === "transposed_convolution");
    set_text(root.querySelector("#cc-x-caption"), st.op === "transposed_convolution" ? "input y (what the transposed convolution spreads)" : "input x");
    set_text(root.querySelector("#cc-k-caption"), "kernel w");
  }

  // Text and visibility are written only when they change: writing the same again still costs
  // the browser a style recalculation (and, for text, a new text node to lay out).
  function set_text(el, t) { if (el.textContent !== t) el.textContent = t; }
  function set_hidden(el, h) { if (el.hidden !== h) el.hidden = h; }

  // A size or parameter typed in the form: a whole number in [lo, hi], else a problem for `fld`.
  function whole(name, fld, lo, hi, problems) {
    var text = field(name).value.trim(), v = Number(text);
    if (text === "" || !/^[-+]?\d+$/.test(text) || v < lo || v > hi) {
      problems.push({field: fld, expected: fill(RULES.messages.whole_one, {lo: lo, hi: hi}), received: text === "" ? "nothing" : text, name: name});
      return null;
    }
    return v;
  }

  function fill(t, v) { return t.replace(/\{(\w+)\}/g, function (m, n) { return n in v ? String(v[n]) : m; }); }

  // Read the form into a new state; problems of typing (sizes, numbers) come first.
  function read_form() {
    var st = JSON.parse(JSON.stringify(state)), problems = [];
    st.op = field("op").value; st.one_d = field("dim").value === "1";
    var xh = st.one_d ? 1 : whole("xh", "input", 1, LIMITS.max_side, problems), xw = whole("xw", "input", 1, LIMITS.max_side, problems);
    var kh = st.one_d ? 1 : whole("kh", "kernel", 1, LIMITS.max_kernel_side, problems), kw = whole("kw", "kernel", 1, LIMITS.max_kernel_side, problems);
    // a parameter's range comes from the rules table (its lower bound, the page's limit)
    function num(name, fld, dflt) {
      var rule = RULES.params[fld];
      return st.one_d && /h$|^p[tb]$/.test(name) ? dflt : whole(name, fld, rule.lo, LIMITS[rule.limit], problems);
    }
    st.s = [num("sh", "stride", 1), num("sw", "stride")];
    st.d = [num("dh", "dilation", 1), num("dw", "dilation")];
    st.p = [num("pt", "padding", 0), num("pb", "padding", 0), num("pl", "padding"), num("pr", "padding")];
    st.a = st.op === "transposed_convolution" ? [num("ah", "output_padding", 0), num("aw", "output_padding")] : [0, 0];
    var seed = field("seed").value.trim();
    st.seed = /^\d+$/.test(seed) ? Number(seed) : state.seed;
    if (xh !== null && xw !== null) st.x = read_editor("x-edit", xh, xw, "input", problems);
    if (kh !== null && kw !== null) st.k = read_editor("k-edit", kh, kw, "kernel", problems);
    return {st: st, problems: problems};
  }

  // The cell editor of an array: one text field per value, rebuilt only when its shape changes.
  function editor(name, a, label) {
    var box = root.querySelector("[data-grid=" + name + "]"), t = box.firstElementChild;
    if (!t || t.rows.length !== a.length || t.rows[0].cells.length !== a[0].length) {
      t = document.createElement("table");
      t.className = "cc-ex-grid cc-ex-edit";
      for (var r = 0; r < a.length; r++) {
        var tr = t.insertRow();
        for (var c = 0; c < a[0].length; c++) {
          var td = tr.insertCell(), inp = document.createElement("input");
          inp.setAttribute("inputmode", "decimal");
          inp.setAttribute("aria-label", label + (a.length > 1 ? " row " + (r + 1) + ", column " + (c + 1) : " entry " + (c + 1)));
          inp.dataset.r = r; inp.dataset.c = c;
          td.appendChild(inp);
        }
      }
      box.replaceChildren(t);
    }
    for (var i = 0; i < a.length; i++) for (var j = 0; j < a[0].length; j++) {
      var el = t.rows[i].cells[j].firstChild, v = a[i][j];
      var text = typeof v === "number" && !isNaN(v) ? String(v) : "";
      if (el.value.trim() === "" ? text !== "" : Number(el.value) !== v) el.value = text;
    }
  }

  function fits(name, a) {
    var t = root.querySelector("[data-grid=" + name + "]").firstElementChild;
    return !!t && t.rows.length === a.length && t.rows[0].cells.length === a[0].length;
  }

  function read_editor(name, h, w, fld, problems) {
    var t = root.querySelector("[data-grid=" + name + "]").firstElementChild, old = fld === "input" ? state.x : state.k, out = [];
    for (var r = 0; r < h; r++) {
      var row = [];
      for (var c = 0; c < w; c++) {
        var have = t && r < t.rows.length && c < t.rows[0].cells.length, text = have ? t.rows[r].cells[c].firstChild.value.trim() : null;
        var v = text === null ? (old[r] && old[r][c] !== undefined ? old[r][c] : 0) : (text === "" ? NaN : Number(text));
        if (text !== null && (text === "" || isNaN(v))) {
          problems.push({field: fld, expected: RULES.messages.numbers, received: (text === "" ? "an empty cell" : text) + " at row " + (r + 1) + ", column " + (c + 1)});
        } else if (text !== null && Math.abs(v) > LIMITS.max_abs_value) {
          problems.push({field: fld, expected: fill(RULES.messages.magnitude, {max: LIMITS.max_abs_value}), received: text});
        }
        row.push(v);
      }
      out.push(row);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ grids

  // A grid of numbers, updated in place when its shape is unchanged. `kind` names the cells for
  // linked highlighting: "out" (outputs), "in" (inputs), "C", "pad" or "" (nothing linked).
  function grid(box, a, kind, label) {
    var t = box.firstElementChild, h = a.length, w = a[0].length;
    if (!t || t.tagName !== "TABLE" || t.rows.length !== h || t.rows[0].cells.length !== w) {
      t = document.createElement("table");
      t.className = "cc-ex-grid";
      if (label) t.setAttribute("aria-label", label);
      var first = true;
      for (var r = 0; r < h; r++) {
        var tr = t.insertRow();
        for (var c = 0; c < w; c++) {
          var td = tr.insertCell();
          td.dataset.r = r; td.dataset.c = c;
          td.tabIndex = first ? 0 : -1; first = false;
          td.textContent = String(a[r][c]);
          if (a[r][c] === 0) td.className = "cc-ex-zero";
        }
      }
      t.dataset.kind = kind;
      t.ccValues = a;
      box.replaceChildren(t);
      return t;
    }
    // only the cells whose value changed are touched (compared with the values last written)
    var was = t.ccValues, rowsEl = t.rows;
    for (var i = 0; i < h; i++) {
      var row = a[i], old = was[i], cells = null;
      for (var j = 0; j < w; j++) {
        if (row[j] !== old[j]) { // the cell's text node keeps its place: only its characters change
          cells = cells || rowsEl[i].cells;
          var td = cells[j], tn = td.firstChild;
          if (tn && tn.nodeType === 3 && !tn.nextSibling) tn.data = String(row[j]); else td.textContent = String(row[j]);
          if ((row[j] === 0) !== (old[j] === 0)) td.classList.toggle("cc-ex-zero", row[j] === 0);
        }
      }
    }
    t.ccValues = a;
    return t;
  }

  function section(id, title) {
    var sec = results.querySelector("[data-section=" + id + "]");
    if (!sec) {
      sec = document.createElement("section");
      sec.dataset.section = id;
      sec.className = "cc-ex-section";
      var hd = document.createElement("h2");
      hd.className = "cc-ex-h";
      hd.id = "cc-ex-" + id;
      var note = document.createElement("p");
      note.className = "cc-ex-note";
      var box = document.createElement("div");
      box.className = "cc-ex-scroll";
      box.setAttribute("role", "group");
      box.setAttribute("aria-labelledby", hd.id);
      sec.append(hd, note, box);
      results.appendChild(sec);
      if (io) io.observe(sec);
    }
    var h = sec.firstElementChild;
    if (h.dataset.tex !== title) { h.dataset.tex = title; h.innerHTML = title; }
    return sec;
  }

  function box(sec) { return sec.querySelector(":scope > .cc-ex-scroll"); }

  // ------------------------------------------------------------------------------ matrices on a canvas

  // A large matrix (C, the patch matrix P) drawn on a canvas in its own scroll box. Only the cells
  // in view are drawn: C of a 16×16 input and a 5×5 kernel has 36,864 entries, and as a table the
  // browser needed half a second to lay out and paint it after each change. The box is one Tab
  // stop; arrow keys (Home, End, Page Up/Down) move a cursor; pointing (mouse or cursor) calls
  // on_point(r, c). Highlights: a row band, a column band, marked cells ("hl", "self"). What is
  // drawn and marked is also in the box's data-* attributes (shape, hl-row, hl-col, hl-cells).
  var CELL_H = 18, FONT = "12px ", MONO = "";
  function Mat(box, label, on_point) {
    var m = this;
    m.box = box; m.label = label; m.on_point = on_point; m.values = null;
    m.row = -1; m.col = -1; m.cells = {}; m.cur = [0, 0]; m.sx = 0; m.sy = 0; m.vw = 0; m.focused = false; m.last = "";
    box.className = "cc-ex-mat"; box.tabIndex = 0; box.setAttribute("role", "application");
    m.sizer = document.createElement("div"); m.sizer.className = "cc-ex-mat-sizer";
    m.canvas = document.createElement("canvas"); m.canvas.setAttribute("aria-hidden", "true");
    m.sizer.appendChild(m.canvas); box.replaceChildren(m.sizer);
    m.ctx = m.canvas.getContext("2d");
    if (!MONO) MONO = getComputedStyle(box).getPropertyValue("--md-code-font-family").trim() || "monospace";
    m.maxh = parseFloat(getComputedStyle(box).maxHeight) || 320;
    box.addEventListener("scroll", function () { m.sx = box.scrollLeft; m.sy = box.scrollTop; m.draw(); }, {passive: true});
    new ResizeObserver(function () { var w = box.clientWidth; if (w !== m.vw) { m.vw = w; m.draw(); } }).observe(box);
    box.addEventListener("pointermove", function (e) {
      var b = m.canvas.getBoundingClientRect(), r = Math.floor((e.clientY - b.top + m.oy) / CELL_H), c = Math.floor((e.clientX - b.left + m.ox) / m.cw);
      if (m.values && r >= 0 && c >= 0 && r < m.values.length && c < m.values[0].length && r + "," + c !== m.last) { m.last = r + "," + c; m.on_point(r, c); }
    });
    box.addEventListener("pointerleave", function () { m.last = ""; });
    box.addEventListener("focus", function () { m.focused = true; m.on_point(m.cur[0], m.cur[1]); m.draw(); });
    box.addEventListener("blur", function () { m.focused = false; m.draw(); });
    box.addEventListener("keydown", function (e) {
      if (!m.values) return;
      var page = Math.max(1, Math.floor(m.maxh / CELL_H) - 1);
      var d = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -1e9], End: [0, 1e9], PageUp: [-page, 0], PageDown: [page, 0]}[e.key];
      if (!d) return;
      e.preventDefault();
      m.cur = [Math.min(Math.max(m.cur[0] + d[0], 0), m.values.length - 1), Math.min(Math.max(m.cur[1] + d[1], 0), m.values[0].length - 1)];
      m.reveal(m.cur[0], m.cur[1]);
      m.on_point(m.cur[0], m.cur[1]);
      m.draw();
    });
  }

  // New values (a fresh array each time): the cursor and the scroll stay where they were if they
  // still fit. `sources`: the values the entries are copies of (C holds the kernel's, P the padded
  // input's), whose widths set the columns' width without reading all of a large matrix.
  Mat.prototype.set = function (a, sources, key) {
    if (key === this.key && this.values && a.length === this.values.length) { this.values = a; return; } // the same matrix: nothing to draw
    this.key = key;
    var w = 1;
    for (var n = 0; n < sources.length; n++) { var len = String(sources[n]).length; if (len > w) w = len; }
    this.values = a;
    this.cw = Math.ceil(w * 7.3 + 12);
    this.cur = [Math.min(this.cur[0], a.length - 1), Math.min(this.cur[1], a[0].length - 1)];
    var sw = a[0].length * this.cw + "px", sh = a.length * CELL_H + "px";
    if (this.sizer.style.width !== sw) this.sizer.style.width = sw;
    if (this.sizer.style.height !== sh) this.sizer.style.height = sh;
    var label = this.label + ", " + a.length + " rows by " + a[0].length + " columns, drawn as a picture: arrow keys move through its cells, each read out below";
    if (this.box.getAttribute("aria-label") !== label) this.box.setAttribute("aria-label", label);
    if (this.box.dataset.shape !== a.length + "," + a[0].length) this.box.dataset.shape = a.length + "," + a[0].length;
    this.draw();
  };

  // The canvas matrix `id` of a section (made once), with a line under it that says in words
  // what is pointed at (the text alternative of the picture), read out as it changes.
  function mat(sec, id, label) {
    if (!mats[id] || !sec.contains(mats[id].box)) {
      var el = document.createElement("div"), said = document.createElement("p");
      box(sec).replaceChildren(el);
      said.className = "cc-ex-mat-text"; said.setAttribute("aria-live", "polite"); said.id = "cc-ex-said-" + id;
      said.tabIndex = 0; said.setAttribute("role", "status"); said.setAttribute("aria-label", (MAT_NAME[id] || id) + " in words"); // it scrolls when long: reachable by keyboard
      said.textContent = idle_text(id);
      box(sec).after(said);
      mats[id] = new Mat(el, label, function (r, c) { point(null, id, r, c); });
      el.setAttribute("aria-describedby", said.id);
    }
    return mats[id];
  }

  // What the read-out line under a canvas matrix says while nothing is pointed at: the line keeps
  // its height (pointing never moves the page), so it says what it is for rather than stand empty.
  function idle_text(id) { var n = MAT_NAME[id] || id; return "Point at a cell of " + n + " (or Tab to " + n + " and use the arrow keys): the cell and its row are read out here."; }
  // the names a reader sees: the explorer draws im2col's patch matrix P (one column per window, as the
  // cards and the notation page define it) transposed, one row per window, so it is called P^T
  var MAT_NAME = {C: "C", P: "P\u1d40"};

  // A small matrix is also offered as a table (text), made only when opened.
  var SMALL_TABLE = 1024;
  function small_table(sec, a, label) {
    var d = sec.querySelector(":scope > details.cc-ex-astable");
    if (!d) {
      d = document.createElement("details"); d.className = "cc-ex-astable";
      d.appendChild(document.createElement("summary"));
      var wrap = document.createElement("div"); wrap.className = "cc-ex-scroll";
      d.appendChild(wrap);
      d.addEventListener("toggle", function () { if (d.open && d.ccValues) grid(wrap, d.ccValues, "", label + " as a table"); });
      sec.appendChild(d);
    }
    var small = a.length * a[0].length <= SMALL_TABLE;
    d.ccValues = small ? a : null;
    set_hidden(d, !small);
    var text = label + " as a table (text)";
    if (d.firstChild.textContent !== text) d.firstChild.textContent = text;
    if (small && d.open) grid(d.lastChild, a, "", label + " as a table");
  }

  Mat.prototype.reveal = function (r, c) { // scroll the box so that cell (r, c) is in view
    var b = this.box, x = c * this.cw, y = r * CELL_H, h = Math.min(this.maxh, this.values.length * CELL_H) - 16;
    if (x < b.scrollLeft) b.scrollLeft = x; else if (x + this.cw > b.scrollLeft + this.vw) b.scrollLeft = x + this.cw - this.vw;
    if (y < b.scrollTop) b.scrollTop = y; else if (y + CELL_H > b.scrollTop + h) b.scrollTop = y + CELL_H - h;
    this.sx = b.scrollLeft; this.sy = b.scrollTop;
  };

  var colors = null, colors_key = "";
  function palette(el) {
    var key = (document.body.getAttribute("data-md-color-scheme") || "") + matchMedia("(prefers-color-scheme: dark)").matches;
    if (!colors || key !== colors_key) {
      var cs = getComputedStyle(el), v = function (n) { return cs.getPropertyValue(n).trim(); };
      colors = {fg: cs.color, zero: v("--md-default-fg-color--light"), hl: v("--cc-ex-hl"), self: v("--cc-ex-self"), band: v("--cc-ex-row"),
        hlfg: v("--cc-ex-hl-fg"), ring: v("--md-accent-fg-color")};
      colors_key = key;
    }
    return colors;
  }

  // Each number a cell can show is drawn once into one shared picture (the atlas), right-aligned
  // in a cell-sized slot, then copied from there: shaping text is the slow part of drawing, and
  // copying from one source is quicker than from many. Kind 0 plain, 1 a zero (muted), 2 marked (bold).
  var ATLAS = 1024, atlas = null, actx = null, slots = {}, slots_key = "", at_x = 0, at_y = 0, row_h = 0, glyphs_reset = false;
  function glyph(v, kind, cw, dpr, col) {
    var key = dpr + "/" + colors_key;
    if (!atlas || key !== slots_key) { atlas = atlas || document.createElement("canvas"); atlas.width = atlas.height = ATLAS; actx = atlas.getContext("2d"); slots = {}; slots_key = key; at_x = at_y = row_h = 0; }
    var id = cw + ":" + kind + ":" + v, g = slots[id];
    if (!g) {
      var w = Math.round(cw * dpr), h = Math.round(CELL_H * dpr);
      if (at_x + w > ATLAS) { at_x = 0; at_y += row_h; row_h = 0; }
      if (at_y + h > ATLAS) { actx.clearRect(0, 0, ATLAS, ATLAS); slots = {}; at_x = at_y = row_h = 0; glyphs_reset = true; }
      g = slots[id] = [at_x, at_y, w, h];
      actx.save(); actx.beginPath(); actx.rect(at_x, at_y, w, h); actx.clip();
      actx.setTransform(dpr, 0, 0, dpr, at_x, at_y);
      actx.font = (kind === 2 ? "bold " : "") + FONT + MONO; actx.textAlign = "right"; actx.textBaseline = "middle";
      actx.fillStyle = kind === 2 ? col.hlfg : kind === 1 ? col.zero : col.fg;
      actx.fillText(String(v), cw - 6, CELL_H / 2 + 1);
      actx.restore();
      at_x += w; row_h = Math.max(row_h, h);
    }
    return g;
  }

  // Draw what is in view. Every rectangle is snapped to device pixels (a cell spans
  // [round(x0 * dpr), round(x1 * dpr))), so that one cell can be redrawn alone with exactly the
  // pixels a whole drawing would give it: when only values changed since the last whole drawing
  // (same view, scroll, marks and colours), only the cells whose value changed are redrawn. A
  // kernel edit changes one entry per row of C; redrawing those, not all of C in view, keeps the
  // edit's frame short.
  Mat.prototype.draw = function () {
    var m = this, a = m.values;
    if (!a) return;
    var d = m.box.dataset, hl = [], self = [];
    for (var k2 in m.cells) (m.cells[k2] === "self" ? self : hl).push(k2);
    hl = hl.join(";"); self = self.join(";");
    if (d.hlRow !== String(m.row)) d.hlRow = m.row;
    if (d.hlCol !== String(m.col)) d.hlCol = m.col;
    if (d.hlCells !== hl) d.hlCells = hl;
    if (d.hlSelf !== self) d.hlSelf = self;
    if (!m.vw) return; // not laid out yet (off screen): drawn when its size is known
    var n = a.length, w = a[0].length, cw = m.cw, W = w * cw, H = n * CELL_H;
    var vw = Math.min(W, m.vw), vh = Math.min(H, m.maxh), dpr = window.devicePixelRatio || 1;
    var bw = Math.round(vw * dpr), bh = Math.round(vh * dpr), cv = m.canvas, ctx = m.ctx;
    var ox = Math.max(0, Math.min(m.sx, W - vw)), oy = Math.max(0, Math.min(m.sy, H - vh));
    var col = palette(m.box);
    var r0 = Math.floor(oy / CELL_H), r1 = Math.min(n, Math.ceil((oy + vh) / CELL_H));
    var c0 = Math.floor(ox / cw), c1 = Math.min(w, Math.ceil((ox + vw) / cw));
    function X(c) { return Math.round((c * cw - ox) * dpr); }
    function Y(r) { return Math.round((r * CELL_H - oy) * dpr); }
    var any = false;
    for (var k3 in m.cells) { any = true; break; }
    function kind(v, r, c) { return any && (r + "," + c) in m.cells ? 2 : v === 0 ? 1 : 0; }
    var sig = [n, w, cw, ox, oy, vw, vh, dpr, m.row, m.col, hl, self, m.focused, m.cur[0], m.cur[1], colors_key].join("|");
    var old = m.drawn;
    if (sig === m.sig && old && old.length === n && old[0].length === w && !m.focused) {
      m.drawn = a;
      var todo = [];
      for (var pr = r0; pr < r1; pr++) {
        var prow = a[pr], orow = old[pr];
        if (prow === orow) continue;
        for (var pc = c0; pc < c1; pc++) if (prow[pc] !== orow[pc]) todo.push(pr, pc, glyph(prow[pc], kind(prow[pc], pr, pc), cw, dpr, col));
      }
      if (!glyphs_reset) {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        for (var q = 0; q < todo.length; q += 3) {
          var rr = todo[q], cc3 = todo[q + 1], g = todo[q + 2], x0 = X(cc3), y0 = Y(rr), xw = X(cc3 + 1) - x0, yh = Y(rr + 1) - y0;
          ctx.clearRect(x0, y0, xw, yh);
          ctx.fillStyle = col.band;
          if (rr === m.row) ctx.fillRect(x0, y0, xw, yh);
          if (cc3 === m.col) ctx.fillRect(x0, y0, xw, yh);
          if (any && (rr + "," + cc3) in m.cells) { ctx.fillStyle = m.cells[rr + "," + cc3] === "self" ? col.self : col.hl; ctx.fillRect(x0, y0, xw, yh); }
          ctx.drawImage(atlas, g[0], g[1], g[2], g[3], x0, y0, g[2], g[3]);
        }
        return;
      }
      glyphs_reset = false; // the atlas filled up meanwhile: draw it all again (below)
    }
    if (cv.width !== bw || cv.height !== bh) { cv.width = bw; cv.height = bh; cv.style.width = vw + "px"; cv.style.height = vh + "px"; }
    m.ox = ox; m.oy = oy;
    m.drawn = a;
    m.sig = sig;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, bw, bh);
    ctx.fillStyle = col.band;
    if (m.row >= 0) ctx.fillRect(0, Y(m.row), bw, Y(m.row + 1) - Y(m.row));
    if (m.col >= 0) ctx.fillRect(X(m.col), 0, X(m.col + 1) - X(m.col), bh);
    for (var key in m.cells) {
      var rc = key.split(","), rr2 = Number(rc[0]), cc2 = Number(rc[1]);
      ctx.fillStyle = m.cells[key] === "self" ? col.self : col.hl;
      ctx.fillRect(X(cc2), Y(rr2), X(cc2 + 1) - X(cc2), Y(rr2 + 1) - Y(rr2));
    }
    // each number is a small picture made once (text shaping is the slow part of drawing), then copied;
    // first every glyph in view is made, then all are copied: the atlas changes only before the
    // first copy (a canvas copied from after each change would be snapshotted each time)
    var all = [];
    for (var r = r0; r < r1; r++) {
      var row = a[r], y = Y(r);
      for (var c = c0; c < c1; c++) all.push(glyph(row[c], kind(row[c], r, c), cw, dpr, col), X(c), y);
    }
    if (!glyphs_reset) {
      for (var q2 = 0; q2 < all.length; q2 += 3) { var g2 = all[q2]; ctx.drawImage(atlas, g2[0], g2[1], g2[2], g2[3], all[q2 + 1], all[q2 + 2], g2[2], g2[3]); }
    } else { // more different numbers in view than the atlas holds: each drawn as text
      glyphs_reset = false;
      m.sig = ""; // (the next drawing is a whole one)
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.textAlign = "right"; ctx.textBaseline = "middle";
      for (var r2 = r0; r2 < r1; r2++) for (var c2 = c0; c2 < c1; c2++) {
        var v2 = a[r2][c2], hot = any && (r2 + "," + c2) in m.cells;
        ctx.font = (hot ? "bold " : "") + FONT + MONO; ctx.fillStyle = hot ? col.hlfg : v2 === 0 ? col.zero : col.fg;
        ctx.fillText(String(v2), (c2 + 1) * cw - ox - 6, r2 * CELL_H - oy + CELL_H / 2 + 1);
      }
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (m.focused) {
      ctx.strokeStyle = col.ring; ctx.lineWidth = 2;
      ctx.strokeRect(m.cur[1] * cw - ox + 1, m.cur[0] * CELL_H - oy + 1, cw - 2, CELL_H - 2);
    }
  };

  function note(sec, html) {
    var n = sec.children[1];
    if (n.dataset.html !== html) { n.dataset.html = html; n.innerHTML = html; }
  }

  function tex(s) { return '<span class="arithmatex">\\(' + s + "\\)</span>"; }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (ch) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[ch]; }); }

  // ------------------------------------------------------------------------------ render

  function size_formula(st, res) {
    var x = cc.as_2d(st.x), k = cc.as_2d(st.k), axes = st.one_d ? [1] : [0, 1], parts = [];
    var names = [["h", "k_h", "s_h", "d_h", "p_t", "p_b", "a_h", "o_h"], ["w", "k_w", "s_w", "d_w", "p_l", "p_r", "a_w", "o_w"]];
    var o = cc.as_2d(res.output);
    axes.forEach(function (ax) {
      var n = names[ax], i = ax ? x[0].length : x.length, kk = ax ? k[0].length : k.length, s = st.s[ax], d = st.d[ax];
      var lo = st.p[2 * ax], hi = st.p[2 * ax + 1], out = ax ? o[0].length : o.length, oname = st.one_d ? "o" : n[7];
      if (st.op === "transposed_convolution") {
        parts.push(oname + " = (" + n[0] + " - 1)" + n[2] + " - " + n[4] + " - " + n[5] + " + " + n[3] + "(" + n[1] + " - 1) + " + n[6] + " + 1 = (" +
          i + " - 1)\\cdot " + s + " - " + lo + " - " + hi + " + " + d + "\\cdot(" + kk + " - 1) + " + st.a[ax] + " + 1 = " + out);
      } else {
        parts.push(oname + " = \\left\\lfloor \\frac{" + n[0] + " + " + n[4] + " + " + n[5] + " - " + n[3] + "(" + n[1] + " - 1) - 1}{" + n[2] +
          "} \\right\\rfloor + 1 = \\left\\lfloor \\frac{" + i + " + " + lo + " + " + hi + " - " + d + "\\cdot(" + kk + " - 1) - 1}{" + s +
          "} \\right\\rfloor + 1 = " + out);
      }
    });
    return parts.map(function (p) { return '<span class="cc-ex-formula">' + tex(p) + "</span>"; }).join(" ");
  }

  function render(st, res) {
    var ex = example(st), p = cc.example_params(ex), x = cc.as_2d(st.x), k = cc.as_2d(st.k);
    var tr = st.op === "transposed_convolution", ku = st.op === "convolution" ? cc.flip(k) : k;
    var out = cc.as_2d(res.output), C = res.unrolled_matrix;
    var f_in = tr ? [out.length, out[0].length] : [x.length, x[0].length];
    var f_out = cc.output_shape(f_in, [k.length, k[0].length], p);
    var V = {st: st, p: p, x: x, k: k, ku: ku, tr: tr, out: out, C: C, f_in: f_in, f_out: f_out,
      coo: cc.unrolled_coo(f_in, ku, p), y_n: x.length * x[0].length};
    var nnz = 0; // C's non-zero entries: its entries at the triplets' places (each place once), where not 0
    for (var r = 0; r < V.coo.values.length; r++) if (V.coo.values[r] !== 0) nnz++;
    var opname = {cross_correlation: "cross-correlation", convolution: "convolution", transposed_convolution: "transposed convolution"}[st.op];

    var sec = section("output", "Output " + tex(tr ? "C^\\top \\mathbf{y}" : "\\mathbf{y}") + ", " + out.length + "×" + out[0].length);
    note(sec, "The " + opname + ". Point at a cell to see where it comes from.<br>" + size_formula(st, res));
    grid(box(sec), out, "out", "output");
    var sum = sec.querySelector(".cc-ex-sum");
    if (!sum) {
      sum = document.createElement("p"); sum.className = "cc-ex-sum"; sum.setAttribute("aria-live", "polite"); sec.appendChild(sum);
      sum.tabIndex = 0; sum.setAttribute("role", "status"); sum.setAttribute("aria-label", "the sum of the cell pointed at"); // one line that scrolls when long: reachable by keyboard
      sum.innerHTML = tex("\\text{(point at a cell: its sum is written here)}"); // one formula, always: pointing replaces it
    }

    if (!tr) {
      sec = section("padded", "Padded input");
      note(sec, "The input with its zero padding (" + st.p.slice(st.one_d ? 2 : 0).join(", ") + " on " + (st.one_d ? "left, right" : "top, bottom, left, right") + ") shaded.");
      var padded = cc.pad(x, p.padding);
      var t = grid(box(sec), padded, "pad", "padded input");
      for (var i = 0; i < padded.length; i++) for (var j = 0; j < padded[0].length; j++) {
        var inside = i >= p.padding[0] && i < p.padding[0] + x.length && j >= p.padding[2] && j < p.padding[2] + x[0].length;
        t.rows[i].cells[j].classList.toggle("cc-ex-padcell", !inside);
      }
    } else {
      hide("padded");
    }

    sec = section("kernel", "The kernel " + tex("w") + " and " + tex("\\operatorname{rot180}(w)"));
    note(sec, st.op === "convolution" ? "A convolution slides the rotated kernel (right); C holds it." :
      st.op === "transposed_convolution" ? "Zero insertion slides the rotated kernel (right); C and the scatter use k." :
      "Cross-correlation slides w as it is (left); a convolution would slide the rotated one.");
    pair(box(sec), k, cc.flip(k), "kernel", "kernel rotated 180 degrees");

    sec = section("flat", tr ? "Flattened input " + tex("\\mathbf{y}") + " (row-major)" : "Flattened input " + tex("\\mathbf{x}") + " (row-major)");
    note(sec, x.length * x[0].length + " entries, read left to right, then top to bottom.");
    grid(box(sec), [cc.ravel(x)], "flat", "flattened input");

    sec = section("C", "The unrolled matrix " + tex("C") + ", " + C.length + "×" + f_in[0] * f_in[1]);
    note(sec, nnz + " non-zero entries of " + C.length * f_in[0] * f_in[1] + ". Row r holds the kernel laid over output r's window" +
      (tr ? " (C is the forward convolution's matrix, for an input of the output's shape; the transposed convolution multiplies by its transpose)." : "."));
    mat(sec, "C", "the unrolled matrix C").set(C, cc.ravel(k).concat([0]), JSON.stringify([ku, p, f_in]));
    small_table(sec, C, "C");

    // The sections below C: each is drawn now if it is on screen (or new, or its shape changes),
    // else right after the frame that shows the edit (later(); see "sections off screen" below)
    var zin = tr ? cc.zero_insertion_input(x, [k.length, k[0].length], p) : null, same_shape = layout_key(st) === last_layout;
    last_layout = layout_key(st);
    function part(id, draw) { if (same_shape && off_screen(id)) pending.push(draw); else draw(); }
    pending = [];
    if (!tr) {
      hide("three");
      part("Cx", function () {
        sec = section("Cx", tex("C\\mathbf{x}") + " reshaped to " + out.length + "×" + out[0].length);
        var cx = cc.reshape(cc.matvec(C, cc.ravel(x)), out.length, out[0].length);
        note(sec, "The matrix product, row by row: " + (same(cx, out) ? "equal to the output." : "NOT equal to the output."));
        grid(box(sec), cx, "out", "C x reshaped");
      });
      part("CTy", function () {
        sec = section("CTy", tex("C^\\top \\mathbf{y}") + " back to the input's shape, " + x.length + "×" + x[0].length);
        // C^T y with the C above: what cc.transposed_via_matrix(out, ku, p with the output_padding that
        // gives x's shape back) computes, without building a second copy of C (36,864 entries at 16×16)
        var cty = cc.reshape(cc.matvec_transposed(C, cc.ravel(out), x.length * x[0].length), x.length, x[0].length);
        grid(box(sec), cty, "", "C transposed y");
        var inverts = columns_orthonormal(C, f_in[0] * f_in[1]);
        note(sec, "The transposed convolution of the output: each input cell collects the outputs it fed, weighted by the kernel. " +
          (inverts ? "Here " + tex("C^\\top C = I") + " (C's columns are orthonormal), so this is the input back." :
            "It is not the input back: here " + tex("C^\\top C \\neq I") + ".") + (st.op === "convolution" ? " Here " + tex("C") + " is the matrix above, built from " +
          tex("\\operatorname{rot180}(w)") + " (the kernel this convolution slides); the cards' transposed view builds its " + tex("C") +
          " from " + tex("w") + " itself, so for a convolution its " + tex("C^\\top\\mathbf{y}") + " can differ from this one." : ""));
      });
    } else {
      hide("Cx"); hide("CTy");
      part("three", function () {
        sec = section("three", "The same result three ways");
        var scat = cc.transposed_scatter(x, k, p), zres = cc.transposed_zero_insertion(x, k, p);
        var ok = same(scat, out) && same(zres, out);
        note(sec, (ok ? "All three equal: " : "They DIFFER: ") + tex("C^\\top\\mathbf{y}") + " (above), scatter-add (each " + tex("y_{r,c}") +
          " stamps " + tex("y_{r,c}\\,w") + " at stride " + st.s.slice(st.one_d ? 1 : 0).join("×") + ", cropped by the padding), and zero insertion: " +
          tex("s - 1") + " zeros between entries, " + tex("d(k-1)-p") + " around, then the rotated kernel at stride 1.");
        triple(box(sec), [["scatter-add", scat], ["zero-inserted input", zin], ["it, correlated with rot180(w)", zres]]);
      });
    }

    // im2col: P^T, one row per output position (its window, a column of P), one column per kernel tap
    part("P", function () {
      // P depends on the input, the kernel's shape and the parameters, not on the kernel's values:
      // a kernel edit keeps it (and its drawing)
      var kp = tr ? cc.flip(k) : ku, pkey = JSON.stringify([tr ? zin : x, k.length, k[0].length, p, tr]), P = p_cache.key === pkey ? p_cache.P : null;
      if (!P) {
        P = tr ? cc.im2col(zin, [k.length, k[0].length], cc.params(null, null, p.dilation)) : cc.im2col(x, [k.length, k[0].length], p);
        P = P[0].map(function (v, j) { return P.map(function (row) { return row[j]; }); });
        p_cache = {key: pkey, P: P};
      }
      var pk = cc.reshape(cc.matvec(P, cc.ravel(kp)), out.length, out[0].length);
      sec = section("P", "The patch matrix of im2col, transposed: " + tex("P^\\top") + ", " + P.length + "×" + P[0].length);
      note(sec, "One row per output position (a column of " + tex("P") + "): its window on the " + (tr ? "zero-inserted input (above)" : "padded input") +
        ", read left to right, then top to bottom; one column per kernel tap. " + tex("P^\\top\\operatorname{vec}(" + (tr || st.op === "convolution" ? "\\operatorname{rot180}(w)" : "w") + ")") +
        " is the flattened output: reshaped below, it is " + (same(pk, out) ? "equal to the output." : "NOT equal to the output."));
      mat(sec, "P", "the patch matrix P transposed").set(P, cc.ravel(tr ? zin : x).concat([0]), pkey);
      var pkbox = sec.querySelector(":scope > .cc-ex-pk");
      if (!pkbox) {
        pkbox = document.createElement("div"); pkbox.className = "cc-ex-pk";
        var cap = document.createElement("p"); cap.className = "cc-ex-caption";
        pkbox.append(cap, document.createElement("div"));
        pkbox.lastChild.className = "cc-ex-scroll"; pkbox.lastChild.setAttribute("data-grid", "Pk");
        sec.appendChild(pkbox);
      }
      var captext = "P\u1d40 vec(" + (tr || st.op === "convolution" ? "rot180(w)" : "w") + ") reshaped to " + out.length + "×" + out[0].length;
      if (pkbox.firstChild.textContent !== captext) pkbox.firstChild.textContent = captext;
      grid(pkbox.lastChild, pk, "out", captext);
      small_table(sec, P, "P\u1d40");
    });
    if (pending.length) later();
    view = V;
    window.convcardsRenderMath && window.convcardsRenderMath(results);
  }

  var p_cache = {key: null, P: null};

  // ------------------------------------------------------------------------------ sections off screen

  // An edit of values (the shapes unchanged) updates the sections below C that are off screen
  // right after the frame that shows the edit, not before it: a learner sees nothing stale (what
  // is on screen is drawn first), and the frame is not held up by work nobody sees yet. A section
  // that comes on screen, pointing at a cell and the read-only views first finish what is pending.
  var pending = [], pending_gen = 0, last_layout = null;
  var io = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    var shown = false;
    entries.forEach(function (e) { e.target.ccOnScreen = e.isIntersecting; if (e.isIntersecting) shown = true; });
    if (shown && pending.length) flush();
  }) : null;
  function layout_key(st) {
    return JSON.stringify([st.op, st.one_d, st.x.length, st.x[0].length, st.k.length, st.k[0].length, st.s, st.p, st.d, st.a]);
  }
  function off_screen(id) { var sec = results.querySelector("[data-section=" + id + "]"); return !!sec && sec.ccOnScreen === false; }
  var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 20); };
  function later() { // once the frame that shows the edit is painted and the page is idle (at most 100 ms on)
    var gen = ++pending_gen;
    requestAnimationFrame(function () { idle(function () { if (gen === pending_gen) flush(); }, {timeout: 100}); });
  }
  function flush() {
    if (!pending.length) return;
    var work = pending;
    pending = [];
    work.forEach(function (draw) { draw(); });
    window.convcardsRenderMath && window.convcardsRenderMath(results);
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function hide(id) { var s = results.querySelector("[data-section=" + id + "]"); if (s) s.remove(); }

  function pair(box, a, b, la, lb) {
    if (box.children.length !== 2 || box.firstElementChild.tagName === "TABLE") {
      box.replaceChildren(document.createElement("div"), document.createElement("div"));
      box.classList.add("cc-ex-pair");
    }
    grid(box.children[0], a, "", la); grid(box.children[1], b, "", lb);
  }

  function triple(box, items) {
    if (box.children.length !== items.length || box.firstElementChild.tagName === "TABLE") {
      box.replaceChildren();
      box.classList.add("cc-ex-pair");
      items.forEach(function (it) {
        var d = document.createElement("div"), cap = document.createElement("p");
        cap.className = "cc-ex-caption"; cap.textContent = it[0];
        d.append(cap, document.createElement("div"));
        box.appendChild(d);
      });
    }
    items.forEach(function (it, n) { grid(box.children[n].lastElementChild, it[1], "", it[0]); });
  }

  // ------------------------------------------------------------------------------ linking

  var marked = [], mats = {};
  function mark(el, cls) { if (el) { el.classList.add(cls); marked.push([el, cls]); } }
  function unmark() {
    marked.forEach(function (m) { m[0].classList.remove(m[1]); }); marked = [];
    for (var id in mats) {
      var m = mats[id];
      for (var any in m.cells) break;
      if (m.row >= 0 || m.col >= 0 || any !== undefined) { m.row = m.col = -1; m.cells = {}; m.dirty = true; }
      m.text = "";
    }
  }
  function cell(id, r, c) {
    var t = results.querySelector(id === "Pk" ? "[data-grid=Pk] > table" : "[data-section=" + id + "] > .cc-ex-scroll > table");
    return t && t.rows[r] ? t.rows[r].cells[c] : null;
  }
  function editor_cell(r, c) {
    var t = root.querySelector("[data-grid=x-edit] table");
    return t && t.rows[r] && t.rows[r].cells[c] ? t.rows[r].cells[c] : null;
  }
  // A matrix drawn on a canvas (C, P): mark a band or a cell (drawn once the pointing is done).
  function mat_mark(id, row, col, r, c) {
    var m = mats[id];
    if (!m || !m.values) return;
    if (row !== null) m.row = row;
    if (col !== null) m.col = col;
    if (r !== undefined) m.cells[r + "," + c] = "hl";
    m.dirty = true;
  }
  function mat_text(id, t) { if (mats[id]) mats[id].text = t; }
  function mats_done() {
    for (var id in mats) {
      var m = mats[id];
      if (m.dirty) { m.dirty = false; m.draw(); }
      var p = m.box.parentNode.parentNode.querySelector(":scope > .cc-ex-mat-text");
      var said = m.text || idle_text(id);
      if (p && p.textContent !== said) p.textContent = said;
    }
  }
  function name_of(V, ch, f, w) { return ch + "(" + (V.st.one_d ? (f % w + 1) : (Math.floor(f / w) + 1) + "," + (f % w + 1)) + ")"; }

  // The forward convolution's output index f_r (a row of C): its row, its window, its outputs.
  function point_row(V, fr) {
    var w_in = V.f_in[1], terms = [], said = [];
    mat_mark("C", fr, null);
    var row_r = Math.floor(fr / V.f_out[1]), row_c = fr % V.f_out[1];
    for (var n = 0; n < V.coo.rows.length; n++) {
      if (V.coo.rows[n] !== fr) continue;
      var col = V.coo.cols[n];
      mat_mark("C", null, null, fr, col);
      said.push(V.coo.values[n] + " at column " + (col + 1) + " (" + name_of(V, V.tr ? "output " : "x", col, w_in) + ")");
      if (!V.tr) {
        var i = Math.floor(col / w_in), j = col % w_in;
        mark(editor_cell(i, j), "cc-hl"); mark(cell("flat", 0, col), "cc-hl");
      } else {
        mark(cell("output", Math.floor(col / w_in), col % w_in), "cc-hl");
      }
    }
    var head = "Row " + (fr + 1) + " of C (" + name_of(V, V.tr ? "y" : "output y", fr, V.f_out[1]) + "): " +
      (said.length ? "the kernel's " + said.length + " taps on real " + (V.tr ? "outputs" : "inputs") + ": " + said.join(", ") : "nothing but zeros (its window is all padding)");
    if (!V.tr) {
      var kh = V.k.length, kw = V.k[0].length, padded = cc.pad(V.x, V.p.padding), window_vals = [];
      mat_mark("P", fr, null);
      for (var a = 0; a < kh; a++) for (var b = 0; b < kw; b++) {
        var pr = row_r * V.p.stride[0] + a * V.p.dilation[0], pc = row_c * V.p.stride[1] + b * V.p.dilation[1];
        var xp = padded[pr][pc], kv = V.ku[a][b];
        mark(cell("padded", pr, pc), "cc-hl");
        terms.push(paren(kv) + "\\cdot " + paren(xp));
        window_vals.push(xp);
      }
      mark(cell("output", row_r, row_c), "cc-hl-self"); mark(cell("Cx", row_r, row_c), "cc-hl-self"); mark(cell("Pk", row_r, row_c), "cc-hl-self");
      mat_text("C", head + "; times x, they sum to " + V.out[row_r][row_c] + ".");
      mat_text("P", "Row " + (fr + 1) + " of P\u1d40 (output y(" + idx(V, row_r, row_c) + ")): its window " + window_vals.join(", ") +
        "; times the kernel's taps, they sum to " + V.out[row_r][row_c] + ".");
      write_sum("y_{" + idx(V, row_r, row_c) + "} = " + terms.join(" + ") + " = " + V.out[row_r][row_c]);
    } else if (fr < V.y_n) {
      mark(editor_cell(Math.floor(fr / V.x[0].length), fr % V.x[0].length), "cc-hl-self");
      mark(cell("flat", 0, fr), "cc-hl-self");
      mat_text("C", head + "; y(" + idx(V, Math.floor(fr / V.x[0].length), fr % V.x[0].length) + ") is spread over those outputs, weighted by them.");
      write_sum("y_{" + idx(V, Math.floor(fr / V.x[0].length), fr % V.x[0].length) + "} = " + V.x[Math.floor(fr / V.x[0].length)][fr % V.x[0].length] +
        " \\text{ is spread over the marked outputs, weighted by its row of } C");
    } else {
      mat_text("C", head + "; this row has no entry of y (output padding), so it adds nothing.");
    }
  }

  // The forward convolution's input index f_c (a column of C): its column and the outputs it feeds.
  function point_col(V, fc) {
    var w_in = V.f_in[1], terms = [], said = [];
    mat_mark("C", null, fc);
    var i = Math.floor(fc / w_in), j = fc % w_in, kw = V.k[0].length;
    for (var n = 0; n < V.coo.rows.length; n++) {
      if (V.coo.cols[n] !== fc) continue;
      var fr = V.coo.rows[n];
      mat_mark("C", null, null, fr, fc);
      said.push(V.coo.values[n] + " in row " + (fr + 1));
      if (!V.tr) {
        var orr = Math.floor(fr / V.f_out[1]), occ = fr % V.f_out[1];
        mark(cell("output", orr, occ), "cc-hl"); mark(cell("Cx", orr, occ), "cc-hl"); mark(cell("Pk", orr, occ), "cc-hl");
        // the tap of output (orr, occ)'s window that lands on this input cell: one entry of P
        var a = (i + V.p.padding[0] - orr * V.p.stride[0]) / V.p.dilation[0], b = (j + V.p.padding[2] - occ * V.p.stride[1]) / V.p.dilation[1];
        mat_mark("P", null, null, fr, a * kw + b);
      } else if (fr < V.y_n) {
        var yr = Math.floor(fr / V.x[0].length), yc = fr % V.x[0].length;
        mark(editor_cell(yr, yc), "cc-hl"); mark(cell("flat", 0, fr), "cc-hl");
        terms.push(paren(V.coo.values[n]) + "\\cdot " + paren(V.x[yr][yc]));
      }
    }
    var head = "Column " + (fc + 1) + " of C (" + name_of(V, V.tr ? "output " : "x", fc, w_in) + "): " +
      (said.length ? "kernel taps in " + said.length + " rows: " + said.join(", ") : "nothing but zeros");
    if (!V.tr) {
      mark(editor_cell(i, j), "cc-hl-self"); mark(cell("flat", 0, fc), "cc-hl-self");
      mark(cell("padded", i + V.p.padding[0], j + V.p.padding[2]), "cc-hl-self");
      mat_text("C", head + "; x(" + idx(V, i, j) + ") = " + V.x[i][j] + " feeds those outputs, weighted by them.");
      mat_text("P", "x(" + idx(V, i, j) + ") = " + V.x[i][j] + " appears in P\u1d40 " + said.length + " times (marked): once in the window of each output it feeds.");
      write_sum("x_{" + idx(V, i, j) + "} = " + V.x[i][j] + " \\text{ feeds the marked outputs (its column of } C\\text{)}");
    } else {
      mark(cell("output", i, j), "cc-hl-self"); mark(cell("Pk", i, j), "cc-hl-self");
      mat_mark("P", fc, null);
      mat_text("C", head + "; times y, they sum to " + V.out[i][j] + ".");
      mat_text("P", "Row " + (fc + 1) + " of P\u1d40 (output (" + idx(V, i, j) + ")): its window on the zero-inserted input; times the rotated kernel's taps, it sums to " + V.out[i][j] + ".");
      write_sum("(C^\\top\\mathbf{y})_{" + idx(V, i, j) + "} = " + (terms.length ? terms.join(" + ") : "0") + " = " + V.out[i][j]);
    }
  }

  function idx(V, r, c) { return V.st.one_d ? String(c + 1) : (r + 1) + "," + (c + 1); }
  function paren(v) { return v < 0 ? "(" + v + ")" : String(v); }

  function write_sum(t) {
    var sum = results.querySelector(".cc-ex-sum");
    if (sum) { sum.innerHTML = tex(t); window.convcardsRenderMath && window.convcardsRenderMath(sum); }
  }

  // Point at a cell: a table cell `el`, or cell (r, c) of the canvas matrix `id` (C or P).
  function point(el, id, r, c) {
    flush();
    unmark();
    var V = view;
    if (!V || root.classList.contains("cc-ex--stale")) { mats_done(); return; }
    if (el) {
      var sec = el.closest("[data-section]");
      r = Number(el.dataset.r); c = Number(el.dataset.c);
      id = el.closest("[data-grid=Pk]") ? "Pk" : sec ? sec.dataset.section : (el.closest("[data-grid=x-edit]") ? "x-edit" : null);
    }
    if (id === null || isNaN(r)) { mats_done(); return; }
    var out_w = V.out[0].length, x_w = V.x[0].length;
    if (id === "output" || id === "Pk") { if (V.tr) point_col(V, r * out_w + c); else point_row(V, r * V.f_out[1] + c); }
    else if (id === "Cx") point_row(V, r * V.f_out[1] + c);
    else if (id === "x-edit" || id === "flat") { var f = id === "flat" ? c : r * x_w + c; if (V.tr) point_row(V, f); else point_col(V, f); }
    else if (id === "C") point_row(V, r);
    else if (id === "P") { if (V.tr) point_col(V, r); else point_row(V, r); }
    else if (id === "padded") {
      var i = r - V.p.padding[0], j = c - V.p.padding[2];
      if (i >= 0 && j >= 0 && i < V.x.length && j < x_w) point_col(V, i * x_w + j);
    }
    if ((id === "C" || id === "P") && mats[id] && mats[id].values) {
      var m = mats[id];
      m.cells[r + "," + c] = "self"; m.dirty = true;
      m.text = id + " row " + (r + 1) + ", column " + (c + 1) + ": " + m.values[r][c] + ". " + m.text;
    }
    mats_done();
  }

  results.addEventListener("pointerover", function (e) { if (e.target.tagName === "TD") point(e.target); });
  root.addEventListener("focusin", function (e) {
    var t = e.target;
    if (t.tagName === "TD" || (t.tagName === "INPUT" && t.closest("[data-grid=x-edit]"))) point(t);
  });

  // Arrow keys move inside a grid of results (one Tab stop each: roving tabindex).
  results.addEventListener("keydown", function (e) {
    var td = e.target;
    if (td.tagName !== "TD") return;
    var d = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -1e9], End: [0, 1e9]}[e.key];
    if (!d) return;
    var t = td.closest("table"), r = Math.min(Math.max(Number(td.dataset.r) + d[0], 0), t.rows.length - 1);
    var c = Math.min(Math.max(Number(td.dataset.c) + d[1], 0), t.rows[0].cells.length - 1), next = t.rows[r].cells[c];
    e.preventDefault();
    td.tabIndex = -1; next.tabIndex = 0; next.focus();
  });

  // Arrow keys move between the cells of an editor too (Up/Down; Left/Right keep editing the text).
  form.addEventListener("keydown", function (e) {
    var inp = e.target;
    if (inp.tagName !== "INPUT" || !inp.dataset.r || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    var t = inp.closest("table"), r = Number(inp.dataset.r) + (e.key === "ArrowUp" ? -1 : 1);
    if (r >= 0 && r < t.rows.length) { e.preventDefault(); t.rows[r].cells[Number(inp.dataset.c)].firstChild.focus(); }
  });

  // ------------------------------------------------------------------------------ update

  function show_problems(problems) {
    var shown = {};
    root.querySelectorAll("[data-error]").forEach(function (p) { if (p.firstChild) p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    problems.forEach(function (pr) {
      var slot = root.querySelector("[data-error=" + pr.field + "]");
      if (!slot || shown[pr.field]) return;
      shown[pr.field] = true;
      slot.textContent = pr.field.replace("_", " ") + ": expected " + pr.expected + ", but received " + pr.received + ".";
      if (pr.name) field(pr.name).setAttribute("aria-invalid", "true");
    });
    root.classList.toggle("cc-ex--stale", problems.length > 0);
    set_hidden(stale_note, problems.length === 0);
  }

  // The address bar follows the state a moment after the last change (not on every keystroke:
  // browsers throttle a flood of history updates, and each costs time in the edit's frame).
  var url_timer = null;
  function write_url(st) {
    clearTimeout(url_timer);
    url_timer = setTimeout(function () { history.replaceState(null, "", "#" + fragment(st)); }, 150);
  }

  function update(from_url) {
    var got = read_form(), st = got.st, problems = got.problems;
    if (got.problems.length === 0) problems = cc.check(example(st), RULES, LIMITS);
    modes(st);
    if (problems.length) { unmark(); mats_done(); show_problems(problems); return false; }
    show_problems([]);
    var res;
    try { res = cc.compute(example(st)); } catch (err) {
      show_problems([{field: err.field || "input", expected: err.expected || "a computable example", received: err.received || String(err)}]);
      return false;
    }
    state = st;
    // the editors hold what was just read from them: only a new shape needs writing (each read
    // of an input's value costs the browser a check that style and layout are up to date)
    if (!fits("x-edit", st.x)) editor("x-edit", st.x, "input");
    if (!fits("k-edit", st.k)) editor("k-edit", st.k, "kernel");
    render(st, res);
    if (!from_url) write_url(st);
    return true;
  }

  // ------------------------------------------------------------------------------ actions

  function rng(seed) { // mulberry32: a small seeded generator, the same numbers for the same seed
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function fill_random(st, seed) {
    var g = rng(seed);
    function arr(a) { return a.map(function (row) { return row.map(function () { return Math.floor(g() * 7) - 3; }); }); }
    st.x = arr(st.x); st.k = arr(st.k); st.seed = seed;
  }

  // C^T C = I, i.e. C's columns are orthonormal (then C^T undoes C), decided from the products of the
  // non-zero pairs within each row of C: cheap at the page's limits (a row holds at most kh*kw of them).
  // The diagonal (each column's squared length) is checked first: it is seldom all ones, and then
  // the pairs (up to 43,200 at 16×16 with 5×5) need not be summed at all.
  function columns_orthonormal(C, n) {
    var diag = new Float64Array(n), off = new Map(), tol = 1e-9, nzs = [];
    for (var r = 0; r < C.length; r++) {
      var row = C[r], nz = [];
      for (var j = 0; j < n; j++) if (row[j] !== 0) { nz.push(j); diag[j] += row[j] * row[j]; }
      nzs.push(nz);
    }
    for (var j1 = 0; j1 < n; j1++) if (Math.abs(diag[j1] - 1) > tol) return false;
    for (r = 0; r < C.length; r++) {
      row = C[r]; nz = nzs[r];
      for (var a = 0; a < nz.length; a++) {
        for (var b = a + 1; b < nz.length; b++) {
          var key = nz[a] * n + nz[b];
          off.set(key, (off.get(key) || 0) + row[nz[a]] * row[nz[b]]);
        }
      }
    }
    var ok = true;
    off.forEach(function (v) { if (Math.abs(v) > tol) ok = false; });
    return ok;
  }

  function preset(st, name) {
    var kh = st.k.length, kw = st.k[0].length;
    if (name === "sobel") {
      st.one_d = false; st.op = "cross_correlation"; st.x = SOBEL_X.map(function (r) { return r.slice(); });
      st.k = SOBEL_K.map(function (r) { return r.slice(); }); st.s = [1, 1]; st.p = [0, 0, 0, 0]; st.d = [1, 1]; st.a = [0, 0];
    } else if (name === "identity") {
      st.k = st.k.map(function (row, r) { return row.map(function (v, c) { return r === Math.floor((kh - 1) / 2) && c === Math.floor((kw - 1) / 2) ? 1 : 0; }); });
    } else if (name === "ones") {
      st.k = st.k.map(function (row) { return row.map(function () { return 1; }); });
    }
  }

  function set_padding(mode) {
    var got = read_form(), st = got.st, axes = st.one_d ? [1] : [0, 1];
    axes.forEach(function (ax) {
      var span = st.d[ax] * ((ax ? st.k[0].length : st.k.length) - 1), lo = 0, hi = 0;
      if (mode === "same") { lo = Math.floor(span / 2); hi = span - lo; }
      if (mode === "full") { lo = hi = span; }
      field(ax ? "pl" : "pt").value = Math.min(lo, LIMITS.max_padding); field(ax ? "pr" : "pb").value = Math.min(hi, LIMITS.max_padding);
    });
    update(false);
  }

  form.addEventListener("input", function (e) {
    if (e.target.name === "preset") return;
    if (e.target.name === "xh" || e.target.name === "xw" || e.target.name === "kh" || e.target.name === "kw" || e.target.name === "dim") {
      var got = read_form();
      if (!got.problems.some(function (p) { return p.name; })) { editor("x-edit", got.st.x, "input"); editor("k-edit", got.st.k, "kernel"); }
    }
    update(false);
  });
  form.addEventListener("change", function (e) {
    if (e.target.name !== "preset" || !e.target.value) return;
    var st = read_form().st;
    preset(st, e.target.value);
    e.target.value = "";
    write_form(st); update(false);
  });
  form.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.pad) set_padding(b.dataset.pad);
    if (b.dataset.action === "random") {
      var st = read_form().st;
      fill_random(st, (st.seed >>> 0) + 1);
      write_form(st); update(false);
    }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  // The state from the fragment (#op=...), or from the query a card's link carries (?op=...),
  // which then moves to the fragment: one form of the URL, the one the page keeps up to date.
  function from_hash() {
    var loc = window.location, st = null;
    if (loc.hash.length > 1) st = parse_state(loc.hash);
    else if (loc.search.length > 1 && (st = parse_state(loc.search.slice(1)))) history.replaceState(null, "", loc.pathname + "#" + loc.search.slice(1));
    if (!st) st = state;
    write_form(st); update(true);
  }
  window.addEventListener("hashchange", from_hash);

  root.querySelector(".cc-ex-limits").textContent = "Limits that keep the page quick on a phone: input up to " + LIMITS.max_side + "×" + LIMITS.max_side +
    ", kernel up to " + LIMITS.max_kernel_side + "×" + LIMITS.max_kernel_side + ", stride and dilation up to " + LIMITS.max_stride + ", padding up to " +
    LIMITS.max_padding + " per side, values of magnitude up to " + LIMITS.max_abs_value + ", and a matrix C of at most " + LIMITS.max_matrix_entries + " entries.";
  document.querySelectorAll(".cc-explore-nojs").forEach(function (n) { n.hidden = true; });
  root.hidden = false;
  from_hash();
  // read-only views for tests and the bench: the state, and what a canvas matrix last drew and marks
  function matrix(id) {
    var m = mats[id];
    return m && {values: m.values, drawn: m.drawn, row: m.row, col: m.col, cells: Object.keys(m.cells).filter(function (k) { return m.cells[k] === "hl"; }),
      cell: [m.cw, CELL_H], offset: [m.ox, m.oy], text: m.text};
  }
  window.convcardsExplorer = {
    update: function (from_url) { var ok = update(from_url); flush(); return ok; }, state: function () { flush(); return state; },
    fragment: fragment, example: function () { flush(); return example(state); }, matrix: matrix
  };
})();
