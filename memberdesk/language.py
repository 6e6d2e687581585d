"""The language words are put in: English, or Spanish from its gettext catalogue.

Code that words something for a person (templates, and the word helpers of the domains) calls
``gettext`` (usually imported as ``_``); the language is the current request's (set by
``web.i18n.LanguageMiddleware``), English outside a request. The catalogues are the ``.po`` files
under ``memberdesk/locale``, compiled in memory when first used: nothing generated is committed
and there is no build step.
"""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar, Token
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("memberdesk_language", default=DEFAULT)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalogue of ``language`` (English: the words as written)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it here: a word kept in a table
    and translated with ``gettext`` where it is shown."""
    return message


def current() -> str:
    """The language of the page being rendered."""
    return _current.get()


def gettext(message: str) -> str:
    """``message`` in the current language (itself when not translated)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current language."""
    return translations(current()).ngettext(singular, plural, n)


def use(language: str) -> Token[str]:
    """Word everything in ``language`` until ``reset`` with the token returned (the request's
    context only)."""
    return _current.set(language if language in LANGUAGES else DEFAULT)


def reset(token: Token[str]) -> None:
    """Back to the language before ``use``."""
    _current.reset(token)


def dated(day: date, english: str, pattern: str) -> str:
    """``english`` in English; in another language ``day`` written with the CLDR ``pattern``
    (e.g. ``d MMM y``: "30 nov 2026")."""
    if current() == DEFAULT:
        return english
    from babel.dates import format_date

    return str(format_date(day, pattern, locale=current()))


def long_date(day: date, language: str) -> str:
    """A date written out in full, as letters and messages to members write it: ``March 16,
    2026`` / ``16 de marzo de 2026`` (CLDR's long format for the language)."""
    from babel.dates import format_date

    return str(format_date(day, "long", locale="en_US" if language == DEFAULT else language))
