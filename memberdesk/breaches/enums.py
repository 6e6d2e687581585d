"""Vocabulary of the breach register: PHI kinds, states, the four risk factors, notices."""

from __future__ import annotations

from enum import StrEnum

# US states, DC and the territories, by their postal codes.
_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
    "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
STATES = frozenset(_CODES.split(" "))


class PhiKind(StrEnum):
    """Kinds of protected health information an incident (or a vendor) may touch."""

    NAMES = "names"
    ADDRESSES = "addresses"
    DATES_OF_BIRTH = "dates_of_birth"
    SOCIAL_SECURITY_NUMBERS = "social_security_numbers"
    MEMBER_IDS = "member_ids"
    PHONE_NUMBERS = "phone_numbers"
    EMAIL_ADDRESSES = "email_addresses"
    DIAGNOSES = "diagnoses"
    TREATMENT = "treatment"
    CLAIMS = "claims"
    PAYMENT = "payment"
    CALL_RECORDINGS = "call_recordings"
    OTHER = "other"


class IncidentState(StrEnum):
    """Where an incident stands: assessed, then notices owed until every one is sent."""

    ASSESSING = "assessing"
    NOTIFYING = "notifying"
    COMPLETE = "complete"
    NOT_A_BREACH = "not_a_breach"


class Factor(StrEnum):
    """The four factors of the risk assessment (45 CFR 164.402(2)(i)-(iv))."""

    NATURE_EXTENT = "nature_extent"
    UNAUTHORIZED_PERSON = "unauthorized_person"
    ACQUIRED_VIEWED = "acquired_viewed"
    MITIGATION = "mitigation"


class Risk(StrEnum):
    """The assessor's judgement of one factor."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Outcome(StrEnum):
    """The decision: a reportable breach or not."""

    BREACH = "breach"
    NOT_A_BREACH = "not_a_breach"


class Basis(StrEnum):
    """Why an incident is not a breach: the assessment, or one of the three exclusions."""

    LOW_PROBABILITY = "low_probability"  # 164.402(2): needs the four-factor assessment
    UNINTENTIONAL_WORKFORCE = "unintentional_workforce"  # 164.402(1)(i)
    INADVERTENT_AUTHORIZED = "inadvertent_authorized"  # 164.402(1)(ii)
    UNABLE_TO_RETAIN = "unable_to_retain"  # 164.402(1)(iii)


class Recipient(StrEnum):
    """Who a breach notice goes to."""

    INDIVIDUALS = "individuals"
    CALIFORNIA = "california"
    HHS = "hhs"
    MEDIA = "media"


class NoticeMethod(StrEnum):
    """How a notice was given."""

    MAIL = "mail"
    EMAIL = "email"
    PHONE = "phone"
    SUBSTITUTE_NOTICE = "substitute_notice"  # 164.404(d)(2): web posting or media
    HHS_PORTAL = "hhs_portal"
    PRESS_RELEASE = "press_release"
    OTHER = "other"


class ClockStatus(StrEnum):
    """A notice clock's standing."""

    RUNNING = "running"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"
    NOT_REQUIRED = "not_required"
