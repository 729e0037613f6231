// Suggestions under a search box as the user types, from GET /api/v1/autocomplete (prefix
// matching: "spe" suggests Speculative Decoding). Without JavaScript the box is a plain
// search form. Keyboard: Down/Up move through the suggestions, Enter opens one, Escape closes.
(function () {
  "use strict";
  var pages = {
    engine: "/engines/",
    technique: "/techniques/",
    category: "/categories/",
    paper: "/papers/",
    feature: "/requirements?technique=",
  };

  function attach(input) {
    var list = document.getElementById(input.dataset.autocomplete);
    if (!list) return;
    var active = -1;
    var items = [];
    var pending = null;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
    }

    function show(suggestions) {
      close();
      suggestions.forEach(function (s, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.dataset.href = pages[s.kind] + encodeURIComponent(s.id);
        var name = document.createElement("span");
        name.textContent = s.name;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " " + s.kind;
        item.appendChild(name);
        item.appendChild(kind);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.href = item.dataset.href;
        });
        list.appendChild(item);
        items.push(item);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (pending) pending.abort();
      if (!text) {
        close();
        return;
      }
      pending = new AbortController();
      fetch("/api/v1/autocomplete?limit=8&q=" + encodeURIComponent(text), {
        signal: pending.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(show)
        .catch(function () {});
    });

    input.addEventListener("keydown", function (event) {
      if (!items.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].dataset.href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(attach);
})();
