"""The agent's "My work" with Get next and transfers to answer, and the supervisor console:
queues with their load (refreshed by HTMX), the team and what each person holds, reassignment,
and today's warm and cold transfers. Same services, rules and audit as the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from memberdesk.cases import routing, service, ui_views, work
from memberdesk.cases import words as case_words
from memberdesk.cases.enums import ClockState, TransferStatus
from memberdesk.cases.models import Case, CaseClock, Queue, Transfer
from memberdesk.cases.schemas import DeclineIn
from memberdesk.cases.states import OPEN_STATES
from memberdesk.cases.ui_forms import sentence
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.models import User
from memberdesk.contacts.enums import CallbackState
from memberdesk.contacts.models import Callback
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import Conflict, MemberdeskError
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.schemas import id_path
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import ROLE_NAMES, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Writer = Annotated[Principal, requires(Permission.CASE_WRITE)]
Assigner = Annotated[Principal, requires(Permission.CASE_ASSIGN)]
TransferId = Annotated[int, id_path("transfer")]
MY_CASES = 100
URGENT_SHOWN = 25
NOTICES = {
    "nothing": "Nothing waits for you right now: no callbacks are due and no case in your "
    "queues is unassigned.",
    "full": "You already hold as many open cases as your capacity allows. Resolve one or hand "
    "one over, then try again.",
    "declined": "Transfer declined. The case stays where it was.",
    "reassigned": "Case reassigned.",
}


def _capacity(request: Request) -> int:
    return int(request.app.state.settings.case_default_capacity)


def _me(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None  # the principal was just resolved from this account
    return user


def _list_read(session: Session, ctx: AuditContext, cases: list[Case], path: str) -> None:
    """Audit a list of cases shown on a page (which members' cases were seen)."""
    if cases:
        audit.record(
            session,
            ctx,
            AuditAction.CASE_LISTED,
            object_type="case",
            member_ids=sorted({c.member_id for c in cases}),
            detail={"path": path[:120], "cases": [c.id for c in cases][:200]},
        )


# --- my work -----------------------------------------------------------------------------------


def _incoming(session: Session, user: User, default_capacity: int) -> list[Transfer]:
    """Pending transfers offered to the user, or to a queue they work."""
    skills = routing.skills_of(session, user, default_capacity)
    queue_ids = select(Queue.id).where(
        Queue.tier.in_(skills.tiers),
        or_(Queue.language.is_(None), Queue.language.in_(skills.languages)),
    )
    return list(
        session.scalars(
            select(Transfer)
            .where(
                Transfer.status == TransferStatus.PENDING,
                Transfer.from_user_id != user.id,
                or_(Transfer.to_user_id == user.id, Transfer.to_queue_id.in_(queue_ids)),
            )
            .order_by(Transfer.created_at)
        )
    )


def _work_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HTMLResponse:
    at = now()
    user = _me(session, principal)
    ctx = audit_ctx(request, principal)
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.assignee_id == user.id, Case.state.in_(OPEN_STATES))
            .order_by(Case.created_at)
            .limit(MY_CASES)
        )
    )
    members = {
        m.id: m
        for m in session.scalars(select(Member).where(Member.id.in_({c.member_id for c in cases})))
    }
    names = {user.id: user.username}
    rows = []
    for c in cases:
        row = ui_views.case_line(c, at, names)
        row["member"] = ui_views.member_name(members.get(c.member_id))
        rows.append(row)
    rows.sort(key=lambda r: (r["clock"] is None, r["clock"]["due_iso"] if r["clock"] else ""))
    _list_read(session, ctx, cases, request.url.path)
    held_callbacks = list(
        session.scalars(
            select(Callback)
            .where(Callback.assigned_to_id == user.id, Callback.state == CallbackState.OPEN)
            .order_by(Callback.due_at)
        )
    )
    callbacks = [
        {
            "id": cb.id,
            "due_iso": cb.due_at.astimezone(UTC).isoformat(),
            "due_words": case_words.local_time(cb.due_at, zone_of(cb.pack)),
            "countdown": case_words.countdown(cb.due_at, at)[0],
            "late": cb.due_at < at,
            "attempts": cb.attempt_count,
        }
        for cb in held_callbacks
    ]
    incoming = _incoming(session, user, _capacity(request))
    if incoming:
        audit.record(
            session,
            ctx,
            AuditAction.CASE_LISTED,
            object_type="case_transfer",
            member_ids=sorted(
                {
                    m
                    for m in session.scalars(
                        select(Case.member_id).where(Case.id.in_({t.case_id for t in incoming}))
                    )
                }
            ),
            detail={"path": request.url.path[:120], "transfers": [t.id for t in incoming]},
        )
    skills = routing.skills_of(session, user, _capacity(request))
    session.commit()
    return render(
        request,
        "cases/work.html",
        principal,
        status=status,
        notice=NOTICES.get(done or ""),
        errors=errors or {},
        cases=rows,
        callbacks=callbacks,
        incoming=ui_views.transfer_rows(session, incoming),
        capacity=skills.capacity,
        tiers=", ".join(case_words.TIERS.get(t, f"Tier {t}") for t in skills.tiers),
    )


