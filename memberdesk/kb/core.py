"""The knowledge base's pure core: contact points found in an article's text, the diff between
two versions, safe Markdown, and the text folding and stemming both search engines index.

Nothing here touches a database or the web, so each rule is tested on its own.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from memberdesk.kb.enums import KbLanguage, PointKind

DATA = Path(__file__).parent / "data"

# North American numbers as members see them written: 1-800-541-5555, (800) 430-4263,
# 800.430.4263, +1 800 430 4263. Not part of a longer run of digits (a member ID, a date).
_PHONE = re.compile(
    r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(
    r"(?:https?://[^\s<>()\"']+"
    r"|(?<![@\w.-])(?:www\.)?(?:[A-Za-z0-9-]+\.)+(?:gov|com|org|net|edu|us|info|health)"
    r"(?:/[^\s<>()\"']*)?)(?![\w@-])",
    re.IGNORECASE,
)
_STREET = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|"
    r"Parkway|Pkwy|Highway|Hwy|Suite|Plaza|Calle|Avenida"
)
_ADDRESS = re.compile(
    r"\b(?:\d{1,6}\s+(?:[A-Z0-9][\w'.-]*\s+){1,5}(?:" + _STREET + r")\.?"
    r"|P\.?\s?O\.?\s+Box\s+\d+)"
    r"(?:,?\s+(?:Suite|Ste\.?|#)\s*\w+)?"
    r"(?:,\s*[A-Z][A-Za-z .]+,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?",
)
_TRAILING = ".,;:!?)]"


@dataclass(frozen=True)
class ContactPoint:
    """A phone number, e-mail or web address or street address as written, and its normal form
    (what verification is recorded against, so re-wording it keeps the same point)."""

    kind: PointKind
    text: str
    normalized: str


def _normal(kind: PointKind, text: str) -> str:
    if kind is PointKind.PHONE:
        digits = re.sub(r"\D", "", text)
        return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    if kind is PointKind.EMAIL:
        return text.lower()
    if kind is PointKind.WEB:
        bare = re.sub(r"^https?://", "", text.lower())
        return re.sub(r"^www\.", "", bare).rstrip("/")
    return re.sub(r"\s+", " ", text.lower()).strip()


def find_contact_points(text: str) -> list[ContactPoint]:
    """Every contact point in ``text``, once each (by kind and normal form), in reading order."""
    found: list[tuple[int, ContactPoint]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PointKind, match: re.Match[str]) -> None:
        raw = match.group(0).rstrip(_TRAILING) if kind is not PointKind.ADDRESS else match.group(0)
        start, end = match.start(), match.start() + len(raw)
        # An e-mail's domain is not also a web address; a ZIP inside an address is not a phone.
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, ContactPoint(kind, raw, _normal(kind, raw))))

    for kind, pattern in (
        (PointKind.EMAIL, _EMAIL),
        (PointKind.WEB, _URL),
        (PointKind.ADDRESS, _ADDRESS),
        (PointKind.PHONE, _PHONE),
    ):
        for match in pattern.finditer(text):
            add(kind, match)
    seen: set[tuple[PointKind, str]] = set()
    out: list[ContactPoint] = []
    for _, point in sorted(found, key=lambda pair: pair[0]):
        key = (point.kind, point.normalized)
        if key not in seen:
            seen.add(key)
            out.append(point)
    return out


@dataclass(frozen=True)
class DiffLine:
    """One line of a version diff: ``op`` is ``same``, ``added`` or ``removed``."""

    op: str
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """The line-by-line difference from ``old`` to ``new`` (unchanged lines kept for context)."""
    out: list[DiffLine] = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "  ":
            out.append(DiffLine("same", text))
        elif tag == "- ":
            out.append(DiffLine("removed", text))
        elif tag == "+ ":
            out.append(DiffLine("added", text))
    return out


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff (for the API and the command line)."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
        )
    )


@cache
def _markdown() -> object:
    from markdown_it import MarkdownIt

    # "js-default": raw HTML is off and javascript:/vbscript:/data: links are refused, so no
    # script written into an article ever reaches a page.
    return MarkdownIt("js-default").enable("table")


def render_markdown(body: str) -> str:
    """The body as HTML, with any HTML written in it shown as text, never run."""
    md = _markdown()
    return md.render(body)  # type: ignore[attr-defined,no-any-return]


# --- search text -------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
CONFIGS = {KbLanguage.EN: "english", KbLanguage.ES: "spanish"}


def fold(text: str) -> str:
    """Lower case without accents (``Identificación`` → ``identificacion``): both engines index
    and query this, so a word typed without its accent finds it, identically on both."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits; everything else separates)."""
    return _WORD.findall(fold(text))


@cache
def stopwords(language: KbLanguage) -> frozenset[str]:
    """PostgreSQL's own Snowball stop words for the language, so SQLite drops the same words."""
    path = DATA / f"{CONFIGS[language]}.stop"
    return frozenset(line.strip() for line in path.read_text("utf-8").splitlines() if line.strip())


@cache
def _stemmer(language: KbLanguage) -> object:
    import snowballstemmer

    return snowballstemmer.stemmer(CONFIGS[language])


def stem(word: str, language: KbLanguage) -> str:
    """The Snowball stem PostgreSQL's ``english``/``spanish`` configuration gives ``word``."""
    return _stemmer(language).stemWord(word)  # type: ignore[attr-defined,no-any-return]


def index_terms(text: str, language: KbLanguage) -> list[str]:
    """The terms SQLite indexes: folded words, stop words dropped, stemmed (what PostgreSQL's
    configuration does with the folded text)."""
    stop = stopwords(language)
    return [stem(w, language) for w in words(text) if w not in stop]


@dataclass(frozen=True)
class QueryTerms:
    """A typed query as terms of one language: the last is a prefix unless the typing ended."""

    terms: tuple[str, ...]
    last_is_prefix: bool


def query_terms(query: str, language: KbLanguage) -> QueryTerms:
    """What the query means in ``language``: stop words dropped, each word stemmed."""
    typed = words(query)
    prefix = bool(typed) and query == query.rstrip()
    stop = stopwords(language)
    kept = [w for w in typed if w not in stop]
    terms = tuple(stem(w, language) for w in kept)
    return QueryTerms(terms, prefix and bool(kept) and kept[-1] == typed[-1])
