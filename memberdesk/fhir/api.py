"""The FHIR R4 Patient Access API under ``/fhir`` (CMS-9115-F).

Read and search of Patient, Coverage, Organization and InsurancePlan, and the server's
CapabilityStatement at ``/fhir/metadata``. Answers are ``application/fhir+json``; errors are
OperationOutcomes (``outcome.py``, applied by the app's error handlers to every ``/fhir`` path).
Search parameters are read from the query string (GET) or the form body as well (POST
``[type]/_search``, which keeps member IDs out of URLs); the declared ``Query`` parameters
document them, while ``search.parse`` reads them all, strictly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.fhir import bundle, service
from memberdesk.fhir.bundle import FhirResponse
from memberdesk.fhir.schemas import BundleOut, ResourceOut
from memberdesk.fhir.search import Search, parse

router = APIRouter(prefix="/fhir", route_class=DbRoute, default_response_class=FhirResponse)
Reader = Annotated[Principal, requires(Permission.FHIR_READ)]
TAGS: list[str | Enum] = ["FHIR (Patient Access API)"]
BUNDLE: dict[int | str, dict[str, Any]] = {
    200: {"model": BundleOut, "description": "A searchset Bundle"}
}
RESOURCE: dict[int | str, dict[str, Any]] = {
    200: {"model": ResourceOut, "description": "The resource"}
}


def _q(text: str) -> Any:
    return Query(description=text)


def _f(text: str) -> Any:
    return Form(description=text)


IdQ = Annotated[str | None, Query(alias="_id", description="Resource ids, comma-separated")]
CountQ = Annotated[str | None, Query(alias="_count", description="Page size (at most 100)")]
OffsetQ = Annotated[str | None, Query(alias="_offset", description="Results to skip")]
FormatQ = Annotated[str | None, Query(alias="_format", description="json (the only format)")]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + router.prefix


def _today() -> date:
    return now().date()


async def _form_pairs(request: Request) -> list[tuple[str, str]]:
    """The search parameters of a POST ``_search``: the query string's, then the form's."""
    pairs = list(request.query_params.multi_items())
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        pairs += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return pairs


FormPairs = Annotated[list[tuple[str, str]], Depends(_form_pairs)]


def _run(
    request: Request,
    kind: str,
    pairs: list[tuple[str, str]],
    find: Callable[[Search], service.Found],
) -> FhirResponse:
    search = parse(kind, pairs)
    found = find(search)
    base = _base(request)
    # A POST search's self link leaves its values out: they were sent in the body to stay
    # out of URLs.
    self_url = str(request.url) if request.method == "GET" else f"{base}/{kind}/_search"
    return bundle.searchset(base, search, found.resources, found.total, self_url)


@router.get(
    "/metadata",
    summary="CapabilityStatement",
    tags=TAGS,
    dependencies=[PUBLIC],
    responses=RESOURCE,
)
def metadata(request: Request) -> FhirResponse:
    """What this FHIR server supports: resource types, interactions, search parameters and how
    to authenticate (public, as FHIR clients read it before signing in)."""
    return bundle.capability_response(_base(request))


# --- Patient ---------------------------------------------------------------------------------

PatientId = Annotated[str, Path(description="The Patient's id")]
IdentifierQ = Annotated[
    str | None, _q("Member ID (system|value or value); prefer POST _search for it")
]


def _patients(request: Request, session: Any, principal: Principal, pairs: Any) -> FhirResponse:
    comp = service.compartment(principal)
    ctx = audit_ctx(request, principal)
    answer = _run(
        request,
        "Patient",
        pairs,
        lambda s: service.search_patients(session, ctx, comp, s),
    )
    session.commit()
    return answer


@router.get("/Patient", summary="Search Patient", tags=TAGS, responses=BUNDLE)
def search_patient(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    identifier: IdentifierQ = None,
    _id: IdQ = None,
    _count: CountQ = None,
    _offset: OffsetQ = None,
    _format: FormatQ = None,
) -> FhirResponse:
    """Patients by member ID or id. A member's token finds only its own Patient (a bare search
    returns it); staff name an identifier or ids. Every search is audited."""
    return _patients(request, session, principal, list(request.query_params.multi_items()))


@router.post("/Patient/_search", summary="Search Patient (form body)", tags=TAGS, responses=BUNDLE)
def search_patient_post(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    pairs: FormPairs,
    identifier: Annotated[str | None, _f("Member ID (system|value or value)")] = None,
    ids: Annotated[str | None, Form(alias="_id", description="Patient ids")] = None,
) -> FhirResponse:
    """The same search with its parameters in an x-www-form-urlencoded body."""
    return _patients(request, session, principal, pairs)


@router.get("/Patient/{patient_id}", summary="Read Patient", tags=TAGS, responses=RESOURCE)
def read_patient(
    patient_id: PatientId, request: Request, session: ReadingSessionDep, principal: Reader
) -> FhirResponse:
    """One Patient: member ID, name, birth date, contact details, languages. 404 for an id
    that is unknown or not the caller's to read. Audited."""
    comp = service.compartment(principal)
    resource = service.read_patient(
        session, audit_ctx(request, principal), comp, patient_id, request.url.path
    )
    session.commit()
    return bundle.resource_response(resource)


