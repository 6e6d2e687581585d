"""The Tier 3 pages: the appeals worklist (nearest deadline first, countdowns in words), the
appeal page (clocks, rights, letters owed, packet checklist, documents, extension, decision,
withdrawal, closing), receiving an appeal, and the reports.

Every read and change goes through the audited services; forms work without JavaScript
(Post/Redirect/Get) and carry the CSRF token; a refusal is said in words beside its form, with
nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.appeals import actions, inquiry_views, issuing, queries, service, ui_views
from memberdesk.appeals.api import audit_read, clinical
from memberdesk.appeals.enums import AppealState, NoticeKind
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.schemas import DecisionIn, DocumentIn, ExtensionIn, NoticeIn, WithdrawalIn
from memberdesk.appeals.ui_inquiries import router as inquiries_router
from memberdesk.appeals.ui_intake import router as intake_router
from memberdesk.appeals.ui_referrals import router as referrals_router
from memberdesk.appeals.ui_reports import router as reports_router
from memberdesk.cases.ui_forms import PageRefusal, plain, sentence
from memberdesk.clock import now
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
# Before "/appeals/{appeal_id}": "/appeals/new", "/appeals/reports", "/appeals/inquiries" and
# "/appeals/referrals" are pages of their own.
router.include_router(intake_router)
router.include_router(reports_router)
router.include_router(inquiries_router)
router.include_router(referrals_router)
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
Writer = Annotated[Principal, requires(Permission.APPEAL_WRITE)]
AppealId = Annotated[int, id_path("appeal")]
WORKLIST_SIZE = 200

DONE = {
    "received": "Received. Its deadlines started when it arrived; they are below.",
    "step": "Step ticked.",
    "notice": "Notice recorded.",
    "letter": "Letter created and sent by mail; the member can read it in the portal too.",
    "document": "Document recorded.",
    "extended": "Extended. The new deadline is below.",
    "decided": "Decision recorded. Send the decision letter, tick it, then close the appeal.",
    "withdrawn": "Withdrawn. Its deadlines stopped and its case is closed.",
    "closed": "Appeal closed.",
}
FIELD_HELP = {
    "reason": "Write the reason (up to 4,000 characters).",
    "rationale": "Write the decision rationale: the criteria applied and the facts.",
    "title": "Say what the document is (up to 200 characters).",
    "description": "Notes can be up to 4,000 characters.",
    "outcome": "Choose the decision.",
    "requested_by": "Say who asked for more time.",
    "notice_method": "Say how the member was told.",
    "method": "Say how it was sent.",
    "kind": "Choose what it is.",
    "direction": "Say whether it was received or sent.",
    "withdrawn_by": "Say who withdrew it.",
}


@router.get("/appeals")
def worklist(request: Request, session: ReadingSessionDep, principal: Reader) -> HTMLResponse:
    """Open appeals and grievances (and decided ones with packets to finish), nearest deadline
    first, with countdowns in words; open regulatory inquiries below."""
    at = now()
    rows, total = queries.list_appeals(
        session, states=[AppealState.OPEN, AppealState.DECIDED], limit=WORKLIST_SIZE
    )
    view = ui_views.worklist(session, rows, at, clinical(principal))
    inquiries = ui_views.inquiries(session, at)
    if rows:
        audit_read(session, request, principal, rows, AuditAction.APPEAL_LISTED)
    session.commit()
    return render(
        request,
        "appeals/worklist.html",
        principal,
        appeals=view,
        total=total,
        shown=len(view),
        inquiries=inquiries,
    )


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    appeal: Appeal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = ui_views.appeal_page(session, appeal, now(), clinical(principal))
    linked = inquiry_views.linked_to_appeal(session, appeal.id)
    audit_read(session, request, principal, [appeal], AuditAction.APPEAL_READ)
    session.commit()
    return render(
        request,
        "appeals/appeal.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        linked=linked,
        **view,
    )


@router.get("/appeals/{appeal_id}")
def appeal_page(
    appeal_id: AppealId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: str | None = None,
) -> HTMLResponse:
    """The appeal: what is disputed, its deadlines, the member's rights, the letters owed, the
    packet, documents, and the forms to extend, decide, withdraw and close it."""
    appeal = service.get_appeal(session, appeal_id)
    return _page(request, session, principal, appeal, done=done)


Action = Callable[[Appeal, AuditContext, datetime], None]


def _plain(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        name = next((str(p) for p in reversed(err["loc"]) if str(p) in FIELD_HELP), None)
        text = FIELD_HELP[name] if name else plain([err])[0]
        if text not in out:
            out.append(text)
    return out


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    appeal_id: int,
    section: str,
    done: str,
    action: Action,
    typed: dict[str, Any],
) -> Response:
    """Run one change; on success back to the page (PRG), else the page again with the problem
    in words beside the form, nothing changed."""
    appeal = service.get_appeal(session, appeal_id, lock=True)
    try:
        action(appeal, audit_ctx(request, principal), now())
    except ValidationError as exc:
        problems, status = _plain(exc), 422
    except PageRefusal as exc:
        problems, status = [exc.message], exc.status
    except MemberdeskError as exc:
        problems, status = [sentence(exc.message)], exc.status_code
    else:
        session.commit()
        return RedirectResponse(f"/appeals/{appeal.id}?done={done}#{section}", status_code=303)
    session.rollback()
    appeal = service.get_appeal(session, appeal_id)
    return _page(
        request, session, principal, appeal, status=status, errors={section: problems}, typed=typed
    )


def _text(value: str) -> str | None:
    return value.strip() or None


@router.post("/appeals/{appeal_id}/checklist/{step_id}")
def tick(
    appeal_id: AppealId, step_id: str, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Tick a packet step."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        actions.tick(session, ctx, appeal, step_id[:48], at)

    return _act(request, session, principal, appeal_id, "packet", "step", act, {})


@router.post("/appeals/{appeal_id}/notices")
def notice(
    appeal_id: AppealId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    kind: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
) -> Response:
    """Record a notice sent to the member (now)."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        body = NoticeIn.model_validate({"kind": kind, "method": method})
        actions.record_notice(session, ctx, appeal, body, at)

    typed = {"notice_kind": kind, "notice_method": method}
    return _act(request, session, principal, appeal_id, "letters", "notice", act, typed)


