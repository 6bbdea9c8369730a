"""Files the sandbox keeps: plausible file ids, image sizes, the objects Telegram describes them with."""

from __future__ import annotations

import base64
import mimetypes
import secrets
import struct
import zlib
from dataclasses import dataclass
from typing import Any

# Telegram's file ids start with a type tag; these prefixes are what real ids look like.
_ID_PREFIX = {
    "document": "BQACAgUAAxkBAA",
    "photo": "AgACAgUAAxkBAA",
    "sticker": "CAACAgUAAxkBAA",
    "voice": "AwACAgUAAxkBAA",
}
_UNIQUE_PREFIX = {"document": "AgAD", "photo": "AQAD", "sticker": "AgAD", "voice": "AgAD"}
_FOLDER = {"document": "documents", "photo": "photos", "sticker": "stickers", "voice": "voice"}


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # document | photo | sticker | voice
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def api_file(self) -> dict[str, Any]:
        """The File object getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


def new_file(
    kind: str, data: bytes, seq: int, *, file_name: str | None = None, mime_type: str | None = None
) -> StoredFile:
    token = base64.urlsafe_b64encode(secrets.token_bytes(36)).decode().rstrip("=")
    unique = base64.urlsafe_b64encode(secrets.token_bytes(9)).decode().rstrip("=")
    if mime_type is None and file_name:
        mime_type = mimetypes.guess_type(file_name)[0]
    ext = _extension(kind, file_name, mime_type)
    stored = StoredFile(
        file_id=f"{_ID_PREFIX[kind]}{token}",
        file_unique_id=f"{_UNIQUE_PREFIX[kind]}{unique}",
        kind=kind,
        data=data,
        file_path=f"{_FOLDER[kind]}/file_{seq}{ext}",
        file_name=file_name,
        mime_type=mime_type,
    )
    if kind in {"photo", "sticker"}:
        size = image_size(data)
        if size:
            stored.width, stored.height = size
    return stored


def _extension(kind: str, file_name: str | None, mime_type: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    if kind == "photo":
        return ".jpg"
    if kind == "voice":
        return ".oga"
    if kind == "sticker":
        return ".webp"
    return (mimetypes.guess_extension(mime_type) if mime_type else None) or ""


def document_object(f: StoredFile) -> dict[str, Any]:
    doc: dict[str, Any] = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": f.size}
    if f.file_name:
        doc["file_name"] = f.file_name
    if f.mime_type:
        doc["mime_type"] = f.mime_type
    return doc


def photo_sizes(f: StoredFile) -> list[dict[str, Any]]:
    """Telegram answers a photo with several sizes, smallest first; the sandbox gives a thumbnail and the original."""
    width, height = f.width or 1, f.height or 1
    full = {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "file_size": f.size,
        "width": width,
        "height": height,
    }
    if max(width, height) <= 90:
        return [full]
    scale = 90 / max(width, height)
    thumb = dict(full, width=max(1, round(width * scale)), height=max(1, round(height * scale)))
    return [thumb, full]


def sticker_object(f: StoredFile, emoji: str, set_name: str | None) -> dict[str, Any]:
    sticker: dict[str, Any] = {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "type": "regular",
        "width": f.width or 512,
        "height": f.height or 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "file_size": f.size,
    }
    if set_name:
        sticker["set_name"] = set_name
    return sticker


def voice_object(f: StoredFile, duration: int) -> dict[str, Any]:
    return {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "duration": duration,
        "mime_type": f.mime_type or "audio/ogg",
        "file_size": f.size,
    }


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF or WebP image; None when it is none of them."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            w = int.from_bytes(data[24:27], "little") + 1
            h = int.from_bytes(data[27:30], "little") + 1
            return w, h
        if chunk == b"VP8 " and len(data) >= 30:
            w, h = struct.unpack("<HH", data[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if chunk == b"VP8L" and len(data) >= 25:
            b = data[21:25]
            w = 1 + (((b[1] & 0x3F) << 8) | b[0])
            h = 1 + (((b[3] & 0xF) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
            return w, h
        return None
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None


def tiny_png(width: int = 320, height: int = 240, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid solid-colour PNG, for a simulated user's photo."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def fake_webp(width: int = 512, height: int = 512) -> bytes:
    """A WebP header (VP8X) with the given size: enough for a sticker's bytes."""
    body = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00\x00\x00\x00"
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def fake_ogg(duration: int) -> bytes:
    """Bytes that start like an Ogg/Opus voice note; nobody plays them."""
    return (
        b"OggS\x00\x02"
        + b"\x00" * 20
        + b"OpusHead"
        + bytes([1, 1])
        + duration.to_bytes(2, "little")
        + b"\x00" * 64
    )
