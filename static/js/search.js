// The header's "Find a trust" box: suggestions from /api/v1/trusts/?search= as the user types, offered
// through the input's <datalist> (so the browser's own keyboard handling applies). Without this
// script the box is a plain search form.
(function () {
  "use strict";
  var input = document.getElementById("trust-search-q");
  var list = document.getElementById("trust-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var asked = "";

  function show(trusts) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    trusts.forEach(function (trust) {
      var option = document.createElement("option");
      option.value = trust.name + " (" + trust.org_code + ")";
      list.appendChild(option);
    });
  }

  function suggest() {
    var query = input.value.trim();
    if (query.length < 2 || query === asked || /\([A-Za-z0-9]{3,8}\)$/.test(query)) { return; }
    asked = query;
    var url = input.getAttribute("data-suggest-url") + "?page_size=10&search=" + encodeURIComponent(query);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (body) { if (input.value.trim() === query) { show(body.results || []); } })
      .catch(function () { show([]); });
  }

  // Enter searches at once, even while the browser shows its list of suggestions (which would
  // otherwise take the first Enter to close itself).
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !input.form) { return; }
    event.preventDefault();
    window.clearTimeout(timer);
    if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
  });

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 200);
  });
})();
