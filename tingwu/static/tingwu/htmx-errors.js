// Every htmx page: an error a service raises appears where the user acted (issue 10 §2).
// htmx drops 4xx/5xx answers by default, so a refused action （e.g. 办结 with a mandatory material unchecked）
// changed nothing on screen. One mechanism for the whole product:
//   * a 4xx answer that is an HTML fragment (the view re-rendered its target with the error) is swapped in;
//   * any other failure (a full error page, JSON from the API, a 5xx, no network) is shown in an alert right
//     next to the element the user acted on, and the alert goes away with the next successful request there.
(function () {
  "use strict";
  var body = document.body;
  function text(name, fallback) { return (body && body.dataset[name]) || fallback; }

  function messageFrom(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var raw = xhr.responseText || "";
    if (type.indexOf("json") !== -1) {
      try {
        var data = JSON.parse(raw);
        var first = Array.isArray(data.detail) ? data.detail[0] : null;
        return data.message || (first && first.msg) || (typeof data.detail === "string" ? data.detail : "");
      } catch (e) { return ""; }
    }
    if (type.indexOf("html") !== -1 && raw) {
      var doc = new DOMParser().parseFromString(raw, "text/html");
      var el = doc.querySelector("[data-error-message], [role='alert'], .errorlist, main p, main h1");
      return el ? el.textContent.trim().replace(/\s+/g, " ") : "";
    }
    return "";
  }

  function anchorFor(elt) {
    if (!elt || !elt.isConnected) { return null; }
    return (elt.closest && elt.closest("form")) || elt;
  }

  function clearFor(elt) {
    var anchor = anchorFor(elt);
    if (anchor && anchor.nextElementSibling && anchor.nextElementSibling.classList.contains("htmx-error")) {
      anchor.nextElementSibling.remove();
    }
  }

  function show(elt, message) {
    var anchor = anchorFor(elt);
    var box;
    if (anchor && anchor.parentNode) {
      clearFor(elt);
      box = document.createElement("p");
      box.className = "htmx-error";
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    } else {
      box = document.getElementById("htmx-error-region");
    }
    if (!box) { return; }
    box.setAttribute("role", "alert");
    box.textContent = message;
    if (!box.hidden && box.scrollIntoView) { box.scrollIntoView({ block: "nearest" }); }
    box.hidden = false;
  }

  document.addEventListener("htmx:beforeSwap", function (ev) {
    var xhr = ev.detail.xhr;
    var status = xhr.status;
    if (status < 400) { clearFor(ev.detail.requestConfig && ev.detail.requestConfig.elt); return; }
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var raw = xhr.responseText || "";
    var elt = ev.detail.requestConfig && ev.detail.requestConfig.elt;
    var selects = elt && elt.closest && elt.closest("[hx-select]");  // the page picks its part out of a full page
    var fragment = status < 500 && type.indexOf("text/html") !== -1 && raw.trim() !== "" &&
      (selects || !/<html[\s>]/i.test(raw)) && xhr.getResponseHeader("HX-Error-Inline") !== "1";
    if (fragment) {  // the view re-rendered its target with the error next to the field
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
      return;
    }
    ev.detail.shouldSwap = false;
    ev.detail.isError = false;  // handled here: no console noise
    var fallback = status >= 500 ? text("msgServerError", "系统出错，请稍后重试。")
      : status === 403 ? text("msgForbidden", "没有权限执行此操作。")
      : status === 404 ? text("msgNotFound", "要操作的记录不存在或已变化，请刷新页面。")
      : text("msgRefused", "操作未完成，请检查后重试。");
    show(elt, messageFrom(xhr) || fallback);
  });

  document.addEventListener("htmx:sendError", function (ev) {
    show(ev.detail.elt, text("msgOffline", "网络连接中断，操作未提交，请稍后重试。"));
  });
})();
