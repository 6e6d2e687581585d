"""The tamper-evident audit log (Civil Code 56.101, 45 CFR 164.312(b)), as a compliance officer
checks it: an intact chain verifies; the database refuses to change or remove audit rows; and
whatever someone with owner rights does behind the triggers' back (edit, delete, insert,
reorder, cut off the tail or the checkpoints) is found, with the FIRST bad entry named, by
``verify_chain`` and by ``memberdesk audit verify``.

Every test gets its own committed database (tampering needs committed rows and dropped or
disabled triggers, which the rolled-back ``db`` fixture cannot give) and its own var/ holding a
copy of the session's key ring, so the anchor files written here never reach other tests.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext, Event, checkpoint_now, entry_hash
from memberdesk.compliance.crypto import KEYRING_FILE, load_and_install
from memberdesk.compliance.enums import AuditAction, PurposeOfUse
from memberdesk.compliance.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditMemberAccess,
)
from memberdesk.compliance.verify import (
    ANCHOR_FILE,
    VerifyResult,
    read_anchor,
    verify_chain,
    write_anchor,
)
from memberdesk.config import Settings, get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from tests.dbutil import BACKENDS, fresh_database

APPEND_ONLY = ("audit_log", "audit_member_access", "audit_checkpoints")
LOG = cast(Table, AuditEntry.__table__)
COLUMNS = list(LOG.columns)
runner = CliRunner()

AGENT = AuditContext(
    actor_id=7,
    actor="tier1-alex",
    role="tier1_agent",
    purpose=PurposeOfUse.TREATMENT.value,
    request_id="req-0001",
    client_addr="10.0.0.7",
)


@dataclass
class AuditDb:
    """One committed, migrated database of a backend, with its own var/."""

    backend: str
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    var_dir: Path


@pytest.fixture(params=BACKENDS)
def adb(request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path) -> Iterator[AuditDb]:
    """A fresh database per test; the key ring is the session's (copied, same keys)."""
    own_var = tmp_path / "var"
    own_var.mkdir()
    if (var_dir / KEYRING_FILE).exists():
        shutil.copy2(var_dir / KEYRING_FILE, own_var / KEYRING_FILE)
    load_and_install(own_var)
    try:
        with fresh_database(request.param, own_var, tmp_path) as settings:
            engine = make_engine(settings)
            try:
                yield AuditDb(request.param, settings, engine, make_sessionmaker(engine), own_var)
            finally:
                engine.dispose()
    finally:
        load_and_install(var_dir)  # the ring other tests expect, following the session file


