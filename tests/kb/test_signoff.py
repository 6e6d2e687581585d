"""The policy sign-off clock of regulatory changes, with time moved: a regulatory version is due
for sign-off 5 business days after it is written (the pack's ``policy_signoff``), is flagged
overdue once by the worker's sweep when still unpublished, is listed on the compliance console
with a link to it, and is published only with a compliance officer's approval."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance import permissions
from memberdesk.compliance.enums import AuditAction, Permission, Role
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.kb import signoff
from tests.kb.conftest import article_body

# Monday 7 December 2026, 10:00 Pacific: five working days later is Monday 14 December, and
# the clock is due at that day's close (17:00 Pacific = 01:00 UTC on the 15th).
WRITTEN = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
DUE = "2026-12-15T01:00:00Z"
BEFORE_DUE = datetime(2026, 12, 15, 0, 59, tzinfo=UTC)
AFTER_DUE = datetime(2026, 12, 15, 17, 0, tzinfo=UTC)


def _audits(db: Session, action: AuditAction, object_id: int) -> int:
    where = (AuditEntry.action == action, AuditEntry.object_id == str(object_id))
    sealed = db.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    pending = (
        db.scalar(
            select(func.count())
            .select_from(AuditPending)
            .where(AuditPending.action == action, AuditPending.object_id == str(object_id))
        )
        or 0
    )
    return sealed + pending


def _regulatory(writer, **over) -> dict:  # type: ignore[no-untyped-def]
    made = writer.client.post("/api/kb/articles", json=article_body(regulatory=True, **over))
    assert made.status_code == 201, made.text
    vid = made.json()["versions"][-1]
    return writer.client.get(f"/api/kb/versions/{vid}").json()


def test_overdue_signoff_flagged_once_and_shown_on_the_console(
    writer, officer, db: Session
) -> None:
    with time_machine.travel(WRITTEN, tick=False):
        version = _regulatory(writer)
        ordinary = writer.client.post(
            "/api/kb/articles", json=article_body(slug="plain-en", translation_key="plain")
        ).json()
    assert version["regulatory"] is True
    assert version["signoff_due_at"].replace("+00:00", "Z") == DUE
    assert version["signoff_overdue_at"] is None
    plain = writer.client.get(f"/api/kb/versions/{ordinary['versions'][0]}").json()
    assert plain["regulatory"] is False and plain["signoff_due_at"] is None

    # At the deadline's last minute nothing is overdue; after it, exactly this one, once.
    assert signoff.flag_overdue(db, BEFORE_DUE) == []
    assert signoff.flag_overdue(db, AFTER_DUE) == [version["id"]]
    assert signoff.sweep(db, AFTER_DUE) == 0  # the worker's sweep: nothing left to flag
    db.flush()
    assert _audits(db, AuditAction.KB_SIGNOFF_OVERDUE, version["id"]) == 1
    got = officer.client.get(f"/api/kb/versions/{version['id']}").json()
    assert got["signoff_overdue_at"] is not None

    with time_machine.travel(AFTER_DUE, tick=False):
        page = officer.client.get("/compliance")
        article = officer.client.get(f"/kb/articles/{version['article_id']}")
    assert page.status_code == 200
    assert "1 change overdue" in page.text
    assert f'href="/kb/articles/{version["article_id"]}#version-1"' in page.text
    assert "Overdue:" in page.text and "Replacing a lost card (version 1)" in page.text
    assert "compliance sign-off overdue since" in article.text

    # Signed off late: published after the deadline, it leaves the console's list and the
    # publishing is audited as late.
    vid = version["id"]
    with time_machine.travel(AFTER_DUE, tick=False):
        assert writer.client.post(f"/api/kb/versions/{vid}/submit").status_code == 200
        assert officer.client.post(f"/api/kb/versions/{vid}/approve", json={}).status_code == 200
        assert officer.client.post(f"/api/kb/versions/{vid}/publish").status_code == 200
        page = officer.client.get("/compliance")
        article = officer.client.get(f"/kb/articles/{version['article_id']}")
    assert "Nothing is waiting" in page.text
    assert "signed off late" in article.text
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.KB_PUBLISHED, AuditEntry.object_id == str(vid)
        )
    ).first()
    pending = db.scalars(
        select(AuditPending).where(
            AuditPending.action == AuditAction.KB_PUBLISHED, AuditPending.object_id == str(vid)
        )
    ).first()
    detail = (entry or pending).detail  # type: ignore[union-attr]
    assert detail["signoff"] == "late"


def test_only_a_compliance_officer_signs_off_a_regulatory_change(
    writer, officer, login, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plan that lets supervisors approve articles (permissions.toml): they may approve an
    # ordinary version, never a regulatory one.
    shipped = permissions.matrix()
    sup = shipped[Role.SUPERVISOR]
    widened = {
        **shipped,
        Role.SUPERVISOR: dataclasses.replace(
            sup, permissions=sup.permissions | {Permission.KB_APPROVE}
        ),
    }
    monkeypatch.setattr(permissions, "matrix", lambda: widened)
    other = login(Role.SUPERVISOR, team="Team B")
    version = _regulatory(writer, slug="reg-en", translation_key="reg")
    plain = writer.client.post(
        "/api/kb/articles", json=article_body(slug="plain-en", translation_key="plain")
    ).json()["versions"][0]
    for vid in (version["id"], plain):
        assert writer.client.post(f"/api/kb/versions/{vid}/submit").status_code == 200
    assert other.client.post(f"/api/kb/versions/{plain}/approve", json={}).status_code == 200
    refused = other.client.post(f"/api/kb/versions/{version['id']}/approve", json={})
    assert refused.status_code == 409
    assert refused.json()["detail"][0]["loc"] == ["approved_by"]
    assert "compliance officer" in refused.json()["detail"][0]["msg"]
    assert officer.client.get(f"/api/kb/versions/{version['id']}").json()["state"] == "in_review"
    ok = officer.client.post(f"/api/kb/versions/{version['id']}/approve", json={})
    assert ok.status_code == 200
    assert officer.client.post(f"/api/kb/versions/{version['id']}/publish").status_code == 200
