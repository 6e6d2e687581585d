"""Members API through real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy.orm import Session

from memberdesk.members.enums import Relationship
from tests import factories as f

FROZEN = "2026-11-27T18:00:00+00:00"


def search(client, **body):  # type: ignore[no-untyped-def]
    return client.post("/api/members/search", json=body)


def test_search_by_each_key(client, db: Session) -> None:
    m = f.member(db, last_name="Ñúñez-O'Brien", dob=date(1979, 4, 2), phone="(510) 555-0199")
    for body in (
        {"member_number": m.member_number},
        {"member_number": f"  {m.member_number.lower()} "},
        {"last_name": "nunez obrien", "date_of_birth": "1979-04-02"},
        {"last_name": "ÑÚÑEZ-O'BRIEN", "date_of_birth": "1979-04-02"},
        {"phone": "510-555-0199"},
        {"phone": "+1 (510) 555 0199"},
    ):
        response = search(client, **body)
        assert response.status_code == 200, body
        page = response.json()
        assert page["total"] == 1, body
        assert page["items"][0]["id"] == m.id
        assert page["items"][0]["last_name"] == "Ñúñez-O'Brien"


def test_search_without_match_is_empty_not_error(client) -> None:
    response = search(client, member_number="000000000-99")
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_search_paginates(client, db: Session) -> None:
    sub = f.member(db, phone="(209) 555-0123")
    for i in range(3):
        f.member(
            db,
            subscriber=sub,
            relationship=Relationship.CHILD,
            first_name=f"Kid{i}",
            dob=date(2015 + i, 1, 1),
            phone="(209) 555-0123",
        )
    first = search(client, phone="2095550123").json()
    assert first["total"] == 4
    page = client.post("/api/members/search?limit=3&offset=3", json={"phone": "2095550123"}).json()
    assert page["total"] == 4 and len(page["items"]) == 1 and page["offset"] == 3


def test_malformed_search_names_field_and_never_echoes_value(client) -> None:
    response = search(client, member_number="12-34-secret")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "member_number"]
    assert "9 digits" in detail[0]["msg"]
    assert "12-34-secret" not in response.text
    impossible = search(client, last_name="Smith", date_of_birth="1980-02-30")
    assert impossible.status_code == 422
    assert impossible.json()["detail"][0]["loc"] == ["body", "date_of_birth"]
    assert "1980-02-30" not in impossible.text
    assert search(client, last_name="Smith").status_code == 422
    assert search(client).status_code == 422
    assert search(client, phone="555").status_code == 422


@time_machine.travel(FROZEN, tick=False)
def test_member_360(client, db: Session) -> None:
    grp = f.group(db, contribution=40_000, dependents=20_000)
    sub = f.member(db, grp=grp, last_name="Rivera", spans=[(date(2022, 1, 1), None)])
    f.member(
        db,
        subscriber=sub,
        relationship=Relationship.SPOUSE,
        first_name="Sam",
        last_name="Rivera",
        dob=date(1982, 3, 3),
        phone=None,
    )
    kid = f.member(
        db,
        subscriber=sub,
        relationship=Relationship.CHILD,
        first_name="Kim",
        last_name="Rivera",
        dob=date(2000, 10, 9),
        phone=None,
    )  # aged out 2026-11-01
    body = client.get(f"/api/members/{sub.id}").json()
    assert body["as_of"] == "2026-11-27"
    assert body["member"]["member_number"] == sub.member_number
    assert body["eligibility"]["eligible"] is True
    assert body["group"]["group_number"] == grp.group_number
    assert [h["relationship"] for h in body["household"]] == ["self", "spouse", "child"]
    assert body["household"][2]["eligibility"]["reason"] == "aged_out"
    plan_rates = body["eligibility"]["plan"]
    # the aged-out child no longer counts: employee + spouse tier
    assert body["premium"]["tier"] == "employee_spouse"
    assert body["premium"]["premium_cents"] == plan_rates["rate_employee_spouse_cents"]
    assert body["premium"]["employer_cents"] == 60_000
    assert (
        body["premium"]["payroll_deduction_cents"]
        == plan_rates["rate_employee_spouse_cents"] - 60_000
    )
    kid_view = client.get(f"/api/members/{kid.id}?as_of=2026-10-31").json()
    assert kid_view["eligibility"]["eligible"] is True


def test_eligibility_endpoint(client, db: Session) -> None:
    m = f.member(db, spans=[(date(2021, 1, 1), date(2025, 6, 30))])
    ok = client.get(f"/api/members/{m.id}/eligibility", params={"on": "2025-06-30"}).json()
    assert ok["eligible"] is True and ok["plan"]["code"] == "SVH-HMO-SIL"
    gone = client.get(f"/api/members/{m.id}/eligibility", params={"on": "2025-07-01"}).json()
    assert (gone["eligible"], gone["reason"]) == (False, "terminated")
    bad = client.get(f"/api/members/{m.id}/eligibility", params={"on": "2025-13-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "on"]


def test_group_terminated_through_api(client, db: Session) -> None:
    grp = f.group(db, terminated=date(2024, 12, 31))
    m = f.member(db, grp=grp, spans=[(date(2020, 1, 1), None)])
    body = client.get(f"/api/members/{m.id}/eligibility", params={"on": "2025-01-01"}).json()
    assert body["reason"] == "group_terminated"


def test_retroactive_termination_flagged(client, db: Session) -> None:
    from datetime import UTC, datetime

    m = f.member(
        db,
        spans=[(date(2021, 1, 1), date(2026, 8, 31))],
        termination_recorded_at=datetime(2026, 10, 20, tzinfo=UTC),
    )
    spans = client.get(f"/api/members/{m.id}/coverage").json()
    assert spans[0]["retroactive"] is True
    assert (
        client.get(f"/api/members/{m.id}/eligibility", params={"on": "2026-09-15"}).json()["reason"]
        == "terminated"
    )


def test_unknown_member_is_404(client) -> None:
    response = client.get("/api/members/999999999")
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["path", "member_id"]
    assert client.get("/api/members/not-a-number").status_code == 422


@time_machine.travel(FROZEN, tick=False)
def test_life_event_opens_window(client, db: Session) -> None:
    m = f.member(db)
    response = client.post(
        f"/api/members/{m.id}/life-events", json={"event_type": "birth", "event_date": "2026-11-20"}
    )
    assert response.status_code == 201
    event = response.json()
    assert (event["window_start"], event["window_end"]) == ("2026-11-20", "2026-12-20")
    assert (event["window_status"], event["days_left"]) == ("open", 23)
    medi_cal = client.post(
        f"/api/members/{m.id}/life-events",
        json={"event_type": "loss_of_medi_cal", "event_date": "2026-09-01"},
    ).json()
    assert medi_cal["window_days"] == 60 and medi_cal["window_status"] == "closed"
    listed = client.get(f"/api/members/{m.id}/life-events").json()
    assert [e["event_type"] for e in listed] == ["birth", "loss_of_medi_cal"]
    bad = client.post(
        f"/api/members/{m.id}/life-events",
        json={"event_type": "lottery_win", "event_date": "2026-11-20"},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "event_type"]
    far = client.post(
        f"/api/members/{m.id}/life-events",
        json={"event_type": "marriage", "event_date": "2027-11-20"},
    )
    assert far.status_code == 422 and far.json()["detail"][0]["loc"] == ["body", "event_date"]


def test_id_card_lifecycle(client, db: Session) -> None:
    m = f.member(db)
    card = client.post(f"/api/members/{m.id}/id-cards", json={"reason": "lost_or_stolen"})
    assert card.status_code == 201 and card.json()["status"] == "requested"
    again = client.post(f"/api/members/{m.id}/id-cards", json={"reason": "damaged"})
    assert again.status_code == 409
    card_id = card.json()["id"]
    jump = client.patch(f"/api/id-cards/{card_id}", json={"status": "delivered"})
    assert (
        jump.status_code == 409 and "allowed: cancelled, printed" in jump.json()["detail"][0]["msg"]
    )
    for status in ("printed", "mailed", "delivered"):
        assert (
            client.patch(f"/api/id-cards/{card_id}", json={"status": status}).json()["status"]
            == status
        )
    assert [c["status"] for c in client.get(f"/api/members/{m.id}/id-cards").json()] == [
        "delivered"
    ]


def test_groups_and_plans(client, db: Session) -> None:
    groups = client.get("/api/groups?limit=2").json()
    assert groups["total"] >= 3 and len(groups["items"]) == 2
    gid = groups["items"][0]["id"]
    detail = client.get(f"/api/groups/{gid}").json()
    assert detail["members"] >= detail["subscribers"] >= 1
    members = client.get(f"/api/groups/{gid}/members").json()
    assert members["total"] == detail["members"]
    plans = client.get("/api/plans").json()
    assert {p["plan_type"] for p in plans} == {"HMO", "PPO", "EPO"}
    assert {p["metal_tier"] for p in plans} == {"bronze", "silver", "gold", "platinum"}
    assert client.get(f"/api/plans/{plans[0]['id']}").json()["code"] == plans[0]["code"]
    assert client.get("/api/plans/99999").status_code == 404
    assert len(client.get("/api/carriers").json()) == 5
    assert client.get("/api/groups?limit=0").status_code == 422


def test_openapi_describes_every_field(client) -> None:
    spec = client.get("/openapi.json").json()
    missing = [
        f"{name}.{prop}"
        for name, schema in spec["components"]["schemas"].items()
        if not name.startswith(("HTTPValidationError", "ValidationError"))
        for prop, info in schema.get("properties", {}).items()
        if "description" not in info
    ]
    assert missing == []
