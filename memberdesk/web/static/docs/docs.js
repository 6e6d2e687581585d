// The API reference (Swagger UI), served from this origin with no inline script.
// Signed in through the browser, "Try it out" rides on the session cookie: writes then need the
// session's CSRF token, which /api/auth/me hands to the page that holds the cookie.
(function () {
  "use strict";
  var csrf = null;
  fetch("/api/auth/me", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) { csrf = me && me.csrf_token; })
    .catch(function () {});

  var root = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    // Deep links put a link inside each operation's toggle button (nested controls).
    deepLinking: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (req) {
      var method = (req.method || "GET").toUpperCase();
      if (csrf && ["GET", "HEAD", "OPTIONS"].indexOf(method) < 0) {
        req.headers["X-CSRF-Token"] = csrf;
      }
      return req;
    },
  });
})();