@pytest.fixture
def cli_env(adb: AuditDb, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``memberdesk`` commands run against the test's database and var/."""
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", adb.settings.database_url)
    if adb.settings.database_schema:
        monkeypatch.setenv("MEMBERDESK_DATABASE_SCHEMA", adb.settings.database_schema)
    else:
        monkeypatch.delenv("MEMBERDESK_DATABASE_SCHEMA", raising=False)
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(adb.var_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- building and reading the chain ----------------------------------------------------------


def append(adb: AuditDb, n: int, *, with_members: bool = False) -> None:
    """``n`` realistic entries (varied actions, detail, encrypted changes), committed."""
    actions = [AuditAction.MEMBER_READ, AuditAction.MEMBER_SEARCH, AuditAction.MEMBER_UPDATED]
    with adb.sessions() as session:
        start = session.scalar(select(AuditHead.last_id)) or 0
        events = []
        for i in range(start + 1, start + n + 1):
            action = actions[i % 3]
            events.append(
                Event(
                    action,
                    object_type="member",
                    object_id=1000 + i,
                    member_ids=[1000 + i] if with_members else (),
                    detail={"results": i % 7, "query_hash": f"{i:064x}"}
                    if action is AuditAction.MEMBER_SEARCH
                    else None,
                    changes={"old": {"phone": "555-0100"}, "new": {"phone": f"555-{i:04d}"}}
                    if action is AuditAction.MEMBER_UPDATED
                    else None,
                )
            )
        audit.record_many(session, AGENT, events)
        session.commit()


def rows(conn: Connection, lo: int = 1, hi: int = 10**9) -> list[dict[str, Any]]:
    """Audit entries with lo <= id <= hi, in chain order."""
    stmt = select(*COLUMNS).where(LOG.c.id.between(lo, hi)).order_by(LOG.c.id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def entry_count(adb: AuditDb) -> int:
    with adb.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(LOG)) or 0


def checkpoint_and_anchor(adb: AuditDb) -> AuditCheckpoint:
    """What ``memberdesk audit checkpoint`` does from cron: sign the tip, export it."""
    with adb.sessions() as session:
        cp = checkpoint_now(session)
        session.commit()
    assert cp is not None
    write_anchor(adb.var_dir, cp)
    return cp


def verify(adb: AuditDb) -> VerifyResult:
    with adb.engine.connect() as conn:
        return verify_chain(conn, read_anchor(adb.var_dir))


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def assert_broken(adb: AuditDb, first_bad: int, *phrases: str) -> VerifyResult:
    """verify_chain and ``memberdesk audit verify`` both name ``first_bad`` and say why."""
    result = verify(adb)
    assert not result.ok
    assert result.first_bad == first_bad, result.problem
    assert result.problem is not None
    for phrase in phrases:
        assert re.search(phrase, result.problem), (phrase, result.problem)
    assert result.as_dict()["first_bad_entry"] == first_bad

    # The command line, as its documented contract states it (its own run is audited, at the
    # end of the chain, so the first bad entry does not move).
    out = cli("audit", "verify")
    assert out.exit_code == 1, out.output
    assert f"audit chain BROKEN at entry {first_bad}: " in out.output
    for phrase in phrases:
        assert re.search(phrase, out.output), (phrase, out.output)
    return result


# --- the attacker: owner rights, triggers out of the way ---------------------------------------


@contextmanager
def owner_tampering(adb: AuditDb, *, how: str = "disable") -> Iterator[Connection]:
    """A connection, outside the app, on which the append-only triggers do not fire.

    SQLite: the owner of the file drops the triggers. PostgreSQL: the table owner disables
    them (``ALTER TABLE ... DISABLE TRIGGER USER``, re-enabled afterwards to cover the tracks)
    or a superuser sets ``session_replication_role = replica``.
    """
    with adb.engine.begin() as conn:
        if adb.backend == "sqlite":
            names = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('audit_log', 'audit_member_access', 'audit_checkpoints')"
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            yield conn
        elif how == "replica":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            yield conn
        else:
            for table in APPEND_ONLY:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield conn
            for table in APPEND_ONLY:
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def rewrite(conn: Connection, entry: dict[str, Any]) -> None:
    """Overwrite every column of the entry with this id."""
    values = {k: v for k, v in entry.items() if k != "id"}
    conn.execute(update(LOG).where(LOG.c.id == entry["id"]).values(**values))


def rehashed(entry: dict[str, Any], prev_hash: str | None = None) -> dict[str, Any]:
    """The entry with its SHA-256 recomputed (no key needed: anyone can do this)."""
    forged = dict(entry)
    if prev_hash is not None:
        forged["prev_hash"] = prev_hash
    forged["hash"] = entry_hash(forged)
    return forged


def set_tip(conn: Connection, last_id: int) -> None:
    """Point the chain tip at entry ``last_id``, as a careful attacker would."""
    last_hash = conn.scalar(select(LOG.c.hash).where(LOG.c.id == last_id))
    conn.execute(update(AuditHead).values(last_id=last_id, last_hash=last_hash))


def renumber(conn: Connection, ids: list[int], delta: int) -> None:
    """Move entries to id + delta one at a time (the primary key never collides)."""
    for i in ids:
        conn.execute(update(LOG).where(LOG.c.id == i).values(id=i + delta))


# --- an intact chain ---------------------------------------------------------------------------


@pytest.mark.usefixtures("cli_env")
def test_intact_chain_verifies_and_creating_members_is_audited(adb: AuditDb) -> None:
    seeded = run_seed(adb.sessions, members=60, seed=3)
    append(adb, 1_100)  # crosses CHECKPOINT_EVERY: one signed checkpoint is written
    with adb.sessions() as session:
        members = session.scalar(select(func.count()).select_from(Member))
        created = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.MEMBER_CREATED.value)
        ).all()
        touched = session.scalars(select(AuditMemberAccess.member_id)).all()
        cps = session.scalars(select(AuditCheckpoint)).all()
    assert members == seeded.members == len(created) == 60
    assert sorted(touched) == sorted(int(e.object_id or 0) for e in created)
    # What changed is kept, encrypted, for compliance officers: never plain in the row.
    new_values = audit.decrypt_changes(created[0].changes)
    assert new_values is not None and new_values["new"]["member_number"]
    assert new_values["new"]["last_name"].encode() not in (created[0].changes or b"")
    total = 60 + 1_100
    assert [cp.last_entry_id for cp in cps] == [1_000]

    result = verify(adb)
    assert result.ok and result.first_bad is None and result.problem is None
    assert (result.entries, result.checkpoints) == (total, 1)

    out = cli("audit", "verify")
    assert out.exit_code == 0, out.output
    assert f"audit chain intact: {total:,} entries, 1 signed checkpoints" in out.output
    # The verification itself is audited, on the same chain, which still verifies.
    with adb.sessions() as session:
        last = session.get(AuditEntry, total + 1)
    assert last is not None and last.action == AuditAction.AUDIT_VERIFIED.value
    assert last.detail == {**result.as_dict()}
    as_json = cli("audit", "verify", "--json")
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert report == {
        "ok": True,
        "entries": total + 1,
        "checkpoints": 1,
        "first_bad_entry": None,
        "problem": None,
    }


