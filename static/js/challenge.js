/* The Challenge with htmx: after a prediction's region is swapped in, the keyboard focus goes to
 * the step just revealed (the form that had it is gone), as the page's #step-N anchor does
 * without JavaScript. The result itself is announced by #reveal-status, a live region. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var play = document.getElementById("challenge-play");
    var revealed = play && play.dataset.revealed;
    var step = revealed && document.getElementById("step-" + revealed);
    if (step) {
      step.focus();
    }
  });
})();
