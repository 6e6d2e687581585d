"""What members read, in English and Spanish: the invitation, the questions and their scales,
and what the survey page says (pure: no database, no web).

The two customer-service items follow the CAHPS Health Plan Survey 5.x wording, with the look-back
of the member's pack ("in the last 12 months" commercial, 6 Medicaid). The Spanish answers are
CAHPS's own (Nunca / A veces / La mayoría de las veces / Siempre). Invitations never name what
the contact was about: a subject line or a text message can be read by someone else.
"""

from __future__ import annotations

from datetime import date

from memberdesk.language import long_date
from memberdesk.surveys.enums import CahpsAnswer, Language, SendChannel


def long_day(value: date, language: Language) -> str:
    """``December 3, 2026`` / ``3 de diciembre de 2026``."""
    return long_date(value, language.value)


def invitation(
    language: Language,
    channel: SendChannel,
    link: str,
    contact_day: date,
    closes: date,
) -> tuple[str | None, str]:
    """(subject, body) of an invitation: a subject for e-mail only; a text stays within one
    160-character message with a link of up to about 90 characters."""
    on, until = long_day(contact_day, language), long_day(closes, language)
    if language is Language.ES:
        if channel is SendChannel.SMS:
            return (
                None,
                f"Servicios para Miembros: ¿cómo lo atendimos? Díganos en 2 minutos: {link}",
            )
        return "¿Cómo lo atendimos? Dos minutos sobre su contacto con nosotros", (
            f"Gracias por comunicarse con Servicios para Miembros el {on}.\n\n"
            f"¿Nos dice cómo lo atendimos? Son cinco preguntas y unos dos minutos:\n{link}\n\n"
            f"El enlace es solo para usted y funciona hasta el {until}. Si no quiere recibir "
            "más encuestas, ábralo y elija «No me envíen más encuestas».\n\n"
            "Servicios para Miembros"
        )
    if channel is SendChannel.SMS:
        return None, f"Member Services: how did we do? Tell us in 2 minutes: {link}"
    return "How did we do? Two minutes about your contact with us", (
        f"Thank you for contacting Member Services on {on}.\n\n"
        f"Will you tell us how we did? It is five questions and about two minutes:\n{link}\n\n"
        f"The link is for you alone and works until {until}. If you would rather not get "
        'surveys, open it and choose "Do not send me surveys again".\n\n'
        "Member Services"
    )


CSAT_LABELS = {
    Language.EN: {
        1: "Very dissatisfied",
        2: "Dissatisfied",
        3: "Neither satisfied nor dissatisfied",
        4: "Satisfied",
        5: "Very satisfied",
    },
    Language.ES: {
        1: "Muy insatisfecho",
        2: "Insatisfecho",
        3: "Ni satisfecho ni insatisfecho",
        4: "Satisfecho",
        5: "Muy satisfecho",
    },
}
CAHPS_LABELS = {
    Language.EN: {
        CahpsAnswer.NEVER: "Never",
        CahpsAnswer.SOMETIMES: "Sometimes",
        CahpsAnswer.USUALLY: "Usually",
        CahpsAnswer.ALWAYS: "Always",
    },
    Language.ES: {
        CahpsAnswer.NEVER: "Nunca",
        CahpsAnswer.SOMETIMES: "A veces",
        CahpsAnswer.USUALLY: "La mayoría de las veces",
        CahpsAnswer.ALWAYS: "Siempre",
    },
}


