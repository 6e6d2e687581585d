"""The phone menu's flow: one step per keypad answer, the call's state kept on its row (keyed by
Twilio's CallSid), every answer a TwiML document built with the ``twilio`` library.

Identification takes the member ID and the date of birth and says only whether both matched;
three failed tries send the caller to a representative. A digit the menu did not expect is met
with a spoken re-prompt, at most twice in a row, then a representative. Every disclosure to an
identified caller is audited like a read of the record; nothing the caller keys is logged.
Services never commit (the route does, once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Gather, VoiceResponse

from memberdesk.cases.models import Case
from memberdesk.cases.states import OPEN_STATES
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.contacts.enums import Reason
from memberdesk.errors import Conflict
from memberdesk.ivr import prompts
from memberdesk.ivr.enums import Choice, Outcome, Step
from memberdesk.ivr.finish import finish, left_as, record_voicemail
from memberdesk.ivr.models import IvrCall, IvrMiss
from memberdesk.members import access as members_access
from memberdesk.members import service as members
from memberdesk.members.enums import IdCardReason
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.sla.packs import zone_of

GATHER = "/api/ivr/twilio/gather"
RECORDED = "/api/ivr/twilio/voicemail"
MAX_ID_TRIES = 3  # failed member ID + date of birth pairs before a representative takes over
MAX_MISSES = 5  # wrong dates of birth for one member ID, over all calls, within the window
MISS_WINDOW = timedelta(hours=24)
MAX_RETRIES = 2  # unexpected answers in a row re-prompted before a representative takes over
MAX_PATH = 60  # steps kept on a call's path (a caller looping in the menu)
VOICEMAIL_SECONDS = 120

# The reason a choice is about: the contact's reason and the queue a transfer goes to.
REASON_OF = {
    Choice.CARD_STATUS: Reason.ID_CARD,
    Choice.NEW_CARD: Reason.ID_CARD,
    Choice.NEW_CARD_REFUSED: Reason.ID_CARD,
    Choice.ELIGIBILITY: Reason.ELIGIBILITY,
    Choice.CASE_STATUS: Reason.OTHER,
}


@dataclass(frozen=True)
class Transfer:
    """The plan's settings the menu answers by: where a transfer sends the caller (a TaskRouter
    workflow, else a named queue) and the dependant age limit coverage is judged with."""

    workflow_sid: str | None
    member_attribute: str
    age_limit: int = 26  # the plan's dependant age limit (MEMBERDESK_DEPENDENT_AGE_LIMIT)


def start(
    session: Session, *, call_sid: str, from_phone: str | None, pack: str, at: datetime
) -> IvrCall:
    """The call's row: made on its first request, found again on any later one."""
    call = session.scalar(select(IvrCall).where(IvrCall.call_sid == call_sid))
    if call is not None:
        return call
    call = IvrCall(
        call_sid=call_sid,
        pack=pack,
        from_phone=from_phone or None,
        step=Step.LANGUAGE,
        failed_ids=0,
        retries=0,
        path=[],
        outcome=Outcome.IN_MENU,
        started_at=at,
    )
    session.add(call)
    session.flush()
    return call


def find(session: Session, call_sid: str, *, lock: bool = False) -> IvrCall | None:
    """A call by its CallSid, its row locked (PostgreSQL) so that two requests of one call
    take turns."""
    stmt = select(IvrCall).where(IvrCall.call_sid == call_sid)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def _walk(call: IvrCall, choice: Choice) -> None:
    if len(call.path) < MAX_PATH:
        call.path = [*call.path, choice.value]  # a new list: JSON columns notice assignment


def _lang(call: IvrCall) -> str:
    return call.language or "en"


def _say(node: VoiceResponse | Gather, call: IvrCall, text: str) -> None:
    lang = _lang(call)
    node.say(text, language=prompts.SAY_LANGUAGE[lang])


# --- prompts per step ------------------------------------------------------------------------


