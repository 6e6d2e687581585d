"""memberdesk's members, coverage, carriers, groups and plans as FHIR R4 resources.

Resources are written as plain dicts and validated by ``fhir.resources`` (its R4B models: R4B
changed none of Patient, Coverage, Organization, InsurancePlan, Bundle, CapabilityStatement or
OperationOutcome from R4 4.0.1) when the answer is built (``bundle.py``), so nothing leaves that
does not parse as FHIR. Pure: takes loaded rows, reads no database.

Codes come from the terminologies CARIN Blue Button and the Da Vinci payer guides use
(identifier type ``MB``, coverage classes, subscriber relationships, organization types, the
PHDSC Source of Payment Typology for the kind of coverage).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from memberdesk.members.enums import Benefit, LineOfBusiness, PlanType, Relationship
from memberdesk.members.lines import line_of
from memberdesk.members.models import Carrier, CoverageSpan, EmployerGroup, Member, Plan

# Identifier systems: a plan running memberdesk may publish its own (docs/fhir.md); these are
# stable and name what each identifier is.
SID_MEMBER = "https://memberdesk.dev/fhir/sid/member-number"
SID_SUBSCRIBER = "https://memberdesk.dev/fhir/sid/subscriber-number"
SID_CARRIER = "https://memberdesk.dev/fhir/sid/carrier-code"
SID_GROUP = "https://memberdesk.dev/fhir/sid/group-number"
SID_PLAN = "https://memberdesk.dev/fhir/sid/plan-code"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
SOPT = "urn:oid:2.16.840.1.113883.3.221.5"  # PHDSC Source of Payment Typology
INSURANCE_PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/insurance-plan-type"
BCP47 = "urn:ietf:bcp:47"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"

CARRIER_PREFIX = "carrier-"
GROUP_PREFIX = "group-"

_GENDER = {"F": "female", "M": "male", "X": "other"}
_RELATIONSHIP = {
    Relationship.SELF: ("self", "Self"),
    Relationship.SPOUSE: ("spouse", "Spouse"),
    # The code system has no domestic partner; "other", with the words.
    Relationship.DOMESTIC_PARTNER: ("other", "Domestic partner"),
    Relationship.CHILD: ("child", "Child"),
    Relationship.OTHER_DEPENDENT: ("other", "Other dependant"),
}
# Source of Payment Typology: Medicaid managed care, commercial managed care by plan type,
# private health insurance otherwise (an ERISA self-funded plan, a partner plan's benefit).
_SOPT_MEDICAID = ("21", "Medicaid (Managed Care)")
_SOPT_BY_TYPE = {
    PlanType.HMO: ("511", "Commercial Managed Care - HMO"),
    PlanType.PPO: ("512", "Commercial Managed Care - PPO"),
}
_SOPT_PRIVATE = ("5", "Private Health Insurance")
_BENEFIT_WORDS = {
    Benefit.MEDICAL: "Medical",
    Benefit.MEDICAID: "Medicaid eligibility",
    Benefit.PHYSICAL_HEALTH: "Physical health",
    Benefit.BEHAVIORAL_HEALTH: "Behavioral health",
    Benefit.DENTAL: "Dental",
    Benefit.TRANSPORT: "Rides to care",
}
# insurance-plan-type codes: medical, dental, mental health; rides have no code (text only).
_PLAN_TYPE_CODE = {
    Benefit.MEDICAL: ("medical", "Medical"),
    Benefit.MEDICAID: ("medical", "Medical"),
    Benefit.PHYSICAL_HEALTH: ("medical", "Medical"),
    Benefit.BEHAVIORAL_HEALTH: ("mental", "Mental Health"),
    Benefit.DENTAL: ("dental", "Dental"),
}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _meta(at: datetime | None) -> dict[str, Any] | None:
    return {"lastUpdated": at.isoformat()} if at is not None else None


def carrier_id(carrier: Carrier) -> str:
    """The Organization id of a carrier (payer)."""
    return f"{CARRIER_PREFIX}{carrier.id}"


def group_id(group: EmployerGroup) -> str:
    """The Organization id of an employer group."""
    return f"{GROUP_PREFIX}{group.id}"


def member_identifier(member_number: str) -> dict[str, Any]:
    """The member ID on the card, typed ``MB`` (member number)."""
    return {
        "use": "usual",
        "type": {"coding": [_coding(V2_0203, "MB", "Member Number")], "text": "Member ID"},
        "system": SID_MEMBER,
        "value": member_number,
    }


def patient(member: Member) -> dict[str, Any]:
    """A member as a Patient: identifiers, name, birth date, contact, language needs."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(member.id),
        "meta": _meta(member.updated_at),
        "identifier": [member_identifier(member.member_number)],
        "active": True,
        "name": [{"use": "official", "family": member.last_name, "given": [member.first_name]}],
        "gender": _GENDER.get(member.sex, "unknown"),
        "birthDate": member.date_of_birth.isoformat(),
        "telecom": [
            *([{"system": "phone", "value": member.phone, "use": "home"}] if member.phone else []),
            *([{"system": "email", "value": member.email}] if member.email else []),
        ],
        "address": [
            {
                "use": "home",
                "type": "both",
                "line": [x for x in (member.address_line1, member.address_line2) if x],
                "city": member.city,
                "state": member.state,
                "postalCode": member.postal_code,
                "country": "US",
            }
        ],
        "communication": _communication(member),
    }
    if member.interpreter_needed:
        resource["extension"] = [{"url": INTERPRETER_REQUIRED, "valueBoolean": True}]
    if not resource["telecom"]:
        del resource["telecom"]
    return resource


