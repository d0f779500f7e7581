"""The page's stylesheet and script, inlined so the report works with no network."""

from __future__ import annotations

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9dee4; --soft:#f4f6f8; --accent:#3d5a80;
  --ok:#2f7d6d; --warn:#d98a00; --bad:#c0392b; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; line-height:1.45;
  font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif; }
header.page { background:#1f3a5a; color:#fff; padding:22px 32px 18px; }
header.page h1 { margin:0 0 4px; font-size:26px; font-weight:650; }
header.page p { margin:0; color:#d6e2ee; }
nav.toc { position:sticky; top:0; z-index:5; background:#fff; border-bottom:1px solid var(--line);
  padding:8px 32px; display:flex; flex-wrap:wrap; gap:6px 18px; font-size:14px; }
nav.toc a { color:var(--accent); text-decoration:none; font-weight:550; }
nav.toc a:hover { text-decoration:underline; }
main { max-width:1180px; margin:0 auto; padding:8px 32px 40px; }
section { margin-top:30px; }
h2 { font-size:21px; margin:0 0 10px; padding-bottom:6px; border-bottom:2px solid var(--accent); }
h3 { font-size:17px; margin:22px 0 8px; }
p.note, .muted { color:var(--muted); font-size:14px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(170px,1fr)); gap:12px; }
.card { border:1px solid var(--line); border-radius:8px; padding:12px 14px;
  background:var(--soft); }
.card .value { font-size:28px; font-weight:700; line-height:1.15; }
.card .label { font-size:13px; color:var(--muted); }
.card .sub { font-size:13px; color:var(--muted); margin-top:2px; }
.card.good { border-left:5px solid var(--ok); }
.card.warn { border-left:5px solid var(--warn); }
.card.bad { border-left:5px solid var(--bad); }
.warnings { border:1px solid #f0c36d; background:#fff8e6; border-radius:8px;
  padding:10px 14px 10px 34px; margin:14px 0 0; }
.warnings li { margin:2px 0; }
.two { display:grid; grid-template-columns:minmax(0,1fr) minmax(0,1fr); gap:24px;
  align-items:start; }
@media (max-width:900px) { .two { grid-template-columns:1fr; } }
.chart-wrap { overflow-x:auto; }
svg.chart { max-width:100%; height:auto; display:block; }
svg.legend { display:block; max-width:100%; height:auto; margin:4px 0; }
svg .worker-bar { cursor:pointer; }
svg .worker-bar:hover rect:first-child, svg .worker-bar:focus rect:first-child,
svg .column:hover rect:first-child { fill:#eef2f6; }
svg .worker-bar:focus { outline:none; }
.table-wrap { overflow:auto; max-height:560px; border:1px solid var(--line); border-radius:6px; }
table { border-collapse:collapse; width:100%; font-size:13.5px; }
th, td { padding:5px 9px; text-align:left; vertical-align:top;
  border-bottom:1px solid var(--line); }
thead th { position:sticky; top:0; background:#e9edf2; font-weight:650; z-index:1;
  vertical-align:bottom; }
table.sortable thead th { cursor:pointer; user-select:none; }
table.sortable thead th::after { content:"\\00a0\\2195"; color:#9aa5b1; font-size:11px; }
table.sortable thead th[aria-sort=ascending]::after { content:"\\00a0\\25B2"; color:var(--ink); }
table.sortable thead th[aria-sort=descending]::after { content:"\\00a0\\25BC"; color:var(--ink); }
tbody tr:nth-child(even) { background:#fafbfc; }
tbody tr:hover { background:#eef4fa; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
th.num { text-align:right; }
td.empty { color:var(--muted); font-style:italic; }
.pill { display:inline-block; padding:0 7px; border-radius:9px; font-size:12px; background:#e6ebf1;
  white-space:nowrap; }
.pill.bad { background:#f8d7d3; color:#7d1f15; }
.pill.warn { background:#fdebc8; color:#6b4500; }
.pill.ok { background:#d4ede7; color:#17473d; }
.filters { display:flex; flex-wrap:wrap; gap:8px 14px; align-items:center; margin:6px 0 8px; }
.filters input, .filters select { font:inherit; font-size:14px; padding:4px 8px;
  border:1px solid #aab4bf; border-radius:5px; }
.filters input { min-width:260px; }
.filters .count { color:var(--muted); font-size:13px; }
details summary { cursor:pointer; color:var(--accent); white-space:nowrap; }
details ul { margin:4px 0 2px; padding-left:16px; font-size:12.5px; min-width:190px; }
details li { white-space:nowrap; }
code.digest { word-break:break-all; font-size:13px; }
footer { margin-top:36px; color:var(--muted); font-size:13px; border-top:1px solid var(--line);
  padding-top:10px; }
@media print {
  @page { size:A4; margin:14mm 12mm; }
  body { font-size:11pt; }
  header.page { background:none; color:#000; padding:0 0 6px; border-bottom:2px solid #000; }
  header.page p { color:#333; }
  nav.toc, .filters, .no-print, th.extra, td.extra { display:none !important; }
  table { font-size:8.5pt; }
  th, td { padding:3px 5px; }
  main { max-width:none; padding:0; }
  section { break-inside:auto; }
  h2, h3 { break-after:avoid; }
  svg, .card, .cards, tr { break-inside:avoid; }
  .table-wrap { max-height:none; overflow:visible; border:none; }
  thead th { position:static; }
  thead { display:table-header-group; }
  .card { background:none; }
  a { color:inherit; text-decoration:none; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function key(row, i, type) {
    var cell = row.cells[i];
    if (!cell) { return type === "num" ? -Infinity : ""; }
    var v = cell.getAttribute("data-v");
    if (v === null) { v = cell.textContent; }
    if (type === "num") { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.trim().toLowerCase();
  }
  function makeSortable(table) {
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, i) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        each(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", dir);
        var type = th.getAttribute("data-type") || "text";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a, i, type), y = key(b, i, type);
          var r = x < y ? -1 : (x > y ? 1 : 0);
          return dir === "ascending" ? r : -r;
        });
        each(rows, function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }
  function applyFilters(tableId) {
    var table = document.getElementById(tableId);
    if (!table) { return; }
    var controls = document.querySelectorAll('[data-filter-for="' + tableId + '"]');
    var rows = table.tBodies[0].rows, shown = 0;
    each(rows, function (row) {
      var ok = true;
      each(controls, function (c) {
        var q = c.value.trim().toLowerCase();
        if (!q || !ok) { return; }
        var col = c.getAttribute("data-column");
        var cell = col === null ? row : row.cells[parseInt(col, 10)];
        var hay = cell ? cell.textContent.trim().toLowerCase() : "";
        ok = c.tagName === "SELECT" ? hay === q : hay.indexOf(q) >= 0;
      });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var counter = document.querySelector('[data-count-for="' + tableId + '"]');
    if (counter) { counter.textContent = shown + " of " + rows.length + " shown"; }
  }
  each(document.querySelectorAll("table.sortable"), makeSortable);
  each(document.querySelectorAll("[data-filter-for]"), function (c) {
    var id = c.getAttribute("data-filter-for");
    c.addEventListener("input", function () { applyFilters(id); });
    c.addEventListener("change", function () { applyFilters(id); });
    applyFilters(id);
  });
  each(document.querySelectorAll(".worker-bar"), function (g) {
    function open() {
      var d = document.getElementById(g.getAttribute("data-target"));
      if (!d) { return; }
      d.open = true;
      d.scrollIntoView({ block: "center" });
    }
    g.addEventListener("click", open);
    g.addEventListener("keydown", function (e) { if (e.key === "Enter") { open(); } });
  });
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = [];
    each(document.querySelectorAll("details:not([open])"), function (d) {
      closed.push(d); d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    each(closed, function (d) { d.open = false; });
  });
})();
"""
