"""The knowledge base pages: search and the article view for agents (the version in force, its
verification dates, its translation, what was in force on a past day); the editor for owners
(new article, new version, send for review); the review queue for compliance (the diff against
what is published, contact points to verify, approve, send back, publish, retire).

Forms work without JavaScript (Post/Redirect/Get) and carry the CSRF token; a refusal is said in
words beside its field, with nothing changed.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.cases.enums import CaseType
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.contacts.enums import Reason
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.kb import search, service, ui_views
from memberdesk.kb.core import diff_lines
from memberdesk.kb.enums import ArticleKind, KbLanguage
from memberdesk.kb.schemas import ArticleIn, VersionIn
from memberdesk.members.enums import LineOfBusiness
from memberdesk.schemas import MAX_ID, id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.KB_READ)]
Writer = Annotated[Principal, requires(Permission.KB_WRITE)]
Approver = Annotated[Principal, requires(Permission.KB_APPROVE)]
ArticleId = Annotated[int, id_path("article")]
VersionId = Annotated[int, id_path("article version")]
PointId = Annotated[int, id_path("contact point")]
PAGE = 20
E = TypeVar("E", bound=StrEnum)

FIELD_HELP = {
    "slug": "Use lower-case letters, digits and hyphens, e.g. id-card-es.",
    "translation_key": "Use lower-case letters, digits and hyphens, e.g. id-card.",
    "language": "Choose English or Spanish.",
    "kind": "Choose what sort of article it is.",
    "line_of_business": "Choose a line of business, or every line.",
    "title": "Write a title (up to 200 characters).",
    "body": "Write the article; it cannot be empty.",
    "effective_on": "Enter the first day it is told, for example 2026-03-01.",
    "expires_on": "Enter a day after the effective date, or leave it empty.",
    "change_note": "Keep the note to 500 characters.",
    "tags": "Tags are separated by commas, each up to 48 characters.",
    "reasons": "Choose contact reasons from the list.",
    "case_types": "Choose case types from the list.",
    "note": "Say how it was checked (up to 300 characters).",
}
DONE = {
    "created": "Draft saved. Send it for review when it is ready.",
    "version": "New version saved as a draft.",
    "submitted": "Sent for compliance review.",
    "approved": "Approved. Publish it once every contact point is verified.",
    "sent_back": "Sent back to its author as a draft.",
    "published": "Published: agents find it from its effective date.",
    "retired": "Retired: agents no longer find it.",
    "verified": "Contact point recorded as verified.",
    "helpful": "Thank you: recorded that this article helped.",
    "not_helpful": "Thank you: recorded that this article did not help.",
}


def _errors(exc: ValidationError | MemberdeskError) -> dict[str, str]:
    """Errors by form field, in plain words."""
    if isinstance(exc, MemberdeskError):
        name = (exc.field or "").split(".")[-1] if exc.field else ""
        return {name if name in FIELD_HELP else "": exc.message[0].upper() + exc.message[1:] + "."}
    out: dict[str, str] = {}
    for err in exc.errors():
        name = next((str(p) for p in reversed(err["loc"]) if str(p) in FIELD_HELP), "")
        out.setdefault(name, FIELD_HELP.get(name, str(err["msg"])))
    return out


def _choice(enum: type[E], value: str) -> E | None:
    try:
        return enum(value) if value else None
    except ValueError:
        return None


@router.get("/kb")
def search_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    kind_: Annotated[str, Query(alias="kind", max_length=32)] = "",
    language_: Annotated[str, Query(alias="language", max_length=32)] = "",
    line_: Annotated[str, Query(alias="line_of_business", max_length=32)] = "",
    reason_: Annotated[str, Query(alias="reason", max_length=32)] = "",
    case_type_: Annotated[str, Query(alias="case_type", max_length=32)] = "",
    done: str | None = None,
) -> HTMLResponse:
    """Search what is in force (accents optional, English and Spanish), with filters (an
    empty or unknown choice means any)."""
    kind = _choice(ArticleKind, kind_)
    language = _choice(KbLanguage, language_)
    line_of_business = _choice(LineOfBusiness, line_)
    reason = _choice(Reason, reason_)
    case_type = _choice(CaseType, case_type_)
    filters = search.Filters(
        kind=kind,
        language=language,
        line_of_business=line_of_business,
        reason=reason.value if reason else None,
        case_type=case_type.value if case_type else None,
    )
    at = now()
    fixed = None
    if q.strip():
        hits, total, fixed = search.search_or_correct(session, q, filters, at=at, limit=PAGE)
    else:
        hits, total = search.browse(session, filters, at=at, limit=PAGE)
    return render(
        request,
        "kb/search.html",
        principal,
        q=q,
        chosen={
            "kind": kind or "",
            "language": language or "",
            "line_of_business": line_of_business or "",
            "reason": reason or "",
            "case_type": case_type or "",
        },
        options=ui_views.filter_options(),
        hits=[ui_views.hit(a, v) for a, v in hits],
        total=total,
        corrected=fixed,
        done=DONE.get(done or ""),
    )


@router.get("/kb/articles/{article_id}")
def article_page(
    article_id: ArticleId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    on: date | None = None,
    done: str | None = None,
    contact: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """An article: the version in force (or on the day asked), its contact points and when
    they were verified, its translation, and for owners its versions; opened from a call
    (``contact``), the agent's "did it help?" is filed on that contact."""
    article = service.get_article(session, article_id)
    view = ui_views.article_page(session, article, on)
    said = DONE.get(done or "")
    return render(request, "kb/article.html", principal, done=said, contact=contact, **view)


