"""Identifiers shaped like Graph's, drawn from a seeded random generator."""

from __future__ import annotations

import base64
import random
import string
import uuid

_DRIVE_ALPHABET = string.ascii_uppercase + string.digits


class IdFactory:
    """Makes Graph-like ids; the same seed gives the same ids in the same order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _b64(self, size: int) -> str:
        return base64.urlsafe_b64encode(self.rng.getrandbits(size * 8).to_bytes(size, "big")).decode()

    def outlook(self) -> str:
        """Message, folder and event ids (``AAMkAD...=``)."""
        return "AAMkAD" + self._b64(45)[:-1] + "="

    def conversation(self) -> str:
        return "AAQkAD" + self._b64(33)

    def conversation_index(self) -> str:
        """Standard base64 of 22 bytes (an ``Edm.Binary`` value)."""
        return base64.b64encode(self.rng.getrandbits(176).to_bytes(22, "big")).decode()

    def change_key(self) -> str:
        return "CQAAABYAAA" + self._b64(18)

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def drive_item(self) -> str:
        return "01" + "".join(self.rng.choice(_DRIVE_ALPHABET) for _ in range(32))

    def drive(self) -> str:
        return "b!" + self._b64(48)

    def channel(self) -> str:
        return f"19:{self.rng.getrandbits(128):032x}@thread.tacv2"

    def hex(self, digits: int = 32) -> str:
        return f"{self.rng.getrandbits(digits * 4):0{digits}x}"
