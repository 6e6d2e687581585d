"""The public account pages: changing your password, and a member opening their portal
account. Sign-in (``ui.py``) shows the change-password form itself when an administrator has
reset the password.

These forms, like sign-in, have no session to carry a CSRF token: each sets its own token in a
strict, HttpOnly cookie scoped to its path and checks that the form sends it back (double
submit). They call the same services as the API with the same limits (``SIGNIN_PAUSE`` first),
and show a refusal beside the field it names, in the service's words: rules, never the values
typed. Passwords are never put back into a page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from memberdesk.compliance import accounts, auth, enrolment, passwords
from memberdesk.compliance.api import SIGNIN_PAUSE
from memberdesk.compliance.deps import PUBLIC, SESSION_COOKIE, audit_context
from memberdesk.compliance.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    SERVICE_NAME,
    USERNAME_RULE,
    valid_username,
)
from memberdesk.compliance.schemas import Enrolment, PasswordChange
from memberdesk.db import DbRoute, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.language import N_
from memberdesk.language import gettext as _
from memberdesk.members.ui import sentence
from memberdesk.web.pages import render, safe_next

router = APIRouter(include_in_schema=False, route_class=DbRoute)
PASSWORD_CSRF_COOKIE = "md_password_csrf"  # noqa: S105 - a cookie's name
ENROL_CSRF_COOKIE = "md_enrol_csrf"
NOT_THE_SAME = N_("The two passwords are not the same. Type the same password in both boxes.")
FORM_EXPIRED = N_("Your form expired. Please try again.")
RESET_NOTICE = N_(
    "An administrator reset your password. Choose a new one to go on: enter the temporary "
    "password you were given as your current password."
)
# What to say when a form's field is missing or breaks the form's own limits: (empty, other).
# The rules are the services' (compliance/passwords.py, compliance/schemas.py), said as words;
# a number in the words is filled in from the rule (``%(n)s``).
FIELD_WORDS = {
    "username": (
        N_("Enter your username."),
        N_(
            "Username must be 2-64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        ),
    ),
    "current_password": (
        N_("Enter your current password."),
        N_("A password is at most %(n)s characters."),
    ),
    "new_password": (
        N_("Choose a new password."),
        N_("Password must be at most %(n)s characters."),
    ),
    "password": (N_("Choose a password."), N_("Password must be at most %(n)s characters.")),
    "member_number": (
        N_("Enter the member ID from your ID card."),
        N_("Enter the member ID as printed on your ID card (at most 32 characters)."),
    ),
    "last_name": (
        N_("Enter your last name."),
        N_("Enter your last name as printed on your ID card (at most 80 characters)."),
    ),
    "date_of_birth": (
        N_("Enter your date of birth."),
        N_("Enter your date of birth as a full date (day, month and year)."),
    ),
}
PASSWORD_HINT = N_(
    "At least %(n)s characters. A few unrelated words make a strong password that is easy to "
    "type. Not a common password, and not containing your username."
)
# The services' refusals, said to the person filling in the form, in their language (the rest
# are said as the service says them).
YOUR_REFUSALS = {
    enrolment.ALREADY_ENROLLED: N_(
        "You already have a member account. If you cannot sign in, call member services: they "
        "can close it so that you can create a new one."
    ),
    enrolment.NO_MATCH: N_(
        "We could not find a member with this member ID, last name and date of birth. Check "
        "them against your ID card."
    ),
    enrolment.TOO_YOUNG: N_(
        "Portal accounts are for members aged %(age)s or over; a parent or guardian asks member "
        "services."
    ),
    accounts.USERNAME_TAKEN: N_("This username is taken."),
    f"username {USERNAME_RULE}": FIELD_WORDS["username"][1],
    passwords.TOO_SHORT: N_("Password must be at least %(n)s characters."),
    passwords.TOO_LONG: N_("Password must be at most %(max)s characters."),
    passwords.TOO_COMMON: N_(
        "Password is on the list of common or breached passwords; choose another."
    ),
    passwords.HAS_USERNAME: N_("Password must not contain the username."),
    passwords.HAS_SERVICE_NAME: N_("Password must not contain the service name (%(service)s)."),
}
# The numbers the words above may name.
RULE_NUMBERS = {
    "n": MIN_LENGTH,
    "max": MAX_LENGTH,
    "age": enrolment.PORTAL_MIN_AGE,
    "service": SERVICE_NAME,
}
Errors = dict[str, str]  # field name ("" for the form as a whole) -> one sentence


def secure(request: Request) -> bool:
    """Whether cookies get ``Secure``: as configured, else when the request came over HTTPS."""
    configured = request.app.state.settings.cookie_secure
    return request.url.scheme == "https" if configured is None else configured


# --- the public forms' CSRF tokens (double submit) ----------------------------------------------


def form_token(request: Request, cookie: str) -> str:
    """The token the form's cookie already holds, or a new one."""
    return request.cookies.get(cookie) or secrets.token_urlsafe(24)


