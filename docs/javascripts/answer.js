/* convcards typed answers: an answer field (or a grid of fields for a matrix), a Check button
   (Enter works too) and a verdict read out by screen readers. Plain JavaScript, nothing from
   another host.

   On a card page every practice question is followed by
     <div class="cc-answer" data-expected='{"type": "integer", "value": 3}' hidden></div>
   (written by the generator; the types are integer, fraction, shape and matrix, see
   docs/data/cards.schema.json) and then its worked answer behind a reveal. Without JavaScript
   the div stays hidden and the reveal works as before. Study mode (study.js) mounts the same
   field through window.convcardsAnswer.mount.

   Accepted spellings: -3, −3 (Unicode minus), " 3 ", 1/2, 0.5, and for a shape 2x3, 2×3,
   2 by 3, (2, 3). Anything else is refused with "that is not a number: …", never marked wrong. */
(function () {
  "use strict";

  var MINUS = /[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g;

  function gcd(a, b) {
    a = Math.abs(a); b = Math.abs(b);
    while (b) { var t = a % b; a = b; b = t; }
    return a || 1;
  }

  function clean(text) {
    return String(text == null ? "" : text).replace(MINUS, "-").replace(/\u00a0/g, " ").trim();
  }

  /* A number as an exact fraction {n, d, digits}: digits is how many decimals were typed
     (null for an integer or a fraction). Returns null when the text is not a number. */
  function parseNumber(text) {
    var t = clean(text).replace(/\s+/g, " ");
    var m = /^([+-]?)\s*(\d+)\s*\/\s*([+-]?)\s*(\d+)$/.exec(t);
    if (m) {
      var den = parseInt(m[4], 10);
      if (den === 0) return null;
      var sign = (m[1] === "-") !== (m[3] === "-") ? -1 : 1;
      return reduce(sign * parseInt(m[2], 10), den, null);
    }
    m = /^([+-]?)\s*(\d*)(?:[.,](\d+))?$/.exec(t);
    if (!m || (!m[2] && !m[3])) return null;
    var decimals = m[3] || "";
    var scale = Math.pow(10, decimals.length);
    var n = parseInt((m[2] || "0") + decimals, 10);
    return reduce((m[1] === "-" ? -1 : 1) * n, scale, decimals.length ? decimals.length : null);
  }

  function reduce(n, d, digits) {
    var g = gcd(n, d);
    return { n: n / g, d: d / g, digits: digits };
  }

  /* A shape "rows × columns": 2x3, 2×3, 2 by 3, (2, 3), [2, 3], 2 3. Null when not one. */
  function parseShape(text) {
    var t = clean(text).replace(/^[(\[]\s*/, "").replace(/\s*[)\]]$/, "");
    var parts = t.split(/\s*(?:[x×*,;]|by)\s*|\s+/i);
    if (parts.length !== 2) return null;
    var out = [];
    for (var i = 0; i < 2; i++) {
      if (!/^\d+$/.test(parts[i])) return null;
      out.push(parseInt(parts[i], 10));
    }
    return out;
  }

  function numberText(n, d) {
    var s = d === 1 ? String(Math.abs(n)) : Math.abs(n) + "/" + d;
    return (n < 0 ? "\u2212" : "") + s;
  }

  /* The right answer in words, e.g. "−3", "1/4 (0.25)", "2 × 3", "[1, 2; 3, 4]". */
  function expectedText(e) {
    if (e.type === "integer") return numberText(e.value, 1);
    if (e.type === "fraction") {
      var dec = e.numerator / e.denominator;
      var exact = Math.abs(Math.round(dec * 1e6) / 1e6 - dec) < 1e-12;
      return numberText(e.numerator, e.denominator) + " (" + (exact ? "" : "about ") + String(Math.round(dec * 1e4) / 1e4).replace("-", "\u2212") + ")";
    }
    if (e.type === "shape") return e.value[0] + " \u00d7 " + e.value[1];
    return "[" + e.value.map(function (row) {
      return row.map(function (v) { return numberText(v, 1); }).join(", ");
    }).join("; ") + "]";
  }

  function sameNumber(got, n, d) {
    if (got.n * d === n * got.d) return true;
    // a decimal rounded to the digits typed (at least two) counts for a fraction like 1/3
    if (got.digits && got.digits >= 2 && d > 1) {
      return Math.abs(got.n / got.d - n / d) <= 0.5 * Math.pow(10, -got.digits) + 1e-12;
    }
    return false;
  }

  /* Grade a reply: raw is a string, or an array of rows of strings for a matrix.
     Returns {ok: true|false} or {error: "that is not a number: …"}. */
  function check(expected, raw) {
    if (expected.type === "shape") {
      var shape = parseShape(raw);
      if (!shape) {
        var num = parseNumber(raw);
        if (clean(raw) === "") return { error: "type an answer first: rows \u00d7 columns, e.g. 2\u00d73" };
        return { error: num ? "that is one number; a shape is two, rows \u00d7 columns (e.g. 2\u00d73): " + clean(raw) : "that is not a shape (rows \u00d7 columns, e.g. 2\u00d73): " + clean(raw) };
      }
      return { ok: shape[0] === expected.value[0] && shape[1] === expected.value[1] };
    }
    if (expected.type === "matrix") {
      var ok = true;
      for (var r = 0; r < expected.value.length; r++) {
        for (var c = 0; c < expected.value[r].length; c++) {
          var cell = raw[r] && raw[r][c];
          if (clean(cell) === "") return { error: "fill in every entry: row " + (r + 1) + ", column " + (c + 1) + " is empty" };
          var v = parseNumber(cell);
          if (!v) return { error: "that is not a number: " + clean(cell) + " (row " + (r + 1) + ", column " + (c + 1) + ")" };
          if (!sameNumber(v, expected.value[r][c], 1)) ok = false;
        }
      }
      return { ok: ok };
    }
    if (clean(raw) === "") return { error: "type an answer first" };
    var got = parseNumber(raw);
    if (!got) return { error: "that is not a number: " + clean(raw) };
    if (expected.type === "integer") return { ok: sameNumber(got, expected.value, 1) };
    return { ok: sameNumber(got, expected.numerator, expected.denominator) };
  }

  var counter = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  /* Build the answer field in host. opts.label: the field's accessible name (it contains
     "answer"); opts.onResult(ok, expected): called after a graded (not a refused) reply. */
  function mount(host, expected, opts) {
    opts = opts || {};
    var id = "cc-answer-" + (++counter);
    var form = el("form", { "class": "cc-answer__form", novalidate: "" });
    var row = el("div", { "class": "cc-answer__row" });
    var fields = [];
    var label = opts.label || "Your answer";
    if (expected.type === "matrix") {
      var rows = expected.value.length, cols = expected.value[0].length;
      var fs = el("fieldset", { "class": "cc-answer__grid" });
      fs.appendChild(el("legend", {}, label + ": a " + rows + " \u00d7 " + cols + " matrix"));
      var grid = el("div", { "class": "cc-answer__cells", style: "grid-template-columns: repeat(" + cols + ", 4.2em)" });
      for (var r = 0; r < rows; r++) {
        fields.push([]);
        for (var c = 0; c < cols; c++) {
          var inp = el("input", {
            type: "text", inputmode: "text", autocomplete: "off", spellcheck: "false", autocapitalize: "off",
            "class": "cc-answer__input cc-answer__cell", "aria-label": label + ", row " + (r + 1) + ", column " + (c + 1)
          });
          fields[r].push(inp);
          grid.appendChild(inp);
        }
      }
      fs.appendChild(grid);
      row.appendChild(fs);
    } else {
      var hint = expected.type === "shape" ? " (rows \u00d7 columns)" : "";
      row.appendChild(el("label", { "for": id, "class": "cc-answer__label" }, label + hint));
      var single = el("input", {
        id: id, type: "text", inputmode: "text", autocomplete: "off", spellcheck: "false", autocapitalize: "off",
        "class": "cc-answer__input", placeholder: expected.type === "shape" ? "e.g. 2\u00d73" : "e.g. \u22123 or 1/2"
      });
      fields.push([single]);
      row.appendChild(single);
    }
    var button = el("button", { type: "submit", "class": "md-button cc-answer__check" }, "Check");
    row.appendChild(button);
    form.appendChild(row);
    var verdict = el("p", { "class": "cc-answer__verdict", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    form.appendChild(verdict);
    host.appendChild(form);
    host.hidden = false;

    function raw() {
      if (expected.type === "matrix") return fields.map(function (r) { return r.map(function (f) { return f.value; }); });
      return fields[0][0].value;
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var result = check(expected, raw());
      var right = expectedText(expected);
      verdict.removeAttribute("data-verdict");
      if (result.error) {
        verdict.setAttribute("data-verdict", "refused");
        verdict.textContent = result.error.charAt(0).toUpperCase() + result.error.slice(1) + ". Try again.";
      } else if (result.ok) {
        verdict.setAttribute("data-verdict", "correct");
        verdict.textContent = "Correct: " + right + ".";
      } else {
        verdict.setAttribute("data-verdict", "incorrect");
        verdict.textContent = "Incorrect. The answer is " + right + (opts.explained ? "; " + opts.explained : ".");
      }
      form.setAttribute("data-verdict", verdict.getAttribute("data-verdict"));
      if (!result.error && opts.onResult) opts.onResult(!!result.ok, expected);
    });
    return { form: form, fields: fields, verdict: verdict };
  }

  /* Card pages: each practice question's field; a wrong reply opens the worked answer below it. */
  function initPage() {
    var hosts = document.querySelectorAll(".cc-answer[data-expected]");
    for (var i = 0; i < hosts.length; i++) {
      var host = hosts[i];
      if (host.getAttribute("data-ready")) continue;
      var expected;
      try { expected = JSON.parse(host.getAttribute("data-expected")); } catch (e) { continue; }
      var reveal = host.nextElementSibling;
      while (reveal && reveal.tagName !== "DETAILS") reveal = reveal.nextElementSibling;
      var label = "Your answer" + (host.getAttribute("data-question") ? " to question " + host.getAttribute("data-question") : "");
      (function (details) {
        mount(host, expected, {
          label: label,
          explained: details ? "the worked answer is open below." : "",
          onResult: function (ok) {
            if (!ok && details && !details.open) {
              details.open = true;
              if (typeof window.convcardsRenderMath === "function") window.convcardsRenderMath(details);
            }
          }
        });
      })(reveal);
      host.setAttribute("data-ready", "true");
    }
  }

  window.convcardsAnswer = { parseNumber: parseNumber, parseShape: parseShape, check: check, expectedText: expectedText, mount: mount };

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(initPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initPage);
  } else {
    initPage();
  }
})();
