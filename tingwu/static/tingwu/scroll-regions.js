// On a phone a table wider than the screen scrolls inside its own box (tingwu.css, issue 10 §3). A keyboard user
// can scroll that box only if it takes the focus (WCAG 2.1.1; axe "scrollable-region-focusable"), so a table that
// does scroll gets tabindex=0, and loses it again when the window grows and it no longer scrolls.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll("main table").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.dataset.scrollRegion = "1";
      } else if (!scrolls && table.dataset.scrollRegion) {
        table.removeAttribute("tabindex");
        delete table.dataset.scrollRegion;
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
