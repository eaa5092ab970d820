// The course pages' small behaviours: walkthrough keys (→ / Space next, ← back, Home restart,
// P presentation mode, Esc leaves it) and copy-to-clipboard buttons. Links and forms do the rest;
// everything works without this file.
(function () {
  "use strict";

  function typingIn(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function go(url) { if (url) { window.location.assign(url); } }

  function onWalkKey(frame, event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) { return; }
    var data = frame.dataset;
    var onControl = event.target.closest && event.target.closest("a, button");
    if (event.key === "ArrowRight" || event.key === "PageDown" || (event.key === " " && !onControl)) {
      event.preventDefault();
      go(data.next);
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault();
      go(data.prev);
    } else if (event.key === "Home") {
      event.preventDefault();
      go(data.first);
    } else if (event.key === "p" || event.key === "P") {
      go(data.toggle);
    } else if (event.key === "Escape" && document.querySelector(".walk-present")) {
      go(data.toggle);
    }
  }

  function copy(text, button) {
    var status = button.parentNode.querySelector(".copy-status");
    function done(message) { if (status) { status.textContent = message; } }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(button.dataset.copied || "✓"); },
                                               function () { done(""); });
    } else {
      var field = document.getElementById(button.dataset.copyFrom || "");
      if (field) { field.select(); }
      try { document.execCommand("copy"); done(button.dataset.copied || "✓"); } catch (e) { done(""); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var frame = document.querySelector("[data-walk]");
    if (frame) {
      document.addEventListener("keydown", function (event) { onWalkKey(frame, event); });
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-copy], [data-copy-from]");
      if (!button) { return; }
      var text = button.dataset.copy;
      if (!text) {
        var field = document.getElementById(button.dataset.copyFrom);
        text = field ? field.value : "";
      }
      if (text) { copy(text, button); }
    });
  });
})();
