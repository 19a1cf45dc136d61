// Content > Pages editor: per shop language a title field and a contenteditable area with a small toolbar
// over a hidden `content` field, behind language tabs when the shop has several languages. Like real rich
// text editors, the form only carries the editors' HTML because this script copies each into its hidden
// field on submit; the server renders both with the stored HTML, so reading works without it.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form) {
    return;
  }
  form.querySelectorAll(".editor-toolbar").forEach(function (toolbar) {
    var editor = toolbar.parentNode.querySelector(".editor-area");
    toolbar.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the selection in the editor while a toolbar button is pressed
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-command]");
      if (!button) {
        return;
      }
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
  // The language switcher: one panel visible at a time; every panel is submitted.
  form.querySelectorAll("[role='tab']").forEach(function (tab) {
    tab.addEventListener("click", function () {
      form.querySelectorAll("[role='tab']").forEach(function (other) {
        var selected = other === tab;
        other.setAttribute("aria-selected", String(selected));
        document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
      });
    });
  });
  form.addEventListener("submit", function () {
    form.querySelectorAll(".language-panel").forEach(function (panel) {
      panel.querySelector(".editor-field").value = panel.querySelector(".editor-area").innerHTML;
    });
  });
})();