def _communication(member: Member) -> list[dict[str, Any]]:
    # The spoken language is the one to call in (preferred); the written one, when different,
    # is the one to write in.
    langs = [member.spoken_language or "en"]
    if member.written_language and member.written_language not in langs:
        langs.append(member.written_language)
    return [
        {"language": {"coding": [_coding(BCP47, lang)], "text": lang}, "preferred": i == 0}
        for i, lang in enumerate(langs)
    ]


def _coverage_type(plan: Plan) -> dict[str, Any]:
    if plan.line_of_business == LineOfBusiness.OREGON_MEDICAID:
        code, display = _SOPT_MEDICAID
    elif plan.line_of_business == LineOfBusiness.CALCHOICE and plan.plan_type is not None:
        code, display = _SOPT_BY_TYPE.get(plan.plan_type, _SOPT_PRIVATE)
    else:
        code, display = _SOPT_PRIVATE
    words = _BENEFIT_WORDS.get(plan.benefit, plan.benefit.value)
    return {
        "coding": [_coding(SOPT, code, display)],
        "text": f"{line_of(plan.line_of_business).short}: {words}",
    }


def coverage_status(span: CoverageSpan, today: date) -> str:
    """``active`` while the span runs or is to come; ``cancelled`` once it has ended."""
    ended = span.termination_date is not None and span.termination_date < today
    return "cancelled" if ended else "active"


