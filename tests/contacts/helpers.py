"""Shared helpers of the contacts tests: audit look-ups and row counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.models import AuditEntry
from memberdesk.contacts.models import Callback, CallbackAttempt, Contact, ContactReason, LetterTask

TABLES: tuple[Any, ...] = (Contact, ContactReason, Callback, CallbackAttempt, LetterTask)


def audited(db: Session, action: str, object_id: int | str | None = None) -> list[AuditEntry]:
    """Audit entries of one action (on one object)."""
    query = select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(db.scalars(query))


def counts(db: Session) -> dict[str, int]:
    """Rows in each contacts table."""
    return {t.__tablename__: db.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}
