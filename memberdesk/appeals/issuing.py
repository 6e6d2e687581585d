"""Issuing the letters an appeal owes: render the letter (the letters module), send it, and record
the written notice on the appeal so it meets its clocks and stops being owed. Never commits: the
route owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from memberdesk.appeals import actions, letters
from memberdesk.appeals.enums import NoticeKind, NoticeMethod
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.schemas import NoticeIn
from memberdesk.compliance.audit import AuditContext
from memberdesk.errors import Conflict
from memberdesk.letters import service as letters_service
from memberdesk.letters.enums import LetterChannel, LetterKind
from memberdesk.letters.models import Letter
from memberdesk.members.models import Member

# The notices the letters module has a template for (a notice of delay has none yet).
LETTER_KINDS = {
    NoticeKind.ACKNOWLEDGEMENT: LetterKind.ACKNOWLEDGEMENT,
    NoticeKind.EXTENSION: LetterKind.EXTENSION,
    NoticeKind.RESOLUTION: LetterKind.RESOLUTION,
    NoticeKind.DEEMED_EXHAUSTION: LetterKind.DEEMED_EXHAUSTION,
}
SUBJECT = "appeal"  # grievances too: the subject is the appeal row


def issue_owed(
    session: Session, ctx: AuditContext, appeal: Appeal, kind: NoticeKind, at: datetime
) -> Letter:
    """Create the letter of ``kind`` the appeal owes now, send it by mail (a sent letter shows in
    the member's portal too) and record the written notice. Refused (409) when that letter is not
    owed now or has no template."""
    if kind not in LETTER_KINDS:
        raise Conflict("this notice has no letter template yet: record it below once sent")
    owed = {d.kind: c for d, c in letters.letters_for(session, appeal, at)}
    if kind not in owed:
        raise Conflict("this letter is not owed now", field="path.kind")
    member = session.get(Member, appeal.member_id)
    assert member is not None
    letter = letters_service.issue(
        session,
        ctx,
        kind=LETTER_KINDS[kind],
        member=member,
        subject_type=SUBJECT,
        subject_id=appeal.id,
        context=owed[kind],
        pack=appeal.pack,
        at=at,
    )
    letters_service.send(session, ctx, letter.id, channel=LetterChannel.MAIL, at=at)
    actions.record_notice(session, ctx, appeal, NoticeIn(kind=kind, method=NoticeMethod.LETTER), at)
    return letter


def issued(session: Session, appeal: Appeal) -> list[Letter]:
    """The letters written about this appeal, oldest first."""
    return letters_service.letters_about(session, SUBJECT, appeal.id)
