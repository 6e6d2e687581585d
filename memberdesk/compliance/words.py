"""Plain words for the compliance console (pure): what each audited action means, what kind of
record it touched, why it was done. Pages never show the stored codes (``member.read``)."""

from __future__ import annotations

from memberdesk.compliance.enums import AuditAction as A
from memberdesk.compliance.enums import PurposeOfUse, Role, VerifyRunState

ACTIONS: dict[A, str] = {
    A.LOGIN: "Signed in",
    A.LOGIN_FAILED: "Failed to sign in",
    A.LOCKED_OUT: "Locked out after failed sign-ins",
    A.LOGOUT: "Signed out",
    A.SESSION_EXPIRED: "Session ended after idle time",
    A.TOKEN_CREATED: "Created an API token",
    A.TOKEN_REVOKED: "Revoked an API token",
    A.USER_CREATED: "Created an account",
    A.USER_DISABLED: "Disabled an account",
    A.USER_ROLE_CHANGED: "Changed an account's role",
    A.USER_ENABLED: "Enabled an account",
    A.USER_UNLOCKED: "Lifted an account's lock-out",
    A.PASSWORD_RESET: "Reset an account's password",
    A.PASSWORD_CHANGED: "Changed their password",
    A.ROLE_GRANT_REQUESTED: "Asked to give an account a role that sees member data",
    A.ROLE_GRANT_APPROVED: "Approved a role that sees member data",
    A.ROLE_GRANT_REJECTED: "Refused a role that sees member data",
    A.TEAM_CREATED: "Created a team",
    A.PORTAL_ENROLLED: "Opened a member portal account",
    A.PORTAL_ENROLMENT_FAILED: "Failed to open a member portal account",
    A.MEMBER_CREATED: "Added a member",
    A.MEMBER_UPDATED: "Changed a member's record",
    A.MEMBER_READ: "Viewed a member's record",
    A.MEMBER_SEARCH: "Searched for members",
    A.MEMBER_EXPORT: "Exported member records",
    A.DOCUMENT_DOWNLOAD: "Downloaded a document",
    A.LIFE_EVENT_RECORDED: "Recorded a life event",
    A.ID_CARD_REQUESTED: "Asked for an ID card",
    A.ID_CARD_UPDATED: "Updated an ID card request",
    A.ACCESS_REPORT: "Read an access report or the audit log",
    A.AUDIT_VERIFIED: "Verified the audit chain",
    A.AUDIT_VERIFY_STARTED: "Started a verification of the audit chain",
    A.LEGAL_HOLD_PLACED: "Placed a legal hold",
    A.LEGAL_HOLD_RELEASED: "Released a legal hold",
    A.RETENTION_RUN: "Ran retention (or its dry run)",
    A.KEYS_ROTATION_STARTED: "Started an encryption key rotation",
    A.KEYS_ROTATED: "Rotated the encryption keys",
    A.ACCESS_DENIED: "Was refused access",
    A.CALLS_IMPORTED: "Imported call records",
    A.FEED_RECEIVED: "Telephony events received",
    A.CONTACT_LOGGED: "Logged a contact",
    A.CONTACT_UPDATED: "Changed a contact",
    A.CONTACT_READ: "Viewed a contact",
    A.CONTACT_LISTED: "Listed a member's contacts",
    A.IDENTITY_VERIFIED: "Verified a caller's identity",
    A.FCR_REPORT: "Read the one-contact resolution report",
    A.VOICEMAIL_RECORDED: "Recorded a voicemail",
    A.CALLBACK_READ: "Viewed a callback",
    A.CALLBACK_LISTED: "Listed callbacks",
    A.CALLBACK_CLAIMED: "Took a callback to return",
    A.CALLBACK_ATTEMPTED: "Tried a callback",
    A.LETTER_LISTED: "Listed letters",
    A.LETTER_SENT: "Sent a letter",
    A.PORTAL_MESSAGE_SENT: "Sent a portal message",
    A.PORTAL_MESSAGES_READ: "Read portal messages",
    A.CASE_CREATED: "Opened a case",
    A.CASE_READ: "Viewed a case",
    A.CASE_LISTED: "Listed cases",
    A.CASE_STATE_CHANGED: "Moved a case on",
    A.CASE_ESCALATED: "Escalated a case",
    A.CASE_AUTO_ESCALATED: "A case escalated itself at its deadline",
    A.CASE_DEESCALATED: "Sent a case back a tier",
    A.CASE_ASSIGNED: "Assigned a case",
    A.CASE_NOTE_ADDED: "Added a case note",
    A.CASE_CONTACT_LINKED: "Linked a contact to a case",
    A.CASE_STEP_DONE: "Ticked a case checklist step",
    A.CASE_TRANSFER_REQUESTED: "Asked to transfer a case",
    A.CASE_TRANSFER_DECIDED: "Accepted or declined a case transfer",
    A.CASE_DOCUMENT_ADDED: "Added a document to a case",
    A.AGENT_SKILLS_SET: "Set an agent's skills",
    A.NAVIGATOR_FLAGGED: "Flagged a member for a navigator",
    A.NAVIGATOR_ASSIGNED: "Assigned a member navigator",
    A.NAVIGATOR_UNFLAGGED: "Took a member off the navigator list",
    A.NAVIGATOR_READ: "Viewed why a member has a navigator",
    A.NAVIGATOR_CASELOAD_READ: "Viewed a navigator's members",
    A.NAVIGATOR_RULES_RUN: "Ran the navigator rules",
    A.SURVEY_SENT: "Sent a survey",
    A.SURVEY_ANSWERED: "A survey was answered",
    A.SURVEY_PREFERENCE_CHANGED: "Changed a member's survey choice",
    A.SURVEY_COMMENTS_READ: "Read survey comments",
    A.SURVEY_INVITATIONS_READ: "Read who was sent surveys",
    A.SURVEY_ANSWERS_IMPORTED: "Imported survey answers",
    A.SLA_WARNED: "A deadline's warning time passed",
    A.SLA_BREACHED: "A deadline passed",
    A.APPEAL_RECEIVED: "Received an appeal or grievance",
    A.APPEAL_READ: "Viewed an appeal or grievance",
    A.APPEAL_LISTED: "Listed appeals and grievances",
    A.APPEAL_EXTENDED: "Extended an appeal's deadline",
    A.APPEAL_NOTICE_RECORDED: "Recorded a notice on an appeal",
    A.APPEAL_DOCUMENT_ADDED: "Added a document to an appeal",
    A.APPEAL_DECIDED: "Decided an appeal or grievance",
    A.APPEAL_WITHDRAWN: "Recorded an appeal's withdrawal",
    A.APPEAL_CLOSED: "Closed an appeal or grievance",
    A.APPEAL_DEEMED_EXHAUSTED: "An appeal passed its deadline undecided",
    A.APPEAL_REPORT: "Read the appeal reports",
    A.INQUIRY_RECEIVED: "Received a regulator's inquiry",
    A.INQUIRY_READ: "Viewed a regulator's inquiry",
    A.INQUIRY_UPDATED: "Updated a regulator's inquiry",
    A.REFERRAL_CREATED: "Opened a legal referral",
    A.REFERRAL_READ: "Viewed a legal referral",
    A.REFERRAL_UPDATED: "Updated a legal referral",
    A.LETTER_ISSUED: "Created a letter to a member",
    A.LETTER_READ: "Viewed a letter's details",
    A.LETTER_DOWNLOADED: "Downloaded a letter",
    A.USER_UPDATED: "Changed an account's name or team",
    A.TEAM_RENAMED: "Renamed a team",
    A.BREACH_RECORDED: "Recorded a privacy incident",
    A.BREACH_READ: "Viewed a privacy incident",
    A.BREACH_LISTED: "Listed the privacy incidents",
    A.BREACH_ASSESSED: "Assessed an incident's risk",
    A.BREACH_DECIDED: "Decided whether an incident is a breach",
    A.BREACH_NOTICE_RECORDED: "Recorded a breach notice sent",
    A.BREACH_REPORT: "Read the breach log for HHS",
    A.BREACH_PLAN_UPLOADED: "Stored the incident-response plan",
    A.BREACH_PLAN_DOWNLOADED: "Downloaded the incident-response plan",
    A.VENDOR_CREATED: "Added a vendor",
    A.VENDOR_STATUS_CHANGED: "Changed a vendor's status",
    A.VENDOR_BAA_ADDED: "Stored a business associate agreement",
    A.VENDOR_BAA_DOWNLOADED: "Downloaded a business associate agreement",
    A.VENDOR_CONTACT_ADDED: "Added a vendor contact",
    A.VENDOR_CONTACT_VERIFIED: "Confirmed a vendor contact",
    A.VENDOR_SCORECARD_RECORDED: "Recorded a vendor's monthly scorecard",
    A.KB_ARTICLE_CREATED: "Wrote a knowledge-base article",
    A.KB_VERSION_CREATED: "Wrote a new version of an article",
    A.KB_SUBMITTED: "Sent an article version for review",
    A.KB_APPROVED: "Approved an article version",
    A.KB_SENT_BACK: "Sent an article version back to its author",
    A.KB_PUBLISHED: "Published an article version",
    A.KB_RETIRED: "Retired an article version",
    A.KB_POINT_VERIFIED: "Recorded a phone number or address in an article as verified",
    A.KB_IMPORTED: "Imported knowledge-base articles",
    A.TRAINING_COURSE_CREATED: "Added a training course",
    A.TRAINING_PROFILE_SET: "Set a staff member's training start date",
    A.TRAINING_COMPLETION_RECORDED: "Recorded a completed training course",
    A.KB_SIGNOFF_OVERDUE: "Flagged a regulatory article change not signed off in time",
    A.KB_FEEDBACK_RECORDED: "Said whether a knowledge-base article helped on a contact",
    A.ENROLL_FILE_APPLIED: "Applied an enrolment file",
    A.ENROLL_FILE_REJECTED: "Refused an enrolment file",
    A.ELIGIBILITY_INQUIRY: "Answered an eligibility inquiry",
    A.QA_SCORECARD_CREATED: "Created a QA scorecard",
    A.QA_SAMPLE_DRAWN: "Drew the monthly QA sample",
    A.QA_EVALUATED: "Scored a contact for quality",
    A.QA_ACKNOWLEDGED: "Acknowledged a QA evaluation",
    A.QA_DISPUTED: "Disputed a QA evaluation",
    A.QA_DISPUTE_RESOLVED: "Decided a QA dispute",
    A.QA_CORRECTIVE_COMPLETED: "Completed corrective training",
    A.QA_CALIBRATION_CREATED: "Opened a QA calibration session",
}

