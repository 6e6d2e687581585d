"""Synthetic letter contexts: for previews of templates under review, and for tests. No real
member is ever in them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from memberdesk.letters.enums import LetterKind
from memberdesk.letters.pdf import Recipient

RECIPIENT = Recipient("Alex Sample", ("100 Example Street", "Sacramento, CA 95814"))


def sample_context(kind: LetterKind, zone: ZoneInfo, today: date) -> dict[str, Any]:
    """A full context for ``kind``, with dates around ``today`` on the pack's calendar."""
    received = datetime(today.year, today.month, today.day, 10, 30, tzinfo=zone) - timedelta(days=3)
    common: dict[str, Any] = {
        "member_name": "Alex Sample",
        "member_number": "000000000-00",
        "plan_name": "Sample Silver HMO",
        "reference": "A-SAMPLE-0001",
        "case_kind": "appeal",
        "received_at": received,
    }
    due = (received + timedelta(days=30)).replace(hour=23, minute=59, second=59)
    if kind is LetterKind.ACKNOWLEDGEMENT:
        return {
            **common,
            "urgency": "standard",
            "resolution_due_at": due,
            "summary": "The plan denied a request for an MRI of the knee.",
        }
    if kind is LetterKind.EXTENSION:
        return {
            **common,
            "extension_reason": "We are waiting for records from your doctor's office.",
            "original_due_at": due,
            "new_due_at": due + timedelta(days=14),
        }
    if kind is LetterKind.RESOLUTION:
        return {
            **common,
            "decision": "upheld",
            "rationale": "The records show the knee MRI does not yet meet the plan's criteria: "
            "six weeks of physical therapy come first.",
            "decided_at": received + timedelta(days=20),
        }
    return {**common, "missed_due_at": due}
