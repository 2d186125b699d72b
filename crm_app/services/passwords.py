"""Memory-hard password hashing with scrypt from `cryptography`.

Stored form: ``scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>`` so parameters can be raised later
and old hashes still verify.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

LOG2_N = 15  # n = 32768: about 32 MiB of memory and ~50 ms per hash
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = os.urandom(SALT_BYTES)
    key = Scrypt(salt=salt, length=KEY_BYTES, n=2**LOG2_N, r=R, p=P).derive(password.encode("utf-8"))
    return f"scrypt${LOG2_N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, log2_n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        key = base64.b64decode(key_b64)
        kdf = Scrypt(salt=salt, length=len(key), n=2 ** int(log2_n), r=int(r), p=int(p))
        kdf.verify(password.encode("utf-8"), key)
        return True
    except (InvalidKey, ValueError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the same time as a real check, so unknown emails can't be told apart by timing."""
    verify_password(password, _DUMMY_HASH)


_DUMMY_HASH = hash_password(os.urandom(8).hex())
