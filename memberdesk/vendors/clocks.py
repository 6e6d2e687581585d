"""The vendor register's warning clocks (pure): a BAA's expiry and renewal, and a contact's
yearly verification, each read on the compliance pack's calendar through the SLA engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from memberdesk.sla.engine import ClockKind, compute_due
from memberdesk.sla.packs import get_pack
from memberdesk.vendors.enums import BaaStanding

PACK = "compliance"
VERIFY_EVERY_DAYS = 365  # the guide: confirm vendor, compliance and escalation contacts
CURRENT = (BaaStanding.CURRENT, BaaStanding.RENEWAL_DUE)


@dataclass(frozen=True, slots=True)
class BaaClock:
    """A BAA's standing at a moment, with the instants it turns."""

    standing: BaaStanding
    expires_at: datetime | None  # the end of its last day
    renewal_due_on: date | None  # from this day the renewal is due (warning)
    renewal_due_at: datetime | None  # the start of that day


def _calendar() -> str:
    return get_pack(PACK).calendar


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=get_pack(PACK).get_calendar().tz)


def end_of(day: date) -> datetime:
    """The last second of ``day`` on the pack calendar (a calendar-day clock of 0 days)."""
    return compute_due(_calendar(), ClockKind.CALENDAR_DAYS, 0, _start_of(day)).due


def local_day(at: datetime) -> date:
    """``at``'s date on the pack calendar's clock."""
    return at.astimezone(get_pack(PACK).get_calendar().tz).date()


def baa_clock(signed_on: date, expires_on: date | None, notice_days: int, at: datetime) -> BaaClock:
    """Where a BAA stands at ``at``: not yet in force, current, renewal due, or expired."""
    today = local_day(at)
    expires_at = end_of(expires_on) if expires_on else None
    # A renewal date is a contract date, so plain date arithmetic: no working days involved.
    renewal_on = expires_on - timedelta(days=notice_days) if expires_on else None
    renewal_at = _start_of(renewal_on) if renewal_on else None
    if today < signed_on:
        standing = BaaStanding.NOT_YET_EFFECTIVE
    elif expires_at is not None and at > expires_at:
        standing = BaaStanding.EXPIRED
    elif renewal_on is not None and today >= renewal_on:
        standing = BaaStanding.RENEWAL_DUE
    else:
        standing = BaaStanding.CURRENT
    return BaaClock(standing, expires_at, renewal_on, renewal_at)


def verification_due(verified_on: date) -> datetime:
    """When a contact verified on ``verified_on`` must be confirmed again (a year later)."""
    return compute_due(
        _calendar(), ClockKind.CALENDAR_DAYS, VERIFY_EVERY_DAYS, _start_of(verified_on)
    ).due


def verification_stale(verified_on: date, at: datetime) -> bool:
    """Not verified within the last year."""
    return at > verification_due(verified_on)
