/* convcards print: open every answer reveal while printing, and close again those that were
   closed (browsers without ::details-content print closed details as their summary only). */
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll("details:not([open])");
    for (var i = 0; i < all.length; i++) { all[i].setAttribute("open", ""); opened.push(all[i]); }
  });
  window.addEventListener("afterprint", function () {
    while (opened.length) opened.pop().removeAttribute("open");
  });
})();