def page_text(language: Language, months: int) -> dict[str, str]:
    """Every sentence of the survey page, for the member's pack's look-back in ``months``."""
    if language is Language.ES:
        return {
            "title": "¿Cómo lo atendimos?",
            "skip": "Ir al contenido principal",
            "service": "Servicios para Miembros",
            "intro": "Gracias por comunicarse con nosotros el {day}. Son cinco preguntas; "
            "sus respuestas nos ayudan a mejorar.",
            "required": "Las preguntas 1 y 2 son obligatorias; las demás, opcionales.",
            "csat": "1. En general, ¿qué tan satisfecho quedó con la ayuda que recibió?",
            "nps": "2. ¿Qué tan probable es que recomiende nuestro Servicio para Miembros a "
            "un amigo o familiar?",
            "nps_hint": "0 quiere decir nada probable y 10, muy probable.",
            "nps_low": "Nada probable",
            "nps_high": "Muy probable",
            "help": f"3. En los últimos {months} meses, ¿con qué frecuencia el servicio al "
            "cliente de su plan de salud le dio la información o la ayuda que necesitaba?",
            "courtesy": f"4. En los últimos {months} meses, ¿con qué frecuencia el personal "
            "de servicio al cliente de su plan de salud lo trató con cortesía y respeto?",
            "skip_answer": "Prefiero no contestar",
            "comment": "5. ¿Algo más que quiera decirnos? (opcional)",
            "comment_hint": "Por favor, no escriba su número de miembro ni detalles de su salud.",
            "opt_out": "No me envíen más encuestas",
            "send": "Enviar mis respuestas",
            "stop_title": "¿No quiere encuestas?",
            "stop_text": "Puede dejar de recibirlas sin contestar esta.",
            "stop": "No me envíen más encuestas",
            "switch": "English",
            "thanks_title": "Gracias",
            "thanks": "Recibimos sus respuestas. Gracias por su tiempo.",
            "stopped": "No le enviaremos más encuestas.",
            "closed_title": "Esta encuesta ya cerró",
            "closed": "El enlace funcionaba hasta el {day}. Gracias de todos modos.",
            "unknown_title": "Enlace no válido",
            "unknown": "Este enlace de encuesta no es válido. Revise que esté completo.",
            "form_error": "Revise lo marcado abajo.",
            "expired_form": "Su formulario caducó. Inténtelo otra vez.",
            "err_csat": "Elija una respuesta del 1 al 5.",
            "err_nps": "Elija un número del 0 al 10.",
            "err_cahps": "Elija una de las respuestas.",
            "err_comment": "El comentario puede tener como máximo {n} caracteres.",
            "footer": "Sus respuestas se guardan de forma confidencial.",
        }
    return {
        "title": "How did we do?",
        "skip": "Skip to the main content",
        "service": "Member Services",
        "intro": "Thank you for contacting us on {day}. There are five questions; your "
        "answers help us do better.",
        "required": "Questions 1 and 2 need an answer; the rest are optional.",
        "csat": "1. Overall, how satisfied are you with the help you got?",
        "nps": "2. How likely are you to recommend our Member Services to a friend or "
        "family member?",
        "nps_hint": "0 means not at all likely and 10 means extremely likely.",
        "nps_low": "Not at all likely",
        "nps_high": "Extremely likely",
        "help": f"3. In the last {months} months, how often did your health plan's customer "
        "service give you the information or help you needed?",
        "courtesy": f"4. In the last {months} months, how often did your health plan's "
        "customer service staff treat you with courtesy and respect?",
        "skip_answer": "I would rather not say",
        "comment": "5. Anything else you want to tell us? (optional)",
        "comment_hint": "Please do not write your member ID or details about your health.",
        "opt_out": "Do not send me surveys again",
        "send": "Send my answers",
        "stop_title": "Rather not get surveys?",
        "stop_text": "You can stop them without answering this one.",
        "stop": "Do not send me surveys again",
        "switch": "Español",
        "thanks_title": "Thank you",
        "thanks": "We got your answers. Thank you for your time.",
        "stopped": "We will not send you surveys again.",
        "closed_title": "This survey has closed",
        "closed": "The link worked until {day}. Thank you all the same.",
        "unknown_title": "This link does not work",
        "unknown": "This survey link is not valid. Check that it is complete.",
        "form_error": "Please check what is marked below.",
        "expired_form": "Your form expired. Please try again.",
        "err_csat": "Choose an answer from 1 to 5.",
        "err_nps": "Choose a number from 0 to 10.",
        "err_cahps": "Choose one of the answers.",
        "err_comment": "A comment can be at most {n} characters.",
        "footer": "Your answers are kept confidential.",
    }


def points_words(value: float | None) -> str:
    """NPS as people say it: +32; a dash when there is nothing to measure."""
    return "—" if value is None else f"{value:+.0f}"
