/* KPI trend charts (SUP-2): monthly bars, red below target, the target as a line. Data from the page's JSON block
   (CSP forbids inline scripts). A month with no data has no bar (never a zero). */
(function () {
  "use strict";
  var node = document.getElementById("kpi-chart-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  Object.keys(data.series).forEach(function (code) {
    var el = document.getElementById("chart-" + code);
    if (!el) { return; }
    var s = data.series[code];
    var c = window.echarts.init(el, null, { renderer: "svg" });
    var bars = s.values.map(function (v) {
      if (v === null) { return null; }
      var below = s.target !== null && v < s.target;
      return { value: v, itemStyle: { color: below ? "#b3261e" : "#3478c6" } };
    });
    c.setOption({
      title: { text: s.label, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 10, top: 30, bottom: 20, containLabel: true },
      xAxis: { type: "category", data: data.months.map(function (m) { return m.slice(2); }) },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(Math.min(v.min, s.target || 100) - 2)); }, max: 100 },
      series: [{
        type: "bar", data: bars,
        markLine: s.target === null ? undefined : { symbol: "none", data: [{ yAxis: s.target }], lineStyle: { color: "#333" } }
      }]
    });
    window.addEventListener("resize", function () { c.resize(); });
  });
})();
