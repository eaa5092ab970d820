// The stage in the browser (everything here is an enhancement: without it the stage's links and
// forms work as plain GETs and POSTs):
// - a click on anything with data-command types that command into the prompt and runs it (or only
//   fills the prompt, data-fill-only);
// - only what changed is redrawn: each htmx request tells the server which drawings are on screen
//   (`held`: id:digest pairs, web/redraw.py); the answer leaves those out;
// - after each answer the object the command changed (#stage-focus) is scrolled into view, and in
//   presentation mode framed;
// - keyboard: one tab stop per object; inside it the arrow keys move through its links, Esc goes
//   back to the object; Alt+Z undo, Alt+Shift+Z redo; P toggles presentation mode.
(function () {
  "use strict";
  if (window.layerlabStage) { return; }   // loaded once, whatever includes it
  window.layerlabStage = true;

  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function run(command, fillOnly) {
    var input = document.getElementById("command-input");
    var prompt = document.getElementById("prompt");
    if (!input || !prompt) { return false; }
    input.value = command;
    input.focus();
    input.setSelectionRange(command.length, command.length);
    if (!fillOnly) {
      if (prompt.requestSubmit) { prompt.requestSubmit(); } else { prompt.submit(); }
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-command]") : null;
    if (!target) { return; }
    if (run(target.getAttribute("data-command"), target.getAttribute("data-fill-only") === "true")) {
      event.preventDefault();
    }
  });

  // ---- only what changed is redrawn
  // the requests whose answer redraws the stage (the prompt, Undo/Redo/Reset/New, the explorer, a lesson)
  var REDRAWS = /^\/(commands|undo|redo|reset|new|explore|lessons\/[^/]+\/(commands|undo|restart))/;

  document.addEventListener("htmx:configRequest", function (event) {
    if (!REDRAWS.test(event.detail.path || "")) { return; }
    var held = [];
    var drawn = document.querySelectorAll("[data-digest]");
    for (var i = 0; i < drawn.length; i++) {
      var digest = drawn[i].getAttribute("data-digest");
      if (digest && drawn[i].id) { held.push(drawn[i].id + ":" + digest); }
    }
    event.detail.parameters.held = held.join(" ");
  });

  // ---- one tab stop per object; arrow keys inside it
  function objects() { return Array.prototype.slice.call(document.querySelectorAll("#stage .obj")); }

  function rove() {
    objects().forEach(function (obj) {
      if (obj.getAttribute("tabindex") !== "0") { obj.setAttribute("tabindex", "0"); }
      var links = obj.querySelectorAll("a");
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("tabindex") !== "-1") { links[i].setAttribute("tabindex", "-1"); }
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (!event.target.closest) { return; }
    var obj = event.target.closest("#stage .obj");
    if (!obj || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var links = Array.prototype.slice.call(obj.querySelectorAll("a"));
    var at = links.indexOf(event.target.closest("a"));
    var step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (step && links.length) {
      event.preventDefault();
      var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : (at + step + links.length) % links.length;
      links[next].focus();
    } else if (event.key === "Home" && links.length) {
      event.preventDefault(); links[0].focus();
    } else if (event.key === "End" && links.length) {
      event.preventDefault(); links[links.length - 1].focus();
    } else if (event.key === "Escape" && at >= 0) {
      event.preventDefault(); obj.focus();
    } else if (event.key === "Enter" && event.target === obj && links.length) {
      event.preventDefault();   // Enter on the object opens it in the explorer (its caption link)
      (obj.querySelector("a.caption-link") || links[0]).click();
    } else if (event.key === " " && at >= 0 && links[at].hasAttribute("data-command")) {
      event.preventDefault();   // Space on a command pill runs it, like a button
      links[at].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    }
  });

  // ---- a shared layer is one layer: pointing at it (or focusing it) marks it in every image
  function sameLayer(event, on) {
    var layer = event.target.closest ? event.target.closest("#stage .layer[data-chain]") : null;
    if (!layer) { return; }
    var all = document.querySelectorAll('#stage .layer[data-chain="' + layer.getAttribute("data-chain") + '"]');
    for (var i = 0; i < all.length; i++) { all[i].classList.toggle("same-layer", on); }
  }
  document.addEventListener("mouseover", function (event) { sameLayer(event, true); });
  document.addEventListener("mouseout", function (event) { sameLayer(event, false); });
  document.addEventListener("focusin", function (event) { sameLayer(event, true); });
  document.addEventListener("focusout", function (event) { sameLayer(event, false); });

  // ---- the change in view
  function presenting() { return !!document.querySelector(".presenting, .walk-present"); }

  // the overview's chip of the object the last command was about: an answer sends the list only
  // when its objects change, not each time the focus moves
  function markOverview() {
    var focus = document.getElementById("stage-focus");
    var id = focus ? focus.getAttribute("data-focus") : "";
    var chips = document.querySelectorAll(".stage-overview .ov");
    for (var i = 0; i < chips.length; i++) {
      chips[i].classList.toggle("changed", !!id && chips[i].getAttribute("href") === "#" + id);
    }
  }

  function showChange() {
    // a figure (history, inspect, save, export, image ls) is drawn only for the command just run:
    // it is what that command was about, so it is what comes into view
    var figure = document.getElementById("figure");
    if (figure) {
      figure.scrollIntoView({ block: "start", behavior: reduceMotion ? "auto" : "smooth" });
      return;
    }
    var focus = document.getElementById("stage-focus");   // swapped alone when only parts changed
    var id = focus ? focus.getAttribute("data-focus") : "";
    var obj = id ? document.getElementById(id) : null;
    if (!obj) { return; }
    // the playground presenting: the object in the middle of its frame (its top at the top when it
    // is taller); elsewhere (and on a walkthrough slide, whose caption comes first) only as far as needed
    var tall = obj.getBoundingClientRect().height > window.innerHeight * 0.6;
    var framed = !!document.querySelector(".presenting");
    obj.scrollIntoView({ block: framed ? (tall ? "start" : "center") : "nearest", inline: "nearest",
                         behavior: reduceMotion ? "auto" : "smooth" });
    var chip = document.querySelector(".stage-overview .ov.changed");
    var strip = chip && chip.closest(".stage-overview");
    if (strip) { strip.scrollLeft = chip.offsetLeft - strip.clientWidth / 2; }
  }

  // htmx settles each out-of-band part on its own: act once, on the next frame after the last.
  var pending = null;
  function afterAnswer(event) {
    var path = event.detail && event.detail.pathInfo ? event.detail.pathInfo.requestPath : "";
    if (!document.querySelector("#stage .stage-view") || !REDRAWS.test(path)) {
      return;   // an answer that did not redraw the stage (a build step, a file, a tab)
    }
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () {
      pending = null;
      rove();
      markOverview();
      if (path.indexOf("/explore") === 0) {   // the explorer opened or changed: bring it into sight
        var explorer = document.getElementById("explorer");
        if (explorer) { explorer.scrollIntoView({ block: "start" }); }
      } else {
        showChange();
      }
    });
  }
  document.addEventListener("htmx:afterSettle", afterAnswer);
  document.addEventListener("DOMContentLoaded", function () { rove(); if (presenting()) { showChange(); } });

  // ---- shortcuts that the terminal does not use: Alt+Z / Alt+Shift+Z, and P outside text fields
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyZ") {
      var button = document.getElementById(event.shiftKey ? "redo-button" : "undo-button");
      if (button) { event.preventDefault(); button.click(); }
      return;
    }
    if ((event.key === "p" || event.key === "P") && !event.altKey && !event.ctrlKey && !event.metaKey
        && !typing(event.target)) {
      var toggle = document.getElementById("present-toggle");
      var workspace = document.getElementById("workspace");
      if (!toggle || !workspace) { return; }
      event.preventDefault();
      var on = workspace.classList.toggle("presenting");
      document.body.classList.toggle("presenting-page", on);
      var url = new URL(window.location.href);
      if (on) { url.searchParams.set("present", "1"); } else { url.searchParams.delete("present"); }
      window.history.replaceState(null, "", url.toString());
      toggle.setAttribute("href", on ? url.pathname : url.pathname + "?present=1");
      toggle.firstChild.nodeValue = (on ? toggle.getAttribute("data-leave") : toggle.getAttribute("data-enter")) + " ";
      showChange();
    }
  });
})();
