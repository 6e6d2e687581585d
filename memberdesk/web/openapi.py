"""The OpenAPI document: how to authenticate, and every error answer each route can give.

FastAPI describes success answers and its own 422; the rest follows from what a route is:
protected routes answer 401 and 403, routes with an id in the path 404, routes that take input
422 (in memberdesk's one error shape) and 413 when the body is too large, routes that change
state 409, and every route 503 while the database is unreachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from memberdesk.compliance.deps import Require, public
from memberdesk.fhir.outcome import FHIR_JSON, is_fhir_path
from memberdesk.fhir.schemas import OutcomeOut


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where: body/query/path/header and the field")
    msg: str = Field(description="The rule that was broken, in words (never the value sent)")
    type: str = Field(description="A stable code for programs")


class ErrorOut(BaseModel):
    """Every error answer."""

    detail: list[ErrorItem] = Field(description="One item per problem")


ANSWERS = {
    "400": "A search parameter this server does not support, or a malformed value",
    "401": "No valid API token or session (sign in; tokens expire and can be revoked)",
    "403": "Signed in, but the role lacks the permission (or the CSRF token is missing)",
    "404": "No such record, or not one the caller may know of",
    "409": "Clashes with the current state (e.g. a request with this Idempotency-Key is "
    "in progress, or the record changed)",
    "413": "Request body too large",
    "422": "A field is malformed or breaks a rule; `loc` names it",
    "429": "Too many failed sign-ins; wait before trying again",
    "503": "The database is unreachable or busy, or the service is saturated; retry after "
    "the Retry-After seconds",
}
WRITES = {"post", "put", "patch", "delete"}


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every API route, descending into included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def guarded(route: APIRoute) -> bool:
    """Whether the route requires a permission (rather than being public)."""
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Require):
            return True
        if dep.call is public:
            return False
        stack.extend(dep.dependencies)
    return False


def _fhir_answers(route: APIRoute, operation: dict[str, Any]) -> list[str]:
    # FHIR reads and searches: a malformed or unsupported search is a 400 (never 422), and a
    # POST _search changes nothing (no 409).
    operation.get("responses", {}).pop("422", None)
    # FastAPI describes a non-JSON response class as a string beside the model's $ref; the
    # answer is the model (a FHIR JSON resource).
    for media in operation.get("responses", {}).get("200", {}).get("content", {}).values():
        if "$ref" in media.get("schema", {}):
            media["schema"] = {"$ref": media["schema"]["$ref"]}
    codes = ["503"]
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append("400")
    if guarded(route):
        codes += ["401", "403"]
    if "{" in route.path:
        codes.append("404")
    if operation.get("requestBody"):
        codes.append("413")
    return codes


def _answers(route: APIRoute, method: str, operation: dict[str, Any]) -> list[str]:
    if is_fhir_path(route.path):
        return _fhir_answers(route, operation)
    codes = ["503"]
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    if guarded(route):
        codes += ["401", "403"]
    elif method == "post":
        codes += ["429", "401"]  # sign-in
    if "{" in route.path:
        codes.append("404")
    if takes_input:
        codes.append("422")
    if operation.get("requestBody"):
        codes.append("413")
    if method in WRITES and guarded(route):
        codes.append("409")
    return codes


def _add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas[model.__name__] = schema


def build(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with security schemes and declared error answers."""
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = doc.setdefault("components", {})
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from POST /api/auth/token (mdt_…)",
        },
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": "md_session",
            "description": "A signed-in browser session; writes also need X-CSRF-Token",
        },
    }
    schemas = components.setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schemas["ErrorOut"].pop("$defs", {}).items():
        schemas[name] = sub
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    # FHIR's errors are OperationOutcomes (fhir/outcome.py), in FHIR's own content type.
    _add_schema(schemas, OutcomeOut)
    outcome_ref = {FHIR_JSON: {"schema": {"$ref": "#/components/schemas/OutcomeOut"}}}
    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = doc["paths"].get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            if guarded(route):
                operation["security"] = [{"bearer": []}, {"session": []}]
            responses = operation.setdefault("responses", {})
            content = outcome_ref if is_fhir_path(route.path) else error_ref
            for code in _answers(route, method.lower(), operation):
                responses[code] = {"description": ANSWERS[code], "content": content}
    return doc