def test_entry_times_in_any_zone_verify(adb: AuditDb) -> None:
    """A caller-supplied time in another zone is stored and hashed as the same UTC instant."""
    pacific = datetime(2026, 3, 8, 1, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-8)))
    with adb.sessions() as session:
        audit.record(session, AGENT, AuditAction.MEMBER_READ, object_id=1, at=pacific)
        session.commit()
        entry = session.get(AuditEntry, 1)
    assert entry is not None and entry.at == pacific and entry.at.tzinfo == UTC
    assert verify(adb).ok
    with adb.sessions() as session, pytest.raises(ValueError, match="naive"):
        audit.record(session, AGENT, AuditAction.MEMBER_READ, at=datetime(2026, 1, 1))
    assert entry_count(adb) == 1


def test_a_writer_holding_an_old_tip_still_appends_after_the_others(adb: AuditDb) -> None:
    """The head row is re-read under its lock, never taken from the session's identity map."""
    append(adb, 3)
    worker = adb.sessions()
    try:
        kept = worker.get(AuditHead, 1)  # e.g. a status page showed the tip
        assert kept is not None and kept.last_id == 3
        worker.commit()  # expire_on_commit=False: the object keeps last_id == 3
        with adb.sessions() as other:
            assert audit.record(other, AGENT, AuditAction.MEMBER_READ) == 4
            other.commit()
        assert audit.record(worker, AGENT, AuditAction.MEMBER_READ) == 5
        worker.commit()
    finally:
        worker.close()
    result = verify(adb)
    assert result.ok and result.entries == 5


# --- the database refuses -----------------------------------------------------------------------


