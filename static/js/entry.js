// Data-entry grid: live completion and growth beside each input; Enter moves down a row.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".entry-value, select[name$='-value']"));

  function number(text) {
    if (text === undefined || text === null || text === "") return null;
    var n = Number(String(text).replace(/,/g, "").trim());
    return isFinite(n) ? n : null;
  }
  function pct(x, signed) {
    var s = (x * 100).toFixed(1) + "%";
    return signed && x > 0 ? "+" + s : s;
  }
  function update(input) {
    var row = input.closest("tr");
    var value = number(input.value);
    var target = number(row.dataset.target);
    var last = number(row.dataset.lastYear);
    var comparator = row.dataset.comparator;
    var kind = row.dataset.kind;
    var completion = "—";
    if (value !== null && target !== null) {
      if (kind === "rank" || kind === "milestone") {
        var met = comparator === "lte" ? value <= target : kind === "milestone" ? value >= 1 : value === target;
        completion = met ? row.closest("table").dataset.met || "✓" : row.closest("table").dataset.notMet || "✗";
      } else if (comparator === "lte") {
        completion = value > 0 ? pct(target / value) : "—";
      } else if (target > 0) {
        completion = pct(value / target);
      }
    }
    row.querySelector(".completion").textContent = completion;
    row.querySelector(".growth").textContent =
      value !== null && last ? pct((value - last) / last, true) : "—";
  }
  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () { update(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter moves down, as in a spreadsheet; the buttons submit.
      var next = inputs[index + (event.shiftKey ? -1 : 1)];
      if (next) { next.focus(); if (next.select) next.select(); }
    });
  });
})();