@router.post("/appeals/{appeal_id}/letters/{kind}")
def issue_letter(
    appeal_id: AppealId, kind: str, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Create the letter owed of this kind, send it (mail, and the member's portal) and record
    the written notice, so it is no longer owed."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        try:
            notice_kind = NoticeKind(kind)
        except ValueError:
            raise PageRefusal("There is no such letter.", status=404) from None
        issuing.issue_owed(session, ctx, appeal, notice_kind, at)

    return _act(request, session, principal, appeal_id, "letters", "letter", act, {})


@router.post("/appeals/{appeal_id}/documents")
def document(
    appeal_id: AppealId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    doc_kind: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    clinical_detail: Annotated[str, Form()] = "",
) -> Response:
    """Record a document exchanged (its metadata)."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        body = DocumentIn.model_validate(
            {
                "kind": doc_kind,
                "direction": direction,
                "title": title,
                "description": _text(description),
                "clinical": clinical_detail == "yes",
            }
        )
        actions.add_document(session, ctx, appeal, body, at)

    typed = {
        "doc_kind": doc_kind,
        "direction": direction,
        "title": title,
        "description": description,
    }
    return _act(request, session, principal, appeal_id, "documents", "document", act, typed)


@router.post("/appeals/{appeal_id}/extension")
def extension(
    appeal_id: AppealId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    reason: Annotated[str, Form()] = "",
    requested_by: Annotated[str, Form()] = "",
    notice_method: Annotated[str, Form()] = "",
) -> Response:
    """Take the one extension the rule allows, with the reason and the notice given."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        body = ExtensionIn.model_validate(
            {"reason": reason, "requested_by": requested_by, "notice_method": notice_method}
        )
        actions.extend(session, ctx, appeal, body, at)

    typed = {"ext_reason": reason, "requested_by": requested_by, "ext_method": notice_method}
    return _act(request, session, principal, appeal_id, "extension", "extended", act, typed)


@router.post("/appeals/{appeal_id}/decision")
def decision(
    appeal_id: AppealId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    outcome: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """Record the decision and its rationale."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        body = DecisionIn.model_validate({"outcome": outcome, "rationale": rationale})
        actions.decide(session, ctx, appeal, body, at)

    typed = {"outcome": outcome, "rationale": rationale}
    return _act(request, session, principal, appeal_id, "decision", "decided", act, typed)


@router.post("/appeals/{appeal_id}/withdrawal")
def withdrawal(
    appeal_id: AppealId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    withdrawn_by: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The member or representative withdraws it."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        body = WithdrawalIn.model_validate({"withdrawn_by": withdrawn_by, "reason": _text(reason)})
        actions.withdraw(session, ctx, appeal, body, at)

    typed = {"withdrawn_by": withdrawn_by, "withdraw_reason": reason}
    return _act(request, session, principal, appeal_id, "withdraw", "withdrawn", act, typed)


@router.post("/appeals/{appeal_id}/close")
def close(
    appeal_id: AppealId, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Close a decided appeal once its packet is complete (the missing steps named)."""

    def act(appeal: Appeal, ctx: AuditContext, at: datetime) -> None:
        if appeal.state is AppealState.DECIDED:
            steps = ui_views.appeal_page(session, appeal, at, True)["steps"]
            missing = [s["label"] for s in steps if s["required"] and not s["done"]]
            if missing:
                raise PageRefusal(
                    "The appeal cannot be closed until these packet steps are ticked: "
                    + "; ".join(missing)
                    + "."
                )
        actions.close(session, ctx, appeal, at)

    return _act(request, session, principal, appeal_id, "close", "closed", act, {})
