"""CalChoice premium split: employer's fixed contribution, employee's payroll deduction (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from memberdesk.members.enums import CoverageTier, Relationship


@dataclass(frozen=True)
class Rates:
    """Composite monthly premiums of a plan, in cents, per coverage tier."""

    employee: int
    employee_spouse: int
    employee_children: int
    family: int

    def for_tier(self, tier: CoverageTier) -> int:
        """The monthly premium of a tier."""
        return {
            CoverageTier.EMPLOYEE: self.employee,
            CoverageTier.EMPLOYEE_SPOUSE: self.employee_spouse,
            CoverageTier.EMPLOYEE_CHILDREN: self.employee_children,
            CoverageTier.FAMILY: self.family,
        }[tier]


@dataclass(frozen=True)
class PremiumSplit:
    """Who pays what each month, in cents."""

    tier: CoverageTier
    premium_cents: int
    employer_cents: int
    payroll_deduction_cents: int


def coverage_tier(dependents: Iterable[Relationship]) -> CoverageTier:
    """The tier implied by the covered dependants of a subscriber."""
    rels = set(dependents)
    partner = bool(rels & {Relationship.SPOUSE, Relationship.DOMESTIC_PARTNER})
    children = bool(rels & {Relationship.CHILD, Relationship.OTHER_DEPENDENT})
    if partner and children:
        return CoverageTier.FAMILY
    if partner:
        return CoverageTier.EMPLOYEE_SPOUSE
    if children:
        return CoverageTier.EMPLOYEE_CHILDREN
    return CoverageTier.EMPLOYEE


def premium_split(
    rates: Rates, tier: CoverageTier, contribution_employee: int, contribution_dependents: int
) -> PremiumSplit:
    """CalChoice: the employer pays a fixed amount; the employee pays the rest by payroll.

    The employer never pays more than the premium, so a cheap plan leaves no negative deduction.
    """
    premium = rates.for_tier(tier)
    offered = contribution_employee + (
        contribution_dependents if tier != CoverageTier.EMPLOYEE else 0
    )
    employer = min(premium, offered)
    return PremiumSplit(tier, premium, employer, premium - employer)
