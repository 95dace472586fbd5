// 我的任务/导出: poll the unfinished jobs on the page and update their rows in place.
(function () {
  "use strict";
  var table = document.querySelector("table.jobs[data-status-url]");
  if (!table) return;
  var url = table.getAttribute("data-status-url");

  function unfinished() {
    return Array.prototype.map.call(
      table.querySelectorAll("tr[data-job][data-finished='0']"),
      function (row) { return row.getAttribute("data-job"); }
    );
  }

  function update(job) {
    var row = table.querySelector("tr[data-job='" + job.id + "']");
    if (!row) return;
    var bar = row.querySelector("progress");
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    var state = row.querySelector(".job-state");
    if (state.textContent !== job.state_label) state.textContent = job.state_label;
    state.className = "job-state badge badge-job-" + job.state;
    var finished = job.state === "done" || job.state === "failed";
    row.querySelector(".job-step").textContent = finished ? "" : job.step;
    row.querySelector(".job-error").textContent = job.error;
    row.querySelector(".job-summary").textContent = job.summary;
    var link = row.querySelector(".job-download");
    if (job.download && job.state === "done") {
      link.href = job.download;
      link.hidden = false;
    }
    if (finished) row.setAttribute("data-finished", "1");
  }

  function poll() {
    var ids = unfinished();
    if (!ids.length) return;
    fetch(url + "?ids=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
      .then(function (data) { data.jobs.forEach(update); })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 1000);
})();
