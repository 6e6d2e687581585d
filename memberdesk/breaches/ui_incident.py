"""The incident page's changes: the assessment, the decision and the notices, each on the same
service as its JSON route; a problem shows the page again with it beside its field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from memberdesk.breaches import service
from memberdesk.breaches.enums import Factor
from memberdesk.breaches.forms import errors_of, typed_time
from memberdesk.breaches.pages import HELP, incident_page
from memberdesk.breaches.schemas import AssessmentIn, DecisionIn, NoticeIn
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.schemas import id_path

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Writer = Annotated[Principal, requires(Permission.BREACH_WRITE)]
IncidentId = Annotated[int, id_path("incident")]


def _act(
    request: Request,
    session: Any,
    principal: Principal,
    incident_id: int,
    make: Any,
    done: str,
    typed: dict[str, str],
) -> Response:
    """Run a change; on a problem the incident page again with it beside its field."""
    try:
        make()
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = errors_of(exc, HELP)
        if not errors:
            errors[""] = "That could not be saved."
        incident = service.get(session, incident_id)
        status = getattr(exc, "status_code", 422)
        return incident_page(
            request, session, principal, incident, status, errors=errors, typed=typed
        )
    session.commit()
    return RedirectResponse(f"/breaches/{incident_id}?done={done}", status_code=303)


@router.post("/breaches/{incident_id}/assessment")
async def assess(
    incident_id: IncidentId, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Save the four factors (each with a finding and a judgement)."""
    form = await request.form()
    typed = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    payload: dict[str, Any] = {}
    for f in Factor:
        finding = typed.get(f.value, "").strip()
        if finding:
            payload[f.value] = {"finding": finding, "risk": typed.get(f"{f.value}_risk", "")}

    def make() -> None:
        body = AssessmentIn.model_validate(payload)
        service.assess(session, audit_ctx(request, principal), incident_id, body, now())

    return _act(request, session, principal, incident_id, make, "assessed", typed)


@router.post("/breaches/{incident_id}/decision")
def decide(
    incident_id: IncidentId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    outcome: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """Decide: a breach, or not (with its basis)."""
    typed = {"outcome": outcome, "basis": basis, "rationale": rationale}

    def make() -> None:
        body = DecisionIn.model_validate(
            {"outcome": outcome, "basis": basis or None, "rationale": rationale}
        )
        service.decide(session, audit_ctx(request, principal), incident_id, body, now())

    return _act(request, session, principal, incident_id, make, "decided", typed)


@router.post("/breaches/{incident_id}/notices")
def add_notice(
    incident_id: IncidentId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    recipient: Annotated[str, Form()] = "",
    sent_at: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    people: Annotated[str, Form()] = "",
    state: Annotated[str, Form()] = "",
) -> Response:
    """Record a notice sent."""
    typed = {
        "recipient": recipient,
        "sent_at": sent_at,
        "method": method,
        "people": people,
        "state": state,
    }

    def make() -> None:
        when = typed_time(sent_at)
        if when is None:
            raise InvalidInput("enter a date and time", field="body.sent_at")
        body = NoticeIn.model_validate(
            {
                "recipient": recipient,
                "sent_at": when,
                "method": method,
                "people": people.strip().replace(",", "") or None,
                "state": state.strip() or None,
            }
        )
        service.add_notice(session, audit_ctx(request, principal), incident_id, body, now())

    return _act(request, session, principal, incident_id, make, "notice", typed)
