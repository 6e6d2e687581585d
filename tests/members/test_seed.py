"""The synthetic book: exact size, determinism, the same data on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.models import CoverageSpan, EmployerGroup, IdCardRequest, LifeEvent, Member
from memberdesk.members.seed import run_seed
from tests.dbutil import BACKENDS, fresh_database

MEMBER_FIELDS = [
    c.key for c in Member.__table__.columns if c.key not in {"created_at", "updated_at"}
]


def dump(session: Session) -> str:
    """A canonical digest of every seeded row, decrypted (ciphertexts differ by nonce)."""
    h = hashlib.sha256()
    for model in (EmployerGroup, Member, CoverageSpan, LifeEvent, IdCardRequest):
        cols = [c.key for c in model.__table__.columns]
        for row in session.scalars(select(model).order_by(model.id)):
            h.update(repr([getattr(row, c) for c in cols]).encode())
    return h.hexdigest()


def seeded_digest(backend: str, var_dir: Path, tmp: Path, seed: int, n: int = 250) -> str:
    with fresh_database(backend, var_dir, tmp) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        result = run_seed(sessions, members=n, seed=seed, batch_members=100)
        assert result.members == n
        with sessions() as session:
            assert len(session.scalars(select(Member.id)).all()) == n
            digest = dump(session)
        engine.dispose()
        return digest


def test_same_seed_same_data_on_every_backend(var_dir: Path, tmp_path: Path) -> None:
    digests = {b: seeded_digest(b, var_dir, tmp_path / b, seed=11) for b in BACKENDS}
    assert len(set(digests.values())) == 1, digests
    assert seeded_digest("sqlite", var_dir, tmp_path / "again", seed=11) == digests["sqlite"]
    assert seeded_digest("sqlite", var_dir, tmp_path / "other", seed=12) != digests["sqlite"]


def test_base_book_is_a_realistic_california_small_group_book(db: Session) -> None:
    members = db.scalars(select(Member)).all()
    langs = Counter(m.spoken_language for m in members)
    assert langs["en"] > langs["es"] > 0
    assert len(langs) >= 6
    assert any(m.interpreter_needed for m in members)
    rels = Counter(m.relationship.value for m in members)
    assert rels["self"] > 0 and rels["child"] > 0 and rels["spouse"] > 0
    assert all(m.state == "CA" and "555-" in (m.phone or "555-") for m in members)
    assert all((m.email or "@example.com").endswith("@example.com") for m in members)
    sizes = Counter(m.group_id for m in members if m.relationship.value == "self")
    assert max(sizes.values()) <= 100
    spans = db.scalars(select(CoverageSpan)).all()
    assert any(s.termination_date for s in spans) and any(s.termination_date is None for s in spans)
