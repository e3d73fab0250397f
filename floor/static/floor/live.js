// Staff screens and the kiosk follow the hall's event stream (issue 10 §2, STF-3.2 / ENV-3): when emergency mode
// or an announcement changes, every element marked ``data-floor-events="<stream url>"`` is refreshed at once
// (htmx event ``floor-changed``), instead of at its next poll — a console already open sees it within a second.
(function () {
  "use strict";
  if (window.tingwuFloorLive || !window.EventSource) { return; }
  var first = document.querySelector("[data-floor-events]");
  if (!first) { return; }
  window.tingwuFloorLive = true;
  var retry = 1000;
  function refresh() {
    document.querySelectorAll("[data-floor-events]").forEach(function (el) {
      if (window.htmx) { window.htmx.trigger(el, "floor-changed"); }
    });
  }
  function connect() {
    var source = new EventSource(first.dataset.floorEvents);
    source.onopen = function () { retry = 1000; };
    source.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (/^(emergency|announcement)\./.test(msg.kind) || msg.kind === "resync") { refresh(); }
    };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {  // refused (e.g. signed out): try again later
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 60000);
      }
    };
  }
  connect();
})();