def _refusals(backend: str, table: str) -> list[tuple[str, str]]:
    """Statements that would change or remove audit rows, and why each must fail."""
    first = {"audit_log": 5, "audit_member_access": 1, "audit_checkpoints": 1}[table]
    copy = f"SELECT * FROM {table} WHERE id = {first}"
    refused = "append-only"
    statements = [
        (f"UPDATE {table} SET id = id WHERE id = {first}", refused),
        (f"DELETE FROM {table} WHERE id = {first}", refused),
        (f"DELETE FROM {table}", refused),
        # An upsert is an UPDATE in disguise.
        (f"INSERT INTO {table} {copy} ON CONFLICT (id) DO UPDATE SET id = {first}", refused),
    ]
    if backend == "sqlite":
        # REPLACE deletes the row it collides with without firing DELETE triggers.
        statements += [
            (f"INSERT OR REPLACE INTO {table} {copy}", refused),
            (f"REPLACE INTO {table} {copy}", refused),
        ]
    else:
        # Plain TRUNCATE of audit_log already fails on audit_member_access's foreign key.
        plain = "append-only|referenced in a foreign key" if table == "audit_log" else refused
        statements += [(f"TRUNCATE {table}", plain), (f"TRUNCATE {table} CASCADE", refused)]
    return statements


def test_the_database_refuses_to_change_or_remove_audit_rows(adb: AuditDb) -> None:
    append(adb, 1_000, with_members=True)  # entry 1000 gets signed checkpoint #1
    with adb.engine.connect() as conn:
        before = {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id").all() for t in APPEND_ONLY
        }
    assert all(before.values())
    for table in APPEND_ONLY:
        for sql, why in _refusals(adb.backend, table):
            with adb.engine.connect() as conn, pytest.raises(DBAPIError, match=why):
                conn.exec_driver_sql(sql)
    with adb.engine.connect() as conn:
        after = {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id").all() for t in APPEND_ONLY
        }
    assert after == before
    assert verify(adb).ok


# --- tampering ---------------------------------------------------------------------------------


K = 617  # the entry the attacker goes after (covered by signed checkpoint #1 at entry 1000)
N = 1_200


@pytest.mark.parametrize("column", ["actor", "at", "action", "purpose", "detail", "changes"])
@pytest.mark.usefixtures("cli_env")
def test_an_edited_field_is_found(adb: AuditDb, column: str) -> None:
    append(adb, N)
    with adb.engine.connect() as conn:
        (entry,) = rows(conn, K, K)
        (donor,) = rows(conn, K + 3, K + 3)  # another update: a valid ciphertext
    forged: dict[str, Any] = {
        "actor": "tier1-someone-else",
        "at": entry["at"] - timedelta(hours=3),
        "action": AuditAction.MEMBER_SEARCH.value,
        "purpose": PurposeOfUse.PAYMENT.value,
        "detail": {"results": 0},
        "changes": donor["changes"],
    }
    with owner_tampering(adb) as conn:
        conn.execute(update(LOG).where(LOG.c.id == K).values({column: forged[column]}))
    assert_broken(adb, K, f"entry {K} was altered after it was written")


@pytest.mark.parametrize("adb", ["sqlite"], indirect=True)  # PostgreSQL's types refuse these
@pytest.mark.parametrize(
    ("column", "stored", "why"),
    [
        ("detail", "'{not json'", "a stored value no longer decodes"),
        ("at", "'last tuesday'", "a stored value no longer decodes"),
        ("changes", "'plain text'", "altered after it was written"),
    ],
)
@pytest.mark.usefixtures("cli_env")
def test_a_stored_value_the_writer_never_writes_is_found(
    adb: AuditDb, column: str, stored: str, why: str
) -> None:
    """SQLite keeps whatever is written: a value that does not even decode still names K."""
    append(adb, N)
    with owner_tampering(adb) as conn:
        conn.exec_driver_sql(f"UPDATE audit_log SET {column} = {stored} WHERE id = {K}")
    assert_broken(adb, K, f"entry {K} was altered", why)