def prompt(call: IvrCall, before: list[str] | None = None) -> VoiceResponse:
    """The step's question (after ``before``), asked again once more when nothing is keyed."""
    r = VoiceResponse()
    for text in before or []:
        _say(r, call, text)
    if call.step == Step.LANGUAGE:
        g = r.gather(action=GATHER, method="POST", num_digits=1, timeout=6)
        for lang in prompts.LANGUAGES:
            g.say(prompts.CHOOSE_LANGUAGE[lang], language=prompts.SAY_LANGUAGE[lang])
    else:
        key = {
            Step.MEMBER_ID: "member_id",
            Step.DATE_OF_BIRTH: "date_of_birth",
            Step.MENU: "menu",
            Step.CARD: "card_menu",
        }[call.step]
        if call.step in (Step.MEMBER_ID,):
            g = r.gather(action=GATHER, method="POST", finish_on_key="#", timeout=10)
        elif call.step == Step.DATE_OF_BIRTH:
            g = r.gather(action=GATHER, method="POST", num_digits=8, timeout=12)
        else:
            g = r.gather(action=GATHER, method="POST", num_digits=1, timeout=8)
        _say(g, call, prompts.say(_lang(call), key))
    # No answer: Twilio goes on to the next verb, which asks the menu again (an empty answer).
    r.redirect(GATHER, method="POST")
    return r


def _goodbye(call: IvrCall, before: list[str]) -> VoiceResponse:
    r = VoiceResponse()
    for text in before:
        _say(r, call, text)
    _say(r, call, prompts.say(_lang(call), "goodbye"))
    r.hangup()
    return r


# --- answers ---------------------------------------------------------------------------------


def answer(
    session: Session,
    ctx: AuditContext,
    call: IvrCall,
    digits: str,
    *,
    at: datetime,
    transfer: Transfer,
) -> VoiceResponse:
    """The caller's answer to the current step, and what the menu says next."""
    if call.step in (Step.DONE, Step.VOICEMAIL):
        return _goodbye(call, [])
    if call.step == Step.LANGUAGE:
        if digits in ("1", "2"):
            call.language = "en" if digits == "1" else "es"
            _walk(call, Choice.ENGLISH if digits == "1" else Choice.SPANISH)
            return _next(call, Step.MEMBER_ID)
        return _unexpected(session, ctx, call, at, transfer)
    if call.step == Step.MEMBER_ID:
        return _member_id(session, ctx, call, digits, at, transfer)
    if call.step == Step.DATE_OF_BIRTH:
        return _date_of_birth(session, ctx, call, digits, at, transfer)
    if call.step == Step.CARD:
        return _card_menu(session, ctx, call, digits, at, transfer)
    return _menu(session, ctx, call, digits, at, transfer)


def _next(call: IvrCall, step: Step, before: list[str] | None = None) -> VoiceResponse:
    call.step = step
    call.retries = 0
    return prompt(call, before)


def _unexpected(
    session: Session, ctx: AuditContext, call: IvrCall, at: datetime, transfer: Transfer
) -> VoiceResponse:
    call.retries += 1
    _walk(call, Choice.RETRY)
    if call.retries > MAX_RETRIES:
        _walk(call, Choice.TOO_MANY_RETRIES)
        return _transfer(session, ctx, call, at, transfer, [prompts.say(_lang(call), "too_many")])
    return prompt(call, [prompts.say(_lang(call), "unexpected")])


def _candidates(digits: str) -> list[str]:
    """The member IDs a string of keyed digits can mean (a keypad has no hyphen): 11 digits are
    ID and suffix; 9 digits are the subscriber's own ID."""
    if len(digits) == 11:
        return [f"{digits[:9]}-{digits[9:]}", digits]
    if len(digits) == 9:
        return [f"{digits}-00", digits]
    return [digits]


def _member_id(
    session: Session,
    ctx: AuditContext,
    call: IvrCall,
    digits: str,
    at: datetime,
    transfer: Transfer,
) -> VoiceResponse:
    if digits == "0":
        _walk(call, Choice.AGENT)
        return _transfer(session, ctx, call, at, transfer, [])
    if not digits.isdigit() or not 6 <= len(digits) <= 20:
        return _unexpected(session, ctx, call, at, transfer)
    indexes = [bidx_member_number(c) for c in _candidates(digits)]
    found = session.scalar(
        select(Member.id)
        .where(Member.member_number_bidx.in_(indexes), Member.purged_at.is_(None))
        .limit(1)
    )
    # Whether the ID matched is not said until the date of birth is in: the pair matches or not.
    call.pending_member_id = found
    return _next(call, Step.DATE_OF_BIRTH)


def _birth(digits: str) -> date | None:
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[4:]), int(digits[:2]), int(digits[2:4]))
    except ValueError:
        return None


def _locked(session: Session, member_id: int, at: datetime) -> bool:
    """Whether this member ID has missed its date of birth too often lately, over all calls:
    then even the right date is answered as a miss (the same words: no hint), and the caller
    reaches a representative, who verifies them as usual."""
    misses = session.scalar(
        select(func.count())
        .select_from(IvrMiss)
        .where(IvrMiss.member_id == member_id, IvrMiss.at >= at - MISS_WINDOW)
    )
    return (misses or 0) >= MAX_MISSES


