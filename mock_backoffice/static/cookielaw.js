// The platform's cookie bar: the choices are plain links to /cookielaw/optIn/ and /cookielaw/optOut/ that the
// server answers (it sets the COOKIELAW* cookies and redirects back). The only script is the "Manage cookies"
// control of the custom-message mode, which opens the form of per-category switches (posted to optIn).
(function () {
  "use strict";
  var manage = document.querySelector(".wsa-cookielaw .wsa-cookielaw-manage");
  var panel = document.getElementById("wsa-cookielaw-preferences");
  if (!manage || !panel) {
    return;
  }
  manage.addEventListener("click", function (event) {
    event.preventDefault();
    panel.hidden = !panel.hidden;
    manage.setAttribute("aria-expanded", String(!panel.hidden));
  });
})();
