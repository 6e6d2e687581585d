"""The SLA worker's sweep: fire every warning and breach whose stored time has come, exactly once,
and move overdue Tier 1 cases to Tier 2.

Deadlines live on their rows (case clocks, voicemail callbacks, portal messages), as healthchecks
keeps a check's next alert on its row. Each event is one conditional UPDATE that stamps the row
only if it is still unstamped and due (``... WHERE warned_at IS NULL AND warn_at <= :now``), with
``RETURNING`` naming exactly the rows this transaction stamped; their audit entries go into the
same transaction. So an event fires once whether one worker runs or four (on PostgreSQL the
candidates are taken ``FOR UPDATE SKIP LOCKED``, so workers split the due rows instead of
queueing on them), and a worker killed mid-sweep loses nothing: its open batch rolls back and the
next sweep fires it. Nothing is read first and written later.

Order within a sweep, at one ``now``: warnings, then automatic escalations, then breaches; since
a warning time is never after its deadline, a row overdue on both counts is warned before it is
breached. Paused clocks have no deadline and a state other than running, so they never fire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, text, update
from sqlalchemy.orm import Session

from memberdesk.cases import service
from memberdesk.cases.enums import ClockState
from memberdesk.cases.models import UNWARNED_CLOCK, Case, CaseClock
from memberdesk.cases.states import OPEN_STATES, TIER_CLOCK
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext, Event
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts.models import (
    UNBREACHED_CALLBACK,
    UNBREACHED_REPLY,
    UNWARNED_CALLBACK,
    UNWARNED_REPLY,
    Callback,
    Contact,
)
from memberdesk.db import table_of
from memberdesk.quality.models import UNFLAGGED_CORRECTIVE, CorrectiveAssignment

# Who the audit log names for what the worker does on its own.
SWEEPER = AuditContext(actor_id=None, actor="sla-worker", role="system")
BATCH = 500
HANDOFF = TIER_CLOCK[1]


@dataclass(frozen=True)
class Deadline:
    """One kind of stored deadline: where it lives, which rows count, what firing it stamps."""

    name: str
    table: Table
    when: str  # the column holding the time it fires at
    stamp: str  # the column it stamps; NULL until fired
    open: str  # the rows still to fire (the partial index's condition, word for word)
    action: AuditAction
    object_type: str
    object_id: str  # the column naming the audited object
    target: Callable[[Any], str]  # the pack target named in the audit entry
    also: dict[str, Any] = field(default_factory=dict)  # further values to set when it fires
    extra: tuple[ColumnElement[bool], ...] = ()  # further conditions


def _clock_target(row: Any) -> str:
    return str(row.target)


CLOCKS, CALLBACKS, CONTACTS = table_of(CaseClock), table_of(Callback), table_of(Contact)
CORRECTIVE = table_of(CorrectiveAssignment)

WARNINGS = (
    Deadline(
        "case clock warnings",
        CLOCKS,
        "warn_at",
        "warned_at",
        UNWARNED_CLOCK,
        AuditAction.SLA_WARNED,
        "case",
        "case_id",
        _clock_target,
    ),
    Deadline(
        "callback warnings",
        CALLBACKS,
        "warn_at",
        "warned_at",
        UNWARNED_CALLBACK,
        AuditAction.SLA_WARNED,
        "callback",
        "id",
        lambda _: "voicemail_return",
    ),
    Deadline(
        "portal reply warnings",
        CONTACTS,
        "reply_warn_at",
        "reply_warned_at",
        UNWARNED_REPLY,
        AuditAction.SLA_WARNED,
        "contact",
        "id",
        lambda _: "email_reply",
    ),
)
BREACHES = (
    # A Tier 1 hand-off clock that runs out moves its case instead (escalate_due), so it is
    # not also reported as a breach: the hand-off happens at the deadline.
    Deadline(
        "case clock breaches",
        CLOCKS,
        "due_at",
        "breached_at",
        "state = 'running'",
        AuditAction.SLA_BREACHED,
        "case",
        "case_id",
        _clock_target,
        also={"state": ClockState.BREACHED.value},
        extra=(CLOCKS.c.target != HANDOFF,),
    ),
    Deadline(
        "callback breaches",
        CALLBACKS,
        "due_at",
        "breached_at",
        UNBREACHED_CALLBACK,
        AuditAction.SLA_BREACHED,
        "callback",
        "id",
        lambda _: "voicemail_return",
    ),
    Deadline(
        "portal reply breaches",
        CONTACTS,
        "reply_due_at",
        "reply_breached_at",
        UNBREACHED_REPLY,
        AuditAction.SLA_BREACHED,
        "contact",
        "id",
        lambda _: "email_reply",
    ),
    # Corrective training after a QA score under 80%: flagged overdue once (quality/).
    Deadline(
        "corrective training overdue",
        CORRECTIVE,
        "due_at",
        "overdue_at",
        UNFLAGGED_CORRECTIVE,
        AuditAction.SLA_BREACHED,
        "qa_corrective",
        "id",
        _clock_target,
    ),
)


def _cond(sql: str) -> ColumnElement[bool]:
    # Literal SQL, so the query repeats the partial index's condition exactly.
    return text(sql).self_group()  # type: ignore[return-value]


def _skip_locked(session: Session) -> bool:
    # SQLite has one writer at a time (BEGIN IMMEDIATE): there is nothing to skip.
    return session.get_bind().dialect.name == "postgresql"


def fire(session: Session, d: Deadline, at: datetime, limit: int = BATCH) -> int:
    """Stamp up to ``limit`` due, unfired rows of ``d`` and audit each; returns how many this
    call fired. Never commits."""
    t = d.table
    when, stamp = t.c[d.when], t.c[d.stamp]
    due: tuple[ColumnElement[bool], ...] = (_cond(d.open), when <= at, *d.extra)
    pick = select(t.c.id).where(*due).order_by(when, t.c.id).limit(limit)
    if _skip_locked(session):
        pick = pick.with_for_update(skip_locked=True)
    columns = [t.c.id, t.c[d.object_id], when]
    if "target" in t.c:
        columns.append(t.c.target)
    # The guard is repeated on the UPDATE itself: a row is stamped only while still unfired.
    fired = list(
        session.execute(
            update(t)
            .where(t.c.id.in_(pick.scalar_subquery()), stamp.is_(None), *due)
            .values({d.stamp: at, **d.also})
            .returning(*columns)
        )
    )
    if not fired:
        return 0
    fired.sort(key=lambda r: (r[2], r.id))
    audit.record_many(
        session,
        SWEEPER,
        [
            Event(
                d.action,
                object_type=d.object_type,
                object_id=row[1],
                detail={
                    "target": d.target(row),
                    d.when: row[2].isoformat(),
                    **({"clock_id": row.id} if t is CLOCKS else {}),
                },
            )
            for row in fired
        ],
    )
    return len(fired)


def escalate_due(session: Session, at: datetime, limit: int = BATCH) -> tuple[int, int]:
    """Move up to ``limit`` Tier 1 cases whose hand-off clock has run out to Tier 2 (through
    ``escalate_overdue``: its own conditional UPDATE decides, and it records the hand-off and
    the audit entry). Returns (candidates taken, cases moved). Never commits."""
    pick = (
        select(Case.id)
        .join(CaseClock, CaseClock.case_id == Case.id)
        .where(
            CaseClock.target == HANDOFF,
            # Only running: the sweep never breaches a hand-off clock (it moves the case), so
            # the (state, due_at) index reads just the clocks that are due and unfired.
            CaseClock.state == ClockState.RUNNING,
            CaseClock.due_at <= at,
            Case.tier == 1,
            Case.state.in_(OPEN_STATES),
        )
        .order_by(CaseClock.due_at, Case.id)
        .limit(limit)
    )
    if _skip_locked(session):
        # Lock the cases (the order every writer of a case takes) and skip those another
        # worker or an agent holds: they are theirs this round.
        pick = pick.with_for_update(of=Case, skip_locked=True)
    ids = list(session.scalars(pick))
    moved = sum(service.escalate_overdue(session, case_id, at, SWEEPER) for case_id in ids)
    return len(ids), moved


@dataclass
class SweepResult:
    """How many events one sweep fired, by kind."""

    at: datetime
    fired: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every event fired (warnings, escalations, breaches)."""
        return sum(self.fired.values())


