"""Data rules the members API enforces: ID cards only for covered members, life events that
can have happened and are recorded once, subscriber numbers that find the household, and
life-event notes that the people who may read the member can read."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.enums import Role
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member
from tests import factories as f

FROZEN = "2026-11-27T18:00:00+00:00"


def numbered(db: Session, member: Member, number: str) -> Member:
    """Give a factory member a chosen member ID (households share the 9-digit base)."""
    member.member_number = number
    member.member_number_bidx = bidx_member_number(number)
    db.flush()
    return member


@time_machine.travel(FROZEN, tick=False)
def test_no_id_card_once_coverage_has_ended(client, login, db: Session) -> None:
    ended = f.member(db, spans=[(date(2021, 1, 1), date(2025, 6, 30))])
    refused = client.post(f"/api/members/{ended.id}/id-cards", json={"reason": "lost_or_stolen"})
    assert refused.status_code == 409
    assert "coverage" in refused.json()["detail"][0]["msg"]
    assert client.get(f"/api/members/{ended.id}/id-cards").json() == []
    # A card ahead of coverage that starts next month is how new enrolments get theirs.
    upcoming = f.member(db, spans=[(date(2026, 12, 1), None)])
    made = client.post(f"/api/members/{upcoming.id}/id-cards", json={"reason": "new_enrollment"})
    assert made.status_code == 201
    # The portal follows the same rule.
    portal = login(Role.MEMBER, member_id=ended.id).client
    assert portal.post("/api/me/id-cards", json={"reason": "damaged"}).status_code == 409


@time_machine.travel(FROZEN, tick=False)
def test_life_event_before_the_members_birth_is_refused(client, db: Session) -> None:
    kid = f.member(
        db,
        subscriber=f.member(db),
        relationship=Relationship.CHILD,
        dob=date(2019, 3, 4),
        phone=None,
    )
    response = client.post(
        f"/api/members/{kid.id}/life-events",
        json={"event_type": "loss_of_other_coverage", "event_date": "2019-03-03"},
    )
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "event_date"] and "birth" in detail["msg"]
    assert "2019-03-03" not in response.text
    on_the_day = client.post(
        f"/api/members/{kid.id}/life-events",
        json={"event_type": "birth", "event_date": "2019-03-04"},
    )
    assert on_the_day.status_code == 201


@time_machine.travel(FROZEN, tick=False)
def test_the_same_event_is_recorded_once(client, db: Session) -> None:
    sub = f.member(db)
    spouse = f.member(db, subscriber=sub, relationship=Relationship.SPOUSE, first_name="Jo")
    body = {"event_type": "marriage", "event_date": "2026-10-03"}
    answers = [client.post(f"/api/members/{sub.id}/life-events", json=body) for _ in range(10)]
    assert [a.status_code for a in answers] == [201] + [409] * 9
    assert answers[1].json()["detail"][0]["loc"] == ["body", "event_date"]
    # Posted again through the spouse's record: it is the same enrolment, the same event.
    assert client.post(f"/api/members/{spouse.id}/life-events", json=body).status_code == 409
    assert len(client.get(f"/api/members/{sub.id}/life-events").json()) == 1
    # Another kind of event on the same day, or the same kind on another day, is new.
    other = {"event_type": "permanent_move", "event_date": "2026-10-03"}
    assert client.post(f"/api/members/{sub.id}/life-events", json=other).status_code == 201
    later = {"event_type": "marriage", "event_date": "2026-10-04"}
    assert client.post(f"/api/members/{sub.id}/life-events", json=later).status_code == 201


def test_subscriber_number_finds_the_household(client, db: Session) -> None:
    sub = numbered(db, f.member(db, last_name="Householder"), "987650001-00")
    spouse = numbered(
        db, f.member(db, subscriber=sub, relationship=Relationship.SPOUSE), "987650001-01"
    )
    kid = numbered(
        db,
        f.member(db, subscriber=sub, relationship=Relationship.CHILD, dob=date(2015, 1, 1)),
        "987650001-02",
    )
    numbered(db, f.member(db), "987650002-00")  # the next household: not found
    for term in ("987650001", " 987650001 "):
        found = client.post("/api/members/search", json={"member_number": term})
        assert found.status_code == 200, found.text
        page = found.json()
        assert [m["id"] for m in page["items"]] == [sub.id, spouse.id, kid.id]
        assert page["total"] == 3
    exact = client.post("/api/members/search", json={"member_number": "987650001-01"}).json()
    assert [m["id"] for m in exact["items"]] == [spouse.id]
    bad = client.post("/api/members/search", json={"member_number": "98765000"})
    assert bad.status_code == 422 and "9 digits" in bad.json()["detail"][0]["msg"]


@time_machine.travel(FROZEN, tick=False)
def test_life_event_notes_are_read_by_those_who_may_read_the_member(
    client, login, db: Session
) -> None:
    sub = f.member(db)
    posted = client.post(
        f"/api/members/{sub.id}/life-events",
        json={
            "event_type": "birth",
            "event_date": "2026-11-20",
            "notes": "Twins; both to be added",
        },
    )
    assert posted.status_code == 201 and posted.json()["notes"] == "Twins; both to be added"
    listed = client.get(f"/api/members/{sub.id}/life-events").json()
    assert listed[0]["notes"] == "Twins; both to be added"
    assert client.get(f"/api/members/{sub.id}").json()["life_events"][0]["notes"] == (
        "Twins; both to be added"
    )
    qa = login(Role.QA_ANALYST).client.get(f"/api/members/{sub.id}").json()
    assert qa["life_events"][0]["notes"] == "Twins; both to be added"
    # Notes are staff working notes: the member's portal shows the event, not the notes.
    mine = login(Role.MEMBER, member_id=sub.id).client.get("/api/me").json()
    assert mine["life_events"][0]["notes"] is None
