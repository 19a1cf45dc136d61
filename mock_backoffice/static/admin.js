// Web extras: show the cookie-law message box only while the custom-message mode is selected.
// The server renders the same state, so the page is correct before (and without) this script.
(function () {
  "use strict";
  var select = document.getElementById("cookielaw-mode");
  var row = document.getElementById("cookielaw-message-row");
  if (!select || !row) {
    return;
  }
  var customValue = select.getAttribute("data-custom-value");
  function sync() {
    row.hidden = select.value !== customValue;
  }
  select.addEventListener("change", sync);
  sync();
})();
