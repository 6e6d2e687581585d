"""Personas and helpers for the knowledge-base tests: an owner who writes, a compliance
officer who signs off, a second officer, and an agent who reads."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import Role
from memberdesk.kb import content


def article_body(**over: Any) -> dict[str, Any]:
    """A valid new-article request (English FAQ with no contact points)."""
    data: dict[str, Any] = {
        "slug": "replacement-card-en",
        "translation_key": "replacement-card",
        "language": "en",
        "kind": "procedure",
        "title": "Replacing a lost card",
        "body": "1. Verify identity.\n2. Request a replacement card.\n",
        "effective_on": "2026-01-01",
        "tags": ["id card"],
        "reasons": ["id_card"],
        "case_types": ["id_card"],
    }
    data.update(over)
    return data


@pytest.fixture
def writer(login):  # type: ignore[no-untyped-def]
    """A supervisor who owns articles (kb.write)."""
    return login(Role.SUPERVISOR, team="Team A")


@pytest.fixture
def officer(login):  # type: ignore[no-untyped-def]
    """A compliance officer (kb.approve)."""
    return login(Role.COMPLIANCE_OFFICER)


@pytest.fixture
def library(db: Session, officer) -> content.Imported:  # type: ignore[no-untyped-def]
    """The shipped library imported and published by the officer (Medi-Cal waits)."""
    approver = AuditContext(
        actor_id=officer.user.id, actor=officer.user.username, role="compliance_officer"
    )
    ctx = AuditContext(actor_id=None, actor="test-import", role="system")
    done = content.import_docs(db, ctx, content.read_dir(content.SHIPPED), now(), approver)
    db.flush()
    return done


def publish_through_api(writer, officer, **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Write, submit, approve, verify every contact point and publish an article; its JSON."""
    made = writer.client.post("/api/kb/articles", json=article_body(**over))
    assert made.status_code == 201, made.text
    version = made.json()["versions"][-1]
    assert writer.client.post(f"/api/kb/versions/{version}/submit").status_code == 200
    assert officer.client.post(f"/api/kb/versions/{version}/approve", json={}).status_code == 200
    got = officer.client.get(f"/api/kb/versions/{version}").json()
    for point in got["contact_points"]:
        r = officer.client.post(
            f"/api/kb/contact-points/{point['id']}/verify", json={"note": "called it"}
        )
        assert r.status_code == 200, r.text
    r = officer.client.post(f"/api/kb/versions/{version}/publish")
    assert r.status_code == 200, r.text
    return made.json()