def _date_of_birth(
    session: Session,
    ctx: AuditContext,
    call: IvrCall,
    digits: str,
    at: datetime,
    transfer: Transfer,
) -> VoiceResponse:
    if not digits:
        return _unexpected(session, ctx, call, at, transfer)
    born = _birth(digits)
    member = session.get(Member, call.pending_member_id) if call.pending_member_id else None
    call.pending_member_id = None
    if member is not None and not _locked(session, member.id, at):
        if born is not None and member.date_of_birth == born:
            call.member_id = member.id
            _walk(call, Choice.IDENTIFIED)
            return _next(call, Step.MENU)
        session.add(IvrMiss(member_id=member.id, at=at))
    call.failed_ids += 1
    lang = _lang(call)
    if call.failed_ids >= MAX_ID_TRIES:
        _walk(call, Choice.NOT_IDENTIFIED)
        return _transfer(session, ctx, call, at, transfer, [prompts.say(lang, "not_identified")])
    return _next(call, Step.MEMBER_ID, [prompts.say(lang, "no_match")])


def _menu(
    session: Session,
    ctx: AuditContext,
    call: IvrCall,
    digits: str,
    at: datetime,
    transfer: Transfer,
) -> VoiceResponse:
    member = session.get(Member, call.member_id) if call.member_id else None
    if member is None:  # only an identified caller reaches the menu
        return _next(call, Step.MEMBER_ID)
    lang = _lang(call)
    if digits == "1":
        _walk(call, Choice.CARD_STATUS)
        return _next(call, Step.CARD, [_card_status(session, ctx, member, lang)])
    if digits == "2":
        _walk(call, Choice.ELIGIBILITY)
        covered = _coverage(session, ctx, member, lang, at, transfer.age_limit)
        said = [covered, prompts.say(lang, "anything_else")]
        return _next(call, Step.MENU, said)
    if digits == "3":
        _walk(call, Choice.CASE_STATUS)
        said = [*_case_status(session, ctx, member, lang), prompts.say(lang, "anything_else")]
        return _next(call, Step.MENU, said)
    if digits == "4":
        _walk(call, Choice.VOICEMAIL)
        return _voicemail_prompt(call)
    if digits == "0":
        _walk(call, Choice.AGENT)
        return _transfer(session, ctx, call, at, transfer, [])
    if digits in ("9", "*"):
        return _next(call, Step.MENU)
    return _unexpected(session, ctx, call, at, transfer)


def _card_menu(
    session: Session,
    ctx: AuditContext,
    call: IvrCall,
    digits: str,
    at: datetime,
    transfer: Transfer,
) -> VoiceResponse:
    member = session.get(Member, call.member_id) if call.member_id else None
    if member is None:
        return _next(call, Step.MEMBER_ID)
    lang = _lang(call)
    if digits == "1":
        try:
            members_access.request_card(
                session, ctx, member, IdCardReason.ADDITIONAL_COPY, transfer.age_limit
            )
        except Conflict as exc:
            _walk(call, Choice.NEW_CARD_REFUSED)
            key = "card_open" if str(exc) == members.OPEN_CARD_REQUEST else "card_refused"
            return _next(call, Step.MENU, [prompts.say(lang, key)])
        _walk(call, Choice.NEW_CARD)
        return _next(call, Step.MENU, [prompts.say(lang, "card_sent")])
    if digits in ("9", "*"):
        return _next(call, Step.MENU)
    if digits == "0":
        _walk(call, Choice.AGENT)
        return _transfer(session, ctx, call, at, transfer, [])
    return _unexpected(session, ctx, call, at, transfer)


# --- what an identified caller hears -----------------------------------------------------------


def _read(session: Session, ctx: AuditContext, member: Member, what: str) -> None:
    members_access.record_read(session, ctx, member, f"ivr:{what}")


def _card_status(session: Session, ctx: AuditContext, member: Member, lang: str) -> str:
    cards = members.list_id_cards(session, member)
    _read(session, ctx, member, "id_card_status")
    if not cards:
        return prompts.say(lang, "no_card")
    card = cards[0]
    return prompts.say(
        lang,
        "card",
        on=prompts.spoken_date(
            card.requested_at.astimezone(zone_of(pack_for(member))).date(), lang
        ),
        status=prompts.CARD_STATUS[lang][card.status],
    )


