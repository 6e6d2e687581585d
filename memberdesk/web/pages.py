"""The shared layout: one template set, and what every page needs to render in it.

Domain pages (``members/ui.py``) and the site's own pages (``web/ui.py``) render through
``render`` so the header, the sign-out form and the plain-word helpers are the same everywhere.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from memberdesk import language
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.enums import Permission, Role
from memberdesk.compliance.masking import MASKED
from memberdesk.compliance.permissions import policy
from memberdesk.language import N_
from memberdesk.members import words
from memberdesk.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)
# Words marked {{ _("…") }} come out in the page's language (web/i18n.py).
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    language.gettext, language.ngettext, newstyle=True
)
ROLE_NAMES = {
    Role.TIER1_AGENT: N_("Tier 1 agent"),
    Role.TIER2_SPECIALIST: N_("Benefits specialist (Tier 2)"),
    Role.TIER3_APPEALS: N_("Appeals and compliance (Tier 3)"),
    Role.NAVIGATOR: N_("Member navigator"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.QA_ANALYST: N_("QA analyst"),
    Role.WFM_ANALYST: N_("Workforce planning analyst"),
    Role.COMPLIANCE_OFFICER: N_("Compliance officer"),
    Role.ADMIN: N_("Administrator"),
    Role.TELEPHONY: N_("Telephony system account"),
    Role.EDI_GATEWAY: N_("Enrolment and eligibility exchange (system account)"),
    Role.MEMBER: N_("Member"),
}


def shown(value: object, empty: str = N_("None on file")) -> str:
    """A field as a person reads it: what is missing, or hidden from this role, said in words
    (in the page's language; ``empty`` is a catalogue message)."""
    if value is None or value == "":
        return language.gettext(empty)
    if value == MASKED:
        return language.gettext("Not shown to your role")
    return str(value)


# Plain-word helpers every template may use (dates, money, codes as words).
templates.env.globals.update(
    day=words.day,
    money=words.money,
    label=words.label,
    language=words.language,
    relationship=words.relationship,
    coverage_through=words.coverage_through,
    count=words.count,
    shown=shown,
    no_phone=N_("No phone on file"),
    role_name=lambda role: language.gettext(ROLE_NAMES.get(Role(role), str(role))),
)


def allows(principal: Principal | None, permission: Permission | str) -> bool:
    """True when the signed-in person's role holds ``permission``."""
    return principal is not None and policy(principal.role).allows(Permission(permission))


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``name`` in the site layout for ``principal`` (None on the sign-in page), in the
    language the person chose (``web/i18n.py``)."""
    chosen = language.current()  # set for the request by i18n.LanguageMiddleware
    response = templates.TemplateResponse(
        request,
        name,
        status_code=status,
        context={
            "principal": principal,
            "can": lambda perm: allows(principal, perm),
            "hidden": policy(principal.role).mask if principal else {},
            "idle_minutes": request.app.state.settings.session_idle_minutes,
            "lang": chosen,
            "languages": language.LANGUAGES,
            **context,
        },
    )
    if i18n.switched(request):
        i18n.remember(response, request, chosen)
    return response


_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


def day_field(text: str, field: str, errors: dict[str, str]) -> date | None:
    """A date typed into a form, or None with the reason in words under ``errors[field]``."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = "Enter a date, for example 2026-11-30."
        return None
    if not 2000 <= day.year <= 2199:
        errors[field] = "Enter a date between the years 2000 and 2199."
        return None
    return day


def safe_next(value: str | None) -> str | None:
    """A local path to return to after sign-in, or None.

    Only a path on this site: it starts with one ``/`` (``//host`` and ``/\\host`` are other
    sites to a browser), has no scheme or host, no spaces, controls or backslashes.
    """
    if not value or len(value) > 512 or _UNSAFE_NEXT.search(value):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return None
    return value
