"""Verify the audit chain: names the first entry that was edited, deleted, inserted, reordered
or cut off (``memberdesk audit verify``)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from memberdesk.clock import now
from memberdesk.compliance.audit import (
    GENESIS,
    UNSEALED_LIMIT,
    checkpoint_signature,
    entry_hash,
)
from memberdesk.compliance.models import AuditCheckpoint, AuditEntry, AuditHead, AuditPending

ANCHOR_FILE = "audit_anchor.json"
_COLUMNS = [c for c in AuditEntry.__table__.columns]


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification; ``first_bad`` is the first entry id that fails."""

    ok: bool
    entries: int
    checkpoints: int
    first_bad: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "first_bad_entry": self.first_bad,
            "problem": self.problem,
        }


def _bad(entries: int, cps: int, entry: int | None, problem: str) -> VerifyResult:
    return VerifyResult(False, entries, cps, entry, problem)


def _check_checkpoints(cps: list[AuditCheckpoint]) -> tuple[list[AuditCheckpoint], str | None]:
    """The checkpoints that verify (a prefix), and what is wrong with the first one that does
    not; only verified checkpoints are then trusted to vouch for entries."""
    prev = GENESIS
    good: list[AuditCheckpoint] = []
    for i, cp in enumerate(cps, start=1):
        if cp.id != i:
            return good, f"signed checkpoint #{i} is missing"
        expected = checkpoint_signature(cp.id, cp.last_entry_id, cp.last_hash, cp.at, prev)
        if cp.prev_signature != prev or not hmac.compare_digest(expected, cp.signature):
            return good, f"signed checkpoint #{cp.id} does not verify (forged or altered)"
        good.append(cp)
        prev = cp.signature
    return good, None


def read_anchor(var_dir: Path) -> dict[str, Any] | None:
    """The last checkpoint exported outside the database, if any."""
    path = Path(var_dir) / ANCHOR_FILE
    return json.loads(path.read_text()) if path.exists() else None


def write_anchor(var_dir: Path, cp: AuditCheckpoint) -> None:
    """Export a checkpoint outside the database (a cut-off of checkpoints is then detectable)."""
    path = Path(var_dir) / ANCHOR_FILE
    path.write_text(
        json.dumps(
            {"checkpoint": cp.id, "last_entry_id": cp.last_entry_id, "signature": cp.signature}
        )
    )


