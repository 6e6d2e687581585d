/* Live deadline countdowns in words on the appeals pages: every element with data-due-words
   (an ISO 8601 time) reads "Due in 2 days 4 hours" or "Overdue by 3 hours", updated every 30
   seconds and after an htmx swap. The page already says the same, and the time, without
   JavaScript. */
(function () {
  "use strict";

  if (window.htmx) {
    // No inline <style> for indicators (the CSP refuses it), and a refusal answered 4xx (said
    // in words beside the form) is swapped in like any other answer.
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "...", swap: false, error: true },
    ];
  }

  function count(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function span(ms) {
    var minutes = Math.max(Math.floor(ms / 60000), 1);
    if (minutes < 60) return count(minutes, "minute");
    var hours = Math.floor(minutes / 60), rest = minutes % 60;
    if (hours >= 24) {
      var days = Math.floor(hours / 24), h = hours % 24;
      return count(days, "day") + (h ? " " + count(h, "hour") : "");
    }
    return count(hours, "hour") + (rest && hours < 10 ? " " + rest + " min" : "");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due-words]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due-words"));
      if (isNaN(due)) return;
      var gap = due - now;
      var text = gap < 0 ? "Overdue by " + span(-gap) : "Due in " + span(gap);
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
