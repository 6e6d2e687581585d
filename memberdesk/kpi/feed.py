"""Receiving the live telephony feed: events stored once per idempotency key, each call folded
again from all of its events, each agent state event placed between its neighbours in time, and
the rollups corrected by the difference. The caller commits (a service never commits).

Two requests carrying events of the same call or agent are serialised on that call's or agent's
row (``FOR UPDATE`` on PostgreSQL; SQLite has one writer anyway). Whoever holds the row sees every
event committed before it, so the last to commit folds them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.ivr import screen_pops
from memberdesk.kpi import contacts_link
from memberdesk.kpi.formulas import SHORT_ABANDON_SECONDS, CallTally, add_tallies
from memberdesk.kpi.ingest import Key, add_to_rollups
from memberdesk.kpi.live import (
    AgentEvent,
    CallEvent,
    CallState,
    Event,
    LiveCall,
    Seconds,
    add_seconds,
    contribution,
    correction,
    fold_call,
    insertion,
)
from memberdesk.kpi.models import AgentSeconds, AgentStatus, FeedEvent, LiveCallRow
from memberdesk.kpi.targets import goals_of, threshold_of

AGENT_KINDS = [k.value for k in AgentEvent]


@dataclass
class FeedResult:
    """How many events were new, and how many had been received before (and were ignored)."""

    received: int = 0
    duplicates: int = 0
    calls: int = 0
    agents: int = 0


def receive(session: Session, ctx: AuditContext, pack: str, events: list[Event]) -> FeedResult:
    """Take in a batch of events for ``pack`` (``UnknownPackError`` for an unknown pack)."""
    threshold = threshold_of(goals_of(pack))
    fresh = _store_new(session, pack, events)
    result = FeedResult(received=len(fresh), duplicates=len(events) - len(fresh))
    tallies: dict[str, dict[Key, CallTally]] = {}
    for call_id in sorted({e.call_id for e in fresh if e.call_id is not None}):
        row_pack, change = _refold(session, call_id, pack, threshold)
        add_tallies(tallies.setdefault(row_pack, {}), change)
        result.calls += 1
    for row_pack, change in tallies.items():
        add_to_rollups(session, row_pack, change)
    # While this transaction holds the calls' rows: each call that has just ended, answered,
    # with its caller identified, becomes one contact.
    contacts_link.link_calls(session, ctx, (e.call_id for e in fresh if e.call_id is not None))
    # A call answered by an agent opens on that agent's desktop (with what the menu learned).
    screen_pops.answered(session, [e for e in fresh if e.kind is CallEvent.ANSWERED])
    placing = sorted(
        (e for e in fresh if isinstance(e.kind, AgentEvent)),
        key=lambda e: (e.agent_id, e.order()),
    )
    pending = {e.key for e in placing}
    seconds: dict[str, Seconds] = {}
    for e in placing:
        assert e.agent_id is not None  # the schema requires it on agent events
        pending.discard(e.key)
        add_seconds(seconds.setdefault(e.agent_id, {}), _place(session, e, pending))
    _add_seconds(session, seconds)
    result.agents = len(seconds)
    if fresh:
        audit.record(
            session,
            ctx,
            AuditAction.FEED_RECEIVED,
            object_type="telephony_feed",
            object_id=None,
            detail={"pack": pack, "events": result.received, "duplicates": result.duplicates},
        )
    return result


def _store_new(session: Session, pack: str, events: list[Event]) -> list[Event]:
    """Insert the events whose keys are new; return those (in the order given)."""
    by_key = {e.key: e for e in events}
    if not by_key:
        return []
    # Keys, calls, agents and rollup rows are always taken in sorted order, so that two batches
    # sharing some never wait for each other in a cycle (a deadlock on PostgreSQL).
    rows = [_event_row(pack, by_key[k]) for k in sorted(by_key)]
    table = table_of(FeedEvent)
    stmt = insert_on_conflict(session)(table).on_conflict_do_nothing(index_elements=["event_key"])
    stored = set(session.scalars(stmt.returning(table.c.event_key), rows))
    return [e for e in by_key.values() if e.key in stored]


def _event_row(pack: str, e: Event) -> dict[str, Any]:
    return {
        "event_key": e.key,
        "kind": e.kind.value,
        "at": e.at,
        "pack": pack,
        "call_id": e.call_id,
        "queue": e.queue,
        "agent_ref": e.agent_id,
        "member_ref": e.member_id,
        "warm": e.warm,
        "wrap_seconds": e.wrap_seconds,
        "received_at": now(),
    }


def _event(row: FeedEvent) -> Event:
    kind: CallEvent | AgentEvent = (
        AgentEvent(row.kind) if row.kind in AGENT_KINDS else CallEvent(row.kind)
    )
    return Event(
        key=row.event_key,
        kind=kind,
        at=row.at,
        call_id=row.call_id,
        queue=row.queue,
        agent_id=row.agent_ref,
        member_id=row.member_ref,
        warm=row.warm,
        wrap_seconds=row.wrap_seconds,
    )


def _locked(session: Session, model: Any, column: str, value: str, fresh: dict[str, Any]) -> Any:
    """The row of ``model`` whose ``column`` is ``value``, created from ``fresh`` when missing,
    locked for this transaction."""
    stmt = insert_on_conflict(session)(table_of(model)).on_conflict_do_nothing(
        index_elements=[column]
    )
    session.execute(stmt, [{column: value, **fresh}])
    query = select(model).where(getattr(model, column) == value).with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()


def _refold(
    session: Session, call_id: str, pack: str, threshold: float
) -> tuple[str, dict[Key, CallTally]]:
    """Fold the call again from all its events; the rollup change it makes, for its pack."""
    row: LiveCallRow = _locked(
        session,
        LiveCallRow,
        "call_id",
        call_id,
        {
            "pack": pack,
            "threshold_seconds": threshold,
            "short_abandon_seconds": SHORT_ABANDON_SECONDS,
            "state": CallState.UNKNOWN.value,
            "talk_seconds": 0.0,
            "hold_seconds": 0.0,
            "wrap_seconds": 0.0,
            "transfers": 0,
            "warm_transfers": 0,
        },
    )
    before = contribution(_as_live(row), row.threshold_seconds, row.short_abandon_seconds)
    events = session.scalars(select(FeedEvent).where(FeedEvent.call_id == call_id))
    call = fold_call(call_id, (_event(e) for e in events))
    after = contribution(call, row.threshold_seconds, row.short_abandon_seconds)
    row.state = call.state.value
    row.queue, row.agent_ref, row.member_ref = call.queue, call.agent_id, call.member_id
    row.offered_at, row.answered_at = call.offered_at, call.answered_at
    row.abandoned_at, row.ended_at = call.abandoned_at, call.ended_at
    row.talk_seconds, row.hold_seconds = call.talk_seconds, call.hold_seconds
    row.wrap_seconds = call.wrap_seconds
    row.transfers, row.warm_transfers = call.transfers, call.warm_transfers
    session.flush()
    return row.pack, correction(before, after)


def _as_live(row: LiveCallRow) -> LiveCall:
    return LiveCall(
        call_id=row.call_id,
        state=CallState(row.state),
        queue=row.queue,
        offered_at=row.offered_at,
        answered_at=row.answered_at,
        abandoned_at=row.abandoned_at,
        ended_at=row.ended_at,
        agent_id=row.agent_ref,
        member_id=row.member_ref,
        talk_seconds=row.talk_seconds,
        hold_seconds=row.hold_seconds,
        wrap_seconds=row.wrap_seconds,
        transfers=row.transfers,
        warm_transfers=row.warm_transfers,
    )


def _place(session: Session, e: Event, pending: set[str]) -> Seconds:
    """Put an agent event among the agent's events already placed: the agent's latest state
    moves when it is the latest, and its time by state changes by ``insertion``."""
    assert e.agent_id is not None
    status: AgentStatus = _locked(
        session,
        AgentStatus,
        "agent_ref",
        e.agent_id,
        {"state": e.kind.value, "since": e.at, "event_key": e.key},
    )
    if (status.since, status.event_key) < (e.at, e.key):
        status.state, status.since, status.event_key = e.kind.value, e.at, e.key
    mine = and_(
        FeedEvent.agent_ref == e.agent_id,
        FeedEvent.kind.in_(AGENT_KINDS),
        FeedEvent.event_key.not_in([e.key, *pending]),
    )
    earlier = or_(FeedEvent.at < e.at, and_(FeedEvent.at == e.at, FeedEvent.event_key < e.key))
    later = or_(FeedEvent.at > e.at, and_(FeedEvent.at == e.at, FeedEvent.event_key > e.key))
    before = session.scalars(
        select(FeedEvent)
        .where(mine, earlier)
        .order_by(FeedEvent.at.desc(), FeedEvent.event_key.desc())
        .limit(1)
    ).first()
    after = session.scalars(
        select(FeedEvent).where(mine, later).order_by(FeedEvent.at, FeedEvent.event_key).limit(1)
    ).first()
    return insertion(
        e, _event(before) if before is not None else None, _event(after) if after else None
    )


def _add_seconds(session: Session, by_agent: dict[str, Seconds]) -> None:
    """Add each agent's change of time by state to the half-hour rows."""
    rows = [
        {"agent_ref": agent, "interval_start": slot, "state": state, "seconds": s}
        for agent, change in by_agent.items()
        for (slot, state), s in change.items()
    ]
    rows.sort(key=lambda r: (r["agent_ref"], r["interval_start"], r["state"]))
    if not rows:
        return
    table = table_of(AgentSeconds)
    stmt = insert_on_conflict(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["agent_ref", "interval_start", "state"],
        set_={"seconds": table.c.seconds + stmt.excluded.seconds},
    )
    session.execute(stmt, rows)
