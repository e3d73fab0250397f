/* Complaint hot-spot charts (CMP-3). Data comes from the page's JSON block: CSP forbids inline scripts. */
(function () {
  "use strict";
  var node = document.getElementById("hotspot-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = window.echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }

  function bars(id, rows) {
    chart(id, {
      tooltip: { trigger: "axis" },
      legend: { data: [L.this_month, L.last_month] },
      grid: { left: 10, right: 20, top: 30, bottom: 20, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), inverse: true },
      series: [
        { name: L.this_month, type: "bar", data: rows.map(function (r) { return r[1]; }) },
        { name: L.last_month, type: "bar", data: rows.map(function (r) { return r[2]; }) }
      ]
    });
  }

  bars("chart-business-types", data.business_types);
  bars("chart-halls", data.halls);
  chart("chart-responsibility", {
    tooltip: { trigger: "item" },
    series: [{
      type: "pie", radius: ["35%", "65%"],
      data: data.responsibility.map(function (r) { return { name: r[0], value: r[1] }; })
    }]
  });
  chart("chart-keywords", {
    tooltip: { trigger: "axis" },
    grid: { left: 10, right: 20, top: 10, bottom: 20, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.keywords.slice(0, 12).map(function (k) { return k[0]; }) },
    series: [{ type: "bar", data: data.keywords.slice(0, 12).map(function (k) { return k[1]; }) }]
  });
})();
