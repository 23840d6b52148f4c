// The sandbox editor's small helpers over htmx: a save on change places its faults at their
// fields, a field's aria-invalid follows its error list, and a save that cannot reach the
// server says so (the typing stays on the page and is saved with the next change). The page's
// other forms keep in step with the editor's saves: they post the version the saves came back
// with, and the JSON box shows what was saved unless the learner is typing in it.
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
  // What each field held when a post last carried it: the change a field fires when it is left
  // after a save while typing paused is no new typing, and saves nothing again.
  var sent = new WeakMap(); // field -> its value as last posted
  function valueOf(field) { return field.type === "checkbox" ? String(field.checked) : field.value; }
  function noteTyping(event) {
    var name = event.target.name;
    if (!name || name.indexOf("-") < 0 || !event.target.closest("#editor-form")) return;
    if (event.type === "change" && !typing.has(rowOf(name)) && sent.get(event.target) === valueOf(event.target)) return;
    typing.set(rowOf(name), (typing.get(rowOf(name)) || 0) + 1);
  }
  // The post's rows typed in since the last stored save, and nothing of the others.
  function keepTypedRows(formData, form) {
    Array.from(new Set(Array.from(formData.keys()))).forEach(function (name) {
      if (name.indexOf("-") < 0) return;
      if (!typing.has(rowOf(name))) { formData.delete(name); return; }
      var field = form.elements.namedItem(name);
      if (field && field.nodeType === 1) sent.set(field, valueOf(field));
    });
  }
  // Capturing: noted before htmx's own listener on the form sends the save on change.
  document.addEventListener("input", noteTyping, true);
  // A text that shows a field's value (a group's legend names its id) follows it as it is typed.
  document.addEventListener("input", function (event) {
    var id = event.target.id;
    if (!id || !event.target.closest("#editor-form")) return;
    document.querySelectorAll('[data-shows="' + id + '"]').forEach(function (shows) {
      var value = event.target.value.trim();
      shows.textContent = value ? shows.dataset.before + value : "";
    });
  });
  document.addEventListener("change", noteTyping, true);
  // Whether the fields show a document the server has not stored: after a refused save (a
  // cap, another tab) the page keeps the learner's version until a save is stored.
  var unstored = false;
  var leftWith = ""; // the typing a save sent as the page was hidden or went (see saveBeforeLeaving)
  // The wait field as the last stored save posted it: a change of it alone is saved too, which
  // clears its refusal (it is no part of the draft, so it is not in ``typing``).
  var storedWait = (document.getElementById("f-wait") || {}).value;
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
    var wait = detail.formData.get("wait");
    if (detail.formData.get("action") === "autosave" && typing.size === 0 && !unstored && wait === storedWait) {
      // Nothing typed since the last stored save (a field left after a save while typing
      // paused): a save would cost the server a whole check of the draft for nothing.
      event.preventDefault();
      return;
    }
    keepTypedRows(detail.formData, document.getElementById("editor-form"));
    detail.sentTyping = new Map(typing);
    detail.sentWait = wait;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var sent = event.detail.requestConfig && event.detail.requestConfig.sentTyping;
    var status = event.detail.xhr.status; // not detail.successful: a refusal (400, 409) is shown as a success below
    if (sent) unstored = status < 200 || status > 299;
    if (!sent || status < 200 || status > 299) return;
    sent.forEach(function (edits, row) { if (typing.get(row) === edits) typing.delete(row); });
    storedWait = event.detail.requestConfig.sentWait;
    leftWith = ""; // the typing sent as the page was hidden is stored: what is typed next is new
  });

  // Typing not saved yet (it did not pause long enough, the field was not left) is saved when
  // the page is hidden (another tab) and when it goes (a reload, a closed tab, another
  // address). Hidden, the page lives on: the hidden save's ordinary post, whose answer moves
  // the page's version on. Going, with keepalive, so that the browser sends it though the page
  // goes; best effort: a save still on its way makes this one stale (refused). Either is sent
  // once for the same typing (a reload fires both).
  function typingNow() { return JSON.stringify(Array.from(typing)); }
  function saveBeforeLeaving(event) {
    var form = document.getElementById("editor-form");
    if (!form || typing.size === 0 || typingNow() === leftWith) return;
    leftWith = typingNow();
    if (event.type !== "pagehide") {
      htmx.trigger(form.querySelector("[hx-vals]"), "sgviz:save-now");
      return;
    }
    var data = new FormData(form);
    keepTypedRows(data, form);
    data.set("action", "autosave");
    try {
      fetch(form.getAttribute("action").split("#")[0], {method: "POST", body: data, keepalive: true, credentials: "same-origin", headers: {"HX-Request": "true"}}).catch(function () {});
      sessionStorage.setItem(LEFT_AT, editorVersion());
    } catch (error) {} // a body over keepalive's 64 KB: the typing stays unsaved, as before
  }
  // A reload races that save: the page may be drawn before it is stored. Drawn at the version
  // it was sent from, the page asks the stored version (the JSON box's address) for a moment,
  // and is drawn again once the save has moved it on.
  var LEFT_AT = "sgviz:left-at:" + window.location.pathname;
  var leftAt = sessionStorage.getItem(LEFT_AT);
  sessionStorage.removeItem(LEFT_AT);
  var jsonForm = document.getElementById("f-json");
  if (leftAt !== null && leftAt === editorVersion() && jsonForm) {
    (function ask(tries) {
      fetch(jsonForm.form.getAttribute("action"), {headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (saved) {
          if (saved && String(saved.version) !== leftAt) window.location.reload();
          else if (tries > 1) setTimeout(function () { ask(tries - 1); }, 200);
        })
        .catch(function () {});
    })(10);
  }
  window.addEventListener("pagehide", saveBeforeLeaving);
  document.addEventListener("visibilitychange", function (event) {
    if (document.visibilityState === "hidden") saveBeforeLeaving(event);
  });
  // Back from the browser's page cache after a save sent as it went: the page's version is
  // behind that save, so it is drawn again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leftWith) window.location.reload();
  });

  // The JSON box shows the saved document after each save of the editor, unless the learner
  // has typed in it: their typing is never replaced (it is theirs until they save it). It is
  // fetched when the box is on screen, or comes on screen, or its form is submitted.
  var box = document.getElementById("f-json");
  var boxTyped = false, boxBehind = false, boxOnScreen = false;
  function editorVersion() {
    var version = document.getElementById("editor-version");
    return version ? version.value : "";
  }
  function showSavedDocument() {
    // getAttribute: the form's "action" property is its button named "action"
    return fetch(box.form.getAttribute("action"), {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (saved) {
        // Only the document this page's editor shows: another tab's is not this page's to show.
        if (saved && !boxTyped && String(saved.version) === editorVersion()) {
          box.value = saved.text;
          boxBehind = false;
        }
      })
      .catch(function () {}); // the server cannot be reached: the box stays behind, fetched again later
  }
  if (box) {
    box.addEventListener("input", function () {
      if (boxTyped) return;
      boxTyped = true;
      document.getElementById("json-state").textContent = "You have changed this text. Press “Save the JSON” to make it the scenario: "
        + "it replaces the whole scenario, changes made in the editor since you began typing here included.";
    });
    new IntersectionObserver(function (entries) {
      boxOnScreen = entries[entries.length - 1].isIntersecting;
      if (boxOnScreen && boxBehind && !boxTyped) showSavedDocument();
    }).observe(box);
    document.addEventListener("htmx:afterRequest", function (event) {
      var status = event.detail.xhr.status;
      if (!box.isConnected || !isEditorPost(event.detail.requestConfig) || status < 200 || status > 299 || boxTyped) return;
      boxBehind = true;
      if (boxOnScreen) showSavedDocument();
    });
  }

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
    var form = event.target;
    if (form.id === "editor-form") return;
    if (saving > 0) {
      event.preventDefault();
      held = {form: form, submitter: event.submitter};
      return;
    }
    if (form === (box && box.form) && boxBehind && !boxTyped) {
      // Saving the box as it was before the editor's last save would undo that save: show
      // the saved document first (the save then changes nothing).
      event.preventDefault();
      showSavedDocument().then(function () {
        boxBehind = false;
        form.requestSubmit(event.submitter);
      });
      return;
    }
    // The JSON box and the import form post the version the editor's saves last came back
    // with (a save on change redraws neither form): a post after a form edit is not taken for
    // another tab's, and one after another tab's change is still refused.
    form.querySelectorAll("[data-draft-version]").forEach(function (input) { input.value = editorVersion(); });
  }, true);

  // The whole editor redrawn (a button's answer): its rows are the server's, renumbered maybe.
  // (A save on change swaps nothing, though its target is the editor too: that stays in place.)
  // The focus, which the pressed button took with it, goes where the answer says the learner
  // goes on (data-land, sandbox.editor.landing: the row added, the row after the one removed,
  // the button of the entry moved), as the address's #anchor does without JavaScript.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "editor-region" || target.isConnected) return;
    typing.clear();
    var region = document.getElementById("editor-region");
    var spot = region && region.dataset.land && document.getElementById(region.dataset.land);
    if (spot) {
      spot.focus({preventScroll: true});
      spot.scrollIntoView({block: "nearest"});
      if (spot.type === "text") spot.select(); // as Tab into it would: typing replaces what the row starts with
    }
  });

  // A save on change also answers the fields the server rewrote in rows it did not carry (a
  // renamed group's references: sandbox.editor.rewritten_fields), each written in unless the
  // learner has typed in its row since: their typing is theirs, and is posted as typed.
  function writeRewritten(answer) {
    answer.querySelectorAll("[data-for]").forEach(function (item) {
      var input = document.getElementById(item.getAttribute("data-for"));
      if (!input || !input.closest("#editor-form") || typing.has(rowOf(input.name))) return;
      if (input.type === "checkbox") input.checked = item.getAttribute("value") !== "";
      else input.value = item.getAttribute("value");
    });
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
    var id = event.detail.target.id;
    if (id !== "editor-faults" && id !== "editor-rewritten") return;
    (id === "editor-faults" ? placeFaults : writeRewritten)(event.detail.fragment);
    event.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:afterSettle", function () { syncInvalid(document); });
  // A removal's Undo is offered until the draft changes again (sandbox/undo.py): a save on
  // change, which redraws no row, takes it away once it has stored a later version.
  document.addEventListener("htmx:afterSettle", function () {
    var offer = document.querySelector("#replaced[data-offered-at]");
    if (offer && offer.dataset.offeredAt !== editorVersion()) offer.remove();
  });
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
