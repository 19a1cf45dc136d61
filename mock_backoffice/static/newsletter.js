// Marketing > Newsletter: row selection, the "N items selected" menu and the archive confirmation dialog.
// Without this script nothing can be archived from the page, as in the real backoffice (the OK button
// that submits the form lives in the dialog).
(function () {
  "use strict";
  var form = document.getElementById("subscribers-form");
  if (!form) {
    return;
  }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="subscriber_ids"]'));
  var all = document.getElementById("select-all");
  var bulk = form.querySelector(".bulk-actions");
  var toggle = document.getElementById("bulk-toggle");
  var menu = document.getElementById("bulk-menu");
  var archive = document.getElementById("archive-selected");
  var dialog = document.getElementById("archive-dialog");
  var dialogText = document.getElementById("archive-dialog-text");
  var cancel = document.getElementById("archive-cancel");

  function selected() {
    return boxes.filter(function (box) { return box.checked; }).length;
  }
  function closeMenu() {
    menu.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  }
  function sync() {
    var count = selected();
    bulk.hidden = count === 0;
    toggle.textContent = toggle.getAttribute("data-template").replace("{count}", String(count));
    all.checked = count > 0 && count === boxes.length;
    all.indeterminate = count > 0 && count < boxes.length;
    if (count === 0) {
      closeMenu();
    }
  }

  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  // The header checkbox selects the rows of this page only, never the whole list.
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  toggle.addEventListener("click", function () {
    var open = menu.hidden;
    menu.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  });
  archive.addEventListener("click", function () {
    closeMenu();
    dialogText.textContent = dialogText.getAttribute("data-template").replace("{count}", String(selected()));
    dialog.showModal();
  });
  cancel.addEventListener("click", function () { dialog.close(); });
  sync();
})();
