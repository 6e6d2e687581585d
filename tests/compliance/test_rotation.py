"""Key rotation round trip with the service answering during it (issue 3, "Done means").

A live server (uvicorn, real HTTP) holds a committed, seeded book; client threads read member
records, search by member ID and by phone, and list plans with an API token the whole time, while
the test re-encrypts everything under a new key in small batches. Afterwards every value is under
the new key, the old key is still in the ring, and everything reads back as before.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from memberdesk.cli import app as cli_app
from memberdesk.clock import today_utc
from memberdesk.compliance.crypto import (
    KEYRING_ENV,
    KEYRING_FILE,
    KeyRing,
    key_id_of,
    reload_keyring,
)
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.compliance.rotation import _raw, count_stale, encrypted_columns, rotate
from memberdesk.compliance.verify import read_anchor, verify_chain
from memberdesk.config import Settings, get_settings
from memberdesk.members import service
from memberdesk.members.enums import IdCardStatus, Relationship
from memberdesk.members.models import IdCardRequest, LifeEvent, Member
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server

BATCH = 50
HAMMER_THREADS = 3
GUARD_SECONDS = 60.0  # a hung server fails the test instead of hanging it; not a timing check


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A live server on a fresh 300-member book with its own key ring in ``tmp_path/var``."""
    with live_server(request.param, tmp_path / "var", tmp_path, members=300) as server:
        yield server


@pytest.fixture
def agent(live: LiveServer) -> Account:
    return live.add_user(Role.TIER1_AGENT, team="Tier 1 — Team A")


def api(live: LiveServer, account: Account) -> httpx.Client:
    return httpx.Client(
        base_url=live.base_url,
        headers={"Authorization": f"Bearer {account.token}"},
        timeout=GUARD_SECONDS,
    )


# --- what the book holds, read back from the test's side -------------------------------------


def decrypted_book(sessions: sessionmaker[Session]) -> dict[tuple[str, int], dict[str, Any]]:
    """Every row of every table with encrypted columns: all its columns, PHI decrypted."""
    tables = {table for table, _col, _ctx in encrypted_columns()}
    book: dict[tuple[str, int], dict[str, Any]] = {}
    with sessions() as session:
        for table in tables:
            (key,) = table.primary_key.columns  # not always "id" (member_navigators)
            for row in session.execute(select(table)).mappings():
                book[(table.name, row[key.name])] = dict(row)
    return book


def changed_cells(
    before: dict[tuple[str, int], dict[str, Any]], after: dict[tuple[str, int], dict[str, Any]]
) -> dict[tuple[str, int, str], tuple[Any, Any]]:
    """Cells of the rows in ``before`` that read differently in ``after`` (rows added since are
    ignored)."""
    return {
        (*key, column): (value, after.get(key, {}).get(column))
        for key, row in before.items()
        for column, value in row.items()
        if after.get(key, {}).get(column) != value
    }


def key_ids_in_use(sessions: sessionmaker[Session]) -> set[str]:
    """The key IDs the stored ciphertexts are tagged with."""
    found: set[str] = set()
    with sessions() as session:
        for _table, col, _ctx in encrypted_columns():
            for (blob,) in session.execute(select(_raw(col)).where(col.is_not(None))):
                found.add(key_id_of(bytes(blob)))
    return found


def ring_on_disk(live: LiveServer) -> KeyRing:
    return KeyRing.from_json((Path(live.settings.var_dir) / KEYRING_FILE).read_text())


@dataclass(frozen=True)
class Known:
    """A member the clients ask about, and what the service said about them before rotation."""

    id: int
    member_number: str
    phone: str
    last_name: str
    date_of_birth: date
    view: dict[str, Any]


def pick_members(live: LiveServer, client: httpx.Client, n: int) -> list[Known]:
    """``n`` subscribers with a phone, with their member 360 as the service shows it now."""
    with live.sessions() as session:  # closed before any request: SQLite has one writer
        rows = [
            (m.id, m.member_number, m.phone or "", m.last_name, m.date_of_birth)
            for m in session.scalars(
                select(Member)
                .where(Member.relationship == Relationship.SELF, Member.phone_bidx.is_not(None))
                .order_by(Member.id)
                .limit(n)
            )
        ]
    assert len(rows) == n
    known = []
    for member_id, number, phone, last_name, dob in rows:
        view = client.get(f"/api/members/{member_id}")
        assert view.status_code == 200, view.text
        known.append(Known(member_id, number, phone, last_name, dob, view.json()))
    return known


