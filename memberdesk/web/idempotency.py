"""``Idempotency-Key``: a create request retried after a dropped connection is answered with
the first answer instead of creating a second record.

Only routes that create something (``POST`` answering 201) take part; on other routes the
header is ignored (a replayed search would disclose PHI without an audit entry). The key is
claimed in its own committed transaction before the route runs, so a concurrent duplicate is
told to wait (409) instead of racing it; the answer is stored (encrypted: it may hold PHI)
before it is sent; a failed attempt releases the key so the client can retry. Keys live a day.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from memberdesk.clock import now
from memberdesk.compliance.crypto import decrypt_any, keyring
from memberdesk.compliance.models import IdempotencyKey
from memberdesk.db import Sessions
from memberdesk.errors import Conflict, InvalidInput

HEADER = "idempotency-key"
KEY = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no spaces
CONTEXT = "idempotency_keys.body"
# A claim with no stored answer after this long belongs to a request that died mid-way.
ABANDONED = timedelta(seconds=60)
STATE = "idempotency"


@dataclass(frozen=True)
class Claim:
    """A key this request holds while its route runs."""

    row_id: int


@dataclass(frozen=True)
class Replay:
    """The stored answer to send again."""

    status_code: int
    media_type: str
    body: bytes


class ReplayAnswer(Exception):
    """Raised by the dependency to answer with the stored response instead of running."""

    def __init__(self, replay: Replay) -> None:
        super().__init__("replay")
        self.replay = replay


def creates(request: Request) -> bool:
    """Whether this request's route creates something (POST answering 201)."""
    route = request.scope.get("route")
    return request.method == "POST" and getattr(route, "status_code", None) == 201


async def claim(request: Request, user_id: int) -> None:
    """Hold the request's key, or answer it from a previous attempt (``ReplayAnswer``)."""
    key = request.headers.get(HEADER)
    if key is None or not creates(request):
        return
    if not KEY.fullmatch(key):
        raise InvalidInput(
            "must be 1 to 128 printable characters without spaces", field="header.idempotency-key"
        )
    fingerprint = hashlib.sha256(await request.body()).digest()
    sessions: Sessions = request.app.state.sessions
    outcome = await run_in_threadpool(
        _claim, sessions, user_id, key, request.method, request.url.path, fingerprint
    )
    if isinstance(outcome, Replay):
        raise ReplayAnswer(outcome)
    request.state.idempotency = outcome


def _claim(
    sessions: Sessions, user_id: int, key: str, method: str, path: str, fingerprint: bytes
) -> Claim | Replay:
    with sessions.write() as session:
        row = session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        )
        if row is None:
            row = IdempotencyKey(
                user_id=user_id,
                key=key,
                method=method,
                path=path[:200],
                body_hash=fingerprint,
                status_code=0,
                media_type="",
                body=b"",
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # a concurrent duplicate claimed it first
                session.rollback()
                raise _in_progress() from None
            return Claim(row.id)
        if (row.method, row.path, row.body_hash) != (method, path[:200], fingerprint):
            raise InvalidInput(
                "this key was used for a different request; use a new key",
                field="header.idempotency-key",
            )
        if row.status_code == 0:
            if row.created_at < now() - ABANDONED:
                raise Conflict(
                    "the first request with this key stopped without an answer; check whether "
                    "it took effect before retrying with a new key",
                    field="header.idempotency-key",
                )
            raise _in_progress()
        return Replay(row.status_code, row.media_type, decrypt_any(row.body, CONTEXT).encode())


def _in_progress() -> Conflict:
    return Conflict(
        "a request with this key is still being processed; retry in a moment",
        field="header.idempotency-key",
    )


def settle(sessions: Sessions, claim_: Claim, status: int, media_type: str, body: bytes) -> None:
    """Store a successful answer, or release the key after a failure."""
    with sessions.write() as session:
        if 200 <= status < 300:
            session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == claim_.row_id)
                .values(
                    status_code=status,
                    media_type=media_type[:80],
                    body=keyring().encrypt(body.decode("utf-8", "replace"), CONTEXT),
                )
            )
        else:
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_.row_id))
        session.commit()
