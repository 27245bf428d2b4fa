"""Webhook signing secrets: made once, shown once, stored encrypted.

A receiver checks a delivery by computing the same HMAC, so the service must be able to
read the secret back at every delivery: a one-way hash (as for API keys) cannot sign.
Secrets are therefore encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package) under an application key that is *not* in the database:
``MENTORMATCH_WEBHOOK_KEY`` (production: the same value on the API and every worker),
else a key file ``webhook.key`` made 0600 in the instance folder (one machine, the
embedded default). A copy of the database alone (a backup, a read replica, an SQL
injection elsewhere) then cannot forge deliveries. Rotating the key is not automated:
webhooks registered under an old key must be registered again.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE = "webhook.key"
PREFIX = "whsec_"

__all__ = ["InvalidToken", "cipher", "new_secret"]


def new_secret() -> str:
    """A new signing secret (``whsec_`` + 43 URL-safe characters, 256 bits)."""
    return PREFIX + secrets.token_urlsafe(32)


def _key_file(folder: str) -> bytes:
    path = Path(folder) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:  # another process made it first: read theirs
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


def cipher(settings: Mapping) -> Fernet:
    """The Fernet cipher of ``WEBHOOK_KEY``, else of the instance folder's key file.

    Raises
    ------
    ValueError
        If ``WEBHOOK_KEY`` is not a Fernet key (32 bytes, URL-safe base64).
    """
    key = settings.get("WEBHOOK_KEY")
    if not key:
        return Fernet(_key_file(str(settings["INSTANCE_PATH"])))
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except ValueError:
        raise ValueError(
            "MENTORMATCH_WEBHOOK_KEY is not a Fernet key (32 bytes in URL-safe base64; "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from None
