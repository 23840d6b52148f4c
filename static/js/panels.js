/* The model on screen, after each websocket frame.
 *
 * The rules panel and the connection table are swapped by htmx like every region. Two marks
 * live in parts of the page the server does not swap, and follow here:
 * - the connection numbers on the flowchart's nodes (the SVG stays in the page): the
 *   connection table's data-chart-marks ("in.record:1 out.state:1") says which node shows
 *   which number;
 * - the execution sample (lesson content, not part of the scenario the player plays): the
 *   lines whose data-step is the frame's step are marked "now".
 * The server renders both marks for the step a page is opened at, so without JavaScript
 * they are right too.
 */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live) {
    return;
  }

  function showConnectionBadges() {
    var table = document.getElementById("connections-panel");
    var marks = {};
    (table ? table.dataset.chartMarks || "" : "").split(" ").filter(Boolean).forEach(function (pair) {
      var at = pair.lastIndexOf(":");
      marks[pair.slice(0, at)] = pair.slice(at + 1);
    });
    live.querySelectorAll(".conn-badge[data-badge-node]").forEach(function (badge) {
      var number = marks[badge.dataset.badgeNode];
      badge.classList.toggle("is-hidden", !number);
      badge.querySelector("text").textContent = number ? "#" + number : "";
    });
  }

  function markSampleLines() {
    var step = document.getElementById("flow-state").dataset.step;
    document.querySelectorAll(".sample__lines li[data-step]").forEach(function (line) {
      var now = line.dataset.step === step;
      line.classList.toggle("is-now", now);
      if (now) {
        line.setAttribute("aria-current", "step");
      } else {
        line.removeAttribute("aria-current");
      }
    });
  }

  live.addEventListener("htmx:wsAfterMessage", function () {
    showConnectionBadges();
    markSampleLines();
  });
})();
