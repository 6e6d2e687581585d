"""The KPI formulas, exactly as memberdesk defines them (pure: no I/O, no database).

For the call records of a period (one record per call offered to a queue):

- offered = every record; answered = those with an answer time; abandoned = those with an
  abandon time; short abandoned = abandoned after waiting less than the short-abandon threshold
  (default 5 s): callers who hung up before anyone could have answered.
- service level = answered within T seconds / (offered - short abandoned). Calls neither
  answered nor abandoned (still waiting when the period was cut, or lost) stay in the
  denominator: they were not answered in time.
- abandon rate = (abandoned - short abandoned) / (offered - short abandoned).
- ASA = mean wait of answered calls; AHT = mean talk + hold + wrap of answered calls.
- occupancy = handle time / time agents were logged in and not on a break.
- CSAT = share of 4-5 answers on a 1-5 scale; NPS = %(9-10) - %(0-6), from -100 to 100.
- CAHPS customer service: per item, the Usually + Always share (the NCQA summary rate) and the
  Always share (top box); the composite is the mean of the items; an item with fewer than 100
  answers is not reported.

A measure with nothing to measure (no calls offered, no answers) is None, never 0 or an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

K = TypeVar("K")

SHORT_ABANDON_SECONDS = 5.0
INTERVAL_MINUTES = 30  # rollups count calls by the half hour they were offered in
NO_AGENT = ""  # the rollup key of calls no agent took (abandoned, or still waiting)
CAHPS_MIN_ANSWERS = 100
CAHPS_ANSWERS = ("never", "sometimes", "usually", "always")


@dataclass(frozen=True)
class CallRecord:
    """One call offered to a queue. Times are aware datetimes; seconds are zero or more."""

    call_id: str
    queue: str
    offered_at: datetime
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    wrap_seconds: float = 0.0
    agent_id: str | None = None
    member_id: str | None = None
    transfers: int = 0  # known for calls fed live; a call-record file has no column for them
    warm_transfers: int = 0

    @property
    def wait_seconds(self) -> float | None:
        """Seconds from offer to answer or abandonment (None while neither happened)."""
        end = self.answered_at or self.abandoned_at
        return None if end is None else (end - self.offered_at).total_seconds()

    @property
    def handle_seconds(self) -> float:
        """Talk + hold + wrap."""
        return self.talk_seconds + self.hold_seconds + self.wrap_seconds


def interval_of(at: datetime) -> datetime:
    """The start of the half hour (UTC) ``at`` falls in."""
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % INTERVAL_MINUTES, second=0, microsecond=0)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


@dataclass
class CallTally:
    """Counts and sums of call records, from which every call measure follows.

    Tallies add up (``+``): a period's tally is the sum of its intervals', in any order, so
    rollups never rescan the calls. ``threshold`` and ``short_abandon`` are fixed when calls
    are counted, since they decide which counter a call lands in.
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within: int = 0
    wait_seconds: float = 0.0  # of answered calls
    handle_seconds: float = 0.0  # of answered calls
    transferred: int = 0  # answered calls passed on to another queue or agent
    warm_transferred: int = 0  # ... with the agent introducing the caller

    def count(
        self,
        call: CallRecord,
        threshold: float,
        short_abandon: float = SHORT_ABANDON_SECONDS,
    ) -> None:
        """Add one call."""
        self.offered += 1
        wait = call.wait_seconds
        if call.answered_at is not None and wait is not None:
            self.answered += 1
            self.wait_seconds += wait
            self.handle_seconds += call.handle_seconds
            if wait <= threshold:
                self.answered_within += 1
            if call.transfers:
                self.transferred += 1
                self.warm_transferred += bool(call.warm_transfers)
        elif call.abandoned_at is not None and wait is not None:
            self.abandoned += 1
            if wait < short_abandon:
                self.short_abandoned += 1

    def __add__(self, other: CallTally) -> CallTally:
        return CallTally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __neg__(self) -> CallTally:
        """The tally that takes this one back out of a sum (a rollup correction)."""
        return CallTally(*(-getattr(self, f.name) for f in fields(self)))

    def is_zero(self) -> bool:
        """True when adding it changes nothing."""
        return all(abs(getattr(self, f.name)) < 1e-9 for f in fields(self))

    @property
    def service_level(self) -> float | None:
        """Answered within the threshold / (offered - short abandoned)."""
        return _share(self.answered_within, self.offered - self.short_abandoned)

    @property
    def abandon_rate(self) -> float | None:
        """(Abandoned - short abandoned) / (offered - short abandoned)."""
        return _share(self.abandoned - self.short_abandoned, self.offered - self.short_abandoned)

    @property
    def asa_seconds(self) -> float | None:
        """Average speed of answer: mean wait of answered calls."""
        return _share(self.wait_seconds, self.answered)

    @property
    def aht_seconds(self) -> float | None:
        """Average handle time: mean talk + hold + wrap of answered calls."""
        return _share(self.handle_seconds, self.answered)

    @property
    def transfer_rate(self) -> float | None:
        """Answered calls transferred / answered calls."""
        return _share(self.transferred, self.answered)

    @property
    def warm_transfer_share(self) -> float | None:
        """Warm transfers / transfers (the rest were cold: the caller was just passed on)."""
        return _share(self.warm_transferred, self.transferred)


