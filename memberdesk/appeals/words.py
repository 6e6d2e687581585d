"""Plain words for the appeals pages (pure): no code such as ``oregon-medicaid`` or
``partly_overturned`` is ever shown, and a deadline reads "Due in 2 days 4 hours"."""

from __future__ import annotations

from memberdesk.appeals.enums import (
    AppealKind,
    AppealState,
    ClaimType,
    DocumentKind,
    ExpeditedBy,
    ExtensionRequestedBy,
    InquiryState,
    IntakeChannel,
    NoticeKind,
    NoticeMethod,
    Outcome,
    ReceivedVia,
    Regulator,
    RepRelationship,
    Requester,
    Urgency,
)
from memberdesk.appeals.enums import Direction as DocDirection
from memberdesk.cases.words import clock_name as clock

__all__ = ["clock"]  # the regulatory clocks' names live with the case clocks' (cases/words.py)

KINDS = {AppealKind.GRIEVANCE: "Grievance", AppealKind.APPEAL: "Appeal"}
URGENCIES = {Urgency.STANDARD: "Standard", Urgency.EXPEDITED: "Expedited (urgent)"}
PACKS = {
    "calchoice": "California small-group plan (DMHC rules)",
    "oregon-medicaid": "Oregon Medicaid (Oregon Health Plan)",
    "erisa-group": "Employer plan under ERISA",
}
STATES = {
    AppealState.OPEN: "Open: being reviewed",
    AppealState.DECIDED: "Decided: packet to finish",
    AppealState.WITHDRAWN: "Withdrawn",
    AppealState.CLOSED: "Closed",
}
OUTCOMES = {
    Outcome.UPHELD: "Upheld: our decision stands",
    Outcome.OVERTURNED: "Overturned: in the member's favour",
    Outcome.PARTLY_OVERTURNED: "Partly overturned",
}
CHANNELS = {IntakeChannel.ORAL: "Said (by phone or in person)", IntakeChannel.WRITTEN: "Written"}
VIA = {
    ReceivedVia.PHONE: "phone call",
    ReceivedVia.VOICEMAIL: "voicemail",
    ReceivedVia.IN_PERSON: "in person",
    ReceivedVia.LETTER: "letter",
    ReceivedVia.FAX: "fax",
    ReceivedVia.EMAIL: "e-mail",
    ReceivedVia.PORTAL: "member portal",
    ReceivedVia.CHAT: "chat",
    ReceivedVia.SMS: "text message",
}
FILED_BY = {Requester.MEMBER: "The member", Requester.REPRESENTATIVE: "A representative"}
EXPEDITED_BY = {
    ExpeditedBy.MEMBER: "the member",
    ExpeditedBy.REPRESENTATIVE: "the representative",
    ExpeditedBy.PROVIDER: "the member's provider",
}
RELATIONSHIPS = {
    RepRelationship.PARENT: "Parent",
    RepRelationship.GUARDIAN: "Legal guardian",
    RepRelationship.SPOUSE: "Spouse or partner",
    RepRelationship.ADULT_CHILD: "Adult child",
    RepRelationship.OTHER_RELATIVE: "Other relative",
    RepRelationship.FRIEND: "Friend",
    RepRelationship.ATTORNEY: "Attorney",
    RepRelationship.PROVIDER: "Provider",
    RepRelationship.OTHER: "Someone else",
}
CLAIM_TYPES = {
    ClaimType.PRE_SERVICE: "Before the service (pre-service)",
    ClaimType.POST_SERVICE: "After the service (post-service)",
}
REQUESTED_BY = {
    ExtensionRequestedBy.MEMBER: "The member asked for it",
    ExtensionRequestedBy.PLAN: "We need it (in the member's interest)",
}
NOTICES = {
    NoticeKind.ACKNOWLEDGEMENT: "Acknowledgement",
    NoticeKind.DELAY_NOTICE: "Notice of delay",
    NoticeKind.EXTENSION: "Extension notice",
    NoticeKind.RESOLUTION: "Decision (resolution) letter",
    NoticeKind.DEEMED_EXHAUSTION: "Notice that our process is treated as finished",
    NoticeKind.WITHDRAWAL: "Withdrawal confirmation",
}
METHODS = {
    NoticeMethod.ORAL: "By phone or in person",
    NoticeMethod.LETTER: "Letter",
    NoticeMethod.EMAIL: "E-mail",
    NoticeMethod.PORTAL: "Member portal",
    NoticeMethod.FAX: "Fax",
}
DOCUMENTS = {
    DocumentKind.REQUEST: "The member's request",
    DocumentKind.AUTHORIZATION: "Representative's authorisation",
    DocumentKind.MEDICAL_RECORDS: "Medical records",
    DocumentKind.CLAIM: "Claim or bill",
    DocumentKind.EVIDENCE: "Other evidence",
    DocumentKind.CORRESPONDENCE: "Correspondence",
    DocumentKind.DECISION: "Decision",
    DocumentKind.OTHER: "Something else",
}
DIRECTIONS = {DocDirection.RECEIVED: "Received", DocDirection.SENT: "Sent"}
REGULATORS = {
    Regulator.DMHC: "California Department of Managed Health Care",
    Regulator.OHA: "Oregon Health Authority",
    Regulator.DOL: "US Department of Labor",
}
INQUIRY_STATES = {
    InquiryState.OPEN: "Open: answer due",
    InquiryState.RESPONDED: "Answered",
    InquiryState.CLOSED: "Closed",
}
STANDING = {
    "overdue": "Overdue",
    "due_24h": "Due within a day",
    "due_7d": "Due within a week",
    "later": "Later",
}


def pack(name: str) -> str:
    """A policy pack in words."""
    return PACKS.get(name, "Another line of business")


def title(kind: AppealKind, urgency: Urgency) -> str:
    """``Expedited appeal`` / ``Grievance``."""
    word = KINDS[kind]
    return f"Expedited {word.lower()}" if urgency is Urgency.EXPEDITED else word
