"""`python -m sandbox [--host 127.0.0.1] [--port 8081]`: serve the sandbox until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from sandbox.limits import Limits
from sandbox.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Local stand-in for Telegram's Bot API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--no-limits", action="store_true", help="do not enforce Telegram's flood limits")
    parser.add_argument(
        "--no-spec-check", action="store_true", help="accept parameters the Bot API spec does not know"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = SandboxServer(Limits(enforce=not args.no_limits), spec_check=not args.no_spec_check)
    base = await server.start(args.host, args.port)
    print(
        f"Sandbox Bot API at {base}  (bot: base_url={base}/bot  base_file_url={base}/file/bot, any token like 123456:TEST)"
    )
    print(f"Control API: {base}/control  e.g. curl -s {base}/control/stats   (docs: sandbox/README.md)")
    print(
        f"Zalo Bot API at {base}/zalo  (ZALO_API_BASE_URL={base}/zalo, any token like 123456789:abcXYZ)",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
