/* The lesson page's live player.
 *
 * The server owns the state: every button, key and link sends a small JSON action over the
 * websocket (htmx-ext-ws), and the server answers with HTML fragments that htmx swaps by id.
 * One of them, #flow-state, carries the step's path as data-* attributes; this file reads it
 * after each message and animates the SVG flowchart, which stays in the page (htmx cannot
 * swap SVG pieces). Without JavaScript the player's buttons are plain links to ?step=k.
 */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live || !window.htmx) {
    return; // no live player: the page keeps working as plain links and forms
  }
  document.documentElement.classList.add("js");
  var player = document.getElementById("player");
  var scrubber = document.getElementById("player-scrubber");
  var speedSelect = document.getElementById("player-speed");
  var playButton = document.getElementById("player-play");
  var connection = document.getElementById("player-connection");
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var RECONNECTING_CODES = [1006, 1011, 1012, 1013]; // the codes htmx-ext-ws retries after
  var STEP_SECONDS = 1.6; // the server's autoplay interval at 1x
  var KEYS = { ArrowLeft: "back", ArrowRight: "step", " ": "toggle", Home: "reset", End: "last" };
  // Presenter remotes send PageUp/PageDown: in the projector view they work anywhere on the page.
  var PROJECTOR_KEYS = Object.assign({ PageUp: "back", PageDown: "step" }, KEYS);
  var REPEAT_MS = 120; // a held key sends at most this often, well under the server's rate limit

  var nodes = {};
  var edges = {};
  live.querySelectorAll("[data-node]").forEach(function (node) { nodes[node.dataset.node] = node; });
  live.querySelectorAll("[data-edge]").forEach(function (edge) { edges[edge.dataset.edge] = edge; });

  var socket = null;
  var shown = readState();
  var animation = 0; // bumped by every new state: a running animation stops when it changes
  var lastSent = 0;

  // The ws extension reconnects to the address it first read; put the current step in it so
  // that a dropped connection resumes where the learner is.
  var createWebSocket = htmx.createWebSocket;
  htmx.createWebSocket = function (url) {
    var address = new URL(url);
    address.searchParams.set("step", String(shown.step));
    return createWebSocket(address.href);
  };

  function readState() {
    var data = document.getElementById("flow-state").dataset;
    return {
      step: Number(data.step),
      total: Number(data.total),
      nodes: words(data.nodes),
      edges: words(data.edges),
      verdictNode: data.verdictNode,
      playing: data.playing === "true",
      speed: Number(data.speed) || 1
    };
  }

  function words(text) {
    return text ? text.split(" ") : [];
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

  function messageFor(action) {
    if (action === "toggle") {
      return { action: shown.playing ? "pause" : "play" };
    }
    if (action === "last") {
      return { action: "goto", step: shown.total };
    }
    return { action: action };
  }

  player.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button && send(messageFor(button.dataset.action))) {
      event.preventDefault();
    }
  });

  function onKey(keys) {
    return function (event) {
      var action = keys[event.key];
      if (!action || event.target === speedSelect || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      event.preventDefault();
      if (event.repeat && Date.now() - lastSent < REPEAT_MS) {
        return;
      }
      send(messageFor(action));
    };
  }

  if (document.body.classList.contains("is-projector")) {
    document.addEventListener("keydown", onKey(PROJECTOR_KEYS));
  } else {
    player.addEventListener("keydown", onKey(KEYS));
  }

  scrubber.addEventListener("input", function () {
    if (Date.now() - lastSent >= REPEAT_MS) {
      send({ action: "goto", step: Number(scrubber.value) });
    }
  });
  scrubber.addEventListener("change", function () {
    send({ action: "goto", step: Number(scrubber.value) });
  });
  scrubber.form.addEventListener("submit", function (event) {
    if (send({ action: "goto", step: Number(scrubber.value) })) {
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
    showPlayer(next);
    revealCurrentCells();
    if (next.step !== previous.step || next.nodes.join() !== previous.nodes.join()) {
      showChart(next, next.step === previous.step + 1);
      keepStepInAddress(next.step);
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

  // The flowchart --------------------------------------------------------------------------

  function showChart(state, animate) {
    var run = ++animation;
    clearChart();
    if (!state.nodes.length) {
      hideTokens();
      return;
    }
    if (!animate || reducedMotion.matches) {
      state.nodes.forEach(visit);
      state.edges.forEach(take);
      finish(state);
      return;
    }
    var hops = state.nodes.length - 1;
    var hopMs = Math.min(450, (STEP_SECONDS * 1000 * 0.75) / state.speed / Math.max(hops, 1));
    var index = 0;
    visit(state.nodes[0]);
    placeToken(state.nodes[0]);
    (function hop() {
      if (run !== animation) {
        return;
      }
      if (index === hops) {
        finish(state);
        return;
      }
      var from = state.nodes[index];
      var to = state.nodes[index + 1];
      index += 1;
      var edge = edges[from + ">" + to];
      take(from + ">" + to);
      travel(edge, to, hopMs, run, function () {
        visit(to);
        hop();
      });
    })();
  }

  function travel(edge, to, duration, run, done) {
    var token = tokenFor(to);
    var path = edge && edge.closest("svg") === token.ownerSVGElement ? edge.querySelector("path") : null;
    if (!path) { // into the other lane: the packet reappears there
      window.setTimeout(function () {
        if (run === animation) {
          placeToken(to);
          done();
        }
      }, duration);
      return;
    }
    var length = path.getTotalLength();
    var started = null;
    function frame(now) {
      if (run !== animation) {
        return;
      }
      started = started === null ? now : started;
      var progress = Math.min(1, (now - started) / duration);
      var point = path.getPointAtLength(progress * length);
      showToken(token, point.x, point.y);
      if (progress < 1) {
        window.requestAnimationFrame(frame);
      } else {
        done();
      }
    }
    window.requestAnimationFrame(frame);
  }

  function clearChart() {
    Object.keys(nodes).forEach(function (id) { nodes[id].classList.remove("is-visited", "is-end"); });
    Object.keys(edges).forEach(function (key) { edges[key].classList.remove("is-taken"); });
  }

  function visit(id) {
    if (nodes[id]) {
      nodes[id].classList.add("is-visited");
    }
  }

  function take(key) {
    if (edges[key]) {
      edges[key].classList.add("is-taken");
    }
  }

  function finish(state) {
    if (nodes[state.verdictNode]) {
      nodes[state.verdictNode].classList.add("is-end");
    }
    // The token rests where the packet's last edge ends (a side of the node when it came in
    // through a channel), or on top of the node when the step has no edge into it.
    var last = state.nodes[state.nodes.length - 1];
    var edge = edges[state.edges[state.edges.length - 1]];
    var token = tokenFor(last);
    if (edge && edge.ownerSVGElement === token.ownerSVGElement) {
      var path = edge.querySelector("path");
      var end = path.getPointAtLength(path.getTotalLength());
      showToken(token, end.x, end.y);
    } else {
      placeToken(last);
    }
  }

  function tokenFor(id) {
    return nodes[id].ownerSVGElement.querySelector(".flow-token");
  }

  function placeToken(id) {
    var node = nodes[id];
    if (node) {
      showToken(tokenFor(id), Number(node.dataset.x), Number(node.dataset.y));
    }
  }

  function showToken(token, x, y) {
    live.querySelectorAll(".flow-token").forEach(function (other) {
      other.classList.toggle("is-hidden", other !== token);
    });
    token.setAttribute("transform", "translate(" + x + " " + y + ")");
  }

  function hideTokens() {
    live.querySelectorAll(".flow-token").forEach(function (token) { token.classList.add("is-hidden"); });
  }

  showPlayer(shown);
  revealCurrentCells();
  if (shown.nodes.length) {
    finish(shown);
  }
})();
