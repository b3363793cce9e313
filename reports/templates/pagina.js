/* What the report pages do in the browser, without a server or network (the page works without it too):
   - long tables get a search box and sortable columns; the total row stays last;
   - the previous and next period are looked up in perioden.js in the reports folder, which grip writes
     after every run, so a page drawn months ago still links to the period drawn after it;
   - a page is drawn again only when its figures change: nagekeken.js beside it says when newer data were
     found to give the same figures, and the colophon then says so. */
(function () {
  "use strict";
  function value(cell) {
    var raw = cell.getAttribute("data-raw");
    var kind = cell.getAttribute("data-kind");
    if (kind !== "text" && raw !== "" && raw !== "x" && !isNaN(Number(raw))) { return Number(raw); }
    return (cell.textContent || "").toLowerCase();
  }
  function sortable(table) {
    var body = table.tBodies[0];
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("role", "button");
      th.setAttribute("tabindex", "0");
      th.title = "Sorteer op deze kolom";
      function sort() {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr.body"));
        rows.sort(function (a, b) {
          var x = value(a.cells[col]), y = value(b.cells[col]);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
        });
        var total = body.querySelector("tr.total");
        rows.forEach(function (r) { body.insertBefore(r, total); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
    });
  }
  function searchable(table) {
    var rows = table.tBodies[0].querySelectorAll("tr.body");
    if (rows.length < 15) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "zoek";
    box.placeholder = "Zoek in deze tabel (" + rows.length + " rijen)";
    box.setAttribute("aria-label", "Zoek in deze tabel");
    box.addEventListener("input", function () {
      var q = box.value.toLowerCase();
      Array.prototype.forEach.call(rows, function (r) {
        r.hidden = q !== "" && (r.textContent || "").toLowerCase().indexOf(q) < 0;
      });
    });
    table.parentNode.insertBefore(box, table);
  }
  function periods() {
    var nav = document.querySelector("nav[data-product]");
    var all = window.GRIP_PERIODEN || {};
    if (!nav) { return; }
    var product = nav.getAttribute("data-product"), period = nav.getAttribute("data-period");
    var rest = nav.getAttribute("data-rest"), home = nav.getAttribute("data-home");
    var list = (all[product] || {})[rest] || [];
    var i = list.indexOf(period);
    if (i < 0) { return; }
    [["Vorige periode: ", i - 1, "vorige"], ["Volgende periode: ", i + 1, "volgende"]].forEach(function (p) {
      if (p[1] < 0 || p[1] >= list.length) { return; }
      var a = document.createElement("a");
      a.href = home + product + "/" + list[p[1]] + "/" + rest + "/index.html";
      a.textContent = p[0] + list[p[1]];
      a.className = p[2];
      nav.appendChild(a);
    });
  }
  function checked() {
    var footer = document.querySelector("footer[data-gegevens]");
    var seen = window.GRIP_NAGEKEKEN;
    if (!footer || !seen || !seen.gegevens || seen.gegevens === footer.getAttribute("data-gegevens")) { return; }
    var line = footer.querySelector(".nagekeken");
    line.textContent = "Nagekeken op " + seen.op + " met gegevens t/m " + seen.gegevens + ": de cijfers zijn niet veranderd.";
    line.hidden = false;
  }
  document.querySelectorAll("table[data-table]").forEach(function (t) { sortable(t); searchable(t); });
  periods();
  checked();
})();
