"""The permission matrix, loaded from ``permissions.toml`` (data, not code)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from memberdesk.compliance.enums import Permission, Role

MATRIX_FILE = Path(__file__).with_name("permissions.toml")
MASK_KINDS = {
    "date_of_birth": {"year"},
    "phone": {"last4"},
    "member_number": {"last4"},
    "address": {"city"},
    "email": {"hidden"},
    "confidential": {"hidden"},
}


# Permissions that show protected health information (member data, or the audit log's old and
# new values and access reports, which name members). A role holding any of them is a "PHI role":
# granting it takes a second person (separation of duties, 45 CFR 164.308(a)(3)(ii)(B) and
# (a)(4)(ii)(B), workforce clearance and access authorisation).
PHI_PERMISSIONS = frozenset(
    {
        Permission.MEMBER_SEARCH,
        Permission.MEMBER_READ,
        Permission.MEMBER_WRITE,
        Permission.SELF_READ,
        Permission.SELF_WRITE,
        Permission.APPEAL_READ,
        Permission.APPEAL_CLINICAL_READ,
        Permission.APPEAL_WRITE,
        Permission.CONTACT_READ,
        Permission.CONTACT_WRITE,
        Permission.CASE_READ,
        Permission.CASE_WRITE,
        Permission.CASE_ASSIGN,
        Permission.AUDIT_READ,
        Permission.ACCESS_REPORT_READ,
        Permission.SURVEY_READ,
        Permission.FHIR_READ,
        # a trading partner's feed writes members (834) and is told their eligibility (271)
        Permission.ENROLL_IMPORT,
        Permission.X12_ELIGIBILITY,
    }
)


@dataclass(frozen=True)
class RolePolicy:
    """What one role may do, and which member fields it sees reduced."""

    role: Role
    permissions: frozenset[Permission]
    mask: dict[str, str]

    def allows(self, permission: Permission) -> bool:
        """True when the role holds the permission."""
        return permission in self.permissions

    @property
    def reads_phi(self) -> bool:
        """True when the role holds any permission that shows PHI."""
        return bool(self.permissions & PHI_PERMISSIONS)


def parse_matrix(text: str) -> dict[Role, RolePolicy]:
    """Parse and validate a matrix; unknown roles, permissions or masks are errors."""
    raw = tomllib.loads(text)["roles"]
    policies: dict[Role, RolePolicy] = {}
    for name, body in raw.items():
        role = Role(name)
        perms = frozenset(Permission(p) for p in body.get("permissions", []))
        mask = dict(body.get("mask", {}))
        for field, kind in mask.items():
            if kind not in MASK_KINDS.get(field, set()):
                raise ValueError(f"role {name}: cannot mask {field} as {kind!r}")
        policies[role] = RolePolicy(role, perms, mask)
    missing = set(Role) - set(policies)
    if missing:
        raise ValueError(f"permission matrix lacks roles: {sorted(missing)}")
    return policies


@lru_cache
def matrix() -> dict[Role, RolePolicy]:
    """The shipped matrix."""
    return parse_matrix(MATRIX_FILE.read_text())


def policy(role: Role | str) -> RolePolicy:
    """The policy of a role."""
    return matrix()[Role(role)]


def reads_phi(role: Role | str) -> bool:
    """Whether a role sees protected health information."""
    return policy(role).reads_phi
