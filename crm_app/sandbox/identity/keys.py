"""The signing key for ID tokens and its JSON Web Key Set."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048
ID_TOKEN_LIFETIME_SECONDS = 3600


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class SigningKey:
    """An RSA key made at start-up; ID tokens are RS256 JWTs verifiable with :meth:`jwks`."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        numbers = self._key.public_key().public_numbers()
        self._public = {"kty": "RSA", "use": "sig", "n": _b64(numbers.n), "e": _b64(numbers.e)}
        der = self._key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:20]).decode().rstrip("=")

    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._public, "kid": self.kid, "alg": "RS256"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def id_token(self, *, issuer: str, client_id: str, tenant_id: str, user_id: str, name: str, username: str,
                 nonce: str | None, auth_time: int, email: bool) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "ver": "2.0",
            "iss": issuer,
            "sub": base64.urlsafe_b64encode(hashlib.sha256(f"{user_id}:{client_id}".encode()).digest()[:32])
            .decode().rstrip("="),
            "aud": client_id,
            "exp": now + ID_TOKEN_LIFETIME_SECONDS,
            "iat": now,
            "nbf": now,
            "auth_time": auth_time,
            "name": name,
            "preferred_username": username,
            "oid": user_id,
            "tid": tenant_id,
        }
        if email:
            claims["email"] = username
        if nonce:
            claims["nonce"] = nonce
        return self.sign(claims)
