"""The notice clocks of a breach, from the ``compliance`` policy pack (pure: no database).

- Individuals: ``breach_notice_individuals`` (60 calendar days from discovery, 164.404(b)).
- California residents: ``breach_notice_california`` (Civil Code 1798.82), when any are affected.
- HHS: with the individuals when 500 or more are affected (164.408(b)); otherwise in the annual
  log, due 60 calendar days after the end of the calendar year of discovery (164.408(c)). The pack
  has no target of its own for the log: the same 60 calendar days are counted by the
  individuals' target, started at the last second of that year on the pack's calendar.
- The media of each state with more than 500 affected residents, with the individuals (164.406).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from memberdesk.breaches.enums import ClockStatus, Outcome, Recipient
from memberdesk.sla.packs import Target, get_pack, get_target

PACK = "compliance"
INDIVIDUALS = "breach_notice_individuals"
CALIFORNIA = "breach_notice_california"
HHS_WITH_INDIVIDUALS_AT = 500  # 164.408(b): "500 or more"
MEDIA_OVER = 500  # 164.406(a): "more than 500 residents of a State"


@dataclass(frozen=True, slots=True)
class Clock:
    """One notice owed: to whom, by when, on which rule."""

    recipient: Recipient
    target: str
    due: datetime
    rule: str
    citation: str
    state: str | None = None  # the media clock's state
    owed: int | None = None  # people to reach (individuals, California residents)
    annual_log: bool = False


@dataclass(frozen=True, slots=True)
class Sent:
    """A notice as the clocks read it."""

    recipient: Recipient
    sent_at: datetime
    people: int | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a clock stands at a moment."""

    clock: Clock
    status: ClockStatus
    met_at: datetime | None
    reached: int


def zone() -> ZoneInfo:
    """The compliance pack calendar's zone (its deadlines are read in it)."""
    return get_pack(PACK).get_calendar().tz


def policy_version() -> str:
    """The compliance pack version the clocks are computed on."""
    return get_target(PACK, INDIVIDUALS).policy_version


def year_end(discovered_at: datetime) -> datetime:
    """The last second of the calendar year of discovery, on the pack calendar's clock."""
    tz = zone()
    year = discovered_at.astimezone(tz).year
    return datetime(year, 12, 31, 23, 59, 59, tzinfo=tz)


def annual_log_due(discovered_at: datetime) -> datetime:
    """When the HHS annual log holding this breach is due (164.408(c))."""
    return get_target(PACK, INDIVIDUALS).compute_due(year_end(discovered_at)).due


def _clock(t: Target, recipient: Recipient, start: datetime, **kw: object) -> Clock:
    due = t.compute_due(start).due
    return Clock(recipient, t.id, due, t.rule, t.citation, **kw)  # type: ignore[arg-type]


def notice_clocks(
    discovered_at: datetime, affected: int, residents: Mapping[str, int]
) -> list[Clock]:
    """Every notice a breach discovered at ``discovered_at`` owes, by the pack's rules."""
    individuals = get_target(PACK, INDIVIDUALS)
    clocks = [_clock(individuals, Recipient.INDIVIDUALS, discovered_at, owed=affected)]
    california = residents.get("CA", 0)
    if california > 0:
        clocks.append(
            _clock(
                get_target(PACK, CALIFORNIA), Recipient.CALIFORNIA, discovered_at, owed=california
            )
        )
    if affected >= HHS_WITH_INDIVIDUALS_AT:
        clocks.append(
            Clock(
                Recipient.HHS,
                individuals.id,
                clocks[0].due,
                "with the notice to individuals (500 or more affected)",
                "45 CFR § 164.408(b)",
            )
        )
    else:
        clocks.append(
            Clock(
                Recipient.HHS,
                individuals.id,
                annual_log_due(discovered_at),
                "in the annual log, 60 days after the end of the calendar year of discovery",
                "45 CFR § 164.408(c)",
                annual_log=True,
            )
        )
    for state, count in sorted(residents.items()):
        if count > MEDIA_OVER:
            clocks.append(
                Clock(
                    Recipient.MEDIA,
                    individuals.id,
                    clocks[0].due,
                    "prominent media outlets of a state with more than 500 affected residents",
                    "45 CFR § 164.406",
                    state=state,
                )
            )
    return clocks


def standing(clock: Clock, sent: Iterable[Sent], outcome: Outcome | None, at: datetime) -> Standing:
    """Whether the notice was given in time, late, is still owed, or is not needed at all.

    People-counted notices (individuals, California) are met when the notices sent reach the
    number owed; the others by one notice (to the media: of that state)."""
    if outcome is Outcome.NOT_A_BREACH:
        return Standing(clock, ClockStatus.NOT_REQUIRED, None, 0)
    mine = sorted(
        (
            s
            for s in sent
            if s.recipient is clock.recipient and (clock.state is None or s.state == clock.state)
        ),
        key=lambda s: s.sent_at,
    )
    reached, met_at = 0, None
    for s in mine:
        reached += s.people or 0
        if clock.owed is None or reached >= clock.owed:
            met_at = s.sent_at
            break
    if met_at is not None:
        status = ClockStatus.MET if met_at <= clock.due else ClockStatus.MET_LATE
    else:
        status = ClockStatus.OVERDUE if at > clock.due else ClockStatus.RUNNING
    reached = sum(s.people or 0 for s in mine)
    return Standing(clock, status, met_at, reached)
