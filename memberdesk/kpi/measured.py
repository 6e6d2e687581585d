"""What the centre actually achieved over recent days, for planning: the average handle time of
answered calls (call rollups), one-contact resolution of the members' own contacts, and CSAT of
the survey answers. Each is None when there was nothing to measure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.kpi.channels import judged_contacts
from memberdesk.kpi.report import call_kpis, period
from memberdesk.surveys.report import survey_report


@dataclass(frozen=True)
class Measured:
    """Measured figures over [first, last] and how many items each rests on."""

    first: date
    last: date
    aht_seconds: float | None
    answered: int
    fcr: float | None
    fcr_decided: int
    csat: float | None
    csat_answers: int


def measured(session: Session, pack: str, first: date, last: date) -> Measured:
    """The pack's measured AHT, FCR and CSAT over whole days (``UnknownPackError`` for an
    unknown pack)."""
    calls, _ = call_kpis(session, pack, first, last)
    start, end = period(pack, first, last)
    outcomes = [r for _, r in judged_contacts(session, pack, start, end, now()) if r is not None]
    decided = len(outcomes)
    fcr = sum(outcomes) / decided if decided else None
    surveys = survey_report(session, pack, first, last, None)["total"]
    return Measured(
        first,
        last,
        calls.aht_seconds,
        calls.answered,
        fcr,
        decided,
        surveys["csat"],
        surveys["answers"],
    )
