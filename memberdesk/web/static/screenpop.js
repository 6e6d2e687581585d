/* The agent desktop's screen pop: when the server says a call has reached this agent, the page
   of that call opens (the member the phone menu identified, or a search by the caller's number).
   The stream carries only the page's address; the page itself is read, and audited, on opening.
   No inline script: the Content-Security-Policy allows none. */
(function () {
  "use strict";
  var box = document.getElementById("screen-pop");
  var status = document.getElementById("pop-status");
  if (!box || !window.EventSource) return;
  var source = new EventSource(box.getAttribute("data-stream"));
  source.addEventListener("pop", function (e) {
    var data = JSON.parse(e.data);
    if (typeof data.open !== "string" || data.open.indexOf("/desktop/pops/") !== 0) return;
    status.textContent = "A call has reached you: opening it…";
    source.close();
    window.location.assign(data.open);
  });
  source.addEventListener("open", function () {
    box.setAttribute("data-listening", "yes");
    status.textContent = "Waiting for calls: a call that reaches you opens here by itself.";
  });
  source.addEventListener("error", function () {
    box.removeAttribute("data-listening");
    status.textContent = "Connection lost: reconnecting…";
  });
})();
