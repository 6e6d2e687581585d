"""The surveys' pages: the member's survey behind a link (public: the token is the only key),
and for staff the results against target, the comments (audited) and the invitations that did
not go out (audited). Same services, rules and audit as the JSON API.

The survey page speaks the invitation's language (English or Spanish; the member may switch),
shows one question per fieldset, and says what is wrong beside the question, in that language.
Its form, like the sign-in form, has no session to carry a CSRF token: it checks a token of its
own in a strict cookie (double submit).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.permissions import policy
from memberdesk.contacts.models import Contact
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, NotFound
from memberdesk.kpi.ui import LINES, STANDING, period_form, share_words
from memberdesk.sla.packs import zone_of
from memberdesk.surveys import api, report, service, words
from memberdesk.surveys.enums import (
    Breakdown,
    CahpsAnswer,
    InvitationState,
    Language,
    SkipReason,
)
from memberdesk.surveys.models import SurveyInvitation
from memberdesk.surveys.schemas import COMMENT_MAX, AnswerIn
from memberdesk.web.account_pages import form_token, form_token_ok, keep_form_token
from memberdesk.web.pages import allows, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
KpiReader = Annotated[Principal, requires(Permission.KPI_READ)]
SurveyReader = Annotated[Principal, requires(Permission.SURVEY_READ)]
Token = Annotated[str, Path(max_length=100)]
CSRF_COOKIE = "md_survey_csrf"
COOKIE_PATH = "/survey"
BREAKDOWNS = {"": "No breakdown", "agent": "Agent", "channel": "Channel"}
PAGE_SIZE = 50
# The standings of CSAT (a floor) and NPS (a range whose top is "warn below") in words.
NPS_STANDING = {
    "ok": "At or above the top of the target range",
    "warning": "Within the target range",
    "breach": "Misses the target",
}
SKIP_WORDS = {
    SkipReason.THROTTLED: "Surveyed within the last 30 days",
    SkipReason.OPTED_OUT: "Asked for no surveys",
    SkipReason.NO_ADDRESS: "No e-mail address or phone we may use",
    SkipReason.MINOR: "Under 18",
}
STATE_WORDS = {
    "not_sent": "Not sent (waiting, failed or skipped)",
    InvitationState.PENDING.value: "Waiting to be sent",
    InvitationState.SENDING.value: "Being sent",
    InvitationState.FAILED.value: "Failed to send",
    InvitationState.SKIPPED.value: "Skipped",
    InvitationState.SENT.value: "Sent, not answered",
    InvitationState.ANSWERED.value: "Answered",
}
ERROR_WORDS = {
    "no_address": "the member can no longer be reached on this channel",
    "smtp_unavailable": "the mail server could not be reached",
    "smtp_refused": "the mail server refused the address",
    "smtp_rejected": "the mail server refused the message",
    "smtp_login_refused": "the mail server refused memberdesk's login",
    "sms_not_configured": "no text-message gateway is set up",
}


# --- the member's survey (public) --------------------------------------------------------------


def _language(asked: str, invitation: SurveyInvitation | None) -> Language:
    if asked in (Language.EN.value, Language.ES.value):
        return Language(asked)
    if invitation is not None and invitation.language == Language.ES.value:
        return Language.ES
    return Language.EN


def _find(session: Session, token: str) -> SurveyInvitation | None:
    try:
        return service.find(session, token, "path.token")
    except NotFound:
        return None


def _survey_page(
    request: Request,
    session: Session,
    token: str,
    invitation: SurveyInvitation | None,
    language: Language,
    *,
    state: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    months = service.lookback_months(invitation.pack) if invitation else 12
    text = words.page_text(language, months)
    contact_day = closes = ""
    if invitation is not None:
        zone = zone_of(invitation.pack)
        contact = session.get(Contact, invitation.contact_id)
        if contact is not None:
            contact_day = words.long_day(contact.started_at.astimezone(zone).date(), language)
        if invitation.expires_at is not None:
            closes = words.long_day(invitation.expires_at.astimezone(zone).date(), language)
    csrf = form_token(request, CSRF_COOKIE)
    response = render(
        request,
        "surveys/answer.html",
        None,
        status=status,
        t=text,
        lang=language.value,
        other=Language.ES.value if language is Language.EN else Language.EN.value,
        token=token,
        state=state,
        errors=errors or {},
        typed=typed or {},
        csat_labels=words.CSAT_LABELS[language],
        cahps_labels=words.CAHPS_LABELS[language],
        contact_day=contact_day,
        closes=closes,
        csrf_token=csrf,
        comment_max=COMMENT_MAX,
    )
    return keep_form_token(response, request, CSRF_COOKIE, csrf, COOKIE_PATH)


def _state_of(invitation: SurveyInvitation | None) -> str:
    if invitation is None:
        return "unknown"
    return {"open": "form", "answered": "thanks"}.get(service.status(invitation, now()), "closed")


@router.get("/survey/{token}", dependencies=[PUBLIC])
def survey_page(
    token: Token, request: Request, session: ReadingSessionDep, lang: str = ""
) -> Response:
    """The survey behind an invitation's link, in the member's language."""
    invitation = _find(session, token)
    state = _state_of(invitation)
    status = {"unknown": 404, "closed": 410}.get(state, 200)
    response = _survey_page(
        request, session, token, invitation, _language(lang, invitation), state=state, status=status
    )
    session.commit()
    return response


def _parse(form: dict[str, str], text: dict[str, str]) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's answers, or an error per question in the member's language."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, low, high, message in (("csat", 1, 5, "err_csat"), ("nps", 0, 10, "err_nps")):
        raw = form.get(name, "")
        if raw.isdigit() and low <= int(raw) <= high:
            values[name] = int(raw)
        else:
            errors[name] = text[message]
    for name in ("cahps_help", "cahps_courtesy"):
        raw = form.get(name, "")
        if raw in ("", "skip"):
            values[name] = None
        elif raw in {a.value for a in CahpsAnswer}:
            values[name] = CahpsAnswer(raw)
        else:
            errors[name] = text["err_cahps"]
    comment = form.get("comment", "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = text["err_comment"].format(n=f"{COMMENT_MAX:,}")
    values["comment"] = comment or None
    values["opt_out"] = bool(form.get("opt_out"))
    return errors, values


@router.post("/survey/{token}", dependencies=[PUBLIC])
def submit_survey(
    token: Token,
    request: Request,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "answer",
    lang: Annotated[str, Form()] = "",
    csat: Annotated[str, Form()] = "",
    nps: Annotated[str, Form()] = "",
    cahps_help: Annotated[str, Form()] = "",
    cahps_courtesy: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    opt_out: Annotated[str, Form()] = "",
) -> Response:
    """The same answer as ``POST /api/surveys/answers``; or, with ``action=stop``, no more
    surveys for this member (that works on any link of theirs, answered or closed)."""
    invitation = _find(session, token)
    language = _language(lang, invitation)
    text = words.page_text(language, 12)
    if invitation is None:
        return _survey_page(request, session, token, None, language, state="unknown", status=404)
    typed = {
        "csat": csat[:2],
        "nps": nps[:2],
        "cahps_help": cahps_help[:16],
        "cahps_courtesy": cahps_courtesy[:16],
        "comment": comment[: COMMENT_MAX + 100],
        "opt_out": "yes" if opt_out else "",
    }
    if not form_token_ok(request, CSRF_COOKIE, csrf_token):
        state = _state_of(invitation)
        errors = {"": text["expired_form"]} if state == "form" else {}
        return _survey_page(
            request, session, token, invitation, language, state=state, status=403, errors=errors
        )
    ctx = api.link_context(request)
    if action == "stop":
        service.set_preference(
            session, ctx, invitation.member_id, opted_out=True, via="link", at=now()
        )
        session.commit()
        return _survey_page(request, session, token, invitation, language, state="stopped")
    state = _state_of(invitation)
    if state != "form":
        return _survey_page(
            request,
            session,
            token,
            invitation,
            language,
            state=state,
            status=409 if state == "thanks" else 410,
        )
    errors, values = _parse(typed, text)
    if errors:
        errors[""] = text["form_error"]
        return _survey_page(
            request,
            session,
            token,
            invitation,
            language,
            state="form",
            status=422,
            errors=errors,
            typed=typed,
        )
    try:
        body = AnswerIn(token=token, **values)
    except ValidationError:  # the page checks what the API checks; this is a second net
        return _survey_page(
            request, session, token, invitation, language, state="form", status=422, typed=typed
        )
    try:
        service.answer(session, ctx, invitation, body, at=now())
    except service.SurveyClosed:
        session.rollback()
        session.refresh(invitation)
        state = _state_of(invitation)
        return _survey_page(request, session, token, invitation, language, state=state, status=409)
    session.commit()
    return RedirectResponse(f"/survey/{token}?lang={language.value}", status_code=303)


# --- results, comments and invitations (staff) -------------------------------------------------


def cahps_words(item: dict[str, Any], key: str = "usually_or_always") -> str:
    """A CAHPS rate, or NA (fewer than 100 answers)."""
    value = item.get(key)
    return "NA" if value is None else f"{value:.1%}"


def _filters(
    first: str | None, last: str | None, pack: str
) -> tuple[dict[str, str], dict[str, str], date | None, date | None]:
    typed, errors, start, end = period_form(first, last, pack)
    if start and end and end < start:
        errors["to"] = "The last day must not be before the first."
    return typed, errors, start, end


@router.get("/surveys", response_class=HTMLResponse)
def results_page(
    request: Request,
    session: ReadingSessionDep,
    principal: KpiReader,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    pack: str = "calchoice",
    by: str = "",
) -> HTMLResponse:
    """Survey results over whole days (this month so far by default), against target."""
    typed, errors, start, end = _filters(first, last, pack)
    typed["by"] = by
    if by not in BREAKDOWNS:
        errors["by"] = "Choose a breakdown from the list."
    found: dict[str, Any] | None = None
    if not errors and start is not None and end is not None:
        try:
            found = report.survey_report(session, pack, start, end, Breakdown(by) if by else None)
        except InvalidInput as exc:
            errors["to"] = exc.message[:1].upper() + exc.message[1:] + "."
    session.commit()
    return render(
        request,
        "surveys/results.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        report=found,
        lines=LINES,
        breakdowns=BREAKDOWNS,
        standing={"csat": STANDING, "nps": NPS_STANDING},
        share=share_words,
        points=words.points_words,
        cahps=cahps_words,
        by_label=BREAKDOWNS.get(by, ""),
        skip_words=SKIP_WORDS,
        may_read=allows(principal, Permission.SURVEY_READ),
    )


@router.get("/surveys/comments", response_class=HTMLResponse)
def comments_page(
    request: Request,
    session: ReadingSessionDep,
    principal: SurveyReader,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    pack: str = "calchoice",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Members' comments, newest first, with their scores (every view audited)."""
    typed, errors, start, end = _filters(first, last, pack)
    rows: list[Any] = []
    total = 0
    if not errors and start is not None and end is not None:
        try:
            lo, hi = api.period(pack, start, end)
        except InvalidInput as exc:
            errors["to"] = exc.message[:1].upper() + exc.message[1:] + "."
        else:
            found, total = service.comments(
                session,
                pack,
                lo,
                hi,
                agent_id=None,
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
            rows = api.comment_rows(session, principal, found)
            api.audit_comments(
                session, audit_ctx(request, principal), found, total, request.url.path
            )
    session.commit()
    return render(
        request,
        "surveys/comments.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        lines=LINES,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        zone=zone_of(pack if pack in LINES else "calchoice"),
        reduced=bool(policy(principal.role).mask),
        channel_words=report.CHANNEL_WORDS,
    )


@router.get("/surveys/invitations", response_class=HTMLResponse)
def invitations_page(
    request: Request,
    session: ReadingSessionDep,
    principal: SurveyReader,
    state: str = "not_sent",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Invitations that did not go out, and why (every view audited)."""
    errors: dict[str, str] = {}
    if state not in STATE_WORDS:
        errors["state"] = "Choose what to show from the list."
        state = "not_sent"
    states = service.NOT_SENT if state == "not_sent" else (InvitationState(state),)
    found, total = service.invitations(
        session, states=states, pack=None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    rows = api.invitation_rows(session, found)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.SURVEY_INVITATIONS_READ,
        object_type="survey_invitations",
        member_ids=sorted({i.member_id for i in found}),
        detail={"path": request.url.path[:120], "shown": len(found), "total": total},
    )
    session.commit()
    return render(
        request,
        "surveys/invitations.html",
        principal,
        status=422 if errors else 200,
        errors=errors,
        typed={"state": state},
        states=STATE_WORDS,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        skip_words=SKIP_WORDS,
        error_words=ERROR_WORDS,
        zone=zone_of("calchoice"),
        channel_words=report.CHANNEL_WORDS,
    )
