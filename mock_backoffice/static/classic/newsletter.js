// Marketing > Newsletter (classic): ticked rows get the class `-checked`, the "N items selected" menu appears,
// and its archive entry asks with the browser's own confirm() (Rails' data-confirm) before posting the form.
// Without this script nothing can be archived from the page.
(function () {
  "use strict";
  document.addEventListener("turbolinks:load", function () {
    var form = document.querySelector(".js-bulk-form");
    if (!form) {
      return;
    }
    var boxes = Array.prototype.slice.call(form.querySelectorAll(".js-select-row"));
    var all = form.querySelector(".js-select-all");
    var bulk = form.querySelector(".BulkActions");
    var toggle = form.querySelector(".BulkActions-toggle");
    var menu = form.querySelector(".BulkActions-menu");
    var archive = form.querySelector(".BulkActions-archive");

    function selected() {
      return boxes.filter(function (box) { return box.checked; }).length;
    }
    function sync() {
      var count = selected();
      boxes.forEach(function (box) { box.closest("tr").classList.toggle("-checked", box.checked); });
      bulk.style.display = count === 0 ? "none" : "";
      toggle.textContent = bulk.getAttribute("data-template").replace("{count}", String(count));
      all.checked = count > 0 && count === boxes.length;
      all.indeterminate = count > 0 && count < boxes.length;
      if (count === 0) {
        menu.style.display = "none";
      }
    }
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    // The header checkbox selects the rows of this page only, never the whole list.
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      menu.style.display = menu.style.display === "none" ? "" : "none";
    });
    archive.addEventListener("click", function (event) {
      event.preventDefault();
      menu.style.display = "none";
      if (window.confirm(archive.getAttribute("data-confirm").replace("{count}", String(selected())))) {
        form.requestSubmit();
      }
    });
    sync();
  });
})();
