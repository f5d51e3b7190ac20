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
//
// The pages are independent of each other, so they are shared out among worker threads, one per
// core (CONVCARDS_POSTBUILD_WORKERS=N sets how many; 1 does everything in this thread): each takes
// the next page as it finishes one, the largest first. Every page's bytes depend on that page
// alone, never on which thread rewrote it or in what order.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
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

// One page rewritten in place: its counts.
export function rewritePage(site, file) {
  const html = fs.readFileSync(file, "utf8");
  let out = html, formulas = 0, deferred = 0;
  if (html.includes('class="arithmatex"')) {
    const res = prerender(html, { lazy: !PRINT_SHEET.test(path.relative(site, file)) });
    out = res.html;
    formulas = res.count;
    deferred = res.deferred;
  }
  out = trimIndentation(out);
  const changed = out !== html;
  if (changed) fs.writeFileSync(file, out);
  return { pages: changed ? 1 : 0, formulas, deferred, before: Buffer.byteLength(html), after: Buffer.byteLength(out) };
}

function workerCount(pages) {
  const asked = Number.parseInt(process.env.CONVCARDS_POSTBUILD_WORKERS ?? "", 10);
  const n = Number.isFinite(asked) && asked > 0 ? asked : os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, Math.min(n, 8, pages));
}

// Every page through `workers` threads, each handed the next page (largest first) when it is free.
function rewriteAll(site, files, workers) {
  const total = { pages: 0, formulas: 0, deferred: 0, before: 0, after: 0 };
  const add = (r) => { for (const k in total) total[k] += r[k]; };
  if (workers <= 1) {
    for (const file of files) add(rewritePage(site, file));
    return Promise.resolve(total);
  }
  const queue = files
    .map((file) => ({ file, size: fs.statSync(file).size }))
    .sort((a, b) => b.size - a.size || (a.file < b.file ? -1 : 1))
    .map((f) => f.file);
  let next = 0;
  return new Promise((resolve, reject) => {
    let running = workers;
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: null });
      const feed = () => worker.postMessage(next < queue.length ? queue[next++] : null);
      worker.on("message", (r) => { if (r) add(r); feed(); });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (code !== 0) reject(new Error(`postbuild: a worker thread exited with ${code}`));
        else if (--running === 0) resolve(total);
      });
      worker.postMessage({ site });
      feed();
    }
  });
}

async function main(argv) {
  const site = argv[0];
  if (!site || argv.length > 1) {
    console.error("usage: node generator/postbuild.mjs SITE_DIR");
    return 2;
  }
  if (!fs.existsSync(path.join(site, "index.html"))) {
    console.error(`postbuild: no built site in ${site} (no index.html): run mkdocs build first`);
    return 2;
  }
  const files = htmlFiles(site);
  const { pages, formulas, deferred, before, after } = await rewriteAll(site, files, workerCount(files.length));
  console.log(
    `postbuild: ${formulas} formulas typeset, ${deferred} behind closed reveals left to the browser; ` +
      `${pages} pages rewritten in ${site} (HTML ${Math.round(before / 1024)} KB -> ${Math.round(after / 1024)} KB)`,
  );
  return 0;
}

// A worker thread: told the site, then page after page, each answered with its counts; null ends it.
if (!isMainThread) {
  let site = null;
  parentPort.on("message", (msg) => {
    if (msg === null) parentPort.close();
    else if (typeof msg === "object") site = msg.site;
    else parentPort.postMessage(rewritePage(site, msg));
  });
}

if (isMainThread && process.argv[1]?.endsWith("postbuild.mjs")) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
