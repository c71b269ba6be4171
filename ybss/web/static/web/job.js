/* The job page (templates/web/jobs/detail.html): polls the job's status URL and moves the
   progress bar; reloads the page when the job has ended, so the server shows the summary.
   No inline script and nothing from outside; without JavaScript the page refreshes itself. */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status]");
  if (!box || box.getAttribute("data-finished") === "1") {
    return;
  }
  var url = box.getAttribute("data-job-status");
  var bar = box.querySelector("progress");
  var state = box.querySelector("[data-job-state]");
  var stage = box.querySelector("[data-job-stage]");
  var count = box.querySelector("[data-job-count]");
  var every = 800;

  function show(s) {
    if (s.total) {
      bar.max = s.total;
      bar.value = Math.min(s.done, s.total);
      bar.textContent = s.percent === null ? "" : s.percent + "%";
    } else {
      bar.removeAttribute("value"); /* an indeterminate bar while the total is unknown */
    }
    if (state) { state.textContent = s.state_label; state.className = "badge badge-job-" + s.state; }
    if (stage) { stage.textContent = s.stage_label; }
    if (count) { count.textContent = s.count_label; }
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url, true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status !== 200) {
        setTimeout(poll, 5000);
        return;
      }
      var s = JSON.parse(xhr.responseText);
      show(s);
      if (s.finished) {
        bar.max = 100;
        bar.value = 100;
        window.location.reload();
      } else {
        setTimeout(poll, every);
      }
    };
    xhr.onerror = function () { setTimeout(poll, 5000); };
    xhr.send();
  }

  setTimeout(poll, every);
})();