OBJECTS: dict[str, str] = {
    "user": "Account",
    "breach_incident": "Privacy incident",
    "breach_report": "Breach log",
    "breach_response_plan": "Incident-response plan",
    "vendor": "Vendor",
    "kb_article": "Knowledge-base article",
    "enrollment_file": "Enrolment file",
    "kb_version": "Article version",
    "kb_library": "Knowledge base",
    "training_course": "Training course",
    "kb_feedback": "Knowledge-base feedback",
    "member": "Member",
    "contact": "Contact",
    "case": "Case",
    "callback": "Callback",
    "callback_list": "Callback list",
    "letter": "Letter",
    "letter_task": "Letter to send",
    "letter_list": "Letter list",
    "appeal": "Appeal or grievance",
    "appeal_report": "Appeal report",
    "regulatory_inquiry": "Regulator's inquiry",
    "legal_referral": "Legal referral",
    "role_grant": "Role grant",
    "case_transfer": "Case transfer",
    "case_document": "Case document",
    "audit_log": "Audit log",
    "audit_verify_run": "Chain verification",
    "survey_invitations": "Survey invitations",
    "survey_invitation": "Survey invitation",
    "survey_answers": "Survey answers",
    "survey_answer": "Survey answer",
    "survey_comments": "Survey comments",
    "survey_outbox": "Survey messages",
    "session": "Sign-in session",
    "report": "Report",
    "legal_hold": "Legal hold",
    "keyring": "Encryption keys",
    "id_card_request": "ID card request",
    "api_token": "API token",
    "telephony_feed": "Telephony feed",
    "team": "Team",
    "route": "Page or API route",
    "retention": "Retention",
    "navigator_rules": "Navigator rules",
    "navigator": "Member navigator",
    "member_search": "Member search",
    "life_event": "Life event",
    "employer_group": "Employer group",
    "call_import": "Call import",
    "qa_scorecard": "QA scorecard",
    "qa_evaluation": "QA evaluation",
    "qa_sample": "QA sample",
    "qa_corrective": "Corrective training",
    "qa_calibration": "QA calibration session",
}

