"""Receiving an appeal or grievance on a page: the member by the member ID on their card, what
was received and when (in the plan's time zone), from whom (a representative needs the
member's authorisation), and the expedited request. The same service as ``POST /api/appeals``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from memberdesk.appeals import service, words
from memberdesk.appeals.enums import Requester, Urgency
from memberdesk.appeals.schemas import AppealIn
from memberdesk.cases.ui_forms import sentence
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Writer = Annotated[Principal, requires(Permission.APPEAL_WRITE)]
# Words for the form's problems, by the field the rule named.
HELP = {
    "member_id": "No member has this member ID. Type it as it is on the member's card.",
    "kind": "Choose a grievance or an appeal.",
    "urgency": "Choose standard or expedited.",
    "channel": "Say whether it was said or written.",
    "received_at": "Enter when it was received, not later than now.",
    "summary": "Write what the member disputes or complains of (up to 4,000 characters).",
    "claim_type": "For an employer (ERISA) plan, say whether the service is still to come.",
    "representative": "Name the representative and how they are related to the member.",
    "authorization": "A representative needs the member's signed authorisation: say which "
    "document and the date it was signed.",
    "expedited_by": "Say who asked for the expedited review (only for an expedited request).",
    "clinical_urgency": "Clinical urgency can be up to 4,000 characters.",
}


def _choices(mapping: dict[Any, str]) -> dict[str, str]:
    return {k.value: v for k, v in mapping.items()}


def _form(
    request: Request, principal: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    return render(
        request,
        "appeals/new.html",
        principal,
        status=status,
        kinds=_choices(words.KINDS),
        urgencies=_choices(words.URGENCIES),
        channels=_choices(words.CHANNELS),
        via={"": "Not recorded", **_choices(words.VIA)},
        filed_by=_choices(words.FILED_BY),
        relationships={"": "Choose…", **_choices(words.RELATIONSHIPS)},
        expedited_by={"": "Whoever filed it", **_choices(words.EXPEDITED_BY)},
        claim_types={"": "Not an employer (ERISA) plan", **_choices(words.CLAIM_TYPES)},
        **{"errors": {}, "typed": {}, **context},
    )


@router.get("/appeals/new")
def new_form(request: Request, principal: Writer) -> HTMLResponse:
    """The form to receive an appeal or grievance."""
    return _form(request, principal)


def _field(loc: str) -> str:
    parts = [p for p in loc.split(".") if p != "body"]
    for part in reversed(parts):
        if part in HELP:
            return part
    return parts[0] if parts else ""


@router.post("/appeals/new")
def receive(
    request: Request,
    session: SessionDep,
    principal: Writer,
    member_number: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    urgency: Annotated[str, Form()] = "standard",
    channel: Annotated[str, Form()] = "",
    received_via: Annotated[str, Form()] = "",
    received_at: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    filed_by: Annotated[str, Form()] = "member",
    rep_name: Annotated[str, Form()] = "",
    rep_relationship: Annotated[str, Form()] = "",
    rep_document: Annotated[str, Form()] = "",
    rep_signed_on: Annotated[str, Form()] = "",
    expedited_by: Annotated[str, Form()] = "",
    clinical_urgency: Annotated[str, Form()] = "",
    claim_type: Annotated[str, Form()] = "",
) -> Response:
    """Receive it; on success the appeal page, else the form again with each problem beside
    its field and nothing saved."""
    typed = {k: v for k, v in locals().items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    at = now()
    number = member_number.strip()[:40]
    member = (
        session.scalar(
            select(Member).where(Member.member_number_bidx == bidx_member_number(number))
        )
        if number
        else None
    )
    if member is None:
        errors["member_id"] = HELP["member_id"]
    when: datetime | None = None
    try:
        naive = datetime.fromisoformat(received_at)
        # Typed on the plan's clock: the member's pack calendar's zone.
        when = (
            naive.replace(tzinfo=zone_of(service.pack_for(member)))
            if naive.tzinfo is None
            else naive
        )
    except ValueError:
        errors["received_at"] = "Enter the date and time it was received."
    rep: dict[str, Any] | None = None
    if filed_by == Requester.REPRESENTATIVE.value:
        rep = {"name": rep_name, "relationship": rep_relationship or None}
        if rep_document.strip() or rep_signed_on.strip():
            rep["authorization"] = {"document": rep_document, "signed_on": rep_signed_on}
    payload = {
        # An unknown member is already said above; the rest of the form is still checked.
        "member_id": member.id if member else 1,
        "kind": kind,
        "urgency": urgency,
        "channel": channel,
        "received_at": (when or at).isoformat(),
        "summary": summary,
        "received_via": received_via or None,
        "claim_type": claim_type or None,
        "filed_by": filed_by,
        "representative": rep,
        "expedited_by": (expedited_by or None) if urgency == Urgency.EXPEDITED.value else None,
        "clinical_urgency": clinical_urgency.strip() or None,
    }
    appeal = None
    try:
        body = AppealIn.model_validate(payload)
        if not errors:
            appeal = service.intake(session, audit_ctx(request, principal), body, at)
    except ValidationError as exc:
        for err in exc.errors():
            name = _field(".".join(str(p) for p in err["loc"]))
            errors.setdefault(name, HELP.get(name, sentence(str(err["msg"]))))
    except MemberdeskError as exc:
        name = _field(exc.field or "")
        errors.setdefault(name or "", HELP.get(name, sentence(exc.message)))
    if appeal is None:
        session.rollback()
        status = 422 if errors else 409
        return _form(request, principal, status, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse(f"/appeals/{appeal.id}?done=received", status_code=303)
