"""The knowledge-base API documents itself: every schema field and every parameter of its
routes has a description, and each route names its permission."""

from __future__ import annotations


def test_every_field_and_parameter_is_described(anon) -> None:  # type: ignore[no-untyped-def]
    spec = anon.get("/openapi.json").json()
    ours = {p: ops for p, ops in spec["paths"].items() if p.startswith("/api/kb/")}
    assert len(ours) >= 11
    for path, ops in ours.items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            for param in op.get("parameters", []):
                assert param.get("description"), (method, path, param["name"])
    schemas = spec["components"]["schemas"]
    names = {
        "ArticleIn",
        "ArticleOut",
        "VersionIn",
        "VersionOut",
        "HitOut",
        "PointOut",
        "DiffOut",
        "ReviewIn",
        "VerifyIn",
    }
    assert names <= set(schemas)
    for name in names:
        for field, prop in schemas[name].get("properties", {}).items():
            assert prop.get("description"), (name, field)
