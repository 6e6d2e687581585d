"""One-contact resolution (FCR), pure: no database, no clock of its own.

A contact marked resolved counts as resolved on first contact unless the same member contacts
again (inbound, on any channel) on one of the same reasons within ``window_days`` calendar days.
Calendar days are counted on the local dates of the pack's time zone: a contact on Wednesday
with a 7-day window is undone by a repeat up to and including the Wednesday after, and is
decided (true) once that day is over. Outbound contacts (callbacks, letters) are the plan
reaching out, not the member coming back, and never undo a resolution (nor are they judged:
``contacts.service.fcr_judged`` takes inbound contacts only). A contact not marked
resolved is simply not resolved; an unidentified caller's resolved contact cannot be matched
to a repeat and counts as resolved once its window closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo


@dataclass(frozen=True)
class ContactFact:
    """What FCR needs to know about one contact."""

    id: int
    member_id: int | None
    started_at: datetime
    reasons: frozenset[str]
    resolved: bool
    inbound: bool = True


@dataclass(frozen=True)
class FcrTally:
    """Counts over a set of contacts; ``rate`` = resolved ÷ decided."""

    contacts: int
    marked_resolved: int
    resolved: int
    not_resolved: int
    pending: int

    @property
    def rate(self) -> float | None:
        """Share resolved among contacts already decided (None when none is)."""
        decided = self.contacts - self.pending
        return self.resolved / decided if decided else None


def _local(at: datetime, tz: tzinfo) -> date:
    return at.astimezone(tz).date()


def window_closes(contact: ContactFact, window_days: int, tz: tzinfo) -> date:
    """The last local day on which a repeat contact undoes the resolution."""
    return _local(contact.started_at, tz) + timedelta(days=window_days)


def is_repeat(contact: ContactFact, other: ContactFact, window_days: int, tz: tzinfo) -> bool:
    """True when ``other`` is the same member coming back on a shared reason within the window."""
    if contact.member_id is None or other.member_id != contact.member_id or not other.inbound:
        return False
    if other.id == contact.id or not (contact.reasons & other.reasons):
        return False
    # Later contacts only; two logged at the same instant are ordered by id.
    if (other.started_at, other.id) <= (contact.started_at, contact.id):
        return False
    return _local(other.started_at, tz) <= window_closes(contact, window_days, tz)


def outcome(
    contact: ContactFact,
    others: Iterable[ContactFact],
    *,
    window_days: int,
    now: datetime,
    tz: tzinfo,
) -> bool | None:
    """True, False, or None while a resolved contact's window is still open without a repeat."""
    if not contact.resolved:
        return False
    if any(is_repeat(contact, o, window_days, tz) for o in others):
        return False
    if _local(now, tz) <= window_closes(contact, window_days, tz):
        return None
    return True


def outcomes(
    contacts: Iterable[ContactFact],
    others: Iterable[ContactFact],
    *,
    window_days: int,
    now: datetime,
    tz: tzinfo,
) -> list[tuple[ContactFact, bool | None]]:
    """Each contact with its outcome, judged against ``others`` (which may include them)."""
    by_member: dict[int, list[ContactFact]] = {}
    for o in others:
        if o.member_id is not None:
            by_member.setdefault(o.member_id, []).append(o)
    return [
        (
            c,
            outcome(
                c,
                by_member.get(c.member_id, []) if c.member_id is not None else [],
                window_days=window_days,
                now=now,
                tz=tz,
            ),
        )
        for c in contacts
    ]


def tally_of(judged: list[tuple[ContactFact, bool | None]]) -> FcrTally:
    """FCR counts of contacts already judged (``outcomes``)."""
    n = len(judged)
    resolved = sum(1 for _, r in judged if r)
    pending = sum(1 for _, r in judged if r is None)
    marked = sum(1 for c, _ in judged if c.resolved)
    return FcrTally(n, marked, resolved, n - resolved - pending, pending)


def tally(
    contacts: Iterable[ContactFact],
    others: Iterable[ContactFact],
    *,
    window_days: int,
    now: datetime,
    tz: tzinfo,
) -> FcrTally:
    """FCR counts for ``contacts``, judged against ``others`` (which may include them)."""
    return tally_of(outcomes(contacts, others, window_days=window_days, now=now, tz=tz))
