"""Answers taken elsewhere (an IVR's post-call survey, a vendor's file), imported all or
nothing: ``memberdesk surveys import --csv FILE``.

Header ``contact_id,answered_at,csat,nps,cahps_help,cahps_courtesy,comment``; ``answered_at`` is
ISO 8601 with an offset; the CAHPS columns are never, sometimes, usually, always or empty; the
comment is optional. Every line is checked, in the file and against the database, before
anything is stored: one bad line and nothing is, and every problem is named by line and column,
never by its value (it may be PHI). Answers land as if given through a link: linked to the
contact, its agent and channel and the member's pack, and the contact's invitation, if any, is
spent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts.models import Contact
from memberdesk.db import table_of
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.schemas import MAX_ID
from memberdesk.surveys.enums import AnswerSource, CahpsAnswer, InvitationState
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation
from memberdesk.surveys.schemas import COMMENT_MAX
from memberdesk.surveys.service import language_of

HEADER = ("contact_id", "answered_at", "csat", "nps", "cahps_help", "cahps_courtesy", "comment")
CLOCK_SKEW = timedelta(minutes=5)
CAHPS = ", ".join(a.value for a in CahpsAnswer)


class HeaderError(ValueError):
    """The file's first line is not the expected header."""


@dataclass(frozen=True)
class RowError:
    """A problem with one line's column: the rule, never the value."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass(frozen=True)
class Row:
    """One line, parsed."""

    line: int
    contact_id: int
    answered_at: datetime
    csat: int
    nps: int
    cahps_help: CahpsAnswer | None
    cahps_courtesy: CahpsAnswer | None
    comment: str | None


@dataclass
class ImportResult:
    """What an import stored, or every problem that stopped it."""

    stored: int = 0
    errors: list[RowError] = field(default_factory=list)


def _whole(text: str, low: int, high: int) -> int | None:
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        return None
    return int(value)


def _parse(line: int, cells: dict[str, str]) -> Row | list[RowError]:
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    contact_id = _whole(cells["contact_id"], 1, MAX_ID)
    if contact_id is None:
        bad("contact_id", "must be a contact's id (a whole number)")
    answered_at = None
    try:
        answered_at = datetime.fromisoformat(cells["answered_at"].strip())
    except ValueError:
        bad("answered_at", "must be an ISO 8601 time with an offset")
    if answered_at is not None and answered_at.utcoffset() is None:
        bad("answered_at", "needs a UTC offset (e.g. -08:00 or Z)")
        answered_at = None
    csat = _whole(cells["csat"], 1, 5)
    if csat is None:
        bad("csat", "must be a whole number from 1 to 5")
    nps = _whole(cells["nps"], 0, 10)
    if nps is None:
        bad("nps", "must be a whole number from 0 to 10")
    cahps: dict[str, CahpsAnswer | None] = {}
    for column in ("cahps_help", "cahps_courtesy"):
        text = cells[column].strip().lower()
        if text and text not in {a.value for a in CahpsAnswer}:
            bad(column, f"must be empty or one of {CAHPS}")
        cahps[column] = CahpsAnswer(text) if text in {a.value for a in CahpsAnswer} else None
    comment = cells["comment"].strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        bad("comment", f"must be at most {COMMENT_MAX:,} characters")
    if errors:
        return errors
    assert contact_id is not None and answered_at is not None
    assert csat is not None and nps is not None
    return Row(
        line,
        contact_id,
        answered_at,
        csat,
        nps,
        cahps["cahps_help"],
        cahps["cahps_courtesy"],
        comment,
    )


def parse_answers(fh: IO[str]) -> Iterator[Row | RowError]:
    """Each line of the file, parsed, or its problems (``HeaderError`` for a wrong header)."""
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise HeaderError(f"the first line must be {','.join(HEADER)}")
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HEADER):
            yield RowError(line, "line", f"must have {len(HEADER)} columns")
            continue
        parsed = _parse(line, dict(zip(HEADER, cells, strict=True)))
        if isinstance(parsed, Row):
            yield parsed
        else:
            yield from parsed


def _check(
    session: Session, rows: list[Row], at: datetime
) -> tuple[list[RowError], dict[int, Contact]]:
    """Problems only the database shows: unknown contacts, answers before the contact, twice
    in the file, or answered already."""
    errors: list[RowError] = []
    ids = {r.contact_id for r in rows}
    contacts = (
        {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))}
        if ids
        else {}
    )
    answered = (
        set(
            session.scalars(select(SurveyAnswer.contact_id).where(SurveyAnswer.contact_id.in_(ids)))
        )
        if ids
        else set()
    )
    seen: dict[int, int] = {}
    for r in rows:
        contact = contacts.get(r.contact_id)
        if contact is None or contact.member_id is None:
            errors.append(RowError(r.line, "contact_id", "no contact with a member has this id"))
            continue
        if r.contact_id in seen:
            errors.append(
                RowError(
                    r.line, "contact_id", f"answers the same contact as line {seen[r.contact_id]}"
                )
            )
        elif r.contact_id in answered:
            errors.append(
                RowError(r.line, "contact_id", "this contact's survey was answered already")
            )
        seen.setdefault(r.contact_id, r.line)
        if r.answered_at < contact.started_at:
            errors.append(RowError(r.line, "answered_at", "is before the contact started"))
        elif r.answered_at > at + CLOCK_SKEW:
            errors.append(RowError(r.line, "answered_at", "is in the future"))
    return errors, contacts


def _order(error: RowError) -> tuple[int, int]:
    """Errors by line, then by column as the header lists them."""
    return error.line, HEADER.index(error.column) if error.column in HEADER else -1


def import_answers(
    session: Session, ctx: AuditContext, items: Iterable[Row | RowError], *, at: datetime
) -> ImportResult:
    """Store every answer of the file, or none (never commits: the command does, once)."""
    rows: list[Row] = []
    errors: list[RowError] = []
    for item in items:
        (rows if isinstance(item, Row) else errors).append(item)  # type: ignore[arg-type]
    db_errors, contacts = _check(session, rows, at)
    errors += db_errors
    if errors:
        return ImportResult(errors=sorted(errors, key=_order))
    members = {
        m.id: m
        for m in session.scalars(
            select(Member).where(Member.id.in_({c.member_id for c in contacts.values()}))
        )
    }
    invitations = {
        i.contact_id: i
        for i in session.scalars(
            select(SurveyInvitation).where(SurveyInvitation.contact_id.in_(contacts))
        )
    }
    table = table_of(SurveyInvitation)
    for r in rows:
        contact = contacts[r.contact_id]
        member = members[contact.member_id]  # type: ignore[index]
        invitation = invitations.get(r.contact_id)
        if invitation is not None:
            # A link left open for this contact is spent: one answer per contact.
            session.execute(
                update(table)
                .where(table.c.id == invitation.id, table.c.answered_at.is_(None))
                .values(state=InvitationState.ANSWERED.value, answered_at=r.answered_at, token=None)
            )
        session.add(
            SurveyAnswer(
                invitation_id=invitation.id if invitation else None,
                contact_id=contact.id,
                member_id=member.id,
                agent_id=contact.agent_id,
                channel=contact.channel,
                pack=invitation.pack if invitation else pack_for(member),
                language=invitation.language if invitation else language_of(member).value,
                source=AnswerSource.IMPORT,
                answered_at=r.answered_at,
                csat=r.csat,
                nps=r.nps,
                cahps_help=r.cahps_help,
                cahps_courtesy=r.cahps_courtesy,
                comment=r.comment,
            )
        )
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.SURVEY_ANSWERS_IMPORTED,
        object_type="survey_answers",
        member_ids=sorted(members),
        detail={"answers": len(rows)},
    )
    return ImportResult(stored=len(rows))
