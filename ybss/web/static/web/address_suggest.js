/* As-you-type standard-address suggestions for inputs marked data-address-suggest="<api url>".
   Asks the matcher (GET <api url>?q=…) after a short pause and lists the best standard addresses
   in the user's jurisdiction with their score and the reason they match; choosing one opens it
   (data-address-open="/addresses/{id}/"). Plain DOM, no libraries, served locally. */
(function () {
  "use strict";
  function attach(input) {
    var url = input.getAttribute("data-address-suggest");
    var open = input.getAttribute("data-address-open") || "/addresses/{id}/";
    var box = document.createElement("ul");
    box.className = "suggest-list";
    box.setAttribute("role", "listbox");
    box.hidden = true;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-autocomplete", "list");
    input.parentNode.insertBefore(box, input.nextSibling);
    var timer = null, seq = 0;
    function clear() { box.innerHTML = ""; box.hidden = true; }
    function show(items) {
      clear();
      items.forEach(function (c) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = open.replace("{id}", String(c.id));
        a.textContent = c.full_name;
        var why = document.createElement("small");
        why.textContent = " " + Math.round(c.score * 100) + "% · " + c.reason;
        li.appendChild(a);
        li.appendChild(why);
        box.appendChild(li);
      });
      box.hidden = items.length === 0;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { clear(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { candidates: [] }; })
          .then(function (body) { if (mine === seq) { show(body.candidates || []); } })
          .catch(function () { clear(); });
      }, 200);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { clear(); } });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-address-suggest]"), attach);
  });
})();
