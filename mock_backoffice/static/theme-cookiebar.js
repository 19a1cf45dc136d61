// A theme's own cookie banner (seed theme_cookie_bar): store the visitor's choice in cookies (1 year) and hide the bar.
// COOKIELAW = 1 accepted / 0 rejected; one cookie per category with 1 / 0.
(function () {
  "use strict";
  var bar = document.getElementById("cookielaw");
  if (!bar) {
    return;
  }
  var path = bar.getAttribute("data-cookie-path") || "/";
  var maxAge = 365 * 24 * 60 * 60;
  var categories = { stats: "COOKIELAW_STATS", ads: "COOKIELAW_ADS", social: "COOKIELAW_SOCIAL" };

  function setCookie(name, value) {
    document.cookie = name + "=" + value + "; Max-Age=" + maxAge + "; Path=" + path + "; SameSite=Lax";
  }

  function choose(consent, perCategory) {
    setCookie("COOKIELAW", consent ? "1" : "0");
    Object.keys(categories).forEach(function (category) {
      setCookie(categories[category], perCategory(category) ? "1" : "0");
    });
    bar.hidden = true;
    announce();
  }

  // Tells the analytics tag that consent changed, as the platform's consent-mode update does.
  function announce() {
    document.dispatchEvent(new CustomEvent("cookielaw:consent"));
  }

  function always(value) {
    return function () {
      return value;
    };
  }

  bar.addEventListener("click", function (event) {
    var button = event.target.closest("[data-cookielaw]");
    if (!button) {
      return;
    }
    var action = button.getAttribute("data-cookielaw");
    if (action === "ok") {
      setCookie("COOKIELAW", "1");
      bar.hidden = true;
      announce();
    } else if (action === "accept") {
      choose(true, always(true));
    } else if (action === "reject") {
      choose(false, always(false));
    } else if (action === "manage") {
      var panel = document.getElementById("cookielaw-preferences");
      panel.hidden = !panel.hidden;
      button.setAttribute("aria-expanded", String(!panel.hidden));
    } else if (action === "save") {
      var checked = {};
      bar.querySelectorAll("input[data-category]").forEach(function (box) {
        checked[box.getAttribute("data-category")] = box.checked;
      });
      var any = Object.keys(checked).some(function (category) {
        return checked[category];
      });
      choose(any, function (category) {
        return Boolean(checked[category]);
      });
    }
  });
})();
