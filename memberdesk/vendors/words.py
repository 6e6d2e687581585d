"""Plain words for the vendor register's pages (pure)."""

from __future__ import annotations

from datetime import date, datetime

from memberdesk.vendors.enums import BaaStanding, ContactRole, VendorKind, VendorStatus

KINDS = {
    VendorKind.OUTSOURCED_CALL_CENTRE: "Outsourced call centre",
    VendorKind.PRINT_MAIL_HOUSE: "Print and mail house",
    VendorKind.IVR_TELEPHONY: "Phone system (IVR and telephony)",
    VendorKind.INTERPRETER_SERVICE: "Interpreter service",
    VendorKind.CLOUD_HOST: "Cloud hosting",
    VendorKind.OTHER: "Other",
}
STATUSES = {
    VendorStatus.ONBOARDING: "Being set up",
    VendorStatus.ACTIVE: "Active",
    VendorStatus.SUSPENDED: "Suspended",
    VendorStatus.ENDED: "Ended",
}
ROLES = {
    ContactRole.ESCALATION: "Escalation",
    ContactRole.COMPLIANCE: "Compliance",
    ContactRole.ACCOUNT: "Account manager",
}
STANDINGS = {
    BaaStanding.NONE: "No agreement on file",
    BaaStanding.NOT_YET_EFFECTIVE: "Signed, not yet in force",
    BaaStanding.CURRENT: "In force",
    BaaStanding.RENEWAL_DUE: "In force, renewal due",
    BaaStanding.EXPIRED: "Expired",
}
WARNINGS = {
    "no_baa": "No Business Associate Agreement is on file.",
    "baa_not_yet_effective": "The agreement is signed but not yet in force.",
    "baa_renewal_due": "The agreement's renewal is due.",
    "baa_expired": "The agreement has expired.",
    "active_without_current_baa": "Active without an agreement in force: suspend the vendor or "
    "renew the agreement.",
    "no_escalation_contact": "No escalation contact is recorded.",
    "no_compliance_contact": "No compliance contact is recorded.",
    "contact_unverified": "A contact has not been confirmed within the last year.",
}
MEASURES = {
    "service_level": "Service level",
    "asa_seconds": "Average speed of answer",
    "abandon_rate": "Abandoned calls",
    "qa_score": "Quality (QA) score",
    "first_contact_resolution": "Resolved on the first contact",
    "csat": "Customer satisfaction",
}
STATUS_WORDS = {
    "ok": "Meets the target",
    "warning": "Near the limit",
    "breach": "Misses the target",
}


def value(measure: str, v: float | None) -> str:
    """A measure's value as people read it: 82%, 24 seconds."""
    if v is None:
        return "Not given"
    if measure.endswith("_seconds"):
        return f"{v:,.0f} seconds"
    return f"{v * 100:.1f}%".replace(".0%", "%")


def target(measure: str, goal: dict[str, float | bool | str] | None) -> str:
    """A goal in words: ``at least 80%``, ``at most 5%; above 8% misses it``."""
    if not goal:
        return "No target"

    def bound(key: str) -> str:
        return value(measure, float(goal[key]))

    parts = []
    if "warn_below" in goal:
        parts.append(f"at least {bound('warn_below')}")
    if "breach_below" in goal:
        lead = "below {} misses it" if parts else "at least {}"
        parts.append(lead.format(bound("breach_below")))
    if "warn_above" in goal:
        parts.append(f"at most {bound('warn_above')}")
    if "breach_above" in goal:
        lead = "above {} misses it" if "warn_above" in goal else "at most {}"
        parts.append(lead.format(bound("breach_above")))
    if measure == "service_level" and "within_seconds" in goal:
        parts[0] += f" answered within {float(goal['within_seconds']):.0f} seconds"
    return "; ".join(parts).capitalize()


def days_words(until: datetime, at: datetime) -> str:
    """``in 120 days`` or ``12 days ago`` (whole days)."""
    days = (until - at).days
    if days >= 0:
        return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def month(text: str) -> str:
    """``2026-05`` -> ``May 2026`` (staff pages are in English)."""
    year, _, m = text.partition("-")
    return date(int(year), int(m), 1).strftime("%B %Y")
