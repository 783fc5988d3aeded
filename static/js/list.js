// The bulk bar: «выбрать все на странице» and the count of ticked rows (rows of «Показать ещё» too).
// Delegated to the document: the workspace is swapped in place by htmx when filters change.
(function () {
  function boxes() { return document.querySelectorAll("input[name=ids][form=bulk]"); }
  function update() {
    var bar = document.getElementById("bulk");
    if (!bar) { return; }
    var ticked = Array.prototype.filter.call(boxes(), function (box) { return box.checked; }).length;
    bar.querySelector("[data-bulk-count]").textContent = ticked;
    bar.querySelector("[data-bulk-all]").checked = ticked > 0 && ticked === boxes().length;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-bulk-all]")) {
      boxes().forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.matches("[data-bulk-all], input[name=ids][form=bulk]")) { update(); }
  });
  document.body.addEventListener("htmx:afterSwap", update);
})();
