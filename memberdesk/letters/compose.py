"""A letter put together before layout: its language, the templates it uses, their rendered
text, the rights notice and the taglines page (pure: package data in, text out)."""

from __future__ import annotations

import calendar
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from memberdesk.errors import InvalidInput
from memberdesk.letters import contract, render
from memberdesk.letters.enums import LetterKind

PACKS_FILE = Path(__file__).with_name("packs.toml")
TAGLINES_FILE = Path(__file__).with_name("taglines.toml")
ENGLISH = "en"
LRI, PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class PackInfo:
    """What a pack's letters say about whom to call and how long the member has."""

    name: str
    letterhead: str
    verified: bool
    contacts: dict[str, str]  # plan_phone, regulator_phone, ... (contract.SUPPLIED names)
    rights_window_months: int | None
    rights_window_days: int | None


@lru_cache
def _packs() -> dict[str, Any]:
    return tomllib.loads(PACKS_FILE.read_text(encoding="utf-8"))


def pack_names() -> list[str]:
    """Packs that have letters."""
    return sorted(_packs())


def pack_info(pack: str) -> PackInfo:
    """A pack's letter details; an unknown pack is an error naming it."""
    raw = _packs().get(pack)
    if raw is None:
        raise InvalidInput(f"no letters for the pack {pack}", field="pack")
    contacts = {k: str(v) for k, v in raw.items() if k in contract.SUPPLIED}
    return PackInfo(
        name=pack,
        letterhead=str(raw["letterhead"]),
        verified=bool(raw.get("verified", False)),
        contacts=contacts,
        rights_window_months=raw.get("rights_window_months"),
        rights_window_days=raw.get("rights_window_days"),
    )


def _add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def rights_deadline(info: PackInfo, letter_date: date) -> date:
    """The last day to ask for the next level, counted from the letter's date."""
    if info.rights_window_days is not None:
        return letter_date + timedelta(days=int(info.rights_window_days))
    return _add_months(letter_date, int(info.rights_window_months or 0))


# --------------------------------------------------------------------------- taglines


@dataclass(frozen=True)
class Tagline:
    language: str
    name: str
    text: str
    rtl: bool


@lru_cache
def _taglines() -> dict[str, Any]:
    return tomllib.loads(TAGLINES_FILE.read_text(encoding="utf-8"))


def tagline_languages() -> list[str]:
    """Languages that have a tagline."""
    return sorted(_taglines()["languages"])


def all_tagline_text() -> str:
    """Every character any taglines page can hold (for the CJK font subset)."""
    data = _taglines()
    parts = [data["heading"], data["english"]]
    for lang in data["languages"].values():
        parts += [lang["name"], lang["text"]]
    return "".join(parts)


def taglines(pack: str, member_language: str, contacts: Mapping[str, str]) -> list[Tagline]:
    """The pack's taglines, the member's own language first when it has one."""
    data = _taglines()
    order = list(data["packs"].get(pack, []))
    if member_language in data["languages"]:
        order = [member_language] + [code for code in order if code != member_language]
    out = []
    for code in order:
        raw = data["languages"][code]
        rtl = bool(raw.get("rtl", False))
        out.append(Tagline(code, raw["name"], raw["text"].format(**_numbers(contacts, rtl)), rtl))
    return out


def _numbers(contacts: Mapping[str, str], rtl: bool) -> dict[str, str]:
    # In right-to-left text a number like 1-800-555-0140 must stay one left-to-right run, or
    # its groups come out reversed: isolate it (Unicode bidi LRI ... PDI).
    phone, tty = contacts.get("plan_phone", ""), contacts.get("plan_tty", "")
    if rtl:
        return {"phone": f"{LRI}{phone}{PDI}", "tty": f"{LRI}{tty}{PDI}"}
    return {"phone": phone, "tty": tty}


def tagline_heading(contacts: Mapping[str, str]) -> tuple[str, str]:
    """The page's heading and its English line."""
    data = _taglines()
    return data["heading"], data["english"].format(**_numbers(contacts, rtl=False))


# --------------------------------------------------------------------------- the letter


def letter_language(kind: LetterKind, written_language: str) -> str:
    """The member's written language when this kind of letter has a translation in it, else
    English (the taglines page then leads with the member's language)."""
    if written_language in render.languages(kind.value):
        return written_language
    return ENGLISH


@dataclass(frozen=True)
class Composed:
    """Everything the layout needs, and what the letter records about how it was made."""

    kind: LetterKind
    pack: str
    language: str
    body_template: render.Template
    rights_template: render.Template
    body: str
    rights: str
    taglines: list[Tagline]
    tagline_heading: str
    tagline_english: str
    letterhead: str
    letter_date: date
    reference: str

    @property
    def template_digest(self) -> str:
        """Digest over both templates' sources: which exact text the letter came from."""
        import hashlib

        both = f"{self.body_template.sha256}:{self.rights_template.sha256}"
        return hashlib.sha256(both.encode()).hexdigest()


def _localised(values: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    # Due dates are read on the pack's calendar: a 23:59 Pacific deadline stored in UTC is
    # the next day in UTC, and the letter must print the Pacific day.
    return {k: v.astimezone(zone) if isinstance(v, datetime) else v for k, v in values.items()}


def compose(
    kind: LetterKind,
    pack: str,
    context: Mapping[str, Any],
    *,
    written_language: str,
    letter_date: date,
    zone: ZoneInfo,
    drafts: bool = False,
) -> Composed:
    """Check the context, choose the language, render the letter and its rights notice."""
    checked = contract.check_context(kind, context)
    info = pack_info(pack)
    language = letter_language(kind, written_language)
    if checked.get("rights_deadline") is None and kind in (
        LetterKind.RESOLUTION,
        LetterKind.DEEMED_EXHAUSTION,
    ):
        checked["rights_deadline"] = rights_deadline(info, letter_date)
    values: dict[str, Any] = {name: None for name in contract.all_placeholders()}
    values.update(info.contacts)
    values.update(_localised(checked, zone))
    values.update(letter_date=letter_date, language=language, pack=pack, kind=kind.value)
    body_t = render.load(kind.value, language, drafts=drafts)
    rights_t = render.load(f"rights/{pack}", language, drafts=drafts)
    body = render.render(body_t, values, contract.placeholders(kind))
    rights = render.render(rights_t, values, contract.all_placeholders())
    heading, english = tagline_heading(info.contacts)
    return Composed(
        kind=kind,
        pack=pack,
        language=language,
        body_template=body_t,
        rights_template=rights_t,
        body=body,
        rights=rights,
        taglines=taglines(pack, written_language, info.contacts),
        tagline_heading=heading,
        tagline_english=english,
        letterhead=info.letterhead,
        letter_date=letter_date,
        reference=str(checked["reference"]),
    )
