"""The demo's library: the shipped articles in English and Spanish, approved and published by
the demo compliance officer; the public-programme contacts wait for their phone numbers and web
address to be verified (as the operational guide requires before anything is published)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM, AuditContext
from memberdesk.compliance.models import User
from memberdesk.kb import content
from memberdesk.kb.models import KbArticle

DEMO_APPROVER = "compliance"


def seed_demo_library(session: Session) -> content.Imported | None:
    """Import the shipped library unless the database holds articles already (None then)."""
    if session.scalar(select(func.count()).select_from(KbArticle)):
        return None
    officer = session.scalar(select(User).where(User.username == DEMO_APPROVER))
    approver = (
        AuditContext(actor_id=officer.id, actor=officer.username, role=officer.role.value)
        if officer
        else None
    )
    return content.import_docs(session, SYSTEM, content.read_dir(content.SHIPPED), now(), approver)
