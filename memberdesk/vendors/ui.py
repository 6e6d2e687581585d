"""The vendor register's pages: the register with each BAA's clock and the warnings, adding a
vendor, and the vendor page (status, BAA, contacts, the outsourced centre's scorecard). The
same services as the JSON routes; problems are said beside their field, nothing saved."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from memberdesk.breaches.forms import errors_of
from memberdesk.breaches.words import PHI_KINDS, phi_kinds, when
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.schemas import id_path
from memberdesk.vendors import clocks, service, views, words
from memberdesk.vendors.enums import VendorStatus
from memberdesk.vendors.models import Vendor
from memberdesk.vendors.schemas import (
    BaaIn,
    ContactIn,
    ScorecardIn,
    VendorIn,
    VendorOut,
    VerifiedIn,
)
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.AUDIT_READ)]
Writer = Annotated[Principal, requires(Permission.VENDOR_WRITE)]
VendorId = Annotated[int, id_path("vendor")]
BaaId = Annotated[int, id_path("BAA")]
PersonId = Annotated[int, id_path("vendor contact")]
HELP = {
    "name": "Give the vendor's name (a vendor of this name may already be recorded).",
    "kind": "Choose what the vendor does.",
    "services": "Say in a sentence what the vendor does for the plan.",
    "status": "A vendor is marked active only with a Business Associate Agreement in force "
    "(signed, not expired). Upload the signed agreement first.",
    "signed_on": "Enter the date the agreement was signed, not later than today.",
    "expires_on": "The expiry date must come after the date it was signed.",
    "renewal_notice_days": "Enter how many days before expiry the renewal falls due (1 to 730).",
    "file": "Upload the signed agreement as a PDF or plain-text file.",
    "role": "Choose the contact's role.",
    "phone": "Give a phone number or an e-mail address.",
    "verified_on": "Enter the date the details were confirmed, not later than today.",
    "month": "Enter a month that has begun, for example 2026-05.",
    "service_level": "Enter the service level as a percentage from 0 to 100.",
    "asa_seconds": "Enter the average speed of answer in seconds.",
    "abandon_rate": "Enter the share abandoned as a percentage from 0 to 100.",
    "qa_score": "Enter the QA score as a percentage from 0 to 100.",
    "first_contact_resolution": "Enter the share resolved on first contact, 0 to 100.",
    "csat": "Enter customer satisfaction as a percentage from 0 to 100.",
}
DONE = {
    "created": "Vendor recorded.",
    "status": "Status changed.",
    "baa": "Agreement uploaded.",
    "contact": "Contact added.",
    "verified": "Contact confirmed.",
    "scorecard": "Scorecard saved.",
}
PERCENT = ("service_level", "abandon_rate", "qa_score", "first_contact_resolution", "csat")


def _row(v: VendorOut, at: datetime) -> dict[str, Any]:
    baa = v.baa
    expiry, expires_in = "", ""
    if baa and baa.expires_at:
        expires_in = words.days_words(baa.expires_at, at)
        expiry = f"expires {when(baa.expires_at, at)} ({expires_in})"
    elif baa:
        expiry = "no expiry date"
    return {
        "v": v,
        "kind": words.KINDS[v.kind],
        "status": words.STATUSES[v.status],
        "standing": words.STANDINGS[v.baa_standing],
        "standing_bad": v.baa_standing.value in ("none", "expired", "not_yet_effective"),
        "standing_warn": v.baa_standing.value == "renewal_due",
        "expiry": expiry,
        "expires_in": expires_in,
        "warnings": [words.WARNINGS[w] for w in v.warnings],
    }


def _register(
    request: Request, session: Any, principal: Principal, status: int = 200, **ctx: Any
) -> HTMLResponse:
    at = now()
    rows = [_row(views.vendor_out(session, v, at), at) for v in service.list_vendors(session)]
    return render_page(
        request,
        "vendors/register.html",
        principal,
        status,
        vendors=rows,
        kinds={k.value: w for k, w in words.KINDS.items()},
        phi={k.value: w for k, w in PHI_KINDS.items()},
        **{"errors": {}, "typed": {}, "chosen": [], "done": None, **ctx},
    )


def render_page(
    request: Request, name: str, principal: Principal, status: int, **ctx: Any
) -> HTMLResponse:
    """Render through the site layout."""
    return render(request, name, principal, status=status, **ctx)


@router.get("/vendors")
def register(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """Every vendor with its agreement's clock and what needs attention."""
    return _register(request, session, principal, done=DONE.get(done or ""))


