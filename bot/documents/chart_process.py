"""The rollup's charts (the picture for the chat, :mod:`bot.documents.rollup_phone_chart`, and the
chart of every commune, :mod:`bot.documents.rollup_chart`) drawn in a short-lived process of its own, so that the long-running bot never
carries matplotlib (about 40 MB) after a rollup; it costs the start of a Python process (about
0.5 s). The process can be stopped half-way (the bot shutting down): ``stop`` is asked every
``poll`` seconds, and the process is killed when it says so, or when the drawing is done."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection

from bot.documents.rollup_chart import render_rollup_chart
from bot.documents.rollup_phone_chart import render_phone_chart
from bot.domain.rollup import Rollup

Charts = tuple[bytes, bytes]  # the picture for the chat, the chart of every commune (PNG)


def render_rollup_charts(rollup: Rollup) -> Charts:
    """Both charts, drawn here."""
    return render_phone_chart(rollup), render_rollup_chart(rollup)


class ChartStopped(Exception):
    """The drawing was stopped before it was done (``stop`` said so)."""


class ChartFailed(Exception):
    """The chart's process failed, or ended without a picture."""


def render_rollup_chart_apart(rollup: Rollup, stop: Callable[[], bool] | None = None, poll: float = 0.1) -> Charts:
    """``render_rollup_charts(rollup)`` in a process of its own (see the module's docstring)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_draw, args=(rollup, sender), name="baocao-chart", daemon=True)
    process.start()
    sender.close()  # the child's copy is the only one left: its end closing means it is gone
    try:
        while not receiver.poll(poll):
            if stop is not None and stop():
                raise ChartStopped
        try:
            done, value = receiver.recv()
        except EOFError:
            raise ChartFailed(f"the chart's process ended without a picture (exit code {process.exitcode})") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if not done:
        raise ChartFailed(value)
    phone, full = value
    assert isinstance(phone, bytes) and isinstance(full, bytes)
    return phone, full


def _draw(rollup: Rollup, sender: Connection) -> None:
    """In the child: draw, and send back (True, PNG) or (False, why)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    try:
        sender.send((True, render_rollup_charts(rollup)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, raised there
        sender.send((False, f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
