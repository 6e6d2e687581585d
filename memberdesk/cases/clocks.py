"""Case clocks on their rows: started from the member's pack, paused only where the target
allows, met or stopped when the case does what the target asks.

The pure ``memberdesk.sla.clocks.Clock`` does the arithmetic; the row keeps its deadline and
warning time (indexed, for the sweeper) and the clock's history as JSON to rebuild it from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from memberdesk.cases.enums import OPEN_CLOCK_STATES, ClockState
from memberdesk.cases.models import Case, CaseClock
from memberdesk.clock import now
from memberdesk.sla import Clock, ClockError, PackError, Target, get_pack, get_target
from memberdesk.sla.packs import UnknownTargetError

# A deadline set by someone outside the packs (a regulator's response date): stored as is,
# never recomputed, paused or extended.
FIXED = "fixed"


def pack_target(pack: str, target_id: str, at: datetime) -> Target | None:
    """The pack's clock target in effect at ``at``, or None where the pack has no such clock
    (a Medicaid pack has no Tier 1 hand-off target, for one)."""
    try:
        calendar = get_pack(pack, None).get_calendar()
        target = get_target(pack, target_id, at.astimezone(calendar.tz).date())
    except (UnknownTargetError, PackError):
        return None
    return target if target.is_clock else None


def _store(row: CaseClock, clock: Clock) -> None:
    row.due_at = clock.due
    row.warn_at = clock.warning_at
    row.data = clock.to_dict()


def start(case: Case, target_id: str, at: datetime) -> CaseClock | None:
    """Start the pack's ``target_id`` clock on the case (None when the pack has none)."""
    target = pack_target(case.pack, target_id, at)
    if target is None:
        return None
    try:
        clock = Clock.for_target(target, at)
    except ClockError:
        # Started before the pack version took effect (an old message): count from now.
        at = max(at, now())
        clock = Clock.for_target(target, at)
    row = CaseClock(
        pack=case.pack,
        target=target_id,
        kind=str(clock.kind),
        amount=clock.amount,
        started_at=at,
        state=ClockState.RUNNING,
    )
    _store(row, clock)
    case.clocks.append(row)
    return row


def start_fixed(case: Case, target_id: str, started_at: datetime, due_at: datetime) -> CaseClock:
    """A clock whose deadline someone else set (a regulator's response date): the warning at
    the pack's usual share of the time, nothing recomputed later."""
    warn = started_at + (due_at - started_at) * 0.75 if due_at > started_at else due_at
    row = CaseClock(
        pack=case.pack,
        target=target_id,
        kind=FIXED,
        amount=0,
        started_at=started_at,
        due_at=due_at,
        warn_at=warn,
        state=ClockState.RUNNING,
        data={"kind": FIXED, "may_pause": False, "due": due_at.isoformat()},
    )
    case.clocks.append(row)
    return row


def rebuild(row: CaseClock) -> Clock:
    """The pure clock of a row: the same target version, its pauses and extensions replayed
    in the order they happened."""
    if row.kind == FIXED:
        raise ClockError(f"{row.target} has a fixed deadline")
    target = pack_target(row.pack, row.target, row.started_at)
    if target is None:  # the pack dropped the target: keep the stored deadline as it is
        raise ClockError(f"{row.pack}/{row.target} is no longer a clock of its pack")
    clock = Clock.for_target(target, row.started_at)
    steps: list[tuple[str, int, tuple[str, ...]]] = []
    for start_iso, end_iso, reason in row.data.get("pauses", []):
        steps.append((start_iso, 0, ("pause", reason)))
        if end_iso:
            steps.append((end_iso, 1, ("resume",)))
    for amount, reason, at_iso in row.data.get("extensions", []):
        steps.append((at_iso, 2, ("extend", str(amount), reason)))
    for at_iso, _, step in sorted(steps, key=lambda s: (datetime.fromisoformat(s[0]), s[1])):
        when = datetime.fromisoformat(at_iso)
        if step[0] == "pause":
            clock.pause(when, step[1])
        elif step[0] == "resume":
            clock.resume(when)
        else:
            clock.extend(int(step[1]), step[2], when)
    return clock


def extend(row: CaseClock, amount: int, reason: str, at: datetime) -> None:
    """Extend the row's clock as its rule allows (``ClockError`` saying why not); the new
    deadline and warning time are stored for the sweeper."""
    clock = rebuild(row)
    clock.extend(amount, reason, at)
    _store(row, clock)


def open_clocks(case: Case, targets: Iterable[str] | None = None) -> list[CaseClock]:
    """The case's open clocks (of ``targets`` when given)."""
    wanted = set(targets) if targets is not None else None
    return [
        c
        for c in case.clocks
        if c.state in OPEN_CLOCK_STATES and (wanted is None or c.target in wanted)
    ]


def pause(case: Case, at: datetime, reason: str) -> None:
    """Pause every running clock whose target may pause (regulatory clocks never do)."""
    for row in open_clocks(case):
        if row.state is ClockState.PAUSED or not row.data.get("may_pause"):
            continue
        clock = rebuild(row)
        clock.pause(at, reason)
        row.state = ClockState.PAUSED
        _store(row, clock)


def resume(case: Case, at: datetime) -> None:
    """Resume paused clocks; each deadline moves by exactly the paused time."""
    for row in open_clocks(case):
        if row.state is not ClockState.PAUSED:
            continue
        clock = rebuild(row)
        clock.resume(at)
        row.state = ClockState.BREACHED if row.breached_at else ClockState.RUNNING
        _store(row, clock)


def close(case: Case, targets: Iterable[str] | None, at: datetime, met: bool) -> list[CaseClock]:
    """Meet (or stop) the open clocks of ``targets`` (all when None); returns them."""
    closed = open_clocks(case, targets)
    for row in closed:
        try:
            clock = rebuild(row)
            clock.satisfy(at) if met else clock.stop(at)
            _store(row, clock)
        except ClockError:  # the pack dropped the target: the row's own state is the record
            pass
        row.state = ClockState.MET if met else ClockState.STOPPED
        row.closed_at = at
    return closed


def shown_state(row: CaseClock, at: datetime) -> ClockState:
    """The state to show: a running clock past its deadline is breached, swept or not."""
    if row.state is ClockState.RUNNING and row.due_at is not None and at > row.due_at:
        return ClockState.BREACHED
    return row.state
