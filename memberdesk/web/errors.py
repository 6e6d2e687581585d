"""Error answers in one shape: JSON for the API, a page in the site's layout for browsers.

JSON: ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`` for every status, the same
as FastAPI's validation errors. Pages: a plain-words title, what happened, and a way back.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Scope

from memberdesk.web.pages import templates

TITLES = {
    400: ("This request could not be read", "Something in the request was malformed."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("Not available to your role", "Your role does not include this page or action."),
    404: ("Page not found", "There is nothing at this address, or it is not yours to see."),
    405: ("Not possible here", "This page cannot be used that way."),
    409: ("That clashes with a change", "The record changed in the meantime; reload and retry."),
    413: ("Too large", "What you sent is larger than memberdesk accepts."),
    422: ("Please check what you entered", "Some of what you entered could not be used."),
    429: ("Too many attempts", "Please wait a few minutes before trying again."),
    500: ("Something went wrong", "memberdesk could not finish this. Nothing you did caused it."),
    503: ("memberdesk is busy or unavailable", "Please try again in a few seconds."),
}


API_PATHS = ("/api/", "/openapi.json", "/healthz", "/static/", "/fhir")


def wants_html(scope: Scope) -> bool:
    """A page of the site, not an API call: API paths always answer JSON, pages answer HTML."""
    path: str = scope.get("path", "")
    return not (path.startswith(API_PATHS) or path == "/api")


def json_body(detail: list[dict[str, Any]]) -> bytes:
    """The JSON error body."""
    return json.dumps({"detail": detail}).encode()


def page_body(scope: Scope, status: int, message: str | None, reference: str | None) -> bytes:
    """The HTML error page (no principal: it never depends on the database working)."""
    title, default = TITLES.get(status, TITLES[500 if status >= 500 else 400])
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    html = templates.get_template("error.html").render(
        principal=None,
        can=lambda _p: False,
        idle_minutes=getattr(settings, "session_idle_minutes", 15),
        title=title,
        # API messages name fields and permissions (codes); a page says it in plain words.
        message=message or default,
        reference=reference if status >= 500 else None,
        back_href="/",
        back_label="Back to the start page",
    )
    return html.encode()
