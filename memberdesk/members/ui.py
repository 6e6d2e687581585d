"""HTML pages of the members domain: search, the member 360 (staff and portal), its forms, and
the plan list. Same services, rules and audit as the JSON API; masked by role like it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.compliance.masking import masked_for
from memberdesk.compliance.permissions import policy
from memberdesk.contacts import words as contact_words
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.language import N_
from memberdesk.language import gettext as _
from memberdesk.members import access, history, service, words
from memberdesk.members.api import own_member, own_member_id
from memberdesk.members.enums import Benefit, IdCardReason, LifeEventType, LineOfBusiness
from memberdesk.members.lines import line_of
from memberdesk.members.models import Member, Plan
from memberdesk.members.rules import NO_CARD_AFTER_COVERAGE
from memberdesk.members.schemas import IdCardIn, LifeEventIn, Member360, MemberSearch
from memberdesk.schemas import Day, id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Searcher = Annotated[Principal, requires(Permission.MEMBER_SEARCH)]
Reader = Annotated[Principal, requires(Permission.MEMBER_READ)]
Writer = Annotated[Principal, requires(Permission.MEMBER_WRITE)]
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
SelfWriter = Annotated[Principal, requires(Permission.SELF_WRITE)]
PlanReader = Annotated[Principal, requires(Permission.PLAN_READ)]
MemberId = Annotated[int, id_path("member")]
SEARCH_RESULTS = 50
_DAY = TypeAdapter(Day)

# Fixed sentences after a form succeeded (Post/Redirect/Get); the URL carries only the code.
DONE = {
    "id_card": N_("ID card requested. You can follow it below."),
    "life_event": N_("Life event recorded. Its special enrolment window is shown below."),
    "contact": N_("Call saved. It is the first line of Recent contacts below."),
}
# Plain words for a form field that did not pass, whatever the validator said.
FIELD_HELP = {
    "member_number": N_(
        "A member ID is 9 digits, or 9 digits, a hyphen and 2 more (123456789 or 123456789-01)."
    ),
    "last_name": N_("Enter a last name of at most 80 letters."),
    "date_of_birth": N_(
        "Enter the date of birth as a full date (day, month and year), not in the future."
    ),
    "phone": N_("A phone number has 10 digits, area code first."),
    "event_type": N_("Choose the kind of life event."),
    "event_date": N_("Enter the date of the event as a full date (day, month and year)."),
    "notes": N_("Notes can be at most 2,000 characters."),
    "reason": N_("Choose why a card is needed."),
}
# The same refusals, said to the member on their own page.
YOUR_CARD_REFUSALS = {
    service.OPEN_CARD_REQUEST: N_(
        "The card you asked for is on its way. You can ask for another once it has been mailed."
    ),
    NO_CARD_AFTER_COVERAGE: N_(
        "Your coverage has ended, so no new card can be sent. Call member "
        "services if you think this is wrong."
    ),
}
PORTAL_REASONS = [
    IdCardReason.LOST_OR_STOLEN,
    IdCardReason.DAMAGED,
    IdCardReason.NAME_CHANGE,
    IdCardReason.ADDITIONAL_COPY,
]


def _today() -> date:
    return now().date()


def _age_limit(request: Request) -> int:
    return int(request.app.state.settings.dependent_age_limit)


def sentence(message: str) -> str:
    """A service message as a sentence: capital letter, full stop."""
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def plain_errors(errors: list[ErrorDetails]) -> list[str]:
    """Validation errors as sentences a person can act on (never developer text)."""
    out: list[str] = []
    for err in errors:
        field = next((str(p) for p in reversed(err["loc"]) if str(p) in FIELD_HELP), None)
        if field is not None:
            text = _(FIELD_HELP[field])
        else:  # the model's own rule ("one search at a time"), already in plain words
            text = sentence(str(err["msg"]).removeprefix("Value error, "))
        if text not in out:
            out.append(text)
    return out


# --- search ---------------------------------------------------------------------------------


@router.post("/members/search")
def search(
    request: Request,
    session: ReadingSessionDep,
    principal: Searcher,
    member_number: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    date_of_birth: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The search form: same rules and audit as the API (a sync route: it runs in the thread
    pool, so waiting for a database lock never blocks the event loop)."""
    given = {
        "member_number": member_number,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "phone": phone,
    }
    form = {k: v.strip() for k, v in given.items() if v.strip()}
    try:
        body = MemberSearch.model_validate(form)
    except ValidationError as exc:
        return render(
            request,
            "members/search.html",
            principal,
            status=422,
            form=form,
            results=None,
            errors=plain_errors(exc.errors()),
        )
    page = access.search_page(
        session,
        audit_ctx(request, principal),
        body,
        limit=SEARCH_RESULTS,
        offset=0,
        today=_today(),
        age_limit=_age_limit(request),
    )
    session.commit()
    return render(
        request,
        "members/search.html",
        principal,
        form=form,
        results=masked_for(principal.role, page),
        errors=[],
    )


