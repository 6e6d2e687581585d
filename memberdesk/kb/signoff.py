"""The policy sign-off clock of regulatory changes: a version written because a rule changed
starts the pack's ``policy_signoff`` clock (5 business days on the pack's calendar); compliance
signs it off by publishing it, with a compliance officer's own approval; the worker flags the
ones still unpublished at their deadline, once each.

The deadline is stored on the version (as case clocks store theirs) and the flag is one
conditional UPDATE that stamps a version only while it is still unpublished, unretired and
unflagged, with ``RETURNING`` naming exactly the rows this transaction stamped; their audit
entries go into the same transaction. On PostgreSQL the candidates are taken ``FOR UPDATE SKIP
LOCKED``, so several workers split the due versions and none is flagged twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, text, update
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext, Event
from memberdesk.compliance.enums import AuditAction
from memberdesk.kb.models import SIGNOFF_OPEN, KbArticle, KbVersion
from memberdesk.members.lines import line_of
from memberdesk.members.packs import DEFAULT_PACK
from memberdesk.sla.packs import UnknownTargetError, get_pack

TARGET = "policy_signoff"
WORKER = AuditContext(actor_id=None, actor="kb-worker", role="system")
BATCH = 500


def pack_of(article: KbArticle) -> str:
    """The pack whose ``policy_signoff`` clock runs for the article: its line's pack when that
    pack has the target, else the plan's default pack (an article for every line, or a line
    whose pack leaves policy sign-off to the plan's own rule)."""
    if article.line_of_business is not None:
        pack = line_of(article.line_of_business).pack
        try:
            get_pack(pack).target(TARGET)
            return pack
        except UnknownTargetError:
            pass
    return DEFAULT_PACK


def start(version: KbVersion, article: KbArticle, at: datetime) -> None:
    """Mark ``version`` regulatory and start its sign-off clock at ``at``."""
    pack = pack_of(article)
    version.regulatory = True
    version.signoff_pack = pack
    version.signoff_due_at = get_pack(pack).target(TARGET).compute_due(at).due


def _open() -> ColumnElement[bool]:
    # Literal SQL, so the query repeats the partial index's condition exactly.
    return text(SIGNOFF_OPEN).self_group()  # type: ignore[return-value]


def flag_overdue(session: Session, at: datetime, limit: int = BATCH) -> list[int]:
    """Stamp up to ``limit`` regulatory versions past their sign-off deadline unpublished as
    overdue and audit each; the ids this call stamped. Never commits."""
    # The deadline instant itself is still on time: overdue is anything after it.
    due = (_open(), KbVersion.signoff_due_at < at)
    pick = select(KbVersion.id).where(*due).order_by(KbVersion.signoff_due_at, KbVersion.id)
    pick = pick.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stamped = list(
        session.execute(
            update(KbVersion)
            .where(KbVersion.id.in_(pick.scalar_subquery()), *due)
            .values(signoff_overdue_at=at)
            .returning(
                KbVersion.id, KbVersion.article_id, KbVersion.number, KbVersion.signoff_due_at
            )
            .execution_options(synchronize_session=False)
        )
    )
    if not stamped:
        return []
    stamped.sort(key=lambda r: r.id)
    audit.record_many(
        session,
        WORKER,
        [
            Event(
                AuditAction.KB_SIGNOFF_OVERDUE,
                object_type="kb_version",
                object_id=row.id,
                detail={
                    "article_id": row.article_id,
                    "number": row.number,
                    "target": TARGET,
                    "due_at": row.signoff_due_at.isoformat(),
                },
            )
            for row in stamped
        ],
    )
    return [row.id for row in stamped]


def sweep(session: Session, at: datetime, batch: int = BATCH) -> int:
    """Flag everything overdue at ``at``, one transaction per batch; how many were flagged."""
    total = 0
    while True:
        n = len(flag_overdue(session, at, batch))
        session.commit()
        total += n
        if n < batch:
            return total


@dataclass(frozen=True)
class Signoff:
    """A regulatory version and where its sign-off stands."""

    version: KbVersion
    article: KbArticle
    overdue: bool


def outcome(version: KbVersion) -> str | None:
    """``on_time`` / ``late`` once signed off (published), else None."""
    if version.published_at is None or version.signoff_due_at is None:
        return None
    return "on_time" if version.published_at <= version.signoff_due_at else "late"


def waiting(session: Session, at: datetime, limit: int = 100) -> list[Signoff]:
    """Regulatory versions not yet signed off (unpublished, unretired), overdue first, then by
    deadline. Overdue here is the deadline having passed, whether or not the worker has run."""
    rows = session.execute(
        select(KbVersion, KbArticle)
        .join(KbArticle, KbArticle.id == KbVersion.article_id)
        .where(
            KbVersion.signoff_due_at.is_not(None),
            KbVersion.published_at.is_(None),
            KbVersion.retired_at.is_(None),
        )
        .order_by(KbVersion.signoff_due_at, KbVersion.id)
        .limit(limit)
    ).all()
    return [Signoff(v, a, v.signoff_due_at is not None and v.signoff_due_at < at) for v, a in rows]
