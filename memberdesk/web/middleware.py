"""Request IDs and security headers on every response."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

log = logging.getLogger("memberdesk.http")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)
# Swagger UI boots from one inline script; /docs shows no member data.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Tag the request with an ID and harden the response."""
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    request.state.request_id = request_id[:64]
    started = time.perf_counter()
    response = await call_next(request)
    headers = response.headers
    headers["X-Request-ID"] = request.state.request_id
    headers["Content-Security-Policy"] = DOCS_CSP if request.url.path == "/docs" else CSP
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if not request.url.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"  # pages and API answers may hold PHI
    if request.url.scheme == "https":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # The path carries internal ids only; search terms travel in bodies, never URLs.
    log.info(
        "%s %s %s",
        request.method,
        request.url.path,
        response.status_code,
        extra={
            "request_id": request.state.request_id,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response
