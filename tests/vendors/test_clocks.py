"""A BAA's standing and renewal warning, and a contact's yearly verification, on the compliance
pack's calendar (Pacific time)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from memberdesk.vendors import clocks
from memberdesk.vendors.enums import BaaStanding


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("at", "standing"),
    [
        ("2025-12-31T12:00:00-08:00", BaaStanding.NOT_YET_EFFECTIVE),
        ("2026-01-01T00:00:00-08:00", BaaStanding.CURRENT),
        ("2026-10-01T23:59:59-07:00", BaaStanding.CURRENT),  # the day before the warning
        ("2026-10-02T00:00:00-07:00", BaaStanding.RENEWAL_DUE),  # 90 days before expiry
        ("2026-12-31T23:59:59-08:00", BaaStanding.RENEWAL_DUE),  # its last second
        ("2027-01-01T00:00:00-08:00", BaaStanding.EXPIRED),
        ("2027-01-01T07:59:59+00:00", BaaStanding.RENEWAL_DUE),  # still 31 Dec in California
    ],
)
def test_a_baa_warns_ninety_days_before_it_expires(at: str, standing: BaaStanding) -> None:
    clock = clocks.baa_clock(date(2026, 1, 1), date(2026, 12, 31), 90, T(at))
    assert clock.standing is standing
    assert clock.renewal_due_on == date(2026, 10, 2)
    assert clock.expires_at == T("2026-12-31T23:59:59-08:00")


def test_the_renewal_date_follows_the_notice_days() -> None:
    clock = clocks.baa_clock(
        date(2026, 1, 1), date(2026, 12, 31), 30, T("2026-12-01T09:00:00-08:00")
    )
    assert clock.renewal_due_on == date(2026, 12, 1) and clock.standing is BaaStanding.RENEWAL_DUE
    forever = clocks.baa_clock(date(2020, 1, 1), None, 90, T("2040-01-01T00:00:00-08:00"))
    assert forever.standing is BaaStanding.CURRENT and forever.expires_at is None


def test_a_contact_is_due_for_verification_a_year_later() -> None:
    due = clocks.verification_due(date(2025, 12, 1))
    assert due == T("2026-12-01T23:59:59-08:00")
    assert not clocks.verification_stale(date(2025, 12, 1), T("2026-12-01T23:00:00-08:00"))
    assert clocks.verification_stale(date(2025, 12, 1), T("2026-12-02T00:00:00-08:00"))
