"""Every template render runs here: in a small pool of long-lived worker processes, each job with
a wall-time limit (the worker is killed and replaced when over) and each worker with a memory
limit (a render that grows past it fails alone), so that an uploaded template that loops or
swells cannot stop the bot for every province.

The workers are forked from a forkserver that has already imported the rendering code, so a worker
starts (and is replaced) in milliseconds and a report still renders in tens of milliseconds. The
pool is started with the application (``bot.context``) and by ``python -m bot render``; when
something renders before that (a test, a script), it starts on first use.

    content = await render_docx(template, context)           # from the event loop
    content = render_docx_sync(template, context)            # from a worker thread or the CLI
    await check_template(data, contexts)                     # TemplateError with the reason
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import resource
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from bot.chat.catalogue import say
from bot.documents import render
from bot.documents.render import TemplateError

log = logging.getLogger(__name__)
T = TypeVar("T")
_PRELOAD = ["bot.documents.render", "bot.documents.pool", "bot.documents.warmup"]


@dataclass(frozen=True)
class RenderLimits:
    """How long one render may take, how much memory a worker may use, how many render at once."""

    seconds: float = 10.0
    memory_mb: int = 512
    workers: int = 2


# --- what runs in a worker ------------------------------------------------------------------------


def _limit_memory(memory_mb: int) -> None:
    """The worker's address space: what it holds once warm plus ``memory_mb``, so that the same
    setting means "what a render may add" whatever the libraries map at start."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except OSError:  # not Linux: the time limit still applies
        return
    ceiling = pages * resource.getpagesize() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _job_render(template: str | bytes, context: Mapping[str, Any]) -> bytes:
    try:
        return render.render_report(Path(template) if isinstance(template, str) else template, context)
    except MemoryError:
        raise TemplateError(say("render.too_big")) from None


def _job_check(data: bytes, contexts: Sequence[Mapping[str, Any]]) -> None:
    try:
        render.validate_template(data, contexts)
    except MemoryError:
        raise TemplateError(say("render.too_big")) from None


# --- the pool -------------------------------------------------------------------------------------


class RenderPool:
    """A pebble process pool with the limits applied; thread-safe, started on first use."""

    def __init__(self, limits: RenderLimits | None = None) -> None:
        self.limits = limits or RenderLimits()
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()

    def configure(self, limits: RenderLimits) -> None:
        """New limits; a running pool is stopped and restarts with them on next use."""
        with self._lock:
            if limits == self.limits:
                return
            self.limits = limits
        self.stop()

    def start(self) -> None:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(_PRELOAD)
                self._pool = ProcessPool(
                    max_workers=self.limits.workers, initializer=_limit_memory,
                    initargs=(self.limits.memory_mb,), context=context,
                )

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call]  # a render still running is killed: nobody waits for it any more
            pool.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._pool is not None

    def _schedule(self, function: Callable[..., T], *args: Any, scale: float = 1.0) -> Any:
        self.start()
        assert self._pool is not None
        return self._pool.schedule(function, args=args, timeout=self.limits.seconds * scale)

    def _outcome(self, error: BaseException, scale: float = 1.0) -> TemplateError:
        if isinstance(error, TemplateError):
            return error
        if isinstance(error, FutureTimeout | TimeoutError):
            return TemplateError(say("render.too_slow", seconds=f"{self.limits.seconds * scale:g}"))
        if isinstance(error, MemoryError):
            return TemplateError(say("render.too_big"))
        if isinstance(error, ProcessExpired):  # killed from outside (the kernel's OOM killer …)
            return TemplateError(say("render.worker_died"))
        log.warning("a render failed unexpectedly", exc_info=error)
        return TemplateError(say("render.failed", error=str(error).strip().rstrip(".")[:200]))

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` in a worker without blocking the event loop; any failure comes
        back as :class:`TemplateError` with the reason in Vietnamese."""
        future = self._schedule(function, *args)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()  # pebble kills the worker if the job had started
            raise
        except BaseException as error:  # noqa: BLE001 - every failure has one shape for the caller
            raise self._outcome(error) from None

    def run_sync(self, function: Callable[..., T], *args: Any, scale: float = 1.0) -> T:
        """The same from a thread or the command line (blocks the calling thread only);
        ``scale`` multiplies the time limit (a rollup of every commune is a big document)."""
        future = self._schedule(function, *args, scale=scale)
        try:
            return future.result()  # type: ignore[no-any-return]  # pebble's futures are untyped
        except BaseException as error:  # noqa: BLE001 - as in run
            raise self._outcome(error, scale) from None


POOL = RenderPool()
atexit.register(POOL.stop)  # a script that rendered without stopping the pool still exits at once


def _portable(template: str | Path | bytes) -> str | bytes:
    """A path travels as its text (the worker reads and caches the file), bytes as they are."""
    return str(Path(template).resolve()) if isinstance(template, str | Path) else bytes(template)


async def render_docx(template: str | Path | bytes, context: Mapping[str, Any]) -> bytes:
    """A report (.docx bytes) rendered in a worker; :class:`TemplateError` when the template fails,
    runs past the time limit or grows past the memory limit."""
    return await POOL.run(_job_render, _portable(template), dict(context))


def render_docx_sync(template: str | Path | bytes, context: Mapping[str, Any], *, scale: float = 1.0) -> bytes:
    return POOL.run_sync(_job_render, _portable(template), dict(context), scale=scale)


async def check_template(data: bytes, contexts: Sequence[Mapping[str, Any]]) -> None:
    """:func:`bot.documents.render.validate_template` in a worker, under the same limits; the time
    limit covers the whole check (every sample case)."""
    await POOL.run(_job_check, bytes(data), [dict(context) for context in contexts])


def limits_from(settings: Any) -> RenderLimits:
    """The limits of :class:`bot.settings.Settings`."""
    return RenderLimits(seconds=settings.render_timeout_seconds, memory_mb=settings.render_memory_mb,
                        workers=settings.render_workers)
