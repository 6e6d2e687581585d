"""Retention covers survey comments: expired ones are cleared and their scores kept, a legal
hold (the member's or the record type's) spares them, and de-identifying a member clears their
comments, their unsent link and their outbox messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance import retention
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.models import Contact
from memberdesk.surveys.enums import AnswerSource
from memberdesk.surveys.models import OutboxMessage, SurveyAnswer, SurveyInvitation
from tests import factories as f
from tests.surveys.helpers import complete_contact, invitation_of, send, surveyed_member


def _answer(db: Session, member_id: int, at: datetime, comment: str) -> SurveyAnswer:
    contact = Contact(
        member_id=member_id,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        started_at=at - timedelta(hours=1),
        ended_at=at - timedelta(minutes=50),
    )
    db.add(contact)
    db.flush()
    answer = SurveyAnswer(
        contact_id=contact.id,
        member_id=member_id,
        channel=Channel.PHONE,
        pack="calchoice",
        language="en",
        source=AnswerSource.IMPORT,
        answered_at=at,
        csat=4,
        nps=9,
        comment=comment,
    )
    db.add(answer)
    db.flush()
    return answer


OLD = datetime(2014, 3, 3, 17, tzinfo=UTC)
NEW = datetime(2026, 3, 3, 17, tzinfo=UTC)


def test_old_comments_go_and_their_scores_stay(login, db: Session) -> None:
    kept_member, held_member = f.member(db), f.member(db)
    old = _answer(db, kept_member.id, OLD, "Old words")
    new = _answer(db, kept_member.id, NEW, "New words")
    held = _answer(db, held_member.id, OLD, "Held words")
    officer = login(Role.COMPLIANCE_OFFICER).client
    hold = officer.post(
        "/api/compliance/legal-holds", json={"matter": "Survey audit", "member_id": held_member.id}
    )
    assert hold.status_code == 201, hold.text
    dry = officer.post("/api/compliance/retention/run", params={"dry_run": True}).json()
    assert dry["counts"]["survey_comment"] == 1 and dry["held"]["survey_comment"] == 1
    ran = officer.post("/api/compliance/retention/run", params={"dry_run": False}).json()
    assert ran["counts"]["survey_comment"] == 1
    db.expire_all()
    assert (old.comment, new.comment, held.comment) == (None, "New words", "Held words")
    assert db.scalar(select(func.count()).select_from(SurveyAnswer)) == 3  # the scores stay
    assert old.csat == 4


def test_a_record_type_hold_spares_every_comment(login, db: Session) -> None:
    old = _answer(db, f.member(db).id, OLD, "Old words")
    officer = login(Role.COMPLIANCE_OFFICER).client
    officer.post(
        "/api/compliance/legal-holds",
        json={"matter": "Survey vendor dispute", "record_type": "survey_comment"},
    )
    ran = officer.post("/api/compliance/retention/run", params={"dry_run": False}).json()
    assert "survey_comment" in ran["held_types"]
    db.expire_all()
    assert old.comment == "Old words"


def test_deidentifying_a_member_clears_their_survey_text(
    app, login, db: Session, backend_settings
) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    sent = invitation_of(db, complete_contact(agent.client, member.id)["id"])
    send(db, backend_settings)
    answer = _answer(db, member.id, NEW, "Private words")
    retention._deidentify(db, [member.id], datetime.now(UTC))
    db.expire_all()
    assert answer.comment is None and answer.csat == 4
    assert db.get(SurveyInvitation, sent.id).token is None  # type: ignore[union-attr]
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.member_id == member.id)) is None


def test_the_record_type_is_known() -> None:
    assert retention.RecordType("survey_comment") is retention.RecordType.SURVEY_COMMENT
    years = retention.retention_years({"survey_comment": 7})
    assert years[retention.RecordType.SURVEY_COMMENT] == 7
    assert SYSTEM.actor == "system"