def add_tallies(into: dict[K, CallTally], more: dict[K, CallTally]) -> None:
    """Add each tally of ``more`` into its key's tally in ``into``."""
    for key, tally in more.items():
        into[key] = into[key] + tally if key in into else tally


def figures(t: CallTally) -> dict[str, Any]:
    """A tally as commands and reports print it (rates as fractions, None when unmeasurable)."""
    return {
        "offered": t.offered,
        "answered": t.answered,
        "abandoned": t.abandoned,
        "short_abandoned": t.short_abandoned,
        "service_level": t.service_level,
        "abandon_rate": t.abandon_rate,
        "asa_seconds": t.asa_seconds,
        "aht_seconds": t.aht_seconds,
    }


def tally_calls(
    calls: Iterable[CallRecord],
    threshold: float,
    short_abandon: float = SHORT_ABANDON_SECONDS,
) -> CallTally:
    """The tally of ``calls``."""
    tally = CallTally()
    for call in calls:
        tally.count(call, threshold, short_abandon)
    return tally


def occupancy(handle_seconds: float, available_seconds: float) -> float | None:
    """Handle time / time agents were logged in and not on a break."""
    return _share(handle_seconds, available_seconds)


def csat(answers: Iterable[int]) -> float | None:
    """Share of 4 and 5 answers on a 1-5 scale."""
    scores = list(answers)
    _in_scale(scores, 1, 5, "csat")
    return _share(sum(1 for s in scores if s >= 4), len(scores))


def nps(answers: Iterable[int]) -> float | None:
    """Promoters (9-10) minus detractors (0-6), in percentage points from -100 to 100."""
    scores = list(answers)
    _in_scale(scores, 0, 10, "nps")
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def _in_scale(scores: list[int], low: int, high: int, what: str) -> None:
    if any(not low <= s <= high for s in scores):
        raise ValueError(f"{what} answers must be whole numbers from {low} to {high}")


@dataclass(frozen=True)
class CahpsItem:
    """One CAHPS item's answers: the summary rate (usually + always) and the top box."""

    answers: int
    usually_or_always: float | None
    always: float | None

    @property
    def reported(self) -> bool:
        """False below the minimum number of answers (shown as "NA")."""
        return self.answers >= CAHPS_MIN_ANSWERS


def cahps_item(answers: Iterable[str]) -> CahpsItem:
    """Summarise one item's Never / Sometimes / Usually / Always answers."""
    given = [a.lower() for a in answers]
    if any(a not in CAHPS_ANSWERS for a in given):
        raise ValueError("CAHPS answers are never, sometimes, usually or always")
    n = len(given)
    if n < CAHPS_MIN_ANSWERS:
        return CahpsItem(n, None, None)
    return CahpsItem(
        n,
        sum(1 for a in given if a in ("usually", "always")) / n,
        sum(1 for a in given if a == "always") / n,
    )


def cahps_composite(items: Iterable[CahpsItem]) -> float | None:
    """Mean of the items' summary rates; None when any item is not reported."""
    rates = [i.usually_or_always for i in items]
    if not rates or any(r is None for r in rates):
        return None
    return sum(r for r in rates if r is not None) / len(rates)
