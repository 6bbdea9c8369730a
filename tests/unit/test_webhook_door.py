"""The webhook door's secret comparison (handlers/webhook_door.py)."""

from __future__ import annotations

from handlers.webhook_door import secret_matches


def test_the_secret_header_matches_only_the_secret_and_never_raises() -> None:
    assert secret_matches("s3cret-zalo-hook", "s3cret-zalo-hook")
    assert not secret_matches(None, "s3cret-zalo-hook")
    assert not secret_matches("", "s3cret-zalo-hook")
    assert not secret_matches("s3cret-zalo-hooK", "s3cret-zalo-hook")
    # a header that was not UTF-8 reaches the handler with surrogates (aiohttp decodes it so): refused
    assert not secret_matches(b"s3cret\xff".decode("utf-8", "surrogateescape"), "s3cret-zalo-hook")
