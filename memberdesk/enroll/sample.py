"""Sample 834 files drawn from the synthetic books (``memberdesk enroll sample``).

The same generators as ``memberdesk seed`` draw the people, households and coverage histories;
instead of inserting them, this writes them as an 834 of additions, as a carrier (CalChoice:
one transaction set per employer group) or the state (the Oregon Health Plan: one for the
book) would send them. Importing the file then adds what seeding would have added (less what
an 834 does not carry: life events, ID-card requests, confidential addresses).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.enroll.enums import Maintenance
from memberdesk.enroll.x12_834 import PlanRef, interchange, member_loop, transaction_header
from memberdesk.members import seed as seeding
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Plan
from memberdesk.members.synthetic import AS_OF_DEFAULT

SENDERS = {
    LineOfBusiness.CALCHOICE.value: ("CALCHOICE", "CalChoice exchange"),
    LineOfBusiness.OREGON_MEDICAID.value: ("OREGONOHA", "Oregon Health Authority"),
}
RECEIVER = "MEMBERDESK"


def sample_834(
    session: Session,
    *,
    profile: str,
    members: int,
    seed: int,
    control: int = 1,
    as_of: date = AS_OF_DEFAULT,
) -> str:
    """An 834 adding ``members`` synthetic people of ``profile`` (writes only the plans, when
    they are not on file yet: an 834 names plans by code)."""
    if profile not in SENDERS:
        raise ValueError(f"profile must be one of {', '.join(SENDERS)}")
    ids = seeding._max_ids(session)
    gen = seeding._generator(session, profile, seed, as_of, ids)
    plans = {p.id: PlanRef(p.code, p.benefit) for p in session.scalars(select(Plan))}
    sender, sender_name = SENDERS[profile]
    at = datetime.combine(as_of, time(9, 0), tzinfo=UTC)
    out = interchange(sender, RECEIVER, control, at)
    # Oregon: one transaction set for the book; CalChoice: one per employer group.
    sets: dict[Any, list[str]] = defaultdict(list)
    sponsors: dict[Any, tuple[str, str]] = {}
    for batch, _ in gen.batches(members, 5000):
        groups = {g["id"]: g for g in batch.groups}
        spans: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for s in batch.spans:
            spans[s["member_id"]].append(s)
        numbers = {m["id"]: m["member_number"] for m in batch.members}
        for m in batch.members:
            holder = m["subscriber_id"] or m["id"]
            subscriber_number = numbers[holder].split("-")[0]
            group = groups.get(m["group_id"]) if m.get("group_id") else None
            key = group["group_number"] if group else profile
            if key not in sponsors:
                sponsors[key] = (group["name"], key) if group else (sender_name, sender)
            sets[key] += member_loop(
                m,
                subscriber_number,
                sorted(spans[m["id"]], key=lambda s: s["effective_date"]),
                plans,
                maintenance=Maintenance.ADD,
                group_number=group["group_number"] if group else None,
            )
    for n, (key, body) in enumerate(sets.items(), start=1):
        header = transaction_header(
            f"{sender}{control:06d}{n:04d}",
            at,
            full=False,
            sponsor=sponsors[key],
            payer=(sender_name, sender),
        )
        out.add("834", header + body)
    return out.text()