def _blame_link(
    conn: Connection, entry: dict[str, Any], self_ok: bool, tip: tuple[int, str] | None
) -> tuple[int, str]:
    """Entry ``k`` does not name the hash of entry ``k - 1``: find which entry is the bad one.

    An attacker who edits, replaces or inserts an entry recomputes its SHA-256 (no key is
    needed), so the break shows one entry *after* the forgery. Runs only on failure.
    """
    k = entry["id"]
    # k names an earlier entry j as its predecessor: everything between was inserted.
    j = conn.execute(
        select(AuditEntry.id)
        .where(AuditEntry.hash == entry["prev_hash"], AuditEntry.id < k - 1)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar()
    if j is not None:
        forged = f"entry {j + 1} was" if j + 1 == k - 1 else f"entries {j + 1}..{k - 1} were"
        return j + 1, f"{forged} inserted: entry {k} was written right after entry {j}"
    if self_ok and k > 1:
        # k is intact (its hash recomputes and its successor, or the chain tip, still names
        # it), so it was written after a different entry k - 1: k - 1 was altered or replaced
        # and re-hashed.
        successor = conn.execute(
            select(AuditEntry.prev_hash).where(AuditEntry.id == k + 1)
        ).scalar()
        if successor is None and tip is not None and tip[0] == k:
            successor = tip[1]
        if successor == entry["hash"]:
            return k - 1, (
                f"entry {k - 1} was altered or replaced and its hash recomputed: entry {k} "
                f"was written after a different entry {k - 1}"
            )
    return k, (
        f"entry {k} does not follow entry {k - 1}: an entry was deleted, inserted or reordered here"
    )


@dataclass
class _Walk:
    """Where the walk over the entries stopped, and why."""

    count: int = 0
    last_id: int = 0  # the last entry that passed every check
    tip_hash: str | None = None  # hash of the entry the chain tip names, when reached
    failure: tuple[int, str] | None = None
    broken: tuple[dict[str, Any], bool] | None = None  # (entry, its own hash is right)


def _walk(
    conn: Connection,
    batch: int,
    by_entry: dict[int, AuditCheckpoint],
    tip: tuple[int, str] | None,
    progress: Callable[[int], None] | None = None,
) -> _Walk:
    """Stream the entries in id order, checking ids, links, hashes and checkpoints."""
    w, prev_hash, vouched_to = _Walk(), GENESIS, 0
    # Statement-level option: Connection.execution_options() would change the connection
    # itself and turn later statements into server-side cursors too.
    result = conn.execute(
        select(*_COLUMNS).order_by(AuditEntry.id).execution_options(yield_per=batch)
    )
    try:
        for row in result:
            entry = dict(row._mapping)
            w.count += 1
            k, expected = entry["id"], w.last_id + 1
            if k != expected:
                w.failure = (
                    (k, f"entry {k} precedes entry 1: it was inserted")
                    if k < expected
                    else (expected, f"entry {expected} is missing (the next entry is {k})")
                )
                break
            try:
                self_ok = entry_hash(entry) == entry["hash"]
            except (TypeError, ValueError):  # e.g. text where the writer stores bytes
                self_ok = False
            if entry["prev_hash"] != prev_hash:
                w.broken = (entry, self_ok)  # blamed once the stream is closed
                break
            if not self_ok:
                w.failure = (k, f"entry {k} was altered after it was written")
                break
            cp = by_entry.get(k)
            if cp is not None:
                if cp.last_hash != entry["hash"]:
                    # Consistent up to here, so the entries since the last verified checkpoint
                    # were rewritten and re-hashed: any of them may be the forgery.
                    w.failure = (
                        vouched_to + 1,
                        f"entry {k} differs from signed checkpoint #{cp.id}: entries "
                        f"{vouched_to + 1}..{k} were rewritten and re-hashed after signing",
                    )
                    break
                vouched_to = k
            if tip is not None and k == tip[0]:
                w.tip_hash = entry["hash"]
            prev_hash, w.last_id = entry["hash"], k
            if progress is not None and w.count % batch == 0:
                progress(w.count)
    except (TypeError, ValueError):
        # A stored value that does not even decode (SQLite keeps whatever is written, e.g.
        # text that is not JSON): the row after the last one read is the bad one.
        expected = w.last_id + 1
        k = conn.execute(select(func.min(AuditEntry.id)).where(AuditEntry.id >= expected)).scalar()
        w.count += 1
        w.failure = (
            (expected, f"entry {expected} is missing (the next entry is {k})")
            if k is not None and k != expected
            else (expected, f"entry {expected} was altered: a stored value no longer decodes")
        )
    finally:
        result.close()
    return w


def verify_chain(
    conn: Connection,
    anchor: dict[str, Any] | None = None,
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Walk the whole chain in id order, streaming, and check every link and checkpoint.

    ``first_bad`` is the earliest entry the evidence shows may be bad: the entry that fails,
    the first entry of a tail that was cut off, or, when only signatures are wrong, the first
    entry no verified checkpoint vouches for. ``progress`` hears the count of entries checked
    after every ``batch`` of them (the console's background run shows it).
    """
    # The tip first: on PostgreSQL each statement sees its own snapshot, so entries appended
    # while we walk (the service keeps running) lie beyond this tip and are no cut-off.
    head = conn.execute(select(AuditHead.last_id, AuditHead.last_hash)).first()
    tip = (head.last_id, head.last_hash) if head is not None else None
    cps = conn.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
    cp_rows = [AuditCheckpoint(**row._mapping) for row in cps]
    good, cp_problem = _check_checkpoints(cp_rows)
    notes: list[str] = [cp_problem] if cp_problem else []
    # What the log must reach: (entry id, the evidence), the verified checkpoints in order
    # (the first one past the end is named), then the anchor file.
    must_reach = [(cp.last_entry_id, f"signed checkpoint #{cp.id}") for cp in good]
    if anchor:
        a_id, a_last = int(anchor["checkpoint"]), int(anchor["last_entry_id"])
        kept = next((cp for cp in good if cp.id == a_id), None)
        if kept is None or not hmac.compare_digest(kept.signature, str(anchor["signature"])):
            notes.append(
                f"signed checkpoint #{a_id} (entry {a_last}), exported to the anchor file, is "
                "missing from the database or altered: checkpoints were cut off"
            )
        must_reach.append((a_last, f"signed checkpoint #{a_id} in the anchor file"))

    stale = _unsealed_too_long(conn)
    w = _walk(conn, batch, {cp.last_entry_id: cp for cp in good}, tip, progress)
    failure = _blame_link(conn, *w.broken, tip) if w.broken else w.failure
    if failure is None:
        failure = _what_is_missing(w, must_reach, tip, notes, good)
    if failure is not None:
        also = [*notes, stale] if stale else notes
        return _bad(w.count, len(cp_rows), failure[0], "; also ".join([failure[1], *also]))
    if stale:
        return _bad(w.count, len(cp_rows), None, stale)
    return VerifyResult(True, w.count, len(cp_rows))


def _unsealed_too_long(conn: Connection) -> str | None:
    """Entries written by requests but not sealed into the chain within ``UNSEALED_LIMIT``: the
    sequencer is not running, and those entries are not yet tamper-evident."""
    count = conn.execute(
        select(func.count()).where(AuditPending.at < now() - UNSEALED_LIMIT)
    ).scalar_one()
    if not count:
        return None
    return (
        f"{count} audit entries have waited more than {int(UNSEALED_LIMIT.total_seconds())} s "
        "to be sealed into the chain: start `memberdesk worker` (or `memberdesk serve`)"
    )


def _what_is_missing(
    w: _Walk,
    must_reach: list[tuple[int, str]],
    tip: tuple[int, str] | None,
    notes: list[str],
    good: list[AuditCheckpoint],
) -> tuple[int, str] | None:
    """After a clean walk: a cut-off tail, a rewritten last entry, or signatures only."""
    last = w.last_id
    beyond = next(((n, why) for n, why in must_reach if n > last), None)
    if beyond is not None:
        return last + 1, (
            f"the log ends at entry {last} but {beyond[1]} covers entry {beyond[0]}: "
            "the tail was cut off"
        )
    if tip is not None and tip[0] > last:
        return last + 1, (
            f"the log ends at entry {last} but the chain tip says entry {tip[0]}: "
            "the tail was cut off"
        )
    if tip is not None and tip[0] > 0 and w.tip_hash != tip[1]:
        return tip[0], (
            f"entry {tip[0]} differs from the chain tip the writer recorded: it was altered "
            "and re-hashed"
        )
    if notes:
        signed_to = max((cp.last_entry_id for cp in good), default=0)
        return signed_to + 1, (
            f"entries from {signed_to + 1} on are not covered by a verified signed checkpoint"
        )
    return None
