/* The agent desktop's keyboard shortcuts and htmx settings. A file of its own: the site's
   Content-Security-Policy allows no inline script.

   A key pressed outside a text field acts on the page's element marked data-shortcut="<key>":
   a field or checkbox gets the focus, a <details> opens or closes, a link or button is clicked.
   Keys typed into fields are left alone (Esc leaves the field). */
(function () {
  "use strict";

  if (window.htmx) {
    // No inline <style> for indicators (the CSP refuses it), and a page answering 4xx (a
    // refusal in words beside the field) is shown like any other answer.
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "...", swap: false, error: true },
    ];
  }

  function typing(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (!key) return;
    var target = document.querySelector('[data-shortcut="' + CSS.escape(key) + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName.toLowerCase() === "details") {
      target.open = !target.open;
      var summary = target.querySelector("summary");
      if (summary) summary.focus();
    } else if (typing(target)) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
    } else {
      target.click();
    }
  });
})();
