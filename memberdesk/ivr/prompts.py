"""What the phone menu says, in English and Spanish (pure: no database, no web).

Prompts never read back what the caller keyed, and say a member's own details (card status,
coverage, case status) only after the member ID and date of birth have matched. A failed match
never says which of the two was wrong.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from memberdesk.cases.enums import CaseState, CaseType
from memberdesk.members.enums import IdCardStatus

LANGUAGES = ("en", "es")
# The voices' language tags (Twilio's <Say language=...>).
SAY_LANGUAGE = {"en": "en-US", "es": "es-US"}

CHOOSE_LANGUAGE = {
    "en": "Thank you for calling member services. For English, press 1.",
    "es": "Para español, oprima 2.",
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "member_id": "Please enter your member ID from your ID card, then press pound. "
        "To speak with a representative, press 0 then pound.",
        "date_of_birth": "Please enter your date of birth: two digits for the month, two for "
        "the day and four for the year.",
        "no_match": "Sorry, we could not match that member ID and date of birth. Let's try again.",
        "not_identified": "Sorry, we could not find your record.",
        "menu": "For your ID card, press 1. To hear whether you are covered today, press 2. "
        "For the status of your open case, press 3. To leave a message and get a call back, "
        "press 4. To speak with a representative, press 0.",
        "card_menu": "To request a new ID card, press 1. For the main menu, press 9. To speak "
        "with a representative, press 0.",
        "unexpected": "Sorry, that is not one of the choices.",
        "too_many": "Let me connect you with someone who can help.",
        "transfer": "Please hold while we connect you to a representative.",
        "voicemail": "After the tone, say your name, your phone number and how we can help. "
        "Press pound when you are done.",
        "voicemail_saved": "Thank you. We have your message and will call you back by {due}.",
        "no_recording": "We did not hear a message.",
        "goodbye": "Thank you for calling. Goodbye.",
        "anything_else": "Is there anything else?",
        "no_card": "We have no ID card request on file for you.",
        "card": "Your latest ID card request, made on {on}, is {status}.",
        "card_sent": "We have asked for a new ID card. It will be mailed to the address we "
        "have on file, usually within 7 to 10 days.",
        "card_open": "An ID card request is already being processed for you.",
        "card_refused": "We cannot send a new card: there is no current coverage on file.",
        "covered": "You are covered today.",
        "covered_until": "You are covered today, through {until}.",
        "not_covered": "Our records do not show coverage for you today.",
        "no_case": "You have no open cases with us.",
        "case": "Your case about {kind}, opened on {on}, is {state}.",
        "more_cases": "You have {n} open cases; this is the one due soonest.",
        "voicemail_today": "Thank you. We have your message and will call you back today.",
    },
    "es": {
        "member_id": "Marque su número de miembro de su tarjeta de identificación y luego "
        "oprima la tecla numeral. Para hablar con un representante, oprima 0 y la tecla "
        "numeral.",
        "date_of_birth": "Marque su fecha de nacimiento: dos dígitos para el mes, dos para el "
        "día y cuatro para el año.",
        "no_match": "Lo sentimos, no pudimos verificar ese número de miembro y fecha de "
        "nacimiento. Intentemos de nuevo.",
        "not_identified": "Lo sentimos, no encontramos su expediente.",
        "menu": "Para su tarjeta de identificación, oprima 1. Para saber si tiene cobertura "
        "hoy, oprima 2. Para el estado de su caso abierto, oprima 3. Para dejar un mensaje y "
        "recibir una llamada, oprima 4. Para hablar con un representante, oprima 0.",
        "card_menu": "Para pedir una tarjeta nueva, oprima 1. Para el menú principal, oprima 9. "
        "Para hablar con un representante, oprima 0.",
        "unexpected": "Lo sentimos, esa no es una de las opciones.",
        "too_many": "Le comunicaremos con alguien que le pueda ayudar.",
        "transfer": "Espere en la línea mientras le comunicamos con un representante.",
        "voicemail": "Después del tono, diga su nombre, su número de teléfono y cómo le "
        "podemos ayudar. Oprima la tecla numeral al terminar.",
        "voicemail_saved": "Gracias. Recibimos su mensaje y le llamaremos a más tardar el {due}.",
        "no_recording": "No escuchamos ningún mensaje.",
        "goodbye": "Gracias por su llamada. Adiós.",
        "anything_else": "¿Hay algo más en que le podamos ayudar?",
        "no_card": "No tenemos ninguna solicitud de tarjeta a su nombre.",
        "card": "Su solicitud de tarjeta más reciente, del {on}, está {status}.",
        "card_sent": "Pedimos una tarjeta nueva. Se enviará por correo a la dirección que "
        "tenemos registrada, por lo general en 7 a 10 días.",
        "card_open": "Ya estamos procesando una solicitud de tarjeta para usted.",
        "card_refused": "No podemos enviar una tarjeta nueva: no tiene cobertura vigente.",
        "covered": "Usted tiene cobertura hoy.",
        "covered_until": "Usted tiene cobertura hoy, hasta el {until}.",
        "not_covered": "Nuestros registros no muestran cobertura para usted hoy.",
        "no_case": "No tiene casos abiertos con nosotros.",
        "case": "Su caso sobre {kind}, abierto el {on}, está {state}.",
        "more_cases": "Tiene {n} casos abiertos; este es el que vence primero.",
        "voicemail_today": "Gracias. Recibimos su mensaje y le llamaremos hoy mismo.",
    },
}

CARD_STATUS: dict[str, dict[IdCardStatus, str]] = {
    "en": {
        IdCardStatus.REQUESTED: "received and waiting to be printed",
        IdCardStatus.PRINTED: "printed and about to be mailed",
        IdCardStatus.MAILED: "in the mail",
        IdCardStatus.DELIVERED: "delivered",
        IdCardStatus.RETURNED: "returned to us by the post office",
        IdCardStatus.CANCELLED: "cancelled",
    },
    "es": {
        IdCardStatus.REQUESTED: "recibida y en espera de impresión",
        IdCardStatus.PRINTED: "impresa y por enviarse",
        IdCardStatus.MAILED: "enviada por correo",
        IdCardStatus.DELIVERED: "entregada",
        IdCardStatus.RETURNED: "devuelta por el correo",
        IdCardStatus.CANCELLED: "cancelada",
    },
}

CASE_STATE: dict[str, dict[CaseState, str]] = {
    "en": {
        CaseState.NEW: "received and waiting for a specialist",
        CaseState.IN_PROGRESS: "being worked on",
        CaseState.WAITING_ON_MEMBER: "waiting for information from you",
        CaseState.WAITING_ON_THIRD_PARTY: "waiting for an answer from another office",
        CaseState.RESOLVED: "resolved",
        CaseState.CLOSED: "closed",
        CaseState.REOPENED: "reopened and being worked on",
    },
    "es": {
        CaseState.NEW: "recibido y en espera de un especialista",
        CaseState.IN_PROGRESS: "en proceso",
        CaseState.WAITING_ON_MEMBER: "en espera de información de usted",
        CaseState.WAITING_ON_THIRD_PARTY: "en espera de respuesta de otra oficina",
        CaseState.RESOLVED: "resuelto",
        CaseState.CLOSED: "cerrado",
        CaseState.REOPENED: "reabierto y en proceso",
    },
}

CASE_KIND_ES = {
    "eligibility": "elegibilidad",
    "billing": "facturación",
    "id_card": "tarjeta de identificación",
    "benefits": "beneficios",
    "claims": "reclamos",
    "plan_comparison": "comparación de planes",
    "enrollment": "inscripción",
    "appeal": "apelación",
    "grievance": "queja",
}


def say(language: str, key: str, **values: str) -> str:
    """A prompt in the caller's language (English when none was chosen)."""
    return WORDS.get(language, WORDS["en"])[key].format(**values)


def spoken_date(value: date, language: str) -> str:
    """A date as a voice reads it: ``November 2, 2026`` / ``2 de noviembre de 2026``."""
    return format_date(value, format="long", locale="es_US" if language == "es" else "en_US")


def case_kind(kind: CaseType, language: str) -> str:
    """What a case is about, in a few words."""
    if language == "es":
        return CASE_KIND_ES.get(kind.value, "otro asunto")
    return kind.value.replace("_", " ") if kind.value != "other" else "another matter"