def keep_form_token(
    response: Response, request: Request, cookie: str, token: str, path: str
) -> Response:
    """Set the form's token cookie: strict, HttpOnly, sent only to the form's own ``path``."""
    response.set_cookie(
        cookie, token, httponly=True, samesite="strict", secure=secure(request), path=path
    )
    return response


def form_token_ok(request: Request, cookie: str, sent: str) -> bool:
    """The form sent back the token of its cookie. Compared as bytes: ``compare_digest``
    refuses non-ASCII text with a TypeError, which would be a 500 for a forged field."""
    expected = request.cookies.get(cookie, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())


def _field_errors(exc: ValidationError, typed: dict[str, str]) -> Errors:
    """A form schema's refusals as one sentence per field, in plain words (never the value)."""
    errors: Errors = {}
    for err in exc.errors():
        name = next((str(p) for p in reversed(err["loc"]) if str(p) in FIELD_WORDS), "")
        if name and name not in errors:
            empty, rule = FIELD_WORDS[name]
            if typed.get(name, "").strip():
                errors[name] = _(rule) % {"n": MAX_LENGTH}
            else:
                errors[name] = _(empty)
    return errors or {"": _("Please check what you entered.")}


def _service_error(exc: MemberdeskError, fields: tuple[str, ...]) -> Errors:
    """A service's refusal beside the field it names (``body.new_password``), or for the whole
    form, as a sentence."""
    name = (exc.field or "").removeprefix("body.")
    yours = YOUR_REFUSALS.get(exc.message)
    text = _(yours) % RULE_NUMBERS if yours else sentence(exc.message)
    return {name if name in fields else "": text}


# --- changing a password -------------------------------------------------------------------------

PASSWORD_FIELDS = ("username", "current_password", "new_password", "new_password_again")


def password_form(
    request: Request,
    *,
    username: str = "",
    notice: str | None = None,
    errors: Errors | None = None,
    status: int = 200,
    next_path: str | None = None,
) -> Response:
    """The change-password form (passwords are never filled back in). ``next_path`` is where
    the sign-in that asked for the change was going, and still goes once it is made."""
    errors = errors or {}
    token = form_token(request, PASSWORD_CSRF_COOKIE)
    first_wrong = next((f for f in PASSWORD_FIELDS if f in errors), None)
    response = render(
        request,
        "password.html",
        None,
        status=status,
        csrf_token=token,
        username=username,
        notice=_(notice) if notice else None,  # a catalogue message (RESET_NOTICE)
        errors=errors,
        focus=first_wrong or ("current_password" if username else "username"),
        password_hint=_(PASSWORD_HINT) % {"n": MIN_LENGTH},
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        next_path=next_path,
    )
    return keep_form_token(response, request, PASSWORD_CSRF_COOKIE, token, "/password")


@router.get("/password", dependencies=[PUBLIC])
def password_page(request: Request, username: str = "") -> Response:
    """Change your password: the header's link fills in the username."""
    return password_form(request, username=username if valid_username(username) else "")


