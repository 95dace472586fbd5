// Public charts: each .chart reads its data from the <script type="application/json"> named by
// data-source. Every chart has a table with the same figures next to it, so nothing is lost
// without JavaScript or ECharts.
(function () {
  "use strict";
  if (!window.echarts) return;
  var elder = document.documentElement.classList.contains("elder");
  var font = elder ? 18 : 13;
  var PRINT_WIDTH = 680;  // CSS pixels across A4 within the print margins
  var charts = [];
  var palette = ["#0b4fa8", "#a61b1b", "#1e6b34", "#8a4b00", "#5b2a86", "#00696b"];

  function options(kind, data, el) {
    // richText: ECharts draws the tooltip in the chart's SVG. Its default HTML tooltip carries
    // style attributes, which the Content-Security-Policy (style-src 'self') refuses.
    var base = { color: palette, textStyle: { fontSize: font },
                 tooltip: { trigger: "axis", renderMode: "richText", textStyle: { fontSize: font } },
                 grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true } };
    if (kind === "line") {
      base.legend = { top: 0, textStyle: { fontSize: font } };
      base.xAxis = { type: "category", data: data.years.map(String) };
      base.yAxis = { type: "value" };
      base.series = data.series.map(function (s) {
        var line = { name: s.name, type: "line", data: s.values, connectNulls: true, symbolSize: elder ? 10 : 6 };
        if (s.dashed) {  // a roll-up of the sub-regions, beside the region's own line
          line.lineStyle = { type: "dashed" };
          line.symbol = "emptyTriangle";
        }
        return line;
      });
    } else if (kind === "bars") {
      base.legend = { top: 0, textStyle: { fontSize: font } };
      base.xAxis = { type: "category", data: data.categories, axisLabel: { interval: 0, overflow: "break", width: 90 } };
      base.yAxis = { type: "value" };
      base.series = [
        { name: el.dataset.labelTarget || "Target", type: "bar", data: data.target },
        { name: el.dataset.labelActual || "Actual", type: "bar", data: data.actual }
      ];
    } else if (kind === "ranking") {
      base.tooltip.trigger = "item";
      base.xAxis = { type: "value" };
      base.yAxis = { type: "category", data: data.categories };
      base.series = [{ type: "bar", data: data.values, label: { show: true, position: "right" } }];
    }
    return base;
  }

  document.querySelectorAll(".chart[data-source]").forEach(function (el) {
    var source = document.getElementById(el.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(options(el.dataset.kind, data, el));
    window.addEventListener("resize", function () { chart.resize(); });
    charts.push(chart);
  });

  // Print: drawn at most as wide as an A4 page's text (static/css/print.css), then as before.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) {
      chart.resize({ width: Math.min(chart.getDom().clientWidth, PRINT_WIDTH) });
    });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) { chart.resize({ width: "auto" }); });
  });
})();
