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

  // Each post carries only the rows typed in since the server last stored them: a big
  // scenario's editor has thousands of fields, and parsing them all on every save on change,
  // and again on Run, was most of the server's work. The server writes only the rows a post
  // carries (sandbox.editor.apply_form). A row stays to send until a post that carried its
  // latest typing is stored (2xx): a refused or lost post sends it again with the next one.
  var typing = new Map(); // row key -> edits so far
  function rowOf(name) { return name.slice(0, name.lastIndexOf("-")); } // "sg0-in2-from_port" -> "sg0-in2"
  function isEditorPost(detail) {
    return detail.verb === "post" && detail.elt.closest && detail.elt.closest("#editor-form, #editor-region [hx-include='#editor-form']");
  }
  function noteTyping(event) {
    var name = event.target.name;
    if (!name || name.indexOf("-") < 0 || !event.target.closest("#editor-form")) return;
    typing.set(rowOf(name), (typing.get(rowOf(name)) || 0) + 1);
  }
  // Capturing: noted before htmx's own listener on the form sends the save on change.
  document.addEventListener("input", noteTyping, true);
  document.addEventListener("change", noteTyping, true);
  // Whether the fields show a document the server has not stored: after a refused save (a
  // cap, another tab) the page keeps the learner's version until a save is stored.
  var unstored = false;
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (!isEditorPost(detail)) return;
    var runs = document.getElementById("editor-status").dataset.runs === "true";
    if (/^run(:|$)/.test(detail.formData.get("action")) && typing.size === 0 && !unstored && runs) {
      // Everything on the page is stored and runs: Run only opens the player (a post would
      // write nothing). A scenario with faults is posted: the refusal shows at the button.
      event.preventDefault();
      window.location.assign(document.getElementById("editor-form").dataset.runUrl);
      return;
    }
    var names = Array.from(new Set(Array.from(detail.formData.keys())));
    names.forEach(function (name) {
      if (name.indexOf("-") >= 0 && !typing.has(rowOf(name))) detail.formData.delete(name);
    });
    detail.sentTyping = new Map(typing);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var sent = event.detail.requestConfig && event.detail.requestConfig.sentTyping;
    var status = event.detail.xhr.status; // not detail.successful: a refusal (400, 409) is shown as a success below
    if (sent) unstored = status < 200 || status > 299;
    if (!sent || status < 200 || status > 299) return;
    sent.forEach(function (edits, row) { if (typing.get(row) === edits) typing.delete(row); });
  });
  // The page's other forms (Share, the JSON box, Import, a starting point) read or replace the
  // stored draft: one pressed while a save of the editor is on its way waits for it, so Share
  // right after typing shares what was typed.
  var saving = 0, held = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isEditorPost(event.detail.requestConfig)) saving += 1;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isEditorPost(event.detail.requestConfig)) return;
    saving -= 1;
    setTimeout(function () { // after htmx has sent the next queued save, if any
      if (saving === 0 && held) {
        var form = held.form, submitter = held.submitter;
        held = null;
        form.requestSubmit(submitter);
      }
    }, 0);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id === "editor-form" || saving === 0) return;
    event.preventDefault();
    held = {form: event.target, submitter: event.submitter};
  }, true);

  // The whole editor redrawn (a button's answer): its rows are the server's, renumbered maybe.
  // (A save on change swaps nothing, though its target is the editor too: that stays in place.)
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "editor-region" && !target.isConnected) typing.clear();
  });

  // A save on change answers with the faults there are now, not an empty list for every
  // field: it asks, before its parts are swapped in, for the faults shown to be cleared.
  document.addEventListener("faultsReplaced", function () {
    document.querySelectorAll("#editor-form .field__errors:not(:empty), #editor-form .row__errors:not(:empty)").forEach(function (list) {
      list.replaceChildren();
    });
  });

  document.addEventListener("htmx:afterSettle", function () { syncInvalid(document); });
  document.addEventListener("htmx:oobAfterSwap", function () { syncInvalid(document); });
  document.addEventListener("htmx:sendError", function () {
    say("Not saved: the server cannot be reached. What you typed is still here; it is saved with your next change, or press Save.");
  });
  // A refused save (a cap, a stale page) answers 400/409 with the editor or its status: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 500) {
      say("Not saved: the server had a problem (" + status + "). What you typed is still here; try Save again.");
    }
  });
})();
