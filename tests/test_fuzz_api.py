"""Schemathesis fuzzes every operation of the OpenAPI document, as staff and as a member, on
each database: no 5xx, no status the document does not declare, answers that match their
schemas, and no error answer that repeats a value sent (it may be PHI)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from memberdesk.compliance.enums import Role
from tests import factories as f

EXAMPLES = 6  # per operation and persona: bounded so `make test` stays quick
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):  # values only: errors name fields on purpose
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def enum_values(doc: Any) -> set[str]:
    """Values the document itself lists (states, kinds): naming those is not an echo."""
    found: set[str] = set()
    if isinstance(doc, dict):
        found.update(v for v in doc.get("enum", ()) if isinstance(v, str))
        for v in doc.values():
            found |= enum_values(v)
    elif isinstance(doc, list):
        for v in doc:
            found |= enum_values(v)
    return found


def _messages(body: Any) -> list[str]:
    """The words of an error: memberdesk's ``detail`` messages, or a FHIR OperationOutcome's
    issue texts (its diagnostics name the field, like ``loc``; its codes are FHIR's fixed
    vocabulary, like ``type``)."""
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        return [issue["details"]["text"] for issue in body["issue"]]
    return [item["msg"] for item in body["detail"]]


def assert_no_echo(case: Any, response: Any, known: set[str]) -> None:
    """An error answer never repeats a distinctive value of the request (free text the client
    chose, which may be PHI); values from the document's own lists may be named."""
    if response.status_code < 400:
        return
    sent = [
        *_strings(case.path_parameters or {}),
        *_strings(case.query or {}),
        *_strings(case.body if not isinstance(case.body, bytes) else {}),
    ]
    try:
        messages = " | ".join(_messages(response.json()))
    except (ValueError, KeyError, TypeError):
        messages = response.text
    # A refusal names the permission missing in fixed words: a value that happens to be one of
    # those words ("permission") is not an echo of the request.
    messages = re.sub(r"lacks the permission [\w.]+", "", messages)
    for value in sent:
        distinctive = len(value) >= 6 and any(c.isalpha() for c in value)
        if distinctive and value not in known and value in messages:
            raise AssertionError(f"{case.method} {case.path}: the error repeats {value!r}")


# A guard against a request that never ends, not a timing check: a loaded CI machine once held
# one past schemathesis's default of 10 s.
HANG_GUARD_S = 60


def run(case: Any, token: str, known: set[str]) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=HANG_GUARD_S)
    case.validate_response(response, checks=CHECKS)
    assert_no_echo(case, response, known)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# A developer fuzzes the routes they touched: MEMBERDESK_FUZZ_PATHS=^/fhir/ (a path regex).
ONLY = os.environ.get("MEMBERDESK_FUZZ_PATHS")
MIN_OPERATIONS = 1 if ONLY else 30


def fuzz(app: Any, token: str) -> int:
    """Every operation, ``EXAMPLES`` generated requests each; returns the operations run."""
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    if ONLY:
        api = api.include(path_regex=ONLY)
    known = enum_values(app.openapi())
    count = 0
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @FUZZ
        def check(case: Any) -> None:
            run(case, token, known)

        check()
        count += 1
    return count


def test_fuzz_as_supervisor(app: Any, login: Any) -> None:
    token = login(Role.SUPERVISOR, team="Team A").token
    assert fuzz(app, token) > MIN_OPERATIONS


def test_fuzz_as_member(app: Any, login: Any, db: Any) -> None:
    token = login(Role.MEMBER, member_id=f.member(db).id).token
    assert fuzz(app, token) > MIN_OPERATIONS
