/* Tingwu calling display (ENV-2.2): Server-Sent Events + Mandarin voice.
 *
 * Runs for a whole business day without reload: DOM lists are capped, listeners are attached once, the voice
 * history is capped, and a dead stream is replaced (never stacked).
 * Voice: every call is QUEUED and spoken after the previous one ends — a new call never cuts one off
 * (NovoSGA #78). The phrase names the counter: 「请A001号到3号窗口办理」， the number read digit by digit.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("display-config").textContent);
  var i18n = document.getElementById("fd-i18n").dataset;
  var MAX_RECENT = 6;
  var MAX_HISTORY = 50;
  var DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

  var el = {
    current: document.getElementById("fd-current"),
    recent: document.getElementById("fd-recent"),
    waiting: document.getElementById("fd-waiting"),
    ticker: document.getElementById("fd-ticker"),
    emergency: document.getElementById("fd-emergency"),
    emNotice: document.getElementById("fd-em-notice"),
    conn: document.getElementById("fd-conn"),
    sound: document.getElementById("fd-sound"),
    clock: document.getElementById("fd-clock"),
  };

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] == null ? "" : String(values[k]); });
  }

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  // --- voice -------------------------------------------------------------------------------------------------
  /* "A001" -> "A、零、零、一": letters as they are, digits one by one, so nobody hears "A one" for A001. */
  function spokenNumber(number) {
    return String(number).split("").map(function (ch) {
      return /[0-9]/.test(ch) ? DIGITS[+ch] : ch;
    }).join("、");
  }

  function phraseFor(call) {
    var text = fmt(i18n.phrase, { number: call.number, counter: call.counter });
    var speech = fmt(i18n.phrase, { number: spokenNumber(call.number), counter: call.counter });
    if (call.recall) {
      text = i18n.recall + "，" + text;
      speech = i18n.recall + "，" + speech;
    }
    return { text: text, speech: speech, recall: !!call.recall, number: call.number, counter: call.counter };
  }

  var voice = {
    pending: [],          // phrases waiting to be spoken, in order
    speaking: null,       // the phrase being spoken
    watchdog: null,
    blocked: false,       // the browser refused to speak without a user gesture
    history: [],          // every phrase queued (capped): tests and support read it
  };
  window.tingwuVoiceQueue = voice.history;
  window.tingwuVoice = voice;

  function zhVoice() {
    if (!window.speechSynthesis || !speechSynthesis.getVoices) return null;
    var voices = speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var lang = (voices[i].lang || "").replace("_", "-").toLowerCase();
      if (lang === "zh-cn" || lang === "cmn-cn" || lang === "zh-hans-cn") return voices[i];
    }
    return null;
  }

  function speakNext() {
    if (voice.speaking || voice.blocked || !voice.pending.length) return;
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { voice.pending.length = 0; return; }
    var phrase = voice.pending.shift();
    var u = new SpeechSynthesisUtterance(phrase.speech);
    u.lang = "zh-CN";
    u.rate = 0.9;
    var v = zhVoice();
    if (v) u.voice = v;
    voice.speaking = phrase;
    var done = function () {
      if (voice.speaking !== phrase) return;
      clearTimeout(voice.watchdog);
      voice.speaking = null;
      u.onend = u.onerror = null;
      setTimeout(speakNext, 400);  // a short pause between two calls
    };
    u.onend = done;
    u.onerror = function (ev) {
      if (ev && ev.error === "not-allowed") {  // autoplay policy: wait for the "enable sound" tap
        voice.blocked = true;
        voice.pending.unshift(phrase);
        voice.speaking = null;
        clearTimeout(voice.watchdog);
        el.sound.hidden = false;
        return;
      }
      done();
    };
    // Some engines never fire onend: move on after a generous delay rather than stall the queue forever.
    voice.watchdog = setTimeout(done, 20000);
    speechSynthesis.speak(u);
  }

  function enqueueVoice(call) {
    var phrase = phraseFor(call);
    voice.history.push({ text: phrase.text, speech: phrase.speech, recall: phrase.recall, at: Date.now() });
    if (voice.history.length > MAX_HISTORY) voice.history.splice(0, voice.history.length - MAX_HISTORY);
    voice.pending.push(phrase);
    if (voice.pending.length > 10) voice.pending.splice(0, voice.pending.length - 10);  // stale backlog
    speakNext();
  }

  el.sound.addEventListener("click", function () {
    voice.blocked = false;
    el.sound.hidden = true;
    // Speaking inside the tap unlocks speech for the rest of the day.
    if (!voice.pending.length && window.SpeechSynthesisUtterance) {
      var u = new SpeechSynthesisUtterance(" ");
      u.volume = 0;
      speechSynthesis.speak(u);
    }
    speakNext();
  });

  // --- rendering -----------------------------------------------------------------------------------------------
  var calls = (config.state_data && config.state_data.calls) || [];

  function renderCalls(flash) {
    var first = calls[0];
    el.current.textContent = "";
    if (first) {
      el.current.appendChild(node("span", "fd-number", first.number));
      el.current.appendChild(node("span", "fd-to", fmt(i18n.to, { counter: first.counter })));
    } else {
      el.current.appendChild(node("span", "fd-idle", i18n.idle));
    }
    if (flash) {
      el.current.classList.remove("flash");
      void el.current.offsetWidth;  // restart the animation
      el.current.classList.add("flash");
    }
    el.recent.textContent = "";
    calls.slice(1, MAX_RECENT + 1).forEach(function (c) {
      var tr = node("tr");
      tr.appendChild(node("td", null, c.number));
      tr.appendChild(node("td", null, fmt(i18n.counter, { counter: c.counter })));
      el.recent.appendChild(tr);
    });
  }

  function renderWaiting(waiting) {
    el.waiting.textContent = "";
    if (!waiting || !waiting.length) {
      el.waiting.appendChild(node("li", null, i18n.noneWaiting));
      return;
    }
    waiting.forEach(function (w) {
      var li = node("li");
      li.appendChild(node("span", "fd-prefix", w.prefix));
      li.appendChild(document.createTextNode(" " + w.label + " "));
      li.appendChild(node("strong", null, String(w.waiting)));
      el.waiting.appendChild(li);
    });
  }

  var announcements = (config.state_data && config.state_data.announcements) || [];

  function renderAnnouncements() {
    var now = Date.now() / 1000;
    var shown = announcements.filter(function (a) { return !a.ends_ts || a.ends_ts > now; });
    var signature = shown.map(function (a) { return a.id; }).join(",");
    if (el.ticker.dataset.sig === signature) return;  // do not restart the scroll for nothing
    el.ticker.dataset.sig = signature;
    el.ticker.textContent = "";
    shown.forEach(function (a) {
      var span = node("span", a.temporary ? "fd-ann fd-ann-temp" : "fd-ann");
      span.appendChild(node("strong", null, a.title));
      var text = " " + a.body;
      if (a.temporary && a.effective) text += " · " + a.effective;  // ENV-3: 标注生效时间
      if (a.channels && a.channels.length) text += " · " + i18n.consult + ":" + a.channels.join(" / ");
      span.appendChild(document.createTextNode(text));
      el.ticker.appendChild(span);
    });
  }

  function renderIncident(incident) {
    if (incident) {
      el.emNotice.textContent = incident.notice;
      el.emergency.hidden = false;
    } else {
      el.emergency.hidden = true;
    }
  }

  function applyState(state, withCalls) {
    if (withCalls) {
      calls = state.calls || [];
      renderCalls(false);
    }
    announcements = state.announcements || [];
    renderWaiting(state.waiting);
    renderAnnouncements();
    renderIncident(state.incident);
  }

  var refreshTimer = null;
  var refreshing = false;
  /* withCalls: a resync or the periodic check redraws the calls from the server; a queue change only refreshes
     counts (the calls themselves arrive as events, and redrawing them mid-flash would look jumpy). */
  function refreshState(delay, withCalls) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      if (refreshing) return;
      refreshing = true;
      fetch(config.state, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) { if (state) applyState(state, withCalls); })
        .catch(function () {})
        .then(function () { refreshing = false; });
    }, delay || 0);
  }

  // --- events -----------------------------------------------------------------------------------------------
  function onCall(data, recall) {
    var call = { number: data.number, counter: data.counter, recall: recall || !!data.recall };
    if (!call.number || call.counter == null) return;
    calls = [call].concat(calls.filter(function (c) { return c.number !== call.number; })).slice(0, MAX_RECENT + 1);
    renderCalls(true);
    enqueueVoice(call);
  }

  function handle(message) {
    var kind = message.kind;
    var data = message.data || {};
    if (kind === "ticket.called") onCall(data, false);
    else if (kind === "ticket.recalled") onCall(data, true);
    if (kind === "display.test") {  // the supervisor checks that every screen is live
      el.conn.textContent = i18n.test + " " + new Date().toLocaleTimeString();
      el.conn.classList.remove("off");
    }
    if (kind === "resync") refreshState(0, true);
    else if (kind === "announcement.changed" || kind === "emergency.changed") refreshState(0);
    else if (/^(ticket|queue|counter)\./.test(kind)) refreshState(1500);  // waiting counts, debounced
  }

  var source = null;
  var lastId = null;
  var retryDelay = 1000;

  function connect() {
    if (source) { source.onmessage = source.onerror = source.onopen = null; source.close(); }
    var url = config.events;
    if (lastId != null) url = url.replace(/last_event_id=\d*/, "last_event_id=" + lastId);
    source = new EventSource(url);
    source.onopen = function () {
      retryDelay = 1000;
      el.conn.textContent = i18n.online;
      el.conn.classList.remove("off");
    };
    source.onmessage = function (ev) {
      if (ev.lastEventId) lastId = ev.lastEventId;
      var message;
      try { message = JSON.parse(ev.data); } catch (e) { return; }
      handle(message);
    };
    source.onerror = function () {
      el.conn.textContent = i18n.offline;
      el.conn.classList.add("off");
      // The browser retries by itself (with Last-Event-ID) unless the stream was refused: then we retry.
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      }
    };
  }

  window.tingwuDisplay = { handle: handle, state: function () { return { calls: calls, announcements: announcements }; } };

  // --- clock and housekeeping -----------------------------------------------------------------------------
  function tick() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    el.clock.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  tick();
  setInterval(tick, 1000);
  setInterval(renderAnnouncements, 30000);   // an announcement leaves the ticker at its end time
  setInterval(function () { refreshState(0, true); }, 60000);  // safety net: counts, notice minutes, new windows

  if (window.speechSynthesis && speechSynthesis.getVoices) speechSynthesis.getVoices();  // load voice list early
  renderAnnouncements();
  connect();
})();
