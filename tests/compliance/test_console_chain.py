"""The chain page on both databases: "Verify the chain" queues a run that a background task walks
after the answer is sent, its progress and verdict kept in the database (so any server shows
them), one run at a time, a run whose server died shown as stopped; the checkpoints and the
anchor's age in words."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit, chainrun
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role, VerifyRunState
from memberdesk.compliance.models import AuditEntry, AuditVerifyRun
from memberdesk.compliance.verify import ANCHOR_FILE, verify_chain
from memberdesk.db import read_only_connection


def _own_var(app, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """This test's own var/ (the anchor file), so no other test's anchor is read."""
    app.state.settings = app.state.settings.model_copy(update={"var_dir": tmp_path})
    return tmp_path


def _runs(db: Session) -> list[AuditVerifyRun]:
    db.expire_all()
    return list(db.scalars(select(AuditVerifyRun).order_by(AuditVerifyRun.id)))


def test_verify_runs_in_the_background_and_the_page_shows_the_verdict(
    app, login, db: Session, tmp_path: Path
) -> None:
    _own_var(app, tmp_path)
    officer = login(Role.COMPLIANCE_OFFICER)
    before = officer.client.get("/compliance/chain")
    assert "No verification was started from this console yet" in before.text
    assert "None exported yet" in before.text

    asked = officer.client.post("/compliance/chain/verify", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/compliance/chain")
    # The test client returns once the response's background task has run: the walk is done.
    [run] = _runs(db)
    assert run.state == VerifyRunState.PASSED and run.active is None
    assert run.requested_by == officer.user.username and run.checked > 0
    page = officer.client.get(asked.headers["location"]).text
    assert "Verification started" in page
    assert "The chain is intact" in page and f"all {run.checked:,} entries" in page
    assert 'hx-trigger="every 1s"' not in page  # nothing left to poll
    assert f"Intact: {run.checked:,} entries checked" in page  # the last verification
    trail = db.scalars(
        select(AuditEntry.action).where(AuditEntry.actor == officer.user.username)
    ).all()
    assert AuditAction.AUDIT_VERIFY_STARTED.value in trail
    assert AuditAction.AUDIT_VERIFIED.value in trail


def test_a_broken_anchor_fails_the_run_and_names_the_first_bad_entry(
    app, login, db: Session, tmp_path: Path
) -> None:
    var = _own_var(app, tmp_path)
    cp = audit.checkpoint_now(db)
    db.flush()
    assert cp is not None
    # An anchor naming a checkpoint the database does not hold: checkpoints were cut off.
    (var / ANCHOR_FILE).write_text(
        json.dumps({"checkpoint": 7, "last_entry_id": 10_000_000, "signature": "0" * 64})
    )
    officer = login(Role.COMPLIANCE_OFFICER)
    page = officer.client.post("/compliance/chain/verify").text
    assert "The chain did not verify" in page and "the first bad entry is number" in page
    assert "tell your security officer" in page
    # Checkpoints and the anchor in words.
    assert f"the newest, number {cp.id}, covers entries up to {cp.last_entry_id:,}" in page
    assert "Checkpoint 7 (entries up to 10,000,000), exported" in page
    assert "under a minute old" in page
    [run] = _runs(db)
    assert run.state == VerifyRunState.FAILED and run.first_bad is not None


def test_one_run_at_a_time_and_a_dead_servers_run_is_stopped(
    app, login, db: Session, tmp_path: Path
) -> None:
    _own_var(app, tmp_path)
    officer = login(Role.COMPLIANCE_OFFICER)
    ctx = AuditContext(officer.user.id, officer.user.username, officer.user.role.value)
    # Queued on "another server", which never walks it.
    queued, started = chainrun.start(db, ctx)
    assert started
    again = officer.client.post("/compliance/chain/verify", follow_redirects=False)
    assert again.headers["location"].startswith("/compliance/chain?running=1")
    assert len(_runs(db)) == 1
    page = officer.client.get("/compliance/chain").text
    assert "Waiting to start" in page and "0 of" in page
    assert 'hx-get="/compliance/chain/progress" hx-trigger="every 1s"' in page
    assert "disabled" in page  # the button waits for the run
    fragment = officer.client.get("/compliance/chain/progress").text
    assert fragment.lstrip().startswith('<div id="run-status"')
    assert "<html" not in fragment

    later = now() + chainrun.STALE_AFTER + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        assert "Stopped before it finished" in officer.client.get("/compliance/chain").text
        fresh = officer.client.post("/compliance/chain/verify", follow_redirects=False)
    assert "started=1" in fresh.headers["location"]
    first, second = _runs(db)
    assert first.id == queued.id and first.state == VerifyRunState.STOPPED
    assert second.state == VerifyRunState.PASSED
    # A run already claimed is never walked twice.
    assert not chainrun.carry_out(app.state.sessions.write, app.state.engine, tmp_path, second.id)


def test_the_walk_reports_its_progress(engine) -> None:  # type: ignore[no-untyped-def]
    heard: list[int] = []
    with read_only_connection(engine) as conn:
        total = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        result = verify_chain(conn, None, batch=100, progress=heard.append)
    assert result.ok
    assert heard == list(range(100, total + 1, 100))
