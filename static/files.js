// The build panel's keyboard: ← / → step back and forward when the panel (or a link in it) has
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

  // A step request started from inside the panel keeps the keyboard there. The page's terminal
  // script focuses the prompt after every htmx request (on <body>); this listener, on the
  // document, runs after it and brings the focus back to the new panel.
  var refocus = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = document.getElementById("build");
    refocus = !!(panel && panel.contains(event.target) && panel.contains(document.activeElement));
  });
  document.addEventListener("htmx:afterRequest", function () {
    if (!refocus) { return; }
    refocus = false;
    var panel = document.getElementById("build");
    if (panel) { panel.focus({ preventScroll: true }); }
  });
})();
