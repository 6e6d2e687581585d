"""Vocabulary of appeals, grievances, regulatory inquiries and legal referrals."""

from __future__ import annotations

from enum import StrEnum


class AppealKind(StrEnum):
    """A grievance (dissatisfaction with service) or an appeal (of an adverse decision)."""

    GRIEVANCE = "grievance"
    APPEAL = "appeal"


class Urgency(StrEnum):
    STANDARD = "standard"
    EXPEDITED = "expedited"


class IntakeChannel(StrEnum):
    """How the request was made: said (a call, a visit) or written (a letter, a form)."""

    ORAL = "oral"
    WRITTEN = "written"


class ReceivedVia(StrEnum):
    """The channel it arrived on (any channel the plan takes requests on)."""

    PHONE = "phone"
    VOICEMAIL = "voicemail"
    IN_PERSON = "in_person"
    LETTER = "letter"
    FAX = "fax"
    EMAIL = "email"
    PORTAL = "portal"
    CHAT = "chat"
    SMS = "sms"


class Requester(StrEnum):
    """Who filed it: the member, or a representative the member authorised."""

    MEMBER = "member"
    REPRESENTATIVE = "representative"


class ExpeditedBy(StrEnum):
    """Who asked for the expedited track (a provider's request counts under 42 CFR 438.410)."""

    MEMBER = "member"
    REPRESENTATIVE = "representative"
    PROVIDER = "provider"


class RepRelationship(StrEnum):
    PARENT = "parent"
    GUARDIAN = "guardian"
    SPOUSE = "spouse"
    ADULT_CHILD = "adult_child"
    OTHER_RELATIVE = "other_relative"
    FRIEND = "friend"
    ATTORNEY = "attorney"
    PROVIDER = "provider"
    OTHER = "other"


class ClaimType(StrEnum):
    """ERISA appeals run on different clocks before and after the service (29 CFR 2560.503-1)."""

    PRE_SERVICE = "pre_service"
    POST_SERVICE = "post_service"


class AppealState(StrEnum):
    """``open`` until decided or withdrawn; ``closed`` once the packet is complete."""

    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class Outcome(StrEnum):
    """The plan's decision on the appeal or grievance."""

    UPHELD = "upheld"  # the plan's original decision stands
    OVERTURNED = "overturned"  # in the member's favour
    PARTLY_OVERTURNED = "partly_overturned"


class ExtensionRequestedBy(StrEnum):
    """42 CFR 438.408(c): the member may ask for the extension, or the plan takes it."""

    MEMBER = "member"
    PLAN = "plan"


class NoticeKind(StrEnum):
    """Notices the member is sent about the appeal (each may meet a clock)."""

    ACKNOWLEDGEMENT = "acknowledgement"
    DELAY_NOTICE = "delay_notice"  # Oregon grievances: a notice of delay meets the 5 days
    EXTENSION = "extension"
    RESOLUTION = "resolution"
    DEEMED_EXHAUSTION = "deemed_exhaustion"
    WITHDRAWAL = "withdrawal"


class NoticeMethod(StrEnum):
    ORAL = "oral"  # by phone or in person
    LETTER = "letter"
    EMAIL = "email"
    PORTAL = "portal"
    FAX = "fax"


WRITTEN_METHODS = frozenset({NoticeMethod.LETTER, NoticeMethod.EMAIL, NoticeMethod.PORTAL})


class DocumentKind(StrEnum):
    REQUEST = "request"  # the member's letter or form
    AUTHORIZATION = "authorization"  # the representative's authorisation
    MEDICAL_RECORDS = "medical_records"
    CLAIM = "claim"
    EVIDENCE = "evidence"
    CORRESPONDENCE = "correspondence"
    DECISION = "decision"
    OTHER = "other"


class Direction(StrEnum):
    RECEIVED = "received"
    SENT = "sent"


class Regulator(StrEnum):
    DMHC = "dmhc"  # California Department of Managed Health Care
    OHA = "oha"  # Oregon Health Authority
    DOL = "dol"  # US Department of Labor (EBSA), for ERISA plans


class InquiryState(StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    CLOSED = "closed"


class ReferralState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
