/* Rating pad: listen to the hall's floor events and redraw when this counter finishes a ticket; reveal the reason
 * chips below the top two levels; a top level submits at once (one tap); the panel returns to idle when the window
 * closes. The server decides everything (window, device, once per ticket): this only redraws. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("pad-config").textContent);
  var timer = null;
  var source = null;

  function refresh() { htmx.trigger(document.body, "padrefresh"); }

  function mine(data) {
    return data && (data.counter_id === config.counter_id || data.counter === config.counter);
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(config.events);
    source.onmessage = function (msg) {
      var body;
      try { body = JSON.parse(msg.data); } catch (e) { return; }
      if (body.kind === "resync") { refresh(); return; }
      if (["ticket.finished", "evaluation.invited", "evaluation.answered"].indexOf(body.kind) >= 0 && mine(body.data)) {
        refresh();
      }
    };
  }

  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id !== "pad-panel") return;
    if (timer) { clearTimeout(timer); timer = null; }
    var form = e.target.querySelector("[data-pad-state=lit]");
    var thanks = e.target.querySelector("[data-pad-state=thanks]");
    if (form) {
      var left = parseInt(form.dataset.secondsLeft || "0", 10);
      timer = setTimeout(refresh, (left + 1) * 1000);
      var reasons = form.querySelector(".pad-reasons");
      form.querySelectorAll(".pad-level input").forEach(function (input) {
        input.addEventListener("change", function () {
          var top = input.closest(".pad-level").dataset.top === "1";
          reasons.hidden = top;
          if (top) form.requestSubmit();
        });
        if (input.checked) reasons.hidden = input.closest(".pad-level").dataset.top === "1";
      });
    } else if (thanks) {
      timer = setTimeout(refresh, 5000);
    }
  });
  connect();
})();
