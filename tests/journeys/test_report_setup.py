"""A commune's report settings (/caidat, bot.administering.report_settings and setup_command) with no
messenger: a reporter reads and changes their commune's, an admin a commune's or a province's
defaults within their provinces; values over their limit, unknown items and everyone else are
refused with nothing stored; each change is one transaction with its audit row."""

from __future__ import annotations

import sqlite3

import pytest

from bot.administering import report_settings
from bot.administering.setup_command import caidat
from bot.chat.catalogue import say
from bot.clock import FakeClock
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.journeys.conftest import CONFIGURED_ADMIN, Place, only_text, person, who
from tests.journeys.test_one_transaction import fail_audit

LAN, HUNG, SON, QUAN = 9101, 9102, 9103, 9104  # reporter, stranger, supervisor, admin of Thái Nguyên


@pytest.fixture
async def people(storage: Storage, clock: FakeClock, place: Place) -> None:
    now = clock.now()
    await person(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, place.phuc_loc, now)
    await person(storage, SON, "Trần Văn Sơn", Role.SUPERVISOR, place.thai_nguyen, now)
    await person(storage, QUAN, "Phạm Quản Trị", Role.ADMIN, place.thai_nguyen, now)


async def settings_of(storage: Storage, code: str) -> dict[str, object]:
    stored = await storage.unit_settings.get(code)
    return {} if stored is None else stored.settings.model_dump(exclude_none=True, exclude_defaults=True)


async def test_a_reporter_sees_their_communes_settings_and_how_to_change_them(
        storage: Storage, settings: Settings, clock: FakeClock, place: Place, people: None) -> None:
    lan = await who(storage, settings, LAN)
    text = only_text(await caidat(storage, lan, "", now=clock.now()))
    assert text.startswith(say("report_setup.commune_head", unit="Xã Phúc Lộc"))
    assert say("report_setup.signer", value=say("report_setup.not_set")) in text
    assert "\n\nĐể thay đổi:\n" in text and text.endswith(report_settings.usage())
    assert "• /caidat nguoiky <họ tên người ký>, VD: /caidat nguoiky Nguyễn Văn An" in text
    # naming their own commune reads the same
    assert only_text(await caidat(storage, lan, place.phuc_loc.code, now=clock.now())) == text


async def test_a_reporter_changes_a_value_kept_with_its_audit_row(storage: Storage, settings: Settings, clock: FakeClock,
                                                                  place: Place, people: None) -> None:
    lan = await who(storage, settings, LAN)
    text = only_text(await caidat(storage, lan, "nguoiky  Nguyễn Văn An ", now=clock.now()))
    assert text.startswith("Đã lưu «Họ tên người ký» cho Xã Phúc Lộc.\n\nThiết lập báo cáo của Xã Phúc Lộc:")
    assert "• Người ký: Nguyễn Văn An" in text
    only_text(await caidat(storage, lan, "chucdanh KT. CHỦ TỊCH | PHÓ CHỦ TỊCH", now=clock.now()))
    text = only_text(await caidat(storage, lan, "noinhan Như trên;\nTT Đảng ủy xã; Lưu: VT", now=clock.now()))
    assert "• Chức danh ký: KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" in text
    assert "• Nơi nhận: Như trên; TT Đảng ủy xã; Lưu: VT" in text
    assert await settings_of(storage, place.phuc_loc.code) == {
        "signer_name": "Nguyễn Văn An", "signer_authority": "KT. CHỦ TỊCH", "signer_title": "PHÓ CHỦ TỊCH",
        "distribution": ["Như trên", "TT Đảng ủy xã", "Lưu: VT"],
    }
    entries = await storage.audit.recent(action="settings.update")
    assert [(e.actor, e.subject, e.detail) for e in entries][0] == (LAN, place.phuc_loc.code, {"key": "noinhan"})
    assert len(entries) == 3


@pytest.mark.parametrize(("key", "limit"), [("nguoiky", 100), ("chucdanh", 200), ("kinhgui", 300),
                                            ("congvan", 1000), ("noinhan", 1000), ("diadanh", 100)])
