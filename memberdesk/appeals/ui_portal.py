"""The portal page "My appeals and grievances": the member's own, where each stands, and the
letters we sent; and the form to file a grievance or appeal online (written, through the portal,
received now, from the member). Words in the portal's language; every read audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.appeals import portal, rules, service
from memberdesk.appeals.enums import IntakeChannel, ReceivedVia, Requester, Urgency
from memberdesk.appeals.schemas import AppealIn
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.language import N_
from memberdesk.language import gettext as _
from memberdesk.members.api import own_member_id
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
SelfWriter = Annotated[Principal, requires(Permission.SELF_WRITE)]
DONE = {
    "filed": N_("We received it. We will send you a letter saying so, and you can follow it here.")
}
HELP = {
    "kind": N_("Choose whether it is a complaint (grievance) or an appeal of a decision."),
    "summary": N_("Tell us what it is about (up to 4,000 characters)."),
    "urgency": N_("Choose whether you need a fast decision."),
    "clinical_urgency": N_("Tell us how waiting could harm your health (up to 4,000 characters)."),
    "claim_type": N_("Say whether it is about care you have not had yet, or care you already had."),
}
# What the rules of the member's plan refuse, said for the member (field of the refusal -> words).
REFUSED = {
    "kind": N_("Your plan reviews requests like this as appeals: choose an appeal."),
    "claim_type": HELP["claim_type"],
}
CANNOT = N_("We could not take this online. Please call member services to file it.")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    member_id = own_member_id(principal)
    rows = portal.my_appeals(session, audit_ctx(request, principal), member_id, now())
    erisa = _pack(session, member_id) == rules.ERISA
    session.commit()
    return render(
        request,
        "appeals/portal.html",
        principal,
        status=status,
        appeals=rows,
        done=_(DONE[done]) if done in DONE else None,
        errors=errors or {},
        typed=typed or {},
        erisa=erisa,
    )


def _pack(session: Session, member_id: int) -> str:
    member = session.get(Member, member_id)
    return pack_for(member) if member is not None else ""


@router.get("/me/appeals")
def my_appeals_page(
    request: Request, session: ReadingSessionDep, principal: SelfReader, done: str | None = None
) -> HTMLResponse:
    """The member's own appeals and grievances and the letters about them."""
    return _page(request, session, principal, done=done)


def _field(loc: tuple[object, ...] | list[object] | str | None) -> str:
    parts = [str(p) for p in (loc or [])] if not isinstance(loc, str) else loc.split(".")
    return next((p for p in reversed(parts) if p in HELP), "summary")


@router.post("/me/appeals")
def file_appeal(
    request: Request,
    session: SessionDep,
    principal: SelfWriter,
    kind: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    urgency: Annotated[str, Form()] = "standard",
    clinical_urgency: Annotated[str, Form()] = "",
    claim_type: Annotated[str, Form()] = "",
) -> Response:
    """File a grievance or appeal online: written, through the portal, received now."""
    typed = {
        "kind": kind[:20],
        "summary": summary[:4000],
        "urgency": urgency[:20],
        "clinical_urgency": clinical_urgency[:4000],
        "claim_type": claim_type[:20],
    }
    erisa = _pack(session, own_member_id(principal)) == rules.ERISA
    at = now()
    errors: dict[str, str] = {}
    expedited = urgency == Urgency.EXPEDITED.value
    if expedited and not clinical_urgency.strip():
        errors["clinical_urgency"] = _(HELP["clinical_urgency"])
    try:
        body = AppealIn.model_validate(
            {
                "member_id": own_member_id(principal),
                "kind": kind,
                "urgency": urgency or Urgency.STANDARD.value,
                "channel": IntakeChannel.WRITTEN.value,
                "received_via": ReceivedVia.PORTAL.value,
                "received_at": at,
                "summary": summary,
                "filed_by": Requester.MEMBER.value,
                "clinical_urgency": clinical_urgency.strip() or None if expedited else None,
                # Only ERISA plans ask: their appeals run on different clocks before and after
                # the service.
                "claim_type": (claim_type or None) if erisa else None,
            }
        )
    except ValidationError as exc:
        for e in exc.errors():
            name = _field(e["loc"])
            errors.setdefault(name, _(HELP[name]))
    if errors:
        return _page(request, session, principal, status=422, errors=errors, typed=typed)
    try:
        service.intake(session, audit_ctx(request, principal), body, at)
    except MemberdeskError as exc:
        session.rollback()
        # The rules of the member's plan refuse it (an ERISA plan takes no grievance, and asks
        # when the care was); anything else is not the member's to fix online.
        name = (exc.field or "").rsplit(".", 1)[-1]
        errors[name if name in REFUSED else "summary"] = _(REFUSED.get(name, CANNOT))
        return _page(request, session, principal, status=422, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse("/me/appeals?done=filed", status_code=303)
