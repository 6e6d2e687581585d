"""``memberdesk contacts fcr`` and ``memberdesk callbacks due`` against a real SQLite file:
the numbers the API gives, no PHI beyond ids, bad options named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.config import get_settings
from memberdesk.contacts import callbacks, service
from memberdesk.contacts.schemas import ContactIn
from memberdesk.members.models import Member

runner = CliRunner()
T0 = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # Monday 09:00 Pacific


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[Path]:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    result = runner.invoke(app, ["seed", "--members", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    yield db
    get_settings.cache_clear()


def _call(s: Session, member_id: int, at: datetime, reason: str) -> None:
    body = ContactIn.model_validate(
        {
            "member_id": member_id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": [reason],
            "started_at": at.isoformat(),
            "resolved": True,
        }
    )
    service.log_contact(s, body, agent_id=None, member=s.get(Member, member_id))


def test_fcr_from_the_command_line(env: Path) -> None:
    engine = create_engine(f"sqlite:///{env}")
    with Session(engine) as s:
        a, b = s.scalars(select(Member.id).limit(2)).all()
        _call(s, a, T0, "billing")
        _call(s, a, T0 + timedelta(days=5), "billing")  # a repeat: the first is not resolved
        _call(s, b, T0, "claims")
        s.commit()
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        result = runner.invoke(
            app,
            [
                "contacts",
                "fcr",
                "--start",
                "2026-11-02T00:00-08:00",
                "--end",
                "2026-11-03T00:00-08:00",
                "--json",
            ],
        )
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert (got["contacts"], got["resolved"], got["not_resolved"], got["pending"]) == (2, 1, 1, 0)
    assert got["rate"] == 0.5 and got["window_days"] == 7
    text = runner.invoke(
        app, ["contacts", "fcr", "--start", "2026-11-02T00:00Z", "--end", "2026-11-03T00:00Z"]
    )
    assert text.exit_code == 0 and "rate" in text.output


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--start", "2026-11-02T00:00", "--end", "2026-11-03T00:00Z"], "--start"),
        (["--start", "2026-11-02T00:00Z", "--end", "soon"], "--end"),
        (["--start", "2026-11-03T00:00Z", "--end", "2026-11-02T00:00Z"], "--end"),
    ],
)
def test_fcr_bad_options_are_named(env: Path, args: list[str], named: str) -> None:
    result = runner.invoke(app, ["contacts", "fcr", *args])
    assert result.exit_code == 2
    assert f"error: {named}:" in result.output


def test_callbacks_due_today_shows_ids_only(env: Path) -> None:
    engine = create_engine(f"sqlite:///{env}")
    with time_machine.travel("2026-11-25T03:00:00Z", tick=False):  # Tuesday 19:00 Pacific
        with Session(engine) as s:
            member = s.scalars(select(Member).limit(1)).one()
            today = callbacks.record_voicemail(
                s,
                member=member,
                phone="4155550177",
                received_at=datetime(2026, 11, 24, 17, 0, tzinfo=UTC),  # Tuesday 09:00
                created_by_id=None,
            )
            callbacks.record_voicemail(  # Tuesday 18:00, after close: due Wednesday
                s,
                member=None,
                phone="4155550178",
                received_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
                created_by_id=None,
            )
            s.commit()
            today_id, member_id = today.id, member.id
        result = runner.invoke(app, ["callbacks", "due", "--json"])
        text = runner.invoke(app, ["callbacks", "due"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)["callbacks"]
    assert [c["id"] for c in got] == [today_id]
    assert got[0]["member_id"] == member_id and got[0]["attempts"] == 0
    assert set(got[0]) == {"id", "due_at", "attempts", "member_id"}
    assert "0177" not in result.output and "0177" not in text.output
    assert text.exit_code == 0 and str(today_id) in text.output
