"""The compliance console's list of regulatory article changes awaiting sign-off, in words:
overdue first (with a link to the version), then the ones still on time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from memberdesk.contacts.timewords import local_time
from memberdesk.kb import signoff
from memberdesk.kb.enums import STATE_NAMES
from memberdesk.sla.packs import zone_of


def rows(session: Session, at: datetime) -> list[dict[str, Any]]:
    """Each regulatory version not yet signed off, overdue first."""
    out = []
    for s in signoff.waiting(session, at):
        v = s.version
        assert v.signoff_due_at is not None and v.signoff_pack is not None
        out.append(
            {
                "href": f"/kb/articles/{v.article_id}#version-{v.number}",
                "title": v.title,
                "number": v.number,
                "state": STATE_NAMES[v.state],
                "due": local_time(v.signoff_due_at, zone_of(v.signoff_pack), at),
                "overdue": s.overdue,
            }
        )
    return sorted(out, key=lambda r: not r["overdue"])
