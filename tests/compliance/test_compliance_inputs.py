"""Compliance routes and commands: bounded ids and dates, errors that never repeat the value
sent, and an audit search with validated filters and keyset paging."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app as cli
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.config import get_settings
from tests import factories as f

TOO_BIG = "9223372036854775808"  # 2^63
WINDOW = {"start": "2020-01-01", "end": "2199-12-31"}


def loc(response) -> list[str]:  # type: ignore[no-untyped-def]
    return response.json()["detail"][0]["loc"]


def test_ids_beyond_64_bits_are_422_not_500(login) -> None:
    officer = login(Role.COMPLIANCE_OFFICER).client
    cases = [
        ("POST", f"/api/compliance/legal-holds/{TOO_BIG}/release", None, ["path", "hold_id"]),
        (
            "POST",
            "/api/compliance/legal-holds",
            {"matter": "m", "member_id": int(TOO_BIG)},
            ["body", "member_id"],
        ),
        ("GET", f"/api/compliance/audit?actor_id={TOO_BIG}", None, ["query", "actor_id"]),
        (
            "GET",
            f"/api/compliance/access/member/{TOO_BIG}?start=2026-01-01&end=2026-01-02",
            None,
            ["path", "member_id"],
        ),
        (
            "GET",
            f"/api/compliance/access/user/{TOO_BIG}?start=2026-01-01&end=2026-01-02",
            None,
            ["path", "user_id"],
        ),
    ]
    for method, url, body, where in cases:
        response = officer.request(method, url, json=body)
        assert response.status_code == 422, (url, response.text)
        assert loc(response) == where, url


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "2026-01-01", "start"),
        ("2026-01-01", "9999-12-31", "end"),
        ("20260101", "2026-02-01", "start"),
    ],
)
def test_report_dates_out_of_range_name_the_field(
    login, db: Session, start: str, end: str, field: str
) -> None:
    m = f.member(db)
    officer = login(Role.COMPLIANCE_OFFICER).client
    response = officer.get(
        f"/api/compliance/access/member/{m.id}", params={"start": start, "end": end}
    )
    assert response.status_code == 422 and loc(response) == ["query", field]
    assert start not in response.text and end not in response.text


def test_errors_never_repeat_the_value_sent(login) -> None:
    admin = login(Role.ADMIN).client
    injected = "x' OR '1'='1"
    missing = admin.patch(f"/api/users/{injected}", json={"disabled": True})
    assert missing.status_code == 404 and injected not in missing.text and "OR" not in missing.text
    officer = login(Role.COMPLIANCE_OFFICER).client
    hold = officer.post(
        "/api/compliance/legal-holds", json={"matter": "m", "record_type": "../../etc"}
    )
    assert hold.status_code == 422 and "etc" not in hold.text
    assert "member, life_event" in hold.json()["detail"][0]["msg"]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'ops.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    assert CliRunner().invoke(cli, ["seed", "--members", "5", "--seed", "2"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_cli_access_report_out_of_range_is_one_line(cli_env: Path) -> None:
    runner = CliRunner()
    for args, option in [
        (["--start", "2026-01-01", "--end", "9999-12-31"], "--end"),
        (["--start", "0001-01-01", "--end", "2026-01-01"], "--start"),
    ]:
        result = runner.invoke(cli, ["audit", "access", "--member-id", "1", *args])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {option}:"), result.output
        assert "Traceback" not in result.output and "9999" not in result.output
    big = runner.invoke(
        cli,
        ["audit", "access", "--member-id", TOO_BIG, "--start", "2026-01-01", "--end", "2026-01-02"],
    )
    assert big.exit_code == 2 and "Traceback" not in big.output
    nobody = runner.invoke(
        cli,
        [
            "audit",
            "access",
            "--user",
            "x' OR '1'='1",
            "--start",
            "2026-01-01",
            "--end",
            "2026-01-02",
        ],
    )
    assert nobody.exit_code == 2 and "OR '1'" not in nobody.output


# --- audit search (issue 9.9) ----------------------------------------------------------------


def test_unknown_action_is_422_listing_the_valid_ones(login) -> None:
    officer = login(Role.COMPLIANCE_OFFICER).client
    response = officer.get("/api/compliance/audit", params={"action": "member.teleport"})
    assert response.status_code == 422 and loc(response) == ["query", "action"]
    msg = response.json()["detail"][0]["msg"]
    assert "member.read" in msg and "auth.login" in msg and "teleport" not in msg


def test_audit_search_filters_combine_and_page_by_keyset(login, db: Session) -> None:
    m, other = f.member(db), f.member(db)
    agent = login(Role.TIER1_AGENT)
    for _ in range(3):
        assert agent.client.get(f"/api/members/{m.id}").status_code == 200
    agent.client.get(f"/api/members/{other.id}")
    officer = login(Role.COMPLIANCE_OFFICER).client

    def search(**params: object) -> dict:  # type: ignore[type-arg]
        response = officer.get("/api/compliance/audit", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    reads = search(member_id=m.id, action="member.read", username=agent.user.username, **WINDOW)
    assert len(reads["items"]) == 3 and reads["next_before_id"] is None
    assert all(e["actor"] == agent.user.username for e in reads["items"])
    ids = [e["id"] for e in reads["items"]]
    assert ids == sorted(ids, reverse=True)
    page1 = search(member_id=m.id, action="member.read", limit=2)
    assert [e["id"] for e in page1["items"]] == ids[:2] and page1["next_before_id"] == ids[1]
    page2 = search(member_id=m.id, action="member.read", limit=2, before_id=page1["next_before_id"])
    assert [e["id"] for e in page2["items"]] == ids[2:] and page2["next_before_id"] is None
    assert search(actor_id=agent.user.id, object_type="member", object_id=str(other.id))["items"]
    assert search(action="member.read", start="2199-12-30")["items"] == []
    assert search(username="nobody-like-this")["items"] == []
    backwards = officer.get(
        "/api/compliance/audit", params={"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert backwards.status_code == 422 and loc(backwards) == ["query", "end"]
    lonely = officer.get("/api/compliance/audit", params={"object_id": "5"})
    assert lonely.status_code == 422 and loc(lonely) == ["query", "object_id"]
    # Searching is itself audited, with which filters were used (not their values).
    audit.seal_all(db)
    from sqlalchemy import select

    from memberdesk.compliance.models import AuditEntry

    last = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == AuditAction.ACCESS_REPORT)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert last is not None and last.detail is not None and "filters" in last.detail


def test_search_service_pages_through_many_entries(db: Session) -> None:
    from memberdesk.compliance import reports

    ctx = AuditContext(actor_id=424242, actor="pager", role="tier1_agent")
    audit.record_many(
        db, ctx, [audit.Event(AuditAction.MEMBER_READ, "member", i) for i in range(25)]
    )
    seen: list[int] = []
    before = None
    while True:
        rows = reports.search_audit(db, reports.AuditFilter(actor_id=424242), 10, before)
        seen += [r.id for r in rows[:10]]
        if len(rows) <= 10:
            break
        before = rows[9].id
    assert len(seen) == 25 == len(set(seen)) and seen == sorted(seen, reverse=True)
