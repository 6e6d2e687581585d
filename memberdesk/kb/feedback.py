"""Agents' feedback on the library and the knowledge-gap report built from it.

An agent marks an article helpful or not helpful (on a contact, or just while reading), or says
that no article answered a contact (counted under the contact's reasons as saved at the end of
the call, or under the reason the agent gave). One mark per agent, contact and article: marking
again changes it (an upsert on a unique key, so two clicks at once still leave one mark).

The gap report counts, per contact reason, over a period: repeat contacts (a member coming back
on the same reason within the one-contact-resolution window, judged as ``contacts/fcr.py``
judges them), "no article answered" reports, and the helpful / not-helpful marks on the articles
that answer the reason. A reason with repeat contacts or "none answered" reports and no helpful
mark is a gap: members come back and the library did not help. Counts only: no member data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts import fcr
from memberdesk.contacts.enums import Direction
from memberdesk.contacts.models import Contact, ContactReason
from memberdesk.contacts.service import pack_tz
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.errors import InvalidInput
from memberdesk.kb.enums import FeedbackKind
from memberdesk.kb.models import KbArticle, KbFeedback, KbLabel
from memberdesk.kb.service import version_in_force
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member

FCR_WINDOW_DAYS = 7  # the one-contact-resolution window (DESIGN: 7 calendar days)


def _contact(session: Session, contact_id: int) -> Contact:
    found = session.get(Contact, contact_id)
    if found is None:
        raise InvalidInput("no contact with this id", field="body.contact_id")
    return found


def record(
    session: Session,
    ctx: AuditContext,
    *,
    kind: FeedbackKind,
    article_id: int | None,
    contact_id: int | None,
    reason: str | None,
    case_type: str | None,
    at: datetime,
) -> KbFeedback:
    """Record (or change) an agent's mark; audited with the contact's id, no member data."""
    if kind is FeedbackKind.NONE_ANSWERED:
        if article_id is not None:
            raise InvalidInput("name no article when saying none answered", field="body.article_id")
        if contact_id is None:
            raise InvalidInput("say which contact no article answered", field="body.contact_id")
    elif article_id is None:
        raise InvalidInput("say which article helped or did not", field="body.article_id")
    article = session.get(KbArticle, article_id) if article_id is not None else None
    if article_id is not None and article is None:
        raise InvalidInput("no article with this id", field="body.article_id")
    if contact_id is not None:
        _contact(session, contact_id)
    version_id = None
    if article is not None:
        current = version_in_force(session, article.id, at)
        version_id = current.id if current else None
    values = {
        "kind": kind.value,
        "article_id": article_id,
        "version_id": version_id,
        "contact_id": contact_id,
        "reason": reason,
        "case_type": case_type,
        "created_at": at,
        "created_by_id": ctx.actor_id,
        "once_key": (
            f"{ctx.actor_id or 0}:{contact_id}:{article_id or 'none'}"
            if contact_id is not None
            else None
        ),
    }
    table = table_of(KbFeedback)
    stmt = insert_on_conflict(session)(table).values(**values)
    if values["once_key"] is not None:
        stmt = stmt.on_conflict_do_update(
            index_elements=["once_key"],
            set_={
                "kind": stmt.excluded.kind,
                "version_id": stmt.excluded.version_id,
                "reason": stmt.excluded.reason,
                "case_type": stmt.excluded.case_type,
                "created_at": stmt.excluded.created_at,
            },
        )
    feedback_id = session.execute(stmt.returning(table.c.id)).scalar_one()
    audit.record(
        session,
        ctx,
        AuditAction.KB_FEEDBACK_RECORDED,
        object_type="kb_feedback",
        object_id=feedback_id,
        detail={
            "kind": kind.value,
            "article_id": article_id,
            "contact_id": contact_id,
            "reason": values["reason"],
        },
    )
    found = session.get(KbFeedback, feedback_id, populate_existing=True)
    assert found is not None
    return found


@dataclass
class GapLine:
    """One contact reason's figures over the period."""

    reason: str
    repeat_contacts: int = 0
    none_answered: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def gap(self) -> bool:
        """Members came back (or no article answered) and no article for it was marked helpful."""
        return (self.repeat_contacts > 0 or self.none_answered > 0) and self.helpful == 0


