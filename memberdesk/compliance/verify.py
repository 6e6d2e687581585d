"""Verify the audit chain: names the first entry that was edited, deleted, inserted, reordered
or cut off (``memberdesk audit verify``)."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from memberdesk.compliance.audit import GENESIS, checkpoint_signature, entry_hash
from memberdesk.compliance.models import AuditCheckpoint, AuditEntry, AuditHead

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


def _check_checkpoints(cps: list[AuditCheckpoint]) -> str | None:
    prev = GENESIS
    for i, cp in enumerate(cps, start=1):
        if cp.id != i:
            return f"signed checkpoint #{i} is missing"
        expected = checkpoint_signature(cp.id, cp.last_entry_id, cp.last_hash, cp.at, prev)
        if cp.prev_signature != prev or not hmac.compare_digest(expected, cp.signature):
            return f"signed checkpoint #{cp.id} does not verify (forged or altered)"
        prev = cp.signature
    return None


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


def verify_chain(
    conn: Connection, anchor: dict[str, Any] | None = None, batch: int = 20_000
) -> VerifyResult:
    """Walk the whole chain in id order, streaming, and check every link and checkpoint."""
    cps = list(conn.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all())
    cp_rows = [AuditCheckpoint(**row._mapping) for row in cps]
    problem = _check_checkpoints(cp_rows)
    if problem:
        return _bad(0, len(cp_rows), None, problem)
    if anchor and (
        len(cp_rows) < anchor["checkpoint"]
        or cp_rows[anchor["checkpoint"] - 1].signature != anchor["signature"]
    ):
        return _bad(
            0,
            len(cp_rows),
            anchor["last_entry_id"],
            f"signed checkpoint #{anchor['checkpoint']} exported to the anchor file is "
            "missing from the database: the log was cut off",
        )
    by_entry = {cp.last_entry_id: cp for cp in cp_rows}
    prev_hash, expected_id, count = GENESIS, 1, 0
    # Statement-level option: Connection.execution_options() would change the connection
    # itself and turn later statements into server-side cursors too.
    result = conn.execute(
        select(*_COLUMNS).order_by(AuditEntry.id).execution_options(yield_per=batch)
    )
    for row in result:
        entry = dict(row._mapping)
        count += 1
        if entry["id"] != expected_id:
            return _bad(
                count,
                len(cp_rows),
                expected_id,
                f"entry {expected_id} is missing (the next entry is {entry['id']})",
            )
        if entry["prev_hash"] != prev_hash:
            return _bad(
                count,
                len(cp_rows),
                entry["id"],
                f"entry {entry['id']} does not follow entry {entry['id'] - 1}: an entry "
                "was deleted, inserted or reordered here",
            )
        if entry_hash(entry) != entry["hash"]:
            return _bad(
                count,
                len(cp_rows),
                entry["id"],
                f"entry {entry['id']} was altered after it was written",
            )
        cp = by_entry.get(entry["id"])
        if cp is not None and cp.last_hash != entry["hash"]:
            return _bad(
                count,
                len(cp_rows),
                entry["id"],
                f"entry {entry['id']} differs from signed checkpoint #{cp.id}",
            )
        prev_hash, expected_id = entry["hash"], expected_id + 1
    last_id = expected_id - 1
    beyond = [cp for cp in cp_rows if cp.last_entry_id > last_id]
    if beyond:
        return _bad(
            count,
            len(cp_rows),
            last_id + 1,
            f"the log ends at entry {last_id} but signed checkpoint #{beyond[0].id} "
            f"covers entry {beyond[0].last_entry_id}: the tail was cut off",
        )
    head = conn.execute(select(AuditHead.last_id, AuditHead.last_hash)).first()
    if head is not None and (head.last_id != last_id or head.last_hash != prev_hash):
        return _bad(
            count,
            len(cp_rows),
            last_id + 1 if head.last_id > last_id else head.last_id,
            f"the chain tip says entry {head.last_id} but the log ends at entry {last_id}",
        )
    return VerifyResult(True, count, len(cp_rows))