# --- Coverage --------------------------------------------------------------------------------

CoverageId = Annotated[str, Path(description="The Coverage's id")]
BeneficiaryQ = Annotated[str | None, _q("The covered Patient: Patient/id")]
PatientQ = Annotated[str | None, _q("The covered Patient: Patient/id (as beneficiary)")]


def _coverage(request: Request, session: Any, principal: Principal, pairs: Any) -> FhirResponse:
    comp = service.compartment(principal)
    ctx = audit_ctx(request, principal)
    answer = _run(
        request,
        "Coverage",
        pairs,
        lambda s: service.search_coverage(session, ctx, comp, s, _today()),
    )
    session.commit()
    return answer


@router.get("/Coverage", summary="Search Coverage", tags=TAGS, responses=BUNDLE)
def search_coverage(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    beneficiary: BeneficiaryQ = None,
    patient: PatientQ = None,
    _id: IdQ = None,
    _count: CountQ = None,
    _offset: OffsetQ = None,
    _format: FormatQ = None,
) -> FhirResponse:
    """A member's coverage spans, oldest first: plan, payer, group, period, status. A member's
    token sees its own (a bare search returns them). Audited."""
    return _coverage(request, session, principal, list(request.query_params.multi_items()))


@router.post(
    "/Coverage/_search", summary="Search Coverage (form body)", tags=TAGS, responses=BUNDLE
)
def search_coverage_post(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    pairs: FormPairs,
    beneficiary: Annotated[str | None, _f("The covered Patient: Patient/id")] = None,
    patient: Annotated[str | None, _f("The covered Patient (as beneficiary)")] = None,
) -> FhirResponse:
    """The same search with its parameters in an x-www-form-urlencoded body."""
    return _coverage(request, session, principal, pairs)


@router.get("/Coverage/{coverage_id}", summary="Read Coverage", tags=TAGS, responses=RESOURCE)
def read_coverage(
    coverage_id: CoverageId, request: Request, session: ReadingSessionDep, principal: Reader
) -> FhirResponse:
    """One coverage span. 404 for an id that is unknown or not the caller's. Audited."""
    comp = service.compartment(principal)
    resource = service.read_coverage(
        session, audit_ctx(request, principal), comp, coverage_id, _today(), request.url.path
    )
    session.commit()
    return bundle.resource_response(resource)


# --- Organization ----------------------------------------------------------------------------

OrganizationId = Annotated[str, Path(description="carrier-N (payer) or group-N (employer)")]
OrgIdentifierQ = Annotated[str | None, _q("A carrier code or an employer group number")]


@router.get("/Organization", summary="Search Organization", tags=TAGS, responses=BUNDLE)
def search_organization(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    identifier: OrgIdentifierQ = None,
    _id: IdQ = None,
    _count: CountQ = None,
    _offset: OffsetQ = None,
    _format: FormatQ = None,
) -> FhirResponse:
    """Payers and employer groups; a member's token sees the payers and its own group."""
    comp = service.compartment(principal)
    return _run(
        request,
        "Organization",
        list(request.query_params.multi_items()),
        lambda s: service.search_organizations(session, comp, s, _today()),
    )


@router.get(
    "/Organization/{organization_id}", summary="Read Organization", tags=TAGS, responses=RESOURCE
)
def read_organization(
    organization_id: OrganizationId, session: ReadingSessionDep, principal: Reader
) -> FhirResponse:
    """A payer or an employer group."""
    comp = service.compartment(principal)
    resource = service.read_organization(session, comp, organization_id, _today())
    return bundle.resource_response(resource)


# --- InsurancePlan ---------------------------------------------------------------------------

PlanId = Annotated[str, Path(description="The InsurancePlan's id")]
PlanIdentifierQ = Annotated[str | None, _q("The plan code")]


@router.get("/InsurancePlan", summary="Search InsurancePlan", tags=TAGS, responses=BUNDLE)
def search_plan(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    identifier: PlanIdentifierQ = None,
    _id: IdQ = None,
    _count: CountQ = None,
    _offset: OffsetQ = None,
    _format: FormatQ = None,
) -> FhirResponse:
    """Every plan: line of business, benefit, network, deductible and out-of-pocket maximum."""
    service.compartment(principal)
    return _run(
        request,
        "InsurancePlan",
        list(request.query_params.multi_items()),
        lambda s: service.search_plans(session, s),
    )


@router.get("/InsurancePlan/{plan_id}", summary="Read InsurancePlan", tags=TAGS, responses=RESOURCE)
def read_plan(plan_id: PlanId, session: ReadingSessionDep, principal: Reader) -> FhirResponse:
    """One plan."""
    service.compartment(principal)
    return bundle.resource_response(service.read_plan(session, plan_id))
