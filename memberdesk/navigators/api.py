"""JSON routes of member navigators: flag, assign, unflag, read a flag, run the rules, and the
caseload. Changes are audited by the service; reads of flags and caseloads are audited too."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Request

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.compliance.models import User
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.navigators import auto, caseload, service
from memberdesk.navigators.rules import RuleConfig
from memberdesk.navigators.schemas import (
    AssignIn,
    Caseload,
    FlagIn,
    NavigatorOut,
    RulesRunOut,
    UnflagIn,
)
from memberdesk.schemas import id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["member navigators"]
MemberId = Annotated[int, id_path("member")]
UserId = Annotated[int, id_path("user")]
Reader = Annotated[Principal, requires(Permission.CASE_READ)]
Manager = Annotated[Principal, requires(Permission.NAVIGATOR_MANAGE)]
Assigner = Annotated[Principal, requires(Permission.CASE_ASSIGN)]


def _me(session: Any, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None  # the principal was just resolved from this account
    return user


@router.post(
    "/members/{member_id}/navigator",
    response_model=NavigatorOut,
    status_code=201,
    summary="Flag a member for a navigator",
    tags=TAGS,
)
def flag(
    member_id: MemberId, body: FlagIn, session: SessionDep, request: Request, principal: Manager
) -> NavigatorOut:
    """Flag the member for complex needs by hand, with the reason, and give them to a
    navigator: the one named, else you if you are a navigator, else the navigator with the
    fewest members. 409 when the member is flagged already; 422 for an account that is not an
    enabled navigator."""
    row = service.flag(
        session,
        audit_ctx(request, principal),
        member_id,
        reason=body.reason,
        navigator_id=body.navigator_id,
        actor=_me(session, principal),
        at=now(),
    )
    out = service.flag_out(session, row)
    session.commit()
    return out


@router.get(
    "/members/{member_id}/navigator",
    response_model=NavigatorOut,
    summary="A member's navigator flag",
    tags=TAGS,
)
def read(
    member_id: MemberId, session: ReadingSessionDep, request: Request, principal: Reader
) -> NavigatorOut:
    """The flag with its source, rules, reasons and navigator (the read is audited). 404 when
    the member was never flagged."""
    out = service.read_flag(session, audit_ctx(request, principal), member_id, request.url.path)
    session.commit()
    return out


@router.post(
    "/members/{member_id}/navigator/assign",
    response_model=NavigatorOut,
    summary="Assign a member's navigator",
    tags=TAGS,
)
def assign(
    member_id: MemberId, body: AssignIn, session: SessionDep, request: Request, principal: Manager
) -> NavigatorOut:
    """Give a flagged member to another navigator (409 when the member is not flagged)."""
    row = service.assign(
        session,
        audit_ctx(request, principal),
        member_id,
        body.navigator_id,
        actor=_me(session, principal),
        at=now(),
    )
    out = service.flag_out(session, row)
    session.commit()
    return out


@router.post(
    "/members/{member_id}/navigator/unflag",
    response_model=NavigatorOut,
    summary="Unflag a member",
    tags=TAGS,
)
def unflag(
    member_id: MemberId, body: UnflagIn, session: SessionDep, request: Request, principal: Manager
) -> NavigatorOut:
    """End the member's flag, with the reason; their work routes like anyone's again. The
    rules flag them again only on contacts or cases that come later."""
    row = service.unflag(
        session,
        audit_ctx(request, principal),
        member_id,
        reason=body.reason,
        actor=_me(session, principal),
        at=now(),
    )
    out = service.flag_out(session, row)
    session.commit()
    return out


@router.post(
    "/navigators/rules/run",
    response_model=RulesRunOut,
    summary="Run the complex-needs rules",
    tags=TAGS,
)
def run_rules(session: SessionDep, request: Request, principal: Manager) -> RulesRunOut:
    """Flag every member who meets a rule (contacts in the window, open cases, an interpreter
    need with a disability need) and is not flagged yet. Counts only."""
    n = auto.flag_by_rules(
        session,
        now(),
        config=RuleConfig.from_settings(request.app.state.settings),
        ctx=audit_ctx(request, principal),
        record_run=True,
    )
    session.commit()
    return RulesRunOut(flagged=n)


@router.get(
    "/navigators/me/caseload",
    response_model=Caseload,
    summary="Your caseload",
    tags=TAGS,
)
def my_caseload(session: ReadingSessionDep, request: Request, principal: Reader) -> Caseload:
    """The members you own as their navigator, with open cases, waiting cases, open
    callbacks and the nearest deadline, nearest first (empty for staff who are not
    navigators). The read is audited with every member shown."""
    out = caseload.read_caseload(
        session, audit_ctx(request, principal), _me(session, principal), request.url.path
    )
    session.commit()
    return out


@router.get(
    "/navigators/{user_id}/caseload",
    response_model=Caseload,
    summary="A navigator's caseload",
    tags=TAGS,
)
def caseload_of(
    user_id: UserId, session: ReadingSessionDep, request: Request, principal: Assigner
) -> Caseload:
    """A navigator's caseload, for their supervisor (404 for an account that is not a
    navigator). The read is audited with every member shown."""
    nav = service.get_navigator(session, user_id)
    out = caseload.read_caseload(session, audit_ctx(request, principal), nav, request.url.path)
    session.commit()
    return out
