"""One-message entry of several figures (bot/domain/bulk_entry.py)."""

from __future__ import annotations

from bot.domain.bulk_entry import looks_like_bulk_entry, parse_bulk_entry
from bot.domain.forms import Form

from .conftest import COUNT_IDS


def test_labelled_lines_are_read_by_label(weekly: Form) -> None:
    text = "Kỳ trước: 53\nTrước hạn: 1.794 hồ sơ\n- Số hóa = 49\nthời tiết đẹp 7"
    assert looks_like_bulk_entry(weekly, text)
    entry = parse_bulk_entry(weekly, text)
    assert entry.values == {"carried_over": 53, "resolved_early": 1794, "digitized": 49}
    assert entry.errors == []
    assert entry.unmatched == ("thời tiết đẹp 7",)


def test_bare_numbers_fill_the_counts_in_form_order(weekly: Form) -> None:
    numbers = list(range(1, len(COUNT_IDS) + 1))
    entry = parse_bulk_entry(weekly, "\n".join(str(n) for n in numbers))
    assert entry.values == dict(zip(COUNT_IDS, numbers, strict=True))
    assert entry.errors == []


def test_too_few_bare_numbers_are_refused_as_a_whole(weekly: Form) -> None:
    entry = parse_bulk_entry(weekly, "1\n2\n3")
    assert entry.values == {}
    [(where, reason)] = entry.errors
    assert where == "3 số"
    assert f"Biểu mẫu có {len(COUNT_IDS)} số liệu" in reason


def test_a_bad_number_is_reported_and_the_others_kept(weekly: Form) -> None:
    entry = parse_bulk_entry(weekly, "Kỳ trước: 53\nSố hóa: 1,5")
    assert entry.values == {"carried_over": 53}
    [(where, _reason)] = entry.errors
    assert where == "Số hóa: 1,5"


def test_one_line_or_plain_text_is_not_bulk_entry(weekly: Form) -> None:
    assert not looks_like_bulk_entry(weekly, "Kỳ trước: 53")
    assert not looks_like_bulk_entry(weekly, "Mưa lũ\nmạng chập chờn")
