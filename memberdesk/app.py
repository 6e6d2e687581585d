"""The FastAPI application factory."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from memberdesk import __version__
from memberdesk.compliance import audit
from memberdesk.compliance.audit_batch import BATCHER, AuditBatcher
from memberdesk.compliance.crypto import load_and_install
from memberdesk.compliance.deps import PUBLIC, AuthRequired
from memberdesk.compliance.throttle import AnonymousGate
from memberdesk.config import Settings, get_settings
from memberdesk.db import DbRoute, Sessions, make_engine, make_sessionmaker
from memberdesk.errors import MemberdeskError
from memberdesk.fhir.outcome import FHIR_JSON, is_fhir_path, outcome_body
from memberdesk.logging import configure_logging
from memberdesk.web import idempotency
from memberdesk.web import openapi as openapi_doc
from memberdesk.web.errors import json_body, page_body, wants_html
from memberdesk.web.i18n import LanguageMiddleware
from memberdesk.web.middleware import RequestMiddleware, retry_after
from memberdesk.web.pages import templates
from memberdesk.worker import Worker

log = logging.getLogger("memberdesk.app")
STATIC_DIR = Path(__file__).parent / "web" / "static"
API_DESCRIPTION = """
memberdesk's JSON API. Authenticate with an API token (`POST /api/auth/token`, then the
**Authorize** button: paste the `mdt_…` token) or a signed-in browser session (this page adds
the session's `X-CSRF-Token` to writes). Every route requires one permission of the role matrix;
fields a role may not see come back masked. Member IDs, names, dates of birth and phone numbers
are PHI: search takes them in a POST body, never a URL. Every error has one shape,
`{"detail": [{"loc", "msg", "type"}]}`, naming the field and the rule, never the value sent; a
busy or unreachable database answers 503 with `Retry-After`. Create requests (201) accept an
`Idempotency-Key` header: a retry with the same key gets the first answer.
"""


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    # FastAPI echoes the offending input by default; a malformed member ID or date of birth
    # is still PHI, so only the location and the reason go back.
    return [
        {
            "loc": list(err.get("loc", ())),
            # Our validators' own words, without Pydantic's "Value error, " label.
            "msg": str(err.get("msg", "")).removeprefix("Value error, "),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


def _error(
    request: Request,
    status: int,
    detail: list[dict[str, Any]],
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error in the one JSON shape, as an OperationOutcome under /fhir, or as a page for a
    browser."""
    if is_fhir_path(request.url.path):
        return Response(outcome_body(status, detail), status, headers=headers, media_type=FHIR_JSON)
    if wants_html(request.scope):
        return HTMLResponse(
            page_body(request.scope, status, None, None), status_code=status, headers=headers
        )
    return Response(json_body(detail), status, headers=headers, media_type="application/json")


def _login_redirect(request: Request) -> RedirectResponse:
    """A page asked for without a live session: sign in, then come back here."""
    query: dict[str, str] = {"next": request.url.path}
    if getattr(request.state, "session_ended", False):
        query["notice"] = "expired"
    return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)


