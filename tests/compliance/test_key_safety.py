"""Keys and the database file on disk: private modes, and a rotation audited before its key
becomes active (issue 8.14)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from memberdesk.compliance.crypto import (
    KEYRING_FILE,
    KeyRing,
    load_and_install,
    load_or_create_keyring,
    secure_sqlite_file,
    write_keyring,
)
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import AuditEntry
from memberdesk.compliance.rotation import rotate
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.migrate import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_var_dir_and_sqlite_file_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEMBERDESK_KEYRING", raising=False)
    os.umask(0o022)  # the usual umask: files 0644 and directories 0755 unless told otherwise
    var = tmp_path / "fresh" / "var"
    load_or_create_keyring(var)
    assert mode(var) == 0o700 and mode(var / KEYRING_FILE) == 0o600
    db_file = tmp_path / "other" / "memberdesk.db"
    secure_sqlite_file(db_file)
    assert mode(db_file.parent) == 0o700 and mode(db_file) == 0o600
    # SQLite then uses the file as it is, and its WAL file takes the same mode.
    settings = Settings(database_url=f"sqlite:///{db_file}", var_dir=var)
    engine = make_engine(settings)
    upgrade(engine)
    engine.dispose()
    assert mode(db_file) == 0o600
    for extra in db_file.parent.glob("memberdesk.db-*"):
        assert mode(extra) & 0o077 == 0, extra
    # A database an earlier version created 0644 is narrowed.
    old = tmp_path / "old.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    secure_sqlite_file(old)
    assert mode(old) == 0o600


@pytest.fixture
def own_keys(tmp_path: Path, var_dir: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A key ring of this test's own, installed; the run's key ring is put back afterwards."""
    monkeypatch.delenv("MEMBERDESK_KEYRING", raising=False)
    var = tmp_path / "var"
    write_keyring(var / KEYRING_FILE, KeyRing.generate())
    load_and_install(var)
    try:
        yield var
    finally:
        load_and_install(var_dir)


def test_a_rotation_killed_midway_left_its_start_in_the_audit_log(
    tmp_path: Path, own_keys: Path
) -> None:
    var = own_keys
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", var_dir=var))
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    from memberdesk.members.seed import run_seed

    run_seed(sessions, members=5, seed=3)

    def killed(_table: str, _rows: int) -> None:
        raise KeyboardInterrupt  # the operator's Ctrl-C, or a kill, mid-way

    with pytest.raises(KeyboardInterrupt):
        rotate(var, sessions, batch=2, progress=killed)
    assert json.loads((var / KEYRING_FILE).read_text())["active_key_id"] == "k2"
    with sessions() as session:
        done = list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action.in_(
                        [AuditAction.KEYS_ROTATION_STARTED, AuditAction.KEYS_ROTATED]
                    )
                )
            )
        )
    assert [(e.action, e.object_id) for e in done] == [("compliance.keys_rotation_started", "k2")]
    assert done[0].detail == {"previous_key_id": "k1", "new_key_id": "k2"}
    # Finishing it records the end.
    result = rotate(var, sessions, batch=50)
    with sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "compliance.keys_rotated"
    assert last.object_id == result.new_key_id == "k3"
    engine.dispose()
