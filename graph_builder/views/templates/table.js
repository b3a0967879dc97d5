// polkg table: sort the matrix by any column (its button), back to the default order with one click.
// Only moves rows that are already on the page; writes text with textContent.
(function () {
  "use strict";
  var table = document.getElementById("matrix");
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var status = document.getElementById("sort-state");
  var state = { column: -1, descending: false };

  function key(row, index) {
    var value = row.cells[index].getAttribute("data-sort") || "";
    return index === 0 ? value.toLowerCase() : parseFloat(value);
  }

  function arrange(compare) {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      return compare(a, b) || Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function label(index) {
    var el = heads[index].querySelector(".label");
    return el ? el.textContent : "";
  }

  function sortBy(index, descending) {
    arrange(function (a, b) {
      var x = key(a, index), y = key(b, index);
      if (index !== 0 && (x < 0) !== (y < 0)) { return x < 0 ? 1 : -1; }  // empty cells last, either way
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return descending ? -c : c;
    });
    heads.forEach(function (th, i) {
      th.setAttribute("aria-sort", i === index ? (descending ? "descending" : "ascending") : "none");
    });
    state.column = index;
    state.descending = descending;
    status.textContent = "Sorted by " + label(index) + (index === 0 ? (descending ? ", Z to A." : ", A to Z.") :
      (descending ? ", largest first." : ", smallest first.")) + " Empty cells last.";
  }

  function reset() {
    arrange(function () { return 0; });
    heads.forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    state.column = -1;
    status.textContent = "Rows in the default order. Sort by a column with its ⇅ button.";
  }

  heads.forEach(function (th, index) {
    var button = th.querySelector("button[data-sort]");
    if (!button) { return; }
    button.addEventListener("click", function () {
      // numbers: largest first, then the other way; names: A to Z first
      sortBy(index, state.column === index ? !state.descending : index !== 0);
    });
  });
  document.getElementById("default-order").addEventListener("click", reset);

  window.polkg = {
    ready: true,
    sort: sortBy,
    reset: reset,
    order: function () {
      return Array.prototype.map.call(body.rows, function (row) { return row.getAttribute("data-row"); });
    }
  };
  document.body.setAttribute("data-ready", "1");
})();
