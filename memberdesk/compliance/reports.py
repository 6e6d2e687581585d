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
from memberdesk.schemas import MAX_DATE, MIN_DATE

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


def _bounded(day: date, field: str) -> date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidInput(
            f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}", field=field
        )
    return day


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def day_window(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC); ``end`` before ``start`` is an error,
    and so is a day outside 1900..2199 (named by field, never a date overflow)."""
    _bounded(start, "query.start")
    _bounded(end, "query.end")
    if end < start:
        raise InvalidInput("end is before start", field="query.end")
    return _midnight(start), _midnight(end + timedelta(days=1))


def optional_window(
    start: date | None, end: date | None
) -> tuple[datetime | None, datetime | None]:
    """Like ``day_window`` with either side open."""
    if start is not None and end is not None:
        lo, hi = day_window(start, end)
        return lo, hi
    return (
        _midnight(_bounded(start, "query.start")) if start is not None else None,
        _midnight(_bounded(end, "query.end") + timedelta(days=1)) if end is not None else None,
    )


@dataclass(frozen=True)
class AuditFilter:
    """What an audit search narrows to; every field optional, all combined."""

    action: str | None = None
    actor_id: int | None = None
    username: str | None = None
    member_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def used(self) -> list[str]:
        """Names of the filters given (the search's own audit entry keeps these, not values:
        a username or member id searched for says whom an investigation is about)."""
        return [k for k, v in asdict(self).items() if v is not None]


def _window_first(session: Session, f: AuditFilter) -> bool:
    """Whether a page is found faster from the date window than by walking the log backwards.

    Newest first, PostgreSQL walks the id index down from the newest entry and skips whatever
    lies outside the window: right for a window reaching today, ruinous for March in December
    (it steps over every entry since), because the planner does not know that ids follow
    ``at``. When more of the log lies after the window than in it, and no filter on a person
    or a record (their own indexes are already short) narrows the search, the page is taken
    from the window's own index instead (``(at, id)``, ``(action, at, id)``: index-only).
    """
    narrowed = (f.member_id, f.object_type, f.username, f.actor_id)
    if f.end is None or any(v is not None for v in narrowed):
        return False
    newest = session.scalar(select(AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1))
    oldest = session.scalar(select(AuditEntry.at).order_by(AuditEntry.id).limit(1))
    if newest is None or oldest is None or f.end > newest:
        return False
    start = max(f.start or oldest, oldest)
    return newest - f.end > f.end - start


def search_audit(
    session: Session, f: AuditFilter, limit: int, before_id: int | None = None
) -> list[AuditEntry]:
    """Up to ``limit + 1`` entries, newest first, older than ``before_id``: keyset paging over
    the chain's id, so each page is an index walk however deep it is (an OFFSET would read and
    skip every earlier row). The extra row tells the caller there is a next page."""
    conds = []
    if before_id is not None:
        conds.append(AuditEntry.id < before_id)
    if f.action is not None:
        conds.append(AuditEntry.action == f.action)
    if f.actor_id is not None:
        conds.append(AuditEntry.actor_id == f.actor_id)
    if f.username is not None:
        conds.append(AuditEntry.actor == f.username)
    if f.object_type is not None:
        conds.append(AuditEntry.object_type == f.object_type)
    if f.object_id is not None:
        conds.append(AuditEntry.object_id == f.object_id)
    if f.start is not None:
        conds.append(AuditEntry.at >= f.start)
    if f.end is not None:
        conds.append(AuditEntry.at < f.end)
    if f.member_id is not None:
        touched = select(AuditMemberAccess.audit_id).where(
            AuditMemberAccess.member_id == f.member_id
        )
        conds.append(AuditEntry.id.in_(touched))
    if _window_first(session, f):
        # ``id + 0`` is the same order the planner cannot take from the id index: it sorts
        # the window's ids (a top-N sort of the window, never of the log) and fetches the page.
        page = (select(AuditEntry.id).where(*conds).order_by((AuditEntry.id + 0).desc())).limit(
            limit + 1
        )
        conds = [AuditEntry.id.in_(page.scalar_subquery())]
    query = select(AuditEntry).where(*conds)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))


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
