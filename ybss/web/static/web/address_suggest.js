/* As-you-type standard-address suggestions for inputs marked data-address-suggest="<api url>".
   Asks the server (GET <api url>?q=…) 200 ms after the last keystroke, cancelling the request
   before and ignoring any answer that is not the latest one. Lists first the places that complete
   the text (a street, compound, community …: choosing one puts its name in the box and asks
   again), then the standard addresses in the user's jurisdiction, each with the matched part
   highlighted and the reason it is offered; choosing an address opens it
   (data-address-open="/addresses/{id}/").
   Keyboard: ↓/↑ move through the list, Enter chooses (without a choice the form is submitted
   as usual), Escape closes it. Plain DOM, no libraries, served locally; every word shown comes
   from the server, in the user's language. */
(function () {
  "use strict";
  var DELAY = 200;
  var MIN_CHARS = 2;
  var counter = 0;

  /* Append ``text`` to ``parent`` with the [start, end) code-point spans in <mark>. */
  function highlighted(parent, text, spans) {
    var chars = Array.from(text);
    var at = 0;
    (spans || []).forEach(function (span) {
      var start = Math.max(at, span[0]), end = Math.min(chars.length, span[1]);
      if (end <= start) { return; }
      if (start > at) { parent.appendChild(document.createTextNode(chars.slice(at, start).join(""))); }
      var mark = document.createElement("mark");
      mark.textContent = chars.slice(start, end).join("");
      parent.appendChild(mark);
      at = end;
    });
    if (at < chars.length) { parent.appendChild(document.createTextNode(chars.slice(at).join(""))); }
  }

  function attach(input) {
    var url = input.getAttribute("data-address-suggest");
    var open = input.getAttribute("data-address-open") || "/addresses/{id}/";
    var id = "address-suggest-" + (++counter);
    var box = document.createElement("ul");
    box.className = "suggest-list";
    box.id = id;
    box.setAttribute("role", "listbox");
    box.hidden = true;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");
    input.parentNode.insertBefore(box, input.nextSibling);
    var timer = null, seq = 0, pending = null, active = -1;

    function options() { return box.querySelectorAll("li[role=option]"); }

    function select(index) {
      var items = options();
      active = items.length ? (index + items.length) % items.length : -1;
      Array.prototype.forEach.call(items, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", items[active].id);
        if (items[active].scrollIntoView) { items[active].scrollIntoView({ block: "nearest" }); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function clear() {
      box.innerHTML = "";
      box.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function cancel() {
      clearTimeout(timer);
      seq += 1;  // any answer still on its way is now stale
      if (pending) { pending.abort(); pending = null; }
    }

    function option(n, main, note) {
      var li = document.createElement("li");
      li.id = id + "-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.appendChild(main);
      var why = document.createElement("small");
      why.textContent = note;
      li.appendChild(why);
      return li;
    }

    function show(body) {
      clear();
      var n = 0;
      (body.places || []).forEach(function (p) {
        var name = document.createElement("span");
        name.className = "suggest-main";
        highlighted(name, p.text, p.highlight);
        var li = option(n++, name, p.reason + (p.town && p.kind !== "town" ? " · " + p.town : ""));
        li.className = "suggest-place";
        li.setAttribute("data-fill", p.text);
        box.appendChild(li);
      });
      (body.candidates || []).forEach(function (c) {
        var a = document.createElement("a");
        a.href = open.replace("{id}", String(c.id));
        a.tabIndex = -1;
        highlighted(a, c.full_name, c.highlight);
        var note = (c.kind === "match" || c.kind === undefined ? Math.round(c.score * 100) + "% · " : "") + c.reason;
        box.appendChild(option(n++, a, note));
      });
      box.hidden = n === 0;
      input.setAttribute("aria-expanded", n ? "true" : "false");
    }

    function ask(q) {
      cancel();
      var mine = seq;
      pending = typeof AbortController === "function" ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined
      })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (body) { if (mine === seq) { pending = null; show(body); } })
        .catch(function () { if (mine === seq) { pending = null; clear(); } });
    }

    function choose(li) {
      var fill = li.getAttribute("data-fill");
      if (fill !== null) {
        input.value = fill;
        input.focus();
        ask(fill);
        return;
      }
      var a = li.querySelector("a");
      if (a) { window.location.assign(a.href); }
    }

    input.addEventListener("input", function () {
      cancel();
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { clear(); return; }
      timer = setTimeout(function () { ask(q); }, DELAY);
    });

    input.addEventListener("keydown", function (e) {
      var items = options();
      if (e.key === "ArrowDown" || e.key === "Down") {
        if (box.hidden && items.length) { box.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (items.length) { e.preventDefault(); select(active + 1); }
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        if (items.length) { e.preventDefault(); select(active < 0 ? items.length - 1 : active - 1); }
      } else if (e.key === "Enter") {
        if (!box.hidden && active >= 0 && items[active]) {
          e.preventDefault();
          choose(items[active]);
        } else {
          cancel();
          clear();
        }
      } else if (e.key === "Escape" || e.key === "Esc") {
        if (!box.hidden) { e.preventDefault(); }
        cancel();
        clear();
      }
    });

    // Keep the focus in the box while a suggestion is tapped or clicked.
    box.addEventListener("mousedown", function (e) { e.preventDefault(); });
    box.addEventListener("click", function (e) {
      var li = e.target.closest ? e.target.closest("li[role=option]") : null;
      if (li && li.hasAttribute("data-fill")) {
        e.preventDefault();
        choose(li);
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== input) { clear(); } }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-address-suggest]"), attach);
  });
})();
