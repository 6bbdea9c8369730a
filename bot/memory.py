"""Keeping the long-running bot's memory small: fewer malloc arenas, and memory given back to the
operating system after a large piece of work (a rollup's files).

CPython frees objects, but glibc's allocator keeps freed pages mapped; ``malloc_trim`` returns
them, so the bot's resident size falls back after a rollup instead of staying at its peak.
glibc also gives each thread that allocates its own arena (up to eight per core): the rollups
built in worker threads each leave one, fragmented, behind; ``limit_arenas`` caps them."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache

M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def limit_arenas(count: int = ARENAS) -> bool:
    """At most ``count`` malloc arenas from now on (call before the worker threads start), as
    MALLOC_ARENA_MAX would; whether the C library took it (not glibc: nothing to do)."""
    mallopt = getattr(_libc(), "mallopt", None)
    return mallopt is not None and mallopt(M_ARENA_MAX, count) == 1


def release_memory() -> None:
    gc.collect()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
