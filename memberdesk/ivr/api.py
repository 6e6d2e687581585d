"""The phone menu's Twilio webhooks (the number's voice URL, the menu's answers, the voicemail
and the call's status) and the containment report.

Each webhook is checked as the TaskRouter callback is (``kpi/twilio.py``): Twilio's signature
over the exact URL and form, else 401 or 403 and nothing recorded. Answers are TwiML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from twilio.twiml.voice_response import VoiceResponse

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import requires
from memberdesk.compliance.enums import Permission
from memberdesk.config import Settings
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput
from memberdesk.ivr import finish, report, service
from memberdesk.kpi.targets import goals_of
from memberdesk.kpi.twilio import FORM, SID, SignedHook, UnsupportedMedia, Webhook
from memberdesk.sla.packs import UnknownPackError

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["Phone menu"]
TWIML = "application/xml"
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
KEYS = re.compile(r"^[0-9*#]{0,32}$")
Reader = Annotated[Principal, requires(Permission.KPI_READ)]


def hook(path: str, summary: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A Twilio webhook route: out of the JSON API's document (only Twilio calls it, with its
    own form, docs/ivr.md), answering TwiML."""
    return router.post(
        path,
        summary=summary,
        include_in_schema=False,
        response_class=Response,
        responses={
            401: {"description": "No X-Twilio-Signature; nothing was recorded"},
            403: {"description": "Wrong X-Twilio-Signature; nothing was recorded"},
        },
    )


def _twiml(r: VoiceResponse) -> Response:
    return Response(str(r), media_type=TWIML)


def _sid(hook: Webhook) -> str:
    if not hook.is_form:
        raise UnsupportedMedia(f"send {FORM}, as Twilio does", field="header.content-type")
    value = hook.fields.get("CallSid", "").strip()
    if not value:
        raise InvalidInput("is required", field="body.CallSid")
    if not SID[0].match(value):
        raise InvalidInput(SID[1], field="body.CallSid")
    return value


def _pack(request: Request, pack: str | None) -> str:
    settings: Settings = request.app.state.settings
    chosen = pack or settings.twilio_pack
    try:
        goals_of(chosen)
    except UnknownPackError as exc:
        raise InvalidInput(
            str(exc), field="query.pack" if pack else "settings.twilio_pack"
        ) from None
    return chosen


def _transfer(request: Request) -> service.Transfer:
    settings: Settings = request.app.state.settings
    return service.Transfer(
        settings.twilio_ivr_workflow_sid,
        settings.twilio_member_attribute,
        int(settings.dependent_age_limit),
    )


PackQuery = Annotated[
    str | None,
    Query(max_length=32, description="Line of business (default MEMBERDESK_TWILIO_PACK)"),
]


@hook("/ivr/twilio/voice", "Twilio voice webhook: a call arrives")
def incoming_call(
    session: SessionDep, request: Request, hook: SignedHook, pack: PackQuery = None
) -> Response:
    """Set this URL as the phone number's "A call comes in" webhook (HTTP POST). The caller
    chooses English or Spanish, then keys their member ID and date of birth."""
    sid = _sid(hook)
    call = service.start(
        session,
        call_sid=sid,
        from_phone=hook.fields.get("From", "").strip()[:32] or None,
        pack=_pack(request, pack),
        at=now(),
    )
    answer = service.prompt(call)
    session.commit()
    return _twiml(answer)


@hook("/ivr/twilio/gather", "Twilio voice webhook: the caller keyed")
def keyed(
    session: SessionDep, request: Request, hook: SignedHook, pack: PackQuery = None
) -> Response:
    """Where the menu's <Gather> sends the keys pressed (``Digits``); none: ask again."""
    sid = _sid(hook)
    digits = hook.fields.get("Digits", "").strip()
    if not KEYS.match(digits):
        digits = "?"  # not keys a phone sends: an unexpected answer, never echoed
    call = service.find(session, sid, lock=True)
    if call is None:  # a call the menu has not met (the voice URL skipped): start it
        call = service.start(
            session,
            call_sid=sid,
            from_phone=hook.fields.get("From", "").strip()[:32] or None,
            pack=_pack(request, pack),
            at=now(),
        )
        answer = service.prompt(call)
    else:
        answer = service.answer(
            session, hook.ctx, call, digits, at=now(), transfer=_transfer(request)
        )
    session.commit()
    return _twiml(answer)


@hook("/ivr/twilio/voicemail", "Twilio voice webhook: a message recorded")
def recorded(session: SessionDep, request: Request, hook: SignedHook) -> Response:
    """Where the menu's <Record> sends the message: it becomes the voicemail callback task."""
    sid = _sid(hook)
    call = service.find(session, sid, lock=True)
    if call is None:
        raise InvalidInput("no call with this CallSid went through the menu", field="body.CallSid")
    seconds = hook.fields.get("RecordingDuration", "").strip()
    heard = bool(hook.fields.get("RecordingUrl", "").strip()) and seconds not in ("", "0")
    answer = service.voicemail(session, hook.ctx, call, recorded=heard, at=now())
    session.commit()
    return _twiml(answer)


class StatusOut(BaseModel):
    """What the call's status changed."""

    outcome: str = Field(description="How the call left the menu (in_menu while it has not)")


@hook("/ivr/twilio/status", "Twilio call status callback")
def call_status(session: SessionDep, request: Request, hook: SignedHook) -> Response:
    """Set this URL as the number's call status changes callback: a call that ends while in
    the menu is logged as contained (the menu answered something) or abandoned."""
    sid = _sid(hook)
    status = hook.fields.get("CallStatus", "").strip()
    call = service.find(session, sid, lock=True)
    if call is not None and status in ENDED:
        finish.hung_up(session, hook.ctx, call, at=now())
    outcome = call.outcome.value if call is not None else "unknown"
    session.commit()
    return Response(StatusOut(outcome=outcome).model_dump_json(), media_type="application/json")


@router.get(
    "/ivr/containment",
    response_model=report.ContainmentOut,
    summary="Phone menu containment by month",
    tags=TAGS,
)
def containment(
    session: ReadingSessionDep,
    principal: Reader,
    start: Annotated[
        date | None, Query(alias="from", description="First day (default: a year ago)")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: today)")] = None,
    pack: Annotated[
        str, Query(max_length=32, description="Line of business (calchoice, oregon-medicaid)")
    ] = "calchoice",
) -> report.ContainmentOut:
    """Calls through the phone menu each month, how many it answered without a representative
    (contained), sent to one, took a message for, or lost, against the 25–30% goal."""
    first, last = report.period(start, end, now())
    try:
        goals_of(pack)
    except UnknownPackError as exc:
        raise InvalidInput(str(exc), field="query.pack") from None
    out = report.containment(session, pack, first, last)
    session.commit()
    return out
