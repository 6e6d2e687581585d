"""The member portal in the member's language: English and Spanish, from gettext catalogues.

Templates mark their words with ``{{ _("…") }}`` (Jinja's i18n extension, new-style: the
translation is autoescaped and takes ``%(name)s`` placeholders). The catalogues are the ``.po``
files under ``memberdesk/locale``; they are compiled in memory when first used, so nothing
generated is committed and there is no build step. ``make messages`` extracts new words into the
catalogue (``pybabel extract`` + ``update``) for a translator to fill in.

Which language a page is in: the ``lang`` of the address (the switch at the top of the page), else
the ``md_lang`` cookie that switch sets, else the one set at sign-in from the member's written
language, else English. Staff pages are written in English only; they stay English unless a
person switches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from memberdesk import language
from memberdesk.language import DEFAULT, LANGUAGES

if TYPE_CHECKING:
    from fastapi.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "md_lang"
COOKIE_DAYS = 365


class LanguageMiddleware:
    """Sets the request's language before anything runs, so that words put together in a route
    (not only in its template) come out in it too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = language.use(chosen(Request(scope)))
        try:
            await self.app(scope, receive, send)
        finally:
            language.reset(token)


def chosen(request: Request) -> str:
    """The language this request asks for: the switch, else the cookie, else English."""
    asked = switched(request)
    if asked:
        return asked
    kept = request.cookies.get(COOKIE, "")
    return kept if kept in LANGUAGES else DEFAULT


def remember(response: Response, request: Request, language: str) -> None:
    """Keep ``language`` for the next pages (chosen with the switch, or the member's at sign-in)."""
    from memberdesk.web.account_pages import secure

    if language in LANGUAGES and request.cookies.get(COOKIE) != language:
        response.set_cookie(
            COOKIE,
            language,
            max_age=COOKIE_DAYS * 86_400,
            samesite="lax",
            httponly=True,
            secure=secure(request),
            path="/",
        )


def switched(request: Request) -> str | None:
    """The language the switch asked for on this request, if it did."""
    asked = request.query_params.get("lang", "")
    return asked if asked in LANGUAGES else None


def of_member(written: str | None, spoken: str | None) -> str:
    """The portal language a member reads: their written language if the portal has it, else
    their spoken one, else English."""
    for code in (written, spoken):
        if code and code[:2].lower() in LANGUAGES:
            return code[:2].lower()
    return DEFAULT
