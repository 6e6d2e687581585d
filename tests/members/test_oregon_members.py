"""Oregon Health Plan members beside the California book, through the real app on each
database: the pack their line of business gives them (and the calendar their work then runs
on), their 360 (no employer, no premium, partner plans, renewal dates), the masking of what
gives a young child's birth month away, and the life events their line has no place for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases import clocks as case_clocks
from memberdesk.cases import demo
from memberdesk.cases.models import Case
from memberdesk.clock import now, today_utc
from memberdesk.compliance.demo import ensure_demo_users
from memberdesk.compliance.enums import Role
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.models import Callback, Contact
from memberdesk.members import service
from memberdesk.members.dates import month_end
from memberdesk.members.enums import Benefit, LineOfBusiness, Relationship
from memberdesk.members.lines import LINES
from memberdesk.members.models import LifeEvent, Member
from memberdesk.members.packs import pack_for
from memberdesk.members.words import day
from memberdesk.sla import get_pack
from memberdesk.sla.packs import zone_of
from tests.factories import oregon_book

PARTNER_KINDS = {"physical_health", "behavioral_health", "dental", "transport"}


@pytest.fixture
def oregon(db: Session) -> list[int]:
    """An Oregon book of 120 members added beside the seeded CalChoice one."""
    return oregon_book(db)


def members_where(db: Session, ids: list[int], covered: bool = True) -> list[Member]:
    rows = db.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id)).unique()
    today = today_utc()
    return [m for m in rows if service.eligibility(m, today).eligible == covered]


def a_calchoice_member(db: Session) -> Member:
    m = db.scalars(
        select(Member).where(Member.line_of_business == LineOfBusiness.CALCHOICE).limit(1)
    ).one()
    return m


# --- the pack, from the line of business ---------------------------------------------------------


def test_pack_for_follows_the_line_of_business(db: Session, oregon: list[int]) -> None:
    oregon_member = db.get(Member, oregon[0])
    assert oregon_member is not None
    assert pack_for(oregon_member) == "oregon-medicaid"
    assert pack_for(a_calchoice_member(db)) == "calchoice"
    assert pack_for(None) == "calchoice"  # a caller not identified: the default line
    # Every line names a pack that exists, with the calendar the design gives it.
    calendars = {line.pack: get_pack(line.pack).calendar for line in LINES.values()}
    assert calendars == {
        "calchoice": "california-state",
        "oregon-medicaid": "oregon-state",
        "erisa-group": "california-state",
    }


def test_policy_pack_in_the_member_360_for_both_books(client, db: Session, oregon) -> None:  # type: ignore[no-untyped-def]
    ore = client.get(f"/api/members/{oregon[0]}")
    cal = client.get(f"/api/members/{a_calchoice_member(db).id}")
    assert ore.status_code == cal.status_code == 200
    assert ore.json()["policy_pack"] == "oregon-medicaid"
    assert ore.json()["member"]["line_of_business"] == "oregon-medicaid"
    assert cal.json()["policy_pack"] == "calchoice"
    assert cal.json()["member"]["line_of_business"] == "calchoice"


def test_an_oregon_members_case_runs_on_the_oregon_pack(client, db: Session, oregon) -> None:  # type: ignore[no-untyped-def]
    """The case takes the member's pack, so its clocks are the Oregon pack's on the Oregon
    calendar: that pack has no Tier 1 hand-off target, so none is started (a CalChoice member's
    case carries one)."""
    body = {"case_type": "eligibility", "summary": "Asks when the renewal is due"}
    ore = client.post("/api/cases", json={"member_id": oregon[0], **body})
    cal = client.post("/api/cases", json={"member_id": a_calchoice_member(db).id, **body})
    assert ore.status_code == cal.status_code == 201, (ore.text, cal.text)
    assert ore.json()["pack"] == "oregon-medicaid"
    assert get_pack(ore.json()["pack"]).calendar == "oregon-state"
    assert [c["target"] for c in ore.json()["clocks"]] == []
    assert cal.json()["pack"] == "calchoice"
    assert [c["target"] for c in cal.json()["clocks"]] == ["tier1_handoff"]
    stored = db.get(Case, ore.json()["id"])
    assert stored is not None and stored.pack == "oregon-medicaid"
    # A clock both packs have, started on each case at the same moment, runs on each case's
    # calendar: Friday 19 June 2026 (Juneteenth) is closed in Oregon, open in California.
    california = db.get(Case, cal.json()["id"])
    assert california is not None
    pacific = ZoneInfo("America/Los_Angeles")
    juneteenth = datetime(2026, 6, 19, 10, 0, tzinfo=pacific)
    on_oregon = case_clocks.start(stored, "voicemail_return", juneteenth)
    on_california = case_clocks.start(california, "voicemail_return", juneteenth)
    assert on_oregon is not None and on_california is not None
    assert on_oregon.due_at == datetime(2026, 6, 22, 17, 0, tzinfo=pacific)  # Monday
    assert on_california.due_at == datetime(2026, 6, 19, 17, 0, tzinfo=pacific)  # that day


def test_a_voicemail_on_juneteenth_is_due_by_each_members_calendar(  # type: ignore[no-untyped-def]
    client, db: Session, oregon
) -> None:
    """Friday 19 June 2026 is an Oregon legal holiday (ORS 187.010) and a California working
    day: the same voicemail is due that evening for a CalChoice member and on Monday for an
    Oregon one, by each pack's voicemail_return target."""
    left = "2026-06-19T10:00:00-07:00"
    due = {}
    for who in (oregon[0], a_calchoice_member(db).id):
        r = client.post(
            "/api/voicemails", json={"member_id": who, "phone": "503-555-0142", "received_at": left}
        )
        assert r.status_code == 201, r.text
        due[r.json()["pack"]] = r.json()["due_at"]
    assert due == {
        "oregon-medicaid": "2026-06-22T17:00:00-07:00",
        "calchoice": "2026-06-19T17:00:00-07:00",
    }
    assert str(zone_of("oregon-medicaid")) == "America/Los_Angeles"


