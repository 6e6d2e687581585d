"""Masking follows the meaning of the data: a role that sees years of birth only sees every date
that gives a birth away as a year too (a newborn's coverage start, a birth event and its
window, a child's age-out date, the eligibility sentence), in every route that shows it."""

from __future__ import annotations

import json
from datetime import date

import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from memberdesk.members.words import day
from tests import factories as f

FROZEN = "2026-11-27T18:00:00+00:00"
BORN = date(2026, 1, 9)


def full_dates(payload: object, *dates: date) -> list[str]:
    """Where any of ``dates`` shows in full (ISO or as people write it) in a JSON answer."""
    text = json.dumps(payload)
    return [form for d in dates for form in (d.isoformat(), day(d)) if form in text]


@time_machine.travel(FROZEN, tick=False)
def test_qa_never_sees_a_newborns_date_of_birth(login, db: Session) -> None:
    parent = f.member(db, spans=[(date(2020, 1, 1), None)])
    baby = f.member(
        db,
        subscriber=parent,
        relationship=Relationship.CHILD,
        first_name="Newborn",
        dob=BORN,
        phone=None,
        spans=[(BORN, None)],
    )
    agent = login(Role.TIER1_AGENT).client
    posted = agent.post(
        f"/api/members/{parent.id}/life-events",
        json={"event_type": "birth", "event_date": BORN.isoformat()},
    )
    assert posted.status_code == 201
    window_end = date(2026, 2, 8)
    qa = login(Role.QA_ANALYST).client
    answers = {
        "baby 360": qa.get(f"/api/members/{baby.id}").json(),
        "parent 360": qa.get(f"/api/members/{parent.id}").json(),
        "coverage": qa.get(f"/api/members/{baby.id}/coverage").json(),
        "eligibility": qa.get(f"/api/members/{baby.id}/eligibility").json(),
        "eligibility before birth": qa.get(
            f"/api/members/{baby.id}/eligibility", params={"on": "2026-01-01"}
        ).json(),
        "life events": qa.get(f"/api/members/{baby.id}/life-events").json(),
    }
    for name, payload in answers.items():
        assert full_dates(payload, BORN, window_end) == [], name
    baby_360 = answers["baby 360"]
    assert baby_360["member"]["date_of_birth"] == "2026"
    assert baby_360["coverage"][0]["effective_date"] == "2026"
    assert baby_360["coverage"][0]["from_birth"] is True
    assert baby_360["eligibility"]["explanation"] == (
        "Covered since birth in 2026, with no end date."
    )
    assert answers["eligibility before birth"]["explanation"] == (
        "Not covered yet: coverage starts in 2026."
    )
    event = answers["life events"][0]
    assert (event["event_type"], event["event_date"], event["window_start"]) == (
        "birth",
        "2026",
        "2026",
    )
    assert event["days_left"] is None and event["window_status"] == "closed"
    # The rest of the parent's record keeps its dates: only what gives a birth away is reduced.
    assert answers["parent 360"]["coverage"][0]["effective_date"] == "2020-01-01"
    # The agent, who may see dates of birth, sees them in full, in words.
    seen = agent.get(f"/api/members/{baby.id}").json()
    assert seen["coverage"][0]["effective_date"] == BORN.isoformat()
    assert seen["eligibility"]["explanation"] == (
        "Covered since birth on 9 Jan 2026, with no end date."
    )
    assert agent.get(f"/api/members/{baby.id}/life-events").json()[0]["days_left"] == 0


@time_machine.travel(FROZEN, tick=False)
def test_an_age_out_date_gives_away_the_birth_month(login, db: Session) -> None:
    parent = f.member(db, spans=[(date(2015, 1, 1), None)])
    grown = f.member(
        db,
        subscriber=parent,
        relationship=Relationship.CHILD,
        dob=date(2000, 5, 17),
        phone=None,
        spans=[(date(2015, 1, 1), None)],
    )
    qa = login(Role.QA_ANALYST).client
    view = qa.get(f"/api/members/{grown.id}").json()
    assert view["eligibility"]["reason"] == "aged_out"
    assert "May" not in view["eligibility"]["explanation"]
    assert view["eligibility"]["explanation"].endswith("coverage ended in 2026.")
    assert view["coverage"][0]["age_limit_end"] == "2026"
    assert full_dates(view, date(2026, 5, 31), date(2000, 5, 17)) == []
    seen = login(Role.TIER1_AGENT).client.get(f"/api/members/{grown.id}").json()
    assert seen["coverage"][0]["age_limit_end"] == "2026-05-31"
    assert seen["eligibility"]["explanation"].endswith("coverage ended on 31 May 2026.")
