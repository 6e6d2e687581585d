"""Letters over HTTP: staff with appeal.read read any letter; a member reads only the letters
sent to them; everyone else is refused; every read is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.letters import service
from memberdesk.letters.enums import LetterChannel
from memberdesk.members.models import Member
from tests import factories as f
from tests.letters.conftest import STAFF, issue


def _downloads(db: Session, letter_id: int, actor_id: int) -> int:
    return len(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "letter.downloaded",
                AuditEntry.object_id == str(letter_id),
                AuditEntry.actor_id == actor_id,
            )
        ).all()
    )


def test_staff_read_a_letter_and_its_pdf(db: Session, login, spanish_member: Member) -> None:  # type: ignore[no-untyped-def]
    letter = issue(db, spanish_member)
    analyst = login(Role.TIER3_APPEALS)
    got = analyst.client.get(f"/api/letters/{letter.id}")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["template"] == "acknowledgement/es/v1" and body["language"] == "es"
    assert body["recipient_address"][0] == "1 Test Way" and body["sent_at"] is None
    pdf = analyst.client.get(f"/api/letters/{letter.id}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert pdf.content.startswith(b"%PDF-")
    assert _downloads(db, letter.id, analyst.user.id) == 1
    assert analyst.client.get("/api/letters/99999999").status_code == 404


def test_roles_without_appeal_read_are_refused(db: Session, login, spanish_member: Member) -> None:  # type: ignore[no-untyped-def]
    letter = issue(db, spanish_member)
    for role in (Role.TIER1_AGENT, Role.WFM_ANALYST, Role.MEMBER):
        persona = login(role, member_id=spanish_member.id if role == Role.MEMBER else None)
        assert persona.client.get(f"/api/letters/{letter.id}").status_code == 403
        assert persona.client.get(f"/api/letters/{letter.id}/pdf").status_code == 403


def test_a_member_reads_their_own_sent_letters_and_no_one_elses(  # type: ignore[no-untyped-def]
    db: Session, login, spanish_member: Member
) -> None:
    mine = issue(db, spanish_member)
    unsent = issue(db, spanish_member)
    service.send(db, STAFF, mine.id, channel=LetterChannel.PORTAL)
    other_member = f.member(db, last_name="Otherperson")
    theirs = issue(db, other_member)
    service.send(db, STAFF, theirs.id, channel=LetterChannel.MAIL)

    me = login(Role.MEMBER, member_id=spanish_member.id)
    listed = me.client.get("/api/me/letters")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [mine.id]
    assert listed.json()[0]["channel"] == "portal"
    pdf = me.client.get(f"/api/me/letters/{mine.id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert _downloads(db, mine.id, me.user.id) == 1
    # Someone else's letter, and one not yet sent, do not exist for this member.
    for other in (theirs.id, unsent.id):
        refused = me.client.get(f"/api/me/letters/{other}/pdf")
        assert refused.status_code == 404
        assert "Otherperson" not in refused.text
        assert _downloads(db, other, me.user.id) == 0

    neighbour = login(Role.MEMBER, member_id=other_member.id)
    assert neighbour.client.get(f"/api/me/letters/{mine.id}/pdf").status_code == 404
    assert [i["id"] for i in neighbour.client.get("/api/me/letters").json()] == [theirs.id]
