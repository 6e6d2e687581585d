"""An article's life through the API: draft, review, approval by someone other than the author
with a compliance permission, verified contact points, publishing, retiring; the version in
force on a past day; the diff; and bad input refused with the field named, nothing changed."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import today_utc
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.kb.models import KbArticle, KbVersion
from tests.kb.conftest import article_body, publish_through_api

MEDI_CAL = "Call the Telephone Service Center at 1-800-541-5555 or visit www.dhcs.ca.gov."


def _loc(response) -> list:  # type: ignore[no-untyped-def]
    return [d["loc"] for d in response.json()["detail"]]


def _hits(client, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = client.get("/api/kb/search", params={"q": q})
    assert r.status_code == 200, r.text
    return [h["slug"] for h in r.json()["items"]]


def test_draft_review_approve_verify_publish_and_agents_find_it(
    writer, officer, agent, db: Session
) -> None:
    made = writer.client.post("/api/kb/articles", json=article_body(body=MEDI_CAL))
    assert made.status_code == 201, made.text
    vid = made.json()["versions"][0]
    version = writer.client.get(f"/api/kb/versions/{vid}").json()
    assert version["state"] == "draft"
    assert {(p["kind"], p["value"]) for p in version["contact_points"]} == {
        ("phone", "1-800-541-5555"),
        ("web", "www.dhcs.ca.gov"),
    }
    assert all(p["verified_at"] is None for p in version["contact_points"])
    # A draft is not approvable, and nothing of it is found by agents.
    r = officer.client.post(f"/api/kb/versions/{vid}/approve", json={})
    assert r.status_code == 409 and _loc(r) == [["state"]]
    assert _hits(agent.client, "replacement") == []

    assert writer.client.post(f"/api/kb/versions/{vid}/submit").status_code == 200
    # Only kb.approve holders approve: the writer is refused by the permission.
    assert writer.client.post(f"/api/kb/versions/{vid}/approve", json={}).status_code == 403
    r = officer.client.post(f"/api/kb/versions/{vid}/approve", json={"note": "fine"})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert r.json()["approved_by"] == officer.user.display_name

    # Unverified contact points block publishing: 422 naming the field, still approved.
    r = officer.client.post(f"/api/kb/versions/{vid}/publish")
    assert r.status_code == 422 and _loc(r) == [["contact_points"]]
    assert "2 contact point" in r.json()["detail"][0]["msg"]
    assert officer.client.get(f"/api/kb/versions/{vid}").json()["state"] == "approved"
    for p in version["contact_points"]:
        v = officer.client.post(
            f"/api/kb/contact-points/{p['id']}/verify", json={"note": "called the line"}
        )
        assert v.status_code == 200
        assert v.json()["verified_by"] == officer.user.display_name
    r = officer.client.post(f"/api/kb/versions/{vid}/publish")
    assert r.status_code == 200 and r.json()["state"] == "published"

    hits = agent.client.get("/api/kb/search", params={"q": "replacement card"}).json()["items"]
    assert [h["slug"] for h in hits] == ["replacement-card-en"]
    assert hits[0]["verified_on"] == today_utc().isoformat()
    actions = set(
        db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "kb_version"))
    )
    assert {
        "kb.version_created",
        "kb.submitted",
        "kb.approved",
        "kb.point_verified",
        "kb.published",
    } <= actions


def test_the_author_cannot_approve_their_own_version(login, officer) -> None:
    # A compliance officer cannot write (no kb.write), so the author here is an officer whose
    # version came from the import path: give the officer's own draft through the service.
    other = login(Role.COMPLIANCE_OFFICER)
    from memberdesk.clock import now
    from memberdesk.compliance.audit import AuditContext
    from memberdesk.kb import service
    from memberdesk.kb.schemas import ArticleIn

    db = other.client.app.state.sessions.db  # type: ignore[attr-defined]
    ctx = AuditContext(actor_id=officer.user.id, actor="o", role="compliance_officer")
    _, version = service.create_article(db, ctx, ArticleIn(**article_body()), now())
    service.submit(db, ctx, version, now())
    db.flush()
    r = officer.client.post(f"/api/kb/versions/{version.id}/approve", json={})
    assert r.status_code == 409 and _loc(r) == [["approved_by"]]
    assert other.client.post(f"/api/kb/versions/{version.id}/approve", json={}).status_code == 200


def test_retired_never_comes_back_and_agents_stop_finding_it(writer, officer, agent) -> None:
    made = publish_through_api(writer, officer)
    vid = made["versions"][0]
    assert _hits(agent.client, "lost card") == ["replacement-card-en"]
    assert officer.client.post(f"/api/kb/versions/{vid}/retire").status_code == 200
    assert _hits(agent.client, "lost card") == []
    r = officer.client.post(f"/api/kb/versions/{vid}/publish")
    assert r.status_code == 409 and _loc(r) == [["state"]]
    assert "retired" in r.json()["detail"][0]["msg"]


def test_version_in_force_on_a_past_day_and_the_diff(writer, officer, db: Session) -> None:
    made = publish_through_api(writer, officer, effective_on="2026-01-01")
    article_id = made["id"]
    v2 = writer.client.post(
        f"/api/kb/articles/{article_id}/versions",
        json={
            "title": "Replacing a lost or damaged card",
            "body": "1. Verify identity.\n2. Check the mailing address.\n"
            "3. Request a replacement card.\n",
            "effective_on": "2026-03-10",
            "change_note": "address check",
        },
    )
    assert v2.status_code == 201, v2.text
    assert v2.json()["number"] == 2
    vid = v2.json()["id"]
    assert writer.client.post(f"/api/kb/versions/{vid}/submit").status_code == 200
    assert officer.client.post(f"/api/kb/versions/{vid}/approve", json={}).status_code == 200
    assert officer.client.post(f"/api/kb/versions/{vid}/publish").status_code == 200

    def told(day: str) -> int | None:
        r = writer.client.get(f"/api/kb/articles/{article_id}", params={"on": day})
        assert r.status_code == 200
        got = r.json()["in_force"]
        return got["number"] if got else None

    # Both were published today: asking about a day before today, nothing had been published.
    assert told((today_utc() - timedelta(days=1)).isoformat()) is None
    assert told(today_utc().isoformat()) == (2 if today_utc() >= date(2026, 3, 10) else 1)
    # Backdate the publications to see a history: v1 published 1 Jan, v2 on 10 March.
    for number, when in ((1, "2026-01-01T09:00:00+00:00"), (2, "2026-03-10T09:00:00+00:00")):
        version = db.scalar(
            select(KbVersion).where(KbVersion.article_id == article_id, KbVersion.number == number)
        )
        assert version is not None
        version.published_at = version.created_at.fromisoformat(when)
    db.commit()  # a reading route ends its transaction: keep the backdating (the test's savepoint)
    assert told("2025-12-31") is None
    assert told("2026-03-03") == 1
    assert told("2026-03-10") == 2

    d = writer.client.get(f"/api/kb/articles/{article_id}/diff", params={"from": 1, "to": 2})
    assert d.status_code == 200
    text = d.json()["unified"]
    assert "-# Replacing a lost card" in text
    assert "+# Replacing a lost or damaged card" in text
    assert "+2. Check the mailing address." in text
    bad = writer.client.get(f"/api/kb/articles/{article_id}/diff", params={"from": 1, "to": 9})
    assert bad.status_code == 422 and _loc(bad) == [["query", "to"]]
    huge = writer.client.get(f"/api/kb/articles/{article_id}/diff", params={"from": 1, "to": 2**40})
    assert huge.status_code == 422 and _loc(huge) == [["query", "to"]]


def test_bad_input_names_the_field_and_changes_nothing(writer, db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(KbArticle))
    cases = [
        (article_body(body="   "), ["body", "body"]),
        (article_body(language="fr"), ["body", "language"]),
        (article_body(kind="poem"), ["body", "kind"]),
        (article_body(expires_on="2025-12-01"), ["body", "expires_on"]),
        (article_body(slug="Bad Slug!"), ["body", "slug"]),
        (article_body(reasons=["astrology"]), ["body", "reasons", 0]),
        # Beyond any id the database holds (PostgreSQL refused it with a 500 before).
        (article_body(owner_id=26301951737856), ["body", "owner_id"]),
    ]
    for data, loc in cases:
        r = writer.client.post("/api/kb/articles", json=data)
        assert r.status_code == 422, (data, r.text)
        assert loc in _loc(r), (loc, r.text)
    assert writer.client.post("/api/kb/articles", json=article_body()).status_code == 201
    dup = writer.client.post("/api/kb/articles", json=article_body())
    assert dup.status_code == 409 and _loc(dup) == [["body", "slug"]]
    twin = writer.client.post("/api/kb/articles", json=article_body(slug="other-slug"))
    assert twin.status_code == 409 and _loc(twin) == [["body", "translation_key"]]
    assert db.scalar(select(func.count()).select_from(KbArticle)) == (before or 0) + 1


def test_agents_read_but_do_not_write(agent, officer) -> None:
    assert agent.client.post("/api/kb/articles", json=article_body()).status_code == 403
    assert agent.client.get("/api/kb/review-queue").status_code == 403
    assert officer.client.post("/api/kb/articles", json=article_body()).status_code == 403
    assert officer.client.get("/api/kb/review-queue").status_code == 200
