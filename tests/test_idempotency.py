"""Idempotency-Key on create requests: a retry after a dropped connection creates nothing new."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from memberdesk.clock import today_utc
from memberdesk.members.models import LifeEvent
from tests import factories as f


def _events(db, member_id: int) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).where(LifeEvent.member_id == member_id)) or 0


def _body(days: int = 3) -> dict[str, str]:
    return {
        "event_type": "permanent_move",
        "event_date": (today_utc() - timedelta(days=days)).isoformat(),
    }


def test_a_retried_create_is_answered_once(client, db) -> None:
    member = f.member(db)
    before = _events(db, member.id)
    url = f"/api/members/{member.id}/life-events"
    first = client.post(url, json=_body(), headers={"Idempotency-Key": "retry-1"})
    again = client.post(url, json=_body(), headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _events(db, member.id) == before + 1


def test_a_key_reused_for_another_request_is_refused(client, db) -> None:
    member = f.member(db)
    url = f"/api/members/{member.id}/life-events"
    assert client.post(url, json=_body(3), headers={"Idempotency-Key": "k-2"}).status_code == 201
    other = client.post(url, json=_body(4), headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "idempotency-key"]


def test_a_failed_attempt_frees_its_key(client, db) -> None:
    member = f.member(db)
    url = f"/api/members/{member.id}/life-events"
    bad = client.post(
        url, json={"event_type": "permanent_move"}, headers={"Idempotency-Key": "k-3"}
    )
    assert bad.status_code == 422
    good = client.post(url, json=_body(), headers={"Idempotency-Key": "k-3"})
    assert good.status_code == 201


def test_a_malformed_key_names_the_header(client, db) -> None:
    member = f.member(db)
    url = f"/api/members/{member.id}/life-events"
    for key in ("has space", "x" * 129):
        response = client.post(url, json=_body(), headers={"Idempotency-Key": key})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["header", "idempotency-key"]
        assert key not in response.text


def test_keys_belong_to_their_user(login, db) -> None:
    member = f.member(db)
    url = f"/api/members/{member.id}/life-events"
    a, b = login("tier1_agent"), login("tier1_agent")
    assert a.client.post(url, json=_body(5), headers={"Idempotency-Key": "same"}).status_code == 201
    # Another user's identical key is a different request, not a replay of someone else's.
    other = b.client.post(url, json=_body(6), headers={"Idempotency-Key": "same"})
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers


def test_searches_ignore_the_header(client) -> None:
    for _ in range(2):
        response = client.post(
            "/api/members/search", json={"phone": "5550000000"}, headers={"Idempotency-Key": "s"}
        )
        assert response.status_code == 200 and "idempotent-replayed" not in response.headers