@router.get("/kb/articles/{article_id}/diff")
def diff_page(
    article_id: ArticleId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_ID)],
    to: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> HTMLResponse:
    """What changed between two versions, line by line."""
    article = service.get_article(session, article_id)
    versions = {v.number: v for v in service.versions_of(session, article.id)}
    if from_ not in versions or to not in versions:
        return render(
            request,
            "kb/diff.html",
            principal,
            status=404,
            article=article,
            missing=True,
            lines=[],
            old=None,
            new=None,
        )
    old, new = versions[from_], versions[to]
    return render(
        request,
        "kb/diff.html",
        principal,
        article=article,
        missing=False,
        old=old,
        new=new,
        lines=diff_lines(f"# {old.title}\n\n{old.body}", f"# {new.title}\n\n{new.body}"),
    )


def _editor(
    request: Request,
    principal: Principal,
    *,
    article: Any = None,
    typed: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "kb/edit.html",
        principal,
        status=status,
        article=article,
        typed=typed or {},
        errors=errors or {},
        options=ui_views.filter_options(),
        focus=next(iter(errors or {}), "title"),
    )


def _typed(form: dict[str, Any]) -> dict[str, Any]:
    """The form as an API body (empty fields left out, so the API's defaults apply)."""
    out = {k: v for k, v in form.items() if v not in ("", None, [], False)}
    if "tags" in out:
        out["tags"] = [t.strip() for t in str(out["tags"]).split(",") if t.strip()]
    return out


@router.get("/kb/new")
def new_article_page(request: Request, principal: Writer) -> HTMLResponse:
    """The form for a new article."""
    return _editor(request, principal, typed={"effective_on": now().date().isoformat()})


@router.post("/kb/new")
def new_article(
    request: Request,
    session: SessionDep,
    principal: Writer,
    slug: Annotated[str, Form()] = "",
    translation_key: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    line_of_business: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    effective_on: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    reasons: Annotated[list[str] | None, Form()] = None,
    case_types: Annotated[list[str] | None, Form()] = None,
    change_note: Annotated[str, Form()] = "",
    regulatory: Annotated[str, Form()] = "",
) -> Response:
    """Save a new article as a draft, or show what to correct beside each field."""
    form = {
        "slug": slug,
        "translation_key": translation_key,
        "language": language,
        "kind": kind,
        "line_of_business": line_of_business,
        "title": title,
        "body": body,
        "effective_on": effective_on,
        "expires_on": expires_on,
        "tags": tags,
        "reasons": reasons or [],
        "case_types": case_types or [],
        "change_note": change_note,
        "regulatory": regulatory == "yes",
    }
    try:
        data = ArticleIn.model_validate(_typed(form))
        article, _ = service.create_article(session, audit_ctx(request, principal), data, now())
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        return _editor(request, principal, typed=form, errors=_errors(exc), status=422)
    session.commit()
    return RedirectResponse(f"/kb/articles/{article.id}?done=created", status_code=303)


@router.get("/kb/articles/{article_id}/versions/new")
def new_version_page(
    article_id: ArticleId, request: Request, session: ReadingSessionDep, principal: Writer
) -> HTMLResponse:
    """The form for a new version, starting from the latest text."""
    article = service.get_article(session, article_id)
    latest = service.versions_of(session, article.id)[-1]
    typed = {
        "title": latest.title,
        "body": latest.body,
        "effective_on": max(latest.effective_on, now().date()).isoformat(),
        "expires_on": latest.expires_on.isoformat() if latest.expires_on else "",
    }
    return _editor(request, principal, article=article, typed=typed)


