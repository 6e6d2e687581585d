"""The member's own appeals and grievances, in the portal's language: what each is about, where it
stands, when we will decide (in words), and the letters we sent about it. Nothing internal: no
notes, staff, rationale or clinical detail. Every read is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import issuing, rules
from memberdesk.appeals.enums import AppealKind, AppealState, Outcome
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.service import appeal_clocks, case_of
from memberdesk.cases import words as case_words
from memberdesk.cases.enums import OPEN_CLOCK_STATES
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.language import N_
from memberdesk.language import gettext as _
from memberdesk.letters.enums import LetterKind
from memberdesk.members.words import day
from memberdesk.sla.packs import zone_of

SHOWN = 50
KINDS = {AppealKind.APPEAL: N_("Appeal"), AppealKind.GRIEVANCE: N_("Grievance")}
STATES = {
    AppealState.OPEN: N_("We are reviewing it"),
    AppealState.DECIDED: N_("Decided"),
    AppealState.CLOSED: N_("Decided"),
    AppealState.WITHDRAWN: N_("Withdrawn at your request"),
}
OUTCOMES = {
    Outcome.UPHELD: N_("We kept our original decision."),
    Outcome.OVERTURNED: N_("We decided in your favor."),
    Outcome.PARTLY_OVERTURNED: N_("We decided partly in your favor."),
}
LETTERS = {
    LetterKind.ACKNOWLEDGEMENT: N_("We received your request"),
    LetterKind.EXTENSION: N_("We need more time"),
    LetterKind.RESOLUTION: N_("Our decision"),
    LetterKind.DEEMED_EXHAUSTION: N_("We missed our deadline"),
}


@dataclass(frozen=True)
class MyLetter:
    id: int
    title: str
    sent: str


@dataclass(frozen=True)
class MyAppeal:
    id: int
    kind: str
    expedited: bool
    summary: str
    received: str
    status: str
    outcome: str
    when: str
    letters: list[MyLetter]


def _when(session: Session, appeal: Appeal, at: datetime) -> str:
    tz = zone_of(appeal.pack)
    if appeal.state is AppealState.WITHDRAWN:
        return _("Nothing more is due.")
    if appeal.decided_at is not None:
        return _("Decided on %(day)s.") % {"day": day(appeal.decided_at.astimezone(tz).date())}
    rows = [
        c
        for c in appeal_clocks(appeal, case_of(session, appeal))
        if c.target not in rules.ACK_TARGETS and c.state in OPEN_CLOCK_STATES and c.due_at
    ]
    due = max((c.due_at for c in rows if c.due_at), default=None)
    if due is None:
        return _("We will tell you as soon as we decide.")
    if due < at:
        return _("We are later than the law allows. See the letters below for your rights.")
    return _("We will decide by %(when)s.") % {"when": case_words.local_time(due, tz)}


def my_appeals(session: Session, ctx: AuditContext, member_id: int, at: datetime) -> list[MyAppeal]:
    """The member's appeals and grievances, newest first, with the letters sent about each
    (the listing is audited, as are the letters shown)."""
    rows = list(
        session.scalars(
            select(Appeal)
            .where(Appeal.member_id == member_id)
            .order_by(Appeal.received_at.desc(), Appeal.id.desc())
            .limit(SHOWN)
        )
    )
    out = []
    shown_letters: list[int] = []
    for a in rows:
        tz = zone_of(a.pack)
        sent = [x for x in issuing.issued(session, a) if x.sent_at and x.member_id == member_id]
        shown_letters += [x.id for x in sent]
        out.append(
            MyAppeal(
                id=a.id,
                kind=_(KINDS[a.kind]),
                expedited=a.urgency.value == "expedited",
                summary=a.summary,
                received=day(a.received_at.astimezone(tz).date()),
                status=_(STATES[a.state]),
                outcome=_(OUTCOMES[a.outcome]) if a.outcome else "",
                when=_when(session, a, at),
                letters=[
                    MyLetter(
                        x.id,
                        _(LETTERS[x.kind]),
                        case_words.local_time(x.sent_at, tz) if x.sent_at else "",
                    )
                    for x in reversed(sent)
                ],
            )
        )
    if rows:
        audit.record(
            session,
            ctx,
            AuditAction.APPEAL_LISTED,
            object_type="member",
            object_id=member_id,
            member_ids=[member_id],
            detail={"appeals": [a.id for a in rows], "letters": shown_letters, "portal": True},
        )
    return out
