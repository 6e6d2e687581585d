"""Answers of the FHIR API: searchset Bundles, single resources and the CapabilityStatement,
each validated by ``fhir.resources`` before it is sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Response
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.insuranceplan import InsurancePlan
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.resource import Resource

from memberdesk import __version__
from memberdesk.clock import now
from memberdesk.fhir.outcome import FHIR_JSON
from memberdesk.fhir.search import MAX_COUNT, PARAMS, Search

FHIR_VERSION = "4.0.1"
MODELS: dict[str, type[Resource]] = {
    "Patient": Patient,
    "Coverage": Coverage,
    "Organization": Organization,
    "InsurancePlan": InsurancePlan,
}
SEARCH_DOCS = {
    ("Patient", "_id"): "The Patient's id",
    ("Patient", "identifier"): "The member ID on the card (system|value or value)",
    ("Coverage", "_id"): "The Coverage's id",
    ("Coverage", "beneficiary"): "The covered Patient (Patient/id)",
    ("Coverage", "patient"): "The covered Patient (Patient/id); the same as beneficiary",
    ("Organization", "_id"): "carrier-N (a payer) or group-N (an employer group)",
    ("Organization", "identifier"): "A carrier code or an employer group number",
    ("InsurancePlan", "_id"): "The InsurancePlan's id",
    ("InsurancePlan", "identifier"): "The plan code",
}


class FhirResponse(Response):
    """A FHIR JSON answer."""

    media_type = FHIR_JSON


def resource_response(resource: dict[str, Any]) -> FhirResponse:
    """One resource, validated against its R4 model."""
    model = MODELS[resource["resourceType"]].model_validate(resource)
    return FhirResponse(model.model_dump_json(exclude_none=True))


def _link(base: str, search: Search, offset: int) -> str:
    pairs = [(n, v) for n, v in search.pairs if n != "_offset"]
    return f"{base}/{search.resource_type}?{urlencode([*pairs, ('_offset', str(offset))])}"


def searchset(
    base: str, search: Search, resources: list[dict[str, Any]], total: int, self_url: str
) -> FhirResponse:
    """A searchset Bundle of ``resources`` (one page of ``total``), with self and next links."""
    links = [{"relation": "self", "url": self_url}]
    if search.offset + search.count < total and search.count:
        links.append({"relation": "next", "url": _link(base, search, search.offset + search.count)})
    if search.offset:
        previous = max(0, search.offset - search.count)
        links.append({"relation": "previous", "url": _link(base, search, previous)})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": now().isoformat(),
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
    if not bundle["entry"]:
        del bundle["entry"]
    return FhirResponse(Bundle.model_validate(bundle).model_dump_json(exclude_none=True))


def capability_statement(base: str) -> dict[str, Any]:
    """What this server does: read and search of four types, JSON, bearer tokens."""
    common = [
        {"name": "_count", "type": "number", "documentation": f"Page size (at most {MAX_COUNT})"},
        {"name": "_offset", "type": "number", "documentation": "Results to skip (next links)"},
    ]
    resources = []
    for kind in MODELS:
        params = [
            {
                "name": name,
                "type": "token" if name in ("_id", "identifier") else "reference",
                "documentation": SEARCH_DOCS[(kind, name)],
            }
            for name in sorted(PARAMS[kind])
        ]
        resources.append(
            {
                "type": kind,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "versioning": "no-version",
                "readHistory": False,
                "updateCreate": False,
                "searchParam": params + common,
            }
        )
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now().date().isoformat(),
        "publisher": "memberdesk",
        "kind": "instance",
        "software": {"name": "memberdesk", "version": __version__},
        "implementation": {"description": "memberdesk Patient Access API", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "CMS Patient Access API (CMS-9115-F): a member reads their own Patient, "
                    "Coverage, payers, employer group and plans; staff read by permission. "
                    "Search with POST [type]/_search to keep member IDs out of URLs."
                ),
                "security": {
                    "cors": False,
                    "description": (
                        "Send an API token as 'Authorization: Bearer mdt_...' (POST "
                        "/api/auth/token; give an app a token with scope patient/*.read, or "
                        "user/*.read for staff, and it reaches these reads only). A member's "
                        "token reaches their own compartment only."
                    ),
                },
                "resource": resources,
            }
        ],
    }
    return statement


def capability_response(base: str) -> FhirResponse:
    """The CapabilityStatement, validated."""
    model = CapabilityStatement.model_validate(capability_statement(base))
    return FhirResponse(model.model_dump_json(exclude_none=True))
