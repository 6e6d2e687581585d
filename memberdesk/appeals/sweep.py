"""The worker's appeal job: a Medicaid appeal whose deadline passed undecided is *deemed
exhausted* (42 CFR 438.408(c)(3)): the member may go straight to a state fair hearing.

Like the SLA sweep (``memberdesk.sla.sweep``), the flag is set by one conditional UPDATE that
stamps an appeal only while it is still open, unflagged and past a deadline whose pack target
says so, with ``RETURNING`` naming the rows this transaction stamped; their audit entries go into
the same transaction. On PostgreSQL the candidates are taken ``FOR UPDATE SKIP LOCKED``, so two
workers split the due appeals and never flag one twice; a second worker that reaches a row after
the first committed finds the guard false.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, false, or_, select, update
from sqlalchemy.orm import Session

from memberdesk.appeals import rules
from memberdesk.appeals.enums import AppealState
from memberdesk.appeals.models import Appeal
from memberdesk.cases.enums import ClockState
from memberdesk.cases.models import CaseClock
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext, Event
from memberdesk.compliance.enums import AuditAction

WORKER = AuditContext(actor_id=None, actor="appeals-worker", role="system")
BATCH = 500


def _overdue(at: datetime):  # type: ignore[no-untyped-def]
    """A running (or swept-breached) clock of the appeal's case, past its deadline, on a target
    whose miss deems the process exhausted."""
    pairs = sorted(rules.deemed_targets())
    which = (
        or_(*(and_(CaseClock.pack == p, CaseClock.target == t) for p, t in pairs))
        if pairs
        else false()
    )
    return (
        select(CaseClock.target)
        .where(
            CaseClock.case_id == Appeal.case_id,
            CaseClock.pack == Appeal.pack,
            which,
            CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED)),
            # The deadline instant itself is still on time; exhaustion is anything after it.
            CaseClock.due_at < at,
        )
        .correlate(Appeal)
    )


def flag_exhausted(session: Session, at: datetime, limit: int = BATCH) -> list[int]:
    """Stamp up to ``limit`` overdue open Medicaid appeals as deemed exhausted and audit each;
    returns the ids this call stamped. Never commits."""
    guard = (
        Appeal.state == AppealState.OPEN,
        Appeal.deemed_exhausted_at.is_(None),
        exists(_overdue(at)),
    )
    pick = select(Appeal.id).where(*guard).order_by(Appeal.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True, of=Appeal)
    target = _overdue(at).order_by(CaseClock.due_at).limit(1).scalar_subquery()
    stamped = list(
        session.execute(
            update(Appeal)
            .where(Appeal.id.in_(pick.scalar_subquery()), *guard)
            .values(deemed_exhausted_at=at, deemed_target=target, updated_at=at)
            .returning(Appeal.id, Appeal.member_id, Appeal.deemed_target)
            .execution_options(synchronize_session=False)
        )
    )
    if not stamped:
        return []
    audit.record_many(
        session,
        WORKER,
        [
            Event(
                AuditAction.APPEAL_DEEMED_EXHAUSTED,
                object_type="appeal",
                object_id=row.id,
                member_ids=[row.member_id],
                detail={"target": row.deemed_target, "at": at.isoformat()},
            )
            for row in sorted(stamped, key=lambda r: r.id)
        ],
    )
    return sorted(row.id for row in stamped)


def sweep(session: Session, at: datetime, batch: int = BATCH) -> int:
    """Flag everything overdue at ``at``, one transaction per batch; returns how many."""
    total = 0
    while True:
        n = len(flag_exhausted(session, at, batch))
        session.commit()
        total += n
        if n < batch:
            return total
