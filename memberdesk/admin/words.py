"""Plain words for the administration pages (pure): statuses, done notices, the choices a
form offers, and a service's refusal put beside the field it is about."""

from __future__ import annotations

from memberdesk.admin.service import AccountStatus
from memberdesk.cases.enums import CaseType
from memberdesk.cases.ui_forms import sentence
from memberdesk.compliance.enums import Role
from memberdesk.errors import MemberdeskError
from memberdesk.members.seed_data import LANGUAGE_NAMES
from memberdesk.members.words import label

STATUS_WORDS = {
    AccountStatus.ACTIVE: "Active",
    AccountStatus.DISABLED: "Disabled",
    AccountStatus.LOCKED: "Locked out",
}
STATUS_FILTER = {"": "Any status", **{s.value: w for s, w in STATUS_WORDS.items()}}
# Staff roles an administrator may give: member portal accounts are opened by the member.
STAFF_ROLES = [r for r in Role if r != Role.MEMBER]
STAFF_ROLE_VALUES = {r.value: r for r in STAFF_ROLES}
STATUS_VALUES = {s.value: s for s in AccountStatus}
# Languages an agent can be routed work in: the languages members speak in both books.
LANGUAGES = dict(sorted(LANGUAGE_NAMES.items(), key=lambda kv: (kv[0] != "en", kv[1])))
CASE_TYPES = {t.value: label(t) for t in CaseType}
TIERS = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}

DONE = {
    "created": "Account created.",
    "created_waiting": "Account created. It stays disabled until another administrator or a "
    "compliance officer approves its role (Role grants).",
    "profile": "Name and team saved.",
    "unchanged": "Nothing to change: the name and team were already these.",
    "disabled": "Account disabled. Its sessions ended and its API tokens were revoked.",
    "enabled": "Account enabled.",
    "unlocked": "Lock-out lifted: the account can sign in again.",
    "role": "Role changed. The account's open sessions ended; its API tokens follow the new "
    "role at once.",
    "role_waiting": "This role shows member data, so another administrator or a compliance "
    "officer must approve it (Role grants). Until then the account keeps its role.",
    "skills": "Skills and languages saved. Get next and routing use them from now on.",
    "revoked": "API token revoked.",
    "team_created": "Team created.",
    "team_renamed": "Team renamed.",
    "approved": "Role grant approved: the role applies now.",
    "rejected": "Role grant rejected: the role stays as it was.",
}

# A refusal the services word for the API, said for a person.
REWORDED = {
    "no team with this name; an administrator creates teams first": "There is no team with "
    "this name. Choose one from the list, or create the team first on the Teams page.",
    "this username is taken": "This username is taken. Choose another.",
}

NO_PASSWORD = "Choose a first password for the account."  # noqa: S105 - words, not a secret
NOT_THE_SAME = "The two passwords are not the same. Type it again in both boxes."
Errors = dict[str, str]  # a field's name, or a section's, -> one sentence


def refusal(exc: MemberdeskError, fields: tuple[str, ...], section: str) -> Errors:
    """A service's refusal beside the field it names (``body.password`` -> ``password``), else
    beside the section's buttons."""
    name = (exc.field or "").removeprefix("body.")
    text = REWORDED.get(exc.message) or sentence(exc.message)
    return {name if name in fields else section: text}
