/* Rating pad: listen to the hall's floor events and redraw when this counter finishes a ticket; reveal the reason
 * chips below the top two levels; a top level submits at once (one tap); the panel returns to idle when the window
 * closes. The server decides everything (window, device, once per ticket): this only redraws.
 * While a customer is answering, nothing redraws the form under their finger (no polling, no repeat event). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("pad-config").textContent);
  var panel = document.getElementById("pad-panel");
  var timer = null;
  var source = null;
  var submitting = false;

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.requestConfig && e.detail.requestConfig.verb === "post") submitting = true;
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.requestConfig && e.detail.requestConfig.verb === "post") {
      setTimeout(function () { submitting = false; }, 1000);
    }
  });

  function refresh() { htmx.trigger(document.body, "padrefresh"); }

  function litTicket() {
    var form = panel.querySelector("[data-pad-state=lit]");
    return form ? parseInt(form.querySelector("input[name=ticket_id]").value, 10) : null;
  }

  function mine(data) {
    return data && (data.counter_id === config.counter_id || data.counter === config.counter);
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(config.events);
    source.onmessage = function (msg) {
      var body;
      try { body = JSON.parse(msg.data); } catch (e) { return; }
      if (body.kind === "resync") { if (litTicket() === null) refresh(); return; }
      if (["ticket.finished", "evaluation.answered"].indexOf(body.kind) < 0 || !mine(body.data)) return;
      if (body.kind === "evaluation.answered") {
        // Our own answer's echo (it may arrive before our response): keep the thank-you. Answered elsewhere (the
        // SMS reply came first): the pad goes back to idle.
        if (submitting || litTicket() !== body.data.ticket_id) return;
      } else if (litTicket() !== null && litTicket() === body.data.ticket_id) {
        return;
      }
      refresh();
    };
  }

  // Errors (a closed window, a second answer) are shown on the pad: let htmx swap 4xx answers into the panel.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target === panel && e.detail.xhr.status >= 400 && e.detail.xhr.status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target !== panel) return;
    if (timer) { clearTimeout(timer); timer = null; }
    var form = panel.querySelector("[data-pad-state=lit]");
    var thanks = panel.querySelector("[data-pad-state=thanks]");
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

  // Safety net for a missed event: an idle pad asks again every 15 s.
  setInterval(function () { if (litTicket() === null) refresh(); }, 15000);
  connect();
})();
