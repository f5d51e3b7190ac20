#!/usr/bin/env node
// The post-build step of `make site`: `node generator/postbuild.mjs site`, run after `mkdocs build`
// (the Makefile's `site` target and tests/conftest.py do). Not a MkDocs hook: the site stays
// portable (any builder that reads mkdocs.yml gives the same HTML, this step then finishes it).
//
// Every site/**/*.html is rewritten in place, deterministically and idempotently:
//   1. the math is typeset at build time (katex_prerender.mjs): every formula a reader sees on
//      arrival; a formula behind a closed reveal (an answer) keeps its LaTeX and is typeset by
//      katex-init.js in the browser, in idle time after the page is painted or as the reveal
//      opens. A deck's print sheet (cards/<deck>/print/) is typeset whole: it is printed.
//   2. the indentation the theme's templates leave in text between tags is dropped. A run of
//      white space renders as one space wherever it is not preserved, so the page looks the
//      same: <pre>, <textarea>, <script> and <style> are left as they are, and so is every
//      attribute value.
import fs from "node:fs";
import path from "node:path";
import { htmlFiles, prerender } from "./katex_prerender.mjs";

const KEPT = /(<(pre|textarea|script|style)\b[\s\S]*?<\/\2\s*>)/gi;

export function trimIndentation(html) {
  return html
    .split(KEPT)
    .map((part, i) => {
      // split() with two groups yields: text, whole kept element, its tag name, text, ...
      if (i % 3 !== 0) return i % 3 === 1 ? part : "";
      return part.replace(/>([^<]+)</g, (whole, text) => (text.includes("\n") ? `>${text.replace(/\n[ \t]+/g, "\n").replace(/\n{2,}/g, "\n")}<` : whole));
    })
    .join("");
}

export const PRINT_SHEET = /(^|[\\/])print(-\d+)?[\\/]index\.html$/;

function main(argv) {
  const site = argv[0];
  if (!site || argv.length > 1) {
    console.error("usage: node generator/postbuild.mjs SITE_DIR");
    return 2;
  }
  if (!fs.existsSync(path.join(site, "index.html"))) {
    console.error(`postbuild: no built site in ${site} (no index.html): run mkdocs build first`);
    return 2;
  }
  let pages = 0, formulas = 0, deferred = 0, before = 0, after = 0;
  for (const file of htmlFiles(site)) {
    const html = fs.readFileSync(file, "utf8");
    let out = html;
    if (html.includes('class="arithmatex"')) {
      const res = prerender(html, { lazy: !PRINT_SHEET.test(path.relative(site, file)) });
      out = res.html;
      formulas += res.count;
      deferred += res.deferred;
    }
    out = trimIndentation(out);
    before += Buffer.byteLength(html);
    after += Buffer.byteLength(out);
    if (out !== html) {
      fs.writeFileSync(file, out);
      pages++;
    }
  }
  console.log(
    `postbuild: ${formulas} formulas typeset, ${deferred} behind closed reveals left to the browser; ` +
      `${pages} pages rewritten in ${site} (HTML ${Math.round(before / 1024)} KB -> ${Math.round(after / 1024)} KB)`,
  );
  return 0;
}

if (process.argv[1]?.endsWith("postbuild.mjs")) {
  process.exitCode = main(process.argv.slice(2));
}
