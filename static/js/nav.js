// On a phone: the top bar's navigation folds behind «Меню», and panels marked data-fold-narrow (the
// queue's filters) start folded. Without this script both simply stay open. CSP: no inline JS.
(function () {
  var narrow = window.matchMedia("(max-width: 720px)");

  var button = document.querySelector("[data-nav-toggle]");
  if (button) {
    var bar = button.closest(".topbar");
    bar.classList.add("topbar--foldable");
    button.hidden = false;
    var setOpen = function (open) {
      bar.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    };
    button.addEventListener("click", function () { setOpen(!bar.classList.contains("is-open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("is-open")) { setOpen(false); button.focus(); }
    });
    narrow.addEventListener("change", function () { setOpen(false); });
  }

  // Server-rendered open, so that nothing hides without JS; folded here on a narrow screen, also after
  // htmx swaps the queue in place (the filters come back open with it).
  function fold(root) {
    if (!narrow.matches) { return; }
    root.querySelectorAll("details[data-fold-narrow]").forEach(function (panel) { panel.open = false; });
  }
  fold(document);
  // afterSettle fires on the new content, which is in the page even when the old element was replaced.
  document.addEventListener("htmx:afterSettle", function () { fold(document); });
})();
