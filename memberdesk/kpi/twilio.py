"""Twilio TaskRouter's event callbacks as live telephony events, so a plan on Twilio connects
its workspace without writing code (docs/telephony.md).

TaskRouter posts one form-encoded event per request to the workspace's Event Callback URL,
signed with the account's auth token (``X-Twilio-Signature``: HMAC over the exact URL it called
and the form's fields). The signature is checked with the ``twilio`` library's own validator,
imported only here, when a callback arrives, so the command line never loads it.

An event becomes at most one ``live.Event`` keyed by its event SID, so a callback Twilio sends
twice counts once, and then goes through ``feed.receive`` like any other: in any order, late
ones correcting the figures, an answered call with an identified caller becoming a contact.
Event types memberdesk does not use are answered 200 and named in the answer (TaskRouter sends
everything that happens in a workspace to one URL).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from memberdesk.compliance.audit import SYSTEM, AuditContext
from memberdesk.compliance.deps import (
    AuthRequired,
    Forbidden,
    Require,
    audit_context,
    client_addr,
    get_principal,
)
from memberdesk.compliance.enums import Permission
from memberdesk.config import Settings
from memberdesk.db import DbRoute, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.kpi import feed
from memberdesk.kpi.live import AgentEvent, CallEvent, Event
from memberdesk.kpi.targets import goals_of
from memberdesk.schemas import MAX_DATE
from memberdesk.sla.packs import UnknownPackError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["KPIs"]
SIGNATURE_HEADER = "x-twilio-signature"
SETTINGS_HEADER = "x-twilio-webhooks-signature-settings"
CREDENTIAL_FILE = "twilio_auth_token"  # in var/, beside the key ring, when not in the environment
FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 200  # TaskRouter sends a few dozen
NOT_CONFIGURED = (
    "Twilio callbacks are off: no Twilio auth token is configured on this server; nothing was "
    "stored"
)
UNSIGNED = (
    "send Twilio's X-Twilio-Signature header (Twilio adds it), or the telephony account's "
    "API token; nothing was stored"
)
BAD_SIGNATURE = (
    "the X-Twilio-Signature header does not match this request; Twilio signs "
    "the exact URL it calls with the account's auth token: check both (MEMBERDESK_PUBLIC_URL, "
    "MEMBERDESK_TWILIO_AUTH_TOKEN); nothing was stored"
)

# TaskRouter event -> what it means for the call (the task is the call offered to a queue).
CALL_EVENTS: dict[str, CallEvent] = {
    "task.created": CallEvent.OFFERED,
    "task-queue.entered": CallEvent.QUEUED,
    "reservation.accepted": CallEvent.ANSWERED,
    "task.canceled": CallEvent.ABANDONED,  # a task is canceled only before it is assigned
    "task.wrapup": CallEvent.ENDED,  # the call is over, the agent wraps up
    "task.completed": CallEvent.ENDED,  # a task that skipped wrap-up ends here
}
AGENT_EVENT = "worker.activity.update"
# TaskRouter's default activities; a workspace's own are mapped by MEMBERDESK_TWILIO_ACTIVITIES.
DEFAULT_ACTIVITIES: dict[str, AgentEvent] = {
    "available": AgentEvent.READY,
    "idle": AgentEvent.READY,
    "offline": AgentEvent.LOGGED_OUT,
    "break": AgentEvent.BREAK,
    "unavailable": AgentEvent.NOT_READY,
    "busy": AgentEvent.NOT_READY,
    "reserved": AgentEvent.NOT_READY,
    "wrapup": AgentEvent.WRAP,
}
UNROUTED = "unrouted"  # the queue of a call not (yet) in any TaskQueue
# Patterns with the words a 422 states them in (never the value sent).
SID = (re.compile(r"^[A-Za-z0-9]{1,64}$"), "must be a Twilio SID: 1 to 64 letters and digits")
NAME = (re.compile(r"^[^\x00-\x1f\x7f]{1,64}$"), "must be 1 to 64 printable characters")
MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# Contacts begin in 2000 (contacts.schemas); memberdesk's dates end in 2199.
FIRST_SECOND = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
LAST_SECOND = datetime(MAX_DATE.year, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()


class UnsupportedMedia(MemberdeskError):
    """The body is not a form: Twilio posts application/x-www-form-urlencoded."""

    status_code = 415
    type = "unsupported_media_type"


class TwilioOut(BaseModel):
    """What became of one TaskRouter event."""

    event_type: str = Field(description="TaskRouter's EventType, as received")
    used: bool = Field(description="The event became a memberdesk call or agent event")
    kind: str | None = Field(description="The memberdesk event it became (offered, ready, ...)")
    ignored: str | None = Field(description="Why it was not used, when it was not")
    notes: list[str] = Field(description="Parts of the event left out, and why")
    received: int = Field(description="1 when the event was new to memberdesk")
    duplicates: int = Field(description="1 when it had been received before (same event SID)")
    calls: int = Field(description="Calls whose state and figures were brought up to date")
    agents: int = Field(description="Agents whose time by state was brought up to date")


@dataclass
class Webhook:
    """A callback whose sender was proved: its form fields and who to audit it as."""

    fields: dict[str, str]
    ctx: AuditContext
    is_form: bool


@dataclass
class Mapped:
    """A TaskRouter event read: the memberdesk event, or why there is none."""

    event: Event | None = None
    ignored: str | None = None
    notes: list[str] = field(default_factory=list)


# --- who sent it ------------------------------------------------------------------------------


def auth_token(settings: Settings) -> str | None:
    """Twilio's auth token: ``MEMBERDESK_TWILIO_AUTH_TOKEN``, else ``var/twilio_auth_token``.
    Read at each callback, so a rotated token takes effect without a restart."""
    if settings.twilio_auth_token is not None:
        return settings.twilio_auth_token.get_secret_value() or None
    path = Path(settings.var_dir) / CREDENTIAL_FILE
    return (path.read_text().strip() or None) if path.is_file() else None


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio called: the configured public address with this path and query, or the
    address the request arrived at (scheme from X-Forwarded-Proto only behind a trusted proxy,
    which the server applies)."""
    if not settings.public_url:
        return str(request.url)
    query = request.url.query
    return settings.public_url.rstrip("/") + request.url.path + (f"?{query}" if query else "")


