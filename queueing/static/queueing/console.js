// Counter console: the BIZ-2.2 clock ticking between server refreshes, and keyboard shortcuts.
(function () {
  "use strict";
  function fmt(s) {
    var sign = s < 0 ? "-" : "";
    s = Math.abs(s);
    var m = Math.floor(s / 60), r = s % 60;
    return sign + m + ":" + (r < 10 ? "0" : "") + r;
  }
  var started = Date.now();
  var baseline = new WeakMap();
  function tick() {
    document.querySelectorAll(".clock[data-running='1']").forEach(function (el) {
      if (!baseline.has(el)) { baseline.set(el, { left: parseInt(el.dataset.secondsLeft, 10), at: Date.now() }); }
      var b = baseline.get(el);
      var left = b.left - Math.floor((Date.now() - b.at) / 1000);
      var limit = parseInt(el.dataset.limit, 10) * 60;
      var warn = parseFloat(el.dataset.warnShare || "0.8");
      var state = left < 0 ? "red" : (limit - left >= limit * warn ? "amber" : "ok");
      el.classList.remove("clock-ok", "clock-amber", "clock-red");
      el.classList.add("clock-" + state);
      var t = el.querySelector(".clock-time");
      if (t) { t.textContent = fmt(left); }
    });
  }
  window.setInterval(tick, 1000);
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var key = (ev.key || "").toLowerCase();
    var button = document.querySelector("#console-panel button[data-key='" + key + "']:not([disabled])");
    if (!button) { return; }
    ev.preventDefault();
    if (key === "f") { button.closest("form").scrollIntoView(); button.focus(); return; }  // finish needs a look first
    button.click();
  });
  // Keep the panel fresh (calls from other places, clock state) unless the clerk is filling in the finish form.
  window.setInterval(function () {
    var panel = document.getElementById("console-panel");
    var form = document.getElementById("finish-form");
    if (!panel || !window.htmx) { return; }
    if (form && form.contains(document.activeElement)) { return; }
    if (form && form.dataset.touched) { return; }
    var url = window.location.pathname.replace(/\/$/, "") + "/panel/";
    window.htmx.ajax("GET", url, { target: "#console-panel", swap: "outerHTML" });
  }, 15000);
  document.addEventListener("change", function (ev) {
    var form = ev.target.closest && ev.target.closest("#finish-form");
    if (form) { form.dataset.touched = "1"; }
  });
  void started;
})();
