"""Pre-authenticated download links (``@microsoft.graph.downloadUrl``) for drive files.

A link carries its drive, item and expiry, signed with a key made at start-up, so it
works without an Authorization header for a short time, as on Graph.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

DOWNLOAD_LINK_SECONDS = 3600
DOWNLOAD_PATH = "/_download/"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_link(base: str, secret: bytes, drive_id: str, item_id: str) -> str:
    payload = _b64(json.dumps({"d": drive_id, "i": item_id, "e": int(time.time()) + DOWNLOAD_LINK_SECONDS}).encode())
    signature = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())
    return f"{base}{DOWNLOAD_PATH}{payload}.{signature}"


def read_link(token: str, secret: bytes) -> tuple[str, str] | None:
    """``(drive id, item id)`` of a valid, unexpired link token, else None."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict) or data.get("e", 0) < time.time():
        return None
    return str(data["d"]), str(data["i"])
