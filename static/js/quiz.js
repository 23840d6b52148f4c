/* The lesson page's quiz. htmx posts answers and the reset and swaps the server's HTML; it
 * swaps only 2xx responses by default, so this file lets the quiz's refusals through too:
 * 400 (not one of the question's options) and 503 (the site was too busy to record it) come
 * back with the question, or the status line, saying why. Without JavaScript the same forms
 * post and the page returns with the same words. */
(function () {
  "use strict";

  var REFUSALS = [400, 503];

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (REFUSALS.indexOf(event.detail.xhr.status) >= 0 && event.detail.elt.closest(".quiz")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
