/* Live deadline countdowns on the case pages: every element with data-due (an ISO 8601 time)
   reads "due in 3 h 20 min" or "overdue by 2 h", updated every 30 seconds and after an htmx
   swap. The page already says the same, and the time in words, without JavaScript. */
(function () {
  "use strict";

  function span(ms) {
    var minutes = Math.max(Math.floor(ms / 60000), 1);
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60), rest = minutes % 60;
    if (hours < 72) return hours + " h" + (rest ? " " + rest + " min" : "");
    var days = Math.floor(hours / 24), h = hours % 24;
    return days + " days" + (h ? " " + h + " h" : "");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var gap = due - now;
      var text = gap < 0 ? "overdue by " + span(-gap) : "due in " + span(gap);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("late", gap < 0);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tick);
  } else {
    tick();
  }
  document.addEventListener("htmx:afterSwap", tick);
  window.setInterval(tick, 30000);
})();