def _coverage(
    session: Session, ctx: AuditContext, member: Member, lang: str, at: datetime, age_limit: int
) -> str:
    # "Today" is the plan's day (an evening call in California is already tomorrow in UTC).
    today = at.astimezone(zone_of(pack_for(member))).date()
    result = members.eligibility(member, today, age_limit)
    _read(session, ctx, member, "eligibility")
    if not result.eligible:
        return prompts.say(lang, "not_covered")
    if result.until is not None:
        return prompts.say(lang, "covered_until", until=prompts.spoken_date(result.until, lang))
    return prompts.say(lang, "covered")


def _case_status(session: Session, ctx: AuditContext, member: Member, lang: str) -> list[str]:
    cases = list(
        session.scalars(
            select(Case).where(Case.member_id == member.id, Case.state.in_(OPEN_STATES))
        )
    )
    _read(session, ctx, member, "case_status")
    if not cases:
        return [prompts.say(lang, "no_case")]

    def due(case: Case) -> tuple[datetime, int]:
        dues = [c.due_at for c in case.clocks if c.due_at is not None and c.closed_at is None]
        return (min(dues) if dues else datetime.max.replace(tzinfo=case.created_at.tzinfo), case.id)

    nearest = min(cases, key=due)
    said = [
        prompts.say(
            lang,
            "case",
            kind=prompts.case_kind(nearest.case_type, lang),
            on=prompts.spoken_date(nearest.created_at.date(), lang),
            state=prompts.CASE_STATE[lang][nearest.state],
        )
    ]
    if len(cases) > 1:
        said.insert(0, prompts.say(lang, "more_cases", n=str(len(cases))))
    return said


# --- leaving the menu --------------------------------------------------------------------------


def _voicemail_prompt(call: IvrCall) -> VoiceResponse:
    call.step = Step.VOICEMAIL
    r = VoiceResponse()
    _say(r, call, prompts.say(_lang(call), "voicemail"))
    r.record(
        action=RECORDED,
        method="POST",
        max_length=VOICEMAIL_SECONDS,
        finish_on_key="#",
        play_beep=True,
    )
    return r


def voicemail(
    session: Session, ctx: AuditContext, call: IvrCall, *, recorded: bool, at: datetime
) -> VoiceResponse:
    """The message is in: it becomes the callback task, due by the pack's voicemail_return."""
    lang = _lang(call)
    if call.step != Step.VOICEMAIL:
        return _goodbye(call, [])
    if not recorded:
        if call.ended_at is not None:  # the caller hung up before saying anything
            finish(session, ctx, call, left_as(call), at=call.ended_at)
            return _goodbye(call, [])
        return _next(call, Step.MENU, [prompts.say(lang, "no_recording")])
    cb = record_voicemail(session, ctx, call, at=call.ended_at or at)
    due = cb.due_at.astimezone(zone_of(call.pack))
    if due.date() == at.astimezone(due.tzinfo).date():
        return _goodbye(call, [prompts.say(lang, "voicemail_today")])
    when = prompts.spoken_date(due.date(), lang)
    return _goodbye(call, [prompts.say(lang, "voicemail_saved", due=when)])


def queue_of(call: IvrCall) -> tuple[Reason, str]:
    """The reason the caller called about (their last choice that has one) and the queue that
    serves it in their language."""
    reason = Reason.OTHER
    for step in call.path:
        found = REASON_OF.get(Choice(step))
        if found is not None:
            reason = found
    group = {Reason.ID_CARD: "eligibility", Reason.ELIGIBILITY: "eligibility"}.get(
        reason, "member-services"
    )
    return reason, f"{group}-{_lang(call)}"


def _transfer(
    session: Session,
    ctx: AuditContext,
    call: IvrCall,
    at: datetime,
    transfer: Transfer,
    before: list[str],
) -> VoiceResponse:
    reason, queue = queue_of(call)
    call.reason, call.queue = reason, queue
    finish(session, ctx, call, Outcome.TRANSFERRED, at=at)
    r = VoiceResponse()
    for text in [*before, prompts.say(_lang(call), "transfer")]:
        _say(r, call, text)
    if transfer.workflow_sid:
        # What the IVR learned rides with the call to the agent (TaskRouter task attributes).
        attributes: dict[str, object] = {
            "call_sid": call.call_sid,
            "language": _lang(call),
            "reason": reason.value,
            "queue": queue,
            "identified": call.member_id is not None,
            "ivr_path": call.path,
        }
        member = session.get(Member, call.member_id) if call.member_id else None
        if member is not None:
            attributes[transfer.member_attribute] = member.member_number
        r.enqueue(workflow_sid=transfer.workflow_sid).task(json.dumps(attributes))
    else:
        r.enqueue(queue)
    return r