# --- the member 360 -------------------------------------------------------------------------


def _view(
    request: Request,
    session: Session,
    principal: Principal,
    member: Member,
    house: list[Member] | None,
    on: date,
    own: bool,
) -> Member360:
    """The audited 360, with the fields this role may not see reduced."""
    if house is None:
        member, house = service.get_household(session, member.id)
    view = access.view_360(
        session,
        audit_ctx(request, principal),
        member,
        house,
        on=on,
        today=_today(),
        age_limit=_age_limit(request),
        path=request.url.path,
        own_record=own,
    )
    if policy(principal.role).mask:
        return Member360.model_validate(masked_for(principal.role, view))
    return view


def _member_page(
    request: Request,
    session: Session,
    principal: Principal,
    member: Member,
    *,
    own: bool,
    house: list[Member] | None = None,
    on: date | None = None,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, str] | None = None,
    call: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = _view(request, session, principal, member, house, on or _today(), own)
    can_write = policy(principal.role).allows(
        Permission.SELF_WRITE if own else Permission.MEMBER_WRITE
    )
    refusal = service.id_card_refusal(session, member, _age_limit(request)) if can_write else None
    desk_links = {} if own else _desk_links(session, principal, member, call)
    open_cases = None if own else _open_cases(request, session, principal, member)
    session.commit()
    reasons = PORTAL_REASONS if own else list(IdCardReason)
    return render(
        request,
        "members/member.html",
        principal,
        status=status,
        view=view,
        own=own,
        line=line_of(view.member.line_of_business),
        history=history.split(view.coverage),
        today=_today(),
        action=("/me" if own else f"/members/{member.id}"),
        done=DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        card_reasons=[(r.value, words.label(r)) for r in reasons],
        event_types=[(t.value, words.label(t)) for t in LifeEventType],
        can_write=can_write,
        card_refusal=_card_refusal(refusal, own),
        recent_contacts=contact_words.history_rows(
            # The call in progress is not history yet (its reasons come when it is saved).
            c
            for c in view.contacts
            if c.id not in (desk_links.get("in_progress") or ())
        ),
        call=call,
        open_cases=open_cases,
        **desk_links,
    )


def _open_cases(
    request: Request, session: Session, principal: Principal, member: Member
) -> list[dict[str, Any]] | None:
    """The member's open cases with their next deadline, for staff who read cases (audited)."""
    if not policy(principal.role).allows(Permission.CASE_READ):
        return None
    from memberdesk.cases.ui_open import member_open_cases  # case pages build on this page

    return member_open_cases(session, audit_ctx(request, principal), member.id, now())


def _desk_links(
    session: Session, principal: Principal, member: Member, call: dict[str, Any] | None
) -> dict[str, Any]:
    """The agent desktop's entry points on a staff member page: start a call (or go back to
    the one in progress) and the member's portal messages awaiting a reply (a count)."""
    from memberdesk.contacts import desk  # the desktop builds on this page, not the reverse

    pol = policy(principal.role)
    open_call = None
    if call is None and pol.allows(Permission.CONTACT_WRITE):
        found = desk.open_call(session, principal.user_id, member.id, now())
        open_call = found.id if found else None
    waiting = desk.awaiting_count(session, member.id) if pol.allows(Permission.CONTACT_READ) else 0
    in_progress = [i for i in (open_call, call and call["id"]) if i]
    return {"open_call": open_call, "messages_waiting": waiting, "in_progress": in_progress}


def member_page_with_call(
    request: Request,
    session: Session,
    principal: Principal,
    member: Member,
    *,
    call: dict[str, Any],
    status: int = 200,
) -> HTMLResponse:
    """The member 360 with the agent desktop's contact bar for the call in progress."""
    return _member_page(request, session, principal, member, own=False, status=status, call=call)


def _card_refusal(refusal: str | None, own: bool) -> str | None:
    """Why the card form is not offered, said to whoever reads the page."""
    if refusal is None:
        return None
    if own:
        mine = YOUR_CARD_REFUSALS.get(refusal)
        return _(mine) if mine else sentence(refusal)
    return sentence(refusal)


def _on_date(value: str | None) -> tuple[date | None, list[str]]:
    """The "eligibility on another date" field: a date, or why it is not one."""
    if not value:
        return None, []
    try:
        return _DAY.validate_python(value), []
    except ValidationError:
        return None, [_("Enter a full date between 1900 and 2199 (day, month and year).")]


