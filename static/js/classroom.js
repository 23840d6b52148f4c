/* A class's page: the projector, the presenter's remote, or a learner's device.
 *
 * The server owns the class: buttons send small JSON actions over the websocket
 * (htmx-ext-ws), and every change of the class arrives as one frame of HTML fragments that
 * htmx swaps by id. This file only sends actions, orders frames by their sequence number,
 * marks the current row and tracker column and the learner's own vote, and says whether the
 * connection is live; flowchart.js (the player's) animates the chart from #flow-state.
 * Which actions a page may send is decided on the server, not here.
 */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live || !window.htmx) {
    return;
  }
  document.documentElement.classList.add("js");
  var connection = document.getElementById("class-connection");
  var RECONNECTING_CODES = [1006, 1011, 1012, 1013]; // the codes htmx-ext-ws retries after
  var FINAL_WORDS = {
    4404: "This class was not found: check the code and join again.",
    4410: "This class has ended.",
    4008: "Disconnected after too many messages: reload the page."
  };
  var PRESENTER_KEYS = { ArrowLeft: "back", ArrowRight: "step", PageUp: "back", PageDown: "step", Home: "first", End: "last" };
  var RETRY_CAP_MS = 4000; // a class must come back within moments of its server (issue 7, item 8)

  // Full jitter like the extension's default, but capped at 4 s instead of 64 s.
  htmx.config.wsReconnectDelay = function (retries) {
    return Math.random() * Math.min(RETRY_CAP_MS, 500 * Math.pow(2, retries));
  };

  var socket = null;
  var shownSequence = readClassState().sequence;
  var freshConnection = true; // the first frame after (re)connecting may jump: it is the current state

  function readClassState() {
    var data = document.getElementById("class-state").dataset;
    return {
      sequence: Number(data.sequence),
      step: Number(data.step),
      total: Number(data.total),
      playing: data.playing === "true",
      question: data.question
    };
  }

  function send(message) {
    if (socket) {
      socket.send(JSON.stringify(message));
    }
  }

  function messageFor(action) {
    var state = readClassState();
    if (action === "toggle") {
      return { action: state.playing ? "pause" : "play" };
    }
    if (action === "last") {
      return { action: "goto", step: state.total };
    }
    if (action === "ask") {
      return { action: "ask", question: document.getElementById("vote-question").value };
    }
    return { action: action };
  }

  live.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button) {
      send(messageFor(button.dataset.action));
      return;
    }
    var choice = event.target.closest("button[data-choice]");
    if (choice) {
      send({ action: "vote", choice: choice.dataset.choice });
    }
  });

  live.addEventListener("change", function (event) {
    if (event.target.id === "class-moment" && event.target.value !== "") {
      send({ action: "goto", step: Number(event.target.value) });
      event.target.value = "";
    }
  });

  // Presenter clickers send PageUp/PageDown; arrows work too, except inside a form control.
  if (live.dataset.role === "presenter") {
    document.addEventListener("keydown", function (event) {
      var action = PRESENTER_KEYS[event.key];
      if (!action || event.altKey || event.ctrlKey || event.metaKey || event.target.closest("select, input, textarea")) {
        return;
      }
      event.preventDefault();
      send(messageFor(action));
    });
  }

  // The socket -----------------------------------------------------------------------------

  live.addEventListener("htmx:wsOpen", function (event) {
    socket = event.detail.socketWrapper;
    freshConnection = true;
    connection.textContent = "Live";
  });

  live.addEventListener("htmx:wsClose", function (event) {
    socket = null;
    var code = event.detail.event.code;
    connection.textContent = RECONNECTING_CODES.indexOf(code) >= 0
      ? "Reconnecting to the class…"
      : FINAL_WORDS[code] || "Disconnected: reload the page to continue.";
  });

  // A frame older than the one shown (two presenters' frames crossing) is dropped; a frame
  // that skips a number means one was missed, so ask for the current state.
  live.addEventListener("htmx:wsBeforeMessage", function (event) {
    var found = /id="class-state"[^>]*data-sequence="(\d+)"/.exec(event.detail.message);
    if (!found) {
      return;
    }
    var sequence = Number(found[1]);
    if (sequence < shownSequence && !freshConnection) {
      event.preventDefault();
      return;
    }
    if (sequence > shownSequence + 1 && !freshConnection) {
      window.setTimeout(function () { send({ action: "sync" }); }, 0);
    }
    freshConnection = false;
    shownSequence = sequence;
  });

  live.addEventListener("htmx:wsAfterMessage", function () {
    var state = readClassState();
    markCurrent(state.step);
    showMyVote();
    keepStepInExploreLink(state.step);
    var play = document.getElementById("class-play");
    if (play) {
      play.classList.toggle("is-playing", state.playing);
    }
  });

  // Frames add and delete rows without touching the others (the player's partials): the
  // current row and tracker column are marked here.
  function markCurrent(step) {
    live.querySelectorAll("#exec-steps tbody[data-step] tr").forEach(function (row) {
      var current = Number(row.parentNode.dataset.step) === step;
      row.classList.toggle("is-current", current);
      if (current) {
        row.setAttribute("aria-current", "step");
      } else {
        row.removeAttribute("aria-current");
      }
    });
    live.querySelectorAll("#tracker [data-step]").forEach(function (cell) {
      cell.classList.toggle("is-current", Number(cell.dataset.step) === step);
    });
  }

  // "Explore on my own" opens the lesson's own player where the class is now.
  function keepStepInExploreLink(step) {
    var link = document.getElementById("class-explore");
    if (link) {
      var address = new URL(link.href);
      address.searchParams.set("step", String(step));
      link.href = address.href;
    }
  }

  function showMyVote() {
    var mine = document.getElementById("my-vote-data");
    if (!mine) {
      return;
    }
    var current = mine.dataset.question === readClassState().question;
    live.querySelectorAll("button[data-choice]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(current && button.dataset.choice === mine.dataset.choice));
    });
  }

  showMyVote();
})();
