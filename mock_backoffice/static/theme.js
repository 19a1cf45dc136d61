// A misconfigured theme script (seed flag theme_loads_analytics_early): it loads analytics on first paint,
// before and regardless of the visitor's consent. This is what storefront verification must catch.
(function () {
  "use strict";
  var script = document.currentScript;
  var measurementId = script.getAttribute("data-measurement-id") || "G-THEME0000";
  var path = script.getAttribute("data-cookie-path") || "/";
  document.cookie = "_ga=GA1.1." + Math.floor(Math.random() * 1e9) + "; Max-Age=63072000; Path=" + path;
  navigator.sendBeacon(script.getAttribute("data-collect-url") + "?v=2&tid=" + encodeURIComponent(measurementId) +
    "&en=page_view&gcs=G100&dl=" + encodeURIComponent(location.pathname));
})();
