// The sandbox editor's small helpers over htmx: a save on change places its faults at their
// fields, a field's aria-invalid follows its error list, and a save that cannot reach the
// server says so (the typing stays on the page and is saved with the next change).
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

  // A save on change answers every fault in one element, #editor-faults, each list naming the
  // error list it belongs in (sandbox/templatetags/editor_rows.py): each is placed there, and
  // every other error list emptied, in one pass. (An out-of-band swap per error list made htmx
  // fire events in a number quadratic in theirs, each syncing every field: 38 s in Chromium for
  // an 80-rule draft's save on change.)
  function placeFaults(answer) {
    var lists = {};
    answer.querySelectorAll("[data-for]").forEach(function (list) { lists[list.getAttribute("data-for")] = list; });
    document.querySelectorAll("#editor-form .field__errors, #editor-form .row__errors").forEach(function (errors) {
      var list = lists[errors.id];
      errors.replaceChildren.apply(errors, list ? Array.prototype.slice.call(list.childNodes) : []);
    });
    syncInvalid(document);
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target.id !== "editor-faults") return;
    placeFaults(event.detail.fragment);
    event.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:afterSettle", function () { syncInvalid(document); });
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
