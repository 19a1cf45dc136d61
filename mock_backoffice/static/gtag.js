// A local stand-in for Google's gtag.js with consent mode, as the platform configures it: analytics and
// ad storage are denied by default, whatever cookie-law mode is chosen, and granted only by the visitor's
// choice in the cookie bar (COOKIELAW_STATS / COOKIELAW_ADS). Sends no traffic outside the mock.
(function () {
  "use strict";
  var script = document.currentScript;
  var measurementId = script.getAttribute("data-measurement-id");
  var collectUrl = script.getAttribute("data-collect-url");
  var path = script.getAttribute("data-cookie-path") || "/";
  var twoYears = 2 * 365 * 24 * 60 * 60;
  var sent = false;

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? match[1] : null;
  }
  function setCookie(name, value) {
    document.cookie = name + "=" + value + "; Max-Age=" + twoYears + "; Path=" + path + "; SameSite=Lax";
  }
  function clientId() {
    return Math.floor(Math.random() * 1e9) + "." + Math.floor(Date.now() / 1000);
  }
  function pageView() {
    if (sent || readCookie("COOKIELAW_STATS") !== "1") {
      return; // analytics_storage denied: no cookie, no beacon
    }
    sent = true;
    setCookie("_ga", "GA1.1." + clientId());
    setCookie("_ga_" + measurementId.slice(2), "GS1.1." + Math.floor(Date.now() / 1000) + ".1.0");
    navigator.sendBeacon(collectUrl + "?v=2&tid=" + encodeURIComponent(measurementId) +
      "&en=page_view&gcs=G111&dl=" + encodeURIComponent(location.pathname));
  }
  function advertising() {
    if (readCookie("COOKIELAW_ADS") === "1" && !readCookie("_gcl_au")) {
      setCookie("_gcl_au", "1.1." + clientId());
    }
  }
  function consentChanged() {
    pageView();
    advertising();
  }
  consentChanged();
  document.addEventListener("cookielaw:consent", consentChanged);
})();