@pytest.mark.usefixtures("cli_env")
def test_an_edited_entry_whose_hash_was_recomputed_is_found(adb: AuditDb) -> None:
    """SHA-256 needs no key: the attacker recomputes the edited entry's hash. The next entry
    still names the original, so the edited one is named, not its successor."""
    append(adb, N)
    with owner_tampering(adb) as conn:
        (entry,) = rows(conn, K, K)
        rewrite(conn, rehashed({**entry, "actor": "tier1-someone-else"}))
    assert_broken(adb, K, f"entry {K} was altered or replaced and its hash recomputed")


@pytest.mark.usefixtures("cli_env")
def test_a_rewritten_and_rehashed_stretch_is_caught_by_the_signed_checkpoint(
    adb: AuditDb,
) -> None:
    """The whole chain from the edit on is recomputed and the tip moved: only the HMAC-signed
    checkpoint (which needs the audit key) tells, and every entry since the previous verified
    checkpoint is suspect."""
    append(adb, 2_300)  # checkpoints #1 at 1000 and #2 at 2000
    with owner_tampering(adb) as conn:
        chain = rows(conn, 1_500)
        prev = conn.scalar(select(LOG.c.hash).where(LOG.c.id == 1_499))
        for entry in chain:
            if entry["id"] == 1_500:
                entry = {**entry, "object_id": "999999"}
            forged = rehashed(entry, prev)
            rewrite(conn, forged)
            prev = forged["hash"]
        set_tip(conn, 2_300)
    assert_broken(
        adb,
        1_001,
        "entry 2000 differs from signed checkpoint #2",
        r"entries 1001\.\.2000 were rewritten",
    )


@pytest.mark.usefixtures("cli_env")
def test_a_deleted_entry_is_found(adb: AuditDb) -> None:
    append(adb, N)
    with owner_tampering(adb) as conn:
        conn.execute(delete(LOG).where(LOG.c.id == K))
    assert_broken(adb, K, f"entry {K} is missing")


@pytest.mark.usefixtures("cli_env")
def test_a_deleted_entry_with_the_ids_closed_up_is_found(adb: AuditDb) -> None:
    append(adb, N)
    with owner_tampering(adb, how="replica") as conn:
        conn.execute(delete(LOG).where(LOG.c.id == K))
        renumber(conn, list(range(K + 1, N + 1)), -1)
        set_tip(conn, N - 1)
    assert_broken(adb, K, f"entry {K} does not follow entry {K - 1}", "deleted")


@pytest.mark.usefixtures("cli_env")
def test_an_entry_inserted_by_shifting_the_ids_is_found(adb: AuditDb) -> None:
    """A forged entry, perfectly chained and hashed, slipped in at K; the rest moved up."""
    append(adb, N)
    with owner_tampering(adb) as conn:
        renumber(conn, list(range(N, K - 1, -1)), +1)
        (before,) = rows(conn, K - 1, K - 1)
        forged = rehashed(
            {**before, "id": K, "actor": "tier1-alibi", "object_id": "4242"}, before["hash"]
        )
        conn.execute(insert(LOG).values(**forged))
        set_tip(conn, N + 1)
    assert_broken(
        adb, K, f"entry {K} was inserted: entry {K + 1} was written right after entry {K - 1}"
    )


@pytest.mark.usefixtures("cli_env")
def test_an_entry_forged_before_the_first_is_found(adb: AuditDb) -> None:
    append(adb, 50)
    with owner_tampering(adb) as conn:
        (first,) = rows(conn, 1, 1)
        conn.execute(insert(LOG).values(**rehashed({**first, "id": 0, "actor": "tier1-alibi"})))
    assert_broken(adb, 0, "entry 0 precedes entry 1: it was inserted")


@pytest.mark.usefixtures("cli_env")
def test_the_last_entry_edited_and_rehashed_is_found_through_the_chain_tip(
    adb: AuditDb,
) -> None:
    """No successor names the last entry's hash; the writer's tip row still does."""
    append(adb, 50)
    with owner_tampering(adb) as conn:
        (last,) = rows(conn, 50, 50)
        rewrite(conn, rehashed({**last, "object_id": "4242"}))
    assert_broken(adb, 50, "entry 50 differs from the chain tip the writer recorded")


