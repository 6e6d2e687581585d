"""The survey page (public, in the member's language) and the staff pages, through the app."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.surveys.models import SurveyAnswer, SurveyMember
from tests.surveys.helpers import complete_contact, invitation_of, send, surveyed_member, token_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _link(login, db: Session, settings, language: str = "en") -> tuple[str, int]:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db, language=language)
    contact = complete_contact(agent.client, member.id, channel="email")
    inv = invitation_of(db, contact["id"])
    assert inv is not None
    send(db, settings)
    return token_for(db, inv.id), member.id


def test_the_page_speaks_spanish_and_refuses_out_of_range_beside_the_question(
    anon, login, db: Session, backend_settings
) -> None:
    token, _ = _link(login, db, backend_settings, language="es")
    page = anon.get(f"/survey/{token}")
    assert page.status_code == 200
    assert '<html lang="es">' in page.text and "¿Cómo lo atendimos?" in page.text
    assert "En los últimos 12 meses" in page.text and "La mayoría de las veces" in page.text
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    bad = anon.post(
        f"/survey/{token}", data={"csrf_token": csrf, "csat": "7", "nps": "11", "lang": "es"}
    )
    assert bad.status_code == 422
    assert "Elija una respuesta del 1 al 5." in bad.text
    assert "Elija un número del 0 al 10." in bad.text
    assert db.scalar(select(SurveyAnswer)) is None  # nothing stored
    english = anon.get(f"/survey/{token}?lang=en")
    assert '<html lang="en">' in english.text and "How did we do?" in english.text


def test_answering_on_the_page_then_the_link_says_thank_you(
    anon, login, db: Session, backend_settings
) -> None:
    token, _ = _link(login, db, backend_settings)
    csrf = CSRF.search(anon.get(f"/survey/{token}").text).group(1)  # type: ignore[union-attr]
    form = {
        "csrf_token": csrf,
        "csat": "4",
        "nps": "10",
        "cahps_help": "usually",
        "comment": "Quick and kind.",
    }
    done = anon.post(f"/survey/{token}", data=form, follow_redirects=False)
    assert done.status_code == 303
    after = anon.get(done.headers["location"])
    assert after.status_code == 200 and "We got your answers" in after.text
    stored = db.scalar(select(SurveyAnswer))
    assert stored is not None and (stored.csat, stored.nps) == (4, 10)
    assert stored.cahps_help == "usually" and stored.cahps_courtesy is None
    again = anon.post(f"/survey/{token}", data=form)
    assert again.status_code == 409 and "We got your answers" in again.text


def test_a_forged_form_and_an_unknown_link_are_refused(
    anon, login, db: Session, backend_settings
) -> None:
    token, _ = _link(login, db, backend_settings)
    forged = anon.post(f"/survey/{token}", data={"csrf_token": "x", "csat": "5", "nps": "9"})
    assert forged.status_code == 403 and "Your form expired" in forged.text
    assert db.scalar(select(SurveyAnswer)) is None
    unknown = anon.get("/survey/" + "A" * 43)
    assert unknown.status_code == 404 and "This survey link is not valid" in unknown.text


def test_stop_surveys_from_the_page(anon, login, db: Session, backend_settings) -> None:
    token, member_id = _link(login, db, backend_settings)
    csrf = CSRF.search(anon.get(f"/survey/{token}").text).group(1)  # type: ignore[union-attr]
    stopped = anon.post(f"/survey/{token}", data={"csrf_token": csrf, "action": "stop"})
    assert stopped.status_code == 200 and "We will not send you surveys again" in stopped.text
    pref = db.get(SurveyMember, member_id)
    assert pref is not None and pref.opted_out_at is not None and pref.opted_out_via == "link"


def test_staff_pages_render(login, db: Session, backend_settings) -> None:
    _link(login, db, backend_settings)
    supervisor = login(Role.SUPERVISOR, team="Team A").client
    for path in ("/surveys", "/surveys?by=agent", "/surveys?by=channel", "/surveys/comments",
                 "/surveys/invitations", "/surveys/invitations?state=sent"):  # fmt: skip
        page = supervisor.get(path)
        assert page.status_code == 200, (path, page.text[:500])
    wfm = login(Role.WFM_ANALYST).client
    assert wfm.get("/surveys").status_code == 200
    assert wfm.get("/surveys/comments").status_code == 403
