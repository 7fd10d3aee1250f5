"""Secrets at rest: Fernet (AES-128-CBC with an HMAC) over the JSON of the values.

The key is the setting ``secrets.key`` (``WAYPOST_SECRETS__KEY``), else the key file
(``secrets.key_file``, default ``<data dir>/secrets.key``), which is made at first use: created
with ``O_EXCL`` and mode 0600, so two processes starting at once agree on one key. The
``cryptography`` package is imported only when a secret is written or read.
"""

from __future__ import annotations

import base64
import binascii
import errno
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waypost.exceptions import ConfigurationError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

    from waypost.settings import WaypostSettings

__all__ = ["Cipher", "SecretKeyError", "generate_key"]

_WRONG_KEY = "Secrets were encrypted with another key; set WAYPOST_SECRETS__KEY to the original key."


class SecretKeyError(ConfigurationError):
    """The secrets' key is missing, malformed, or not the one the secrets were encrypted with."""


def generate_key() -> str:
    """A new random Fernet key (url-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _check_key(key: str, where: str) -> bytes:
    raw = key.strip().encode("ascii", "replace")
    try:
        decoded = base64.urlsafe_b64decode(raw)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise SecretKeyError(
            f"The secrets key in {where} is not a Fernet key (url-safe base64 of 32 bytes); "
            'make one with `python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`.'
        )
    return raw


def _read_or_create(path: Path) -> str:
    """The key in ``path``; a new one written there (0600, exclusively) when there is none."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SecretKeyError(
            f"The secrets key file {path} cannot be read ({exc.strerror}); fix its permissions or set "
            "WAYPOST_SECRETS__KEY."
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        if exc.errno == errno.EEXIST:  # another process made it first: use theirs
            return _read_written(path)
        raise SecretKeyError(
            f"The secrets key file {path} cannot be created ({exc.strerror}); set secrets.key_file to a "
            "writable place or WAYPOST_SECRETS__KEY."
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key


def _read_written(path: Path) -> str:
    # The other process may still be writing: wait briefly for the whole key.
    import time

    for _ in range(50):
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 44:
            return text
        time.sleep(0.01)
    return path.read_text(encoding="ascii").strip()


class Cipher:
    """Encrypts and decrypts JSON-able values with one Fernet key (read or made on first use)."""

    def __init__(self, *, key: str | None = None, key_file: Path | None = None) -> None:
        if key is None and key_file is None:
            raise ValueError("Cipher needs a key or a key file")
        self._key = key
        self._key_file = key_file
        self._fernet: Fernet | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: WaypostSettings) -> Cipher:
        return cls(key=settings.secrets.key or None, key_file=settings.secrets_key_file)

    def _get(self) -> Fernet:
        with self._lock:
            if self._fernet is None:
                try:
                    from cryptography.fernet import Fernet
                except ImportError:
                    raise SecretKeyError(
                        "Secrets need the 'cryptography' package; install it with `pip install cryptography`."
                    ) from None
                if self._key is not None:
                    raw = _check_key(self._key, "WAYPOST_SECRETS__KEY (secrets.key)")
                else:
                    assert self._key_file is not None
                    raw = _check_key(_read_or_create(self._key_file), str(self._key_file))
                self._fernet = Fernet(raw)
            return self._fernet

    def encrypt(self, values: Any) -> str:
        """The ciphertext (text) of ``values``' JSON."""
        token: bytes = self._get().encrypt(json.dumps(values, sort_keys=True).encode("utf-8"))
        return token.decode("ascii")

    def decrypt(self, ciphertext: str) -> Any:
        """The values ``ciphertext`` holds; :class:`SecretKeyError` when it was made with another key."""
        from cryptography.fernet import InvalidToken

        try:
            plain = self._get().decrypt(ciphertext.encode("ascii"))
        except InvalidToken:
            raise SecretKeyError(_WRONG_KEY) from None
        return json.loads(plain.decode("utf-8"))
