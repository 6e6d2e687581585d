"""CalChoice premium split."""

from __future__ import annotations

from memberdesk.members.enums import CoverageTier, Relationship
from memberdesk.members.pricing import Rates, coverage_tier, premium_split

RATES = Rates(employee=50_000, employee_spouse=100_000, employee_children=90_000, family=142_500)


def test_tiers_from_dependants() -> None:
    assert coverage_tier([]) == CoverageTier.EMPLOYEE
    assert coverage_tier([Relationship.SPOUSE]) == CoverageTier.EMPLOYEE_SPOUSE
    assert coverage_tier([Relationship.DOMESTIC_PARTNER]) == CoverageTier.EMPLOYEE_SPOUSE
    assert coverage_tier([Relationship.CHILD, Relationship.CHILD]) == CoverageTier.EMPLOYEE_CHILDREN
    assert coverage_tier([Relationship.SPOUSE, Relationship.CHILD]) == CoverageTier.FAMILY


def test_employee_pays_difference_by_payroll() -> None:
    split = premium_split(
        RATES, CoverageTier.FAMILY, contribution_employee=40_000, contribution_dependents=30_000
    )
    assert (split.premium_cents, split.employer_cents, split.payroll_deduction_cents) == (
        142_500,
        70_000,
        72_500,
    )


def test_dependant_contribution_only_with_dependants() -> None:
    split = premium_split(RATES, CoverageTier.EMPLOYEE, 40_000, 30_000)
    assert (split.employer_cents, split.payroll_deduction_cents) == (40_000, 10_000)


def test_cheap_plan_leaves_no_negative_deduction() -> None:
    split = premium_split(RATES, CoverageTier.EMPLOYEE, 60_000, 0)
    assert (split.employer_cents, split.payroll_deduction_cents) == (50_000, 0)