class _HealthCheck:
    """The database answered within the last second: load balancers poll often, and a flood
    of health checks must not become a flood of database work."""

    FRESH_SECONDS = 1.0

    def __init__(self) -> None:
        self.ok_at = -1e9

    async def check(self, sessions: Sessions) -> None:
        if time.monotonic() - self.ok_at < self.FRESH_SECONDS:
            return
        await run_in_threadpool(self._select_one, sessions)  # raises: 503 via the middleware
        self.ok_at = time.monotonic()

    @staticmethod
    def _select_one(sessions: Sessions) -> None:
        with sessions.read() as session:
            session.execute(text("SELECT 1"))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # Sync routes run in this many threads, one per pooled connection: a thread never waits
    # for a connection while holding nothing, nor holds one while waiting for a thread.
    to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
    worker: Worker | None = app.state.worker
    if worker is not None:
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
        if app.state.audit_batcher is not None:
            app.state.audit_batcher.close()


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, *, background: bool = True
) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment). ``background``
    runs the worker's jobs (audit sequencer, housekeeping) in a thread while it serves."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    load_and_install(settings.var_dir)
    engine = engine or make_engine(settings)

    app = FastAPI(
        title="memberdesk",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    # On PostgreSQL, requests write audit entries for the sequencer instead of queueing on the
    # chain's head lock (see compliance/audit.py); SQLite's write lock already orders them.
    defer = engine.dialect.name == "postgresql"
    app.state.settings = settings
    app.state.engine = engine
    # On SQLite, reading routes' audit entries are group-committed (compliance/audit_batch.py).
    batcher = (
        AuditBatcher(make_sessionmaker(engine), settings.sqlite_busy_timeout_ms / 1000)
        if engine.dialect.name == "sqlite"
        else None
    )
    app.state.audit_batcher = batcher
    app.state.sessions = Sessions(
        engine,
        info={audit.DEFER_SEALING: defer},
        reading_info={BATCHER: batcher} if batcher else None,
    )
    app.state.anonymous_gate = AnonymousGate(settings.anonymous_rate, max_wait=10.0)
    app.state.worker = Worker(engine) if background else None
    if defer and app.state.worker is not None:
        worker = app.state.worker

        @event.listens_for(app.state.sessions.write_factory, "after_commit")
        def _seal_soon(session: Session) -> None:
            if session.info.pop(audit.WROTE_PENDING, False):
                worker.kick()

    app.router.route_class = DbRoute
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(RequestMiddleware, max_body_bytes=settings.max_body_bytes)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # FHIR answers a malformed read or search with 400 (422 is for business rules on writes).
        status = 400 if is_fhir_path(request.url.path) else 422
        return _error(request, status, _validation_detail(exc))

    @app.exception_handler(MemberdeskError)
    async def _domain_error(request: Request, exc: MemberdeskError) -> Response:
        if isinstance(exc, AuthRequired) and wants_html(request.scope):
            return _login_redirect(request)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if exc.status_code == 503:
            headers = retry_after()
        elif exc.status_code == 429:
            headers = retry_after(60)
        return _error(request, exc.status_code, [exc.detail()], headers)

    @app.exception_handler(idempotency.ReplayAnswer)
    async def _replay(_: Request, exc: idempotency.ReplayAnswer) -> Response:
        r = exc.replay
        return Response(
            r.body, r.status_code, media_type=r.media_type, headers={"Idempotent-Replayed": "true"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown routes, wrong methods, oversized bodies: the same shape as every other error.
        kind = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        msg = {
            404: "no such route",
            405: "this route does not take that method",
            413: f"request body larger than {settings.max_body_bytes:,} bytes",
        }.get(exc.status_code, str(exc.detail))
        return _error(
            request, exc.status_code, [{"loc": [], "msg": msg, "type": kind}], exc.headers
        )

    health = _HealthCheck()

    @app.get(
        "/healthz",
        tags=["system"],
        summary="Liveness and database reachability",
        dependencies=[PUBLIC],
        responses={503: {"description": "The database is unreachable; retry after a while"}},
    )
    async def healthz(request: Request) -> dict[str, str]:
        await health.check(request.app.state.sessions)
        return {"status": "ok", "version": __version__}

    @app.get("/openapi.json", include_in_schema=False, dependencies=[PUBLIC])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[PUBLIC])
    def docs(request: Request) -> HTMLResponse:
        # Swagger UI from this origin, started by a static script (no inline code).
        return templates.TemplateResponse(request, "docs.html")

    def _openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_doc.build(app)
        return app.openapi_schema

    app.openapi = _openapi  # type: ignore[method-assign]

    from memberdesk.appeals.api import router as appeals_router
    from memberdesk.appeals.api_reports import router as appeal_reports_router
    from memberdesk.appeals.api_tier3 import router as tier3_router
    from memberdesk.breaches.api import router as breaches_router
    from memberdesk.cases.api import router as cases_router
    from memberdesk.cases.api_docs import router as documents_router
    from memberdesk.cases.api_work import router as work_router
    from memberdesk.cases.portal import router as cases_portal_router
    from memberdesk.compliance.api import router as compliance_router
    from memberdesk.contacts.api import router as contacts_router
    from memberdesk.enroll.api import router as enroll_router
    from memberdesk.fhir.api import router as fhir_router
    from memberdesk.ivr.api import router as ivr_router
    from memberdesk.kb.api import router as kb_router
    from memberdesk.kb.api_feedback import router as kb_feedback_router
    from memberdesk.kpi.api import router as kpi_router
    from memberdesk.kpi.twilio import router as twilio_router
    from memberdesk.letters.api import router as letters_router
    from memberdesk.members.api import router as members_router
    from memberdesk.navigators.api import router as navigators_router
    from memberdesk.quality.api import router as qa_router
    from memberdesk.sla.api import router as sla_router
    from memberdesk.surveys.api import router as surveys_router
    from memberdesk.training.api import router as training_router
    from memberdesk.vendors.api import router as vendors_router
    from memberdesk.web.ui import router as ui_router
    from memberdesk.wfm.api import router as wfm_router

    app.include_router(members_router)
    app.include_router(compliance_router)
    app.include_router(cases_router)
    app.include_router(work_router)
    app.include_router(documents_router)
    app.include_router(cases_portal_router)
    app.include_router(appeals_router)
    app.include_router(tier3_router)
    app.include_router(appeal_reports_router)
    app.include_router(breaches_router)
    app.include_router(vendors_router)
    app.include_router(sla_router)
    app.include_router(wfm_router)
    app.include_router(surveys_router)
    app.include_router(contacts_router)
    app.include_router(navigators_router)
    app.include_router(kpi_router)
    app.include_router(twilio_router)
    app.include_router(ivr_router)
    app.include_router(letters_router)
    app.include_router(kb_router)
    app.include_router(training_router)
    app.include_router(kb_feedback_router)
    app.include_router(fhir_router)
    app.include_router(enroll_router)
    app.include_router(qa_router)
    app.include_router(ui_router)
    return app
