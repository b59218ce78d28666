// "Select all on this page" of a list's bulk actions: ticks or clears every row's checkbox,
// and shows itself as partly ticked when only some rows are.
(function () {
  "use strict";
  function setUp() {
    var all = document.querySelector(".js-select-all");
    if (!all) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll(".js-select-row"));
    function sync() {
      var ticked = rows.filter(function (box) { return box.checked; }).length;
      all.checked = ticked > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    rows.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