@router.post("/vendors")
async def create(
    request: Request,
    session: SessionDep,
    principal: Writer,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    services: Annotated[str, Form()] = "",
) -> Response:
    """Record a vendor (being set up until its agreement is on file)."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("phi_kinds")]
    typed = {"name": name, "kind": kind, "services": services}
    try:
        body = VendorIn.model_validate({**typed, "phi_kinds": chosen})
        vendor = service.create(session, audit_ctx(request, principal), body, now())
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = errors_of(exc, HELP)
        return _register(
            request, session, principal, 422, errors=errors, typed=typed, chosen=chosen
        )
    session.commit()
    return RedirectResponse(f"/vendors/{vendor.id}?done=created", status_code=303)


def vendor_page(
    request: Request,
    session: Any,
    principal: Principal,
    vendor: Vendor,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """The vendor page: status, agreement, contacts and scorecards."""
    at = now()
    out = views.vendor_out(session, vendor, at)
    cards = [
        {
            "month": words.month(c.month),
            "calls": c.calls_offered,
            "aht": c.aht_seconds,
            "measures": [
                {
                    "name": words.MEASURES[m.measure],
                    "value": words.value(m.measure, m.value),
                    "target": words.target(m.measure, m.goal),
                    "status": m.status,
                    "status_words": words.STATUS_WORDS.get(m.status or "", "Not judged"),
                }
                for m in c.measures
            ],
        }
        for c in out.scorecards
    ]
    return render_page(
        request,
        "vendors/vendor.html",
        principal,
        status,
        r=_row(out, at),
        v=out,
        phi=phi_kinds(out.phi_kinds) or "None",  # type: ignore[arg-type]
        statuses={k.value: w for k, w in words.STATUSES.items()},
        roles={k.value: w for k, w in words.ROLES.items()},
        contacts=[
            {
                "c": c,
                "role": words.ROLES[c.role],
                "due": when(c.verification_due_at, at),
            }
            for c in out.contacts
        ],
        call_centre=out.kind.value == "outsourced_call_centre",
        cards=cards,
        today=clocks.local_day(at).isoformat(),
        **{"errors": {}, "typed": {}, "done": None, **ctx},
    )


@router.get("/vendors/{vendor_id}")
def read(
    vendor_id: VendorId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """A vendor."""
    vendor = service.get(session, vendor_id)
    return vendor_page(request, session, principal, vendor, done=DONE.get(done or ""))


def _act(
    request: Request,
    session: Any,
    principal: Principal,
    vendor_id: int,
    make: Callable[[], object],
    done: str,
    typed: dict[str, str],
) -> Response:
    """Run a change; on a problem the vendor page again with it beside its field."""
    try:
        make()
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = errors_of(exc, HELP)
        if "content_base64" in errors:
            errors["file"] = HELP["file"]
            errors.pop("content_base64")
        vendor = service.get(session, vendor_id)
        status = getattr(exc, "status_code", 422)
        return vendor_page(request, session, principal, vendor, status, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse(f"/vendors/{vendor_id}?done={done}", status_code=303)


@router.post("/vendors/{vendor_id}/status")
def set_status(
    vendor_id: VendorId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    status: Annotated[str, Form()] = "",
) -> Response:
    """Change the status (active only with an agreement in force)."""

    def make() -> None:
        try:
            chosen = VendorStatus(status)
        except ValueError:
            raise InvalidInput("choose a status", field="body.status") from None
        service.set_status(session, audit_ctx(request, principal), vendor_id, chosen, now())

    return _act(request, session, principal, vendor_id, make, "status", {"status": status})


@router.post("/vendors/{vendor_id}/baas")
def add_baa(
    vendor_id: VendorId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    signed_on: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
    renewal_notice_days: Annotated[str, Form()] = "90",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Upload the signed agreement (stored encrypted)."""
    data = file.file.read(service.MAX_BYTES + 1) if file is not None else b""
    typed = {
        "signed_on": signed_on,
        "expires_on": expires_on,
        "renewal_notice_days": renewal_notice_days,
    }

    def make() -> None:
        body = BaaIn.model_validate(
            {
                "signed_on": signed_on,
                "expires_on": expires_on or None,
                "renewal_notice_days": renewal_notice_days or 90,
                "filename": ((file.filename if file else None) or "agreement").strip()[:200]
                or "agreement",
                "content_base64": base64.b64encode(data).decode("ascii"),
            }
        )
        service.add_baa(session, audit_ctx(request, principal), vendor_id, body, now())

    return _act(request, session, principal, vendor_id, make, "baa", typed)


