"""Passwords and usernames: Argon2id hashing (argon2-cffi) and the rules new values must meet.

Password rules follow NIST SP 800-63B-4, section 3.1.1.2 (passwords as a single factor):
at least 15 characters, at most 1,024 accepted (the standard asks for at least 64), each Unicode
code point one character, no composition rules (no "a digit and a symbol"), and a blocklist of
common and breached passwords checked case-insensitively, plus context words (the username and
the service's name). Messages name the rule and never repeat the password.

Passwords are put in Unicode normal form NFKC before they are checked, hashed or verified (the
standard's 3.1.1.2): "é" typed as one code point or as "e" plus an accent, or "ﬁ" as a ligature,
is the same password whichever keyboard or phone entered it.
"""

from __future__ import annotations

import gzip
import re
import secrets
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 15
MAX_LENGTH = 1024
SERVICE_NAME = "memberdesk"
BLOCKLIST_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"

# One rule for account names, used by the API, the command line, sign-in and enrolment: it fits
# the 64-character column on every engine and can be typed, logged and put in a URL as it is.
USERNAME_MIN, USERNAME_MAX = 2, 64  # "qa" is a real (demo) login
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"
USERNAME_RULE = (
    f"must be {USERNAME_MIN}-{USERNAME_MAX} characters: lower-case letters, digits, '.', '_' "
    "or '-', starting with a letter or digit"
)
_USERNAME_RE = re.compile(USERNAME_PATTERN)


# The rules' refusals, as the API says them (pages put them in the member's words and language).
TOO_SHORT = f"password must be at least {MIN_LENGTH} characters"
TOO_LONG = f"password must be at most {MAX_LENGTH} characters"
TOO_COMMON = "password is on the list of common or breached passwords; choose another"
HAS_USERNAME = "password must not contain the username"
HAS_SERVICE_NAME = f"password must not contain the service name ({SERVICE_NAME})"


class PasswordRejected(ValueError):
    """A new password breaks a rule; the message names the rule only."""


def valid_username(value: str) -> bool:
    """Whether ``value`` follows the username rule."""
    return bool(_USERNAME_RE.fullmatch(value))


@lru_cache
def hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """An Argon2id hasher (RFC 9106 parameters by default)."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


@lru_cache
def dummy_hash(ph: PasswordHasher) -> str:
    """A hash of a random secret with ``ph``'s parameters, computed once per parameters: a
    sign-in for a username that does not exist verifies against it, so it costs exactly one
    Argon2 verification, like a wrong password for a real account (no timing oracle)."""
    return ph.hash(secrets.token_urlsafe(24))


@cache
def blocklist() -> frozenset[str]:
    """The vendored list of common and breached passwords (lower case; see data/README.md)."""
    with gzip.open(BLOCKLIST_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n") for line in fh if line.strip())


def normalised(password: str) -> str:
    """The password as it is checked and hashed: Unicode NFKC."""
    return unicodedata.normalize("NFKC", password)


def check_strength(password: str, username: str | None = None) -> None:
    """Refuse a new password that breaks a rule (NIST SP 800-63B-4, 3.1.1.2)."""
    password = normalised(password)
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(TOO_LONG)
    folded = password.casefold()
    if folded in blocklist():
        raise PasswordRejected(TOO_COMMON)
    # Context words (800-63B-4 names the username and the service): a username of three
    # characters is too short to refuse as a substring of an otherwise good passphrase.
    if username and len(username) >= 4 and username.casefold() in folded:
        raise PasswordRejected(HAS_USERNAME)
    if SERVICE_NAME in folded:
        raise PasswordRejected(HAS_SERVICE_NAME)


def hash_password(ph: PasswordHasher, password: str, username: str | None = None) -> str:
    """Hash a new password after checking the rules."""
    check_strength(password, username)
    return ph.hash(normalised(password))


def verify_password(ph: PasswordHasher, stored: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a mismatch or a corrupt hash.

    A hash made before passwords were normalised holds the characters as they were typed, so
    the password as typed is tried too when its normal form differs (the next change of
    password stores the normal form)."""
    candidates = dict.fromkeys((normalised(password), password))
    for candidate in candidates:
        try:
            if ph.verify(stored, candidate):
                return True
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    return False


def generate_password(username: str | None = None) -> str:
    """A random temporary or demo password that meets the rules (20 URL-safe characters,
    120 bits)."""
    while True:
        candidate = secrets.token_urlsafe(15)
        try:
            check_strength(candidate, username)
        except PasswordRejected:  # pragma: no cover - vanishingly unlikely
            continue
        return candidate
