"""The knowledge base in a real browser (Debian's chromium via Playwright) against a live
server: an agent opens the knowledge base from the agent desktop and finds the ID-card article
in Spanish by typing "identificacion" without its accent; an owner's mistake is said beside the
field; a compliance officer verifies a phone number, approves and publishes from the review
queue, and the agent then finds the new article. Every page is checked with axe-core at 1280
and 390 px and screenshotted."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from memberdesk.clock import now
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import Role
from memberdesk.kb import content, service
from memberdesk.kb.schemas import ArticleIn
from memberdesk.members.models import Member
from tests.browser import CHROMIUM, NO_CHROMIUM, Person, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@pytest.fixture(scope="module")
def library(live: LiveServer) -> int:
    """The shipped library published by an officer; returns a draft in review by an owner."""
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    owner = live.add_user(Role.SUPERVISOR, team="Team A")
    with live.sessions() as session:
        content.import_docs(
            session,
            AuditContext(actor_id=None, actor="browser-test", role="system"),
            content.read_dir(content.SHIPPED),
            now(),
            AuditContext(actor_id=officer.user_id, actor="o", role="compliance_officer"),
        )
        ctx = AuditContext(actor_id=owner.user_id, actor="owner", role="supervisor")
        _, version = service.create_article(
            session,
            ctx,
            ArticleIn(
                slug="transporte-es",
                translation_key="transporte",
                language="es",  # type: ignore[arg-type]
                kind="faq",  # type: ignore[arg-type]
                title="Transporte a las citas médicas",
                body="Para pedir transporte, llame al (503) 555-0142 dos días antes de la cita.",
                effective_on=now().date(),
                reasons=["transportation"],  # type: ignore[list-item]
            ),
            now(),
        )
        service.submit(session, ctx, version, now())
        session.commit()
        return version.id


def test_agent_finds_the_id_card_article_in_spanish_without_the_accent(
    live: LiveServer, checked: Page, screens: Path, library: int
) -> None:
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    sign_in(checked, agent)
    checked.get_by_role("link", name="Agent desktop", exact=True).click()
    checked.get_by_role("link", name="Search the knowledge base").click()
    expect(checked.get_by_role("heading", name="Knowledge base", level=1)).to_be_visible()
    checked.get_by_label("Words to find").fill("tarjeta identificacion")
    checked.get_by_role("button", name="Search").click()
    expect(checked.get_by_role("heading", name="1 article found")).to_be_visible()
    problems = page_problems(checked, "kb-search", screens)
    checked.get_by_role(
        "link", name="Reposición de la tarjeta de identificación del miembro"
    ).click()
    expect(checked.get_by_text("Solicite la tarjeta de reposición")).to_be_visible()
    expect(checked.get_by_role("link", name="Read it in English")).to_be_visible()
    problems += page_problems(checked, "kb-article-es", screens)
    # The draft in review is not found by agents.
    checked.goto("/kb?q=transporte")
    expect(checked.get_by_text("Nothing in force matches these words")).to_be_visible()
    assert problems == []


def test_officer_verifies_approves_and_publishes(
    live: LiveServer, checked: Page, screens: Path, library: int
) -> None:
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    sign_in(checked, officer)
    checked.get_by_role("link", name="Knowledge", exact=True).click()
    checked.get_by_role("link", name="Review queue").click()
    expect(checked.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    section = checked.locator("section", has_text="Transporte a las citas médicas")
    expect(section.get_by_text("+ Para pedir transporte")).to_be_visible()
    problems = page_problems(checked, "kb-review", screens)
    section.get_by_role("button", name="Approve version 1").click()
    expect(checked.get_by_text("Approved. Publish it once")).to_be_visible()
    section = checked.locator("section", has_text="Transporte a las citas médicas")
    section.get_by_role("button", name="Publish version 1").click()
    expect(checked.get_by_role("alert").first).to_contain_text("1 contact point(s) not verified")
    problems += page_problems(checked, "kb-review-refused", screens)
    section = checked.locator("section", has_text="Transporte a las citas médicas")
    section.get_by_label("How you checked (503) 555-0142").fill("Called the line on the day")
    section.get_by_role("button", name="Record as verified").click()
    expect(checked.get_by_text("Contact point recorded as verified")).to_be_visible()
    section = checked.locator("section", has_text="Transporte a las citas médicas")
    section.get_by_role("button", name="Publish version 1").click()
    expect(checked.get_by_text("Published: agents find it")).to_be_visible()
    problems += page_problems(checked, "kb-review-done", screens)
    checked.goto("/kb?q=transporte+citas")
    expect(checked.get_by_role("link", name="Transporte a las citas médicas")).to_be_visible()
    expect(checked.get_by_text("Contact details verified")).to_be_visible()
    assert problems == []


def test_owner_mistake_is_said_beside_the_field(
    live: LiveServer, checked: Page, screens: Path, library: int
) -> None:
    owner = live.add_user(Role.SUPERVISOR, team="Team A")
    sign_in(checked, owner)
    checked.goto("/kb")
    checked.get_by_role("link", name="Write a new article").click()
    checked.get_by_label("Unique name").fill("sin-cuerpo-es")
    checked.get_by_label("Shared with its translation").fill("sin-cuerpo")
    checked.get_by_label("Language").select_option(label="Spanish")
    checked.get_by_label("Title").fill("Sin cuerpo")
    checked.get_by_role("button", name="Save the draft").click()
    expect(checked.locator("#body-error")).to_have_text("Write the article; it cannot be empty.")
    problems = page_problems(checked, "kb-editor-refused", screens)
    assert problems == []


def test_agent_finds_the_id_card_article_in_spanish_from_a_spanish_speakers_call(
    live: LiveServer, checked: Page, screens: Path, library: int, people: list[Person]
) -> None:
    who = people[1]
    with live.sessions() as session:
        member = session.get(Member, who.id)
        assert member is not None
        member.spoken_language = "es"
        session.commit()
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    sign_in(checked, agent)
    checked.get_by_role("link", name="Agent desktop").first.click()
    checked.get_by_label("Member ID").fill(who.member_number)
    checked.keyboard.press("Enter")
    checked.get_by_role(
        "button", name=f"Start a call with {who.first_name} {who.last_name}"
    ).click()
    checked.get_by_label("Full name").check()
    checked.get_by_label("Date of birth").check()
    checked.get_by_role("button", name="Verified: open the record").click()

    panel = checked.locator("#kb-help")
    expect(panel.get_by_role("heading", name="Knowledge base")).to_be_visible()
    panel.get_by_label("Search the knowledge base (Spanish first)").fill("tarjeta identificacion")
    problems = page_problems(checked, "kb-desk-panel", screens)
    panel.get_by_role("button", name="Search").click()

    expect(checked.get_by_role("heading", name="Knowledge base for the call")).to_be_visible()
    first = checked.locator(".kb-results li").first
    expect(first.get_by_role("link")).to_have_text(
        "Reposición de la tarjeta de identificación del miembro"
    )
    expect(first).to_contain_text("Spanish")
    expect(first).to_contain_text("Signed off by compliance")
    problems += page_problems(checked, "kb-desk-search", screens)
    first.get_by_role("link").click()

    expect(checked.get_by_text("Solicite la tarjeta de reposición")).to_be_visible()
    checked.get_by_role("button", name="Yes, it answered the member").click()
    expect(checked.get_by_text("Thank you: recorded that this article helped.")).to_be_visible()
    problems += page_problems(checked, "kb-desk-article", screens)
    checked.get_by_role("link", name="Back to the call").first.click()
    expect(checked.locator("#kb-help")).to_be_visible()
    assert problems == []


def test_officer_follows_an_overdue_signoff_and_an_owner_reads_the_gaps(
    live: LiveServer, checked: Page, screens: Path, library: int
) -> None:
    from datetime import timedelta

    owner = live.add_user(Role.SUPERVISOR, team="Team A")
    written = now() - timedelta(days=14)  # five business days have long passed
    with live.sessions() as session:
        ctx = AuditContext(actor_id=owner.user_id, actor="owner", role="supervisor")
        article, _ = service.create_article(
            session,
            ctx,
            ArticleIn(
                slug="nuevo-aviso-es",
                translation_key="nuevo-aviso",
                language="es",  # type: ignore[arg-type]
                kind="faq",  # type: ignore[arg-type]
                title="Aviso de cambios de la regla estatal",
                body="La regla estatal cambió; explique el nuevo plazo al miembro.",
                effective_on=now().date(),
                reasons=["appeal_grievance"],  # type: ignore[list-item]
                regulatory=True,
            ),
            written,
        )
        session.commit()
        article_id = article.id
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    sign_in(checked, officer)
    checked.goto("/compliance")
    card = checked.locator("section", has=checked.get_by_role("heading", name="Policy sign-off"))
    expect(card).to_contain_text("1 change overdue")
    problems = page_problems(checked, "kb-signoff-console", screens)
    card.get_by_role("link", name="Aviso de cambios de la regla estatal (version 1)").click()
    expect(checked).to_have_url(f"{live.base_url}/kb/articles/{article_id}#version-1")
    expect(checked.get_by_text("compliance sign-off overdue since")).to_be_visible()
    problems += page_problems(checked, "kb-signoff-article", screens)

    checked.context.clear_cookies()
    sign_in(checked, owner)
    checked.goto("/kb")
    checked.get_by_role("link", name="Knowledge gaps").click()
    expect(checked.get_by_role("heading", name="By contact reason")).to_be_visible()
    problems += page_problems(checked, "kb-gaps", screens)
    assert problems == []
