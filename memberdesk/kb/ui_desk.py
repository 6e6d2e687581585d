"""Knowledge-base pages for the agent desktop and the team: the desktop's search (the member's
language first), "did it help?" on an article, "no article answered" on a contact, and the
knowledge-gap report. Forms work without JavaScript (Post/Redirect/Get) and carry the CSRF token.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.kb import desk, feedback, ui_views
from memberdesk.kb.enums import FeedbackKind, KbLanguage
from memberdesk.kb.gapwords import gap_rows, month_bounds
from memberdesk.members.enums import LineOfBusiness
from memberdesk.schemas import MAX_ID, id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KB_READ)]
Marker = Annotated[Principal, requires(Permission.KB_FEEDBACK)]
Owner = Annotated[Principal, requires(Permission.KB_WRITE)]
ArticleId = Annotated[int, id_path("article")]
ContactQ = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Where "no article answered" may send the agent back to: the call or the case it came from.
BACK = re.compile(r"^/(desktop/calls|cases)/\d{1,12}$")


@router.get("/kb/desk")
def desk_search(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    contact: ContactQ = None,
    # Not "lang": that one switches the site's own language (web/i18n.py).
    prefer: Annotated[str, Query(max_length=8)] = "en",
    line: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """The desktop's search: results in the member's language first (given by the panel, so
    this page reads no member record); article links carry the call for "did it help?"."""
    language = KbLanguage(prefer) if prefer in {k.value for k in KbLanguage} else KbLanguage.EN
    chosen = LineOfBusiness(line) if line in {x.value for x in LineOfBusiness} else None
    hits: list = []
    total, fixed = 0, None
    if q.strip():
        found, total, fixed = desk.find(session, q, language=language, line=chosen, at=now())
        hits = [ui_views.hit(a, v) for a, v in found]
    return render(
        request,
        "kb/desk.html",
        principal,
        q=q,
        contact=contact,
        back=f"/desktop/calls/{contact}" if contact else None,
        lang=language.value,
        line=chosen.value if chosen else "",
        language=ui_views.LANGUAGE_NAMES[language],
        hits=hits,
        total=total,
        corrected=fixed,
    )


@router.post("/kb/articles/{article_id}/feedback")
def mark_article(
    article_id: ArticleId,
    request: Request,
    session: SessionDep,
    principal: Marker,
    kind: Annotated[str, Form(max_length=32)] = "",
    contact: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Helpful or not: recorded (on the call when opened from one), then back to the article."""
    if kind not in (FeedbackKind.HELPFUL.value, FeedbackKind.NOT_HELPFUL.value):
        raise InvalidInput("choose helpful or not helpful", field="form.kind")
    feedback.record(
        session,
        audit_ctx(request, principal),
        kind=FeedbackKind(kind),
        article_id=article_id,
        contact_id=contact,
        reason=None,
        case_type=None,
        at=now(),
    )
    session.commit()
    also = f"&contact={contact}" if contact else ""
    return RedirectResponse(f"/kb/articles/{article_id}?done={kind}{also}", status_code=303)


@router.post("/kb/feedback/none")
def none_answered(
    request: Request,
    session: SessionDep,
    principal: Marker,
    contact: Annotated[int, Form(ge=1, le=MAX_ID)],
    back: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """No article answered this contact: recorded under its reason, then back where it came
    from (the call or the case; anywhere else is not followed)."""
    feedback.record(
        session,
        audit_ctx(request, principal),
        kind=FeedbackKind.NONE_ANSWERED,
        article_id=None,
        contact_id=contact,
        reason=None,
        case_type=None,
        at=now(),
    )
    session.commit()
    target = back if BACK.match(back) else f"/desktop/calls/{contact}"
    return RedirectResponse(f"{target}?kb=none#kb-help", status_code=303)


@router.get("/kb/gaps")
def gaps_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Owner,
    month: Annotated[str, Query(max_length=7)] = "",
) -> HTMLResponse:
    """The knowledge-gap report of a month (default: this one), per contact reason."""
    error = None
    try:
        first, start, end = month_bounds(month or None, now())
    except MemberdeskError as exc:
        error = exc.message
        first, start, end = month_bounds(None, now())
    rows = gap_rows(feedback.gap_report(session, start, end))
    return render(
        request,
        "kb/gaps.html",
        principal,
        status=422 if error else 200,
        month=first.strftime("%Y-%m"),
        month_name=f"{first:%B %Y}",
        rows=rows,
        error=error,
    )
