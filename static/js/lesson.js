/* The lesson page's quiz: a wrong option id comes back as 400 with the question and its
 * error, which htmx would otherwise not swap in. (The player is player.js and flowchart.js.)
 */
(function () {
  "use strict";

  // A wrong quiz option id comes back as 400 with the question and its error: show it.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.elt.closest(".quiz-question")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
