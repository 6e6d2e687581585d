"""Retention and legal holds: purge or de-identify what has expired (``retention run``).

Audit tables are never purged here: they are append-only in the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import keyring
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import LegalHold, LoginAttempt, WebSession
from memberdesk.db import table_of
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import CoverageSpan, IdCardRequest, LifeEvent, Member

HIPAA_MINIMUM_YEARS = 6  # 45 CFR 164.316(b)(2)(i)
DEFAULT_YEARS = 10
PURGED = "[purged]"


class RecordType(StrEnum):
    MEMBER = "member"  # de-identified, kept for referential integrity and statistics
    LIFE_EVENT = "life_event"
    ID_CARD_REQUEST = "id_card_request"
    LOGIN_ATTEMPT = "login_attempt"
    WEB_SESSION = "web_session"
    CALL_RECORD = "call_record"  # the calls themselves go; their half-hour rollups (counts) stay
    SURVEY_COMMENT = "survey_comment"  # the member's words go; the scores (counts) stay


RECORD_TYPES = ", ".join(rt.value for rt in RecordType)


@dataclass
class RetentionReport:
    dry_run: bool
    cutoffs: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    held_types: list[str] = field(default_factory=list)  # a hold on the whole record type


def retention_years(overrides: dict[str, int]) -> dict[RecordType, int]:
    """Years to keep each record type: default 10, never below the HIPAA six."""
    years = {rt: DEFAULT_YEARS for rt in RecordType}
    for name, value in overrides.items():
        try:
            rt = RecordType(name)
        except ValueError:
            raise InvalidInput(
                f"names an unknown record type; record types are {RECORD_TYPES}",
                field="retention_years",
            ) from None
        if value < HIPAA_MINIMUM_YEARS:
            raise InvalidInput(
                f"{rt.value} is kept less than the {HIPAA_MINIMUM_YEARS}-year HIPAA minimum",
                field="retention_years",
            )
        years[rt] = value
    return years


def _cutoff(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _held(member_col):  # type: ignore[no-untyped-def]
    return exists().where(LegalHold.member_id == member_col, LegalHold.released_at.is_(None))


def _type_held(session: Session, rt: RecordType) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(LegalHold)
            .where(LegalHold.record_type == rt.value, LegalHold.released_at.is_(None))
        )
        or 0
    ) > 0


def expired_members(session: Session, cutoff: date) -> tuple[list[int], int]:
    """(members to de-identify, members spared by a legal hold) whose coverage ended before
    ``cutoff``: every span terminated, none open or ending later."""
    live_span = exists().where(
        CoverageSpan.member_id == Member.id,
        or_(CoverageSpan.termination_date.is_(None), CoverageSpan.termination_date >= cutoff),
    )
    any_span = exists().where(CoverageSpan.member_id == Member.id)
    base = select(Member.id).where(Member.purged_at.is_(None), any_span, not_(live_span))
    ids = list(session.scalars(base.where(not_(_held(Member.id)))))
    held = session.scalar(select(func.count()).select_from(base.where(_held(Member.id)).subquery()))
    return ids, held or 0


def _deidentify(session: Session, ids: list[int], stamp: datetime) -> None:
    # Safe harbour (45 CFR 164.514(b)): identifiers go; year of birth and language stay.
    ring = keyring()
    for member in session.scalars(select(Member).where(Member.id.in_(ids))):
        token = f"purged:{member.id}"
        member.member_number = PURGED
        member.member_number_bidx = ring.blind_index("purged", token)
        member.first_name = member.last_name = PURGED
        member.date_of_birth = date(member.date_of_birth.year, 1, 1)
        member.name_dob_bidx = ring.blind_index("purged_name", token)
        member.address_line1, member.address_line2 = PURGED, None
        member.city, member.postal_code = PURGED, PURGED
        member.phone = member.phone_bidx = member.email = None
        member.confidential_address = member.confidential_phone = None
        member.confidential_phone_bidx = None
        member.purged_at = stamp
    _dates_to_years(session, ids, ring)
    _deidentify_work(session, ids)


def _year_of(value: date) -> date:
    return date(value.year, 1, 1)


def _dates_to_years(session: Session, ids: list[int], ring: Any) -> None:
    """Safe harbour removes every element of a date tied to the person but the year: coverage
    from 2008-03-15 to 2014-06-30 becomes 2008-01-01 to 2014-12-31 (the years it touched), a
    life event or an ID-card request keeps only its year."""
    for span in session.scalars(select(CoverageSpan).where(CoverageSpan.member_id.in_(ids))):
        span.effective_date = _year_of(span.effective_date)
        if span.termination_date is not None:
            span.termination_date = date(span.termination_date.year, 12, 31)
        span.recorded_at = _start_of_year(span.recorded_at)
        if span.termination_recorded_at is not None:
            span.termination_recorded_at = _start_of_year(span.termination_recorded_at)
    for event in session.scalars(select(LifeEvent).where(LifeEvent.member_id.in_(ids))):
        event.event_date = _year_of(event.event_date)
        event.reported_at = _start_of_year(event.reported_at)
        event.notes = None
        # Two events of one kind in one year would now look alike: each keeps its own index.
        event.dedup_bidx = ring.blind_index("purged_event", f"purged:{event.id}")
    for card in session.scalars(select(IdCardRequest).where(IdCardRequest.member_id.in_(ids))):
        card.requested_at = _start_of_year(card.requested_at)
        card.updated_at = _start_of_year(card.updated_at)


def _start_of_year(value: datetime) -> datetime:
    return datetime(value.year, 1, 1, tzinfo=value.tzinfo)


def _deidentify_work(session: Session, ids: list[int]) -> None:
    """The free text and contact data of the member's contacts, callbacks, cases, transfers,
    documents and navigator flag go with the identifiers; the rows stay (dates, channels,
    reasons, states and clocks feed statistics and the audit trail)."""
    # Imported here: compliance must not import the work domains at module load (they import
    # compliance themselves).
    from memberdesk.cases.models import (
        Case,
        CaseDocument,
        CaseHandoff,
        CaseNote,
        Transfer,
    )
    from memberdesk.contacts.models import Callback, CallbackAttempt, Contact
    from memberdesk.ivr.models import IvrCall, ScreenPop
    from memberdesk.letters.models import Letter
    from memberdesk.navigators.models import MemberNavigator
    from memberdesk.surveys.models import OutboxMessage, SurveyAnswer, SurveyInvitation

    def scrub(model: type[Any], where: Any, **values: Any) -> None:
        session.execute(table_of(model).update().where(where).values(**values))

    cases = select(Case.id).where(Case.member_id.in_(ids))
    callbacks = select(Callback.id).where(Callback.member_id.in_(ids))
    scrub(Contact, Contact.member_id.in_(ids), notes=None, subject=None)
    scrub(Callback, Callback.member_id.in_(ids), phone=PURGED)
    scrub(CallbackAttempt, CallbackAttempt.callback_id.in_(callbacks), note=None)
    # The phone menu: the number called from goes; the path and outcome stay (containment).
    scrub(IvrCall, IvrCall.member_id.in_(ids), from_phone=None)
    scrub(ScreenPop, ScreenPop.member_id.in_(ids), phone=None)
    scrub(Case, Case.member_id.in_(ids), summary=PURGED)
    scrub(CaseNote, CaseNote.case_id.in_(cases), text=PURGED)
    scrub(CaseHandoff, CaseHandoff.case_id.in_(cases), rationale=None)
    scrub(
        Transfer,
        Transfer.case_id.in_(cases),
        context_summary=PURGED,
        member_question=None,
        decline_reason=None,
    )
    # The document itself goes; its type, size and date stay. The digest goes too: it would
    # confirm a copy of the document held elsewhere.
    scrub(
        CaseDocument,
        CaseDocument.case_id.in_(cases),
        filename=PURGED,
        content="",
        sha256="",
    )
    # Letters: the PDF and the addressee go; kind, dates, channel and template versions stay.
    scrub(Letter, Letter.member_id.in_(ids), pdf="", recipient_name=PURGED, recipient_address="")
    scrub(
        MemberNavigator,
        MemberNavigator.member_id.in_(ids),
        reason=None,
        unflag_reason=None,
    )
    # Surveys: the member's words and any link still unsent go; the scores stay. The outbox
    # holds their address and link, and goes whole.
    scrub(SurveyAnswer, SurveyAnswer.member_id.in_(ids), comment=None)
    scrub(SurveyInvitation, SurveyInvitation.member_id.in_(ids), token=None)
    session.execute(delete(OutboxMessage).where(OutboxMessage.member_id.in_(ids)))


def run(
    session: Session,
    ctx: AuditContext,
    overrides: dict[str, int],
    dry_run: bool,
    today: date | None = None,
) -> RetentionReport:
    """Apply retention; with ``dry_run`` only count. Audited either way. Never commits."""
    years = retention_years(overrides)
    today = today or now().date()
    stamp = now()
    report = RetentionReport(dry_run=dry_run)
    cut = {rt: _cutoff(y, today) for rt, y in years.items()}
    report.cutoffs = {rt.value: c.isoformat() for rt, c in cut.items()}

    if _type_held(session, RecordType.MEMBER):
        report.counts["member"] = 0
        report.held_types.append("member")
    else:
        ids, held = expired_members(session, cut[RecordType.MEMBER])
        report.counts["member"], report.held["member"] = len(ids), held
        if not dry_run and ids:
            _deidentify(session, ids, stamp)

    from memberdesk.kpi.models import CallRow  # late: compliance loads before the domains
    from memberdesk.surveys.models import SurveyAnswer

    start = lambda d: datetime(d.year, d.month, d.day, tzinfo=stamp.tzinfo)  # noqa: E731
    targets = [
        (
            RecordType.LIFE_EVENT,
            LifeEvent,
            LifeEvent.reported_at < start(cut[RecordType.LIFE_EVENT]),
            LifeEvent.member_id,
        ),
        (
            RecordType.ID_CARD_REQUEST,
            IdCardRequest,
            IdCardRequest.requested_at < start(cut[RecordType.ID_CARD_REQUEST]),
            IdCardRequest.member_id,
        ),
        (
            RecordType.LOGIN_ATTEMPT,
            LoginAttempt,
            LoginAttempt.at < start(cut[RecordType.LOGIN_ATTEMPT]),
            None,
        ),
        (
            RecordType.WEB_SESSION,
            WebSession,
            and_(
                WebSession.ended_at.is_not(None),
                WebSession.ended_at < start(cut[RecordType.WEB_SESSION]),
            ),
            None,
        ),
        (
            RecordType.CALL_RECORD,
            CallRow,
            CallRow.offered_at < start(cut[RecordType.CALL_RECORD]),
            None,
        ),
        (
            RecordType.SURVEY_COMMENT,
            SurveyAnswer,
            and_(
                SurveyAnswer.answered_at < start(cut[RecordType.SURVEY_COMMENT]),
                SurveyAnswer.comment.is_not(None),
            ),
            SurveyAnswer.member_id,
        ),
    ]
    # Record types whose rows stay (they feed counts) and lose only these columns.
    scrubbed: dict[RecordType, dict[str, Any]] = {RecordType.SURVEY_COMMENT: {"comment": None}}
    for rt, model, expired, member_col in targets:
        if _type_held(session, rt):
            report.counts[rt.value] = 0
            report.held_types.append(rt.value)
            continue
        cond = expired if member_col is None else and_(expired, not_(_held(member_col)))
        n = session.scalar(select(func.count()).select_from(model).where(cond)) or 0
        held = (
            0
            if member_col is None
            else session.scalar(
                select(func.count()).select_from(model).where(expired, _held(member_col))
            )
            or 0
        )
        report.counts[rt.value], report.held[rt.value] = n, held
        if not dry_run and n and rt in scrubbed:
            session.execute(table_of(model).update().where(cond).values(**scrubbed[rt]))
        elif not dry_run and n:
            session.execute(delete(model).where(cond))
    audit.record(
        session,
        ctx,
        AuditAction.RETENTION_RUN,
        object_type="retention",
        detail={
            "dry_run": dry_run,
            "counts": report.counts,
            "held": report.held,
            "held_types": report.held_types,
            "cutoffs": report.cutoffs,
        },
    )
    return report


def place_hold(
    session: Session,
    ctx: AuditContext,
    *,
    matter: str,
    member_id: int | None,
    record_type: str | None,
    reason: str | None,
) -> LegalHold:
    """Place a legal hold on one member's records or on a whole record type."""
    if (member_id is None) == (record_type is None):
        raise InvalidInput("name exactly one of member_id or record_type", field="body.member_id")
    if record_type is not None:
        try:
            RecordType(record_type)
        except ValueError:
            raise InvalidInput(
                f"unknown record type; one of {RECORD_TYPES}", field="body.record_type"
            ) from None
    if member_id is not None and session.get(Member, member_id) is None:
        raise NotFound("no member with this id", field="body.member_id")
    hold = LegalHold(
        member_id=member_id,
        record_type=record_type,
        matter=matter,
        reason=reason,
        placed_by=ctx.actor,
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.LEGAL_HOLD_PLACED,
        object_type="legal_hold",
        object_id=hold.id,
        member_ids=[member_id] if member_id else [],
        changes={"new": {"matter": matter, "record_type": record_type}},
    )
    return hold


def release_hold(
    session: Session, ctx: AuditContext, hold_id: int, reason: str | None = None
) -> LegalHold:
    """Release a hold (with the reason, kept encrypted); retention applies again from the next
    run."""
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound("no legal hold with this id", field="path.hold_id")
    if hold.released_at is not None:
        raise Conflict("this legal hold was already released")
    hold.released_at, hold.released_by = now(), ctx.actor
    hold.release_reason = reason
    audit.record(
        session,
        ctx,
        AuditAction.LEGAL_HOLD_RELEASED,
        object_type="legal_hold",
        object_id=hold.id,
        member_ids=[hold.member_id] if hold.member_id else [],
        changes={"new": {"release_reason": reason}} if reason else None,
    )
    return hold
