// The answer hints (appeals:answer_hints) check an interim answer differently from a final one and count
// the files chosen for the answer; both are known only to the form around the textarea
// (appeals/workspace/widgets.py). Loaded once per answer form: the listeners are added once.
(function () {
  "use strict";
  if (window.curAnswerHints) {
    return;
  }
  window.curAnswerHints = true;

  function chosenFiles(form) {
    var count = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      count += input.files ? input.files.length : 0;
    });
    return count;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var field = event.detail.elt;
    if (!field.matches || !field.matches("[data-answer-hints]")) {
      return;
    }
    var form = field.closest("form");
    if (!form) {
      return;
    }
    event.detail.parameters.action = form.dataset.action || "";
    event.detail.parameters.files = String(chosenFiles(form));
  });

  // Choosing the photos changes the evidence hint: ask again once the text has been typed.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file]") || !window.htmx) {
      return;
    }
    var form = input.closest("form");
    var field = form && form.querySelector("[data-answer-hints]");
    if (field && field.value.trim()) {
      window.htmx.trigger(field, "answer-files");
    }
  });
})();
