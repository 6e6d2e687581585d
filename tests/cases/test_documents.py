"""Case documents: type read from content, size bounded, encrypted, downloads audited."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from memberdesk.cases.models import CaseDocument
from memberdesk.compliance import audit
from memberdesk.compliance.models import AuditEntry
from tests.cases.conftest import open_case

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_upload_list_and_download_round_trip(client, member, db: Session, agent) -> None:
    case = open_case(client, member.id, case_type="claims")
    url = f"/api/cases/{case['id']}/documents"
    r = client.post(url, json={"filename": "eob-march.pdf", "content_base64": _b64(PDF)})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["content_type"] == "application/pdf" and doc["size_bytes"] == len(PDF)
    plain = client.post(url, json={"filename": "note.txt", "content_base64": _b64(b"Hello\n")})
    assert plain.json()["content_type"] == "text/plain"
    listed = client.get(url).json()
    assert [d["filename"] for d in listed] == ["eob-march.pdf", "note.txt"]
    got = client.get(f"{url}/{doc['id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    raw = db.execute(
        text("SELECT content, filename FROM case_documents WHERE id = :id"), {"id": doc["id"]}
    ).one()
    assert _b64(PDF).encode() not in bytes(raw[0]) and b"eob-march" not in bytes(raw[1])
    audit.seal_all(db)
    downloads = db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "document.download",
            AuditEntry.object_id == str(doc["id"]),
            AuditEntry.actor_id == agent.user.id,
        )
    )
    assert downloads == 1
    assert client.get(f"{url}/99999999").status_code == 404


@pytest.mark.parametrize(
    "content",
    [
        _b64(b"MZ\x90\x00\x03\x00\x00\x00"),  # a Windows executable
        _b64(b"\x00\x01\x02binary"),
        "not base64 at all!",
        _b64(b"%PDF-" + b"x" * 600_000),  # over the default 512 KiB limit
    ],
)
def test_wrong_type_or_size_is_a_422_naming_the_field(client, member, db, content) -> None:
    case = open_case(client, member.id)
    before = db.scalar(select(func.count()).select_from(CaseDocument))
    r = client.post(
        f"/api/cases/{case['id']}/documents",
        json={"filename": "x.bin", "content_base64": content},
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "content_base64"]
    assert db.scalar(select(func.count()).select_from(CaseDocument)) == before


def test_png_is_recognised_whatever_its_name(client, member) -> None:
    case = open_case(client, member.id)
    r = client.post(
        f"/api/cases/{case['id']}/documents",
        json={"filename": "scan.pdf", "content_base64": _b64(PNG)},
    )
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
