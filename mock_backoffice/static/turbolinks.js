// A small stand-in for Turbolinks, as the real (Rails) backoffice uses it: a click on a backoffice link or a
// form's submit fetches the next page in the background and swaps the document's <body> and <title>, with no
// new document and no load event. The address bar changes when a link is followed, before its page has
// arrived (as Turbolinks' visits do), and after the answer of a form (the address it was redirected to). Each
// swap fires `turbolinks:load` (and the older `page:load`), which is when page scripts set up their page.
// Anything it cannot swap (another origin, not HTML, a network error) is done the ordinary way instead.
(function () {
  "use strict";
  if (window.Turbolinks) {
    return;
  }
  var adminPath = window.location.pathname.replace(/(\/[^\/]+\/admin)(\/.*)?$/, "$1");

  function fire() {
    ["turbolinks:load", "page:load"].forEach(function (name) {
      document.dispatchEvent(new Event(name, {bubbles: true}));
    });
  }

  function ours(url) {
    return url.origin === window.location.origin && (url.pathname === adminPath || url.pathname.indexOf(adminPath + "/") === 0);
  }

  function swap(html, url, historyAction) {
    var next = new DOMParser().parseFromString(html, "text/html");
    document.title = next.title;
    var token = next.querySelector('meta[name="csrf-token"]');
    var mine = document.querySelector('meta[name="csrf-token"]');
    if (token && mine) {
      mine.setAttribute("content", token.getAttribute("content"));
    }
    if (historyAction === "push") {
      window.history.pushState({turbolinks: true}, "", url);
    } else if (historyAction === "replace") {
      window.history.replaceState({turbolinks: true}, "", url);
    }
    document.body.replaceWith(document.adoptNode(next.body));
    window.scrollTo(0, 0);
    fire();
  }

  function render(response, historyAction) {
    var type = response.headers.get("Content-Type") || "";
    var target = new URL(response.url);
    if (type.indexOf("text/html") !== 0 || !ours(target)) {
      window.location.href = response.url;
      return null;
    }
    return response.text().then(function (html) { swap(html, response.url, historyAction); });
  }

  function visit(location) {
    // Like Turbolinks: the address changes as the visit starts, the page arrives later.
    window.history.pushState({turbolinks: true}, "", location);
    fetch(location, {credentials: "same-origin", headers: {"Accept": "text/html", "Turbolinks-Referrer": document.URL}})
      .then(function (response) { return render(response, "replace"); })
      .catch(function () { window.location.href = location; });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey || link.target || link.hasAttribute("download") || link.getAttribute("data-turbolinks") === "false") {
      return;
    }
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) === "#") {
      return;
    }
    var url = new URL(link.href, document.baseURI);
    if (!ours(url)) {
      return;
    }
    event.preventDefault();
    visit(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.getAttribute("data-turbolinks") === "false" ||
        (form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    var action = new URL(form.getAttribute("action") || document.URL, document.baseURI);
    if (!ours(action)) {
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    fetch(action.href, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"Accept": "text/html", "X-CSRF-Token": data.get("authenticity_token") || ""}})
      .then(function (response) { return render(response, "push"); })
      // Redirected off the backoffice (into the login chain) or the network failed: post it the ordinary way.
      .catch(function () { HTMLFormElement.prototype.submit.call(form); });
  });

  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.turbolinks) {
      window.location.reload();
    }
  });

  window.Turbolinks = {visit: visit, supported: true};
  // The page scripts after this one (in application.js) run before DOMContentLoaded: fire then, so they hear it.
  if (document.readyState === "complete") {
    fire();
  } else {
    document.addEventListener("DOMContentLoaded", fire);
  }
})();
