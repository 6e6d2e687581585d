"""Tier 3 issues the letters an appeal owes from its page: the letter is created, sent, recorded
as a written notice (so no longer owed), and its PDF downloads with the read audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import letters, service
from memberdesk.appeals.enums import NoticeKind
from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.letters.enums import LetterChannel, LetterKind
from memberdesk.letters.service import letters_about
from tests.appeals.conftest import receive
from tests.cases.test_pages import person as person  # the fixture


def owed(db: Session, appeal_id: int) -> set[NoticeKind]:
    db.expire_all()
    appeal = service.get_appeal(db, appeal_id)
    return {d.kind for d, _ in letters.letters_for(db, appeal, now())}


def test_tier3_creates_and_sends_the_letters_owed(  # type: ignore[no-untyped-def]
    tier3, person, oregon_member, db: Session
) -> None:
    a = receive(tier3.client, oregon_member.id, now() - timedelta(hours=1))
    web = person(Role.TIER3_APPEALS, team="Team C")
    page = web.get(f"/appeals/{a['id']}").text
    assert owed(db, a["id"]) == {NoticeKind.ACKNOWLEDGEMENT}
    assert f'action="/appeals/{a["id"]}/letters/acknowledgement"' in page
    assert "Letters issued" not in page

    answer = web.post(f"/appeals/{a['id']}/letters/acknowledgement")
    page = web.follow(answer)
    assert "Letter created and sent by mail" in page
    assert owed(db, a["id"]) == set()
    [letter] = letters_about(db, "appeal", a["id"])
    assert letter.kind is LetterKind.ACKNOWLEDGEMENT and letter.member_id == oregon_member.id
    assert letter.sent_at is not None and letter.channel is LetterChannel.MAIL
    assert f'href="/api/letters/{letter.id}/pdf"' in page
    assert "Letters issued" in page and "No letter is owed now." in page

    pdf = web.get(f"/api/letters/{letter.id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    downloads = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "letter.downloaded",
            AuditEntry.object_id == str(letter.id),
            AuditEntry.actor_id == web.user_id,
        )
    ).all()
    assert len(downloads) == 1

    # Not owed any more: a second press is refused in words, nothing more stored.
    again = web.post(f"/appeals/{a['id']}/letters/acknowledgement")
    assert again.status_code == 409 and "not owed now" in again.text
    assert len(letters_about(db, "appeal", a["id"])) == 1
    assert web.post(f"/appeals/{a['id']}/letters/nonsense").status_code == 404

    # The decision owes the resolution letter; issuing it ends that too.
    decided = web.post(
        f"/appeals/{a['id']}/decision",
        data={"outcome": "overturned", "rationale": "The MRI meets the criteria."},
    )
    assert decided.status_code == 303, decided.text[:500]
    assert owed(db, a["id"]) == {NoticeKind.RESOLUTION}
    web.follow(web.post(f"/appeals/{a['id']}/letters/resolution"))
    assert owed(db, a["id"]) == set()
    kinds = [x.kind for x in letters_about(db, "appeal", a["id"])]
    assert kinds == [LetterKind.ACKNOWLEDGEMENT, LetterKind.RESOLUTION]
