"""The context contract: which fields a caller gives for each kind of letter.

Every kind needs the common fields; each kind adds its own. Times are aware datetimes (they are
shown on the pack's calendar, in its zone); text is plain (no markup). A missing, unknown or
ill-typed field is refused with an error naming the field, never its value.

| field | type | kinds | meaning |
|---|---|---|---|
| member_name | text | all | the member's name as the letter addresses them |
| member_number | text | all | the member ID printed on the ID card |
| plan_name | text | all | the plan the member is enrolled in |
| reference | text | all | the appeal's or grievance's number the member quotes |
| case_kind | appeal, grievance | all | what the member filed |
| received_at | datetime | all | when the plan received it |
| urgency | standard, expedited | acknowledgement | the track it is on |
| resolution_due_at | datetime | acknowledgement | when the plan must decide |
| summary | text, optional | acknowledgement | what the member asked, in plain words |
| extension_reason | text | extension | why more time is needed (42 CFR 438.408(c)) |
| original_due_at | datetime | extension | the deadline before the extension |
| new_due_at | datetime | extension | the extended deadline |
| decision | upheld, overturned, partly | resolution | the outcome |
| rationale | text | resolution | the reasons, in plain words |
| decided_at | datetime | resolution | when the decision was made |
| missed_due_at | datetime | deemed_exhaustion | the deadline the plan missed |
| rights_deadline | date, optional | resolution, deemed_exhaustion | last day to ask for the |
|  |  |  | next level (IMR, fair hearing, external review); from the pack when absent |

The service adds what it knows itself: ``letter_date``, ``language``, ``pack``, ``kind`` and
the pack's contact details (``letters/packs.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from memberdesk.errors import InvalidInput
from memberdesk.letters.enums import CaseKind, Decision, LetterKind, Urgency

TEXT_LIMIT = 4000  # a rationale longer than this belongs in an attachment, not the letter


@dataclass(frozen=True)
class FieldSpec:
    """One context field: its type and the kinds of letter that need (or accept) it."""

    name: str
    kind: type | type[StrEnum]
    needed_by: frozenset[LetterKind]
    optional: bool = False


ALL = frozenset(LetterKind)
_K = LetterKind
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("member_name", str, ALL),
    FieldSpec("member_number", str, ALL),
    FieldSpec("plan_name", str, ALL),
    FieldSpec("reference", str, ALL),
    FieldSpec("case_kind", CaseKind, ALL),
    FieldSpec("received_at", datetime, ALL),
    FieldSpec("urgency", Urgency, frozenset({_K.ACKNOWLEDGEMENT})),
    FieldSpec("resolution_due_at", datetime, frozenset({_K.ACKNOWLEDGEMENT})),
    FieldSpec("summary", str, frozenset({_K.ACKNOWLEDGEMENT}), optional=True),
    FieldSpec("extension_reason", str, frozenset({_K.EXTENSION})),
    FieldSpec("original_due_at", datetime, frozenset({_K.EXTENSION})),
    FieldSpec("new_due_at", datetime, frozenset({_K.EXTENSION})),
    FieldSpec("decision", Decision, frozenset({_K.RESOLUTION})),
    FieldSpec("rationale", str, frozenset({_K.RESOLUTION})),
    FieldSpec("decided_at", datetime, frozenset({_K.RESOLUTION})),
    FieldSpec("missed_due_at", datetime, frozenset({_K.DEEMED_EXHAUSTION})),
    FieldSpec(
        "rights_deadline",
        date,
        frozenset({_K.RESOLUTION, _K.DEEMED_EXHAUSTION}),
        optional=True,
    ),
)

# Filled in by the service, never by the caller.
SUPPLIED = frozenset(
    {
        "letter_date",
        "language",
        "pack",
        "kind",
        "plan_phone",
        "plan_tty",
        "plan_address",
        "regulator_name",
        "regulator_phone",
        "regulator_tty",
        "regulator_web",
        "hearing_office",
    }
)


def fields_of(kind: LetterKind) -> list[FieldSpec]:
    """The fields a kind of letter takes, in the contract's order."""
    return [f for f in FIELDS if kind in f.needed_by]


def placeholders(kind: LetterKind) -> frozenset[str]:
    """Every name a template of this kind may use."""
    return frozenset(f.name for f in fields_of(kind)) | SUPPLIED


def all_placeholders() -> frozenset[str]:
    """Every name any template may use (the rights notices serve every kind)."""
    return frozenset(f.name for f in FIELDS) | SUPPLIED


def _field(name: str) -> str:
    return f"context.{name}"


def _coerce(spec: FieldSpec, value: Any) -> Any:
    name = spec.name
    if spec.kind is str:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("must be non-empty text", field=_field(name))
        if len(value) > TEXT_LIMIT:
            raise InvalidInput(f"must be at most {TEXT_LIMIT} characters", field=_field(name))
        return value.strip()
    if spec.kind is datetime:
        if not isinstance(value, datetime):
            raise InvalidInput("must be a datetime", field=_field(name))
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput("must carry a time-zone offset", field=_field(name))
        return value
    if spec.kind is date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise InvalidInput("must be a date", field=_field(name))
        return value
    enum_cls: Any = spec.kind
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise InvalidInput(f"must be one of {allowed}", field=_field(name)) from None


def check_context(kind: LetterKind, context: Mapping[str, Any]) -> dict[str, Any]:
    """The context checked against the contract (values coerced); errors name the field."""
    specs = {f.name: f for f in fields_of(kind)}
    unknown = sorted(set(context) - set(specs))
    if unknown:
        raise InvalidInput(
            f"is not a field of a {kind.value} letter (see memberdesk.letters.contract)",
            field=_field(unknown[0]),
        )
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        value = context.get(name)
        if value is None:
            if not spec.optional:
                raise InvalidInput(f"is required for a {kind.value} letter", field=_field(name))
            out[name] = None
            continue
        out[name] = _coerce(spec, value)
    return out
