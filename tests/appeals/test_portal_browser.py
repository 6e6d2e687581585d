"""A Spanish-reading member files a grievance in the portal in a real browser; a Tier 3 analyst
opens it from the worklist, records the decision, creates and sends the resolution letter; the
member reads the decision and the letter in "Mis apelaciones y quejas". Each state is checked
with axe-core at 1280 and 390 px and screenshotted (the folder is printed at the start); the
resolution letter's PDF is kept beside the screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from memberdesk.appeals.models import Appeal
from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from tests.browser import CHROMIUM, NO_CHROMIUM, WIDTHS, Person, page_problems
from tests.livesrv import LiveServer
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]
COMPLAINT = "El transporte no llegó a recogerme para mi cita de diálisis del lunes"


@pytest.fixture
def second(chromium: Browser, live: LiveServer) -> Iterator[Page]:
    """Another person's browser (its own cookies), with axe-core allowed like ``checked``."""
    context = chromium.new_context(
        base_url=live.base_url,
        viewport={"width": WIDTHS["desktop"], "height": 900},
        locale="en-US",
        bypass_csp=True,
    )
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_spanish_reader_files_a_grievance_and_reads_the_decision(
    live: LiveServer, checked: Page, second: Page, screens: Path, people: list[Person]
) -> None:
    who = people[9]
    with live.sessions() as session:
        member = session.get(Member, who.id)
        assert member is not None
        member.written_language = "es"
        session.commit()
    account = live.add_user(Role.MEMBER, member_id=who.id)
    me = checked
    sign_in(me, account)
    me.get_by_role("link", name="Mis apelaciones", exact=True).click()
    expect(me.get_by_role("heading", name="Mis apelaciones y quejas", level=1)).to_be_visible()
    expect(me.locator("html")).to_have_attribute("lang", "es")
    problems = page_problems(me, "portal-appeals-empty-es", screens)

    # Nothing chosen: the problems are said beside their fields, in Spanish.
    me.get_by_role("button", name="Enviar").click()
    expect(me.locator("#kind-error")).to_contain_text("Elija si es una queja")
    expect(me.locator("#summary-error")).to_contain_text("Cuéntenos de qué se trata")
    problems += page_problems(me, "portal-appeals-refused-es", screens)

    me.get_by_role("radio", name="Una queja").check()
    me.get_by_label("¿De qué se trata?").fill(COMPLAINT)
    me.get_by_role("radio", name="En el plazo habitual").check()
    me.get_by_role("button", name="Enviar").click()
    expect(me.get_by_role("status")).to_contain_text("La recibimos.")
    mine = me.locator(".cases-list > li").first
    expect(mine).to_contain_text("La estamos revisando")
    expect(mine).to_contain_text("Decidiremos a más tardar el")
    expect(mine).to_contain_text(COMPLAINT)
    problems += page_problems(me, "portal-appeals-filed-es", screens)
    with live.sessions() as session:
        appeal_id = session.query(Appeal.id).filter(Appeal.member_id == who.id).scalar()
    assert appeal_id is not None

    # Tier 3 opens it from the worklist, decides, creates and sends the resolution letter.
    analyst = live.add_user(Role.TIER3_APPEALS, team="Appeals")
    staff = second
    sign_in(staff, analyst)
    staff.get_by_role("link", name="Appeals", exact=True).click()
    staff.locator(f'a[href="/appeals/{appeal_id}"]').first.click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(
        f"{who.first_name} {who.last_name}"
    )
    letters = staff.locator("#letters")
    letters.get_by_role("button", name=re.compile("^Create and send")).first.click()
    expect(staff.get_by_text("Letter created and sent by mail")).to_be_visible()
    decision = staff.locator("#decision")
    decision.get_by_label("Overturned: in the member's favour").check()
    decision.get_by_label("Rationale: the criteria applied and the facts").fill(
        "The ride was booked and the vendor did not come; a new vendor is assigned"
    )
    decision.get_by_role("button", name="Record the decision").click()
    expect(staff.get_by_text("Decision recorded.")).to_be_visible()
    letters.get_by_role("button", name=re.compile("^Create and send")).click()
    expect(staff.get_by_text("Letter created and sent by mail")).to_be_visible()
    expect(letters).to_contain_text("No letter is owed now.")
    issued = letters.get_by_role("link", name=re.compile("^the letter"))
    expect(issued).to_have_count(2)
    problems += page_problems(staff, "appeal-letters-issued", screens)

    # The member, in Spanish, reads the decision and the resolution letter.
    me.reload()
    mine = me.locator(".cases-list > li").first
    expect(mine).to_contain_text("Decidimos a su favor.")
    expect(mine).to_contain_text("Cartas que le enviamos")
    resolution = mine.get_by_role("link", name="Nuestra decisión")
    expect(resolution).to_be_visible()
    expect(mine.get_by_role("link", name="Recibimos su solicitud")).to_be_visible()
    problems += page_problems(me, "portal-appeals-decided-es", screens)
    href = resolution.get_attribute("href")
    assert href is not None
    pdf = me.request.get(href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    (screens / "resolution-letter.pdf").write_bytes(pdf.body())
    assert problems == []