def signed(token: str, url: str, pairs: list[tuple[str, str]], request: Request) -> bool:
    """Whether the request carries Twilio's signature of ``url`` and ``pairs``."""
    from starlette.datastructures import ImmutableMultiDict
    from twilio.request_validator import RequestValidator, get_signature_algorithm

    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SETTINGS_HEADER))
    # A multi-dict: the signature covers every value of a field sent more than once.
    valid: bool = RequestValidator(token).validate(
        url, ImmutableMultiDict(pairs), signature, algorithm
    )
    return valid


async def _form(request: Request) -> tuple[list[tuple[str, str]], bool]:
    """The body's fields, blanks kept (the signature covers them), and whether it was a form."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        return [], False
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise InvalidInput(f"at most {MAX_FIELDS} form fields", field="body") from None
    return pairs, True


class TwilioSigned(Require):
    """``kpi.feed``, held by Twilio itself when the request carries its valid signature, or by
    an account that holds it (the telephony account's bearer token: a backfill replaying
    TaskRouter's Events API, which Twilio does not sign)."""

    def __init__(self) -> None:
        super().__init__(Permission.KPI_FEED)

    async def __call__(self, request: Request) -> Webhook:  # type: ignore[override]
        pairs, is_form = await _form(request)
        fields = dict(reversed(pairs))  # a field sent twice: its first value
        if request.headers.get("authorization", "")[:7].lower() == "bearer ":
            principal = await super().__call__(request, await get_principal(request))
            return Webhook(fields, audit_context(request, principal), is_form)
        settings: Settings = request.app.state.settings
        token = auth_token(settings)
        if not request.headers.get(SIGNATURE_HEADER):
            # No credentials at all: 401, as on every protected route. Twilio always signs.
            await self._refuse(request, "no signature", UNSIGNED, AuthRequired)
        elif token is None:
            await self._refuse(request, "no auth token", NOT_CONFIGURED)
        elif not signed(token, public_url(request, settings), pairs, request):
            await self._refuse(request, "bad signature", BAD_SIGNATURE)
        ctx = replace(
            SYSTEM,
            request_id=getattr(request.state, "request_id", None),
            client_addr=client_addr(request),
        )
        return Webhook(fields, ctx, is_form)

    @staticmethod
    async def _refuse(
        request: Request, reason: str, message: str, error: type[MemberdeskError] = Forbidden
    ) -> NoReturn:
        log.warning("Twilio callback refused: %s", reason)  # never the fields: PHI
        await request.app.state.anonymous_gate.pass_through()  # a flood waits its turn
        raise error(message, field=f"header.{SIGNATURE_HEADER}")


SignedHook = Annotated[Webhook, Depends(TwilioSigned())]


# --- what it says -----------------------------------------------------------------------------


Rule = tuple[re.Pattern[str], str]


def _required(fields: Mapping[str, str], name: str, rule: Rule) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise InvalidInput("is required", field=f"body.{name}")
    if not rule[0].match(value):
        raise InvalidInput(rule[1], field=f"body.{name}")
    return value


def event_time(fields: Mapping[str, str]) -> datetime:
    """When the event happened: TimestampMs (milliseconds since 1970) when sent, else
    Timestamp (seconds)."""
    for name, unit, scale in (
        ("TimestampMs", "milliseconds", 1000.0),
        ("Timestamp", "seconds", 1.0),
    ):
        text = fields.get(name, "").strip()
        if not text:
            continue
        try:
            seconds = float(text) / scale
        except ValueError:
            raise InvalidInput(
                f"must be a number of {unit} since 1970", field=f"body.{name}"
            ) from None
        if not FIRST_SECOND <= seconds <= LAST_SECOND:
            raise InvalidInput("must fall between the years 2000 and 2199", field=f"body.{name}")
        return datetime.fromtimestamp(seconds, UTC)
    raise InvalidInput("is required", field="body.Timestamp")


def _name_or_sid(fields: Mapping[str, str], name: str, sid: str) -> str | None:
    """A friendly name when it fits an ID (64 printable characters), else the SID."""
    value = fields.get(name, "").strip()
    if NAME[0].match(value):
        return value
    value = fields.get(sid, "").strip()
    return value if SID[0].match(value) else None


def _agent(fields: Mapping[str, str], settings: Settings) -> str:
    if settings.twilio_agent_id == "sid":
        return _required(fields, "WorkerSid", SID)
    agent = _name_or_sid(fields, "WorkerName", "WorkerSid")
    if agent is None:
        raise InvalidInput("is required", field="body.WorkerName")
    return agent


def _member(fields: Mapping[str, str], settings: Settings, notes: list[str]) -> str | None:
    """The identified caller's member ID from the task's attributes, if they name one. Never
    the value in a note: it is PHI."""
    text = fields.get("TaskAttributes", "").strip()
    if not text:
        return None
    name = settings.twilio_member_attribute
    try:
        attributes = json.loads(text)
    except ValueError:
        notes.append("TaskAttributes is not JSON: no member ID taken from it")
        return None
    value = attributes.get(name) if isinstance(attributes, dict) else None
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not MEMBER_ID_RE.match(value.strip()):
        notes.append(f"TaskAttributes.{name} is not a member ID (letters, digits, hyphens)")
        return None
    return value.strip()


def _call_sid(fields: Mapping[str, str]) -> str | None:
    """The CallSid a task's attributes carry (the phone menu's transfer and Flex put it there):
    the screen pop finds what the menu learned by it."""
    try:
        attributes = json.loads(fields.get("TaskAttributes", "") or "{}")
    except ValueError:
        return None
    value = attributes.get("call_sid") if isinstance(attributes, dict) else None
    return value if isinstance(value, str) and SID[0].match(value) else None


def _channel(fields: Mapping[str, str], settings: Settings) -> str | None:
    """The task's channel when it is not a phone call (None: a call, or a workspace without
    channels, whose every task is a call)."""
    channel = fields.get("TaskChannelUniqueName", "").strip()
    return channel if channel and channel not in settings.twilio_channels else None


def activity_state(name: str, settings: Settings) -> AgentEvent:
    """The agent state of a TaskRouter activity (case, spaces, hyphens and underscores ignored;
    an activity nobody mapped counts as not ready: the agent is logged in but takes no calls)."""
    key = _folded(name)
    configured = {_folded(k): AgentEvent(v) for k, v in settings.twilio_activities.items()}
    return configured.get(key) or DEFAULT_ACTIVITIES.get(key) or AgentEvent.NOT_READY


def _folded(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


def read_event(fields: Mapping[str, str], settings: Settings) -> Mapped:
    """The memberdesk event a TaskRouter callback describes (422 naming a field it lacks)."""
    kind = _required(fields, "EventType", NAME)
    if kind not in CALL_EVENTS and kind != AGENT_EVENT:
        return Mapped(ignored="memberdesk does not use this event type")
    if kind in CALL_EVENTS and (channel := _channel(fields, settings)):
        return Mapped(ignored=f"a {channel[:32]} task, not a phone call")
    # The event's own SID is the idempotency key (Sid; EventSid in some relays' copies).
    key = _required(
        fields, "EventSid" if fields.get("EventSid") and not fields.get("Sid") else "Sid", SID
    )
    at = event_time(fields)
    if kind == AGENT_EVENT:
        state = activity_state(_required(fields, "WorkerActivityName", NAME), settings)
        return Mapped(Event(f"twilio:{key}", state, at, agent_id=_agent(fields, settings)))
    return _call_event(CALL_EVENTS[kind], f"twilio:{key}", at, fields, settings)


def _call_event(
    kind: CallEvent, key: str, at: datetime, fields: Mapping[str, str], settings: Settings
) -> Mapped:
    out = Mapped()
    call_id = _required(fields, "TaskSid", SID)
    queue = None
    if kind in (CallEvent.OFFERED, CallEvent.QUEUED):
        queue = _name_or_sid(fields, "TaskQueueName", "TaskQueueSid")
        if queue is None and kind is CallEvent.QUEUED:
            raise InvalidInput("is required", field="body.TaskQueueSid")
        # task.created comes before the workflow picks a queue; task-queue.entered moves it.
        queue = queue or UNROUTED
    agent = _agent(fields, settings) if kind is CallEvent.ANSWERED else None
    member = _member(fields, settings, out.notes)
    out.event = Event(
        key,
        kind,
        at,
        call_id=call_id,
        queue=queue,
        agent_id=agent,
        member_id=member,
        ref=_call_sid(fields) if kind is CallEvent.ANSWERED else None,
    )
    return out


# --- the route --------------------------------------------------------------------------------


@router.post(
    "/kpi/twilio/taskrouter",
    response_model=TwilioOut,
    summary="Twilio TaskRouter event callback",
    tags=TAGS,
    # Only Twilio calls it, with Twilio's own form (docs/telephony.md), so it stays out of the
    # JSON API's document. (Listed, it also shifts the derandomised fuzz test's draws so that
    # it sends "permission" to POST /api/users and takes that 403's fixed wording for an echo.)
    include_in_schema=False,
    responses={
        401: {"description": "No X-Twilio-Signature (nor API token); nothing was stored"},
        403: {"description": "Wrong X-Twilio-Signature; nothing was stored"},
        415: {"description": "The body is not application/x-www-form-urlencoded"},
    },
)
def taskrouter_event(
    session: SessionDep,
    request: Request,
    hook: SignedHook,
    pack: Annotated[
        str | None,
        Query(max_length=32, description="Line of business (default MEMBERDESK_TWILIO_PACK)"),
    ] = None,
) -> TwilioOut:
    """Set this URL as the TaskRouter workspace's Event Callback URL. Twilio signs each
    callback: one without a signature is refused (401), one whose signature does not match
    (403), and nothing of it is stored. Tasks are calls: created (offered), entered a queue
    (queued), reservation accepted (answered), canceled (abandoned), wrap-up or completed
    (ended); worker activity changes are agent states. Other event types are answered 200 and
    named as ignored. The same event sent twice counts once."""
    if not hook.is_form:
        raise UnsupportedMedia(f"send {FORM}, as Twilio does", field="header.content-type")
    settings: Settings = request.app.state.settings
    where = "query.pack" if pack else "settings.twilio_pack"
    pack = pack or settings.twilio_pack
    try:
        goals_of(pack)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field=where) from None
    mapped = read_event(hook.fields, settings)
    event_type = hook.fields.get("EventType", "")
    if mapped.event is None:
        return TwilioOut(
            event_type=event_type,
            used=False,
            kind=None,
            ignored=mapped.ignored,
            notes=mapped.notes,
            received=0,
            duplicates=0,
            calls=0,
            agents=0,
        )
    result = feed.receive(session, hook.ctx, pack, [mapped.event])
    session.commit()
    return TwilioOut(
        event_type=event_type,
        used=True,
        kind=mapped.event.kind.value,
        ignored=None,
        notes=mapped.notes,
        **vars(result),
    )
