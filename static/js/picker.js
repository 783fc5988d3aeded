// The body picker: a <select data-picker="URL"> of every body becomes a searchable field (a WAI-ARIA
// combobox: an input and a listbox, ↑ ↓ Enter Esc). The select stays in the form, visually hidden, and
// carries the choice, so the page works the same without this script. Suggestions come from the URL
// (appeals/workspace/agency_views.py) with ?q=<typed>&appeal=<pk of the nearest [data-appeal]>.
// Loaded again by htmx when a boosted form swaps the page: the guard keeps one set of listeners.
(function () {
  if (window.curPicker) { return; }
  window.curPicker = true;

  var MIN_LETTERS = 2;
  var DELAY_MS = 150;
  var counter = 0;

  function letters(text) { return (text.match(/[0-9A-Za-zА-Яа-яЁё]/g) || []).length; }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function enhance(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    // ids of its own: the card's «направить» and «переадресовать» forms both have an `id_agency` select
    var id = "picker-" + (++counter);
    var box = element("div", "picker");
    var input = element("input", "picker__input");
    var list = element("ul", "picker__list");
    var hint = element("div", "picker__hint");
    input.type = "text";
    input.id = id + "-search";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.placeholder = "начните вводить название органа";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("aria-describedby", id + "-hint");
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    hint.id = id + "-hint";
    hint.setAttribute("aria-live", "polite");
    var label = select.id ? (select.form || document).querySelector('label[for="' + select.id + '"]') : null;
    if (label) {
      label.htmlFor = input.id;
      list.setAttribute("aria-label", label.textContent.trim());
    }
    // the select keeps the value for the form (and for a test driving it), out of sight and of the tab order
    select.classList.add("visually-hidden");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(hint);
    box.appendChild(select);

    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function chosenText() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.textContent : "";
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.children;
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      var value = String(item.id);
      if (!Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        select.appendChild(new Option(item.short_name, value));
      }
      select.value = value;
      select.dispatchEvent(new Event("change", {bubbles: true}));
      input.value = item.short_name;
      hint.textContent = item.name + " · " + item.territory;
      close();
    }

    function show(results, more) {
      items = results;
      list.textContent = "";
      results.forEach(function (item, index) {
        var option = element("li", "picker__option");
        option.id = id + "-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.value = item.id;
        var name = element("span", "picker__name", item.short_name);
        if (item.proposed) { name.appendChild(element("span", "badge badge--info picker__proposed", "предложено")); }
        option.appendChild(name);
        option.appendChild(element("span", "picker__meta",
          [item.territory].concat(item.sectors.length ? [item.sectors.join(", ")] : []).join(" · ")));
        option.title = item.name;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(option);
      });
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        hint.textContent = more ? "Показаны первые " + results.length + " — уточните название."
                                : "Найдено: " + results.length + ".";
        highlight(0);
      } else {
        close();
        hint.textContent = "Нет органов с таким названием в вашей зоне ответственности.";
      }
    }

    function ask() {
      var typed = input.value.trim();
      if (letters(typed) < MIN_LETTERS) {
        close();
        hint.textContent = typed ? "Введите хотя бы две буквы названия органа." : "";
        return;
      }
      var params = new URLSearchParams({q: typed});
      var holder = select.closest("[data-appeal]");
      if (holder) { params.set("appeal", holder.dataset.appeal); }
      var mine = ++asked;
      fetch(select.dataset.picker + "?" + params.toString(), {
        credentials: "same-origin", headers: {"Accept": "application/json"},
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (answer) {
        if (mine !== asked) { return; }  // a later keystroke asked again: its answer counts
        if (!answer.ok) { close(); hint.textContent = answer.body.error || "Не удалось получить список органов."; return; }
        show(answer.body.results, answer.body.more);
      }).catch(function () {
        if (mine === asked) { close(); hint.textContent = "Не удалось получить список органов — выберите позже."; }
      });
    }

    input.value = chosenText();
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) { ask(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
        else if (input.value !== chosenText()) { event.preventDefault(); }  // not a choice: do not submit
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
        input.value = chosenText();
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (input.value.trim() !== chosenText()) { input.value = chosenText(); }  // only a chosen body counts
    });
    select.addEventListener("change", function () {
      if (document.activeElement !== input) { input.value = chosenText(); }
    });
  }

  function scan(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-picker]"), enhance);
  }

  scan(document);
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