def repeat_contacts(
    session: Session,
    start: datetime,
    end: datetime,
    lines: list[LineOfBusiness] | None = None,
    window_days: int = FCR_WINDOW_DAYS,
) -> dict[str, int]:
    """Per reason: inbound contacts started in [start, end) that repeat an earlier contact of
    the same member on that reason within the window (``fcr.is_repeat``)."""
    since = start - timedelta(days=window_days + 2)  # earlier contacts a repeat may follow
    stmt = (
        select(Contact.id, ContactReason.member_id, ContactReason.started_at, ContactReason.reason)
        .join(ContactReason, ContactReason.contact_id == Contact.id)
        .where(
            ContactReason.member_id.is_not(None),
            ContactReason.started_at >= since,
            ContactReason.started_at < end,
            Contact.direction == Direction.INBOUND,
        )
    )
    if lines is not None:
        stmt = stmt.join(Member, Member.id == ContactReason.member_id).where(
            Member.line_of_business.in_(lines)
        )
    reasons: dict[int, set[str]] = defaultdict(set)
    heads: dict[int, tuple[int, datetime]] = {}
    for cid, member_id, started_at, reason in session.execute(stmt):
        reasons[cid].add(str(reason))
        heads[cid] = (member_id or 0, started_at)  # the query keeps only identified members
    by_member: dict[int, list[fcr.ContactFact]] = defaultdict(list)
    for cid, (member_id, started_at) in heads.items():
        by_member[member_id].append(
            fcr.ContactFact(cid, member_id, started_at, frozenset(reasons[cid]), resolved=True)
        )
    tz = pack_tz(None)
    out: dict[str, int] = defaultdict(int)
    for facts in by_member.values():
        facts.sort(key=lambda c: (c.started_at, c.id))
        for i, later in enumerate(facts):
            if not start <= later.started_at < end:
                continue
            shared: set[str] = set()
            for earlier in facts[:i]:
                if fcr.is_repeat(earlier, later, window_days, tz):
                    shared |= earlier.reasons & later.reasons
            for code in shared:
                out[code] += 1
    return dict(out)


def gap_report(
    session: Session,
    start: datetime,
    end: datetime,
    lines: list[LineOfBusiness] | None = None,
) -> list[GapLine]:
    """Every reason with any figure in [start, end), gaps first, then by repeat contacts and
    "none answered" reports, most first."""
    if end <= start:
        raise InvalidInput("end must be after start", field="query.end")
    table: dict[str, GapLine] = {}

    def line(code: str) -> GapLine:
        return table.setdefault(code, GapLine(code))

    for code, n in repeat_contacts(session, start, end, lines).items():
        line(code).repeat_contacts = n
    period = (KbFeedback.created_at >= start, KbFeedback.created_at < end)
    scope: tuple[ColumnElement[bool], ...] = ()
    if lines is not None:
        # A mark on a member's contact counts for that member's line; marks made while just
        # reading (no contact) count for every line.
        scope = (
            (KbFeedback.contact_id.is_(None))
            | KbFeedback.contact_id.in_(
                select(Contact.id)
                .join(Member, Member.id == Contact.member_id)
                .where(Member.line_of_business.in_(lines))
            ),
        )
    none = (KbFeedback.kind == FeedbackKind.NONE_ANSWERED, *period, *scope)
    for reason, n in session.execute(
        select(KbFeedback.reason, func.count())
        .where(*none, KbFeedback.reason.is_not(None))
        .group_by(KbFeedback.reason)
    ):
        line(str(reason)).none_answered += n
    # Without a reason given, a report counts under the contact's own reasons as saved: a call's
    # reasons are chosen when it ends, after the agent said no article answered.
    for reason, n in session.execute(
        select(ContactReason.reason, func.count(func.distinct(KbFeedback.id)))
        .join(ContactReason, ContactReason.contact_id == KbFeedback.contact_id)
        .where(*none, KbFeedback.reason.is_(None))
        .group_by(ContactReason.reason)
    ):
        line(str(reason)).none_answered += n
    for code, kind, n in session.execute(
        select(KbLabel.value, KbFeedback.kind, func.count())
        .join(KbLabel, KbLabel.article_id == KbFeedback.article_id)
        .where(KbLabel.facet == "reason", KbFeedback.kind != FeedbackKind.NONE_ANSWERED)
        .where(*period, *scope)
        .group_by(KbLabel.value, KbFeedback.kind)
    ):
        if kind == FeedbackKind.HELPFUL:
            line(code).helpful = n
        else:
            line(code).not_helpful = n
    return sorted(
        table.values(),
        key=lambda g: (not g.gap, -g.repeat_contacts, -g.none_answered, g.reason),
    )
