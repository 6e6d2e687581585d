"""Roles, permissions and audit vocabulary."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TIER1_AGENT = "tier1_agent"
    TIER2_SPECIALIST = "tier2_specialist"
    TIER3_APPEALS = "tier3_appeals"
    NAVIGATOR = "navigator"
    SUPERVISOR = "supervisor"
    QA_ANALYST = "qa_analyst"
    WFM_ANALYST = "wfm_analyst"
    COMPLIANCE_OFFICER = "compliance_officer"
    ADMIN = "admin"
    TELEPHONY = "telephony"  # the telephony platform's system account: posts events, reads nothing
    # a trading partner's system account (clearinghouse, carrier, the state): sends 834 files
    # and 270 inquiries, reads nothing else
    EDI_GATEWAY = "edi_gateway"
    MEMBER = "member"


class Permission(StrEnum):
    MEMBER_SEARCH = "member.search"
    MEMBER_READ = "member.read"
    MEMBER_WRITE = "member.write"
    SELF_READ = "self.read"
    SELF_WRITE = "self.write"
    GROUP_READ = "group.read"
    PLAN_READ = "plan.read"
    APPEAL_READ = "appeal.read"
    APPEAL_CLINICAL_READ = "appeal.clinical.read"
    APPEAL_WRITE = "appeal.write"
    TEAM_READ = "team.read"
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"
    ACCESS_REPORT_READ = "access_report.read"
    LEGAL_HOLD_MANAGE = "legal_hold.manage"
    RETENTION_MANAGE = "retention.manage"
    WFM_USE = "wfm.use"
    SLA_READ = "sla.read"
    CONTACT_READ = "contact.read"
    CONTACT_WRITE = "contact.write"
    CASE_READ = "case.read"
    CASE_WRITE = "case.write"
    CASE_ASSIGN = "case.assign"  # supervisors: reassign work, see every queue and who holds what
    QUEUE_MANAGE = "queue.manage"  # queues, agent skills and capacity (no PHI)
    NAVIGATOR_MANAGE = "navigator.manage"  # flag, unflag and assign member navigators
    ROLE_GRANT_APPROVE = "role_grant.approve"  # second person for grants of PHI roles
    KPI_READ = "kpi.read"  # the centre's call figures (counts and times, no member data)
    KPI_FEED = "kpi.feed"  # the telephony platform's account: posts call and agent events
    SURVEY_READ = "survey.read"  # survey comments (free text, PHI) and who was invited
    BREACH_WRITE = "breach.write"  # compliance officers: the breach register and response plan
    VENDOR_WRITE = "vendor.write"  # compliance officers: vendors, their BAAs and scorecards
    KB_READ = "kb.read"  # the knowledge base: search and read what is in force (no PHI)
    KB_WRITE = "kb.write"  # write articles and versions, send them for review
    KB_APPROVE = "kb.approve"  # compliance sign-off: approve, publish, retire, verify contacts
    TRAINING_OWN = "training.own"  # staff: one's own training record and the course catalogue
    TRAINING_READ = "training.read"  # others' training records (supervisors: their team only)
    TRAINING_WRITE = "training.write"  # record completions, start dates and courses
    KB_FEEDBACK = "kb.feedback"  # agents: mark an article helpful or not, or none answered
    # The FHIR Patient Access API: a member's own compartment, or every member for staff who
    # hold member.read (fhir/service.py decides which from the matrix).
    FHIR_READ = "fhir.read"
    ENROLL_IMPORT = "enroll.import"  # send 834 enrolment files (adds, changes, terminations)
    X12_ELIGIBILITY = "x12.eligibility"  # send 270 inquiries, receive 271 answers
    QA_READ = "qa.read"  # QA evaluations and results: own (agents), team (supervisors), all
    QA_EVALUATE = "qa.evaluate"  # QA analysts: scorecards, samples, evaluations, calibration
    QA_RESPOND = "qa.respond"  # agents: acknowledge or dispute, complete corrective training
    QA_RESOLVE = "qa.resolve"  # supervisors and QA analysts: decide agents' disputes
    SESSION = "session"  # any signed-in user: own profile, sign-out, API tokens


class TokenScope(StrEnum):
    """What an API token may reach, in SMART on FHIR's words. No scope: everything the role
    may. Either scope: the FHIR API's reads only (``fhir.read``), for an app a member or a plan
    connects; ``patient/*.read`` is a member's own compartment, ``user/*.read`` what a staff
    role reads."""

    PATIENT_READ = "patient/*.read"
    USER_READ = "user/*.read"


# The permissions a scoped token keeps; every other route refuses it (403).
SCOPED_PERMISSIONS = frozenset({Permission.FHIR_READ})


class PurposeOfUse(StrEnum):
    """HIPAA purposes (45 CFR 164.506) recorded on every access."""

    TREATMENT = "treatment"
    PAYMENT = "payment"
    OPERATIONS = "operations"
    INDIVIDUAL_REQUEST = "individual_request"
    COMPLIANCE = "compliance"
    LEGAL = "legal"


class AuditAction(StrEnum):
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOCKED_OUT = "auth.locked_out"
    LOGOUT = "auth.logout"
    SESSION_EXPIRED = "auth.session_expired"
    TOKEN_CREATED = "auth.token_created"  # noqa: S105
    TOKEN_REVOKED = "auth.token_revoked"  # noqa: S105
    USER_CREATED = "user.created"
    USER_DISABLED = "user.disabled"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_ENABLED = "user.enabled"
    USER_UNLOCKED = "user.unlocked"
    USER_UPDATED = "user.updated"  # name shown to others, team (administration pages)
    PASSWORD_RESET = "user.password_reset"  # noqa: S105
    PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105
    ROLE_GRANT_REQUESTED = "user.role_grant_requested"
    ROLE_GRANT_APPROVED = "user.role_grant_approved"
    ROLE_GRANT_REJECTED = "user.role_grant_rejected"
    TEAM_CREATED = "team.created"
    TEAM_RENAMED = "team.renamed"
    PORTAL_ENROLLED = "portal.enrolled"
    PORTAL_ENROLMENT_FAILED = "portal.enrolment_failed"
    MEMBER_CREATED = "member.created"
    MEMBER_UPDATED = "member.updated"
    MEMBER_READ = "member.read"
    MEMBER_SEARCH = "member.search"
    MEMBER_EXPORT = "member.export"
    DOCUMENT_DOWNLOAD = "document.download"
    LIFE_EVENT_RECORDED = "life_event.recorded"
    ID_CARD_REQUESTED = "id_card.requested"
    ID_CARD_UPDATED = "id_card.updated"
    ACCESS_REPORT = "compliance.access_report"
    AUDIT_VERIFIED = "compliance.audit_verified"
    # a verification asked for on the console page, walked in the background
    AUDIT_VERIFY_STARTED = "compliance.audit_verify_started"
    LEGAL_HOLD_PLACED = "compliance.legal_hold_placed"
    LEGAL_HOLD_RELEASED = "compliance.legal_hold_released"
    RETENTION_RUN = "compliance.retention_run"
    KEYS_ROTATION_STARTED = "compliance.keys_rotation_started"
    KEYS_ROTATED = "compliance.keys_rotated"
    ACCESS_DENIED = "auth.access_denied"
    # KPIs (kpi/)
    CALLS_IMPORTED = "kpi.calls_imported"
    FEED_RECEIVED = "kpi.feed_received"  # live telephony events (may name callers' member IDs)
    # contacts and callbacks (contacts/)
    CONTACT_LOGGED = "contact.logged"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_READ = "contact.read"
    CONTACT_LISTED = "contact.listed"
    IDENTITY_VERIFIED = "contact.identity_verified"
    FCR_REPORT = "contact.fcr_report"
    VOICEMAIL_RECORDED = "callback.voicemail_recorded"
    CALLBACK_READ = "callback.read"
    CALLBACK_LISTED = "callback.listed"
    CALLBACK_CLAIMED = "callback.claimed"  # get-next handed a callback out
    CALLBACK_ATTEMPTED = "callback.attempted"
    LETTER_LISTED = "letter.listed"
    LETTER_SENT = "letter.sent"
    PORTAL_MESSAGE_SENT = "portal.message_sent"
    PORTAL_MESSAGES_READ = "portal.messages_read"
    # cases, queues and routing (cases/)
    CASE_CREATED = "case.created"
    CASE_READ = "case.read"
    CASE_LISTED = "case.listed"
    CASE_STATE_CHANGED = "case.state_changed"
    CASE_ESCALATED = "case.escalated"
    CASE_AUTO_ESCALATED = "case.auto_escalated"
    CASE_DEESCALATED = "case.deescalated"
    CASE_ASSIGNED = "case.assigned"
    CASE_NOTE_ADDED = "case.note_added"
    CASE_CONTACT_LINKED = "case.contact_linked"
    CASE_STEP_DONE = "case.checklist_step_done"
    CASE_TRANSFER_REQUESTED = "case.transfer_requested"
    CASE_TRANSFER_DECIDED = "case.transfer_decided"
    CASE_DOCUMENT_ADDED = "case.document_added"
    AGENT_SKILLS_SET = "queue.agent_skills_set"
    # member navigators (navigators/)
    NAVIGATOR_FLAGGED = "navigator.flagged"  # by hand (with a reason) or by the rules
    NAVIGATOR_ASSIGNED = "navigator.assigned"
    NAVIGATOR_UNFLAGGED = "navigator.unflagged"
    NAVIGATOR_READ = "navigator.read"  # a member's flag with its reasons
    NAVIGATOR_CASELOAD_READ = "navigator.caseload_read"  # the members a navigator owns
    NAVIGATOR_RULES_RUN = "navigator.rules_run"  # counts only
    # surveys (surveys/)
    SURVEY_SENT = "survey.sent"  # an invitation went to the member's address
    SURVEY_ANSWERED = "survey.answered"
    SURVEY_PREFERENCE_CHANGED = "survey.preference_changed"  # opted out, or back in
    SURVEY_COMMENTS_READ = "survey.comments_read"
    SURVEY_INVITATIONS_READ = "survey.invitations_read"
    SURVEY_ANSWERS_IMPORTED = "survey.answers_imported"  # counts only
    # the SLA worker: a stored deadline's warning time or deadline passed (each fired once)
    SLA_WARNED = "sla.warned"
    SLA_BREACHED = "sla.breached"
    # appeals, grievances, regulatory inquiries and legal referrals (appeals/)
    APPEAL_RECEIVED = "appeal.received"
    APPEAL_READ = "appeal.read"
    APPEAL_LISTED = "appeal.listed"
    APPEAL_EXTENDED = "appeal.extended"
    APPEAL_NOTICE_RECORDED = "appeal.notice_recorded"
    APPEAL_DOCUMENT_ADDED = "appeal.document_added"
    APPEAL_DECIDED = "appeal.decided"
    APPEAL_WITHDRAWN = "appeal.withdrawn"
    APPEAL_CLOSED = "appeal.closed"
    APPEAL_DEEMED_EXHAUSTED = "appeal.deemed_exhausted"  # by the worker, once
    APPEAL_REPORT = "appeal.report"  # counts and ids only
    INQUIRY_RECEIVED = "inquiry.received"
    INQUIRY_READ = "inquiry.read"
    INQUIRY_UPDATED = "inquiry.updated"
    REFERRAL_CREATED = "referral.created"
    REFERRAL_READ = "referral.read"
    REFERRAL_UPDATED = "referral.updated"
    # letters to members (letters/): LETTER_SENT above records a letter's sending too
    LETTER_ISSUED = "letter.issued"  # rendered and stored (who it is for, which template)
    LETTER_READ = "letter.read"  # its details (addressee, kind, dates)
    LETTER_DOWNLOADED = "letter.downloaded"  # the PDF itself
    # the breach register (breaches/): counts and ids only, never the free text
    BREACH_RECORDED = "breach.recorded"
    BREACH_READ = "breach.read"
    BREACH_LISTED = "breach.listed"
    BREACH_ASSESSED = "breach.assessed"
    BREACH_DECIDED = "breach.decided"
    BREACH_NOTICE_RECORDED = "breach.notice_recorded"
    BREACH_REPORT = "breach.report"
    BREACH_PLAN_UPLOADED = "breach.plan_uploaded"
    BREACH_PLAN_DOWNLOADED = "breach.plan_downloaded"
    # business associates (vendors/)
    VENDOR_CREATED = "vendor.created"
    VENDOR_STATUS_CHANGED = "vendor.status_changed"
    VENDOR_BAA_ADDED = "vendor.baa_added"
    VENDOR_BAA_DOWNLOADED = "vendor.baa_downloaded"
    VENDOR_CONTACT_ADDED = "vendor.contact_added"
    VENDOR_CONTACT_VERIFIED = "vendor.contact_verified"
    VENDOR_SCORECARD_RECORDED = "vendor.scorecard_recorded"
    # the knowledge base (kb/): the plan's own guidance, no PHI
    KB_ARTICLE_CREATED = "kb.article_created"
    KB_VERSION_CREATED = "kb.version_created"
    KB_SUBMITTED = "kb.submitted"
    KB_APPROVED = "kb.approved"
    KB_SENT_BACK = "kb.sent_back"
    KB_PUBLISHED = "kb.published"
    KB_RETIRED = "kb.retired"
    KB_POINT_VERIFIED = "kb.point_verified"
    KB_IMPORTED = "kb.imported"  # counts only
    # training records (training/): staff, not members
    TRAINING_COURSE_CREATED = "training.course_created"
    TRAINING_PROFILE_SET = "training.profile_set"
    TRAINING_COMPLETION_RECORDED = "training.completion_recorded"
    KB_SIGNOFF_OVERDUE = "kb.signoff_overdue"  # the worker: a regulatory change not signed off
    KB_FEEDBACK_RECORDED = "kb.feedback_recorded"  # an agent's mark, with the contact's id
    # enrolment and eligibility exchange (enroll/): X12 834 files and 270 inquiries
    ENROLL_FILE_APPLIED = "enroll.file_applied"  # control numbers and counts only
    ENROLL_FILE_REJECTED = "enroll.file_rejected"  # control numbers and problem count only
    ELIGIBILITY_INQUIRY = "enroll.eligibility_inquiry"  # a 270 answered: a disclosure
    # quality assurance (quality/): scores and ids, never the comments' text
    QA_SCORECARD_CREATED = "qa.scorecard_created"
    QA_SAMPLE_DRAWN = "qa.sample_drawn"
    QA_EVALUATED = "qa.evaluated"
    QA_ACKNOWLEDGED = "qa.acknowledged"
    QA_DISPUTED = "qa.disputed"
    QA_DISPUTE_RESOLVED = "qa.dispute_resolved"
    QA_CORRECTIVE_COMPLETED = "qa.corrective_completed"
    QA_CALIBRATION_CREATED = "qa.calibration_created"


# Actions that disclose PHI: what "who accessed member X" reports.
PHI_ACCESS_ACTIONS = frozenset(
    {
        AuditAction.MEMBER_READ,
        AuditAction.MEMBER_SEARCH,
        AuditAction.MEMBER_EXPORT,
        AuditAction.DOCUMENT_DOWNLOAD,
        AuditAction.MEMBER_UPDATED,
        AuditAction.MEMBER_CREATED,
        AuditAction.LIFE_EVENT_RECORDED,
        AuditAction.ID_CARD_REQUESTED,
        AuditAction.ID_CARD_UPDATED,
        AuditAction.PORTAL_ENROLLED,
        # contacts and callbacks: who was contacted, about what, when (FCR_REPORT is counts only)
        AuditAction.CONTACT_LOGGED,
        AuditAction.CONTACT_UPDATED,
        AuditAction.CONTACT_READ,
        AuditAction.CONTACT_LISTED,
        AuditAction.IDENTITY_VERIFIED,
        AuditAction.VOICEMAIL_RECORDED,
        AuditAction.CALLBACK_READ,
        AuditAction.CALLBACK_LISTED,
        AuditAction.CALLBACK_CLAIMED,
        AuditAction.CALLBACK_ATTEMPTED,
        AuditAction.LETTER_LISTED,
        AuditAction.LETTER_SENT,
        AuditAction.PORTAL_MESSAGE_SENT,
        AuditAction.PORTAL_MESSAGES_READ,
        AuditAction.CASE_CREATED,
        AuditAction.CASE_READ,
        AuditAction.CASE_LISTED,
        AuditAction.CASE_STATE_CHANGED,
        AuditAction.CASE_ESCALATED,
        AuditAction.CASE_DEESCALATED,
        AuditAction.CASE_ASSIGNED,
        AuditAction.CASE_NOTE_ADDED,
        AuditAction.CASE_CONTACT_LINKED,
        AuditAction.CASE_STEP_DONE,
        AuditAction.CASE_TRANSFER_REQUESTED,
        AuditAction.CASE_TRANSFER_DECIDED,
        AuditAction.CASE_DOCUMENT_ADDED,
        # member navigators: who has complex needs, and why
        AuditAction.NAVIGATOR_FLAGGED,
        AuditAction.NAVIGATOR_ASSIGNED,
        AuditAction.NAVIGATOR_UNFLAGGED,
        AuditAction.NAVIGATOR_READ,
        AuditAction.NAVIGATOR_CASELOAD_READ,
        # surveys: who was written to, what they said, who read it
        AuditAction.SURVEY_SENT,
        AuditAction.SURVEY_ANSWERED,
        AuditAction.SURVEY_PREFERENCE_CHANGED,
        AuditAction.SURVEY_COMMENTS_READ,
        AuditAction.SURVEY_INVITATIONS_READ,
        # appeals and the regulator's and counsel's files: whose, about what, who read it
        AuditAction.APPEAL_RECEIVED,
        AuditAction.APPEAL_READ,
        AuditAction.APPEAL_LISTED,
        AuditAction.APPEAL_EXTENDED,
        AuditAction.APPEAL_NOTICE_RECORDED,
        AuditAction.APPEAL_DOCUMENT_ADDED,
        AuditAction.APPEAL_DECIDED,
        AuditAction.APPEAL_WITHDRAWN,
        AuditAction.APPEAL_CLOSED,
        AuditAction.APPEAL_DEEMED_EXHAUSTED,
        AuditAction.INQUIRY_RECEIVED,
        AuditAction.INQUIRY_READ,
        AuditAction.INQUIRY_UPDATED,
        AuditAction.REFERRAL_CREATED,
        AuditAction.REFERRAL_READ,
        AuditAction.REFERRAL_UPDATED,
        # letters: what was written to whom, and who read it
        AuditAction.LETTER_ISSUED,
        AuditAction.LETTER_READ,
        AuditAction.LETTER_DOWNLOADED,
        # breaches: which members an incident touched, and who read it
        AuditAction.BREACH_RECORDED,
        AuditAction.BREACH_READ,
        AuditAction.BREACH_LISTED,
        # a provider's 270 answered with a 271: eligibility disclosed outside the plan
        AuditAction.ELIGIBILITY_INQUIRY,
    }
)


class GrantStatus(StrEnum):
    """A request to give an account a role that reads PHI, decided by a second person."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class VerifyRunState(StrEnum):
    """Where a chain verification started from the console stands."""

    QUEUED = "queued"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"  # the chain did not verify: the run names the first bad entry
    STOPPED = "stopped"  # its server stopped mid-walk (no heartbeat); start another


class GrantKind(StrEnum):
    CREATE = "create"  # a new account, disabled until approved
    CHANGE = "change"  # an existing account's role
