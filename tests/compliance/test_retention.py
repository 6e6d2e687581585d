"""Retention: expired records are de-identified or purged, legal holds win, runs are audited."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance import retention
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings
from memberdesk.errors import InvalidInput
from memberdesk.members.models import CoverageSpan, IdCardRequest, LifeEvent, Member
from tests import factories as f

OLD = [(date(2008, 1, 1), date(2014, 6, 30))]  # coverage ended more than 10 years ago


def test_dry_run_counts_and_changes_nothing(db: Session) -> None:
    gone = f.member(db, last_name="Longgone", spans=OLD)
    report = retention.run(db, SYSTEM, {}, dry_run=True, today=date(2026, 11, 27))
    assert report.cutoffs["member"] == "2016-11-27"
    assert report.counts["member"] >= 1
    db.expire_all()
    assert db.get(Member, gone.id).last_name == "Longgone"


def test_expired_member_is_deidentified_held_member_kept(login, db: Session) -> None:
    gone = f.member(
        db, last_name="Longgone", spans=OLD, phone="(707) 555-0100", email="gone@example.com"
    )
    old_number = gone.member_number
    held = f.member(db, last_name="Litigated", spans=OLD)
    recent = f.member(db, last_name="Recently", spans=[(date(2010, 1, 1), date(2020, 1, 31))])
    db.add(
        LifeEvent(
            member_id=gone.id,
            event_type="marriage",
            event_date=date(2012, 5, 5),
            window_days=30,
            notes="private note",
            reported_at=datetime(2012, 5, 20, tzinfo=UTC),
        )
    )
    db.flush()
    officer = login(Role.COMPLIANCE_OFFICER).client
    hold = officer.post(
        "/api/compliance/legal-holds",
        json={"matter": "Doe v. Plan", "member_id": held.id, "reason": "subpoena"},
    )
    assert hold.status_code == 201

    dry = officer.post("/api/compliance/retention/run").json()
    assert dry["dry_run"] is True and dry["held"]["member"] >= 1
    run = officer.post("/api/compliance/retention/run", params={"dry_run": False}).json()
    assert run["dry_run"] is False and run["counts"]["member"] >= 1

    db.expire_all()
    purged = db.get(Member, gone.id)
    assert purged.purged_at is not None
    assert (purged.first_name, purged.last_name, purged.member_number) == ("[purged]",) * 3
    assert purged.date_of_birth == date(1980, 1, 1)  # year kept, day and month gone
    assert purged.phone is None and purged.email is None
    assert db.scalar(select(LifeEvent).where(LifeEvent.member_id == gone.id)) is None
    assert db.get(Member, held.id).last_name == "Litigated"
    assert db.get(Member, recent.id).last_name == "Recently"
    agent = login(Role.TIER1_AGENT).client
    assert (
        agent.post("/api/members/search", json={"member_number": old_number}).json()["total"] == 0
    )
    runs = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "compliance.retention_run")
    ).all()
    assert [r.detail["dry_run"] for r in runs] == [True, False]

    officer.post(f"/api/compliance/legal-holds/{hold.json()['id']}/release")
    officer.post("/api/compliance/retention/run", params={"dry_run": False})
    db.expire_all()
    assert db.get(Member, held.id).purged_at is not None


def test_deidentified_dates_keep_only_their_year(db: Session) -> None:
    """Safe harbour: coverage, life-event and ID-card dates of a de-identified member keep
    their year only (a newborn's coverage start is their birth date)."""
    gone = f.member(db, dob=date(2009, 3, 14), spans=[(date(2009, 3, 14), date(2014, 6, 30))])
    # Reported recently, so life-event retention alone would keep it, with its dates.
    for day in (date(2013, 2, 1), date(2013, 9, 9)):  # two moves in one year stay two events
        db.add(
            LifeEvent(
                member_id=gone.id,
                event_type="permanent_move",
                event_date=day,
                window_days=60,
                notes="moved in with grandmother",
                reported_at=datetime(2025, 10, 2, 15, 30, tzinfo=UTC),
            )
        )
    db.add(
        IdCardRequest(
            member_id=gone.id,
            reason="lost_or_stolen",
            requested_at=datetime(2025, 8, 4, 9, 0, tzinfo=UTC),  # kept by its own retention
        )
    )
    db.flush()
    retention.run(db, SYSTEM, {}, dry_run=False, today=date(2026, 11, 27))
    db.expire_all()
    span = db.scalars(select(CoverageSpan).where(CoverageSpan.member_id == gone.id)).one()
    assert (span.effective_date, span.termination_date) == (date(2009, 1, 1), date(2014, 12, 31))
    events = db.scalars(select(LifeEvent).where(LifeEvent.member_id == gone.id)).all()
    assert [e.event_date for e in events] == [date(2013, 1, 1)] * 2
    assert {e.reported_at for e in events} == {datetime(2025, 1, 1, tzinfo=UTC)}
    assert {e.notes for e in events} == {None}
    card = db.scalars(select(IdCardRequest).where(IdCardRequest.member_id == gone.id)).one()
    assert card.requested_at == datetime(2025, 1, 1, tzinfo=UTC)


def test_hold_on_a_whole_record_type(login, db: Session) -> None:
    gone = f.member(db, last_name="Typeheld", spans=OLD)
    officer = login(Role.COMPLIANCE_OFFICER).client
    officer.post(
        "/api/compliance/legal-holds", json={"matter": "DMHC audit", "record_type": "member"}
    )
    report = officer.post("/api/compliance/retention/run", params={"dry_run": False}).json()
    assert "member" in report["held_types"] and report["counts"]["member"] == 0
    db.expire_all()
    assert db.get(Member, gone.id).purged_at is None
    bad = officer.post("/api/compliance/legal-holds", json={"matter": "x", "record_type": "cats"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "record_type"]
    assert "cats" not in bad.text
    both = officer.post("/api/compliance/legal-holds", json={"matter": "x"})
    assert both.status_code == 422


def test_retention_never_below_the_hipaa_six_years() -> None:
    with pytest.raises(ValidationError, match="6-year HIPAA minimum"):
        Settings(retention_years={"member": 5})
    assert retention.retention_years({"member": 7})[retention.RecordType.MEMBER] == 7
    with pytest.raises(InvalidInput, match="unknown record type"):
        retention.retention_years({"members": 7})


def test_retention_is_refused_to_other_roles(login) -> None:
    assert login(Role.TIER1_AGENT).client.post("/api/compliance/retention/run").status_code == 403
    assert login(Role.ADMIN).client.post("/api/compliance/retention/run").status_code == 403


# The free text and contact data of the work domains go with the member's identifiers.
SECRETS = {
    "contact": "Caller disclosed an HIV diagnosis",
    "subject": "My dialysis bill",
    "phone": "7075550123",
    "attempt": "Spoke to daughter about chemo",
    "summary": "Premium error after a psychiatric stay",
    "note": "Member reports domestic violence",
    "rationale": "Needs Tier 2: bankruptcy filing",
    "context": "Member is pregnant and uninsured",
    "question": "Ask about the oncology referral",
    "decline": "Declined: conflict with the member's spouse",
    "navigator": "Homeless and on insulin",
    "unflag": "Moved into hospice",
}
PDF = b"%PDF-1.4\n% the member's lab results\n%%EOF\n"


def _work_for(member: Member, login) -> None:  # type: ignore[no-untyped-def]
    """Contacts, a voicemail worked once, a case with a note, a hand-off, a declined transfer
    and a document, and a navigator flag: each holding a secret."""
    agent, other, nav = (
        login(Role.TIER1_AGENT),
        login(Role.TIER1_AGENT),
        login(Role.NAVIGATOR),
    )
    c = agent.client
    contact = c.post(
        "/api/contacts",
        json={
            "member_id": member.id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": ["billing"],
            "started_at": "2026-11-02T10:00:00-08:00",
            "notes": SECRETS["contact"],
        },
    )
    assert contact.status_code == 201, contact.text
    vm = c.post(
        "/api/voicemails",
        json={
            "member_id": member.id,
            "phone": SECRETS["phone"],
            "received_at": "2026-11-02T09:00:00-08:00",
        },
    ).json()
    tried = c.post(
        f"/api/callbacks/{vm['id']}/attempts",
        json={"outcome": "no_answer", "note": SECRETS["attempt"]},
    )
    assert tried.status_code in (200, 201), tried.text
    case = c.post(
        "/api/cases",
        json={"member_id": member.id, "case_type": "billing", "summary": SECRETS["summary"]},
    ).json()
    base = f"/api/cases/{case['id']}"
    assert c.post(f"{base}/notes", json={"text": SECRETS["note"]}).status_code == 201
    transfer = c.post(
        f"{base}/transfers",
        json={
            "to_user_id": other.user.id,
            "context_summary": SECRETS["context"],
            "member_question": SECRETS["question"],
        },
    ).json()
    declined = other.client.post(
        f"/api/transfers/{transfer['id']}/decline", json={"reason": SECRETS["decline"]}
    )
    assert declined.status_code == 200, declined.text
    up = c.post(
        f"{base}/escalate",
        json={"reason": "billing_dispute", "rationale": SECRETS["rationale"]},
    )
    assert up.status_code == 200, up.text
    doc = c.post(
        f"{base}/documents",
        json={"filename": "labs-march.pdf", "content_base64": base64.b64encode(PDF).decode()},
    )
    assert doc.status_code == 201, doc.text
    flagged = nav.client.post(
        f"/api/members/{member.id}/navigator", json={"reason": SECRETS["navigator"]}
    )
    assert flagged.status_code == 201
    unflagged = nav.client.post(
        f"/api/members/{member.id}/navigator/unflag", json={"reason": SECRETS["unflag"]}
    )
    assert unflagged.status_code == 200


def _texts(db: Session, member_id: int) -> list[object]:
    """Every free-text or contact value the work domains hold for the member, decrypted."""
    from memberdesk.cases.models import Case, CaseDocument, CaseHandoff, CaseNote, Transfer
    from memberdesk.contacts.models import Callback, CallbackAttempt, Contact
    from memberdesk.navigators.models import MemberNavigator

    db.expire_all()
    cases = select(Case.id).where(Case.member_id == member_id)
    callbacks = select(Callback.id).where(Callback.member_id == member_id)
    out: list[object] = []
    for c in db.scalars(select(Contact).where(Contact.member_id == member_id)):
        out += [c.notes, c.subject]
    for cb in db.scalars(select(Callback).where(Callback.member_id == member_id)):
        out.append(cb.phone)
    out += [
        a.note
        for a in db.scalars(
            select(CallbackAttempt).where(CallbackAttempt.callback_id.in_(callbacks))
        )
    ]
    out += [c.summary for c in db.scalars(select(Case).where(Case.member_id == member_id))]
    out += [n.text for n in db.scalars(select(CaseNote).where(CaseNote.case_id.in_(cases)))]
    out += [
        h.rationale for h in db.scalars(select(CaseHandoff).where(CaseHandoff.case_id.in_(cases)))
    ]
    for t in db.scalars(select(Transfer).where(Transfer.case_id.in_(cases))):
        out += [t.context_summary, t.member_question, t.decline_reason]
    for d in db.scalars(select(CaseDocument).where(CaseDocument.case_id.in_(cases))):
        out += [d.filename, d.content, d.sha256]
    nav = db.get(MemberNavigator, member_id)
    if nav is not None:
        out += [nav.reason, nav.unflag_reason]
    return out


def _portal_message(db: Session, member: Member) -> None:
    from memberdesk.clock import now
    from memberdesk.contacts.service import send_message

    send_message(db, member, subject=SECRETS["subject"], body=SECRETS["contact"], at=now())
    db.flush()


def test_deidentifying_a_member_clears_the_text_of_their_work(login, db: Session) -> None:
    gone = f.member(db, last_name="Workgone", spans=OLD)
    held = f.member(db, last_name="Workheld", spans=OLD)
    for m in (gone, held):
        _work_for(m, login)
        _portal_message(db, m)
    officer = login(Role.COMPLIANCE_OFFICER).client
    hold = officer.post(
        "/api/compliance/legal-holds",
        json={"matter": "Roe v. Plan", "member_id": held.id, "reason": "subpoena"},
    )
    assert hold.status_code == 201
    document = base64.b64encode(PDF).decode()
    before = " ".join(str(v) for v in _texts(db, gone.id))
    assert all(s in before for s in SECRETS.values())  # the fixture put every secret there
    assert document in before

    retention.run(db, SYSTEM, {}, dry_run=False)

    after = _texts(db, gone.id)
    text = " ".join(str(v) for v in after)
    assert not [k for k, s in SECRETS.items() if s in text]
    assert document not in text and "labs-march" not in text
    # Only placeholders are left: the rows stay, for statistics and the audit trail.
    assert {v for v in after} <= {None, "", retention.PURGED}
    kept = " ".join(str(v) for v in _texts(db, held.id))
    assert all(s in kept for s in SECRETS.values())


def test_old_call_records_go_and_their_rollups_stay(login, db: Session) -> None:
    import io

    from memberdesk.kpi.calls import parse_calls
    from memberdesk.kpi.ingest import import_calls
    from memberdesk.kpi.models import CallRow, CallStats

    header = (
        "call_id,queue,offered_at,answered_at,abandoned_at,talk_seconds,hold_seconds,"
        "wrap_seconds,agent_id,member_id\n"
    )
    rows = (
        "old-1,general,2014-03-03T09:00:00-08:00,2014-03-03T09:00:09-08:00,,300,0,30,a1,M1\n"
        "new-1,general,2026-03-03T09:00:00-08:00,2026-03-03T09:00:09-08:00,,300,0,30,a1,M2\n"
    )
    done = import_calls(db, SYSTEM, parse_calls(io.StringIO(header + rows)), pack="calchoice",
                        threshold=20, short_abandon=5)  # fmt: skip
    assert done.error_count == 0
    officer = login(Role.COMPLIANCE_OFFICER).client
    hold = officer.post(
        "/api/compliance/legal-holds", json={"matter": "Call audit", "record_type": "call_record"}
    ).json()
    held = officer.post("/api/compliance/retention/run", params={"dry_run": False}).json()
    assert "call_record" in held["held_types"]
    assert db.scalar(select(func.count()).select_from(CallRow)) == 2
    officer.post(f"/api/compliance/legal-holds/{hold['id']}/release")
    ran = officer.post("/api/compliance/retention/run", params={"dry_run": False}).json()
    assert ran["counts"]["call_record"] == 1
    db.expire_all()
    assert list(db.scalars(select(CallRow.call_id))) == ["new-1"]
    assert db.scalar(select(func.count()).select_from(CallStats)) == 2  # the counts stay
