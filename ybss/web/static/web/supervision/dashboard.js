/* Supervision dashboard charts, drawn with the vendored ECharts (static/vendor/echarts) from the
 * JSON the page embeds (#dash-charts): progress over time, main rates by unit, problems by
 * category, station ranking. Every figure is also on the page as text (tiles and tables); the
 * charts only add the picture. Text uses the page's font stack ("Noto Sans CJK SC" first), so
 * Chinese labels render with the system CJK font. Nothing is fetched. */
(function () {
  "use strict";
  var source = document.getElementById("dash-charts");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var T = data.text;
  var font = window.getComputedStyle(document.body).fontFamily;
  var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
  var COLOURS = ["#1c4a86", "#d08a00", "#2f6fb5", "#1b7a3e", "#9b2217", "#6b4c9a"];
  var charts = [];

  function make(id, option, onClick) {
    var box = document.getElementById(id);
    if (!box) return null;
    var chart = window.echarts.init(box, null, { locale: locale });
    option.color = option.color || COLOURS;
    option.textStyle = { fontFamily: font };
    option.aria = { enabled: true };
    option.animationDuration = 300;
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    box.dataset.ready = "1";
    charts.push(chart);
    return chart;
  }

  function empty(title) {
    return {
      title: { text: title, left: "center", top: "middle", textStyle: { fontSize: 14, fontWeight: "normal", color: "#4a5666" } },
      xAxis: { show: false },
      yAxis: { show: false },
      series: []
    };
  }

  function percentAxis() {
    return { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
  }

  function tooltipPercent(params) {
    var list = Array.isArray(params) ? params : [params];
    var head = list.length ? list[0].axisValueLabel || list[0].name : "";
    return [head].concat(list.map(function (p) {
      return p.marker + p.seriesName + "：" + (p.value === null || p.value === undefined ? "—" : p.value + "%");
    })).join("<br>");
  }

  function go(urls) {
    return function (p) {
      var url = urls && urls[p.dataIndex];
      if (url) window.location.href = url;
    };
  }

  var h = data.history;
  make("chart-history", h.days.length ? {
    tooltip: { trigger: "axis", formatter: tooltipPercent },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: "category", data: h.days, boundaryGap: false },
    yAxis: percentAxis(),
    series: h.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: true, showSymbol: h.days.length < 20 };
    })
  } : empty(T.empty));

  var c = data.children;
  make("chart-children", c.names.length ? {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltipPercent },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 64 },
    xAxis: { type: "category", data: c.names, axisLabel: { interval: 0, rotate: c.names.length > 6 ? 35 : 0 } },
    yAxis: percentAxis(),
    series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  } : empty(T.empty), go(c.urls));

  var p = data.problems;
  make("chart-problems", p.names.length ? {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    color: ["#9b2217", "#1b7a3e"],
    grid: { left: 8, right: 24, top: 40, bottom: 16, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: p.names, inverse: true },
    series: [
      { name: T.active, type: "bar", stack: "n", data: p.active },
      { name: T.closed, type: "bar", stack: "n", data: p.closed }
    ]
  } : empty(T.empty));

  var r = data.ranking;
  if (r.names.length) {
    make("chart-ranking", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 16, bottom: 16, containLabel: true },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: r.names, inverse: true },
      series: [{ name: T.score, type: "bar", data: r.scores, label: { show: true, position: "right" } }]
    }, go(r.urls));
  }

  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { charts.forEach(function (ch) { ch.resize(); }); }, 150);
  });
})();
