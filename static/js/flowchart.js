/* The flowchart's animation.
 *
 * The SVG stays in the page (htmx cannot swap SVG pieces). After each websocket message this
 * file reads #flow-state, whose data-* attributes carry the step's path, and lights the
 * nodes and edges it visits; stepping forward by one sends a token along the path first
 * (straight to the end with prefers-reduced-motion). The autoplay interval comes from the
 * server through #live's data-autoplay-seconds.
 */
(function () {
  "use strict";

  var live = document.getElementById("live");
  if (!live || !window.htmx) {
    return; // without the live player the server-rendered chart is already right
  }
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var stepSeconds = Number(live.dataset.autoplaySeconds);
  var HOP_MS_MAX = 450;
  var nodes = {};
  var edges = {};
  live.querySelectorAll("[data-node]").forEach(function (node) { nodes[node.dataset.node] = node; });
  live.querySelectorAll("[data-edge]").forEach(function (edge) { edges[edge.dataset.edge] = edge; });
  var animation = 0; // bumped by every new state: a running animation stops when it changes
  var shown = readPath();

  function readPath() {
    var data = document.getElementById("flow-state").dataset;
    return {
      step: Number(data.step),
      nodes: words(data.nodes),
      edges: words(data.edges),
      verdictNode: data.verdictNode,
      speed: Number(data.speed) || 1
    };
  }

  function words(text) {
    return text ? text.split(" ") : [];
  }

  live.addEventListener("htmx:wsAfterMessage", function () {
    var next = readPath();
    var previous = shown;
    shown = next;
    if (next.step !== previous.step || next.nodes.join() !== previous.nodes.join()) {
      show(next, next.step === previous.step + 1);
    }
  });

  function show(path, animate) {
    var run = ++animation;
    clear();
    if (!path.nodes.length) {
      hideTokens();
      return;
    }
    if (!animate || reducedMotion.matches) {
      path.nodes.forEach(visit);
      path.edges.forEach(take);
      finish(path);
      return;
    }
    var hops = path.nodes.length - 1;
    var hopMs = Math.min(HOP_MS_MAX, (stepSeconds * 1000 * 0.75) / path.speed / Math.max(hops, 1));
    var index = 0;
    visit(path.nodes[0]);
    placeToken(path.nodes[0]);
    (function hop() {
      if (run !== animation) {
        return;
      }
      if (index === hops) {
        finish(path);
        return;
      }
      var from = path.nodes[index];
      var to = path.nodes[index + 1];
      index += 1;
      take(from + ">" + to);
      travel(edges[from + ">" + to], to, hopMs, run, function () {
        visit(to);
        hop();
      });
    })();
  }

  function travel(edge, to, duration, run, done) {
    var token = tokenFor(to);
    var line = edge && edge.closest("svg") === token.ownerSVGElement ? edge.querySelector("path") : null;
    if (!line) { // into the other lane: the packet reappears there
      window.setTimeout(function () {
        if (run === animation) {
          placeToken(to);
          done();
        }
      }, duration);
      return;
    }
    var length = line.getTotalLength();
    var started = null;
    function frame(now) {
      if (run !== animation) {
        return;
      }
      started = started === null ? now : started;
      var progress = Math.min(1, (now - started) / duration);
      var point = line.getPointAtLength(progress * length);
      showToken(token, point.x, point.y);
      if (progress < 1) {
        window.requestAnimationFrame(frame);
      } else {
        done();
      }
    }
    window.requestAnimationFrame(frame);
  }

  function clear() {
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

  function finish(path) {
    if (nodes[path.verdictNode]) {
      nodes[path.verdictNode].classList.add("is-end");
    }
    // The token rests where the packet's last edge ends (a side of the node when it came in
    // through a channel), or on top of the node when the step has no edge into it.
    var last = path.nodes[path.nodes.length - 1];
    var edge = edges[path.edges[path.edges.length - 1]];
    var token = tokenFor(last);
    if (edge && edge.ownerSVGElement === token.ownerSVGElement) {
      var line = edge.querySelector("path");
      var end = line.getPointAtLength(line.getTotalLength());
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

  if (shown.nodes.length) {
    finish(shown);
  }
})();
