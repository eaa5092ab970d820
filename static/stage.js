// The stage's buttons: a click on anything with data-command puts that command line into the
// terminal prompt and runs it (so the class sees the command typed), or only fills the prompt
// when data-fill-only is set (a command to edit first). Without this file the same elements are
// plain links (?fill=) and forms posting the command, so everything works with JavaScript off.
(function () {
  "use strict";
  if (window.layerlabStage) { return; }   // loaded once, whatever includes it
  window.layerlabStage = true;

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

  // Opening the explorer (or switching its layer or view) brings it into sight in the stage panel.
  document.addEventListener("htmx:afterSettle", function (event) {
    var path = event.detail && event.detail.pathInfo ? event.detail.pathInfo.requestPath : "";
    if (path.indexOf("/explore") !== 0) { return; }
    var explorer = document.getElementById("explorer");
    if (explorer) { explorer.scrollIntoView({ block: "start" }); }
  });

  // The diagram's natural width, for the CSS that sizes it (a CSSOM property, allowed by the CSP
  // that refuses style attributes).
  function sizeDiagrams() {
    var svgs = document.querySelectorAll("svg.stage-svg[data-width]");
    for (var i = 0; i < svgs.length; i++) {
      svgs[i].style.setProperty("--stage-w", svgs[i].getAttribute("data-width"));
    }
  }
  document.addEventListener("DOMContentLoaded", sizeDiagrams);
  document.addEventListener("htmx:afterSettle", sizeDiagrams);
  document.addEventListener("htmx:oobAfterSwap", sizeDiagrams);

  // Keyboard on SVG links: Enter follows them natively; Space should too, like a button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== " ") { return; }
    var link = event.target.closest ? event.target.closest("svg a[data-command]") : null;
    if (link) { event.preventDefault(); link.dispatchEvent(new MouseEvent("click", { bubbles: true })); }
  });
})();
