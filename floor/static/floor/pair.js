/* Pairing a calling display from a "#token=…" link (ENV-2.2).
 *
 * The token rides in the URL fragment, which browsers never send to the server, so it stays out of proxy access
 * logs, Referer headers and the server's own logs. This script reads it, removes it from the address bar, and
 * submits it in the body of the pairing form (a POST with the CSRF token); the server answers with a signed
 * HttpOnly cookie and a redirect to the display.
 * On an already-paired display (no form on the page) the link still re-pairs: we hop to the pairing page with the
 * fragment, so a re-issued token replaces the old pairing.
 */
(function () {
  "use strict";

  function pairFromFragment() {
    var match = /(?:^#|&)token=([^&]*)/.exec(window.location.hash);
    if (!match) return;
    var token = "";
    try { token = decodeURIComponent(match[1]).trim(); } catch (e) { token = ""; }
    var form = document.getElementById("pair-form");
    if (!form) {
      var hop = document.querySelector("[data-pair-url]");
      if (hop && token) window.location.replace(hop.dataset.pairUrl + "#token=" + encodeURIComponent(token));
      return;
    }
    // Drop the fragment first, so the token is not left in the address bar or the history entry.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (!token) return;
    form.elements.token.value = token;
    form.submit();
  }

  pairFromFragment();
  // The same link opened again on an open page only changes the fragment (no reload): listen for that too.
  window.addEventListener("hashchange", pairFromFragment);
})();
