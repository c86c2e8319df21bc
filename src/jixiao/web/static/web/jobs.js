// The progress page of a background job: poll its JSON status until it ends, then reload the page,
// which shows the download link, the import result or the error.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status");
  var state = box.getAttribute("data-state");
  if (state === "done" || state === "failed") return;
  var label = document.getElementById("job-label");
  var count = document.getElementById("job-count");
  var step = document.getElementById("job-step");
  var bar = document.getElementById("job-bar");
  var delay = 500;
  function show(s) {
    label.textContent = s.label;
    label.className = "job-badge " + s.state;
    box.setAttribute("data-state", s.state);
    count.textContent = s.total ? s.done + " / " + s.total : "";
    step.textContent = s.step || "";
    if (s.total) { bar.max = s.total; bar.value = s.done; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        show(s);
        if (s.finished) { window.location.reload(); return; }
        delay = Math.min(delay * 1.3, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
