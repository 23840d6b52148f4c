/* The live player's controls and its websocket.
 *
 * The server owns the state: every button, key and link sends a small JSON action over the
 * websocket (htmx-ext-ws), and the server answers with HTML fragments that htmx swaps by id.
 * After each message this file shows the state #flow-state carries: the controls, the
 * current row and tracker column, the step in the address. flowchart.js animates the chart.
 * Without JavaScript the player's buttons are plain forms that load ?step=k.
 * The server's limits come from #live's data-* attributes (player.machine.client_constants).
 */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live || !window.htmx) {
    return; // no live player: the page keeps working as plain links and forms
  }
  document.documentElement.classList.add("js");
  var player = document.getElementById("player");
  var caption = document.getElementById("caption");
  var scrubber = document.getElementById("player-scrubber");
  var speedSelect = document.getElementById("player-speed");
  var playButton = document.getElementById("player-play");
  var connection = document.getElementById("player-connection");
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var RECONNECTING_CODES = [1006, 1011, 1012, 1013]; // the codes htmx-ext-ws retries after
  var KEYS = { ArrowLeft: "back", ArrowRight: "step", " ": "toggle", Home: "reset", End: "last" };
  // Presenter remotes send PageUp/PageDown: in the projector view they work anywhere on the page.
  var PROJECTOR_KEYS = Object.assign({ PageUp: "back", PageDown: "step" }, KEYS);
  // A held key sends at most this often: half the server's rate limit.
  var REPEAT_MS = 2000 / Number(live.dataset.messagesPerSecond);
  var IN_VIEW_MARGIN = 8; // px between the lit node and the sticky caption or player

  var socket = null;
  var shown = readState();
  var lastSent = 0;

  var heard = false; // whether the server has sent a state yet

  // The ws extension reconnects to the address it first read; once the live player has
  // shown a step, put it in that address so that a dropped connection resumes there. (The
  // first connection keeps the page's own: a page opened without ?step starts at step 0.)
  // "held" tells the server which rows are here already, so it sends only the missing ones.
  var createWebSocket = htmx.createWebSocket;
  htmx.createWebSocket = function (url) {
    var address = new URL(url);
    if (heard) {
      address.searchParams.set("step", String(shown.step));
    }
    address.searchParams.set("held", String(live.querySelectorAll("#exec-steps > tbody.step-row").length));
    return createWebSocket(address.href);
  };

  function readState() {
    var data = document.getElementById("flow-state").dataset;
    return {
      step: Number(data.step),
      total: Number(data.total),
      verdictNode: data.verdictNode,
      playing: data.playing === "true",
      speed: Number(data.speed) || 1
    };
  }

  // Sending ---------------------------------------------------------------------------------

  function send(message) {
    if (!socket) {
      return false; // offline: let the plain link or form do its work
    }
    socket.send(JSON.stringify(message));
    lastSent = Date.now();
    return true;
  }

  player.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button && send({ action: button.dataset.action })) {
      event.preventDefault();
    }
  });

  // A focused control keeps the keys it handles itself: Space and Enter press a button, the
  // scrubber and the speed list move with the arrows. The player's shortcuts act otherwise.
  function controlHandles(target, key) {
    var tag = target.tagName;
    if (tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA") {
      return true;
    }
    return (tag === "BUTTON" || tag === "A" || tag === "SUMMARY") && (key === " " || key === "Enter");
  }

  function onKey(keys) {
    return function (event) {
      var action = keys[event.key];
      if (!action || event.altKey || event.ctrlKey || event.metaKey || controlHandles(event.target, event.key)) {
        return;
      }
      event.preventDefault();
      if (event.repeat && Date.now() - lastSent < REPEAT_MS) {
        return;
      }
      send({ action: action });
    };
  }

  if (document.body.classList.contains("is-projector")) {
    document.addEventListener("keydown", onKey(PROJECTOR_KEYS));
  } else {
    player.addEventListener("keydown", onKey(KEYS));
  }

  function gotoScrubbed() {
    return send({ action: "goto", step: Number(scrubber.value) });
  }
  scrubber.addEventListener("input", function () {
    if (Date.now() - lastSent >= REPEAT_MS) {
      gotoScrubbed();
    }
  });
  scrubber.addEventListener("change", gotoScrubbed);
  scrubber.form.addEventListener("submit", function (event) {
    if (gotoScrubbed()) {
      event.preventDefault();
    }
  });

  speedSelect.addEventListener("change", function () {
    send({ action: "speed", speed: Number(speedSelect.value) });
  });

  // Key moments and quiz feedback link to a step: move the player there and show it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-goto]");
    if (link && send({ action: "goto", step: Number(link.dataset.goto) })) {
      event.preventDefault();
      document.getElementById("flow").scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth" });
      player.focus({ preventScroll: true });
    }
  });

  // The socket -----------------------------------------------------------------------------

  live.addEventListener("htmx:wsOpen", function (event) {
    socket = event.detail.socketWrapper;
    connection.textContent = "Live";
  });

  live.addEventListener("htmx:wsClose", function (event) {
    socket = null;
    var retrying = RECONNECTING_CODES.indexOf(event.detail.event.code) >= 0;
    connection.textContent = retrying ? "Reconnecting…" : "Disconnected: reload the page to continue.";
  });

  live.addEventListener("htmx:wsAfterMessage", function () {
    var next = readState();
    var previous = shown;
    shown = next;
    heard = true;
    showPlayer(next);
    markCurrent(next.step);
    revealCurrentCells();
    if (next.step !== previous.step) {
      keepStepInAddress(next.step);
      revealStep(next);
    }
  });

  function showPlayer(state) {
    // Without a connection the buttons submit their forms: each must name the step it
    // would move to from here, not from the step the page was loaded at.
    document.getElementById("player-back").value = String(Math.max(state.step - 1, 0));
    document.getElementById("player-step").value = String(Math.min(state.step + 1, state.total));
    document.getElementById("player-last").value = String(state.total);
    scrubber.max = String(state.total);
    scrubber.value = String(state.step);
    scrubber.setAttribute("aria-valuetext", "Step " + state.step + " of " + state.total);
    playButton.classList.toggle("is-playing", state.playing);
    speedSelect.value = String(state.speed);
  }

  // The websocket adds and deletes rows without touching the others: the current row and
  // tracker column are marked here.
  function markCurrent(step) {
    live.querySelectorAll("#exec-steps tr.is-current").forEach(function (row) {
      row.classList.remove("is-current");
      row.removeAttribute("aria-current");
    });
    var row = live.querySelector('#exec-steps tbody[data-step="' + step + '"] tr');
    if (row) {
      row.classList.add("is-current");
      row.setAttribute("aria-current", "step");
    }
    live.querySelectorAll("#tracker [data-step]").forEach(function (cell) {
      var current = Number(cell.dataset.step) === step;
      cell.classList.toggle("is-current", current);
      if (cell.tagName === "TH" && current) {
        cell.setAttribute("aria-current", "step");
      } else {
        cell.removeAttribute("aria-current");
      }
    });
  }

  // On a narrow screen the tables scroll sideways inside their boxes: bring the current
  // row's verdict and the current tracker cell into view there (the page itself stays put).
  function revealCurrentCells() {
    document.querySelectorAll("#exec-table tr.is-current td.verdict, #tracker td.is-current").forEach(function (cell) {
      var box = cell.closest(".table-scroll");
      var left = cell.getBoundingClientRect().left - box.getBoundingClientRect().left + box.scrollLeft;
      if (left < box.scrollLeft || left + cell.offsetWidth > box.scrollLeft + box.clientWidth) {
        box.scrollLeft = Math.max(0, left + cell.offsetWidth - box.clientWidth);
      }
    });
  }

  // On a phone the caption and the player stick to the top and bottom of the screen: scroll
  // the page so that the node the step ends at sits between them.
  function revealStep(state) {
    var node = state.verdictNode && live.querySelector('[data-node="' + state.verdictNode + '"]');
    if (!node || getComputedStyle(player).position !== "sticky") {
      return;
    }
    var box = node.getBoundingClientRect();
    var top = Math.max(0, caption.getBoundingClientRect().bottom) + IN_VIEW_MARGIN;
    var bottom = player.getBoundingClientRect().top - IN_VIEW_MARGIN;
    var by = box.top < top ? box.top - top : box.bottom > bottom ? box.bottom - bottom : 0;
    if (by) {
      window.scrollBy({ top: by, behavior: "instant" });
    }
  }

  function keepStepInAddress(step) {
    var address = new URL(window.location.href);
    address.searchParams.set("step", String(step));
    history.replaceState(history.state, "", address.href);
    document.querySelectorAll("a[data-keep-step]").forEach(function (link) {
      var target = new URL(link.href);
      target.searchParams.set("step", String(step));
      link.href = target.href;
    });
  }

  showPlayer(shown);
  revealCurrentCells();
  // Opened to play (the sandbox's Run): the keys the caption names work at once, without a
  // Tab into the player first. Not scrolled to: the page opens at its top, the caption in view.
  if ("focusPlayer" in live.dataset && document.activeElement === document.body) {
    player.focus({ preventScroll: true });
  }
})();
