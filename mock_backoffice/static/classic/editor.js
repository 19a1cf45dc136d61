// Content > Pages editor (classic): per shop language a title field and a contenteditable area with a small
// toolbar over a hidden content field, behind language tabs (links) when the shop has several languages. Like
// real rich text editors, the form carries the editors' HTML only because this script copies each into its
// hidden field on submit; the server renders both with the stored HTML, so reading works without it.
(function () {
  "use strict";
  document.addEventListener("turbolinks:load", function () {
    var form = document.querySelector(".js-page-form");
    if (!form) {
      return;
    }
    form.querySelectorAll(".Editor-toolbar").forEach(function (toolbar) {
      var editor = toolbar.parentNode.querySelector(".Editor-area");
      toolbar.addEventListener("mousedown", function (event) { event.preventDefault(); });
      toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("[data-command]");
        if (!button) {
          return;
        }
        event.preventDefault();
        editor.focus();
        var command = button.getAttribute("data-command");
        var value = null;
        if (command === "createLink") {
          value = window.prompt(button.getAttribute("data-prompt") || "URL", "https://");
          if (!value) {
            return;
          }
        }
        document.execCommand(command, false, value);
      });
    });
    form.querySelectorAll(".js-language-tab").forEach(function (tab) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        form.querySelectorAll(".js-language-tab").forEach(function (other) {
          var selected = other === tab;
          other.parentNode.classList.toggle("-active", selected);
          document.getElementById(other.getAttribute("href").slice(1)).style.display = selected ? "" : "none";
        });
      });
    });
    form.addEventListener("submit", function () {
      form.querySelectorAll(".LanguagePane").forEach(function (pane) {
        pane.querySelector(".Editor-field").value = pane.querySelector(".Editor-area").innerHTML;
      });
    });
  });
})();