def writable_member(live: LiveServer, exclude: set[int]) -> int:
    """A covered adult outside the read sample with no ID-card request in progress (writes go
    back one day at a time from today: an adult's life holds them all, and a covered member
    may get a card)."""
    today = today_utc()
    with live.sessions() as session:
        busy = select(IdCardRequest.member_id).where(
            IdCardRequest.status.in_([IdCardStatus.REQUESTED, IdCardStatus.PRINTED])
        )
        for member in session.scalars(
            select(Member).where(Member.id.not_in(busy)).order_by(Member.id.desc())
        ):
            adult = member.date_of_birth < today - timedelta(days=365 * 20)
            if member.id not in exclude and adult and service.eligibility(member, today).eligible:
                return member.id
    raise AssertionError("no member free for a write")


def differences(expected: Any, got: Any, path: str = "") -> str:
    """Where ``got`` differs from ``expected`` ("" when equal), for a readable failure."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            found = differences(expected.get(key), got.get(key), f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            found = differences(a, b, f"{path}[{i}]")
            if found:
                return found
        return ""
    return "" if expected == got else f"{path or 'value'}: expected {expected!r}, got {got!r}"


def expect_ids(page: dict[str, Any], ids: list[int], exactly: bool) -> str:
    found = [x["id"] for x in page["items"]]
    ok = found == ids if exactly else set(ids) <= set(found)
    return "" if ok else f"found {found}, expected {ids}"


# --- clients that keep the service busy ---------------------------------------------------


@dataclass
class Traffic:
    """Client threads reading through the API until stopped; they record, never assert."""

    live: LiveServer
    account: Account
    members: list[Known]
    plans: list[dict[str, Any]]
    stop: threading.Event = field(default_factory=threading.Event)
    served: int = 0
    problems: list[str] = field(default_factory=list)
    progressed: threading.Condition = field(default_factory=threading.Condition)
    threads: list[threading.Thread] = field(default_factory=list)

    def _check(self, what: str, response: httpx.Response, ok: Callable[[Any], str]) -> None:
        with self.progressed:
            if response.status_code != 200:
                self.problems.append(f"{what}: HTTP {response.status_code} {response.text[:200]}")
            elif wrong := ok(response.json()):
                self.problems.append(f"{what}: {wrong}")
            self.served += 1
            self.progressed.notify_all()

    def _run(self, offset: int) -> None:
        try:
            with api(self.live, self.account) as client:
                i = offset
                while not self.stop.is_set():
                    m = self.members[i % len(self.members)]
                    i += 1
                    self._check(
                        f"360 of {m.id}",
                        client.get(f"/api/members/{m.id}"),
                        partial(differences, m.view),
                    )
                    self._check(
                        f"search {m.id} by member ID",
                        client.post("/api/members/search", json={"member_number": m.member_number}),
                        partial(expect_ids, ids=[m.id], exactly=True),
                    )
                    self._check(
                        f"search {m.id} by phone",
                        client.post("/api/members/search", json={"phone": m.phone}),
                        partial(expect_ids, ids=[m.id], exactly=False),
                    )
                    self._check("plans", client.get("/api/plans"), partial(differences, self.plans))
        except Exception as exc:  # a dropped connection is a failure of the service too
            with self.progressed:
                self.problems.append(f"client crashed: {exc!r}")
                self.progressed.notify_all()

    def start(self) -> None:
        for n in range(HAMMER_THREADS):
            t = threading.Thread(target=self._run, args=(n * 5,), name=f"client-{n}", daemon=True)
            self.threads.append(t)
            t.start()
        self.wait_for_more(HAMMER_THREADS)

    def wait_for_more(self, count: int) -> None:
        """Block until ``count`` more answers came back (so they interleave with our work)."""
        with self.progressed:
            target = self.served + count
            if not self.progressed.wait_for(
                lambda: self.served >= target or bool(self.problems), GUARD_SECONDS
            ):
                raise AssertionError("the service stopped answering")

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(GUARD_SECONDS)
        assert not any(t.is_alive() for t in self.threads)


def start_traffic(live: LiveServer, agent: Account, n: int = 12) -> Traffic:
    with api(live, agent) as client:
        members = pick_members(live, client, n)
        plans = client.get("/api/plans").json()
    assert plans
    traffic = Traffic(live, agent, members, plans)
    traffic.start()
    return traffic


# --- the round trip ---------------------------------------------------------------------------


def test_rotation_while_the_service_answers(live: LiveServer, agent: Account) -> None:
    before = decrypted_book(live.sessions)
    assert key_ids_in_use(live.sessions) == {"k1"}
    traffic = start_traffic(live, agent)
    writer = writable_member(live, {m.id for m in traffic.members})
    wrote: dict[str, Any] = {}
    batches = 0

    def during(table: str, rows: int) -> None:
        # Called between re-encryption batches: the book is half old key, half new.
        nonlocal batches
        batches += 1
        traffic.wait_for_more(2)
        if not wrote:
            with api(live, agent) as client:
                event = client.post(
                    f"/api/members/{writer}/life-events",
                    json={
                        "event_type": "permanent_move",
                        "event_date": "2026-03-02",
                        "notes": "moved to Fresno during key rotation",
                    },
                )
                card = client.post(f"/api/members/{writer}/id-cards", json={"reason": "damaged"})
            assert event.status_code == 201, event.text
            assert card.status_code == 201, card.text
            wrote.update(event=event.json(), card=card.json(), mixed=key_ids_in_use(live.sessions))

    try:
        result = rotate(Path(live.settings.var_dir), live.sessions, batch=BATCH, progress=during)
        traffic.wait_for_more(HAMMER_THREADS)
    finally:
        traffic.finish()

    assert traffic.problems == []
    assert batches > 300 // BATCH  # the members table alone takes several batches
    assert wrote["mixed"] == {"k1", "k2"}  # the write really landed mid-rotation
    assert result.new_key_id == "k2" and result.remaining == 0
    assert sum(result.reencrypted.values()) > 300
    # No value is left under the old key, and the old key is kept (audit changes use it).
    assert count_stale(live.sessions) == 0
    assert key_ids_in_use(live.sessions) == {"k2"}
    ring = ring_on_disk(live)
    assert ring.active_key_id == "k2" and set(ring.data_keys) == {"k1", "k2"}

    # The book reads back identical, row by row and column by column (timestamps included).
    after = decrypted_book(live.sessions)
    assert changed_cells(before, after) == {}
    with api(live, agent) as client:
        for m in traffic.members:
            assert client.get(f"/api/members/{m.id}").json() == m.view
            # Blind indexes do not depend on the data key: every search key still finds them.
            for body in (
                {"member_number": m.member_number},
                {"phone": m.phone},
                {"last_name": m.last_name, "date_of_birth": m.date_of_birth.isoformat()},
            ):
                found = client.post("/api/members/search", json=body).json()
                assert m.id in [x["id"] for x in found["items"]], body
        # The writes made during rotation read back.
        events = client.get(f"/api/members/{writer}/life-events").json()
        assert wrote["event"] in events
        assert {"event_type": "permanent_move", "event_date": "2026-03-02"}.items() <= (
            wrote["event"].items()
        )
        assert wrote["card"] in client.get(f"/api/members/{writer}/id-cards").json()
    with live.sessions() as session:
        event_row = session.get(LifeEvent, wrote["event"]["id"])
        assert event_row is not None
        assert event_row.notes == "moved to Fresno during key rotation"
        # The audit chain is untouched by rotation and still verifies.
        assert verify_chain(session.connection(), read_anchor(live.settings.var_dir)).ok


# --- the command line -------------------------------------------------------------------------


def cli_env(settings: Settings) -> dict[str, str]:
    env = {
        "MEMBERDESK_DATABASE_URL": settings.database_url,
        "MEMBERDESK_VAR_DIR": str(settings.var_dir),
    }
    if settings.database_schema:
        env["MEMBERDESK_DATABASE_SCHEMA"] = settings.database_schema
    return env


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, live: LiveServer) -> Iterator[CliRunner]:
    """A CLI runner whose settings come from the environment, pointed at the live book."""
    for name, value in cli_env(live.settings).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_keys_rotate_command(cli: CliRunner, live: LiveServer, agent: Account) -> None:
    traffic = start_traffic(live, agent, n=4)
    try:
        run = cli.invoke(cli_app, ["keys", "rotate", "--batch", str(BATCH)])
        traffic.wait_for_more(HAMMER_THREADS)
    finally:
        traffic.finish()
    assert run.exit_code == 0, run.output
    assert "active key is now k2" in run.output
    assert "0 left under old keys" in run.output
    assert traffic.problems == []
    assert count_stale(live.sessions) == 0
    assert set(ring_on_disk(live).data_keys) == {"k1", "k2"}
    with live.sessions() as session:
        rotated = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.KEYS_ROTATED)
        ).one()
        assert rotated.object_id == "k2" and rotated.detail is not None
        assert rotated.detail["remaining"] == 0 and rotated.detail["reencrypted"] > 300


def test_rotation_refuses_when_keys_come_from_the_environment(
    cli: CliRunner, live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The operator moved the keys into MEMBERDESK_KEYRING; an old var/keys.json is still there.
    key_file = Path(live.settings.var_dir) / KEYRING_FILE
    on_disk = key_file.read_text()
    monkeypatch.setenv(KEYRING_ENV, on_disk)
    run = cli.invoke(cli_app, ["keys", "rotate"])
    assert run.exit_code == 2
    assert KEYRING_ENV in run.output
    with pytest.raises(RuntimeError, match=KEYRING_ENV):
        rotate(Path(live.settings.var_dir), live.sessions, batch=BATCH)
    assert key_file.read_text() == on_disk  # nothing rotated: no new key anywhere
    assert key_ids_in_use(live.sessions) == {"k1"}


def test_rotation_by_another_process_while_this_server_writes(
    live: LiveServer, agent: Account
) -> None:
    """The real deployment: the CLI rotates in its own process; the server learns the new key
    only from var/keys.json (at most once a second), and writes all along."""
    before = decrypted_book(live.sessions)
    traffic = start_traffic(live, agent, n=4)
    writer = writable_member(live, {m.id for m in traffic.members})
    stop = threading.Event()
    written: list[int] = []
    refused: list[str] = []

    def write_events() -> None:
        with api(live, agent) as client:
            day = 1
            while not stop.is_set():
                r = client.post(
                    f"/api/members/{writer}/life-events",
                    json={
                        "event_type": "birth",
                        # A new date each time: the same event twice is refused (409).
                        "event_date": (today_utc() - timedelta(days=day)).isoformat(),
                        "notes": f"note {day}",
                    },
                )
                if r.status_code == 201:
                    written.append(r.json()["id"])
                else:
                    refused.append(f"HTTP {r.status_code}")
                day += 1

    thread = threading.Thread(target=write_events, name="writer", daemon=True)
    thread.start()
    env = {**os.environ, **cli_env(live.settings)}
    env.pop(KEYRING_ENV, None)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "memberdesk.cli", "keys", "rotate", "--batch", str(BATCH)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        traffic.wait_for_more(HAMMER_THREADS)
    finally:
        stop.set()
        thread.join(GUARD_SECONDS)
        traffic.finish()
    assert run.returncode == 0, run.stdout + run.stderr
    assert changed_cells(before, decrypted_book(live.sessions)) == {}
    assert traffic.problems == [] and refused == [] and written
    reload_keyring(force=True)  # this process's view of var/keys.json, as the server has it
    # Writes that raced the key change were caught by a further pass: none is left behind.
    assert count_stale(live.sessions) == 0, json.dumps(sorted(key_ids_in_use(live.sessions)))
    with live.sessions() as session:
        notes = {e.id: e.notes for e in session.scalars(select(LifeEvent))}
    assert all((notes[i] or "").startswith("note ") for i in written)


def test_rotation_waits_out_another_process_holding_the_sqlite_write_lock(
    tmp_path: Path,
) -> None:
    """A busy SQLite file keeps its one write lock longer than a command's busy timeout (seen
    in CI: another process's busy handler lost the lock to a busy server for over 10 s). The
    rotation waits and tries the batch again instead of failing half-way."""
    with live_server("sqlite", tmp_path / "var", tmp_path, members=60) as live:
        env = {**os.environ, **cli_env(live.settings), "MEMBERDESK_SQLITE_BUSY_TIMEOUT_MS": "200"}
        env.pop(KEYRING_ENV, None)
        holder = sqlite3.connect(
            make_url(live.settings.database_url).database, isolation_level=None
        )
        holder.execute("BEGIN IMMEDIATE")  # the lock is taken before the command starts
        try:
            command = subprocess.Popen(
                [sys.executable, "-m", "memberdesk.cli", "keys", "rotate", "--batch", "20"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            time.sleep(3)  # fifteen busy timeouts of the command's
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        output, _ = command.communicate(timeout=300)
        assert command.returncode == 0, output
        assert "0 left under old keys" in output
        reload_keyring(force=True)
        assert count_stale(live.sessions) == 0
        with live.sessions() as session:
            actions = set(session.scalars(select(AuditEntry.action)))
        assert {AuditAction.KEYS_ROTATION_STARTED, AuditAction.KEYS_ROTATED} <= actions