@pytest.mark.usefixtures("cli_env")
def test_an_entry_replaced_in_a_gap_is_found(adb: AuditDb) -> None:
    """Entry K deleted and a forged, correctly chained entry written in its place."""
    append(adb, N)
    with owner_tampering(adb) as conn:
        (entry,) = rows(conn, K, K)
        conn.execute(delete(LOG).where(LOG.c.id == K))
        forged = rehashed({**entry, "action": AuditAction.MEMBER_SEARCH.value, "detail": None})
        conn.execute(insert(LOG).values(**forged))
    assert_broken(adb, K, f"entry {K} was altered or replaced")


@pytest.mark.parametrize("gap", [1, 40])
@pytest.mark.usefixtures("cli_env")
def test_reordered_entries_are_found(adb: AuditDb, gap: int) -> None:
    """Two entries' contents swapped (hashes and links included), ids kept."""
    append(adb, N)
    a, b = K, K + gap
    with owner_tampering(adb) as conn:
        (ea,) = rows(conn, a, a)
        (eb,) = rows(conn, b, b)
        rewrite(conn, {**eb, "id": a})
        rewrite(conn, {**ea, "id": b})
    assert_broken(adb, a, f"entry {a} does not follow entry {a - 1}", "reordered")


@pytest.mark.usefixtures("cli_env")
def test_reordered_entries_with_recomputed_hashes_are_found(adb: AuditDb) -> None:
    """The payloads of K and K+5 swapped and both re-hashed into the chain at their places."""
    append(adb, N)
    a, b = K, K + 5
    payload = ("at", "actor_id", "actor", "role", "action", "object_type", "object_id", "detail")
    with owner_tampering(adb) as conn:
        (ea,) = rows(conn, a, a)
        (eb,) = rows(conn, b, b)
        rewrite(conn, rehashed({**ea, **{c: eb[c] for c in payload}}))
        rewrite(conn, rehashed({**eb, **{c: ea[c] for c in payload}}))
    assert_broken(adb, a, f"entry {a} was altered or replaced")


# --- cutting off the tail, and the checkpoints that would tell ---------------------------------


def _signed_log(adb: AuditDb) -> None:
    """2,500 entries: checkpoints #1 (1000) and #2 (2000) written on the way, #3 (2500) by
    the cron job, which also exports it to the anchor file."""
    append(adb, 2_500)
    cp = checkpoint_and_anchor(adb)
    assert (cp.id, cp.last_entry_id) == (3, 2_500)
    assert read_anchor(adb.var_dir) == {
        "checkpoint": 3,
        "last_entry_id": 2_500,
        "signature": cp.signature,
    }
    assert verify(adb).ok


@pytest.mark.parametrize("move_tip", [True, False])
@pytest.mark.usefixtures("cli_env")
def test_a_tail_cut_off_behind_a_signed_checkpoint_is_found(adb: AuditDb, move_tip: bool) -> None:
    _signed_log(adb)
    with owner_tampering(adb) as conn:
        conn.execute(delete(LOG).where(LOG.c.id > 1_500))
        if move_tip:
            set_tip(conn, 1_500)  # the writer's tip agrees with the shortened log
    assert_broken(
        adb,
        1_501,
        "the log ends at entry 1500 but signed checkpoint #2 covers entry 2000",
        "cut off",
    )


@pytest.mark.usefixtures("cli_env")
def test_a_tail_cut_off_behind_the_writer_s_tip_is_found(adb: AuditDb) -> None:
    """No checkpoint covers the tail (no cron run yet): the chain tip still tells."""
    append(adb, 900)
    with owner_tampering(adb) as conn:
        conn.execute(delete(LOG).where(LOG.c.id > 850))
    assert_broken(adb, 851, "the log ends at entry 850 but the chain tip says entry 900")


