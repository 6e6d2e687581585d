"""A compliance officer, and helpers to record vendors and BAAs over the API."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from memberdesk.compliance.enums import Role

BAA_PDF = b"%PDF-1.4 business associate agreement"


@pytest.fixture
def officer(login):  # type: ignore[no-untyped-def]
    return login(Role.COMPLIANCE_OFFICER)


def vendor_body(**extra: Any) -> dict[str, Any]:
    """A ``POST /api/vendors`` body: an outsourced contact centre."""
    body: dict[str, Any] = {
        "name": "Harbor Contact Services",
        "kind": "outsourced_call_centre",
        "services": "Overflow and after-hours member calls",
        "phi_kinds": ["names", "member_ids", "claims"],
    }
    body.update(extra)
    return body


def baa_body(signed_on: str, expires_on: str | None, **extra: Any) -> dict[str, Any]:
    """A ``POST /api/vendors/{id}/baas`` body with a small PDF."""
    body: dict[str, Any] = {
        "signed_on": signed_on,
        "expires_on": expires_on,
        "filename": "harbor-baa.pdf",
        "content_base64": base64.b64encode(BAA_PDF).decode(),
    }
    body.update(extra)
    return body
