"""The outermost layer of every HTTP request: request ID, security headers, the access line,
and the answer to an error nothing else handled.

A plain ASGI middleware (no extra task or stream per request, unlike ``BaseHTTPMiddleware``). It
sits inside Starlette's ``ServerErrorMiddleware`` and answers unexpected errors itself, so:
every answer, a 500 included, carries the security headers; the error is logged once (Starlette
would log and re-raise it to uvicorn, which logs it again and drops the keep-alive connection);
and a lost database is a 503 with ``Retry-After``, not a 500.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from sqlalchemy import exc as sa_exc
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberdesk.fhir.outcome import FHIR_JSON, is_fhir_path, outcome_body
from memberdesk.web import idempotency
from memberdesk.web.errors import json_body, page_body, wants_html

log = logging.getLogger("memberdesk.http")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)
# Swagger UI sets inline styles on its own elements; /docs shows no member data. Its script is
# a file of ours, so scripts stay 'self' only.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
# A client's request ID is echoed in headers and stored in the audit log (and so in CSV
# reports): only short, plain identifiers are kept; anything else is replaced by our own.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (
    sa_exc.OperationalError,  # server gone, connection refused, SQLite busy past its timeout
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # no pooled connection came free in time
)


def _headers(path: str, scheme: str) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", DOCS_CSP if path == "/docs" else CSP),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if not path.startswith("/static/"):
        headers.append(("Cache-Control", "no-store"))  # pages and API answers may hold PHI
    if scheme == "https":
        headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return headers


def route_path(scope: Scope) -> str:
    """The route's template (``/api/members/{member_id}``), never the raw path: a mistyped URL
    can carry a name or a date of birth, and access logs are not PHI stores."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    raw: str = scope.get("path", "")
    return "/static/…" if raw.startswith("/static/") else "(no route)"


def is_unavailable(exc: BaseException) -> bool:
    """The database (or a connection to it) is missing, busy or refused: worth a retry."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, UNAVAILABLE)


class RequestMiddleware:
    """Request ID, security headers, access log and last-resort error answers."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = _header(scope, b"x-request-id")
        request_id = supplied if REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0
        extra = _headers(scope["path"], scope.get("scheme", "http"))

        held: list[Message] = []  # an answer to keep for Idempotency-Key, sent once stored

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in extra:
                    headers[name] = value
            claim = scope["state"].get(idempotency.STATE)
            if claim is None:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await _settle(scope, claim, status, held)
                for m in held:
                    await send(m)

        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            # Refused before a byte of the body is read; a body without a length is counted
            # as it arrives (``receive`` below) and refused the same way.
            await self._too_large(scope, send_with_headers)
            return
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise StarletteHTTPException(413)
            return message

        try:
            await self.app(scope, receive_limited, send_with_headers)
        except Exception as exc:
            claim = scope["state"].pop(idempotency.STATE, None)
            if claim is not None and not held:
                await _settle(scope, claim, 500, [])
            if status:  # the answer had begun; nothing more can be said to the client
                log.error(
                    "error after the response began on %s %s",
                    scope["method"],
                    route_path(scope),
                    exc_info=exc,
                    extra={"request_id": request_id},
                )
                raise
            await self._fail(scope, exc, request_id, send_with_headers)
        finally:
            log.info(
                "%s %s %s",
                scope["method"],
                route_path(scope),
                status,
                extra={
                    "request_id": request_id,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    async def _too_large(self, scope: Scope, send: Send) -> None:
        msg = f"request body larger than {self.max_body_bytes:,} bytes"
        await _answer(scope, send, 413, [{"loc": ["body"], "msg": msg, "type": "too_large"}])

    async def _fail(self, scope: Scope, exc: Exception, request_id: str, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = []
        # Our own reference for the help desk, never the client's request ID echoed back.
        ref = uuid.uuid4().hex[:12]
        if is_unavailable(exc):
            code, kind = 503, "unavailable"
            msg = "the database is unavailable or busy; try again in a few seconds"
            headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
            log.warning(
                "database unavailable (%s) on %s %s",
                type(exc).__name__,
                scope["method"],
                route_path(scope),
                extra={"request_id": request_id},
            )
        else:
            code, kind = 500, "internal"
            msg = f"internal error; quote reference {ref} to support"
            log.error(
                "unhandled %s on %s %s (reference %s)",
                type(exc).__name__,
                scope["method"],
                route_path(scope),
                ref,
                exc_info=exc,
                extra={"request_id": request_id},
            )
        await _answer(scope, send, code, [{"loc": [], "msg": msg, "type": kind}], headers, ref)


async def _answer(
    scope: Scope,
    send: Send,
    code: int,
    detail: list[dict[str, Any]],
    headers: list[tuple[bytes, bytes]] | None = None,
    reference: str | None = None,
) -> None:
    """Send an error answer from the middleware: a page for browsers, else the JSON shape."""
    if is_fhir_path(scope.get("path", "")):
        body, media = outcome_body(code, detail), FHIR_JSON.encode()
    elif wants_html(scope):
        body, media = page_body(scope, code, None, reference), b"text/html; charset=utf-8"
    else:
        body, media = json_body(detail), b"application/json"
    headers = [*(headers or []), (b"content-type", media)]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _settle(scope: Scope, claim: idempotency.Claim, status: int, held: list[Message]) -> None:
    start = next((m for m in held if m["type"] == "http.response.start"), None)
    media = ""
    if start is not None:
        media = MutableHeaders(scope=start).get("content-type", "")
    body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
    sessions = scope["app"].state.sessions
    await run_in_threadpool(idempotency.settle, sessions, claim, status, media, body)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def retry_after(seconds: int = RETRY_AFTER_SECONDS) -> dict[str, Any]:
    """Headers of a 503 answer."""
    return {"Retry-After": str(seconds)}
