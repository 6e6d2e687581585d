"""JSON routes of queues and routing: get-next, queues, agent skills, assignment, transfers."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from memberdesk.cases import routing, service, views, work
from memberdesk.cases.schemas import (
    AssignIn,
    CaseOut,
    DeclineIn,
    QueueOut,
    SkillsIn,
    SkillsOut,
    TransferIn,
    TransferOut,
    TransferStats,
    WorkItemOut,
)
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.models import User
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput
from memberdesk.schemas import Instant, id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
WORK: list[str | Enum] = ["work and queues"]
CaseId = Annotated[int, id_path("case")]
TransferId = Annotated[int, id_path("transfer")]
UserId = Annotated[int, id_path("user")]
Reader = Annotated[Principal, requires(Permission.CASE_READ)]
Writer = Annotated[Principal, requires(Permission.CASE_WRITE)]
Assigner = Annotated[Principal, requires(Permission.CASE_ASSIGN)]
QueueManager = Annotated[Principal, requires(Permission.QUEUE_MANAGE)]


def _capacity(request: Request) -> int:
    return int(request.app.state.settings.case_default_capacity)


def _me(session: Any, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None  # the principal was just resolved from this account
    return user


@router.post(
    "/work/next",
    response_model=WorkItemOut,
    summary="Get the next item to work",
    tags=WORK,
    responses={204: {"description": "Nothing waits for you"}},
)
def work_next(session: SessionDep, request: Request, principal: Writer) -> Any:
    """A due voicemail callback first, else the best unassigned case your skills allow (tier,
    language, case type): breached or nearest to breach, then priority, then age. The item is
    assigned to you. 204 when nothing waits; 409 when you already hold your capacity."""
    at = now()
    item = work.next_item(
        session, audit_ctx(request, principal), _me(session, principal), at, _capacity(request)
    )
    if item is None:
        session.commit()
        return Response(status_code=204)
    out = WorkItemOut(
        kind=item.kind,
        id=item.id,
        case=views.case_out(item.case, at) if item.case is not None else None,
        callback=item.callback,
    )
    session.commit()
    return out


@router.get("/queues", response_model=list[QueueOut], summary="Queues and their load", tags=WORK)
def list_queues(session: ReadingSessionDep, principal: Assigner) -> list[QueueOut]:
    """Every queue with waiting and assigned counts, the oldest wait, and how many open cases
    are at risk (past a clock's warning time) or breached. Counts only."""
    stats = routing.queue_stats(session, now())
    session.commit()
    return [
        QueueOut(
            id=s.queue.id,
            name=s.queue.name,
            tier=s.queue.tier,
            language=s.queue.language,
            case_types=s.queue.case_types,
            active=s.queue.active,
            waiting=s.waiting,
            assigned=s.assigned,
            oldest_waiting_seconds=s.oldest_waiting_seconds,
            at_risk=s.at_risk,
            breached=s.breached,
        )
        for s in stats
    ]


def _skills_out(user_id: int, skills: routing.Skills) -> SkillsOut:
    return SkillsOut(
        user_id=user_id,
        tiers=skills.tiers,
        languages=skills.languages,
        case_types=skills.case_types,
        capacity=skills.capacity,
    )


@router.get(
    "/agents/{user_id}/skills", response_model=SkillsOut, summary="An agent's skills", tags=WORK
)
def get_skills(
    user_id: UserId, session: ReadingSessionDep, request: Request, principal: QueueManager
) -> SkillsOut:
    """The agent's skills, or their role's defaults when none were set."""
    user = routing.get_user(session, user_id)
    out = _skills_out(user.id, routing.skills_of(session, user, _capacity(request)))
    session.commit()
    return out


@router.put(
    "/agents/{user_id}/skills", response_model=SkillsOut, summary="Set an agent's skills", tags=WORK
)
def put_skills(
    user_id: UserId, body: SkillsIn, session: SessionDep, request: Request, principal: QueueManager
) -> SkillsOut:
    """Tiers, languages, case types (null: any) and capacity (most open cases held)."""
    user = routing.get_user(session, user_id)
    row = routing.set_skills(
        session, user, body.tiers, body.languages, body.case_types, body.capacity
    )
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.AGENT_SKILLS_SET,
        object_type="user",
        object_id=user.id,
        changes={"new": body.model_dump(mode="json")},
    )
    out = _skills_out(
        user.id, routing.Skills(row.tiers, row.languages, row.case_types, row.capacity, True)
    )
    session.commit()
    return out