@router.post("/password", dependencies=[PUBLIC, SIGNIN_PAUSE])
def change_password(
    request: Request,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
    next_field: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """The same change as ``POST /api/auth/password``: the current password proves who you are
    (sign-in's limits and lock-out apply), every session and API token ends, and you sign in
    again with the new one."""
    next_path = safe_next(next_field)
    name = username.strip()
    shown = name[:64]  # put back in the form; never more than a username can be
    if not form_token_ok(request, PASSWORD_CSRF_COOKIE, csrf_token):
        return password_form(
            request, username=shown, errors={"": _(FORM_EXPIRED)}, status=403, next_path=next_path
        )
    typed = {"username": name, "current_password": current_password, "new_password": new_password}
    errors: Errors = {}
    try:
        body = PasswordChange.model_validate(typed)
    except ValidationError as exc:
        errors = _field_errors(exc, typed)
    if not errors.get("new_password") and new_password != new_password_again:
        errors["new_password_again"] = _(NOT_THE_SAME)
    if errors:
        return password_form(
            request, username=shown, errors=errors, status=422, next_path=next_path
        )
    try:
        accounts.change_password(
            session,
            request.app.state.settings,
            audit_context(request, None),
            username=body.username,
            current=body.current_password,
            new=body.new_password,
        )
    except (auth.SignInRefused, auth.TooManyAttempts) as exc:
        session.commit()  # failed attempts and lock-outs must persist, as at sign-in
        return password_form(
            request,
            username=shown,
            errors={"": sentence(exc.message)},
            status=exc.status_code,
            next_path=next_path,
        )
    except MemberdeskError as exc:
        return password_form(
            request,
            username=shown,
            errors=_service_error(exc, PASSWORD_FIELDS),
            status=exc.status_code,
            next_path=next_path,
        )
    session.commit()
    response = RedirectResponse(
        "/login?"
        + urlencode({"notice": "password_changed", **({"next": next_path} if next_path else {})}),
        status_code=303,
    )
    response.delete_cookie(PASSWORD_CSRF_COOKIE, path="/password")
    response.delete_cookie(SESSION_COOKIE, path="/")  # that session has ended with the others
    return response


# --- a member opens their portal account ---------------------------------------------------------

ENROL_FIELDS = (
    "member_number",
    "last_name",
    "date_of_birth",
    "username",
    "password",
    "password_again",
)


def _enrol_page(
    request: Request,
    *,
    typed: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
) -> Response:
    """The enrolment form; what was typed stays in the fields, except the passwords."""
    errors = errors or {}
    token = form_token(request, ENROL_CSRF_COOKIE)
    response = render(
        request,
        "enrol.html",
        None,
        status=status,
        csrf_token=token,
        typed={k: v for k, v in (typed or {}).items() if "password" not in k},
        errors=errors,
        focus=next((f for f in ENROL_FIELDS if f in errors), "member_number"),
        password_hint=_(PASSWORD_HINT) % {"n": MIN_LENGTH},
        min_age=enrolment.PORTAL_MIN_AGE,
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
    )
    return keep_form_token(response, request, ENROL_CSRF_COOKIE, token, "/enrol")


@router.get("/enrol", dependencies=[PUBLIC])
def enrol_page(request: Request) -> Response:
    """Create your member account, with the details on your ID card."""
    return _enrol_page(request)


@router.post("/enrol", dependencies=[PUBLIC, SIGNIN_PAUSE])
def enrol(
    request: Request,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    member_number: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    date_of_birth: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
) -> Response:
    """The same enrolment as ``POST /api/auth/enrol``: the facts must match the member's
    records, and failures count against the address like failed sign-ins."""
    # Bounded like the API's body, so an over-long value is refused, not stored in the page.
    typed = {
        "member_number": member_number.strip()[:64],
        "last_name": last_name.strip()[:160],
        "date_of_birth": date_of_birth.strip()[:32],
        "username": username.strip()[:128],
        "password": password,
    }
    if not form_token_ok(request, ENROL_CSRF_COOKIE, csrf_token):
        return _enrol_page(request, typed=typed, errors={"": _(FORM_EXPIRED)}, status=403)
    errors: Errors = {}
    try:
        body = Enrolment.model_validate(typed)
    except ValidationError as exc:
        errors = _field_errors(exc, typed)
    if not errors.get("password") and password != password_again:
        errors["password_again"] = _(NOT_THE_SAME)
    if errors:
        return _enrol_page(request, typed=typed, errors=errors, status=422)
    try:
        enrolment.enrol(
            session,
            request.app.state.settings,
            audit_context(request, None),
            member_number=body.member_number,
            last_name=body.last_name,
            date_of_birth=body.date_of_birth,
            username=body.username,
            password=body.password,
        )
    except MemberdeskError as exc:
        # A failed match and the limit it leads to must count (as the API commits them).
        no_match = isinstance(exc, InvalidInput) and exc.field == "body"
        if no_match or isinstance(exc, auth.TooManyAttempts):
            session.commit()
        return _enrol_page(
            request,
            typed=typed,
            errors=_service_error(exc, ENROL_FIELDS),
            status=exc.status_code,
        )
    session.commit()
    response = RedirectResponse("/login?" + urlencode({"notice": "enrolled"}), status_code=303)
    response.delete_cookie(ENROL_CSRF_COOKIE, path="/enrol")
    return response
