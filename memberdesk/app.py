"""The FastAPI application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

from memberdesk import __version__
from memberdesk.compliance.crypto import load_and_install
from memberdesk.compliance.deps import PUBLIC, AuthRequired, public
from memberdesk.config import Settings, get_settings
from memberdesk.db import SessionDep, make_engine, make_sessionmaker
from memberdesk.errors import MemberdeskError
from memberdesk.logging import configure_logging
from memberdesk.web.middleware import security_headers

log = logging.getLogger("memberdesk.app")
STATIC_DIR = Path(__file__).parent / "web" / "static"
API_DESCRIPTION = """
memberdesk's JSON API. Authenticate with an API token (`POST /api/auth/token`, then the
**Authorize** button: `Bearer mdt_…`) or a signed-in browser session (state-changing requests
then need the `X-CSRF-Token` header). Every route requires one permission of the role matrix;
fields a role may not see come back masked. Member IDs, names, dates of birth and phone numbers
are PHI: search takes them in a POST body, never a URL. Errors are 401, 403, 404, 409 or 422
with the field and the reason, and never echo the value sent.
"""


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    # FastAPI echoes the offending input by default; a malformed member ID or date of birth
    # is still PHI, so only the location and the reason go back.
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment)."""
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
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.middleware("http")(security_headers)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _validation_detail(exc)})

    @app.exception_handler(MemberdeskError)
    async def _domain_error(request: Request, exc: MemberdeskError) -> Response:
        if isinstance(exc, AuthRequired) and not request.url.path.startswith("/api/"):
            return RedirectResponse("/login", status_code=303)
        detail: dict[str, Any] = {"msg": exc.message}
        if exc.field:
            detail["loc"] = exc.field.split(".")
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(
            status_code=exc.status_code, content={"detail": [detail]}, headers=headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged once, through the redaction filter; the caller gets only the request ID.
        request_id = getattr(request.state, "request_id", None)
        log.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            request.method,
            request.url.path,
            exc_info=exc,
            extra={"request_id": request_id},
        )
        return JSONResponse(
            status_code=500,
            content={
                "detail": [{"msg": f"internal error; quote request ID {request_id} to support"}]
            },
        )

    @app.get(
        "/healthz",
        tags=["system"],
        summary="Liveness and database reachability",
        dependencies=[PUBLIC],
    )
    def healthz(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get("/openapi.json", include_in_schema=False, dependencies=[PUBLIC])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(public)])
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="memberdesk API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    from memberdesk.compliance.api import router as compliance_router
    from memberdesk.members.api import router as members_router
    from memberdesk.web.ui import router as ui_router

    app.include_router(members_router)
    app.include_router(compliance_router)
    app.include_router(ui_router)
    return app
