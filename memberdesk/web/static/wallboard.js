/* The wallboard: replaces the board with each update the server sends (server-sent events).
   The browser reconnects by itself when the stream ends or the network drops; the status line
   says so while it does. No inline script: the Content-Security-Policy allows none. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  var status = document.getElementById("board-status");
  if (!board || !window.EventSource) return;
  var source = new EventSource(board.getAttribute("data-stream"));
  source.addEventListener("board", function (e) {
    board.innerHTML = e.data;
    status.textContent = "This board updates itself as calls come in.";
  });
  source.addEventListener("error", function () {
    status.textContent = "Connection lost: reconnecting…";
  });
  var full = document.getElementById("fullscreen");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () {
      document.documentElement.requestFullscreen();
    });
  }
})();
