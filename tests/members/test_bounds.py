"""Ids and dates the database cannot hold are a 422 naming the parameter, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests import factories as f

TOO_BIG = str(2**63)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/members/{big}"),
        ("GET", "/api/members/{big}/eligibility"),
        ("GET", "/api/members/{big}/coverage"),
        ("GET", "/api/members/{big}/life-events"),
        ("GET", "/api/members/{big}/id-cards"),
        ("POST", "/api/members/{big}/id-cards"),
        ("POST", "/api/members/{big}/life-events"),
        ("PATCH", "/api/id-cards/{big}"),
        ("GET", "/api/groups/{big}"),
        ("GET", "/api/groups/{big}/members"),
        ("GET", "/api/plans/{big}"),
        ("GET", "/api/members/0"),
    ],
)
def test_ids_beyond_64_bits_are_refused_by_name(client, method: str, path: str) -> None:
    response = client.request(method, path.format(big=TOO_BIG), json={})
    assert response.status_code == 422, response.text
    locations = [d["loc"] for d in response.json()["detail"]]
    assert locations[0][0] == "path"
    assert TOO_BIG not in response.text


def test_dates_are_iso_and_within_range(client, db: Session) -> None:
    m = f.member(db)
    for query in ({"as_of": "0"}, {"as_of": "0001-01-01"}, {"as_of": "9999-12-31"}):
        response = client.get(f"/api/members/{m.id}", params=query)
        assert response.status_code == 422, query
        assert response.json()["detail"][0]["loc"] == ["query", "as_of"]
    for on in ("0", "1899-12-31", "2200-01-01"):
        response = client.get(f"/api/members/{m.id}/eligibility", params={"on": on})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
            "query",
            "on",
        ]
    life = client.get(f"/api/members/{m.id}/life-events", params={"as_of": "0"})
    assert life.status_code == 422
    event = client.post(
        f"/api/members/{m.id}/life-events",
        json={"event_type": "marriage", "event_date": "0001-01-01"},
    )
    assert event.status_code == 422
    assert event.json()["detail"][0]["loc"] == ["body", "event_date"]
    assert "0001" not in event.text
    stamp = client.post(
        f"/api/members/{m.id}/life-events", json={"event_type": "marriage", "event_date": 0}
    )
    assert stamp.status_code == 422
    old = client.post(
        "/api/members/search", json={"last_name": "Smith", "date_of_birth": "1899-01-01"}
    )
    assert old.status_code == 422 and old.json()["detail"][0]["loc"] == ["body", "date_of_birth"]
    assert client.get(f"/api/members/{m.id}", params={"as_of": "2026-01-31"}).status_code == 200


def test_paging_offsets_are_bounded(client) -> None:
    assert client.get("/api/groups", params={"offset": TOO_BIG}).status_code == 422
    assert (
        client.post(
            "/api/members/search", params={"offset": TOO_BIG}, json={"phone": "4155550100"}
        ).status_code
        == 422
    )
