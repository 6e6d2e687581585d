"""Retention: expired records are de-identified or purged, legal holds win, runs are audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance import retention
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings
from memberdesk.errors import InvalidInput
from memberdesk.members.models import LifeEvent, Member
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
