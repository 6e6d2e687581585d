"""``memberdesk cases show`` and ``memberdesk queues list`` against a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from memberdesk.cases import service
from memberdesk.cases.enums import CaseType, Priority
from memberdesk.cli import app
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings, get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.models import Member

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[Settings]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", url)
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    result = runner.invoke(app, ["seed", "--members", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    yield Settings(database_url=url, var_dir=var_dir)
    get_settings.cache_clear()


def test_show_a_case_and_list_the_queues(env: Settings) -> None:
    engine = make_engine(env)
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        member_id = s.scalars(select(Member.id).where(Member.spoken_language == "en")).first()
        assert member_id is not None
        case = service.create_case(
            s,
            SYSTEM,
            member_id=member_id,
            case_type=CaseType.BILLING,
            summary="Premium taken twice in October",
            priority=Priority.HIGH,
            contact_id=None,
            at=now(),
        )
        s.commit()
        case_id = case.id
    shown = runner.invoke(app, ["cases", "show", str(case_id), "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["id"] == case_id and data["tier"] == 1 and data["priority"] == "high"
    assert {c["target"] for c in data["clocks"]} == {"tier1_handoff", "claim_research"}
    text = runner.invoke(app, ["cases", "show", str(case_id)])
    assert "clock tier1_handoff: running" in text.output and "[ ] verify_identity" in text.output
    missing = runner.invoke(app, ["cases", "show", "999999"])
    assert missing.exit_code == 2 and "no case with this id" in missing.output
    listed = runner.invoke(app, ["queues", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    queues = {q["name"]: q for q in json.loads(listed.output)["queues"]}
    assert queues["Tier 1 General"]["waiting"] == 1
    assert len(queues) == 5
    assert (
        "Premium" not in listed.output
        and "Premium" not in runner.invoke(app, ["queues", "list"]).output
    )
    with sessions() as s:
        audit.seal_all(s)
        s.commit()
        reads = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "case.read", AuditEntry.object_id == str(case_id))
        )
    assert reads == 2  # each `cases show` is audited
    engine.dispose()
