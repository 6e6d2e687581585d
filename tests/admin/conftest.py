"""Helpers of the administration page tests: what the page says beside a field, and which
audit entries a change left."""

from __future__ import annotations

import html
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.models import AuditEntry

STRONG = "plum tractor sings loudly"


def field_error(page: str, name: str) -> str | None:
    """The refusal shown beside a field (or a section's buttons), in words."""
    found = re.search(
        rf'<p class="error field-error" id="{re.escape(name)}-error"[^>]*>([^<]+)</p>', page
    )
    return html.unescape(found.group(1)) if found else None


def entries(db: Session, action: str, object_id: int | None = None) -> list[AuditEntry]:
    """Audit entries of one action (about one object) made by a person (not the test's own
    set-up, which acts as the system), sealed first."""
    audit.seal_all(db)
    query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor != "system")
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(db.scalars(query.order_by(AuditEntry.id)))
