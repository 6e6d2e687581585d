"""The FastAPI application factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from memberdesk import __version__
from memberdesk.compliance.crypto import install_keyring, load_or_create_keyring
from memberdesk.config import Settings, get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.errors import MemberdeskError
from memberdesk.logging import configure_logging

API_DESCRIPTION = """
memberdesk's JSON API. Member IDs, names, dates of birth and phone numbers are protected
health information: search takes them in a POST body (never a URL), and responses mask what
the caller's role may not see. Errors are 404 (not found), 409 (conflicts with current
state) or 422 (names the field and the reason; never echoes the value sent).
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
    install_keyring(load_or_create_keyring(settings.var_dir))
    engine = engine or make_engine(settings)

    app = FastAPI(
        title="memberdesk",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _validation_detail(exc)})

    @app.exception_handler(MemberdeskError)
    async def _domain_error(_: Request, exc: MemberdeskError) -> JSONResponse:
        detail: dict[str, Any] = {"msg": exc.message}
        if exc.field:
            detail["loc"] = exc.field.split(".")
        return JSONResponse(status_code=exc.status_code, content={"detail": [detail]})

    @app.get("/healthz", tags=["system"], summary="Liveness and database reachability")
    def healthz() -> dict[str, str]:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__}

    from memberdesk.members.api import router as members_router

    app.include_router(members_router)
    return app