@router.get("/work")
def my_work(
    request: Request, session: ReadingSessionDep, principal: Writer, done: str | None = None
) -> HTMLResponse:
    """The agent's cases and callbacks, transfers offered to them, and Get next."""
    return _work_page(request, session, principal, done=done)


@router.post("/work/next")
def get_next(request: Request, session: SessionDep, principal: Writer) -> Response:
    """Get next (``POST /api/work/next``'s rules): a due callback first, else the best case
    the agent's skills allow; opens what it handed out, or says plainly that nothing waits."""
    try:
        item = work.next_item(
            session,
            audit_ctx(request, principal),
            _me(session, principal),
            now(),
            _capacity(request),
        )
    except Conflict:
        return RedirectResponse("/work?done=full", status_code=303)
    session.commit()
    if item is None:
        return RedirectResponse("/work?done=nothing", status_code=303)
    if item.kind == "callback":
        return RedirectResponse(f"/desktop/callbacks/{item.id}", status_code=303)
    return RedirectResponse(f"/cases/{item.id}?done=next", status_code=303)


@router.post("/work/transfers/{transfer_id}/accept")
def accept_transfer(
    transfer_id: TransferId, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Take the case offered; on to its page."""
    transfer = work.accept_transfer(
        session,
        audit_ctx(request, principal),
        transfer_id,
        _me(session, principal),
        now(),
        _capacity(request),
    )
    session.commit()
    return RedirectResponse(f"/cases/{transfer.case_id}?done=accepted", status_code=303)


@router.post("/work/transfers/{transfer_id}/decline")
def decline_transfer(
    transfer_id: TransferId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Say no, with the reason; the case stays where it was."""
    try:
        body = DeclineIn.model_validate({"reason": reason})
    except ValidationError:
        problem = {f"transfer-{transfer_id}": ["Say why you decline the transfer."]}
        return _work_page(request, session, principal, status=422, errors=problem)
    work.decline_transfer(
        session,
        audit_ctx(request, principal),
        transfer_id,
        _me(session, principal),
        body.reason,
        now(),
        _capacity(request),
    )
    session.commit()
    return RedirectResponse("/work?done=declined", status_code=303)


# --- the supervisor console ---------------------------------------------------------------------


def queue_rows(session: Session, at: datetime) -> list[dict[str, Any]]:
    """Every queue's load in words (counts only, nothing about any member)."""
    return [
        {
            "name": s.queue.name,
            "tier": case_words.TIERS.get(s.queue.tier, f"Tier {s.queue.tier}"),
            "waiting": s.waiting,
            "assigned": s.assigned,
            "oldest": case_words.age(s.oldest_waiting_seconds),
            "at_risk": s.at_risk,
            "breached": s.breached,
            "active": s.queue.active,
        }
        for s in routing.queue_stats(session, at)
    ]


def _team(session: Session, default_capacity: int) -> list[dict[str, Any]]:
    users = list(
        session.scalars(
            select(User)
            .where(User.role.in_(list(routing.ROLE_TIERS)), User.disabled.is_(False))
            .order_by(User.username)
            .limit(ui_views.STAFF_SHOWN)
        )
    )
    ids = [u.id for u in users]
    held = ui_views.held_counts(session, ids)
    calls: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Callback.assigned_to_id, func.count())
            .where(Callback.assigned_to_id.in_(ids), Callback.state == CallbackState.OPEN)
            .group_by(Callback.assigned_to_id)
        ).all()
    )
    out = []
    for u in users:
        skills = routing.skills_of(session, u, default_capacity)
        n = held.get(u.id, 0)
        out.append(
            {
                "id": u.id,
                "name": u.username,
                "role": ROLE_NAMES[u.role],
                "tiers": ", ".join(f"Tier {t}" for t in skills.tiers),
                "cases": n,
                "callbacks": calls.get(u.id, 0),
                "capacity": skills.capacity,
                "full": n >= skills.capacity,
            }
        )
    return out


