// Optional: sort a table by a click (or Enter) on a column header, and filter the rows of
// a table that has a filter box. The report reads fully without it (the boxes stay hidden);
// the page's Content-Security-Policy allows exactly this script.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.querySelectorAll("th");
  heads.forEach(function (th, col) {
    th.tabIndex = 0;
    th.title = "Sort by this column";
    var sort = function () {
      var body = table.tBodies[0];
      var asc = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var c = x.classList.contains("num") && y.classList.contains("num")
          ? Number(x.textContent) - Number(y.textContent)
          : x.textContent.localeCompare(y.textContent);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
});
document.querySelectorAll("table.filterable").forEach(function (table) {
  var box = table.parentNode.previousElementSibling;
  if (!box || !box.classList.contains("filter")) { return; }
  var input = box.querySelector("input");
  box.hidden = false;
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var text = r.textContent.toLowerCase();
      r.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });
});
