"""API shapes of the members domain; every field is described for /docs."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from memberdesk.clock import now
from memberdesk.contacts.schemas import ContactSummary
from memberdesk.members.enums import (
    Benefit,
    ConfidentialScope,
    CoverageSource,
    CoverageTier,
    IdCardReason,
    IdCardStatus,
    IneligibleReason,
    LifeEventType,
    LineOfBusiness,
    MetalTier,
    PlanType,
    Relationship,
    TerminationReason,
)
from memberdesk.members.rules import MEMBER_NUMBER_RE, SUBSCRIBER_NUMBER_RE
from memberdesk.navigators.schemas import NavigatorBrief
from memberdesk.schemas import Day

PHONE_DIGITS_RE = re.compile(r"^\d{10}$")


class ORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MemberSearch(BaseModel):
    """Exactly one search key: member ID; or last name with date of birth; or phone."""

    member_number: str | None = Field(
        default=None,
        description="Member ID printed on the ID card (123456789-01), or the subscriber number "
        "alone (123456789) to find the whole household",
    )
    last_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="Last name; case, accents, spaces and hyphens are ignored",
    )
    date_of_birth: Day | None = Field(default=None, description="Date of birth (YYYY-MM-DD)")
    phone: str | None = Field(default=None, description="10-digit US phone number, any punctuation")

    @field_validator("member_number")
    @classmethod
    def _member_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not (MEMBER_NUMBER_RE.match(value) or SUBSCRIBER_NUMBER_RE.match(value)):
            raise ValueError(
                "member ID must be 9 digits, optionally followed by a hyphen and 2 digits "
                "(123456789 or 123456789-01)"
            )
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"\D", "", value)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if not PHONE_DIGITS_RE.match(digits):
            raise ValueError("a phone number has 10 digits, area code first")
        return digits

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: date | None) -> date | None:
        if value is not None and value > now().date():
            raise ValueError("date of birth must not be in the future")
        return value

    @model_validator(mode="after")
    def _one_key(self) -> MemberSearch:
        keys = [
            self.member_number is not None,
            self.last_name is not None or self.date_of_birth is not None,
            self.phone is not None,
        ]
        if sum(keys) != 1:
            raise ValueError("search by one of: member ID; last name with date of birth; phone")
        if keys[1] and (self.last_name is None or self.date_of_birth is None):
            raise ValueError("give the last name and the date of birth together")
        return self


class CarrierOut(ORM):
    id: int = Field(description="Carrier id")
    code: str = Field(description="Short carrier code")
    name: str = Field(description="Carrier name")


class PlanOut(ORM):
    id: int = Field(description="Plan id")
    code: str = Field(
        description="Plan code: carrier, type, metal tier (CalChoice), or OHP and "
        "the partner (Oregon Health Plan)"
    )
    name: str = Field(description="Marketing name")
    carrier: CarrierOut = Field(
        description="The carrier that insures the plan (Oregon Health Plan: the coordinated "
        "care organisation or its partner)"
    )
    line_of_business: LineOfBusiness = Field(
        description="The book the plan belongs to (calchoice, oregon-medicaid, erisa-group)"
    )
    benefit: Benefit = Field(
        description="What the plan covers: medical (a CalChoice plan), medicaid (Oregon Health "
        "Plan eligibility through the coordinated care organisation), or the care a partner "
        "plan delivers (physical_health, behavioral_health, dental, transport)"
    )
    plan_type: PlanType | None = Field(description="HMO, PPO or EPO; null for Medicaid plans")
    metal_tier: MetalTier | None = Field(
        description="ACA metal tier (actuarial value); null for Medicaid plans"
    )
    network: str = Field(description="Provider network")
    deductible_cents: int = Field(description="Individual annual deductible, in cents")
    oop_max_cents: int = Field(description="Individual annual out-of-pocket maximum, in cents")
    rate_employee_cents: int | None = Field(
        description="Monthly premium, employee only, in cents; null where members pay no "
        "premium (Medicaid)"
    )
    rate_employee_spouse_cents: int | None = Field(
        description="Monthly premium, employee + spouse/partner; null without premiums"
    )
    rate_employee_children_cents: int | None = Field(
        description="Monthly premium, employee + children; null without premiums"
    )
    rate_family_cents: int | None = Field(
        description="Monthly premium, family; null without premiums"
    )


class GroupOut(ORM):
    id: int = Field(description="Employer group id")
    group_number: str = Field(description="Group number")
    name: str = Field(description="Employer name")
    county: str = Field(description="County of the employer's main site")
    effective_date: date = Field(description="First day of the group's coverage")
    termination_date: date | None = Field(description="Last day of coverage if the group ended")
    renewal_month: int = Field(description="Month (1–12) of the annual renewal / open enrolment")
    contribution_employee_cents: int = Field(
        description="Employer's fixed monthly contribution per employee, in cents (CalChoice)"
    )
    contribution_dependents_cents: int = Field(
        description="Employer's extra monthly contribution when dependants are covered, in cents"
    )


class GroupDetail(GroupOut):
    subscribers: int = Field(description="Employees ever enrolled through the group")
    members: int = Field(description="Employees and dependants ever enrolled")


class EligibilityOut(BaseModel):
    on: date = Field(description="The date asked about")
    eligible: bool = Field(description="Covered on that date")
    reason: IneligibleReason | None = Field(description="Why not, when not eligible")
    explanation: str = Field(description="One sentence an agent can read to the member")
    plan: PlanOut | None = Field(default=None, description="The plan covering that date")
    renewal_date: str | None = Field(
        default=None,
        description="Medicaid: when the covering eligibility's renewal is due (YYYY-MM-DD, or "
        "the year only where masked); null for other plans or when not covered",
    )


class CoverageSpanOut(ORM):
    id: int = Field(description="Span id")
    plan: PlanOut = Field(description="Plan of the span")
    effective_date: str = Field(
        description="First covered day (YYYY-MM-DD); the year only when it is the member's "
        "date of birth and your role sees years of birth only"
    )
    from_birth: bool = Field(description="Coverage began on the member's date of birth")
    termination_date: str | None = Field(
        description="Last covered day, inclusive (YYYY-MM-DD; the year only where it gives a "
        "young child's birth month away, the end of their continuous eligibility, and your role "
        "sees years of birth only); null if open"
    )
    renewal_date: str | None = Field(
        default=None,
        description="Medicaid eligibility: when the state's renewal is due (YYYY-MM-DD; the year "
        "only where it gives a young child's birth month away and your role sees years of "
        "birth only); null for other plans",
    )
    source: CoverageSource = Field(description="How the coverage began")
    termination_reason: TerminationReason | None = Field(description="Why it ended")
    recorded_at: datetime = Field(description="When the span was keyed")
    termination_recorded_at: datetime | None = Field(description="When the termination was keyed")
    retroactive: bool = Field(description="Termination keyed after the termination date")
    age_limit_end: str | None = Field(
        description="Last day a child was covered by this span, when the child is past the "
        "dependant age limit on the as-of date and the span on file runs on (YYYY-MM-DD; the "
        "year only for roles that see years of birth only)"
    )


class Address(BaseModel):
    line1: str | None = Field(description="Street address")
    line2: str | None = Field(default=None, description="Unit, suite")
    city: str | None = Field(description="City")
    state: str = Field(description="State (two letters)")
    postal_code: str | None = Field(description="ZIP code")


class ConfidentialCommunication(BaseModel):
    address: str | None = Field(description="Confidential mailing address (Civil Code 56.107)")
    phone: str | None = Field(description="Confidential phone number")
    scope: ConfidentialScope | None = Field(
        description="sensitive_services: only for sensitive services; all: for every communication"
    )


class ContactRouting(BaseModel):
    """Where to send what: the confidential channel overrides the default where it applies."""

    general_address: str = Field(description="Mailing address for general communications")
    general_phone: str | None = Field(description="Phone for general communications")
    sensitive_address: str = Field(
        description="Mailing address for sensitive-service communications"
    )
    sensitive_phone: str | None = Field(description="Phone for sensitive-service communications")
    confidential_applies: bool = Field(description="A Civil Code 56.107 request is on file")


class MemberSummary(BaseModel):
    id: int = Field(description="Internal member id (use it in URLs; never the member ID)")
    member_number: str = Field(description="Member ID printed on the ID card")
    first_name: str = Field(description="First name")
    last_name: str = Field(description="Last name")
    date_of_birth: str = Field(
        description="Date of birth (YYYY-MM-DD), or the year only when masked"
    )
    relationship: Relationship = Field(
        description="Relationship to the subscriber (Medicaid: to the head of the household)"
    )
    line_of_business: LineOfBusiness = Field(
        description="The member's line of business (calchoice, oregon-medicaid, erisa-group)"
    )
    group_number: str | None = Field(
        description="Employer group number; null for a member with no employer group (Medicaid)"
    )
    group_name: str | None = Field(description="Employer name; null without an employer group")
    eligible_today: bool = Field(description="Covered today")


class MemberDetail(MemberSummary):
    subscriber_id: int | None = Field(description="Internal id of the subscriber; null for self")
    sex: str = Field(description="F, M, X (non-binary) or U (unknown)")
    address: Address = Field(description="Home address")
    phone: str | None = Field(description="Phone")
    email: str | None = Field(description="E-mail")
    spoken_language: str = Field(description="Preferred spoken language (ISO 639 code)")
    written_language: str = Field(description="Preferred written language (ISO 639 code)")
    interpreter_needed: bool = Field(description="Needs a (free) interpreter on every contact")
    tty: bool = Field(description="Uses TTY / relay services")
    accessibility_needs: list[str] = Field(description="Accessibility needs (large print, ASL, …)")
    disabled_dependent: bool = Field(
        description="Dependant incapable of self-support (no age limit)"
    )
    confidential_communication: ConfidentialCommunication | None = Field(
        description="Confidential-communication request, if any"
    )
    contact_routing: ContactRouting = Field(description="Which address/phone to use for what")


class PremiumOut(BaseModel):
    subscriber_id: int = Field(
        description="Internal id of the subscriber whose enrolment (and payroll) this is"
    )
    tier: CoverageTier = Field(description="Coverage tier of the enrolment")
    premium_cents: int = Field(description="Monthly premium, in cents")
    employer_cents: int = Field(description="Employer's fixed contribution applied, in cents")
    payroll_deduction_cents: int = Field(
        description="Employee's monthly payroll deduction, in cents"
    )


class PartnerPlanOut(BaseModel):
    benefit: Benefit = Field(
        description="The care the partner delivers: physical_health, behavioral_health, dental "
        "or transport (non-emergency medical transport)"
    )
    plan: PlanOut = Field(description="The partner plan")
    effective_date: str = Field(
        description="First day with this partner (YYYY-MM-DD; the year only when it is the "
        "member's date of birth and your role sees years of birth only)"
    )
    termination_date: str | None = Field(
        description="Last day with it, when known (YYYY-MM-DD, or the year only where masked "
        "like the eligibility's)"
    )


class HouseholdMember(BaseModel):
    id: int = Field(description="Internal member id")
    first_name: str = Field(description="First name")
    last_name: str = Field(description="Last name")
    relationship: Relationship = Field(description="Relationship to the subscriber")
    date_of_birth: str = Field(description="Date of birth, or the year only when masked")
    eligibility: EligibilityOut = Field(description="Eligibility on the as-of date")


class LifeEventIn(BaseModel):
    event_type: LifeEventType = Field(description="Kind of qualifying life event")
    event_date: Day = Field(description="Date the event happened (or will happen)")
    notes: str | None = Field(
        default=None, max_length=2000, description="Free-text notes (stored encrypted)"
    )


BIRTH_MASKED = "; the year only for a birth or adoption when your role sees years of birth only"


class LifeEventOut(ORM):
    id: int = Field(description="Event id")
    member_id: int = Field(
        description="Internal id of the member whose enrolment holds the event (the subscriber)"
    )
    event_type: LifeEventType = Field(description="Kind of qualifying life event")
    event_date: str = Field(description="Date of the event (YYYY-MM-DD" + BIRTH_MASKED + ")")
    reported_at: datetime = Field(description="When it was reported")
    window_days: int = Field(description="Length of the special-enrolment window, in days")
    window_start: str = Field(
        description="First day to make enrolment changes (YYYY-MM-DD" + BIRTH_MASKED + ")"
    )
    window_end: str = Field(
        description="Last day to make enrolment changes (YYYY-MM-DD" + BIRTH_MASKED + ")"
    )
    window_status: str = Field(description="upcoming, open or closed on the as-of date")
    days_left: int | None = Field(
        description="Days left in the window (0 when closed; null when the dates are masked)"
    )
    notes: str | None = Field(
        description="Staff notes; shown to roles that may read the member record, else null"
    )


class IdCardIn(BaseModel):
    reason: IdCardReason = Field(description="Why a card is needed")


class IdCardStatusIn(BaseModel):
    status: IdCardStatus = Field(description="New status; only forward moves are allowed")


class IdCardOut(ORM):
    id: int = Field(description="Request id")
    member_id: int = Field(description="Internal member id")
    reason: IdCardReason = Field(description="Why the card was requested")
    status: IdCardStatus = Field(description="Where the request stands")
    ship_to_confidential: bool = Field(description="Mailed to the confidential address")
    requested_at: datetime = Field(description="When it was requested")
    updated_at: datetime = Field(description="Last status change")


class Member360(BaseModel):
    as_of: date = Field(description="Date the view was computed for")
    member: MemberDetail = Field(description="Demographics, languages, accessibility, contact")
    eligibility: EligibilityOut = Field(description="Eligibility on the as-of date")
    group: GroupOut | None = Field(
        description="Employer group; null for a member with no employer (Medicaid)"
    )
    premium: PremiumOut | None = Field(
        description="Premium split of the enrolment, when the member is covered on the as-of "
        "date (a dependant's own portal never shows the subscriber's payroll)"
    )
    household: list[HouseholdMember] = Field(description="Subscriber and dependants")
    coverage: list[CoverageSpanOut] = Field(
        description="Coverage history, oldest first: every span, an Oregon Health Plan "
        "member's Medicaid eligibility and partner plans among them"
    )
    partner_plans: list[PartnerPlanOut] = Field(
        default_factory=list,
        description="Partner plans held on the as-of date (Oregon Health Plan: physical, "
        "behavioural and dental care, medical transport); empty on lines without partners",
    )
    life_events: list[LifeEventOut] = Field(description="Qualifying life events, newest first")
    id_cards: list[IdCardOut] = Field(description="ID-card requests, newest first")
    policy_pack: str = Field(
        description="Policy pack governing the member's work (calchoice, oregon-medicaid, "
        "erisa-group): its calendar and targets run their clocks"
    )
    contacts: list[ContactSummary] = Field(
        default_factory=list,
        description="The latest 10 contacts, newest first (staff views; empty in the portal)",
    )
    navigator: NavigatorBrief | None = Field(
        default=None,
        description="The member navigator who owns the member, when flagged for complex needs "
        "(staff views; null in the portal)",
    )
