// Kiosk and printable pages. No inline scripts (strict CSP).
(function () {
  "use strict";
  // A second tap while the first request is in flight must not submit again (the idempotency key is the backstop).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (form.dataset.sent) { return; }
      setTimeout(function () {
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var ticket = document.querySelector("[data-autoprint]");
  if (ticket && !navigator.webdriver) { window.setTimeout(function () { window.print(); }, 300); }
})();
