"""Pseudonymisation at the door: identifiers become keyed hashes (HMAC-SHA256).

A keyed hash, unlike a plain hash, cannot be reversed by hashing all one billion
possible BSNs without the key. The domain (``bsn``, ``stapp``, ``cjg``, ``suite4``)
is part of the message so the same number in two systems gives unrelated keys
unless it really is the same kind of identifier.
"""

from __future__ import annotations

import hashlib
import hmac

KEY_LENGTH = 16  # hex characters kept; 64 bits is ample for uniqueness within a municipality


def pseudonymise(value: str | None, key: str, domain: str = "bsn") -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    digest = hmac.new(key.encode(), f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:KEY_LENGTH]
