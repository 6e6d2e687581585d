"""Errors under ``/fhir/`` as FHIR ``OperationOutcome`` resources (pure: no database, no web).

The same answers as the rest of the API (the status, the field, the rule in words, never the
value sent), in the shape FHIR clients read. ``tests/fhir`` validates every one of them with
``fhir.resources``; building them from plain dicts here keeps the error path free of it.
"""

from __future__ import annotations

import json
from typing import Any

FHIR_PREFIX = "/fhir"
FHIR_JSON = "application/fhir+json"
ERROR_SYSTEM = "https://memberdesk.dev/fhir/CodeSystem/error"

# HTTP status -> FHIR issue type (http://hl7.org/fhir/R4/valueset-issue-type.html).
ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "processing",
    429: "throttled",
    500: "exception",
    503: "transient",
}


def is_fhir_path(path: str) -> bool:
    """Whether a request path belongs to the FHIR API."""
    return path == FHIR_PREFIX or path.startswith(FHIR_PREFIX + "/")


def outcome(status: int, detail: list[dict[str, Any]]) -> dict[str, Any]:
    """An OperationOutcome with one issue per item of memberdesk's error ``detail``."""
    code = ISSUE_CODE.get(status, "exception" if status >= 500 else "invalid")
    issues = []
    for item in detail or [{"loc": [], "msg": "request refused", "type": "error"}]:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": code,
            "details": {
                "coding": [{"system": ERROR_SYSTEM, "code": str(item.get("type") or "error")}],
                "text": str(item.get("msg", "")),
            },
        }
        loc = [str(p) for p in item.get("loc", ()) if str(p)]
        if loc:
            # Where: "query.identifier", "path.id" (memberdesk's own notation, not FHIRPath).
            issue["diagnostics"] = "at " + ".".join(loc)
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def outcome_body(status: int, detail: list[dict[str, Any]]) -> bytes:
    """``outcome`` as the bytes of an answer."""
    return json.dumps(outcome(status, detail)).encode()
