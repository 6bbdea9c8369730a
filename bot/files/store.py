"""Where the files behind links are kept: one file per link in a folder beside the database
(``files/`` next to DATABASE_PATH), named by a random id, removed once its link has expired."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import time
from pathlib import Path

FILE_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 random bytes in base64url


class FileStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def beside(cls, database_path: Path) -> FileStore:
        return cls(database_path.parent / "files")

    def path_of(self, file_id: str) -> Path | None:
        """The file's path, or None for an id that cannot be one of ours (no path tricks)."""
        return self.folder / file_id if FILE_ID.match(file_id) else None

    async def put(self, content: bytes) -> str:
        """Keep ``content``; its new id."""
        file_id = secrets.token_urlsafe(16)
        await asyncio.to_thread(self._write, file_id, content)
        return file_id

    def _write(self, file_id: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{file_id}.part"
        partial.write_bytes(content)
        partial.replace(self.folder / file_id)

    async def read(self, file_id: str) -> bytes | None:
        path = self.path_of(file_id)
        if path is None:
            return None
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def sweep(self, older_than_seconds: float) -> int:
        """Remove the files written longer ago than that (their links have expired); how many."""
        return await asyncio.to_thread(self._sweep, time.time() - older_than_seconds)

    def _sweep(self, before: float) -> int:
        if not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < before:
                    path.unlink()
                    removed += 1
        return removed
