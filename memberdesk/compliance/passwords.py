"""Argon2id password hashing (argon2-cffi), parameters from settings."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12


@lru_cache
def hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """An Argon2id hasher (RFC 9106 parameters by default)."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def check_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password must be at least {MIN_LENGTH} characters")


def hash_password(ph: PasswordHasher, password: str) -> str:
    """Hash a new password."""
    check_strength(password)
    return ph.hash(password)


def verify_password(ph: PasswordHasher, stored: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a mismatch or a corrupt hash."""
    try:
        return ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
