// Uploads with a progress bar (no inline script: the CSP allows none).
// - The card's «Файлы обращения» form (form[data-upload]) is sent by XMLHttpRequest, its bar follows the
//   upload's progress, and the panel the server answers with (refusals included) replaces the old one.
// - The answer forms (hx-boost, multipart) are sent by htmx; their bar follows htmx's xhr progress events.
// Delegated to the document, loaded once: the card's parts are swapped in place.
(function () {
  if (window.curUploadReady) { return; }
  window.curUploadReady = true;

  function bar(form) {
    var progress = form.querySelector("progress.upload__bar");
    if (!progress) {
      progress = document.createElement("progress");
      progress.className = "upload__bar";
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", "Загрузка файлов");
      var button = form.querySelector("[type=submit]");
      if (button) { button.parentNode.insertBefore(progress, button); } else { form.appendChild(progress); }
    }
    return progress;
  }

  function show(form, loaded, total) {
    var progress = bar(form);
    progress.hidden = false;
    progress.value = total ? Math.round(loaded * 100 / total) : 0;
  }

  function hasFiles(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload]") || !window.FormData) { return; }
    event.preventDefault();
    var panel = form.closest("#attachments");
    var error = form.querySelector("[data-upload-error]");
    var button = form.querySelector("[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (e) { show(form, e.loaded, e.lengthComputable ? e.total : 0); });
    xhr.addEventListener("load", function () {
      if ((xhr.status === 200 || xhr.status === 400) && panel) {
        var holder = document.createElement("template");
        holder.innerHTML = xhr.responseText.trim();
        var fresh = holder.content.querySelector("#attachments");
        if (fresh) { panel.replaceWith(fresh); return; }
      }
      if (button) { button.disabled = false; }
      if (error) { error.textContent = "Файлы не загружены: сервер ответил " + xhr.status + ". Попробуйте ещё раз."; }
    });
    xhr.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      if (error) { error.textContent = "Файлы не загружены: нет связи с сервером. Попробуйте ещё раз."; }
    });
    if (button) { button.disabled = true; }
    if (error) { error.textContent = ""; }
    show(form, 0, 0);
    xhr.send(new FormData(form));
  });

  // htmx reports both the upload's and the answer's progress as htmx:xhr:progress on the form
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form") || !hasFiles(form)) { return; }
    var detail = event.detail || {};
    show(form, detail.loaded, detail.lengthComputable ? detail.total : 0);
  });
})();