@router.get("/members/{member_id}")
def member_page(
    member_id: MemberId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    on: Annotated[str | None, Query(description="Eligibility on this date")] = None,
    done: str | None = None,
) -> HTMLResponse:
    """The member 360 page; ``on`` shows eligibility and premium on another date."""
    when, problems = _on_date(on)
    member, house = service.get_household(session, member_id)
    return _member_page(
        request,
        session,
        principal,
        member,
        own=False,
        house=house,
        on=when,
        status=422 if problems else 200,
        done=done,
        errors={"on": problems},
        typed={"on": on or ""},
    )


@router.get("/me")
def my_page(
    request: Request,
    session: ReadingSessionDep,
    principal: SelfReader,
    on: Annotated[str | None, Query(description="Eligibility on this date")] = None,
    done: str | None = None,
) -> HTMLResponse:
    """A member's own coverage, and nobody else's."""
    when, problems = _on_date(on)
    member, house = service.get_household(session, own_member_id(principal))
    return _member_page(
        request,
        session,
        principal,
        member,
        own=True,
        house=house,
        on=when,
        status=422 if problems else 200,
        done=done,
        errors={"on": problems},
        typed={"on": on or ""},
    )


def _card(
    request: Request, session: Session, principal: Principal, member: Member, reason: str, own: bool
) -> Response:
    """Request an ID card from a form; back to the page with the outcome."""
    where = "/me" if own else f"/members/{member.id}"
    try:
        body = IdCardIn.model_validate({"reason": reason})
        access.request_card(
            session, audit_ctx(request, principal), member, body.reason, _age_limit(request)
        )
    except ValidationError as exc:
        return _member_page(
            request,
            session,
            principal,
            member,
            own=own,
            status=422,
            errors={"card": plain_errors(exc.errors())},
        )
    except MemberdeskError as exc:
        return _member_page(
            request,
            session,
            principal,
            member,
            own=own,
            status=exc.status_code,
            errors={"card": [sentence(exc.message)]},
            typed={"reason": reason},
        )
    session.commit()
    return RedirectResponse(f"{where}?done=id_card#id-cards", status_code=303)


@router.post("/members/{member_id}/id-cards")
def request_card(
    member_id: MemberId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The member page's ID-card form (staff)."""
    member = service.get_member(session, member_id)
    return _card(request, session, principal, member, reason, own=False)


@router.post("/me/id-cards")
def request_my_card(
    request: Request,
    session: SessionDep,
    principal: SelfWriter,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The portal's "Request a new ID card" button."""
    if reason and reason not in {r.value for r in PORTAL_REASONS}:
        reason = ""  # new-enrolment cards are sent by the plan, not asked for
    return _card(request, session, principal, own_member(session, principal), reason, own=True)


@router.post("/members/{member_id}/life-events")
def record_life_event(
    member_id: MemberId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    event_type: Annotated[str, Form()] = "",
    event_date: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    """The member page's life-event form."""
    member = service.get_member(session, member_id)
    typed = {"event_type": event_type, "event_date": event_date, "notes": notes}
    try:
        body = LifeEventIn.model_validate(
            {"event_type": event_type, "event_date": event_date, "notes": notes.strip() or None}
        )
        access.add_life_event(
            session,
            audit_ctx(request, principal),
            member,
            body,
            request.app.state.settings.special_enrollment_days,
        )
    except ValidationError as exc:
        errors = plain_errors(exc.errors())
        status = 422
    except MemberdeskError as exc:
        errors, status = [sentence(exc.message)], exc.status_code
    else:
        session.commit()
        return RedirectResponse(
            f"/members/{member.id}?done=life_event#life-events", status_code=303
        )
    return _member_page(
        request,
        session,
        principal,
        member,
        own=False,
        status=status,
        errors={"event": errors},
        typed=typed,
    )


# --- plans ------------------------------------------------------------------------------------


@router.get("/plans")
def plans_page(request: Request, session: ReadingSessionDep, principal: PlanReader) -> HTMLResponse:
    """Every plan on the marketplace with its deductible, out-of-pocket maximum and rates, and
    the Oregon Health Plan's plans (no premiums) apart."""
    plans: list[Any] = list(session.scalars(select(Plan).order_by(Plan.code)))
    # The coordinated care organisation's own plan first, then its partners by kind of care.
    medicaid = sorted(
        (p for p in plans if p.line_of_business == LineOfBusiness.OREGON_MEDICAID),
        key=lambda p: (list(Benefit).index(p.benefit), p.name),
    )
    marketplace = [p for p in plans if p.line_of_business != LineOfBusiness.OREGON_MEDICAID]
    return render(request, "members/plans.html", principal, plans=marketplace, medicaid=medicaid)