PURPOSES: dict[str, str] = {
    PurposeOfUse.TREATMENT: "Treatment",
    PurposeOfUse.PAYMENT: "Payment",
    PurposeOfUse.OPERATIONS: "Health care operations",
    PurposeOfUse.INDIVIDUAL_REQUEST: "The member's own request",
    PurposeOfUse.COMPLIANCE: "Compliance",
    PurposeOfUse.LEGAL: "Legal",
}

RUN_STATES: dict[VerifyRunState, str] = {
    VerifyRunState.QUEUED: "Waiting to start",
    VerifyRunState.RUNNING: "Checking",
    VerifyRunState.PASSED: "The chain is intact",
    VerifyRunState.FAILED: "The chain did not verify",
    VerifyRunState.STOPPED: "Stopped before it finished (its server stopped); start it again",
}

RECORD_TYPES: dict[str, str] = {
    "member": "Members whose coverage ended long ago (de-identified, not deleted)",
    "life_event": "Life events",
    "id_card_request": "ID card requests",
    "login_attempt": "Sign-in attempts",
    "web_session": "Ended sign-in sessions",
    "call_record": "Call records (their half-hour totals stay)",
    "survey_comment": "Survey comments (the scores stay)",
}


def _humane(code: str) -> str:
    """A code nobody gave words yet, as words rather than a code (``foo_bar`` -> ``Foo bar``)."""
    text = code.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def action(code: str) -> str:
    """What an action means, e.g. ``member.read`` -> ``Viewed a member's record``."""
    try:
        return ACTIONS[A(code)]
    except ValueError:
        return _humane(code)


def object_kind(code: str | None) -> str:
    """The kind of record an entry touched, in words."""
    if not code:
        return ""
    return OBJECTS.get(code, _humane(code))


def purpose(code: str) -> str:
    """Why it was done (the HIPAA purpose of use), in words."""
    return PURPOSES.get(code, _humane(code))


def record_type(code: str) -> str:
    """A retention record type, in words."""
    return RECORD_TYPES.get(code, _humane(code))


def role(code: str) -> str:
    """A role's name ("Tier 1 agent"); the system's own work says "automatic"."""
    from memberdesk.web.pages import ROLE_NAMES  # the one list of role names; pages load late

    if code == "system":
        return "automatic"
    try:
        return ROLE_NAMES[Role(code)]
    except ValueError:
        return _humane(code)
