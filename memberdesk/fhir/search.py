"""FHIR search parameters: which each resource type takes, and how their values read.

Pure (no database). Strict handling: a parameter this server does not support is a 400, so a
client never takes an unfiltered answer for a filtered one. Errors name the parameter's
position or the rule, never a value (a member ID sent as a search value is PHI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from memberdesk.errors import MemberdeskError
from memberdesk.schemas import MAX_ID

DEFAULT_COUNT = 50
MAX_COUNT = 100
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# Result parameters every type takes: page size, the page's start (written into the next
# link by this server) and the format (JSON only).
COMMON = frozenset({"_count", "_offset", "_format"})
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
PARAMS: dict[str, frozenset[str]] = {
    "Patient": frozenset({"_id", "identifier"}),
    "Coverage": frozenset({"_id", "beneficiary", "patient"}),
    "Organization": frozenset({"_id", "identifier"}),
    "InsurancePlan": frozenset({"_id", "identifier"}),
}


class BadSearch(MemberdeskError):
    """A search FHIR calls malformed: 400 with an OperationOutcome."""

    status_code = 400
    type = "invalid_search"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Search:
    """A parsed search: each filter's values (OR-ed), the page asked for."""

    resource_type: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    count: int = DEFAULT_COUNT
    offset: int = 0
    pairs: tuple[tuple[str, str], ...] = ()

    def values(self, name: str) -> list[str] | None:
        """The values given for ``name`` (None when the parameter was not given)."""
        return self.filters.get(name)


def _bounded_int(name: str, value: str, high: int) -> int:
    if not value.isdigit() or int(value) > high:
        raise BadSearch(f"must be a whole number from 0 to {high}", field=f"query.{name}")
    return int(value)


def parse(resource_type: str, pairs: list[tuple[str, str]]) -> Search:
    """Read ``pairs`` (query string or form body, in order) as a search of ``resource_type``."""
    allowed = PARAMS[resource_type]
    filters: dict[str, list[str]] = {}
    count, offset = DEFAULT_COUNT, 0
    for position, (name, value) in enumerate(pairs, start=1):
        if name not in allowed and name not in COMMON:
            supported = ", ".join(sorted(allowed | COMMON))
            raise BadSearch(
                f"the {_ordinal(position)} search parameter is not one this server supports "
                f"for {resource_type} (supported: {supported})",
                field="query",
            )
        if name in filters or (name in COMMON and any(n == name for n, _ in pairs[: position - 1])):
            raise BadSearch("give each search parameter once", field=f"query.{name}")
        if name == "_count":
            count = min(_bounded_int(name, value, MAX_ID), MAX_COUNT)
        elif name == "_offset":
            offset = _bounded_int(name, value, MAX_ID)
        elif name == "_format":
            if value not in JSON_FORMATS:
                raise BadSearch("this server answers in JSON only", field="query._format")
        else:
            items = [v.strip() for v in value.split(",")]
            if not all(items):
                raise BadSearch("a search value is empty", field=f"query.{name}")
            # Each value is a look-up: a list of thousands is a bulk export, not a search.
            if len(items) > MAX_COUNT:
                raise BadSearch(
                    f"at most {MAX_COUNT} values in one parameter", field=f"query.{name}"
                )
            filters[name] = items
    return Search(resource_type, filters, count, offset, tuple(pairs))


def numeric_id(value: str) -> int | None:
    """The internal id a FHIR id stands for, or None when it cannot be one of ours."""
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_ID else None


def prefixed_id(value: str, prefix: str) -> int | None:
    """The internal id in ``carrier-12`` (for ``prefix`` ``carrier-``), or None."""
    return numeric_id(value[len(prefix) :]) if value.startswith(prefix) else None


def patient_reference(value: str) -> int | None:
    """The member id of a reference to a Patient: ``Patient/12``, ``12``, or a full URL."""
    if "/" in value:
        kind, _, last = value.rstrip("/").rpartition("/")
        if not kind.endswith("Patient"):
            return None
        value = last
    return numeric_id(value)


def token(value: str) -> tuple[str | None, str]:
    """A token search value: ``system|code`` -> (system, code); ``code`` -> (None, code);
    ``|code`` -> ("", code) (no system)."""
    if "|" not in value:
        return None, value
    system, _, code = value.partition("|")
    return system, code
