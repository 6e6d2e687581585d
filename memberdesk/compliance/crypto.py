"""PHI encryption at rest (AES-256-GCM, key-ID tagged) and blind indexes (HMAC-SHA-256).

Ciphertext layout: ``0x01 | len(key_id) | key_id | nonce(12) | ciphertext+tag``. The column's
name is bound as associated data, so a value copied into another column fails to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEYRING_FILE = "keys.json"
KEYRING_ENV = "MEMBERDESK_KEYRING"


class CryptoError(Exception):
    """A value was encrypted with a key this process does not hold, or failed authentication."""


@dataclass
class KeyRing:
    """Data keys by ID (one active), the blind-index key and the audit signing key."""

    data_keys: dict[str, bytes]
    active_key_id: str
    index_key: bytes
    audit_key: bytes
    session_secret: bytes
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    def cipher(self, key_id: str) -> AESGCM:
        """The AES-GCM object for a key ID (cached)."""
        aes = self._ciphers.get(key_id)
        if aes is None:
            try:
                aes = AESGCM(self.data_keys[key_id])
            except KeyError as exc:
                raise CryptoError(f"data key {key_id!r} is not in the key ring") from exc
            self._ciphers[key_id] = aes
        return aes

    def encrypt(self, plaintext: str, context: str) -> bytes:
        """Encrypt with the active key; ``context`` (the column) is authenticated, not stored."""
        kid = self.active_key_id.encode()
        nonce = os.urandom(NONCE_BYTES)
        ct = self.cipher(self.active_key_id).encrypt(nonce, plaintext.encode(), context.encode())
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + ct

    def decrypt(self, blob: bytes, context: str) -> str:
        """Decrypt a value produced by :meth:`encrypt` with whichever key it names."""
        key_id = key_id_of(blob)
        start = 2 + blob[1]
        nonce, ct = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
        try:
            return self.cipher(key_id).decrypt(nonce, ct, context.encode()).decode()
        except Exception as exc:  # InvalidTag: never include the value in the message
            raise CryptoError(f"authentication failed for a value of {context}") from exc

    def blind_index(self, kind: str, normalized: str) -> bytes:
        """HMAC-SHA-256 of a normalised value, domain-separated by ``kind``."""
        msg = kind.encode() + b"\x00" + normalized.encode()
        return hmac.new(self.index_key, msg, hashlib.sha256).digest()

    def to_json(self) -> str:
        """Serialise for ``var/keys.json`` or the ``MEMBERDESK_KEYRING`` variable."""
        enc = lambda b: base64.b64encode(b).decode()  # noqa: E731
        return json.dumps(
            {
                "active_key_id": self.active_key_id,
                "data_keys": {k: enc(v) for k, v in self.data_keys.items()},
                "index_key": enc(self.index_key),
                "audit_key": enc(self.audit_key),
                "session_secret": enc(self.session_secret),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        """Parse the JSON written by :meth:`to_json`."""
        raw = json.loads(text)
        dec = base64.b64decode
        keys = {k: dec(v) for k, v in raw["data_keys"].items()}
        if raw["active_key_id"] not in keys:
            raise ValueError("active_key_id names no data key")
        if any(len(v) != 32 for v in keys.values()):
            raise ValueError("data keys must be 32 bytes (AES-256)")
        return cls(
            data_keys=keys,
            active_key_id=raw["active_key_id"],
            index_key=dec(raw["index_key"]),
            audit_key=dec(raw["audit_key"]),
            session_secret=dec(raw["session_secret"]),
        )

    @classmethod
    def generate(cls) -> KeyRing:
        """A fresh key ring with one data key."""
        return cls(
            data_keys={"k1": AESGCM.generate_key(bit_length=256)},
            active_key_id="k1",
            index_key=secrets.token_bytes(32),
            audit_key=secrets.token_bytes(32),
            session_secret=secrets.token_bytes(32),
        )

    def with_new_active_key(self) -> KeyRing:
        """A copy with a new data key made active; old keys stay for decryption."""
        n = 1 + max(int(k[1:]) for k in self.data_keys if re.fullmatch(r"k\d+", k))
        new_id = f"k{n}"
        keys = {**self.data_keys, new_id: AESGCM.generate_key(bit_length=256)}
        return KeyRing(keys, new_id, self.index_key, self.audit_key, self.session_secret)


def key_id_of(blob: bytes) -> str:
    """The key ID a ciphertext is tagged with."""
    if len(blob) < 2 or blob[0] != FORMAT_VERSION:
        raise CryptoError("not a memberdesk ciphertext")
    return blob[2 : 2 + blob[1]].decode()


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by its owner only (0700): var/ holds the
    keys, the SQLite database and the demo logins (45 CFR 164.312(a)(1), access control). An
    existing directory is left as the operator set it."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask; make it exact
    return path


def secure_sqlite_file(database: str | Path) -> None:
    """Before SQLite opens ``database``: its directory private (0700 when created) and the file
    created, or narrowed, to 0600. SQLite gives its -wal and -shm files the database file's
    mode, so they stay private too. Call from ``make_engine`` for file databases."""
    path = Path(database)
    make_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a database created 0644 by an earlier version


def write_keyring(path: Path, ring: KeyRing) -> None:
    """Write a key file readable by its owner only (created 0600, never widened)."""
    make_private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(ring.to_json())
    tmp.replace(path)


def load_or_create_keyring(var_dir: Path) -> KeyRing:
    """Keys from ``MEMBERDESK_KEYRING`` if set, else ``var/keys.json``, generated on first run."""
    env = os.environ.get(KEYRING_ENV)
    if env:
        return KeyRing.from_json(env)
    path = Path(var_dir) / KEYRING_FILE
    if not path.exists():
        write_keyring(path, KeyRing.generate())
    return KeyRing.from_json(path.read_text())


class _Installed:
    """The process's key ring; reloaded when ``var/keys.json`` changes (key rotation)."""

    ring: KeyRing | None = None
    path: Path | None = None
    mtime: float = 0.0
    checked: float = 0.0