@pytest.mark.usefixtures("cli_env")
def test_a_tail_cut_off_with_its_checkpoints_is_found_through_the_anchor(adb: AuditDb) -> None:
    """Entries after 1500 and the checkpoints covering them (#2, #3) removed, the tip moved:
    the database alone is consistent again, but the anchor file remembers checkpoint #3."""
    _signed_log(adb)
    with owner_tampering(adb, how="replica") as conn:
        conn.execute(delete(LOG).where(LOG.c.id > 1_500))
        conn.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id > 1))
        set_tip(conn, 1_500)
    assert_broken(
        adb,
        1_501,
        "the log ends at entry 1500 but signed checkpoint #3 in the anchor file covers entry 2500",
        r"signed checkpoint #3 \(entry 2500\), exported to the anchor file, is missing",
    )


@pytest.mark.usefixtures("cli_env")
def test_checkpoints_cut_off_are_found_through_the_anchor(adb: AuditDb) -> None:
    """Only the signed checkpoints #2 and #3 removed: entries after #1 lose their signature."""
    _signed_log(adb)
    with owner_tampering(adb) as conn:
        conn.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id > 1))
    assert_broken(
        adb,
        1_001,
        "entries from 1001 on are not covered by a verified signed checkpoint",
        "checkpoints were cut off",
    )


@pytest.mark.usefixtures("cli_env")
def test_a_checkpoint_forged_without_the_key_is_found(adb: AuditDb) -> None:
    """Cut off the tail and sign a replacement checkpoint #2 over it without the audit key."""
    _signed_log(adb)
    with owner_tampering(adb) as conn:
        conn.execute(delete(LOG).where(LOG.c.id > 1_500))
        conn.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id > 1))
        set_tip(conn, 1_500)
        first = conn.execute(select(AuditCheckpoint.signature)).scalar_one()
        conn.execute(
            insert(AuditCheckpoint).values(
                id=2,
                last_entry_id=1_500,
                last_hash=conn.scalar(select(LOG.c.hash).where(LOG.c.id == 1_500)),
                at=datetime.now(UTC),
                prev_signature=first,
                signature=secrets.token_hex(32),
            )
        )
    result = assert_broken(adb, 1_501, "cut off")
    assert "signed checkpoint #2 does not verify (forged or altered)" in (result.problem or "")
    # Without the anchor, the forged checkpoint alone is still refused.
    (adb.var_dir / ANCHOR_FILE).unlink()
    bare = verify(adb)
    assert not bare.ok and bare.first_bad == 1_001
    assert "signed checkpoint #2 does not verify" in (bare.problem or "")


@pytest.mark.usefixtures("cli_env")
def test_a_second_kind_of_tampering_is_reported_alongside(adb: AuditDb) -> None:
    """An edited entry and removed checkpoints: the entry is named, the checkpoints noted."""
    _signed_log(adb)
    with owner_tampering(adb) as conn:
        conn.execute(update(LOG).where(LOG.c.id == 1_200).values(actor="tier1-someone-else"))
        conn.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id == 3))
    assert_broken(adb, 1_200, "entry 1200 was altered", "also signed checkpoint #3 .* is missing")


# --- PostgreSQL: privileges, and many writers at once ------------------------------------------

needs_pg = pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")


