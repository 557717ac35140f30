/* STF Tracker: the league table's footprint select offers only the chosen region's footprints.
 * The page already sends only the chosen region's; this keeps the select in step when the region
 * select changes, before the form is sent. Every footprint is in the JSON block the select names
 * (data-footprints). Without JavaScript the form works the same, one request later. */
(function () {
  "use strict";

  function narrow(select, footprints, region) {
    var chosen = select.value;
    while (select.options.length > 1) { select.remove(1); }  // keep "All footprints"
    footprints.forEach(function (footprint) {
      if (region && footprint.region__code !== region) { return; }
      select.add(new Option(footprint.name, footprint.code, false, footprint.code === chosen));
    });
    if (select.value !== chosen) { select.value = ""; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-footprints]");
    var regions = document.getElementById("filter-region");
    var data = select && document.getElementById(select.getAttribute("data-footprints"));
    if (!select || !regions || !data) { return; }
    var footprints = JSON.parse(data.textContent);
    regions.addEventListener("change", function () { narrow(select, footprints, regions.value); });
  });
}());