@router.post("/cases/{case_id}/assign", response_model=CaseOut, summary="Assign a case", tags=WORK)
def assign(
    case_id: CaseId, body: AssignIn, session: SessionDep, request: Request, principal: Assigner
) -> CaseOut:
    """Give the case to a staff member (a supervisor's reassignment). At Tier 3 this meets the
    case-manager assignment clock. 422 for an account that does not work cases."""
    at = now()
    case = service.get_case(session, case_id, lock=True)
    service.assign(session, audit_ctx(request, principal), case, body.user_id, at, via="supervisor")
    out = views.case_out(case, at)
    session.commit()
    return out


@router.post(
    "/cases/{case_id}/transfers",
    response_model=TransferOut,
    status_code=201,
    summary="Transfer a case",
    tags=WORK,
)
def request_transfer(
    case_id: CaseId, body: TransferIn, session: SessionDep, request: Request, principal: Writer
) -> TransferOut:
    """Offer the case to a person or a queue of its tier, with a context summary and (warm)
    the question the member was coached to ask. The receiver accepts or declines."""
    at = now()
    case = service.get_case(session, case_id, lock=True)
    transfer = work.request_transfer(
        session,
        audit_ctx(request, principal),
        case,
        to_user_id=body.to_user_id,
        to_queue_id=body.to_queue_id,
        context_summary=body.context_summary,
        member_question=body.member_question,
        warm=body.warm,
        at=at,
    )
    out = views.transfer_out(transfer)
    session.commit()
    return out


@router.post(
    "/transfers/{transfer_id}/accept",
    response_model=TransferOut,
    summary="Accept a transfer",
    tags=WORK,
)
def accept_transfer(
    transfer_id: TransferId, session: SessionDep, request: Request, principal: Writer
) -> TransferOut:
    """The case becomes yours (403 when the transfer is offered to someone else)."""
    transfer = work.accept_transfer(
        session,
        audit_ctx(request, principal),
        transfer_id,
        _me(session, principal),
        now(),
        _capacity(request),
    )
    out = views.transfer_out(transfer)
    session.commit()
    return out


@router.post(
    "/transfers/{transfer_id}/decline",
    response_model=TransferOut,
    summary="Decline a transfer",
    tags=WORK,
)
def decline_transfer(
    transfer_id: TransferId,
    body: DeclineIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> TransferOut:
    """Say no, with the reason; the case stays where it was."""
    transfer = work.decline_transfer(
        session,
        audit_ctx(request, principal),
        transfer_id,
        _me(session, principal),
        body.reason,
        now(),
        _capacity(request),
    )
    out = views.transfer_out(transfer)
    session.commit()
    return out


@router.get("/transfers/stats", response_model=TransferStats, summary="Transfer counts", tags=WORK)
def transfer_stats(
    session: ReadingSessionDep,
    principal: Reader,
    start: Annotated[Instant, Query(description="Period start, ISO 8601 with offset")],
    end: Annotated[Instant, Query(description="Period end (exclusive), with offset")],
) -> TransferStats:
    """Transfers requested in the period: warm vs cold, accepted vs declined (counts only)."""
    if end <= start:
        raise InvalidInput("must be after start", field="query.end")
    s = work.transfer_stats(session, start, end)
    session.commit()
    return TransferStats(
        start=start,
        end=end,
        total=s.total,
        warm=s.warm,
        cold=s.cold,
        accepted=s.accepted,
        declined=s.declined,
        pending=s.pending,
    )