@router.post("/kb/articles/{article_id}/versions/new")
def new_version(
    article_id: ArticleId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    effective_on: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
    change_note: Annotated[str, Form()] = "",
    regulatory: Annotated[str, Form()] = "",
) -> Response:
    """Save a new draft version of the article (a regulatory one starts its sign-off clock)."""
    article = service.get_article(session, article_id)
    form = {
        "title": title,
        "body": body,
        "effective_on": effective_on,
        "expires_on": expires_on,
        "change_note": change_note,
        "regulatory": regulatory == "yes",
    }
    try:
        data = VersionIn.model_validate(_typed(form))
        service.add_version(session, audit_ctx(request, principal), article.id, data, now())
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        article = service.get_article(session, article_id)
        return _editor(
            request, principal, article=article, typed=form, errors=_errors(exc), status=422
        )
    session.commit()
    return RedirectResponse(f"/kb/articles/{article.id}?done=version", status_code=303)


@router.post("/kb/versions/{version_id}/submit")
def submit(
    version_id: VersionId, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Send a draft for compliance review."""
    version = service.get_version(session, version_id)
    try:
        service.submit(session, audit_ctx(request, principal), version, now())
    except MemberdeskError as exc:
        session.rollback()
        article = service.get_article(session, version.article_id)
        view = ui_views.article_page(session, article, None)
        return render(
            request,
            "kb/article.html",
            principal,
            status=exc.status_code,
            problem=exc.message,
            **view,
        )
    session.commit()
    return RedirectResponse(f"/kb/articles/{version.article_id}?done=submitted", status_code=303)


def _queue(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    problem: tuple[int, str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "kb/review.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        problem=problem,
        queue=ui_views.review_queue(session),
    )


@router.get("/kb/review")
def review_page(
    request: Request, session: ReadingSessionDep, principal: Approver, done: str | None = None
) -> HTMLResponse:
    """Versions waiting for sign-off, each with its diff and contact points."""
    return _queue(request, session, principal, done=done)


def _review_action(
    request: Request,
    session: Session,
    principal: Principal,
    version_id: int,
    action: str,
    note: str,
) -> Response:
    version = service.get_version(session, version_id)
    ctx = audit_ctx(request, principal)
    at = now()
    try:
        if action == "approved":
            service.approve(session, ctx, version, note or None, at)
        elif action == "sent_back":
            service.send_back(session, ctx, version, note or None, at)
        elif action == "published":
            service.publish(session, ctx, version, at)
        else:
            service.retire(session, ctx, version, at)
    except MemberdeskError as exc:
        session.rollback()
        field = (exc.field or "").split(".")[-1]
        return _queue(
            request,
            session,
            principal,
            status=exc.status_code,
            problem=(version_id, field, exc.message[0].upper() + exc.message[1:] + "."),
        )
    session.commit()
    if action == "retired":
        return RedirectResponse(f"/kb/articles/{version.article_id}?done=retired", status_code=303)
    return RedirectResponse(f"/kb/review?done={action}", status_code=303)


@router.post("/kb/versions/{version_id}/approve")
def approve(
    version_id: VersionId,
    request: Request,
    session: SessionDep,
    principal: Approver,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Approve a version in review (not one's own)."""
    return _review_action(request, session, principal, version_id, "approved", note)


@router.post("/kb/versions/{version_id}/send-back")
def send_back(
    version_id: VersionId,
    request: Request,
    session: SessionDep,
    principal: Approver,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Send a version back to its author."""
    return _review_action(request, session, principal, version_id, "sent_back", note)


@router.post("/kb/versions/{version_id}/publish")
def publish(
    version_id: VersionId, request: Request, session: SessionDep, principal: Approver
) -> Response:
    """Publish an approved version whose contact points are all verified."""
    return _review_action(request, session, principal, version_id, "published", "")


@router.post("/kb/versions/{version_id}/retire")
def retire(
    version_id: VersionId, request: Request, session: SessionDep, principal: Approver
) -> Response:
    """Retire a version: agents stop finding it."""
    return _review_action(request, session, principal, version_id, "retired", "")


@router.post("/kb/contact-points/{point_id}/verify")
def verify(
    point_id: PointId,
    request: Request,
    session: SessionDep,
    principal: Approver,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record that a contact point was checked, and how."""
    note = note.strip()
    try:
        if not note or len(note) > 300:
            raise MemberdeskError(FIELD_HELP["note"].rstrip("."), field="note")
        point = service.verify_point(session, audit_ctx(request, principal), point_id, note, now())
    except MemberdeskError as exc:
        session.rollback()
        return _queue(
            request,
            session,
            principal,
            status=exc.status_code if exc.status_code != 400 else 422,
            problem=(-point_id, "note", exc.message[0].upper() + exc.message[1:] + "."),
        )
    session.commit()
    return RedirectResponse(f"/kb/review?done=verified#point-{point.id}", status_code=303)
