"""The signature of a file link: HMAC-SHA256 over the person, the file, the expiry and the name.

A link reads ``/tep/<person>/<file>/<expires>/<signature>/<name>``. The signature binds all four:
changing any of them (another person's id, another file, a later expiry, another name) makes it
wrong, and a wrong signature is refused before anything else is looked at. Without the key
(FILE_LINK_SECRET) no one can make a link; with it, a link stays good until ``expires`` (Unix
seconds) for as long as the person keeps a role (checked when it is fetched, bot.files.server)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

VERSION = b"baocao-file-link-v1"


@dataclass(frozen=True)
class LinkClaims:
    person_id: int
    file_id: str
    expires: int  # Unix seconds
    filename: str


def _message(claims: LinkClaims) -> bytes:
    parts = (str(claims.person_id), claims.file_id, str(claims.expires), claims.filename)
    return b"\n".join([VERSION, *(part.encode("utf-8") for part in parts)])


def sign(claims: LinkClaims, key: bytes) -> str:
    """The link's signature: 43 characters of base64url (the full 256 bits)."""
    digest = hmac.new(key, _message(claims), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify(claims: LinkClaims, signature: str, key: bytes) -> bool:
    """Whether ``signature`` is the one of ``claims`` (compared in constant time)."""
    return hmac.compare_digest(sign(claims, key).encode("ascii"), signature.encode("utf-8", "replace"))
