"""The account page's contents (shared by the page and the forms that show it again)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.admin import service, words
from memberdesk.admin.words import Errors
from memberdesk.cases import routing
from memberdesk.cases.models import AgentSkill
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.models import Team, User
from memberdesk.compliance.permissions import reads_phi
from memberdesk.web.pages import render


def team_names(session: Session) -> list[str]:
    """Every team's name, for a form's list."""
    return list(session.scalars(select(Team.name).order_by(Team.name)))


def account_view(
    request: Request, session: Session, principal: Principal, user: User
) -> dict[str, Any]:
    """Everything the account page shows (no member data: a portal account's member is not
    named)."""
    settings = request.app.state.settings
    team = session.get(Team, user.team_id) if user.team_id else None
    works_cases = user.role in routing.ROLE_TIERS
    capacity = settings.case_default_capacity
    skills = routing.skills_of(session, user, capacity) if works_cases else None
    row = session.get(AgentSkill, user.id) if works_cases else None
    return {
        "user": user,
        "team": team.name if team else None,
        "teams": team_names(session),
        "account_status": service.status_of(user, now()),
        "status_words": words.STATUS_WORDS,
        "own": user.id == principal.user_id,
        "grant": service.pending_grant_of(session, user.id),
        "roles": {r.value: r for r in words.STAFF_ROLES},
        "reads_phi": reads_phi,
        "skills": skills,
        "skills_version": service.skills_version(row),
        "tiers": words.TIERS,
        "languages": words.LANGUAGES,
        "case_types": words.CASE_TYPES,
        "tokens": service.tokens(session, settings, user),
    }


def account_page_response(
    request: Request,
    session: Session,
    principal: Principal,
    user: User,
    *,
    status: int = 200,
    done: str | None = None,
    errors: Errors | None = None,
    typed: Mapping[str, Any] | None = None,
    temporary: str | None = None,
) -> HTMLResponse:
    """The account page, with a change's notice or its refusal."""
    return render(
        request,
        "admin/account.html",
        principal,
        status=status,
        done=words.DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        temporary=temporary,
        **account_view(request, session, principal, user),
    )