# --- the member 360 ------------------------------------------------------------------------------


def test_an_oregon_members_360(client, db: Session, oregon) -> None:  # type: ignore[no-untyped-def]
    member = next(m for m in members_where(db, oregon) if m.relationship == Relationship.SELF)
    body: dict[str, Any] = client.get(f"/api/members/{member.id}").json()
    assert body["group"] is None and body["premium"] is None
    assert body["member"]["group_number"] is None and body["member"]["group_name"] is None
    assert body["member"]["address"]["state"] == "OR"
    elig = body["eligibility"]
    assert elig["eligible"] and elig["plan"]["benefit"] == "medicaid"
    assert elig["plan"]["line_of_business"] == "oregon-medicaid"
    assert elig["plan"]["metal_tier"] is None and elig["plan"]["rate_employee_cents"] is None
    assert elig["renewal_date"] is not None and "renewal due on" in elig["explanation"]
    # One partner plan for each kind of care, held at once, all inside the eligibility.
    partners = body["partner_plans"]
    assert {p["benefit"] for p in partners} == PARTNER_KINDS and len(partners) == 4
    assert all(p["plan"]["line_of_business"] == "oregon-medicaid" for p in partners)
    spans = body["coverage"]
    medicaid = [s for s in spans if s["plan"]["benefit"] == "medicaid"]
    assert all(s["renewal_date"] for s in medicaid)
    assert all(s["renewal_date"] is None for s in spans if s["plan"]["benefit"] != "medicaid")
    assert len(spans) >= 5 * len(medicaid)


def test_search_results_name_the_line_of_business(client, db: Session, oregon) -> None:  # type: ignore[no-untyped-def]
    member = db.get(Member, oregon[0])
    assert member is not None
    found = client.post("/api/members/search", json={"member_number": member.member_number})
    assert found.status_code == 200
    (item,) = found.json()["items"]
    assert item["line_of_business"] == "oregon-medicaid" and item["group_name"] is None


def test_the_portal_and_every_staff_role_read_an_oregon_member(  # type: ignore[no-untyped-def]
    login, db: Session, oregon
) -> None:
    member_id = oregon[0]
    for role in (Role.TIER1_AGENT, Role.QA_ANALYST, Role.SUPERVISOR, Role.NAVIGATOR):
        r = login(role, team="Team A").client.get(f"/api/members/{member_id}")
        assert r.status_code == 200, (role, r.text)
        assert r.json()["policy_pack"] == "oregon-medicaid"
    mine = login(Role.MEMBER, member_id=member_id).client.get("/api/me")
    assert mine.status_code == 200 and mine.json()["policy_pack"] == "oregon-medicaid"
    assert mine.json()["partner_plans"]


def test_a_young_childs_renewal_date_is_masked_like_a_birth_date(  # type: ignore[no-untyped-def]
    login, db: Session, oregon
) -> None:
    """Children under 6 renew at the end of the month of their 6th birthday: the renewal date
    gives the birth month away, so a role that sees years of birth only sees its year."""
    child = next(
        m
        for m in members_where(db, oregon)
        if m.relationship == Relationship.CHILD and (today_utc() - m.date_of_birth).days < 5 * 365
    )
    six = month_end(date(child.date_of_birth.year + 6, child.date_of_birth.month, 1))
    agent = login(Role.TIER1_AGENT, team="Team A").client.get(f"/api/members/{child.id}").json()
    qa = login(Role.QA_ANALYST).client.get(f"/api/members/{child.id}").json()
    assert agent["eligibility"]["renewal_date"] == six.isoformat()
    assert day(six) in agent["eligibility"]["explanation"]
    assert qa["eligibility"]["renewal_date"] == str(six.year)
    assert day(six)[-8:] not in qa["eligibility"]["explanation"]  # not even "Jun 2031"
    for seen, shown in zip(agent["coverage"], qa["coverage"], strict=True):
        if seen["renewal_date"] == six.isoformat():
            assert shown["renewal_date"] == str(six.year)


