"""The stored call history a forecast learns from (wfm/service.py), on both databases."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from memberdesk.compliance.audit import SYSTEM
from memberdesk.kpi.calls import parse_calls
from memberdesk.kpi.ingest import import_calls
from memberdesk.wfm.service import stored_history

HEADER = (
    "call_id,queue,offered_at,answered_at,abandoned_at,talk_seconds,hold_seconds,"
    "wrap_seconds,agent_id,member_id\n"
)


def _call(call_id: str, at: str) -> str:
    return f"{call_id},general,{at},,,0,0,0,,\n"


def test_a_history_across_the_change_of_clocks_with_calls_after_hours(db: Session) -> None:
    """Calls on both sides of the end of daylight time (1 Nov 2026), one at 6 pm after closing
    and one on a Saturday: each counts in its own half hour, and open half hours without a call
    are zeros (the demo's history broke the forecast page once: mixed UTC offsets)."""
    rows = [
        _call("a", "2026-10-30T09:05:00-07:00"),  # Friday, daylight time
        _call("b", "2026-10-30T18:10:00-07:00"),  # after closing
        _call("c", "2026-10-31T10:00:00-07:00"),  # Saturday
        _call("d", "2026-11-02T09:10:00-08:00"),  # Monday, standard time
        _call("e", "2026-11-02T09:20:00-08:00"),
    ]
    done = import_calls(
        db,
        SYSTEM,
        parse_calls(io.StringIO(HEADER + "".join(rows))),
        pack="calchoice",
        threshold=20,
        short_abandon=5,
    )
    assert done.error_count == 0
    history = stored_history(db, "calchoice")
    assert history is not None
    assert str(history.index.tz) == "America/Los_Angeles"
    assert history.sum() == 5
    at = {ts.strftime("%Y-%m-%d %H:%M %z"): n for ts, n in history.items()}
    assert at["2026-10-30 09:00 -0700"] == 1
    assert at["2026-10-30 18:00 -0700"] == 1
    assert at["2026-10-31 10:00 -0700"] == 1
    assert at["2026-11-02 09:00 -0800"] == 2
    assert at["2026-11-02 08:00 -0800"] == 0  # open, no call
    assert history.index.is_monotonic_increasing and history.index.is_unique
