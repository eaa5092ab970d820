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

  // After a step swap, keep the keyboard in the panel: focus the new panel if the old one had it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "build" || !target.hasAttribute("data-had-focus")) { return; }
    var panel = document.getElementById("build");
    if (panel && !panel.contains(document.activeElement)) { panel.focus({ preventScroll: true }); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = document.getElementById("build");
    if (panel && panel.contains(document.activeElement)) { panel.setAttribute("data-had-focus", ""); }
  });
})();
