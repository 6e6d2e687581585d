// The staffing calculator answers as the numbers change (htmx swaps in the form and answer the
// server sends back). An answer that comes back after the analyst typed on is stale: swapping it
// in would put the old numbers back in the fields, so it is dropped; the request for what is in
// the fields now is already on its way.
(function () {
  "use strict";
  function pairs(data) {
    var out = [];
    data.forEach(function (value, key) { out.push(key + "=" + value); });
    return out.sort().join("&");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt;
    var sent = event.detail.requestConfig && event.detail.requestConfig.formData;
    if (!form || !form.matches || !form.matches("form[data-live]") || !sent) return;
    if (pairs(sent) !== pairs(new FormData(form))) event.detail.shouldSwap = false;
  });
})();
