"""The provincial rollup's settings (/caidat tonghop, bot.administering.rollup_settings) with no
messenger: shown as the next rollup prints them, changed and cleared one at a time by a supervisor
or an admin of the province (naming it when they have several), refused to others and for values
that cannot be printed; each change is one transaction with its audit row."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from bot.administering import rollup_settings
from bot.chat.catalogue import say
from bot.clock import FakeClock
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.journeys.conftest import CONFIGURED_ADMIN, Place, only_text, person, who
from tests.journeys.test_one_transaction import fail_audit

SON, HA, LAN, QUAN, HUNG = 9201, 9202, 9203, 9204, 9205  # supervisors of 19 and 01, reporter, admin of 19, stranger


@pytest.fixture
async def people(storage: Storage, clock: FakeClock, place: Place) -> None:
    now = clock.now()
    await person(storage, SON, "Trần Văn Sơn", Role.SUPERVISOR, place.thai_nguyen, now)
    await person(storage, HA, "Hà Thị Nội", Role.SUPERVISOR, place.ha_noi, now)
    await person(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, place.phuc_loc, now)
    await person(storage, QUAN, "Phạm Quản Trị", Role.ADMIN, place.thai_nguyen, now)


async def stored(storage: Storage, code: str = "19") -> dict[str, Any]:
    found = await storage.unit_settings.get(code)
    value = None if found is None else found.extra.get("rollup")
    return dict(value) if isinstance(value, dict) else {}


async def test_the_settings_shown_with_their_defaults_and_how_to_change_them(
        storage: Storage, settings: Settings, clock: FakeClock, place: Place, people: None) -> None:
    son = await who(storage, settings, SON)
    text = only_text(await rollup_settings.configure(storage, son, "", now=clock.now()))
    heading = say("rollup_setup.heading", province="Tỉnh Thái Nguyên")
    assert text.startswith(heading + "\n" + say("rollup_setup.shown_signer", value=say("rollup_setup.signer_unset")))
    assert "• Kính gửi (kinhgui): Ủy ban nhân dân tỉnh Thái Nguyên (mặc định)" in text
    assert "• Số hiệu (sohieu): Số:      /BC-SKHCN (mặc định)" in text
    assert text.endswith("\n\n" + rollup_settings.usage(several=False))
    assert "• noinhan — nơi nhận (cách nhau bởi ; — thiếu dòng «Lưu» thì tự thêm «Lưu: VT»), VD:" in text
    assert say("rollup_setup.usage_several") not in text
    assert await stored(storage) == {}


async def test_a_value_saved_then_cleared_with_its_audit_rows(storage: Storage, settings: Settings, clock: FakeClock,
                                                              place: Place, people: None) -> None:
    son = await who(storage, settings, SON)
    now = clock.now()
    text = only_text(await rollup_settings.configure(storage, son, "chucdanh KT. Giám đốc | Phó Giám đốc", now=now))
    assert text.startswith(say("rollup_setup.saved", label="Chức danh ký", province="Tỉnh Thái Nguyên",
                               value="KT. Giám đốc / Phó Giám đốc") + "\n\n" + say("rollup_setup.next_heading"))
    text = only_text(await rollup_settings.configure(storage, son, "congvan Công văn số 12/UBND ngày 1/10/2025.",
                                                     now=now))
    assert "• Căn cứ (congvan): Thực hiện Công văn số 12/UBND ngày 1/10/2025\n" in text
    assert await stored(storage) == {"signer_titles": ["KT. Giám đốc", "Phó Giám đốc"],
                                     "directive": "Thực hiện Công văn số 12/UBND ngày 1/10/2025"}
    text = only_text(await rollup_settings.configure(storage, son, "chucdanh xoá", now=now))
    assert text.startswith(say("rollup_setup.cleared", label="Chức danh ký", province="Tỉnh Thái Nguyên"))
    assert await stored(storage) == {"directive": "Thực hiện Công văn số 12/UBND ngày 1/10/2025"}
    entries = await storage.audit.recent(action="rollup_settings.update")
    assert [(e.actor, e.subject, e.detail) for e in entries] == [
        (SON, "19", {"key": "chucdanh", "cleared": True}), (SON, "19", {"key": "congvan", "cleared": False}),
        (SON, "19", {"key": "chucdanh", "cleared": False})]


@pytest.mark.parametrize(("text", "key", "reason"), [
    ("sohieu BC SKHCN !!", "sohieu", say("rollup_setup.bad_number_suffix")),
    ("chucdanh A | B | C | D", "chucdanh", say("rollup_setup.too_many_lines", count=4, most=3)),
    ("nguoiky 12345", "nguoiky", say("rollup_setup.needs_letters")),
    ("noinhan ;;", "noinhan", say("rollup_setup.needs_a_line")),
    ("congvan " + "Thực hiện " * 60, "congvan", say("rollup_setup.too_long", length=599, limit=400)),
    ("noinhan Như trên; " + "Ủy ban " * 30, "noinhan",
     say("rollup_setup.line_too_long", start=("Ủy ban " * 7)[:40], length=209, limit=150)),
])
async def test_a_value_that_cannot_be_printed_is_refused_with_the_reason(
        storage: Storage, settings: Settings, clock: FakeClock, place: Place, people: None, text: str, key: str,
        reason: str) -> None:
    son = await who(storage, settings, SON)
    spec = rollup_settings.KEYS[key]
    assert only_text(await rollup_settings.configure(storage, son, text, now=clock.now())) == say(
        "rollup_setup.not_saved", label=say(spec.label), reason=reason, key=key, example=say(spec.example))
    assert await stored(storage) == {}
    assert await storage.audit.recent(action="rollup_settings.update") == []


async def test_an_unknown_item_or_a_missing_value_is_explained(storage: Storage, settings: Settings, clock: FakeClock,
                                                               place: Place, people: None) -> None:
    son = await who(storage, settings, SON)
    now = clock.now()
    assert only_text(await rollup_settings.configure(storage, son, "nguoiki Hà", now=now)) == say(
        "rollup_setup.unknown_key", word="nguoiki", usage=rollup_settings.usage(several=False))
    assert only_text(await rollup_settings.configure(storage, son, "NguoiKy  ", now=now)) == say(
        "rollup_setup.value_needed", key="nguoiky", example="Nguyễn Văn Bình")
    assert await stored(storage) == {}


async def test_an_admin_of_every_province_names_one(storage: Storage, settings: Settings, clock: FakeClock, place: Place,
                                                    people: None) -> None:
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    now = clock.now()
    text = only_text(await rollup_settings.configure(storage, admin, "nguoiky Hoàng Thị Hà", now=now))
    assert text == (say("rollup_setup.name_the_province") + "\n\n" + say(
        "rollup_setup.provinces_in_scope", listing="• 01 — Thành phố Hà Nội\n• 19 — Tỉnh Thái Nguyên"))
    text = only_text(await rollup_settings.configure(storage, admin, "tinh 1 nguoiky Trần Hà Nội", now=now))
    assert "cho báo cáo tổng hợp của Thành phố Hà Nội: Trần Hà Nội" in text
    text = only_text(await rollup_settings.configure(storage, admin, "19", now=now))
    assert text.endswith(say("rollup_setup.usage_several"))
    assert only_text(await rollup_settings.configure(storage, admin, "77 nguoiky X", now=now)) == say(
        "rollup_setup.no_province", code="77")
    assert only_text(await rollup_settings.configure(storage, admin, f"{place.phuc_loc.code} nguoiky X",
                                                     now=now)) == say("rollup_setup.no_province",
                                                                      code=place.phuc_loc.code)
    assert await stored(storage, "01") == {"signer_name": "Trần Hà Nội"} and await stored(storage) == {}


async def test_others_and_other_provinces_are_refused(storage: Storage, settings: Settings, clock: FakeClock, place: Place,
                                                      people: None) -> None:
    now = clock.now()
    for telegram_id in (LAN, HUNG):
        someone = await who(storage, settings, telegram_id)
        for text in ("", "nguoiky X", "19 nguoiky X"):
            assert only_text(await rollup_settings.configure(storage, someone, text, now=now)) == say(
                "common.not_allowed")
    for telegram_id in (HA, QUAN):
        other = await who(storage, settings, telegram_id)
        code = "19" if telegram_id == HA else "01"
        for text in (f"{code} nguoiky X", f"tinh {code} kinhgui X", code):
            assert only_text(await rollup_settings.configure(storage, other, text, now=now)) == say(
                "rollup_setup.out_of_scope", code=code)
    assert await stored(storage) == {} and await stored(storage, "01") == {}
    assert await storage.audit.recent(action="rollup_settings.update") == []


async def test_a_change_without_its_audit_row_is_not_kept(storage: Storage, settings: Settings, clock: FakeClock,
                                                          place: Place, people: None) -> None:
    await fail_audit(storage, "rollup_settings.update")
    son = await who(storage, settings, SON)
    with pytest.raises(sqlite3.IntegrityError):
        await rollup_settings.configure(storage, son, "nguoiky Hoàng Thị Hà", now=clock.now())
    assert await stored(storage) == {}