def coverage(span: CoverageSpan, member: Member, today: date) -> dict[str, Any]:
    """A coverage span as a Coverage: who, which plan and payer, the group, the period."""
    plan = span.plan
    number = member.member_number
    classes = [
        {
            "type": {"coding": [_coding(COVERAGE_CLASS, "plan", "Plan")]},
            "value": plan.code,
            "name": plan.name,
        }
    ]
    if member.group is not None:
        classes.insert(
            0,
            {
                "type": {"coding": [_coding(COVERAGE_CLASS, "group", "Group")]},
                "value": member.group.group_number,
                "name": member.group.name,
            },
        )
    code, words = _RELATIONSHIP[member.relationship]
    period = {"start": span.effective_date.isoformat()}
    if span.termination_date is not None:
        period["end"] = span.termination_date.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": str(span.id),
        "meta": _meta(span.termination_recorded_at or span.recorded_at),
        "identifier": [member_identifier(number)],
        "status": coverage_status(span, today),
        "type": _coverage_type(plan),
        # The subscriber is named by number only (on the member's own card): their record is
        # theirs to read, not their dependant's.
        "subscriberId": number.split("-")[0],
        "beneficiary": {"reference": f"Patient/{member.id}"},
        "dependent": number.split("-")[1] if "-" in number else None,
        "relationship": {
            "coding": [_coding(SUBSCRIBER_RELATIONSHIP, code, words)],
            "text": words,
        },
        "period": period,
        "payor": [
            {"reference": f"Organization/{carrier_id(plan.carrier)}", "display": plan.carrier.name}
        ],
        "class": classes,
        "network": plan.network,
    }
    if member.subscriber_id is None:
        resource["subscriber"] = {"reference": f"Patient/{member.id}"}
    if member.group is not None:
        resource["policyHolder"] = {
            "reference": f"Organization/{group_id(member.group)}",
            "display": member.group.name,
        }
    return {k: v for k, v in resource.items() if v is not None}


def carrier_organization(carrier: Carrier) -> dict[str, Any]:
    """A carrier as the payer Organization."""
    return {
        "resourceType": "Organization",
        "id": carrier_id(carrier),
        "identifier": [{"system": SID_CARRIER, "value": carrier.code}],
        "active": True,
        "type": [{"coding": [_coding(ORGANIZATION_TYPE, "pay", "Payer")]}],
        "name": carrier.name,
    }


def group_organization(group: EmployerGroup, today: date) -> dict[str, Any]:
    """An employer group as an Organization (the policy holder of its employees' coverage)."""
    ended = group.termination_date is not None and group.termination_date < today
    return {
        "resourceType": "Organization",
        "id": group_id(group),
        "identifier": [{"system": SID_GROUP, "value": group.group_number}],
        "active": not ended,
        "type": [
            {
                "coding": [_coding(ORGANIZATION_TYPE, "bus", "Non-Healthcare Business")],
                "text": "Employer group",
            }
        ],
        "name": group.name,
        "address": [{"use": "work", "district": group.county, "country": "US"}],
    }


def _money(cents: int) -> dict[str, Any]:
    return {"value": cents / 100, "currency": "USD"}


def insurance_plan(plan: Plan) -> dict[str, Any]:
    """A plan as an InsurancePlan: its line of business, benefit, network and cost limits."""
    code = _PLAN_TYPE_CODE.get(plan.benefit)
    words = _BENEFIT_WORDS.get(plan.benefit, plan.benefit.value)
    plan_type: dict[str, Any] = {"text": words}
    if code is not None:
        plan_type["coding"] = [_coding(INSURANCE_PLAN_TYPE, *code)]
    product_type = [{"text": line_of(plan.line_of_business).short}]
    if plan.plan_type is not None:
        product_type.append({"text": plan.plan_type.value})
    if plan.metal_tier is not None:
        product_type.append({"text": f"Metal tier: {plan.metal_tier.value}"})
    costs = [
        ("Deductible", plan.deductible_cents),
        ("Out-of-pocket maximum", plan.oop_max_cents),
    ]
    return {
        "resourceType": "InsurancePlan",
        "id": str(plan.id),
        "identifier": [{"system": SID_PLAN, "value": plan.code}],
        "status": "active",
        "type": product_type,
        "name": plan.name,
        "ownedBy": {
            "reference": f"Organization/{carrier_id(plan.carrier)}",
            "display": plan.carrier.name,
        },
        "administeredBy": {
            "reference": f"Organization/{carrier_id(plan.carrier)}",
            "display": plan.carrier.name,
        },
        "plan": [
            {
                "identifier": [{"system": SID_PLAN, "value": plan.code}],
                "type": plan_type,
                "generalCost": [
                    {"type": {"text": label}, "cost": _money(cents)} for label, cents in costs
                ],
            }
        ],
        "network": [{"display": plan.network}],
    }
