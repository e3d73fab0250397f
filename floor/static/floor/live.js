// Staff screens and the kiosk follow the hall's event stream (issue 10 §2, STF-3.2 / ENV-3): when emergency mode
// or an announcement changes, every element marked ``data-floor-events="<stream url>"`` is refreshed at once
// (htmx event ``floor-changed``), instead of at its next poll — a console already open sees it within a second.
//
// Refreshes are serialized: the elements swap themselves (outerHTML), and until htmx has settled the new element
// it has no listener yet, while a trigger on the old one is answered into a detached node. A change that arrives
// during a refresh is therefore remembered and refreshed again once the swap has settled (found by a CI run under
// load: an announcement published right after emergency mode never reached the console).
(function () {
  "use strict";
  if (window.tingwuFloorLive || !window.EventSource) { return; }
  var first = document.querySelector("[data-floor-events]");
  if (!first) { return; }
  window.tingwuFloorLive = true;
  var retry = 1000;
  var waiting = 0;      // elements whose refresh has not settled yet
  var again = false;    // a change arrived meanwhile
  var guard = null;     // a refresh that never answers does not block the next ones
  function done() {
    if (waiting > 0) { waiting -= 1; }
    if (waiting === 0) {
      clearTimeout(guard);
      if (again) { again = false; refresh(); }
    }
  }
  function refresh() {
    if (!window.htmx) { return; }
    if (waiting > 0) { again = true; return; }
    var els = document.querySelectorAll("[data-floor-events]");
    waiting = els.length;
    guard = setTimeout(function () { waiting = 0; if (again) { again = false; refresh(); } }, 10000);
    els.forEach(function (el) { window.htmx.trigger(el, "floor-changed"); });
  }
  function concerned(ev) {
    var elt = ev.detail && ev.detail.elt;
    return elt && elt.hasAttribute && elt.hasAttribute("data-floor-events");
  }
  document.addEventListener("htmx:afterSettle", function (ev) { if (concerned(ev)) { done(); } });
  document.addEventListener("htmx:afterRequest", function (ev) {
    if (concerned(ev) && !(ev.detail.successful)) { done(); }  // an error swaps nothing: do not wait for it
  });
  function connect() {
    var source = new EventSource(first.dataset.floorEvents);
    source.onopen = function () { retry = 1000; };
    source.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (/^(emergency|announcement|incident|facility)\./.test(msg.kind) || msg.kind === "resync") { refresh(); }
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
