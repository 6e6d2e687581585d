"""The member portal in the member's language: a Spanish reader signs in and reads the portal
in Spanish (dates too), switches to English and stays there; staff pages stay English; the
Spanish catalogue translates every word of the portal."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.language import LOCALE_DIR
from tests import factories as f
from tests.web.test_pages import sign_in

NOW = datetime.fromisoformat("2026-11-25T19:00:00+00:00")  # Wednesday 11:00 in California
# Notices only staff ever see: kept in the catalogue's table, not translated.
STAFF_ONLY = {
    "Attempt recorded.",
    "Call-back done: the call is in the member's contact history.",
    "Letter marked sent.",
    "Reply sent. The message is marked answered.",
    "That was the last phone attempt: a letter is now due (see Letters to send).",
}


@pytest.fixture
def browser(app):  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        yield client


def test_a_spanish_reader_gets_the_portal_in_spanish_and_can_switch(
    browser: TestClient, login, db: Session
) -> None:  # type: ignore[no-untyped-def]
    member = f.member(db)
    member.written_language = "es"
    db.flush()
    account = login(Role.MEMBER, member_id=member.id)
    with time_machine.travel(NOW, tick=False):
        assert sign_in(browser, account.user.username).status_code == 303
        assert browser.cookies.get("md_lang") == "es"
        page = browser.get("/me/messages")
        text = page.text
        assert '<html lang="es">' in text
        assert "Escriba a Servicios para Miembros" in text and "Enviar el mensaje" in text
        assert "Cerrar sesión" in text and "Mis casos" in text
        # The switch offers English, marked as English for screen readers.
        assert 'lang="en" hreflang="en">English</a>' in text
        cases = browser.get("/me/cases").text
        assert "Mis casos" in cases and "No tiene casos abiertos con nosotros" in cases
        english = browser.get("/me/messages", params={"lang": "en"})
        assert "Message member services" in english.text and '<html lang="en">' in english.text
        assert browser.cookies.get("md_lang") == "en"
        # The choice is kept: the next page, without ?lang=, is in English too.
        later = browser.get("/me/cases").text
        assert '<html lang="en">' in later and "When you ask member services" in later


def test_dates_and_waits_are_worded_in_spanish(browser: TestClient, login, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = f.member(db)
    member.written_language = "es"
    db.flush()
    me = login(Role.MEMBER, member_id=member.id).client
    with time_machine.travel(NOW, tick=False):
        assert (
            me.post("/api/me/messages", json={"subject": "Factura", "body": "Hola"}).status_code
            == 201
        )
        page = me.get("/me/messages", params={"lang": "es"}).text
    # Sent today; the reply is due by close of business on Monday 30 November (Thanksgiving
    # and the day after are holidays), in Spanish.
    assert "Enviado hoy, 11:00 am hora del Pacífico." in page
    assert "le responderemos antes del lun 30 nov 2026, 5:00 pm hora del Pacífico." in page


def test_staff_pages_stay_in_english(browser: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    boss = login(Role.SUPERVISOR)
    assert sign_in(browser, boss.user.username).status_code == 303
    assert "md_lang" not in browser.cookies
    page = browser.get("/kpi").text
    assert '<html lang="en">' in page and "Sign out" in page
    assert 'aria-label="Language"' not in page  # no switch on staff pages


def test_the_spanish_catalogue_translates_every_portal_word() -> None:
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f_:
        catalog = read_po(f_, locale="es")
    missing = sorted(m.id for m in catalog if m.id and not m.string and m.id not in STAFF_ONLY)
    assert missing == []
    assert not any(m.fuzzy for m in catalog if m.id)
    # Placeholders survive translation.
    for m in catalog:
        if m.id and m.string and isinstance(m.id, str):
            assert sorted(_names(m.id)) == sorted(_names(m.string)), m.id


def _names(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", text)


def test_my_coverage_and_the_account_pages_are_in_spanish(
    browser: TestClient, login, db: Session
) -> None:  # type: ignore[no-untyped-def]
    member = f.member(db)
    member.written_language = "es"
    member.spoken_language = "ru"
    db.flush()
    account = login(Role.MEMBER, member_id=member.id)
    with time_machine.travel(NOW, tick=False):
        assert sign_in(browser, account.user.username).status_code == 303
        page = browser.get("/me").text
        card = browser.get("/me", params={"on": "1800-01-01"}).text
    assert "<title>Mi cobertura · memberdesk</title>" in page
    assert "Cobertura hoy" in page and "Con cobertura desde el" in page
    assert "Historial de cobertura" in page and "Cómo empezó" in page
    assert "Habla ruso, lee español" in page  # language names from CLDR, in Spanish
    assert "Solicitar una tarjeta de identificación nueva" in page
    assert "Plan CalChoice para pequeñas empresas (California)" in page
    # A wrong date is refused in Spanish beside the field.
    assert "Escriba una fecha completa entre 1900 y 2199" in card
    # The account pages, for someone not signed in who chose Spanish.
    with TestClient(browser.app) as visitor:
        enrol = visitor.get("/enrol", params={"lang": "es"}).text
        assert "Cree su cuenta de miembro" in enrol and "Número de miembro" in enrol
        assert "Al menos 15 caracteres" in enrol
        refused = visitor.post(
            "/enrol",
            data={
                "csrf_token": visitor.cookies.get("md_enrol_csrf"),
                "member_number": "123456789",
                "last_name": "",
                "date_of_birth": "1980-01-01",
                "username": "nuevo.miembro",
                "password": "un caballo correcto grapa batería",
                "password_again": "otra cosa distinta del todo",
            },
        ).text
        assert "Escriba su apellido." in refused
        assert "Las dos contraseñas no son iguales." in refused
        change = visitor.get("/password").text
        assert "Cambie su contraseña" in change and "Contraseña actual" in change
        signin = visitor.get("/login", params={"notice": "signed_out"}).text
        assert "Cerró la sesión." in signin
