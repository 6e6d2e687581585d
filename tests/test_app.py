"""The application factory, health check and OpenAPI document."""

from __future__ import annotations


def test_healthz_reaches_database(anon) -> None:
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_docs_served(anon) -> None:
    assert anon.get("/docs").status_code == 200
    spec = anon.get("/openapi.json").json()
    assert spec["info"]["title"] == "memberdesk"


def test_openapi_declares_how_to_sign_in_and_every_error_answer(anon) -> None:
    spec = anon.get("/openapi.json").json()
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "session"}
    member = spec["paths"]["/api/members/{member_id}"]["get"]
    assert member["security"] == [{"bearer": []}, {"session": []}]
    assert {"401", "403", "404", "422", "503"} <= set(member["responses"])
    error = member["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorOut"}
    create = spec["paths"]["/api/members/{member_id}/life-events"]["post"]
    assert {"409", "413", "422"} <= set(create["responses"])
    assert "security" not in spec["paths"]["/api/auth/token"]["post"]


def test_docs_page_runs_no_inline_script(anon) -> None:
    response = anon.get("/docs")
    assert '<html lang="en">' in response.text
    assert "<script>" not in response.text  # only <script src=…> from this origin
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1][:30]
