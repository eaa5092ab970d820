// The Build tab's keyboard: ← / → step back and forward when the panel (or a link in it) has
// focus. The buttons are plain links (?step=N), so everything works without this file.
(function () {
  "use strict";
  if (window.layerlabFiles) { return; }   // loaded once, whatever includes it
  window.layerlabFiles = true;

  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") { return; }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var panel = event.target.closest ? event.target.closest("#build") : null;
    if (!panel || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) { return; }
    var link = document.getElementById(event.key === "ArrowLeft" ? "build-prev" : "build-next");
    event.preventDefault();
    if (link) { link.click(); }
  });

  // Requests from the side panel (tab choices, step links, Save …) are not the terminal's: the
  // terminal script, listening on <body>, would reload its ↑/↓ history and move the focus to the
  // prompt after each of them. So they stop at the side panel, and a step taken from the keyboard
  // keeps the focus in the build panel.
  var refocus = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = document.getElementById("build");
    refocus = !!(panel && panel.contains(event.target) && panel.contains(document.activeElement));
  });
  document.addEventListener("DOMContentLoaded", function () {
    var side = document.getElementById("side");
    if (!side) { return; }
    side.addEventListener("htmx:afterRequest", function (event) {
      event.stopPropagation();
      if (!refocus) { return; }
      refocus = false;
      var panel = document.getElementById("build");
      if (panel) { panel.focus({ preventScroll: true }); }
    });
  });
})();