def _urgent(session: Session, at: datetime) -> list[Case]:
    """Open cases by their nearest running deadline (breached first)."""
    due = (
        select(func.min(CaseClock.due_at))
        .where(
            CaseClock.case_id == Case.id,
            CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED)),
        )
        .correlate(Case)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Case)
            .where(Case.state.in_(OPEN_STATES), due.is_not(None))
            .order_by(due, Case.id)
            .limit(URGENT_SHOWN)
        )
    )


def _day_bounds(at: datetime) -> tuple[datetime, datetime]:
    tz = zone_of(pack_for(None))
    start = datetime.combine(at.astimezone(tz).date(), time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


def _console(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: list[str] | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    at = now()
    team = _team(session, _capacity(request))
    urgent = _urgent(session, at)
    names = {t["id"]: t["name"] for t in team}
    names.update(ui_views.usernames(session, [c.assignee_id for c in urgent]))
    _list_read(session, audit_ctx(request, principal), urgent, request.url.path)
    stats = work.transfer_stats(session, *_day_bounds(at))
    queues = queue_rows(session, at)
    session.commit()
    return render(
        request,
        "cases/supervisor.html",
        principal,
        status=status,
        notice=NOTICES.get(done or ""),
        errors=errors or [],
        typed=typed or {},
        queues=queues,
        refreshed=case_words.local_time(at, zone_of(pack_for(None))),
        team=team,
        urgent=[ui_views.case_line(c, at, names) for c in urgent],
        staff=[(t["id"], f"{t['name']} ({t['role']})") for t in team],
        stats=stats,
    )


@router.get("/supervisor")
def supervisor(
    request: Request, session: ReadingSessionDep, principal: Assigner, done: str | None = None
) -> HTMLResponse:
    """Every queue's load, the team and what each person holds, reassignment, transfers."""
    return _console(request, session, principal, done=done)


@router.get("/supervisor/queues")
def supervisor_queues(
    request: Request, session: ReadingSessionDep, principal: Assigner
) -> HTMLResponse:
    """The queue table alone (what the console's HTMX refresh swaps in every 15 seconds)."""
    at = now()
    queues = queue_rows(session, at)
    session.commit()
    return render(
        request,
        "cases/_queues.html",
        principal,
        queues=queues,
        refreshed=case_words.local_time(at, zone_of(pack_for(None))),
    )


@router.post("/supervisor/reassign")
def reassign(
    request: Request,
    session: SessionDep,
    principal: Assigner,
    case_id: Annotated[str, Form()] = "",
    user_id: Annotated[str, Form()] = "",
) -> Response:
    """Give a case to another agent (``POST /api/cases/{id}/assign``'s rules)."""
    typed = {"case_id": case_id, "user_id": user_id}
    problems: list[str] = []
    if not case_id.strip().isdigit() or len(case_id.strip()) > 12:
        problems.append("Enter the case number (digits only).")
    if not user_id.isdigit() or len(user_id) > 12:
        problems.append("Choose the agent to give the case to.")
    if problems:
        return _console(request, session, principal, status=422, errors=problems, typed=typed)
    try:
        case = service.get_case(session, int(case_id.strip()), lock=True)
        if case.assignee_id == int(user_id):
            raise Conflict("the case is already theirs")
        service.assign(
            session, audit_ctx(request, principal), case, int(user_id), now(), via="supervisor"
        )
    except MemberdeskError as exc:
        message = {
            404: "There is no case with that number.",
            422: "Choose an agent who works cases.",
        }.get(exc.status_code, sentence(exc.message))
        return _console(
            request, session, principal, status=exc.status_code, errors=[message], typed=typed
        )
    session.commit()
    return RedirectResponse("/supervisor?done=reassigned#reassign", status_code=303)
