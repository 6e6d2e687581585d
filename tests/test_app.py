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