def sweep(session: Session, at: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Fire everything due at ``at`` (default: now), committing after each batch."""
    at = at or now()
    result = SweepResult(at)
    for d in WARNINGS:
        result.fired[d.name] = _drain(session, d, at, batch)
    moved_total = 0
    while True:
        taken, moved = escalate_due(session, at, batch)
        session.commit()
        moved_total += moved
        if taken < batch or moved == 0:
            break
    result.fired["automatic escalations"] = moved_total
    for d in BREACHES:
        result.fired[d.name] = _drain(session, d, at, batch)
    return result


def _drain(session: Session, d: Deadline, at: datetime, batch: int) -> int:
    # One transaction per batch: a crash loses at most the open batch, and the next sweep
    # fires it. A short batch means nothing (not locked by another worker) is left.
    total = 0
    while True:
        n = fire(session, d, at, batch)
        session.commit()
        total += n
        if n < batch:
            return total


def due_counts(session: Session, at: datetime) -> dict[str, int]:
    """What a sweep at ``at`` would fire, by kind (read only; for status and tests)."""
    counts = {
        d.name: session.scalar(
            select(func.count())
            .select_from(d.table)
            .where(_cond(d.open), d.table.c[d.when] <= at, *d.extra)
        )
        or 0
        for d in (*WARNINGS, *BREACHES)
    }
    counts["automatic escalations"] = (
        session.scalar(
            select(func.count(func.distinct(Case.id)))
            .join(CaseClock, CaseClock.case_id == Case.id)
            .where(
                CaseClock.target == HANDOFF,
                CaseClock.state == ClockState.RUNNING,
                CaseClock.due_at <= at,
                Case.tier == 1,
                Case.state.in_(OPEN_STATES),
            )
        )
        or 0
    )
    return counts