@needs_pg
@pytest.mark.parametrize("adb", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("cli_env")
def test_the_app_role_may_only_insert_and_read_audit_rows(adb: AuditDb) -> None:
    role = f"mdapp_{secrets.token_hex(4)}"
    with adb.engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
    app_engine = make_engine(adb.settings)
    try:
        out = cli("db", "grant-app-role", role)
        assert out.exit_code == 0, out.output
        append(adb, 3, with_members=True)
        with app_engine.connect() as conn:
            conn.exec_driver_sql(f"SET ROLE {role}")
            conn.commit()
            with Session(bind=conn) as session:  # the app, appending as that role
                new_id = audit.record(
                    session, AGENT, AuditAction.MEMBER_READ, object_id=9, member_ids=[9]
                )
                session.commit()
            assert new_id == 4
            assert conn.scalar(select(func.count()).select_from(LOG)) == 4
            conn.commit()
            # The owner disables the triggers: privileges still refuse the app role.
            with adb.engine.begin() as owner:
                for table in APPEND_ONLY:
                    owner.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                for table in APPEND_ONLY:
                    for sql in (
                        f"UPDATE {table} SET id = id",
                        f"DELETE FROM {table}",
                        f"TRUNCATE {table}",
                        f"ALTER TABLE {table} DISABLE TRIGGER USER",
                    ):
                        with pytest.raises(ProgrammingError, match=r"permission denied|owner"):
                            conn.exec_driver_sql(sql)
                        conn.rollback()
            finally:
                with adb.engine.begin() as owner:
                    for table in APPEND_ONLY:
                        owner.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            conn.exec_driver_sql("RESET ROLE")
            conn.commit()
    finally:
        app_engine.dispose()
        with adb.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
    result = verify(adb)
    assert result.ok and result.entries == 4


@pytest.mark.usefixtures("cli_env")
def test_concurrent_writers_make_one_unforked_chain(adb: AuditDb) -> None:
    """Separate sessions append at once (crossing a checkpoint) while verification runs: the
    head row lock serialises them into one chain with no gap and no fork, and verifying a
    live log never raises a false alarm. PostgreSQL is the point; SQLite must hold too."""
    writers, each, base = 6, 40, 980
    append(adb, base)
    start = threading.Barrier(writers + 1)
    done = threading.Event()

    def write(n: int) -> list[int]:
        ctx = AuditContext(actor_id=100 + n, actor=f"writer-{n}", role="tier1_agent")
        start.wait()
        ids = []
        for i in range(each):
            with adb.sessions() as session:
                ids.append(audit.record(session, ctx, AuditAction.MEMBER_READ, object_id=i))
                session.commit()
        return ids

    def watch() -> list[VerifyResult]:
        start.wait()
        seen = []
        while not done.is_set():
            with adb.engine.connect() as conn:
                seen.append(verify_chain(conn, batch=50))
            time.sleep(0.005)  # SQLite: let the writers take the database lock in between
        return seen

    with ThreadPoolExecutor(writers + 1) as pool:
        watcher = pool.submit(watch)
        jobs = [pool.submit(write, n) for n in range(writers)]
        written = [job.result(timeout=120) for job in jobs]
        done.set()
        live = watcher.result(timeout=120)

    total = base + writers * each
    ids = sorted(i for batch in written for i in batch)
    assert ids == list(range(base + 1, total + 1))  # every append got its own next id
    for batch in written:
        assert batch == sorted(batch)  # each writer's own entries in its order
    assert live and all(r.ok for r in live), [r for r in live if not r.ok][:1]

    with adb.engine.connect() as conn:
        chain = rows(conn)
        cps = conn.execute(select(AuditCheckpoint.id, AuditCheckpoint.last_entry_id)).all()
        tip = conn.execute(select(AuditHead.last_id, AuditHead.last_hash)).one()
    assert [e["id"] for e in chain] == list(range(1, total + 1))
    links = [e["prev_hash"] for e in chain]
    assert len(set(links)) == total  # no two entries claim the same predecessor: no fork
    assert links[1:] == [e["hash"] for e in chain[:-1]]
    assert tuple(tip) == (total, chain[-1]["hash"])
    assert [tuple(cp) for cp in cps] == [(1, 1_000)]
    by_writer = Counter(e["actor"] for e in chain if e["actor"].startswith("writer-"))
    assert by_writer == {f"writer-{n}": each for n in range(writers)}
    result = verify(adb)
    assert result.ok and (result.entries, result.checkpoints) == (total, 1)
