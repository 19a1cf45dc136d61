// Content > Pages editor: a contenteditable area with a small toolbar over a hidden `content` field.
// Like real rich text editors, the form only carries the editor's HTML because this script copies it into
// the hidden field on submit; the server renders both with the stored HTML, so reading works without it.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  var editor = document.getElementById("page-content-editor");
  var field = document.getElementById("page-content");
  if (!form || !editor || !field) {
    return;
  }
  var toolbar = document.querySelector(".editor-toolbar");
  if (toolbar) {
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
  }
  form.addEventListener("submit", function () {
    field.value = editor.innerHTML;
  });
})();
