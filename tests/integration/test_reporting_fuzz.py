"""Hypothesis-generated answers for the count questions: never an unhandled error, always an answer
in Vietnamese, and only whole numbers 0…1,000,000 ever stored."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app import build_application
from bot.clock import VN_TZ, FakeClock
from bot.settings import Settings
from storage.models import Role
from tests.fakes import RecordingRequest, as_update, callback_update, media_update, text_update
from tests.integration.seed import bind, load_units

LAN = 8101

number_like = st.one_of(
    st.integers(min_value=-10, max_value=2_000_000).map(str),
    st.integers(min_value=0, max_value=999_999).map(lambda n: f"{n:,}".replace(",", ".")),
    st.from_regex(r"[0-9 .,\-+]{1,12}", fullmatch=True),
    st.text(min_size=0, max_size=30),
    st.sampled_from(["1,5", "-3", "abc", "1794 hồ sơ", "không", "/huy", "/baocao", "0", "  ", "１２"]),
)
inputs = st.lists(
    st.one_of(number_like.map(lambda t: ("text", t)), st.sampled_from([("photo", ""), ("sticker", ""),
                                                                        ("tap", "r:1:b"), ("tap", "r:1:z:x")])),
    min_size=1, max_size=12,
)


async def _run(sequence: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = Settings(_env_file=None, database_path=Path(folder) / "f.db")  # type: ignore[call-arg]
        clock = FakeClock(datetime(2025, 12, 15, 9, 0, tzinfo=VN_TZ))
        request = RecordingRequest()
        app = build_application(config, request=request, token="123456:TEST", clock=clock, rate_limiter=False)
        errors: list[BaseException] = []

        async def fail(update: object, context: Any) -> None:
            errors.append(context.error)

        app.add_error_handler(fail)
        async with app:
            storage = app.services.storage
            unit = (await load_units(storage))[0]
            await bind(storage, LAN, "Lan", Role.REPORTER, unit, clock.now())
            await app.process_update(as_update(text_update(LAN, "/baocao"), app.bot))
            for kind, value in sequence:
                request.clear()
                if kind == "text":
                    payload = text_update(LAN, value) if value.strip() else text_update(LAN, "?")
                elif kind == "tap":
                    payload = callback_update(LAN, value)
                else:
                    payload = media_update(LAN, kind)
                await app.process_update(as_update(payload, app.bot))
                replies = [c for c in request.calls if c.method in ("sendMessage", "answerCallbackQuery")]
                assert replies, f"no answer to {kind} {value!r}"
            drafts = await storage.drafts.list_for_period(1)
            for draft in drafts:
                for field_id, stored in (await storage.drafts.values(draft.id)).items():
                    field = app.services.forms["tthc-weekly"].field(field_id)
                    if field.kind == "count" and not (stored is None and field.optional):  # or an honest blank
                        assert isinstance(stored, int) and 0 <= stored <= 1_000_000, (field_id, stored)
        assert not errors, errors


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
@example([("text", "0"), ("text", "-")])  # an optional count answered "-": an honest blank (issue 15)
def test_any_sequence_of_inputs_is_answered(sequence: list[tuple[str, str]]) -> None:
    asyncio.run(_run(sequence))
