"""A full scripted workflow leaves no member PHI in any log line or traceback."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app as cli
from memberdesk.compliance import accounts
from memberdesk.compliance.enums import Role
from memberdesk.compliance.redaction import redact
from memberdesk.config import get_settings
from tests import factories as f
from tests.compliance.test_auth import form_csrf, sign_in
from tests.conftest import PASSWORD


def test_redaction_patterns() -> None:
    line = "member 123456789-01 dob 1980-05-17 phone (415) 555-0142 mail a.b@example.com"
    assert redact(line) == "member [member-id] dob [date] phone [phone] mail [email]"


def test_workflow_logs_hold_no_phi(
    app,
    login,
    db: Session,
    caplog,
    capfd,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    var_dir: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every SQL statement
    m = f.member(
        db,
        first_name="Zephyrine",
        last_name="Quackenbush",
        dob=date(1971, 3, 9),
        phone="(530) 555-0199",
        email="zq@example.com",
    )
    phi = [
        m.first_name,
        m.last_name,
        "1971-03-09",
        "03/09/1971",
        m.member_number,
        "555-0199",
        "zq@example.com",
        "1 Test Way",
    ]
    agent = login(Role.TIER1_AGENT, username="log-agent")
    officer = login(Role.COMPLIANCE_OFFICER).client
    c = agent.client
    try:
        with TestClient(app) as browser:
            sign_in(browser, "log-agent", "wrong password")
            sign_in(browser, "log-agent", PASSWORD)
            browser.post(
                "/members/search", data={"last_name": m.last_name, "date_of_birth": "1971-03-09"}
            )
            browser.get(f"/members/{m.id}")
            # The member's own enrolment page: a wrong date of birth, then the right facts.
            facts = {
                "csrf_token": form_csrf(browser, "/enrol"),
                "member_number": m.member_number,
                "last_name": m.last_name,
                "date_of_birth": "1971-03-10",
                "username": "zq-portal",
                "password": "a long enough passphrase",
                "password_again": "a long enough passphrase",
            }
            assert browser.post("/enrol", data=facts).status_code == 422
            enrolled = browser.post(
                "/enrol", data={**facts, "date_of_birth": "1971-03-09"}, follow_redirects=False
            )
            assert enrolled.status_code == 303
        c.post("/api/members/search", json={"member_number": m.member_number})
        c.post(
            "/api/members/search", json={"last_name": m.last_name, "date_of_birth": "1971-03-09"}
        )
        c.post("/api/members/search", json={"phone": m.phone})
        c.post("/api/members/search", json={"member_number": m.member_number + "-bad"})  # 422
        c.post(
            "/api/members/search", json={"last_name": m.last_name, "date_of_birth": "1971-02-30"}
        )  # 422
        c.get(f"/api/members/{m.id}")
        c.get(f"/api/members/{m.id}/eligibility", params={"on": "1971-03-09"})
        c.post(
            f"/api/members/{m.id}/life-events",
            json={
                "event_type": "birth",
                "event_date": "2026-11-01",
                "notes": f"{m.first_name} {m.last_name} had twins",
            },
        )
        c.post(f"/api/members/{m.id}/id-cards", json={"reason": "damaged"})
        c.get("/api/members/987654321")  # 404
        officer.get(
            f"/api/compliance/access/member/{m.id}",
            params={"start": "2020-01-01", "end": "2030-01-01", "format": "csv"},
        )
        officer.get("/api/compliance/audit")
        officer.get("/api/compliance/audit/verify")
        # A server error with PHI in the failing statement's parameters: a second portal
        # account for the same member, named after them, breaks a unique index. (The API no
        # longer lets an administrator link portal accounts, so the service is driven directly.)
        admin = login(Role.ADMIN)
        # (The member has the portal account enrolled through the page above.)

        def second_portal_account(session, settings, ctx, **_kw):  # type: ignore[no-untyped-def]
            return accounts.create_user(
                session,
                settings,
                ctx,
                username="dup-portal",
                display_name=f"{m.first_name} {m.last_name}",
                role=Role.MEMBER,
                password="a long enough passphrase",
                member_id=m.id,
            ), None

        monkeypatch.setattr(accounts, "provision_account", second_portal_account)
        with TestClient(
            app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {admin.token}"}
        ) as raw:
            dup = raw.post(
                "/api/users",
                json={
                    "username": "dup-portal",
                    "display_name": "Dup",
                    "role": "tier1_agent",
                    "password": "a long enough passphrase",
                },
            )
            assert dup.status_code == 500
        # The command line too: seeding audits members, verify and retention report.
        monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
        monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
        get_settings.cache_clear()
        runner = CliRunner()
        assert runner.invoke(cli, ["seed", "--members", "40", "--seed", "9"]).exit_code == 0
        assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
        assert runner.invoke(cli, ["retention", "run", "--dry-run"]).exit_code == 0
    finally:
        get_settings.cache_clear()
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    captured = capfd.readouterr()
    logged = "\n".join([r.getMessage() for r in caplog.records] + [caplog.text, captured.err])
    assert "POST /api/members/search" in logged and "INSERT INTO audit_log" in logged
    assert "Exception" in logged or "Traceback" in logged or "IntegrityError" in logged
    found = [p for p in phi if p.lower() in logged.lower()]
    assert found == []
