"""Units: the repository and the import of the official list (bot/administering/units.py)."""

from __future__ import annotations

import time

import pytest
from storage_helpers import BAC_KAN, DUC_XUAN, PHUOC_GIANG, QUANG_NGAI, THAI_NGUYEN, UNITS

from bot.administering.units import import_units, normalize_province_code, official_units
from storage import ImportResult, Storage, UnitKind


async def test_upsert_many_is_idempotent_and_counts(storage: Storage) -> None:
    assert await storage.units.upsert_many(UNITS) == ImportResult(added=5)
    assert await storage.units.upsert_many(UNITS) == ImportResult(unchanged=5)
    renamed = BAC_KAN.model_copy(update={"name": "Bắc Cạn", "full_name": "Phường Bắc Cạn"})
    result = await storage.units.upsert_many([renamed, DUC_XUAN])
    assert result == ImportResult(updated=1, unchanged=1)
    stored = await storage.units.get(BAC_KAN.code)
    assert stored is not None and stored.full_name == "Phường Bắc Cạn" and stored.folded_name == "phuong bac can"


async def test_get_list_and_count(storage: Storage) -> None:
    await storage.units.upsert_many(UNITS)
    assert await storage.units.get("21370") == PHUOC_GIANG
    assert await storage.units.get("99999") is None
    assert [u.code for u in await storage.units.list_provinces()] == ["19", "51"]
    assert await storage.units.list_communes("19") == [DUC_XUAN, BAC_KAN]
    assert [u.code for u in await storage.units.list_communes()] == ["01840", "01843", "21370"]
    assert await storage.units.count() == 5
    assert await storage.units.count(UnitKind.COMMUNE) == 3
    assert await storage.units.count(UnitKind.COMMUNE, province_code="19") == 2
    assert set(await storage.units.get_many(["19", "21370", "nope"])) == {"19", "21370"}


async def test_get_many_beyond_one_query_chunk(storage: Storage) -> None:
    """More codes than one ``IN (…)`` query takes: found units come from every chunk."""
    await storage.units.upsert_many(UNITS)
    codes = ["01840", *(f"1{i:04d}z" for i in range(1200)), "21370"]  # the real codes in the first and last chunk
    assert set(await storage.units.get_many(codes)) == {"01840", "21370"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("phuoc giang", ["21370"]),
        ("Phước Giang", ["21370"]),
        ("PHUOC  GIANG", ["21370"]),
        ("xa phuoc giang", ["21370"]),
        ("giang phuoc", ["21370"]),  # every word, in any order
        ("duc xuan", ["01840"]),
        ("đức", ["01840"]),
        ("bac", ["01843"]),
        ("thai nguyen", ["19"]),
        ("21370", ["21370"]),
        ("1840", ["01840"]),  # a code without its leading zero
        ("19", ["19"]),
        ("phuoc ha", []),
        ("%", []),
        ("", []),
    ],
)
async def test_search_ignores_diacritics_and_case(storage: Storage, text: str, expected: list[str]) -> None:
    await storage.units.upsert_many(UNITS)
    assert [u.code for u in await storage.units.search(text)] == expected


async def test_search_within_a_province_and_ranking(storage: Storage) -> None:
    await storage.units.upsert_many(UNITS)
    assert [u.code for u in await storage.units.search("phuong")] == ["01843", "01840"]  # by name
    assert await storage.units.search("phuoc giang", province_code="19") == []
    assert [u.code for u in await storage.units.search("quang", kind=UnitKind.PROVINCE)] == [QUANG_NGAI.code]
    assert len(await storage.units.search("phuong", limit=1)) == 1


# -- the official list -------------------------------------------------------------------------


def test_official_units_2025() -> None:
    units = official_units()
    provinces = [u for u in units if u.kind is UnitKind.PROVINCE]
    communes = [u for u in units if u.kind is UnitKind.COMMUNE]
    assert len(provinces) == 34
    assert len(communes) == 3321
    assert len({u.code for u in units}) == 3355
    assert {u.division_type for u in communes} == {"xã", "phường", "đặc khu"}
    assert {u.division_type for u in provinces} == {"tỉnh", "thành phố"}
    by_code = {u.code: u for u in units}
    assert by_code["19"] == THAI_NGUYEN
    assert by_code["51"] == QUANG_NGAI
    assert by_code["21370"] == PHUOC_GIANG
    assert by_code["01"].full_name == "Thành phố Hà Nội" and by_code["01"].name == "Hà Nội"
    assert by_code["00070"].full_name == "Phường Hoàn Kiếm"
    assert any(u.full_name == "Đặc khu Phú Quốc" for u in communes)
    assert all(len(u.code) == 5 for u in communes) and all(len(u.code) == 2 for u in provinces)
    assert all(u.province_code in by_code for u in communes)
    assert all(u.full_name.lower().startswith(u.division_type + " ") for u in units)


def test_official_units_of_one_province() -> None:
    units = official_units("19")
    assert units[0] == THAI_NGUYEN
    assert len([u for u in units if u.kind is UnitKind.COMMUNE]) == 92
    assert official_units("1")[0].full_name == "Thành phố Hà Nội"
    assert normalize_province_code(8) == "08"
    with pytest.raises(ValueError):
        official_units("77")


async def test_import_all_units_then_again_changes_nothing(storage: Storage) -> None:
    started = time.perf_counter()
    first = await import_units(storage)
    assert first == ImportResult(added=3355)
    second = await import_units(storage)
    assert second == ImportResult(unchanged=3355)
    assert time.perf_counter() - started < 5
    assert await storage.units.count(UnitKind.COMMUNE) == 3321
    assert await storage.units.count(UnitKind.COMMUNE, province_code="19") == 92
    assert [u.full_name for u in await storage.units.search("phuoc giang")][0] == "Xã Phước Giang"


async def test_import_one_province(storage: Storage) -> None:
    assert await import_units(storage, "19") == ImportResult(added=93)
    assert len(await storage.units.list_communes("19")) == 92
    assert await import_units(storage, "19") == ImportResult(unchanged=93)
