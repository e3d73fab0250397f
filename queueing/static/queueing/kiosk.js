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
// Idle reset (issue 10 §2): after a ticket, or when a customer walks away mid-way, the kiosk returns to its idle
// screen by itself — the reset URL clears the language and elder mode; leaving the page clears ticket and QR code.
(function () {
  "use strict";
  var root = document.querySelector("[data-idle-seconds][data-reset-url]");
  if (!root) { return; }
  var seconds = parseInt(root.dataset.idleSeconds, 10);
  if (!(seconds > 0)) { return; }
  var onTicket = root.dataset.ticketPage === "1";
  var left = seconds;
  var counter = document.querySelector("[data-countdown]");
  var touched = false;
  function reset() { window.location.replace(root.dataset.resetUrl); }
  function restart() { left = seconds; touched = true; if (counter) { counter.textContent = String(left); } }
  ["pointerdown", "keydown", "input", "change"].forEach(function (name) {
    document.addEventListener(name, restart, true);
  });
  window.setInterval(function () {
    left -= 1;
    if (counter) { counter.textContent = String(Math.max(left, 0)); }
    if (left > 0) { return; }
    // The idle screen in its default state has nothing to clear: stay (no reload loop).
    if (onTicket || touched || root.dataset.pristine !== "1") { reset(); } else { left = seconds; }
  }, 1000);
})();
// On-screen numeric keypad for phone fields (issue 10 §2, elder mode: the kiosk has no keyboard).
(function () {
  "use strict";
  document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
    var input = document.getElementById(pad.dataset.keypadFor);
    if (!input) { return; }
    pad.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-key]");
      if (!b) { return; }
      var k = b.dataset.key;
      if (k === "clear") { input.value = ""; }
      else if (k === "back") { input.value = input.value.slice(0, -1); }
      else if (input.value.length < 11) { input.value += k; }
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
})();
