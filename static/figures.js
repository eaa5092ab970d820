/* The figure of the command just run (templates/partials/_figure.html) is scrolled into view once the
   answer is swapped in, so `history`, `inspect`, `save`, `export` and `image ls` show their drawing
   without the learner looking for it. Instant when the reader asks for reduced motion. */
(function () {
  "use strict";
  var fromPrompt = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    fromPrompt = !!(elt && elt.id === "prompt");
  });

  document.addEventListener("htmx:afterSettle", function () {
    var figure = document.getElementById("figure");
    if (!fromPrompt || !figure) return;
    fromPrompt = false;
    var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    figure.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
  });
})();
