"""The exchange's routes through the app: an 834 upload (dry run, applied, refused with a 999)
and 270 inquiries answered with 271s that read back under the guide's structure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.enroll.x12_270 import build_270
from memberdesk.enroll.x12_271 import read_271
from memberdesk.members.enums import Relationship
from tests import factories as f
from tests.enroll.x12files import file834, loop, person

EDI = {"Content-Type": "application/edi-x12"}
AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_834_upload_dry_run_then_apply_then_refusal(login, db: Session) -> None:
    gateway = login(Role.EDI_GATEWAY).client
    raw = file834(loop(person("961234567-00"), "SVH-HMO-SIL", date(2026, 4, 1)))
    dry = gateway.post("/api/enroll/834?dry_run=true", content=raw, headers=EDI)
    assert dry.status_code == 200, dry.text
    assert (
        dry.json()["counts"] == {"member_added": 1} and dry.json()["changes"][0]["loop"] == "2000"
    )
    done = gateway.post("/api/enroll/834", content=raw, headers=EDI)
    assert done.status_code == 200 and done.json()["file_id"]
    again = gateway.post("/api/enroll/834", content=raw, headers=EDI)
    assert again.json()["already_applied"] is True
    # A termination before the coverage began: 422, located, with the 999 to send back.
    bad = file834(
        loop(person("961234567-00"), "SVH-HMO-SIL", None, date(2026, 3, 1), maintenance="024")
    )
    refused = gateway.post("/api/enroll/834", content=bad, headers=EDI)
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"][0]["loc"][:2] == ["body", "HD"]
    assert "loop 2300" in body["detail"][0]["msg"] and "961234567" not in refused.text
    assert "IK3*HD*" in body["ack"] and "AK9*R" in body["ack"]
    # Staff roles do not upload enrolment files.
    agent = login(Role.TIER1_AGENT).client
    assert agent.post("/api/enroll/834", content=raw, headers=EDI).status_code == 403


def test_270_answers_active_inactive_not_found_and_audits(login, db: Session) -> None:
    covered = f.member(db, last_name="Eligible", dob=date(1979, 4, 2))
    ended = f.member(db, last_name="Lapsed", spans=((date(2024, 1, 1), date(2025, 12, 31)),))
    db.refresh(covered)
    db.refresh(ended)
    people = [
        (covered.member_number, "Eligible", "Alex", date(1979, 4, 2)),
        (ended.member_number, "Lapsed", "Alex", None),
        ("999999999-00", "Nobody", "Alex", None),
        (covered.member_number, "Eligible", "Alex", date(1990, 1, 1)),  # wrong birth date
    ]
    gateway = login(Role.EDI_GATEWAY).client
    answer = gateway.post(
        "/api/x12/270", content=build_270("CLINIC", "MEMBERDESK", people, AT), headers=EDI
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/edi-x12")
    problems, answers = read_271(answer.content)
    assert problems == []
    assert [a.get("eb") or a.get("reject") for a in answers] == ["1", "6", "75", "71"]
    assert answers[0]["member_id"] == covered.member_number and answers[0]["plan"]
    assert "coverage ended" in answers[1]["message"]
    assert answers[0]["trace"] == "T1-3"
    audited = db.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.ELIGIBILITY_INQUIRY)
    ).all()
    assert {e.object_id for e in audited} == {str(covered.id), str(ended.id)}


def test_270_service_date_and_bad_inquiries(login, db: Session) -> None:
    m = f.member(db, spans=((date(2026, 1, 1), None),))
    db.refresh(m)
    gateway = login(Role.EDI_GATEWAY).client
    good = build_270("CLINIC", "MEMBERDESK", [(m.member_number, "Testperson", "Alex", None)], AT)
    # Asked about a day before coverage began (DTP*291): inactive, and why.
    before = good.replace("EQ*30~", "DTP*291*D8*20251215~\nEQ*30~").replace("SE*11*", "SE*12*")
    _, answers = read_271(gateway.post("/api/x12/270", content=before, headers=EDI).content)
    assert answers[0]["eb"] == "6" and "starts" in answers[0]["message"]
    # Wrong segment count, truncated, a segment out of its loop, a broken envelope: a 999 or
    # a TA1, never a 271, never a value from the inquiry.
    assert "SE*11*" in good
    for bad in (
        good.replace("SE*11*", "SE*5*"),
        good[: len(good) // 2],
        good.replace("EQ*30~", "EB*1~"),
        "not x12 at all",
    ):
        r = gateway.post("/api/x12/270", content=bad, headers=EDI)
        assert r.status_code == 400, bad
        assert r.text.startswith(("ISA", "TA1")) and "ST*271" not in r.text
        assert m.member_number not in r.text


def test_270_about_a_dependant_in_a_2000d_loop(login, db: Session) -> None:
    holder = f.member(db, last_name="Parentcase", dob=date(1975, 1, 5))
    f.member(
        db,
        subscriber=holder,
        relationship=Relationship.CHILD,
        first_name="Kid",
        last_name="Parentcase",
        dob=date(2014, 6, 7),
    )
    db.refresh(holder)
    asked = build_270(
        "CLINIC", "MEMBERDESK", [(holder.member_number, "Parentcase", "Alex", date(1975, 1, 5))], AT
    )
    # The subscriber's level has a child: the dependant, named by name and date of birth.
    asked = (
        asked.replace("HL*3*2*22*0~", "HL*3*2*22*1~")
        .replace("EQ*30~", "HL*4*3*23*0~\nNM1*03*1*Parentcase*Kid~\nDMG*D8*20140607~\nEQ*30~")
        .replace("SE*12*", "SE*15*")
    )
    r = login(Role.EDI_GATEWAY).client.post("/api/x12/270", content=asked, headers=EDI)
    assert r.status_code == 200, r.text
    problems, answers = read_271(r.content)
    assert problems == []
    assert answers == [
        {
            "trace": "T1-3",
            "member_id": holder.member_number,
            "dependant": "yes",
            "eb": "1",
            "plan": answers[0]["plan"],
            "dates": answers[0]["dates"],
        }
    ]
    assert "HL*4*3*23*0~" in r.text and "NM1*03*1*Parentcase*Kid~" in r.text