def test_the_end_of_a_young_childs_continuous_eligibility_is_masked_too(  # type: ignore[no-untyped-def]
    login, db: Session, oregon
) -> None:
    """A child whose household did not renew stays enrolled to the end of the month of their
    6th birthday: a span ending then gives the birth month away like the renewal date."""
    child = next(
        m
        for m in members_where(db, oregon)
        if m.relationship == Relationship.CHILD and (today_utc() - m.date_of_birth).days < 5 * 365
    )
    six = month_end(date(child.date_of_birth.year + 6, child.date_of_birth.month, 1))
    for span in child.coverage:  # as the data would hold it once the household had lapsed
        span.termination_date = six
    db.flush()
    agent = login(Role.TIER1_AGENT, team="Team A").client.get(f"/api/members/{child.id}").json()
    qa = login(Role.QA_ANALYST).client.get(f"/api/members/{child.id}").json()
    assert {s["termination_date"] for s in agent["coverage"]} == {six.isoformat()}
    assert {s["termination_date"] for s in qa["coverage"]} == {str(six.year)}
    assert {p["termination_date"] for p in qa["partner_plans"]} == {str(six.year)}


def test_no_life_events_for_a_medicaid_member(client, db: Session, oregon) -> None:  # type: ignore[no-untyped-def]
    before = db.scalar(select(func.count()).select_from(LifeEvent))
    r = client.post(
        f"/api/members/{oregon[0]}/life-events",
        json={"event_type": "birth", "event_date": "2026-10-01"},
    )
    assert r.status_code == 409
    (err,) = r.json()["detail"]
    assert err["loc"] == ["path", "member_id"]
    assert "Oregon Health Plan" in err["msg"] and "special enrolment" in err["msg"]
    assert db.scalar(select(func.count()).select_from(LifeEvent)) == before


def test_plans_list_each_line(client, oregon) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/plans").json()
    oregon_only = client.get("/api/plans", params={"line_of_business": "oregon-medicaid"}).json()
    assert {p["line_of_business"] for p in everything} == {"calchoice", "oregon-medicaid"}
    assert len(oregon_only) == 17  # the CCO's Medicaid plan and its 16 partners' plans
    kinds = {p["benefit"] for p in oregon_only}
    assert kinds == PARTNER_KINDS | {"medicaid"}
    assert all(p["rate_family_cents"] is None and p["plan_type"] is None for p in oregon_only)
    bad = client.get("/api/plans", params={"line_of_business": "texas"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "line_of_business"


def test_partner_plans_ride_inside_the_eligibility(db: Session, oregon) -> None:
    """Partner plans never make anyone eligible: only the Medicaid span counts, and a member
    holds one partner of each kind exactly while covered."""
    today = today_utc()
    for m in members_where(db, oregon, covered=False):
        assert service.partner_spans(m, today) == []
    for m in members_where(db, oregon):
        span = service.covering_span(m, today)
        assert span is not None and span.plan.benefit == Benefit.MEDICAID
        held = service.partner_spans(m, today)
        assert sorted(s.plan.benefit.value for s in held) == sorted(PARTNER_KINDS)


@time_machine.travel(datetime(2026, 12, 9, 21, 30, tzinfo=UTC), tick=False)
def test_the_demo_work_meets_oregon_members(app, db: Session, backend_settings, oregon) -> None:  # type: ignore[no-untyped-def]
    """The demo's work holds a few Oregon members, so agents meet that book at work: Tier 1
    cases on the Oregon pack and voicemails due by the Oregon calendar."""
    ensure_demo_users(db, backend_settings)
    made = demo.seed_work(db, backend_settings, seed=3, at=now()).counts
    assert made["oregon_cases"] == demo.OREGON_CASES
    assert made["oregon_callbacks"] == demo.OREGON_VOICEMAILS
    # (This test's California book is small, so the rest of the work meets Oregon members too.)
    cases = db.scalars(select(Case).where(Case.member_id.in_(oregon))).all()
    assert len(cases) >= demo.OREGON_CASES and {c.pack for c in cases} == {"oregon-medicaid"}
    assert not [k for c in cases for k in c.clocks if k.target == "tier1_handoff"]
    calls = db.scalars(select(Callback).where(Callback.member_id.in_(oregon))).all()
    assert len(calls) >= demo.OREGON_VOICEMAILS
    assert {c.pack for c in calls} == {"oregon-medicaid"}
    # A portal message from an Oregon member: no reply deadline, the pack sets none.
    messages = db.scalars(
        select(Contact).where(
            Contact.member_id.in_(oregon),
            Contact.channel == Channel.PORTAL,
            Contact.direction == Direction.INBOUND,
        )
    ).all()
    assert all(m.reply_due_at is None for m in messages)


def test_an_oregon_members_secure_message_has_no_deadline_the_pack_lacks(  # type: ignore[no-untyped-def]
    login, oregon
) -> None:
    """The Oregon pack sets no written-reply target (the seed gives none): the message is
    taken, with no reply date rather than one borrowed from California."""
    member = login(Role.MEMBER, member_id=oregon[0]).client
    sent = member.post("/api/me/messages", json={"subject": "Dental", "body": "Which dentist?"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["reply_due_at"] is None
    page = member.get("/me/messages")
    assert page.status_code == 200 and "we will answer as soon as we can" in page.text
