/* convcards: a page opened from disk (file://) says plainly that the site must be served.
   From disk, every link opens a folder listing instead of a page and study mode cannot load its
   cards (browsers refuse to fetch data/study.json from file://), so it would claim JavaScript is
   off. A banner at the top of the page says what to do instead. Nothing happens when served. */
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  function show() {
    var main = document.querySelector("article") || document.body;
    var note = document.createElement("div");
    note.className = "admonition warning cc-file-protocol";
    note.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "This page was opened from disk";
    var text = document.createElement("p");
    text.innerHTML = // a fixed text, nothing from the page or the address
      "Opened as a file, its links open folders instead of pages and study mode cannot load the cards. " +
      "Serve the site instead: <code>make serve</code> in the repository, <code>convcards serve</code> for your own site, " +
      "or <code>python3 -m http.server -d site</code> and open http://127.0.0.1:8000/.";
    note.appendChild(title);
    note.appendChild(text);
    main.insertBefore(note, main.firstChild);
    // study mode shows its "needs JavaScript" note when it cannot load the cards: not the reason here
    var style = document.createElement("style");
    style.textContent = ".cc-study-nojs { display: none !important; }";
    document.head.appendChild(style);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
