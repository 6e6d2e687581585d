"""Importing answers taken elsewhere: all or nothing, every problem named by line and column,
never by its value."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app as cli
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.config import get_settings
from memberdesk.surveys.enums import AnswerSource, InvitationState
from memberdesk.surveys.imports import HEADER, HeaderError, import_answers, parse_answers
from memberdesk.surveys.models import SurveyAnswer
from tests.surveys.helpers import audited, complete_contact, invitation_of, surveyed_member

HEAD = ",".join(HEADER) + "\n"


def _import(db: Session, body: str):  # type: ignore[no-untyped-def]
    return import_answers(db, SYSTEM, list(parse_answers(io.StringIO(HEAD + body))), at=now())


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SurveyAnswer)) or 0


@pytest.fixture
def two_contacts(app, login, db: Session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    agent = login(Role.TIER1_AGENT)
    a = complete_contact(agent.client, surveyed_member(db).id)["id"]
    b = complete_contact(agent.client, surveyed_member(db, language="es").id, channel="chat")["id"]
    return a, b


def test_a_good_file_is_stored_and_spends_the_contacts_links(db: Session, two_contacts) -> None:  # type: ignore[no-untyped-def]
    a, b = two_contacts
    when = (now() - timedelta(minutes=1)).isoformat()
    result = _import(
        db,
        f'{a},{when},5,10,always,always,Great\n{b},{when},2,3,sometimes,,"Slow, but fine"\n',
    )
    assert result.errors == [] and result.stored == 2
    rows = {r.contact_id: r for r in db.scalars(select(SurveyAnswer))}
    assert rows[a].source is AnswerSource.IMPORT and rows[a].csat == 5 and rows[a].language == "en"
    assert rows[b].cahps_courtesy is None and rows[b].comment == "Slow, but fine"
    assert rows[b].language == "es" and rows[b].channel == "chat"
    inv = invitation_of(db, a)
    assert inv is not None and inv.state is InvitationState.ANSWERED and inv.token is None
    (entry,) = audited(db, AuditAction.SURVEY_ANSWERS_IMPORTED)
    assert entry.detail == {"answers": 2}


def test_one_bad_line_and_nothing_is_stored(db: Session, two_contacts) -> None:  # type: ignore[no-untyped-def]
    a, b = two_contacts
    when = (now() - timedelta(minutes=1)).isoformat()
    result = _import(
        db,
        f"{a},{when},5,10,always,always,Fine\n"
        f"{b},{when},6,11,often,,\n"
        f"{a},{when},4,9,,,Twice\n"
        f"999999,{when},4,9,,,\n"
        f"{b},2026-11-02 09:00,4,9,,,\n"
        f"{b},{(now() + timedelta(days=2)).isoformat()},4,9,,,\n"
        "only,three,columns\n",
    )
    assert result.stored == 0 and _count(db) == 0
    assert [str(e) for e in result.errors] == [
        "line 3, csat: must be a whole number from 1 to 5",
        "line 3, nps: must be a whole number from 0 to 10",
        "line 3, cahps_help: must be empty or one of never, sometimes, usually, always",
        "line 4, contact_id: answers the same contact as line 2",
        "line 5, contact_id: no contact with a member has this id",
        "line 6, answered_at: needs a UTC offset (e.g. -08:00 or Z)",
        "line 7, answered_at: is in the future",
        "line 8, line: must have 7 columns",
    ]
    assert invitation_of(db, a).state is InvitationState.PENDING  # type: ignore[union-attr]


def test_answered_twice_across_imports_is_refused(db: Session, two_contacts) -> None:  # type: ignore[no-untyped-def]
    a, _ = two_contacts
    when = (now() - timedelta(minutes=1)).isoformat()
    assert _import(db, f"{a},{when},5,10,,,\n").stored == 1
    again = _import(db, f"{a},{when},1,0,,,\n")
    assert [str(e) for e in again.errors] == [
        "line 2, contact_id: this contact's survey was answered already"
    ]
    assert _count(db) == 1


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(HeaderError, match="contact_id,answered_at,csat"):
        list(parse_answers(io.StringIO("id,score\n1,5\n")))


def test_the_command_exits_2_names_lines_and_never_echoes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> None:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(cli, ["seed", "--members", "20", "--seed", "3"]).exit_code == 0
        engine = create_engine(f"sqlite:///{db}")
        stamp = (now() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO contacts (member_id, channel, direction, started_at, ended_at, "
                    "resolved, interpreter_used, created_at, updated_at) "
                    "VALUES (1, 'phone', 'inbound', :t, :t, 1, 0, :t, :t)"
                ),
                {"t": stamp},
            )
        good = tmp_path / "good.csv"
        bad = tmp_path / "bad.csv"
        when = (now() - timedelta(minutes=5)).isoformat()
        bad.write_text(HEAD + f"1,{when},5,9,,,ok\n1,{when},9,9,,,Private words\n")
        out = runner.invoke(cli, ["surveys", "import", "--csv", str(bad)])
        assert out.exit_code == 2
        assert "line 3, csat: must be a whole number from 1 to 5" in out.output
        assert "nothing was imported" in out.output and "Private words" not in out.output
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM survey_answers")).scalar() == 0
        good.write_text(HEAD + f"1,{when},5,9,usually,always,ok\n")
        done = runner.invoke(cli, ["surveys", "import", "--csv", str(good)])
        assert done.exit_code == 0, done.output
        assert "imported 1 survey answer(s)" in done.output
        missing = runner.invoke(cli, ["surveys", "import", "--csv", str(tmp_path / "no.csv")])
        assert missing.exit_code == 2 and "no such file" in missing.output
        sent = runner.invoke(cli, ["surveys", "send"])
        assert sent.exit_code == 0 and "through outbox" in sent.output
        empty = runner.invoke(cli, ["surveys", "outbox"])
        assert empty.exit_code == 0 and "the outbox is empty" in empty.output
        engine.dispose()
    finally:
        get_settings.cache_clear()
