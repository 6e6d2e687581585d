"""Search has one results contract on SQLite (FTS5) and PostgreSQL (tsvector): the same
articles, best first, for the same words in English or Spanish, with or without accents, whole
words or their start; filters; and only what is in force is found."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from memberdesk.clock import now, today_utc
from memberdesk.compliance.audit import AuditContext
from memberdesk.kb import search, service
from memberdesk.kb.schemas import ArticleIn, VersionIn
from tests.kb.conftest import article_body

# Each query and what both engines answer, best first.
CONTRACT = [
    ("tarjeta de identificacion", ["id-card-replacement-es"]),
    ("tarjeta de identificación", ["id-card-replacement-es"]),
    ("TARJETA IDENTIFICACIÓN", ["id-card-replacement-es"]),
    ("tarj", ["id-card-replacement-es"]),
    ("replacement card", ["id-card-replacement-en"]),
    ("replacing", ["id-card-replacement-en"]),
    ("payroll deduc", ["employer-contribution-en"]),
    ("deducción de nómina", ["employer-contribution-es", "premium-billing-correction-es"]),
    ("evento de vida", ["qualifying-life-events-es"]),
    ("apelacion", ["appeal-packet-es", "claim-inquiry-script-es"]),
    ("matrimonio", ["qualifying-life-events-es"]),
    ("marriage", ["qualifying-life-events-en"]),
    ("anything else I can help", ["claim-inquiry-script-en", "call-guide-en"]),
    ("the of and", []),
    ("zzzqqq", []),
    ("!!!", []),
]


def _slugs(db: Session, q: str, **filters: object) -> list[str]:
    hits, total = search.search(db, q, search.Filters(**filters), at=now(), limit=50)  # type: ignore[arg-type]
    assert total == len(hits)
    return [a.slug for a, _ in hits]


@pytest.mark.parametrize(("query", "expected"), CONTRACT)
def test_same_results_contract_on_both_engines(db: Session, library, query, expected) -> None:  # type: ignore[no-untyped-def]
    assert _slugs(db, query) == expected


def test_titles_rank_above_bodies(db: Session, library) -> None:  # type: ignore[no-untyped-def]
    got = _slugs(db, "premium")
    assert got[0] == "premium-billing-correction-en"
    assert set(got) == {"premium-billing-correction-en", "employer-contribution-en"}


def test_filters(db: Session, library) -> None:  # type: ignore[no-untyped-def]
    assert _slugs(db, "verify", kind="checklist") == ["eligibility-verification-en"]
    assert _slugs(db, "identidad", language="es", reason="id_card") == ["id-card-replacement-es"]
    assert _slugs(db, "case", case_type="billing", language="en") == [
        "premium-billing-correction-en",
        "employer-contribution-en",
    ] or set(_slugs(db, "case", case_type="billing", language="en")) == {
        "premium-billing-correction-en",
        "employer-contribution-en",
    }
    # CalChoice articles answer CalChoice members; Oregon members get the every-line ones.
    assert "employer-contribution-en" in _slugs(db, "plan", line_of_business="calchoice")
    assert "employer-contribution-en" not in _slugs(db, "plan", line_of_business="oregon-medicaid")
    assert "eligibility-verification-en" in _slugs(
        db, "coverage", line_of_business="oregon-medicaid"
    )


def test_only_what_is_in_force_is_found(db: Session, library, officer) -> None:  # type: ignore[no-untyped-def]
    author = AuditContext(actor_id=None, actor="t", role="system")
    approver = AuditContext(actor_id=officer.user.id, actor="o", role="compliance_officer")
    at = now()

    def publish(version) -> None:  # type: ignore[no-untyped-def]
        service.submit(db, author, version, at)
        service.approve(db, approver, version, None, at)
        service.publish(db, approver, version, at)

    # Not yet effective: not found until its day.
    later = today_utc() + timedelta(days=10)
    _, future = service.create_article(
        db,
        author,
        ArticleIn(
            **article_body(
                slug="future-en",
                translation_key="future",
                title="Zebra crossing rules",
                effective_on=later.isoformat(),
            )
        ),
        at,
    )
    publish(future)
    # Expired yesterday: no longer found.
    _, old = service.create_article(
        db,
        author,
        ArticleIn(
            **article_body(
                slug="old-en",
                translation_key="old",
                title="Zebra stripes policy",
                effective_on="2025-01-01",
                expires_on=today_utc().isoformat(),
            )
        ),
        at,
    )
    publish(old)
    db.flush()
    assert _slugs(db, "zebra") == []
    hits, _ = search.search(db, "zebra", search.Filters(), at=search.end_of(later))
    assert [a.slug for a, _ in hits] == ["future-en"]

    # A new version supersedes: its words are found, the old words are not.
    article = db.get(type(future), future.id)
    from memberdesk.kb.models import KbArticle

    card = db.query(KbArticle).filter_by(slug="id-card-replacement-en").one()
    new = service.add_version(
        db,
        author,
        card.id,
        VersionIn(
            title="Replacing a member's ID card",
            body="Use the kiosk quokka.",
            effective_on=date(2026, 1, 2),
        ),
        at,
    )
    publish(new)
    db.flush()
    assert _slugs(db, "quokka") == ["id-card-replacement-en"]
    assert _slugs(db, "mailing address") == []
    assert article is not None
    # Retired: gone.
    service.retire(db, approver, new, at)
    db.flush()
    assert _slugs(db, "quokka") == []


def test_a_new_version_takes_over_on_its_day(db: Session, library, officer) -> None:  # type: ignore[no-untyped-def]
    """A second version published today but in effect only in ten days: the first is still
    what agents find until then, the second from that day; a search of a day before the
    second was published does not find it."""
    author = AuditContext(actor_id=None, actor="t", role="system")
    approver = AuditContext(actor_id=officer.user.id, actor="o", role="compliance_officer")
    at = now()
    from memberdesk.kb.models import KbArticle

    card = db.query(KbArticle).filter_by(slug="id-card-replacement-en").one()
    soon = today_utc() + timedelta(days=10)
    new = service.add_version(
        db,
        author,
        card.id,
        VersionIn(
            title="Replacing a member's ID card", body="Use the kiosk wombat.", effective_on=soon
        ),
        at,
    )
    service.submit(db, author, new, at)
    service.approve(db, approver, new, None, at)
    service.publish(db, approver, new, at)
    db.flush()
    assert _slugs(db, "wombat") == []
    assert _slugs(db, "mailing address") == ["id-card-replacement-en"]  # the first's words
    on_the_day, _ = search.search(db, "wombat", search.Filters(), at=search.end_of(soon))
    assert [a.slug for a, _ in on_the_day] == ["id-card-replacement-en"]
    gone, _ = search.search(db, "mailing address", search.Filters(), at=search.end_of(soon))
    assert gone == []
    yesterday, _ = search.search(db, "wombat", search.Filters(), at=at - timedelta(days=1))
    assert yesterday == []  # not published yet then


def test_browse_lists_in_force_by_title(db: Session, library) -> None:  # type: ignore[no-untyped-def]
    rows, total = search.browse(db, search.Filters(language="es"), at=now(), limit=50)  # type: ignore[arg-type]
    titles = [v.title for _, v in rows]
    assert total == 9 and titles == sorted(titles)


def test_suggestions_for_a_contacts_reason(client, library) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/kb/suggestions", params={"reason": "id_card", "language": "es"})
    assert r.status_code == 200
    assert [h["slug"] for h in r.json()["items"]] == ["id-card-replacement-es"]
    both = client.get("/api/kb/suggestions", params={"case_type": "appeal"}).json()["items"]
    assert {h["slug"] for h in both} == {"appeal-packet-en", "appeal-packet-es"}
    bad = client.get("/api/kb/suggestions")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "reason"]
    assert client.get("/api/kb/suggestions", params={"reason": "astrology"}).status_code == 422


@pytest.mark.parametrize(
    ("typed", "corrected", "slug"),
    [
        ("tarjeta identifcacion", "tarjeta identificacion", "id-card-replacement-es"),
        ("replcement card", "replacement card", "id-card-replacement-en"),
        ("matrimnio", "matrimonio", "qualifying-life-events-es"),
    ],
)
def test_a_misspelt_word_is_corrected_the_same_on_both_engines(
    client, library, typed: str, corrected: str, slug: str
) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/kb/search", params={"q": typed}).json()
    assert r["corrected"] == corrected
    assert [h["slug"] for h in r["items"]] == [slug]
    # Words as typed that match are never "corrected"; nonsense stays unmatched.
    assert client.get("/api/kb/search", params={"q": "tarjeta"}).json()["corrected"] is None
    none = client.get("/api/kb/search", params={"q": "xylophonic"}).json()
    assert none["items"] == [] and none["corrected"] is None
