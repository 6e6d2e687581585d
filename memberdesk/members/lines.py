"""Lines of business: what each book's members have and do not have (pure: no database).

A line of business decides the policy pack that runs its members' clocks, whether members come
through an employer group and pay premiums, and whether children age out of coverage at the
dependant age limit (an employer-plan rule; a child on Medicaid is eligible in their own right).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from memberdesk.language import N_
from memberdesk.members.dates import month_end
from memberdesk.members.enums import LineOfBusiness


@dataclass(frozen=True)
class Line:
    """One line of business and the rules that differ between them."""

    code: LineOfBusiness
    pack: str  # the policy pack ID (memberdesk/sla/packs/<pack>.toml)
    name: str  # in plain words, for pages (translated where shown)
    short: str  # where space is short (search results)
    employer_groups: bool
    premiums: bool
    dependant_age_limit: bool
    # HIPAA special enrolment windows (life events) belong to group plans; a Medicaid member
    # reports such changes to the state instead.
    special_enrolment: bool
    # The rule under which a member may ask for confidential communications.
    confidential_rule: str
    # Children under this age stay enrolled until the end of the month of that birthday, when
    # their renewal is due (so that date gives a birth month away, like an age-limit end).
    continuous_eligibility_age: int | None = None


LINES: dict[LineOfBusiness, Line] = {
    LineOfBusiness.CALCHOICE: Line(
        LineOfBusiness.CALCHOICE,
        pack="calchoice",
        name=N_("CalChoice small-employer plan (California)"),
        short="CalChoice",
        employer_groups=True,
        premiums=True,
        dependant_age_limit=True,
        special_enrolment=True,
        confidential_rule=N_("California Civil Code 56.107"),
    ),
    LineOfBusiness.OREGON_MEDICAID: Line(
        LineOfBusiness.OREGON_MEDICAID,
        pack="oregon-medicaid",
        name=N_("Oregon Health Plan (Medicaid)"),
        short="Oregon Health Plan (Medicaid)",
        employer_groups=False,
        premiums=False,
        dependant_age_limit=False,
        special_enrolment=False,
        confidential_rule=N_("HIPAA, 45 CFR 164.522(b)"),
        # Oregon's 2022-2027 Medicaid waiver: continuous eligibility to age 6 (verify against
        # the waiver in force).
        continuous_eligibility_age=6,
    ),
    LineOfBusiness.ERISA_GROUP: Line(
        LineOfBusiness.ERISA_GROUP,
        pack="erisa-group",
        name=N_("Self-funded employer plan (ERISA)"),
        short="Employer plan (ERISA)",
        employer_groups=True,
        premiums=True,
        dependant_age_limit=True,
        special_enrolment=True,
        confidential_rule=N_("HIPAA, 45 CFR 164.522(b)"),
    ),
}
DEFAULT_LINE = LineOfBusiness.CALCHOICE


def line_of(code: LineOfBusiness | str | None) -> Line:
    """The line of business with this code (the default line for None: a row written before
    lines of business existed, or an unidentified caller)."""
    return LINES[LineOfBusiness(code) if code is not None else DEFAULT_LINE]


def continuous_eligibility_end(line: Line, date_of_birth: date) -> date | None:
    """The last day of a young child's continuous eligibility on ``line`` (the end of the month
    of the birthday that ends it), or None where the line has no such rule."""
    if line.continuous_eligibility_age is None:
        return None
    return month_end(
        date(date_of_birth.year + line.continuous_eligibility_age, date_of_birth.month, 1)
    )
