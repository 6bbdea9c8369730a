"""The official administrative units, read from the ``vietnam-provinces`` package (2025 list,
QĐ 19/2025/QĐ-TTg: 34 provinces, 3,321 communes), and their import into the storage.

Codes are kept as the official list writes them: two digits for a province ("01", "19"),
five for a commune ("00070"). Full names read as they are printed: "Xã Phước Giang",
"Phường Hoàn Kiếm", "Đặc khu Vân Đồn", "Tỉnh Thái Nguyên", "Thành phố Hà Nội".
"""

from __future__ import annotations

from vietnam_provinces import Province, Ward
from vietnam_provinces.base import VietNamDivisionType

from storage import ImportResult, Storage, Unit, UnitKind

__all__ = ["ImportResult", "import_units", "normalize_province_code", "official_units"]

# The division type as the storage keeps it and as it begins a full name.
_DIVISION = {
    VietNamDivisionType.TINH: "tỉnh",
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: "thành phố",
    VietNamDivisionType.XA: "xã",
    VietNamDivisionType.PHUONG: "phường",
    VietNamDivisionType.DAC_KHU: "đặc khu",
}


def normalize_province_code(code: str | int) -> str:
    """ "1", 1, "01" → "01"."""
    text = str(code).strip()
    if not text.isdigit():
        raise ValueError(f"not a province code: {code!r}")
    return text.zfill(2)


def _split_name(name: str, division: str) -> tuple[str, str]:
    """(short name, full name): the package writes "Xã Phước Giang" and "Thành phố Hà Nội" in
    full but "Thái Nguyên" without "Tỉnh"."""
    prefix = division.capitalize() + " "
    if name.lower().startswith(division + " "):
        return name[len(prefix):].strip(), prefix + name[len(prefix):].strip()
    return name.strip(), prefix + name.strip()


def _province_unit(province: Province) -> Unit:
    division = _DIVISION[province.division_type]
    short, full = _split_name(province.name, division)
    code = normalize_province_code(int(province.code))
    return Unit(code=code, name=short, full_name=full, kind=UnitKind.PROVINCE, division_type=division,
                province_code=code)


def _commune_unit(ward: Ward) -> Unit:
    division = _DIVISION[ward.division_type]
    short, full = _split_name(ward.name, division)
    return Unit(code=f"{int(ward.code):05d}", name=short, full_name=full, kind=UnitKind.COMMUNE,
                division_type=division, province_code=normalize_province_code(int(ward.province_code)))


def official_units(province_code: str | None = None) -> list[Unit]:
    """The provinces and communes of the official list (one province and its communes when
    ``province_code`` is given), provinces first, each in code order."""
    wanted = None if province_code is None else normalize_province_code(province_code)
    provinces = sorted((_province_unit(p) for p in Province.iter_all()), key=lambda u: u.code)
    if wanted is not None:
        provinces = [p for p in provinces if p.code == wanted]
        if not provinces:
            raise ValueError(f"no province with code {province_code!r}")
    communes = sorted(
        (unit for unit in map(_commune_unit, Ward.iter_all()) if wanted is None or unit.province_code == wanted),
        key=lambda u: u.code,
    )
    return [*provinces, *communes]


async def import_units(storage: Storage, province_code: str | None = None) -> ImportResult:
    """Bring the units table in line with the official list (or one province of it), in one
    transaction; running it again changes nothing (0 added, 0 updated)."""
    return await storage.units.upsert_many(official_units(province_code))