async def test_a_value_over_its_limit_is_refused_and_nothing_stored(storage: Storage, settings: Settings, clock: FakeClock,
                                                                    place: Place, people: None, key: str,
                                                                    limit: int) -> None:
    lan = await who(storage, settings, LAN)
    value = "𝔸" * (limit // 2) + "a"  # one UTF-16 unit over: an astral letter counts two
    text = only_text(await caidat(storage, lan, f"{key} {value}", now=clock.now()))
    spec = report_settings.KEYS[key]
    assert text == (say("arguments.too_long", what=f"«{say(spec.label)}»", length=f"{limit + 1:,}".replace(",", "."),
                        limit=f"{limit:,}".replace(",", "."))
                    + "\n" + say("report_setup.example_line", key=key, example=say(spec.example)))
    assert await storage.unit_settings.get(place.phuc_loc.code) is None
    assert await storage.audit.recent(action="settings.update") == []


@pytest.mark.parametrize("arguments", ["nguoiky", "nguoiki Nguyễn Văn An", "tinh 19 nguoiky X"])
async def test_an_item_unknown_or_without_a_value_is_explained(storage: Storage, settings: Settings, clock: FakeClock,
                                                               place: Place, people: None, arguments: str) -> None:
    lan = await who(storage, settings, LAN)
    text = only_text(await caidat(storage, lan, arguments, now=clock.now()))
    assert text == say("report_setup.which_key", usage=report_settings.usage())
    assert await storage.unit_settings.get(place.phuc_loc.code) is None
    assert await storage.unit_settings.get("19") is None  # a reporter has no «tinh»


async def test_a_stranger_is_refused(storage: Storage, settings: Settings, clock: FakeClock, place: Place,
                                     people: None) -> None:
    stranger = await who(storage, settings, HUNG)
    for arguments in ("", "nguoiky X", f"{place.phuc_loc.code} nguoiky X", "tinh 19 nguoiky X"):
        assert only_text(await caidat(storage, stranger, arguments, now=clock.now())) == say("common.not_allowed")
    assert await storage.audit.recent(action="settings.update") == []


async def test_an_admin_sets_a_commune_and_the_province_defaults_in_scope(storage: Storage, settings: Settings,
                                                                          clock: FakeClock, place: Place, people: None) -> None:
    quan = await who(storage, settings, QUAN)
    text = only_text(await caidat(storage, quan, f"{place.dong_phuc.code} diadanh Đồng Phúc", now=clock.now()))
    assert text.startswith("Đã lưu «Địa danh ghi ngày tháng» cho Xã Đồng Phúc.")
    text = only_text(await caidat(storage, quan, "tinh 19 kinhgui Sở KH&CN tỉnh Thái Nguyên", now=clock.now()))
    assert text == say("report_setup.saved", label="Kính gửi", unit="Tỉnh Thái Nguyên",
                       current=say("report_setup.province_current", unit="Tỉnh Thái Nguyên", code="19",
                                   settings="• recipient: Sở KH&CN tỉnh Thái Nguyên"))
    assert await settings_of(storage, place.dong_phuc.code) == {"place_name": "Đồng Phúc"}
    assert await settings_of(storage, "19") == {"recipient": "Sở KH&CN tỉnh Thái Nguyên"}
    # the commune's reporter sees the province's default under their own
    lan = await who(storage, settings, LAN)
    assert "• Kính gửi: Sở KH&CN tỉnh Thái Nguyên" in only_text(await caidat(storage, lan, "", now=clock.now()))
    # a province without defaults of its own
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    assert only_text(await caidat(storage, admin, "tinh 1", now=clock.now())) == say(
        "report_setup.current_and_usage", usage=report_settings.usage(),
        current=say("report_setup.province_current", unit="Thành phố Hà Nội", code="01",
                    settings=say("report_setup.province_defaults_unset")))


async def test_an_admin_is_refused_out_of_scope_and_told_of_unknown_codes(storage: Storage, settings: Settings,
                                                                          clock: FakeClock, place: Place,
                                                                          people: None) -> None:
    quan = await who(storage, settings, QUAN)
    now = clock.now()
    for arguments in ("tinh 01 nguoiky X", f"{place.ha_noi_commune.code} nguoiky X", "tinh 01"):
        assert only_text(await caidat(storage, quan, arguments, now=now)) == say("common.not_allowed"), arguments
    assert only_text(await caidat(storage, quan, "tinh 77 nguoiky X", now=now)) == say("report_setup.no_province",
                                                                                       code="77")
    assert only_text(await caidat(storage, quan, f"tinh {place.phuc_loc.code} nguoiky X", now=now)) == say(
        "report_setup.no_province", code=place.phuc_loc.code)
    assert only_text(await caidat(storage, quan, "99999 nguoiky X", now=now)) == say("report_setup.no_unit",
                                                                                     code="99999")
    assert only_text(await caidat(storage, quan, "", now=now)) == say("report_setup.admin_help",
                                                                      usage=report_settings.usage())
    assert await storage.unit_settings.get("01") is None
    assert await storage.unit_settings.get(place.ha_noi_commune.code) is None


async def test_a_stored_value_too_long_is_shown_cut(storage: Storage, settings: Settings, clock: FakeClock, place: Place,
                                                    people: None) -> None:
    await storage.unit_settings.update(place.phuc_loc.code, {"directive": "Thực hiện " * 500}, None, clock.now())
    lan = await who(storage, settings, LAN)
    text = only_text(await caidat(storage, lan, "", now=clock.now()))
    directive = next(line for line in text.splitlines() if line.startswith("• Căn cứ: "))
    assert directive.endswith("…") and len(directive) <= len("• Căn cứ: ") + 1000


async def test_caidat_goes_to_the_rollup_for_tonghop_and_for_a_supervisor(storage: Storage, settings: Settings,
                                                                          clock: FakeClock, place: Place,
                                                                          people: None) -> None:
    son = await who(storage, settings, SON)
    shown = only_text(await caidat(storage, son, "", now=clock.now()))
    assert shown.startswith(say("rollup_setup.heading", province="Tỉnh Thái Nguyên"))
    assert only_text(await caidat(storage, son, "tonghop", now=clock.now())) == shown
    assert only_text(await caidat(storage, son, "Tổng hợp", now=clock.now())) == shown
    text = only_text(await caidat(storage, son, "nguoiky Hoàng Thị Hà", now=clock.now()))
    assert text.startswith("Đã lưu «Người ký» cho báo cáo tổng hợp của Tỉnh Thái Nguyên: Hoàng Thị Hà")
    assert await storage.unit_settings.get(place.phuc_loc.code) is None
    lan = await who(storage, settings, LAN)
    assert only_text(await caidat(storage, lan, "tonghop nguoiky X", now=clock.now())) == say("common.not_allowed")


async def test_a_change_without_its_audit_row_is_not_kept(storage: Storage, settings: Settings, clock: FakeClock,
                                                          place: Place, people: None) -> None:
    await fail_audit(storage, "settings.update")
    lan = await who(storage, settings, LAN)
    with pytest.raises(sqlite3.IntegrityError):
        await caidat(storage, lan, "nguoiky Nguyễn Văn An", now=clock.now())
    assert await storage.unit_settings.get(place.phuc_loc.code) is None
