"""PHI access reports: who accessed member X, and everything user U accessed (164.528)."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk import csvsafe
from memberdesk.compliance.enums import PHI_ACCESS_ACTIONS
from memberdesk.compliance.models import AuditEntry, AuditMemberAccess
from memberdesk.errors import InvalidInput
from memberdesk.members.models import Member

ACCESS_ACTIONS = sorted(a.value for a in PHI_ACCESS_ACTIONS)


@dataclass(frozen=True)
class AccessRow:
    """One disclosure of one member's PHI."""

    at: str
    audit_id: int
    actor: str
    role: str
    action: str
    purpose: str
    member_id: int
    member_number: str | None
    member_name: str | None
    request_id: str | None
    client_addr: str | None


def _rows(
    session: Session, *, member_id: int | None, actor_id: int | None, start: datetime, end: datetime
) -> list[AccessRow]:
    query = (
        select(AuditEntry, AuditMemberAccess.member_id)
        .join(AuditMemberAccess, AuditMemberAccess.audit_id == AuditEntry.id)
        .where(
            AuditMemberAccess.at >= start,
            AuditMemberAccess.at < end,
            AuditEntry.action.in_(ACCESS_ACTIONS),
        )
        .order_by(AuditEntry.id, AuditMemberAccess.member_id)
    )
    if member_id is not None:
        query = query.where(AuditMemberAccess.member_id == member_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    found = session.execute(query).all()
    ids = {mid for _, mid in found}
    people = (
        {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))} if ids else {}
    )
    out = []
    for entry, mid in found:
        person = people.get(mid)
        shown = person if person is not None and person.purged_at is None else None
        out.append(
            AccessRow(
                at=entry.at.isoformat(),
                audit_id=entry.id,
                actor=entry.actor,
                role=entry.role,
                action=entry.action,
                purpose=entry.purpose,
                member_id=mid,
                member_number=shown.member_number if shown else None,
                member_name=f"{shown.first_name} {shown.last_name}" if shown else None,
                request_id=entry.request_id,
                client_addr=entry.client_addr,
            )
        )
    return out


def day_window(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC); ``end`` before ``start`` is an error."""
    if end < start:
        raise InvalidInput("end is before start", field="query.end")
    return (
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )


def member_access(
    session: Session, member_id: int, start: datetime, end: datetime
) -> list[AccessRow]:
    """Everyone who saw or changed one member's PHI in [start, end)."""
    return _rows(session, member_id=member_id, actor_id=None, start=start, end=end)


def user_access(session: Session, actor_id: int, start: datetime, end: datetime) -> list[AccessRow]:
    """Every member whose PHI one user saw or changed in [start, end)."""
    return _rows(session, member_id=None, actor_id=actor_id, start=start, end=end)


def to_csv(rows: list[AccessRow]) -> str:
    """The report as CSV, one line per disclosure. Cells that a spreadsheet would run as a
    formula (a request ID or a name starting with ``=``) are neutralised (OWASP CSV injection)."""
    buf = io.StringIO()
    writer = csvsafe.dict_writer(buf, fieldnames=list(AccessRow.__dataclass_fields__))
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return buf.getvalue()
