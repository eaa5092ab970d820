// The side panel's tabs (What happened · Files · Build · Commands), as the WAI-ARIA tabs pattern:
// a click (or ← / → / Home / End on the strip) shows its panel at once; htmx tells the server the
// choice (hx-get on each tab). After a command the server swaps in a new strip whose data-active
// names the panel to show (a build opens Build, a written file opens Files); this file follows it.
// Without JavaScript the tabs are plain links (?panel=NAME) and the server renders that panel.
(function () {
  "use strict";
  if (window.layerlabSide) { return; }
  window.layerlabSide = true;

  function strip() { return document.getElementById("side-tabs"); }
  function tabs() { var s = strip(); return s ? Array.prototype.slice.call(s.querySelectorAll("[role=tab]")) : []; }

  function show(name, focus) {
    var s = strip();
    if (!s) { return; }
    // the strip on screen now differs from the one the server drew: drop its digest, so the next
    // answer sends the strip again (web/redraw.py leaves out only what the browser shows unchanged)
    if (s.dataset.active !== name) { s.setAttribute("data-digest", ""); }
    s.dataset.active = name;
    tabs().forEach(function (tab) {
      var on = tab.dataset.panel === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;     // roving tabindex: Tab enters the strip at the shown tab
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !on; }
      if (on && focus) { tab.focus(); }
    });
    if (name === "files") {           // a file a command just wrote: bring it into sight
      var fresh = document.querySelector("#panel-files .file-row.file-new");
      if (fresh) { fresh.scrollIntoView({ block: "nearest" }); }
    }
  }

  function sync() { var s = strip(); if (s) { show(s.dataset.active, false); } }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest ? event.target.closest("#side-tabs [role=tab]") : null;
    if (tab) { show(tab.dataset.panel, false); }   // htmx sends the choice (and cancels the link)
  });

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest ? event.target.closest("#side-tabs [role=tab]") : null;
    if (!tab || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var all = tabs();
    var i = all.indexOf(tab);
    var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[event.key];
    if (next === undefined) { return; }
    event.preventDefault();
    var target = all[(next + all.length) % all.length];
    target.focus();
    target.click();
  });

  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "side-tabs") { sync(); }
  });
  document.addEventListener("htmx:afterSettle", sync);
})();
