"""The legal-referral pages through real HTTP on SQLite and PostgreSQL (no browser): a Tier 3
analyst refers a matter to counsel, a compliance officer places the matter's legal hold (the
compliance mechanism, ``legal_hold.manage``, as the API), the analyst closes it with its outcome;
refusals said beside their field with nothing changed; changes and reads audited; free text
hidden from the compliance officer; 403 for a role without the permission."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.appeals.models import LegalReferral
from memberdesk.cases.models import Case
from memberdesk.clock import now
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, LegalHold
from memberdesk.members.models import Member
from tests import factories as f
from tests.appeals.conftest import Web, receive, text_of
from tests.appeals.test_inquiry_pages import beside, record

REASON = "The member's attorney sent a demand letter about the denied surgery"


def form(member: Member, **extra: str) -> dict[str, str]:
    data = {
        "matter_number": "LIT-2026-0042",
        "counsel": "Baker & Ruiz LLP",
        "member_number": member.member_number,
        "appeal_id": "",
        "inquiry_id": "",
        "reason": REASON,
    }
    data.update(extra)
    return data


def refer(web: Web, member: Member, **extra: str) -> tuple[int, str]:
    answer = web.post("/appeals/referrals/new", form(member, **extra))
    page = web.follow(answer)
    found = re.search(r"/appeals/referrals/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1)), page


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(LegalReferral)) or 0


def audited(db: Session, action: AuditAction, object_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_id == str(object_id))
        )
        or 0
    )


def test_refer_hold_and_close(person, member: Member, db: Session) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    inquiry_id, _ = record(analyst, member)
    inquiry_page = analyst.get(f"/appeals/inquiries/{inquiry_id}").text
    assert f'href="/appeals/referrals/new?inquiry={inquiry_id}"' in inquiry_page
    assert analyst.get(f"/appeals/referrals/new?inquiry={inquiry_id}").status_code == 200
    referral_id, page = refer(analyst, member, inquiry_id=str(inquiry_id))
    words = text_of(page)
    assert "Referred to counsel." in words and "LIT-2026-0042" in words
    assert "Baker & Ruiz LLP" in words and REASON in words
    assert f"Regulatory inquiry {inquiry_id}" in words
    assert "No legal hold is placed" in words
    assert "A compliance officer places the legal hold" in words
    assert 'action="/appeals/referrals/' + str(referral_id) + '/hold"' not in page
    assert audited(db, AuditAction.REFERRAL_CREATED, referral_id) == 1
    assert audited(db, AuditAction.REFERRAL_READ, referral_id) >= 1
    # The Tier 3 role does not hold legal_hold.manage: the route refuses it as the API does.
    url = f"/appeals/referrals/{referral_id}"
    assert analyst.post(f"{url}/hold", {"hold_reason": "x"}).status_code == 403
    # The inquiry page lists the referral it led to.
    assert (
        f'href="/appeals/referrals/{referral_id}"'
        in analyst.get(f"/appeals/inquiries/{inquiry_id}").text
    )

    officer = person(Role.COMPLIANCE_OFFICER)
    page = officer.get(url).text
    assert REASON not in text_of(page) and "Not shown to your role" in text_of(page)
    page = officer.follow(officer.post(f"{url}/hold", {"hold_reason": "Litigation expected"}))
    words = text_of(page)
    assert "Legal hold placed" in words and "In force" in words
    assert "Litigation expected" in words  # the officer manages holds: sees the hold's reason
    hold = db.scalars(select(LegalHold).where(LegalHold.matter == "LIT-2026-0042")).one()
    assert hold.member_id == member.id and hold.released_at is None
    assert audited(db, AuditAction.REFERRAL_UPDATED, referral_id) == 1
    assert audited(db, AuditAction.LEGAL_HOLD_PLACED, hold.id) == 1
    again = officer.post(f"{url}/hold", {"hold_reason": ""})
    assert again.status_code == 409
    assert "already in force" in beside(again.text, "hold")
    assert db.scalar(select(func.count()).select_from(LegalHold)) == 1
    # Closing is for appeal.write: the officer has no form and is refused.
    assert 'action="' + url + '/close"' not in page
    assert officer.post(f"{url}/close", {"outcome": "x"}).status_code == 403

    refused = analyst.post(f"{url}/close", {"outcome": "  "})
    assert refused.status_code == 422
    assert "Write how the matter ended" in beside(refused.text, "outcome")
    page = analyst.follow(analyst.post(f"{url}/close", {"outcome": "Settled before suit"}))
    words = text_of(page)
    assert "Referral closed." in words and "Settled before suit" in words
    assert "In force" in words  # the hold stays until compliance releases it
    row = db.get(LegalReferral, referral_id)
    assert row is not None and row.state == "closed"
    case = db.get(Case, row.case_id)
    assert case is not None and case.state == "closed"
    assert "Settled before suit" not in text_of(officer.get(url).text)
    again = analyst.post(f"{url}/close", {"outcome": "Again"})
    assert again.status_code == 409 and "closed already" in beside(again.text, "close")


def test_referring_refused_beside_each_field_nothing_saved(
    person, tier3, member: Member, db: Session
) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    other = f.member(db, last_name="Otherperson")
    theirs = receive(tier3.client, other.id, now() - timedelta(days=1))
    their_inquiry, _ = record(analyst, other)
    refer(analyst, member)
    cases = [
        ({}, "matter_number", "A referral with this matter number exists"),
        ({"matter_number": "LIT 42!"}, "matter_number", "letters, digits"),
        ({"member_number": "000000000-00"}, "member_number", "No member has this member ID"),
        ({"appeal_id": str(theirs["id"])}, "appeal_id", "No appeal of this member"),
        ({"inquiry_id": str(their_inquiry)}, "inquiry_id", "No regulatory inquiry of this"),
        ({"reason": ""}, "reason", "Write why it goes to counsel"),
        ({"counsel": ""}, "counsel", "Name counsel or the firm"),
    ]
    before = count(db)
    for extra, field, words in cases:
        data = {"matter_number": "LIT-2026-0042", **extra}
        answer = analyst.post("/appeals/referrals/new", form(member, **data))
        assert answer.status_code == 422, (field, answer.status_code)
        assert words in beside(answer.text, field), (field, answer.text[-3000:])
        assert count(db) == before


def test_the_list_open_first_and_who_may_see_it(person, member: Member, db: Session) -> None:
    analyst = person(Role.TIER3_APPEALS, team="Team C")
    first, _ = refer(analyst, member, matter_number="LIT-1")
    second, _ = refer(analyst, member, matter_number="LIT-2")
    analyst.follow(analyst.post(f"/appeals/referrals/{second}/close", {"outcome": "Dropped"}))
    words = text_of(analyst.get("/appeals/referrals?show=all").text)
    assert words.index("LIT-1") < words.index("LIT-2")  # open first
    assert f"{member.first_name} {member.last_name}" in words and "Baker & Ruiz LLP" in words
    assert "LIT-2" not in text_of(analyst.get("/appeals/referrals").text)
    assert "LIT-1" not in text_of(analyst.get("/appeals/referrals?show=closed").text)
    assert analyst.get("/appeals/referrals?show=everything").status_code == 422
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == AuditAction.REFERRAL_READ, AuditEntry.object_id.is_(None))
        .order_by(AuditEntry.id.desc())
    ).first()
    assert (
        entry is not None and entry.detail is not None and entry.detail["ids"] == [first, second]
    )  # the "all" list
    officer = person(Role.COMPLIANCE_OFFICER)
    assert officer.get("/appeals/referrals").status_code == 200
    assert officer.get("/appeals/referrals/new").status_code == 403
    supervisor = person(Role.SUPERVISOR, team="Team A")
    assert supervisor.get(f"/appeals/referrals/{first}").status_code == 200
    assert supervisor.post(f"/appeals/referrals/{first}/hold").status_code == 403
    agent = person(Role.TIER1_AGENT, team="Team A")
    for path in ("/appeals/referrals", f"/appeals/referrals/{first}", "/appeals/referrals/new"):
        assert agent.get(path).status_code == 403
    assert agent.post("/appeals/referrals/new", form(member, matter_number="X")).status_code == 403
    assert count(db) == 2


def test_the_api_closes_with_an_outcome_too(tier3, member: Member, db: Session) -> None:
    r = tier3.client.post(
        "/api/legal-referrals",
        json={
            "member_id": member.id,
            "matter_number": "LIT-9",
            "counsel": "In-house",
            "reason": REASON,
        },
    )
    assert r.status_code == 201, r.text
    ref = r.json()
    closed = tier3.client.post(
        f"/api/legal-referrals/{ref['id']}/close", json={"outcome": "Withdrawn by the member"}
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    bad = tier3.client.post(f"/api/legal-referrals/{ref['id']}/close", json={"outcome": ""})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "outcome"]
