// Web extras (classic): show the cookie-law message boxes only while the custom-message mode is selected. The
// server renders the same state, so the page is correct before (and without) this script.
(function () {
  "use strict";
  document.addEventListener("turbolinks:load", function () {
    var select = document.querySelector(".js-cookielaw-mode");
    var custom = document.querySelector(".js-cookielaw-custom");
    if (!select || !custom) {
      return;
    }
    var customValue = select.getAttribute("data-custom-value");
    function sync() {
      custom.style.display = select.value === customValue ? "" : "none";
    }
    select.addEventListener("change", sync);
    sync();
  });
})();
