"""A member reading their own record sees only their own data, and the access log lists
everyone the answer showed."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from tests import factories as f

FROZEN = "2026-11-27T18:00:00+00:00"


def accessed(login, user_id: int) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """(action, member) pairs of one user, from the compliance officer's access report."""
    officer = login(Role.COMPLIANCE_OFFICER).client
    rows = officer.get(
        f"/api/compliance/access/user/{user_id}",
        params={"start": "2026-01-01", "end": "2026-12-31"},
    ).json()
    return [(r["action"], r["member_id"]) for r in rows]


@time_machine.travel(FROZEN, tick=False)
def test_adult_dependant_sees_no_one_elses_data(login, db: Session) -> None:
    sub = f.member(db, last_name="Holder", spans=[(date(2020, 1, 1), None)])
    adult = f.member(
        db,
        subscriber=sub,
        relationship=Relationship.CHILD,
        first_name="Grown",
        last_name="Holder",
        dob=date(2003, 2, 2),
        phone=None,
        spans=[(date(2020, 1, 1), None)],
    )
    sibling = date(2026, 9, 14)
    f.member(
        db,
        subscriber=sub,
        relationship=Relationship.CHILD,
        first_name="Baby",
        last_name="Holder",
        dob=sibling,
        phone=None,
        spans=[(sibling, None)],
    )
    agent = login(Role.TIER1_AGENT).client
    assert (
        agent.post(
            f"/api/members/{sub.id}/life-events",
            json={"event_type": "birth", "event_date": sibling.isoformat(), "notes": "baby"},
        ).status_code
        == 201
    )
    portal = login(Role.MEMBER, member_id=adult.id)
    mine = portal.client.get("/api/me").json()
    assert mine["member"]["id"] == adult.id
    assert [h["id"] for h in mine["household"]] == [adult.id]
    assert mine["life_events"] == []  # the sibling's birth is on the parent's enrolment
    assert mine["premium"] is None  # the parent's payroll deduction
    assert sibling.isoformat() not in portal.client.get("/api/me").text
    assert mine["eligibility"]["eligible"] is True and mine["coverage"]
    # Everything the portal showed is in the access log: the member, and no one else.
    assert set(accessed(login, portal.user.id)) == {("member.read", adult.id)}


@time_machine.travel(FROZEN, tick=False)
def test_subscriber_sees_their_own_enrolment(login, db: Session) -> None:
    sub = f.member(db, spans=[(date(2020, 1, 1), None)])
    f.member(db, subscriber=sub, relationship=Relationship.SPOUSE, first_name="Partner")
    agent = login(Role.TIER1_AGENT).client
    agent.post(
        f"/api/members/{sub.id}/life-events",
        json={"event_type": "marriage", "event_date": "2026-10-03", "notes": "staff note"},
    )
    portal = login(Role.MEMBER, member_id=sub.id)
    mine = portal.client.get("/api/me").json()
    assert [h["id"] for h in mine["household"]] == [sub.id]
    assert [(e["event_type"], e["notes"]) for e in mine["life_events"]] == [("marriage", None)]
    assert mine["premium"]["tier"] == "employee_spouse"  # their own payroll deduction
    assert set(accessed(login, portal.user.id)) == {("member.read", sub.id)}


@time_machine.travel(FROZEN, tick=False)
def test_staff_read_of_a_dependant_logs_the_household_it_shows(login, db: Session) -> None:
    sub = f.member(db, spans=[(date(2020, 1, 1), None)])
    spouse = f.member(db, subscriber=sub, relationship=Relationship.SPOUSE, first_name="Partner")
    agent = login(Role.TIER1_AGENT)
    view = agent.client.get(f"/api/members/{spouse.id}").json()
    assert view["premium"]["subscriber_id"] == sub.id
    logged = accessed(login, agent.user.id)
    assert {m for _, m in logged} == {sub.id, spouse.id}
    events = agent.client.get(f"/api/members/{spouse.id}/life-events")
    assert events.status_code == 200
