"""Revision 0028 on PostgreSQL: the in-force columns it copies into the search index for a
library already on file are exactly what publishing writes there, and going back drops them.
(SQLite's FTS5 index joins the versions and is left alone by it.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import accounts
from memberdesk.compliance.audit import SYSTEM, AuditContext
from memberdesk.compliance.enums import Role
from memberdesk.db import make_engine
from memberdesk.kb import content, service
from memberdesk.kb.models import KbArticle
from memberdesk.kb.schemas import VersionIn
from memberdesk.migrate import downgrade, upgrade
from tests.dbutil import PG_URL, fresh_database

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's index table only")

COLUMNS = "version_id, article_id, number, title, effective_on, expires_on, published_at, alone"


def index_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        sql = f"SELECT {COLUMNS} FROM kb_search ORDER BY version_id"
        return [tuple(r) for r in conn.execute(text(sql))]


def test_the_backfill_matches_what_publishing_writes(var_dir: Path, tmp_path: Path) -> None:
    with fresh_database("postgresql", var_dir, tmp_path) as settings:
        engine = make_engine(settings)
        with Session(engine) as session:
            officer = accounts.create_user(
                session, settings, SYSTEM, username="officer", display_name="Officer",
                role=Role.COMPLIANCE_OFFICER, password="correct horse battery staple",
            )  # fmt: skip
            approver = AuditContext(actor_id=officer.id, actor="officer", role=officer.role.value)
            at = now()
            docs = content.read_dir(content.SHIPPED)
            content.import_docs(session, SYSTEM, docs, at, approver)
            # A second version of one article: its rows are no longer "alone".
            card = session.query(KbArticle).filter_by(slug="id-card-replacement-en").one().id
            new = service.add_version(
                session,
                SYSTEM,
                card,
                VersionIn(title="Replacing an ID card", body="New words.", effective_on=at.date()),
                at,
            )
            service.submit(session, SYSTEM, new, at)
            service.approve(session, approver, new, None, at)
            service.publish(session, approver, new, at)
            session.commit()
        written = index_rows(engine)
        shared = [r for r in written if r[1] == card]
        assert len(shared) == 2 and not any(r[-1] for r in shared)
        assert sum(1 for r in written if r[-1]) == len(written) - 2
        downgrade(engine, "0027")
        assert "alone" not in {c["name"] for c in inspect(engine).get_columns("kb_search")}
        upgrade(engine)
        assert index_rows(engine) == written
        engine.dispose()