@router.get("/vendors/{vendor_id}/baas/{baa_id}/document")
def baa_document(
    vendor_id: VendorId,
    baa_id: BaaId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
) -> Response:
    """The signed agreement; the download is audited."""
    baa, data = service.baa_document(session, audit_ctx(request, principal), vendor_id, baa_id)
    session.commit()
    return Response(
        data,
        media_type=baa.content_type,
        headers={"Content-Disposition": f'attachment; filename="baa-{baa.id}"'},
    )


@router.post("/vendors/{vendor_id}/contacts")
def add_contact(
    vendor_id: VendorId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    role: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    verified_on: Annotated[str, Form()] = "",
) -> Response:
    """Add one of the vendor's people."""
    typed = {
        "role": role,
        "contact_name": name,
        "phone": phone,
        "email": email,
        "verified_on": verified_on,
    }

    def make() -> None:
        body = ContactIn.model_validate(
            {
                "role": role,
                "name": name,
                "phone": phone.strip() or None,
                "email": email.strip() or None,
                "verified_on": verified_on,
            }
        )
        service.add_contact(session, audit_ctx(request, principal), vendor_id, body, now())

    return _act(request, session, principal, vendor_id, make, "contact", typed)


@router.post("/vendors/{vendor_id}/contacts/{person_id}/verified")
def verify_contact(
    vendor_id: VendorId,
    person_id: PersonId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    verified_on: Annotated[str, Form()] = "",
) -> Response:
    """The contact's details were confirmed (today unless a date is given)."""

    def make() -> None:
        on = VerifiedIn.model_validate(
            {"verified_on": verified_on or clocks.local_day(now()).isoformat()}
        ).verified_on
        service.verify_contact(
            session, audit_ctx(request, principal), vendor_id, person_id, on, now()
        )

    return _act(request, session, principal, vendor_id, make, "verified", {})


def _fraction(text: str) -> float | str | None:
    """A percentage typed (``82`` or ``82%``) as a fraction; the text back when unreadable."""
    t = text.strip().rstrip("%").strip()
    if not t:
        return None
    try:
        return float(t) / 100
    except ValueError:
        return text


@router.post("/vendors/{vendor_id}/scorecards")
def record_scorecard(
    vendor_id: VendorId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    month: Annotated[str, Form()] = "",
    calls_offered: Annotated[str, Form()] = "",
    service_level: Annotated[str, Form()] = "",
    asa_seconds: Annotated[str, Form()] = "",
    abandon_rate: Annotated[str, Form()] = "",
    qa_score: Annotated[str, Form()] = "",
    first_contact_resolution: Annotated[str, Form()] = "",
    csat: Annotated[str, Form()] = "",
    aht_seconds: Annotated[str, Form()] = "",
) -> Response:
    """Enter (or replace) a month; percentages are typed as 0 to 100."""
    typed = {k: v for k, v in locals().items() if isinstance(v, str)}

    def make() -> None:
        payload: dict[str, Any] = {
            "month": month.strip(),
            "calls_offered": calls_offered.strip().replace(",", "") or None,
            "asa_seconds": asa_seconds.strip() or None,
            "aht_seconds": aht_seconds.strip() or None,
        }
        for name in PERCENT:
            payload[name] = _fraction(typed[name])
        body = ScorecardIn.model_validate(payload)
        service.record_scorecard(session, audit_ctx(request, principal), vendor_id, body, now())

    return _act(request, session, principal, vendor_id, make, "scorecard", typed)
