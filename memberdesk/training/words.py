"""Plain words for the training pages (pure)."""

from __future__ import annotations

from datetime import date

from memberdesk.training.enums import CourseKind, DueStatus

KINDS = {
    CourseKind.INITIAL: "New-hire programme",
    CourseKind.HIPAA_ANNUAL: "Annual HIPAA training",
    CourseKind.PRIVACY_MODULE: "Privacy module for a role",
    CourseKind.DE_ESCALATION: "De-escalation",
    CourseKind.REGULATORY: "Regulatory topics",
    CourseKind.CONTINUING: "Continuing training",
}
STATUSES = {
    DueStatus.CURRENT: "Up to date",
    DueStatus.DUE: "Due",
    DueStatus.OVERDUE: "Overdue",
}
ROLES = {
    "tier1_agent": "Tier 1 agent",
    "tier2_specialist": "Benefits specialist",
    "tier3_appeals": "Appeals and compliance",
    "navigator": "Member navigator",
    "supervisor": "Supervisor",
    "qa_analyst": "QA analyst and trainer",
    "wfm_analyst": "Workforce analyst",
    "compliance_officer": "Compliance officer",
    "admin": "Administrator",
}


def hours(h: float | None) -> str:
    """``8 h``, ``1.5 h``."""
    if h is None:
        return ""
    return f"{h:.1f}".removesuffix(".0") + " h"


def day(d: date | None) -> str:
    """``Fri 4 Dec 2026``."""
    return d.strftime("%a %-d %b %Y") if d else ""


def roles(values: list[str]) -> str:
    """``Tier 1 agent, Supervisor`` or ``Everyone may take it``."""
    if not values:
        return "Optional for everyone"
    return ", ".join(ROLES.get(v, v) for v in values)


def renews(months: int | None, required: bool = True) -> str:
    """``Every 12 months``, ``Once`` (a required course) or ``As offered`` (an optional one)."""
    if months is None:
        return "Once" if required else "As offered"
    return "Every year" if months == 12 else f"Every {months} months"


def until(due_on: date | None, on: date) -> str:
    """``in 3 days``, ``today``, ``5 days ago``."""
    if due_on is None:
        return ""
    days = (due_on - on).days
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"
