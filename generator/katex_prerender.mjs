// The math of a built page typeset at build time by KaTeX in Node: a module of generator/postbuild.mjs,
// the post-build step of `make site` (and of tests/conftest.py's build).
//
// prerender(html) rewrites the content of each element that pymdownx.arithmatex produced,
// <span class="arithmatex">\( ... \)</span> or <div class="arithmatex">\[ ... \]</div>, into
// katex.renderToString(tex, {displayMode, throwOnError: false, output: "htmlAndMathml"})
// -- the very call docs/javascripts/katex-init.js makes in the browser -- and gives the element
// data-katex="done", which katex-init.js skips. So a page shows those formulas without running
// any script; katex-init.js renders whatever is not done (formulas behind closed reveals with
// {lazy: true}, mkdocs serve, study mode's dynamic content). The output depends only on the input
// and the pinned KaTeX: running it twice changes nothing (rendered elements are marked and skipped).
//
// The generated Markdown is untouched: the LaTeX stays readable in docs/.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// the pinned npm package (package.json, node_modules); `convcards build` names the site's own copy
const katex = require(process.env.CONVCARDS_KATEX || "katex");

// An arithmatex element not yet rendered: its tag, its attributes and its text (HTML-escaped TeX).
const ELEMENT = /<(span|div)(\s[^>]*?\bclass="arithmatex"[^>]*)>([\s\S]*?)<\/\1>/g;

const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return Object.prototype.hasOwnProperty.call(NAMED, name) ? NAMED[name] : whole;
  });
}

// As katex-init.js's strip(): trim, then drop the \( \) or \[ \] delimiters.
function strip(tex) {
  tex = tex.trim();
  if ((tex.startsWith("\\(") && tex.endsWith("\\)")) || (tex.startsWith("\\[") && tex.endsWith("\\]"))) {
    return tex.slice(2, -2);
  }
  return tex;
}

// Where each closed <details> (no `open` attribute) starts and ends: [start, end] offsets, nested ones
// too. An arithmatex element between start and end of one is behind a reveal.
const DETAILS_TAG = /<details\b([^>]*)>|<\/details>/g;

function closedRanges(html) {
  const ranges = [], stack = [];
  for (const m of html.matchAll(DETAILS_TAG)) {
    if (m[0][1] !== "/") stack.push({ start: m.index, open: /(^|\s)open(\s|=|$)/.test(m[1]) });
    else if (stack.length) {
      const d = stack.pop();
      if (!d.open) ranges.push([d.start, m.index]);
    }
  }
  return ranges;
}

// KaTeX's markup of each formula, by display mode and TeX, for the whole run (the options are
// fixed): a course repeats its formulas, every card's on its deck's print sheet (at 290 synthetic
// cards, 18,005 formulas typeset are 3,044 different ones). renderToString is a pure function of
// its arguments, so a remembered result is the very string it would return again.
const typesetMemo = new Map();
const MEMO_BYTES = 128 * 1024 * 1024;
let memoBytes = 0;

const flat = (s) => Buffer.from(s, "utf8").toString("utf8");

export function typeset(tex, displayMode) {
  const key = (displayMode ? "D" : "I") + tex;
  let out = typesetMemo.get(key);
  if (out === undefined) {
    out = katex.renderToString(tex, { displayMode, throwOnError: false, output: "htmlAndMathml" });
    // copies of the key and the markup, flat: a slice of a page (the TeX is one) keeps the whole
    // page alive for as long as it is remembered. Up to MEMO_BYTES of markup in all (a thread), so
    // that memory stays bounded however large the course: past it, formulas are typeset each time.
    if (memoBytes + out.length <= MEMO_BYTES) {
      memoBytes += out.length;
      typesetMemo.set(flat(key), (out = flat(out)));
    }
  }
  return out;
}

// Render every arithmatex element of a page. With {lazy: true}, an element inside a closed
// <details> (an answer behind its reveal) keeps its LaTeX: katex-init.js typesets it in the
// browser, in idle time after the page is painted or as the reveal opens, so the page carries
// KaTeX's heavy markup only for the math a reader sees on arrival.
export function prerender(html, { lazy = false } = {}) {
  let count = 0, deferred = 0;
  const closed = lazy ? closedRanges(html) : [];
  const out = html.replace(ELEMENT, (whole, tag, attrs, inner, offset) => {
    if (/\bdata-katex=/.test(attrs) || inner.includes("<")) return whole; // done already, or not plain TeX
    if (closed.some(([a, b]) => a < offset && offset < b)) { deferred++; return whole; }
    const rendered = typeset(strip(unescapeHtml(inner)), tag === "div");
    count++;
    return `<${tag}${attrs} data-katex="done">${rendered}</${tag}>`;
  });
  return { html: deferred ? noscriptNotes(out) : out, count, deferred };
}

// Without JavaScript a reveal's LaTeX is never typeset: say so at the top of each outermost closed
// reveal that holds some (a <noscript>, so readers with JavaScript never see it).
const NOSCRIPT_NOTE =
  '<noscript><p class="cc-noscript">This answer\'s math is typeset by JavaScript, which is off: ' +
  "you see its LaTeX source.</p></noscript>";

function noscriptNotes(html) {
  const ranges = closedRanges(html);
  const outer = ranges.filter(([a, b]) => !ranges.some(([c, d]) => c < a && b < d));
  let out = "", pos = 0;
  for (const [a, b] of outer.sort((x, y) => x[0] - y[0])) {
    const body = html.slice(a, b);
    const summaryEnd = body.indexOf("</summary>");
    const pending = [...body.matchAll(ELEMENT)].some((m) => !/\bdata-katex=/.test(m[2]));
    if (summaryEnd < 0 || !pending || body.includes('class="cc-noscript"')) continue;
    const at = a + summaryEnd + "</summary>".length;
    out += html.slice(pos, at) + NOSCRIPT_NOTE;
    pos = at;
  }
  return out + html.slice(pos);
}

export function htmlFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...htmlFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".html")) out.push(full);
  }
  return out;
}