RELOAD_CHECK_SECONDS = 1.0


def install_keyring(ring: KeyRing, path: Path | None = None) -> None:
    """Make ``ring`` the process's key ring; with ``path``, follow that file's rotations."""
    _Installed.ring, _Installed.path = ring, path
    _Installed.mtime = path.stat().st_mtime if path and path.exists() else 0.0
    _Installed.checked = time.monotonic()


def reload_keyring(force: bool = False) -> None:
    """Re-read the key file if it changed (at most once a second unless forced)."""
    path = _Installed.path
    if path is None:
        return
    now_ = time.monotonic()
    if not force and now_ - _Installed.checked < RELOAD_CHECK_SECONDS:
        return
    _Installed.checked = now_
    mtime = path.stat().st_mtime
    if force or mtime != _Installed.mtime:
        _Installed.ring = KeyRing.from_json(path.read_text())
        _Installed.mtime = mtime


def keyring() -> KeyRing:
    """The installed key ring; configuration errors surface here, not as silent plaintext."""
    reload_keyring()
    if _Installed.ring is None:
        raise RuntimeError("no key ring installed; call install_keyring() at start-up")
    return _Installed.ring


def decrypt_any(blob: bytes, context: str) -> str:
    """Decrypt, re-reading the key file once if the value names a key we do not hold yet."""
    ring = keyring()
    if key_id_of(blob) not in ring.data_keys:
        reload_keyring(force=True)
        ring = keyring()
    return ring.decrypt(blob, context)


def load_and_install(var_dir: Path) -> KeyRing:
    """Load (or create) the key ring and install it, following the file when there is one."""
    ring = load_or_create_keyring(var_dir)
    from_file = not os.environ.get(KEYRING_ENV)
    install_keyring(ring, Path(var_dir) / KEYRING_FILE if from_file else None)
    return ring


class EncryptedString(TypeDecorator[str]):
    """A text column stored AES-256-GCM encrypted; ``context`` is usually ``table.column``."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return keyring().encrypt(value, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return decrypt_any(bytes(value), self.context)


class EncryptedDate(TypeDecorator[date]):
    """A date stored encrypted (as its ISO text)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: date | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return keyring().encrypt(value.isoformat(), self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        if value is None:
            return None
        return date.fromisoformat(decrypt_any(bytes(value), self.context))


# --- normalisation for blind indexes: what a caller types must hash like what was stored ---


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def normalize_member_number(value: str) -> str:
    """Member ID: upper case, no spaces."""
    return re.sub(r"\s+", "", value).upper()


def normalize_name_dob(last_name: str, dob: date) -> str:
    """Last name folded (case, accents, spaces, hyphens, apostrophes) plus ISO date of birth."""
    return f"{_fold(last_name)}|{dob.isoformat()}"


def normalize_phone(value: str) -> str:
    """Phone: digits only, a leading US country code dropped."""
    digits = re.sub(r"\D", "", value)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def bidx_member_number(value: str) -> bytes:
    """Blind index of a member ID."""
    return keyring().blind_index("member_number", normalize_member_number(value))


def bidx_name_dob(last_name: str, dob: date) -> bytes:
    """Blind index of last name + date of birth."""
    return keyring().blind_index("name_dob", normalize_name_dob(last_name, dob))


def bidx_phone(value: str) -> bytes:
    """Blind index of a phone number."""
    return keyring().blind_index("phone", normalize_phone(value))
