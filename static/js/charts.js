/* STF Tracker: draw every chart of the page and make the league table sortable.
 * Each chart is a <div data-figure="ID"> beside a <script type="application/json" id="ID">
 * holding a Plotly figure ({data, layout}). No inline scripts: this file is the only code. */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };
  var NARROW = "(max-width: 640px)";
  var MODEBAR_ROOM = 36;  /* the toolbar (26 px) sits above the plot area, never over the bars */

  function drawCharts() {
    if (!window.Plotly) { return; }
    var containers = document.querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(containers, function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var layout = figure.layout || {};
      var narrow = window.matchMedia && window.matchMedia(NARROW).matches;
      /* On a phone the toolbar is left out (its zoom and pan fight the page's scrolling and it
         would cover the bars); elsewhere the top margin leaves it room above the plot area. */
      var config = Object.assign({}, CONFIG, { displayModeBar: !narrow });
      layout.margin = Object.assign({}, layout.margin);
      if (!narrow) { layout.margin.t = Math.max(layout.margin.t || 0, MODEBAR_ROOM); }
      if (narrow) {
        layout.margin = Object.assign({}, layout.margin, { l: 48, r: 8 });
        layout.legend = Object.assign({}, layout.legend, { font: { size: 11 } });
        var compact = layout.meta && layout.meta.compact;
        if (compact) {  /* one level of labels instead of two: "Q3 A&E" */
          (figure.data || []).forEach(function (trace, i) { trace.x = compact.x[i]; });
          layout.xaxis = Object.assign({}, layout.xaxis, {
            type: "category", tickangle: -90, tickfont: { size: 11 },
            categoryorder: "array", categoryarray: compact.categories
          });
          layout.margin.b = 110;
          layout.showlegend = false;  /* every bar is named on the axis */
        }
      }
      window.Plotly.newPlot(element, figure.data || [], layout, config).then(function () {
        element.classList.add("chart-drawn");
      });
    });
  }

  function cellValue(row, index, kind) {
    var cell = row.children[index];
    var raw = cell ? cell.getAttribute("data-value") : "";
    if (raw === null || raw === "") { return null; }
    if (kind === "money" || kind === "percent" || kind === "status" || kind === "number" || kind === "count") { return parseFloat(raw); }
    return raw.toLowerCase();
  }

  function sortTable(table, header) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.indexOf(header);
    var kind = header.getAttribute("data-kind");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (row) { return row.cells.length > 1; });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }   /* blanks last, whatever the direction */
      if (y === null) { return -1; }
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) { th.setAttribute("aria-sort", th === header ? (ascending ? "ascending" : "descending") : "none"); });
    var status = document.getElementById("league-count");
    if (status) {
      var label = header.textContent.trim();
      status.textContent = "Showing " + rows.length + " trusts, sorted by " + label + (ascending ? ", ascending." : ", descending.");
    }
  }

  function enhanceTables() {
    var tables = document.querySelectorAll("table[data-sortable]");
    Array.prototype.forEach.call(tables, function (table) {
      table.addEventListener("click", function (event) {
        var link = event.target.closest("a.sort-link");
        if (!link || !table.contains(link)) { return; }
        event.preventDefault();
        sortTable(table, link.closest("th"));
      });
    });
  }

  /* A table wider than the screen scrolls in its box: keyboard users reach it by Tab (named by
     its caption), as axe's scrollable-region-focusable asks. */
  function focusableScrollers() {
    var boxes = document.querySelectorAll(".table-wrap");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) { return; }
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
    });
  }

  function start() {
    document.documentElement.classList.add("js");
    enhanceTables();
    drawCharts();
    focusableScrollers();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
