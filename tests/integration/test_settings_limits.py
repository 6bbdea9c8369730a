"""Every /caidat value has a length limit, refused at entry in Vietnamese with the limit named and
nothing stored; a value already stored too long (before the limits, or by another way in) is shown
cut and never makes /caidat's reply too long for Telegram (the stand-in refuses over 4,096 UTF-16
units, as Telegram does, and the harness fails the test on the handler's error)."""

from __future__ import annotations

import pytest

from bot.domain.message_length import MAX_TEXT, utf16_len
from storage.models import Role, Unit
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import text_update
from tests.integration.seed import bind, load_units

REP, SUP = 7501, 7502
LONG = "Thực hiện Công văn số 97/SKHCN 𝔸👍🏽 " * 120  # about 4,000 characters


@pytest.fixture
async def commune(harness: BotHarness, clock) -> Unit:
    storage = harness.storage
    units = await load_units(storage)
    await bind(storage, REP, "Nguyễn Thị Lan", Role.REPORTER, units[0], clock.now())
    await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), clock.now())
    harness.request.clear()
    return units[0]


async def replies(harness: BotHarness, who: int, text: str) -> list[str]:
    before = len(harness.request.calls)
    await harness.send(text_update(who, text))
    return [str(c.params["text"]) for c in harness.request.calls[before:] if c.method == "sendMessage"]


@pytest.mark.parametrize(("key", "limit"), [("congvan", "1.000"), ("nguoiky", "100"), ("chucdanh", "200"),
                                            ("kinhgui", "300"), ("noinhan", "1.000"), ("diadanh", "100")])
async def test_a_value_over_its_limit_is_refused_and_nothing_stored(harness: BotHarness, commune: Unit, key: str,
                                                                    limit: str) -> None:
    said = "\n".join(await replies(harness, REP, f"/caidat {key} {LONG[:4000]}"))
    assert f"tối đa {limit} ký tự" in said and f"VD: /caidat {key} " in said, said
    assert await harness.storage.unit_settings.get(commune.code) is None


async def test_a_value_within_its_limit_is_kept(harness: BotHarness, commune: Unit) -> None:
    said = "\n".join(await replies(harness, REP, f"/caidat congvan {LONG[:900]}"))
    assert "Đã lưu «Căn cứ" in said
    stored = await harness.storage.unit_settings.get(commune.code)
    assert stored is not None and stored.settings.directive and len(stored.settings.directive) > 850


async def test_a_too_long_stored_value_is_shown_cut_and_caidat_still_replies(harness: BotHarness, commune: Unit,
                                                                              clock) -> None:
    await harness.storage.unit_settings.update(commune.code, {"directive": LONG, "recipient": LONG}, None, clock.now())
    for command in ("/caidat", "/caidat nguoiky Lê Văn An"):
        said = await replies(harness, REP, command)
        assert said and all(utf16_len(text) <= MAX_TEXT for text in said)
        whole = "\n".join(said)
        assert "• Căn cứ: Thực hiện Công văn số 97/SKHCN" in whole and "…" in whole
        assert utf16_len(whole) < 4000  # cut, not merely split
    assert "Lê Văn An" in whole


async def test_the_province_defaults_and_the_rollup_settings_shown_cut(harness: BotHarness, commune: Unit,
                                                                       clock) -> None:
    await harness.storage.unit_settings.update("19", {"directive": LONG, "recipient": LONG}, None, clock.now())
    said = await replies(harness, ADMIN_ID, "/caidat tinh 19")
    assert said and "…" in "\n".join(said)
    await harness.storage.unit_settings.update_extra("19", "rollup", {"directive": LONG, "recipient": LONG}, None,
                                                     clock.now())
    said = await replies(harness, SUP, "/caidat tonghop")
    assert said and "Căn cứ (congvan): Thực hiện Công văn" in "\n".join(said) and "…" in "\n".join(said)
