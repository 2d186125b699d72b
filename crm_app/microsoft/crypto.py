"""Encryption of secrets at rest: Fernet keys under MultiFernet, so keys can rotate.

The first key encrypts; every key decrypts. To rotate, put a new key first in
``TOKEN_ENCRYPTION_KEYS`` (keeping the old ones after it), run
``python -m crm_app.manage rotate-keys`` to re-encrypt every stored secret under the
new key, then drop the old keys.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from crm_app.microsoft.errors import ConfigurationError, TokenDecryptionFailed
from crm_app.settings import get_settings


class SecretCipher:
    """Encrypts and decrypts short secrets (tokens, API keys) as URL-safe text."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigurationError(
                "No token encryption key is configured. Generate one with "
                "`python -m crm_app.manage generate-key` and set TOKEN_ENCRYPTION_KEYS."
            )
        try:
            fernets = [Fernet(key.encode() if isinstance(key, str) else key) for key in keys]
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "TOKEN_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded "
                "bytes). Generate keys with `python -m crm_app.manage generate-key`."
            ) from exc
        self._primary = fernets[0]
        self._multi = MultiFernet(fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._multi.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionFailed() from exc

    def rotate(self, ciphertext: str) -> str:
        """The same secret encrypted under the first key."""
        try:
            return self._multi.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionFailed() from exc

    def is_current(self, ciphertext: str) -> bool:
        """Whether ``ciphertext`` is already encrypted under the first key."""
        try:
            self._primary.decrypt(ciphertext.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True


@functools.lru_cache(maxsize=4)
def _cipher_for(keys: tuple[str, ...]) -> SecretCipher:
    return SecretCipher(keys)


def get_cipher() -> SecretCipher:
    """The cipher for the configured keys (``TOKEN_ENCRYPTION_KEYS``, or the demo key file)."""
    return _cipher_for(tuple(get_settings().encryption_keys()))
