"""What the register's pages share: the words for each field's problem and each success, the
clocks as rows of words, the plan's card, and the incident page itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from memberdesk.breaches import plan, service, views, words
from memberdesk.breaches.clocks import zone
from memberdesk.breaches.enums import ClockStatus, Factor, IncidentState
from memberdesk.breaches.models import Incident
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.web.pages import render

HELP = {
    "discovered_at": "Enter when it was discovered, not later than now.",
    "discovered_by": "Say who discovered it.",
    "summary": "Say what happened (up to 4,000 characters).",
    "phi_kinds": "Tick at least one kind of information involved.",
    "affected_count": "Enter how many people are affected: a whole number, 0 or more.",
    "residents_by_state": "Give each state as its two-letter code and a count, 0 or more, "
    "adding up to no more than the people affected (for example CA 120, OR 4).",
    "basis": "Not a breach on a low probability of compromise needs all four factors of the "
    "risk assessment first; otherwise choose the exclusion that applies.",
    "rationale": "Explain the decision.",
    "sent_at": "Enter when it was sent: not before the incident was discovered, and not later "
    "than now.",
    "people": "Enter how many people this notice reached.",
    "state": "For the media, give the state's two-letter code (and only for the media).",
    "review_due": "The review date must come after the date the plan was adopted.",
    "content_base64": "Upload the plan as a PDF or plain-text file.",
}
DONE = {
    "recorded": "Incident recorded. Its notice clocks are running from the discovery.",
    "assessed": "Risk assessment saved.",
    "decided": "Decision recorded.",
    "notice": "Notice recorded.",
    "plan": "Incident-response plan uploaded.",
}


def today() -> date:
    """Today on the compliance pack calendar's clock (Pacific time)."""
    return now().astimezone(zone()).date()


def clock_rows(session: Session, incident: Incident, at: datetime) -> list[dict[str, Any]]:
    """The incident's notice clocks as rows of words, with their countdowns."""
    rows = []
    for s in service.standings(session, incident, at):
        text, late = words.countdown(s.clock.due, at)
        live = s.status in (ClockStatus.RUNNING, ClockStatus.OVERDUE)
        rows.append(
            {
                "to": words.recipient(s.clock.recipient, s.clock.state, s.clock.annual_log),
                "due": words.when(s.clock.due, at),
                "countdown": text if live else "",
                "late": live and late,
                "status": words.CLOCK_STATUS[s.status],
                "rule": s.clock.rule,
                "citation": s.clock.citation,
                "reached": (
                    f"{s.reached:,} of {s.clock.owed:,} reached" if s.clock.owed is not None else ""
                ),
                "live": live,
                "due_at": s.clock.due,
            }
        )
    return rows


def plan_card(session: Session) -> dict[str, Any] | None:
    """The current response plan and how its review stands (None: no plan on file)."""
    p = plan.current(session)
    if p is None:
        return None
    days = plan.days_to_review(p, today())
    return {
        "title": p.title,
        "version": p.version,
        "adopted": p.adopted_on,
        "review_due": p.review_due,
        "overdue": days < 0,
        "soon": 0 <= days <= plan.REVIEW_SOON_DAYS,
        "days": abs(days),
    }


def incident_page(
    request: Request,
    session: Any,
    principal: Principal,
    incident: Incident,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """The incident page: facts, clocks, assessment, decision and notices."""
    at = now()
    out = views.incident_out(session, incident, at)
    return render(
        request,
        "breaches/incident.html",
        principal,
        status=status,
        i=out,
        state=words.STATES[incident.state],
        assessing=incident.state is IncidentState.ASSESSING,
        notices_open=incident.state is not IncidentState.NOT_A_BREACH,
        discovered=words.when(incident.discovered_at, at),
        kinds=words.phi_kinds(incident.phi_kinds),
        clocks=clock_rows(session, incident, at),
        factors=[(f.value, words.FACTORS[f], out.assessment[f.value]) for f in Factor],
        risks={k.value: v for k, v in words.RISKS.items()},
        outcomes={k.value: v for k, v in words.OUTCOMES.items()},
        bases={"": "Not needed for a breach", **{k.value: v for k, v in words.BASES.items()}},
        recipients={k.value: v for k, v in words.RECIPIENTS.items()},
        methods={k.value: v for k, v in words.METHODS.items()},
        basis_words=words.BASES.get(incident.basis) if incident.basis else None,
        outcome_words=words.OUTCOMES.get(incident.outcome) if incident.outcome else None,
        decided=words.when(incident.decided_at, at) if incident.decided_at else None,
        notices=[
            {
                "to": words.recipient(n.recipient, n.state, False),
                "sent": words.when(n.sent_at, at),
                "method": words.METHODS[n.method],
                "people": n.people,
            }
            for n in out.notices
        ],
        **{"errors": {}, "typed": {}, "done": None, **ctx},
    )
