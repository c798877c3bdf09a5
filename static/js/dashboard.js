// The dashboard's charts, drawn with the vendored ECharts from the numbers the page carries in
// #dashboard-data (json_script: no inline script under the Content-Security-Policy). The same
// numbers are in the table under each chart.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var COLORS = ["#b3261e", "#1c6dd0", "#2b8a3e", "#e67700", "#6741d9", "#0b7285", "#d6336c", "#8c5a2b",
                "#868e96", "#74b816"];
  var FONT = getComputedStyle(document.body).fontFamily;
  var LEGEND_FONT = 11, LEGEND_ROW = 22;
  var lang = document.documentElement.lang || "zh-hans";
  var number = new Intl.NumberFormat(lang);
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  var measure = document.createElement("canvas").getContext("2d");
  // The bars grow in for 0.4 s, unless the reader asked their system for less motion.
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  measure.font = LEGEND_FONT + "px " + FONT;

  function formatter(money, short) {
    return function (value) {
      var text = (short ? compact : number).format(value || 0);
      return money ? "¥" + text : text;
    };
  }

  function colorOf(series, i) {
    return COLORS[(series.color === undefined ? i : series.color) % COLORS.length];
  }

  // How many rows the legend wraps to at this width (ECharts lays a plain legend out the same way:
  // a 12 px mark, 5 px to the text, 10 px between items).
  function legendRows(spec, width) {
    if (spec.series.length < 2) { return 0; }
    var rows = 1, x = 0;
    spec.series.forEach(function (s) {
      var item = 12 + 5 + measure.measureText(s.name).width + 10;
      if (x > 0 && x + item > width - 10) { rows += 1; x = 0; }
      x += item;
    });
    return rows;
  }

  function height(spec, rows) {
    var legend = rows * LEGEND_ROW;
    if (spec.horizontal) { return Math.max(150, spec.categories.length * 28 + 40 + legend); }
    return (spec.stacked ? 320 : 260) + legend;
  }

  function option(spec, width, rows) {
    var horizontal = !!spec.horizontal;
    var narrow = width < 480;
    // Outreach has a second value axis (attendees); each axis takes its series' colour.
    var valueAxes = [];
    for (var a = 0; a < (spec.axes || 1); a++) {
      var owner = spec.axes ? spec.series.filter(function (s) { return (s.axis || 0) === a; })[0] : null;
      valueAxes.push({
        type: "value", minInterval: 1, splitNumber: narrow && horizontal ? 3 : 5,
        axisLabel: { formatter: formatter(spec.money, true), color: owner ? colorOf(owner, a) : "#6c757d" },
        splitLine: { show: a === 0, lineStyle: { color: "#e9ecef" } }
      });
    }
    var slot = (width - 60) / Math.max(spec.categories.length, 1);
    var categoryAxis = {
      type: "category", data: spec.categories, inverse: horizontal,
      axisTick: { show: false }, axisLine: { lineStyle: { color: "#adb5bd" } },
      axisLabel: horizontal
        ? { interval: 0, width: narrow ? 100 : 200, overflow: "truncate", color: "#343a40" }
        : slot < 40 ? { interval: "auto", hideOverlap: true, color: "#343a40" }
          : { interval: 0, width: slot - 4, overflow: "break", color: "#343a40", lineHeight: 13 }
    };
    var axisIndex = horizontal ? "xAxisIndex" : "yAxisIndex";
    var series = spec.series.map(function (s, i) {
      var item = {
        type: "bar", name: s.name, data: s.data, barMaxWidth: horizontal ? 18 : 28,
        stack: spec.stacked ? "all" : undefined, emphasis: { focus: "series" },
        itemStyle: { color: colorOf(s, i), opacity: s.previous ? 0.4 : 1, borderRadius: spec.stacked ? 0 : 2 }
      };
      item[axisIndex] = s.axis || 0;
      return item;
    });
    return {
      animation: !still, animationDuration: 400,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
                 valueFormatter: formatter(spec.money, false) },
      legend: { show: rows > 0, top: 0, left: 0, padding: [0, 0], itemWidth: 12, itemHeight: 10,
                itemGap: 10, textStyle: { fontSize: LEGEND_FONT } },
      // ECharts leaves wrapped and truncated axis labels out of containLabel's sums: room for them.
      grid: { left: horizontal ? 28 : 4, right: horizontal ? 28 : 8, top: rows * LEGEND_ROW + 12,
              bottom: horizontal ? 4 : 18, containLabel: true },
      xAxis: horizontal ? valueAxes : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxes,
      series: series
    };
  }

  var charts = [];
  function draw(chart) {
    var width = chart.el.clientWidth, rows = legendRows(chart.spec, width);
    chart.el.style.height = height(chart.spec, rows) + "px";
    chart.echart.resize();
    chart.echart.setOption(option(chart.spec, width, rows), true);
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = data[el.getAttribute("data-chart")];
    if (!spec) { return; }
    el.style.height = height(spec, legendRows(spec, el.clientWidth)) + "px";
    var chart = { el: el, spec: spec, echart: window.echarts.init(el, null, { renderer: "canvas" }) };
    charts.push(chart);
    draw(chart);
  });
  var pending, lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) { return; }  // phones fire resize when the address bar hides
    lastWidth = window.innerWidth;
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(draw); }, 150);
  });
});
