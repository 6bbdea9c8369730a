"""Giving memory back to the operating system after a large piece of work (a rollup's files).

CPython frees objects, but glibc's allocator keeps freed pages mapped; ``malloc_trim`` returns
them, so the bot's resident size falls back after a rollup instead of staying at its peak."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return None


def release_memory() -> None:
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
