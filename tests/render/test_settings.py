"""Per-commune report settings over the province-wide defaults."""

from __future__ import annotations

from bot.domain.report_settings import (
    ReportSettings,
    default_recipient,
    lower_division,
    merge,
    province_defaults,
    short_name,
)


def test_defaults_of_a_province() -> None:
    defaults = province_defaults("Tỉnh Quảng Ngãi")
    assert defaults.recipient == "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"
    assert defaults.signer_titles == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert defaults.number_suffix == "/BC-UBND"
    assert defaults.distribution[-1].startswith("Lưu: VT")
    assert default_recipient("Thành phố Hà Nội") == "Sở Khoa học và Công nghệ thành phố Hà Nội"


def test_overrides_win_and_unset_fields_keep_the_defaults() -> None:
    defaults = province_defaults("Tỉnh Thái Nguyên")
    merged = merge(defaults, {"signer_name": "Nguyễn Văn An", "recipient": None, "distribution": []})
    assert merged.signer_name == "Nguyễn Văn An"
    assert merged.recipient == defaults.recipient
    assert merged.distribution == defaults.distribution
    again = merge(merged, ReportSettings(signer_titles=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]))
    assert again.signer_titles == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert again.signer_name == "Nguyễn Văn An"
    assert merge(None, None) == ReportSettings()


def test_values_are_tidied() -> None:
    settings = ReportSettings(
        recipient="  Kính gửi:  Sở Khoa học và Công nghệ tỉnh Quảng Ngãi. ",
        directive="Thực hiện Công văn số 97-CV/ĐU ngày 24/9/2025;  ",
        signer_titles="kt. chủ tịch / phó chủ tịch",
        distribution="- Như trên;\n\n+ Lưu: VT, VHXH.",
    )
    assert settings.recipient == "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"
    assert settings.directive == "Thực hiện Công văn số 97-CV/ĐU ngày 24/9/2025"
    assert settings.signer_titles == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert settings.distribution == ["Như trên", "Lưu: VT, VHXH"]


def test_storage_shape_is_understood() -> None:
    stored = {
        "signer_authority": "TM. ỦY BAN NHÂN DÂN",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Trần Thị Bình",
        "recipient": None,
        "distribution": [],
        "place_name": None,
        "extra": {"number_suffix": "/BC-VP", "issuer_lines": ["UBND TỈNH X", "VĂN PHÒNG"]},
    }
    merged = merge(province_defaults("Tỉnh Quảng Ngãi"), stored)
    assert merged.signer_titles == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert merged.signer_name == "Trần Thị Bình"
    assert merged.number_suffix == "/BC-VP"
    assert merged.issuer_lines == ["UBND TỈNH X", "VĂN PHÒNG"]
    assert merged.recipient == "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"


def test_resolve_fills_what_is_left_from_the_unit() -> None:
    resolved = ReportSettings().resolve("Phường Hoàn Kiếm", "Thành phố Hà Nội")
    assert resolved.place_name == "Hoàn Kiếm"
    assert resolved.issuer_lines == ["ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM"]
    assert resolved.recipient == "Sở Khoa học và Công nghệ thành phố Hà Nội"
    assert resolved.distribution == ["Lưu: VT"]
    assert resolved.signer_name == ""
    with_list = ReportSettings(distribution=["Như trên"]).resolve("Xã Phước Giang")
    assert with_list.distribution == ["Như trên", "Lưu: VT"]


def test_names() -> None:
    assert short_name("Xã Phước Giang") == "Phước Giang"
    assert short_name("Đặc khu Phú Quốc") == "Phú Quốc"
    assert short_name("Phước Giang") == "Phước Giang"
    assert lower_division("Phường Cửa Nam") == "phường Cửa Nam"
    assert lower_division("Tỉnh Quảng Ngãi") == "tỉnh Quảng Ngãi"
