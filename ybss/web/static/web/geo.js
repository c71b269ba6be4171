// Fills the hidden lat / lng / accuracy_m inputs of forms marked data-geo with the device's
// position, when the browser may tell it (field verification records where the officer stood).
(function () {
  "use strict";
  function fill(form, pos) {
    var c = pos.coords;
    var set = function (name, value) {
      var input = form.querySelector('input[name="' + name + '"]');
      if (input) input.value = value;
    };
    set("lat", c.latitude.toFixed(7));
    set("lng", c.longitude.toFixed(7));
    set("accuracy_m", Math.round(c.accuracy));
    var note = form.querySelector("[data-geo-status]");
    if (note) note.textContent = note.getAttribute("data-geo-ok") + " ±" + Math.round(c.accuracy) + " m";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-geo]");
    if (!forms.length || !("geolocation" in navigator)) return;
    navigator.geolocation.getCurrentPosition(
      function (pos) { forms.forEach(function (f) { fill(f, pos); }); },
      function () {},
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
