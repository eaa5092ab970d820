// Class mode in the browser. A student who follows the teacher asks every half second where the class
// is (a 304 while nothing changed) and goes there when the teacher moves; a teacher's browser tells
// the class which walkthrough step it shows. No inline script (CSP): everything reads data-* attributes.
(function () {
  "use strict";
  var bar = document.querySelector(".class-bar");
  if (!bar) return;
  var csrf = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRF-Token"] || "";

  var leadUrl = bar.getAttribute("data-lead-url");
  if (leadUrl && location.pathname.endsWith("/walkthrough")) {
    var step = new URLSearchParams(location.search).get("step") || "0";
    fetch(leadUrl, {method: "POST", credentials: "same-origin",
                    headers: {"X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded"},
                    body: "step=" + encodeURIComponent(step)});
  }

  var followUrl = bar.getAttribute("data-follow-url");
  if (!followUrl) return;
  var every = parseInt(bar.getAttribute("data-follow-every"), 10) || 1000;
  var etag = "";
  function here() { return location.pathname + location.search; }
  function poll() {
    var headers = etag ? {"If-None-Match": etag} : {};
    fetch(followUrl, {credentials: "same-origin", cache: "no-store", headers: headers}).then(function (r) {
      if (r.status === 200) {
        etag = r.headers.get("ETag") || "";
        return r.json().then(function (where) {
          var seen = sessionStorage.getItem("layerlab-follow-version");
          sessionStorage.setItem("layerlab-follow-version", String(where.version));
          if (where.following && where.target && seen !== String(where.version) && where.target !== here()) {
            location.assign(where.target);
          }
        });
      }
    }).catch(function () { /* offline for a moment: try again next tick */ })
      .then(function () { setTimeout(poll, every); });
  }
  poll();
})();
