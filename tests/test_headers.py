"""Security headers on every response."""

from __future__ import annotations


def test_security_headers(anon) -> None:
    for path in ("/login", "/healthz", "/api/plans"):
        headers = anon.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert len(headers["x-request-id"]) == 32
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS


def test_docs_are_self_hosted(anon) -> None:
    html = anon.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    bundle = anon.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "cache-control" not in bundle.headers


def test_request_id_is_echoed(anon) -> None:
    assert anon.get("/healthz", headers={"X-Request-ID": "abc123"}).headers["x-request-id"] == (
        "abc123"
    )
