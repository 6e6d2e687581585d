"""The knowledge base pages through real HTTP: an agent searches and reads (in force only,
verification dates, translation, a past day), an owner writes a draft and sends it for review
(mistakes said beside the field, nothing saved), a compliance officer works the review queue
(diff, verify, approve, publish) and is refused with words when a rule says no."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.kb.models import KbArticle, KbVersion
from tests.kb.conftest import publish_through_api
from tests.web.test_pages import sign_in


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def web(login, role: Role):  # type: ignore[no-untyped-def]
    """A browser-like client signed in through the sign-in page (cookie and CSRF)."""
    persona = login(role, team="Team A")
    persona.client.headers.pop("Authorization", None)
    assert sign_in(persona.client, persona.user.username).status_code == 303
    return persona


def test_agent_searches_in_spanish_without_accents_and_reads_the_article(login, library) -> None:
    agent = web(login, Role.TIER1_AGENT)
    home = agent.client.get("/")
    assert 'href="/kb">Knowledge</a>' in home.text
    page = agent.client.get("/kb", params={"q": "tarjeta de identificacion"})
    assert page.status_code == 200
    assert "Reposición de la tarjeta de identificación del miembro" in page.text
    assert "1 article found" in page.text
    link = re.search(r'href="/kb/articles/(\d+)" lang="es"', page.text)
    assert link
    article = agent.client.get(f"/kb/articles/{link.group(1)}")
    assert article.status_code == 200
    assert "Solicite la tarjeta de reposición" in article.text
    assert "Read it in English" in article.text
    # Agents do not see the editor.
    assert "Write a new version" not in article.text
    # The public-programme contacts wait for verification: agents do not find them.
    none = agent.client.get("/kb", params={"q": "Medi-Cal Telephone Service Center"})
    assert "Nothing in force matches these words" in none.text
    assert agent.client.get("/kb/review").status_code == 403
    assert agent.client.get("/kb/new").status_code == 403


def test_filters_narrow_to_kind_language_and_reason(login, library) -> None:
    agent = web(login, Role.TIER1_AGENT)
    page = agent.client.get("/kb", params={"q": "", "kind": "checklist", "language": "en"})
    assert "Eligibility verification checklist" in page.text
    assert "Appeal packet checklist" in page.text
    assert "Replacing a member" not in page.text
    page = agent.client.get("/kb", params={"q": "", "reason": "id_card", "language": "es"})
    titles = re.findall(r'lang="es">([^<]+)</a></h3>', page.text)
    assert titles == ["Reposición de la tarjeta de identificación del miembro"]


def test_owner_writes_a_draft_mistakes_said_beside_the_field(login, db: Session) -> None:
    owner = web(login, Role.SUPERVISOR)
    form = owner.client.get("/kb/new")
    assert form.status_code == 200
    before = db.scalar(select(func.count()).select_from(KbArticle))
    data = {
        "csrf_token": _csrf(form.text),
        "slug": "lost-card-es",
        "translation_key": "lost-card",
        "language": "es",
        "kind": "procedure",
        "title": "Tarjeta perdida",
        "body": "   ",
        "effective_on": "2026-01-01",
        "reasons": ["id_card"],
    }
    bad = owner.client.post("/kb/new", data=data)
    assert bad.status_code == 422
    assert "Write the article; it cannot be empty." in bad.text
    assert 'id="body-error"' in bad.text
    assert db.scalar(select(func.count()).select_from(KbArticle)) == before
    good = owner.client.post(
        "/kb/new",
        data={**data, "body": "Llame al 1-800-541-5555. <script>alert(1)</script>"},
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    page = owner.client.get(good.headers["location"])
    assert "Draft saved" in page.text
    # Never a script on the page: the HTML typed in the article is shown as text.
    assert "<script>alert(1)" not in page.text
    assert "1-800-541-5555" in page.text and "Not verified yet" in page.text
    sent = owner.client.post(
        re.search(r'action="(/kb/versions/\d+/submit)"', page.text).group(1),  # type: ignore[union-attr]
        data={"csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Sent for compliance review" in owner.client.get(sent.headers["location"]).text


def test_officer_verifies_approves_and_publishes_from_the_queue(login, db: Session) -> None:
    owner = web(login, Role.SUPERVISOR)
    officer = web(login, Role.COMPLIANCE_OFFICER)
    form = owner.client.get("/kb/new")
    owner.client.post(
        "/kb/new",
        data={
            "csrf_token": _csrf(form.text),
            "slug": "hotline-en",
            "translation_key": "hotline",
            "language": "en",
            "kind": "faq",
            "title": "The member hotline",
            "body": "Call 1-800-541-5555 from 8 a.m. to 5 p.m.",
            "effective_on": "2026-01-01",
        },
    )
    version = db.scalar(select(KbVersion).order_by(KbVersion.id.desc()))
    assert version is not None
    article_page = owner.client.get(f"/kb/articles/{version.article_id}")
    owner.client.post(
        f"/kb/versions/{version.id}/submit", data={"csrf_token": _csrf(article_page.text)}
    )
    queue = officer.client.get("/kb/review")
    assert queue.status_code == 200
    assert "The whole text (nothing published before)" in queue.text
    assert "+ Call 1-800-541-5555" in queue.text
    token = _csrf(queue.text)
    approved = officer.client.post(
        f"/kb/versions/{version.id}/approve", data={"csrf_token": token, "note": "ok"}
    )
    assert "Approved. Publish it once" in approved.text
    refused = officer.client.post(f"/kb/versions/{version.id}/publish", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "1 contact point(s) not verified yet" in refused.text
    point = version.points[0].id
    empty = officer.client.post(
        f"/kb/contact-points/{point}/verify", data={"csrf_token": token, "note": " "}
    )
    assert empty.status_code == 422 and "Say how it was checked" in empty.text
    ok = officer.client.post(
        f"/kb/contact-points/{point}/verify", data={"csrf_token": token, "note": "called it"}
    )
    assert "Contact point recorded as verified" in ok.text
    published = officer.client.post(
        f"/kb/versions/{version.id}/publish", data={"csrf_token": token}
    )
    assert "Published: agents find it" in published.text
    agent = web(login, Role.TIER1_AGENT)
    found = agent.client.get("/kb", params={"q": "hotline"})
    assert "The member hotline" in found.text
    assert "Contact details verified" in found.text


def test_diff_page_shows_added_and_removed_lines(writer, officer, login) -> None:
    made = publish_through_api(writer, officer)
    writer.client.post(
        f"/api/kb/articles/{made['id']}/versions",
        json={
            "title": "Replacing a lost card",
            "body": "1. Verify identity.\n2. Mail it.\n",
            "effective_on": "2026-02-01",
        },
    )
    agent = web(login, Role.TIER1_AGENT)
    page = agent.client.get(f"/kb/articles/{made['id']}/diff", params={"from": 1, "to": 2})
    assert page.status_code == 200
    assert "Removed: </span>− 2. Request a replacement card." in page.text
    assert "Added: </span>+ 2. Mail it." in page.text
    missing = agent.client.get(f"/kb/articles/{made['id']}/diff", params={"from": 1, "to": 7})
    assert missing.status_code == 404
