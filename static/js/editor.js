// The sandbox editor's small helpers over htmx: a field's aria-invalid follows its error list
// after a save on change, and a save that cannot reach the server says so (the typing stays
// on the page and is saved with the next change).
(function () {
  "use strict";

  function syncInvalid(root) {
    root.querySelectorAll(".field__errors").forEach(function (errors) {
      var input = document.getElementById(errors.id.replace(/-errors$/, ""));
      if (!input) return;
      var invalid = errors.children.length > 0;
      if (invalid) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      var field = errors.closest(".field");
      if (field) field.classList.toggle("has-error", invalid);
    });
  }

  function say(text) {
    var status = document.getElementById("editor-status");
    if (!status) return;
    var line = document.createElement("p");
    line.className = "notice notice--error";
    line.textContent = "✗ " + text;
    status.replaceChildren(line);
  }

  document.addEventListener("htmx:afterSettle", function () { syncInvalid(document); });
  document.addEventListener("htmx:oobAfterSwap", function () { syncInvalid(document); });
  document.addEventListener("htmx:sendError", function () {
    say("Not saved: the server cannot be reached. What you typed is still here; it is saved with your next change, or press Save.");
  });
  // A refused save (a cap, a stale page) answers 400/409 with the editor or its status: show it.
  // A post too large to read answers 413 with a sentence (config/errors.py): say it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status === 413) {
      say(event.detail.xhr.responseText);
    } else if (status >= 500) {
      say("Not saved: the server had a problem (" + status + "). What you typed is still here; try Save again.");
    }
  });
})();
