"""The rollup of the generated province against figures computed here by hand from the stored
answers: completeness, sums, rates from the sums (never averaged), change against W49, anomalies,
themes, and the chat message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest

from bot.clock import VN_TZ
from bot.domain.numbers import format_count, format_percent
from bot.domain.rollup import (
    Report,
    Rollup,
    RollupInput,
    RollupPeriod,
    RollupUnit,
    build_rollup,
    rollup_message,
)
from bot.domain.themes import load_taxonomy
from bot.supervising.rollup_service import load_input
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import TEMPLATES

ONLINE = ("received_online_full", "received_online_partial")
CHANNELS = ("received_online_full", "received_online_partial", "received_in_person", "received_postal")


@dataclass
class Built:
    storage: Storage
    scenario: sc.Scenario
    rollup: Rollup


@pytest.fixture
async def built(form) -> AsyncIterator[Built]:
    storage = await Storage.open(":memory:")
    communes = await load_units(storage)
    scenario = await sc.build(storage, form, communes)
    data = await load_input(storage, form, scenario.periods[sc.WEEK], sc.PROVINCE, taxonomy=load_taxonomy(TEMPLATES))
    yield Built(storage, scenario, build_rollup(data))
    await storage.close()


def new_of(answers: dict) -> int:
    return sum(answers[c] for c in CHANNELS)


def resolved_of(answers: dict) -> int:
    return answers["resolved_early"] + answers["resolved_on_time"] + answers["resolved_late"]


def hand_totals(s: sc.Scenario, week: str = sc.WEEK) -> dict[str, int]:
    reports = s.answers[week].values()
    return {
        "received_new": sum(new_of(a) for a in reports),
        "resolved": sum(resolved_of(a) for a in reports),
        "pending": sum(a["pending_in_time"] + a["pending_overdue"] for a in reports),
        "received_total": sum(a["carried_over"] + new_of(a) for a in reports),
        "online": sum(a["received_online_full"] + a["received_online_partial"] for a in reports),
        "full": sum(a["received_online_full"] for a in reports),
        "timely": sum(a["resolved_early"] + a["resolved_on_time"] for a in reports),
        "digitized": sum(a["digitized"] for a in reports),
        "e_results": sum(a["e_results"] for a in reports),
        "pending_overdue": sum(a["pending_overdue"] for a in reports),
        "resolved_late": sum(a["resolved_late"] for a in reports),
    }


def hand_rates(t: dict[str, int]) -> dict[str, Decimal | None]:
    return {
        "online_rate": sc.percent(t["online"], t["received_new"]),
        "share_online_full": sc.percent(t["full"], t["received_new"]),
        "on_time_rate": sc.percent(t["timely"], t["resolved"]),
        "digitization_rate": sc.percent(t["digitized"], t["received_new"]),
        "e_result_rate": sc.percent(t["e_results"], t["resolved"]),
    }


async def test_completeness(built: Built) -> None:
    done, s = built.rollup.completeness, built.scenario
    assert (done.total, done.on_time, done.late, done.missing) == (92, 74, 8, 10)
    assert (done.approved, done.returned, done.waiting, done.on_behalf) == (5, 3, 74, 1)
    assert [r.unit.code for r in built.rollup.missing_rows] == s.codes(sc.MISSING)
    states = {row.unit.code: row.state for row in built.rollup.rows}
    assert all(states[c] == "late" for c in s.codes(sc.LATE))
    assert states[s.code(sc.CORRECTED)] == "on_time"  # first sent on time, corrected after the deadline
    row = next(r for r in built.rollup.rows if r.unit.code == s.code(sc.CORRECTED))
    assert row.report is not None and row.report.version == 2 and row.report.submitted_at > s.periods[sc.WEEK].deadline_at


async def test_sums_and_rates_from_sums(built: Built) -> None:
    t = hand_totals(built.scenario)
    totals = built.rollup.totals
    assert totals.reported == 82
    for ident in ("received_new", "resolved", "pending", "received_total", "digitized", "e_results"):
        assert totals.counts[ident] == t[ident], ident
    assert totals.rates == {**totals.rates, **hand_rates(t)}
    # never averaged: the mean of the communes' rates is another number
    rates = [row.rates["online_rate"] for row in built.rollup.reported_rows if row.rates.get("online_rate") is not None]
    average = (sum(rates, Decimal(0)) / len(rates)).quantize(Decimal("0.01"))
    assert average != totals.rates["online_rate"]


async def test_a_zero_denominator_is_a_dash(built: Built) -> None:
    row = next(r for r in built.rollup.rows if r.unit.code == built.scenario.code(sc.EMPTY))
    assert row.counts["received_new"] == 0 and row.counts["resolved"] == 0
    assert row.rates["online_rate"] is None and row.rates["on_time_rate"] is None
    assert format_percent(row.rates["online_rate"]) == "—"


def test_nobody_reported_gives_dashes(form) -> None:
    period = RollupPeriod("2025-W50", "Tuần 50/2025", "Tuần 50/2025", date(2025, 12, 8), date(2025, 12, 14),
                          datetime(2025, 12, 18, 15, tzinfo=VN_TZ))
    units = [RollupUnit("00001", "A", "Xã A", "19", "Tỉnh Thái Nguyên")]
    rollup = build_rollup(RollupInput(form, period, "Tỉnh Thái Nguyên", units, {}, scope_code="19"))
    assert rollup.totals.reported == 0 and all(value is None for value in rollup.totals.rates.values())
    text = rollup_message(rollup)
    assert "Đã nộp 0/1" in text and "Chưa có xã, phường nào nộp báo cáo kỳ này." in text


async def test_change_against_the_previous_week(built: Built) -> None:
    now, before = hand_totals(built.scenario), hand_totals(built.scenario, sc.PREVIOUS)
    rollup = built.rollup
    assert rollup.previous_period is not None and rollup.previous_period.key == sc.PREVIOUS
    assert rollup.previous_reported == 92
    change = rollup.change("received_new")
    assert change is not None and (change.current, change.previous) == (now["received_new"], before["received_new"])
    assert change.delta == now["received_new"] - before["received_new"]
    rate = rollup.change("online_rate")
    assert rate is not None
    assert rate.delta == hand_rates(now)["online_rate"] - hand_rates(before)["online_rate"]  # type: ignore[operator]
    assert rate.text().endswith("điểm %")


async def test_anomalies(built: Built) -> None:
    s = built.scenario
    by_unit = {row.unit.code: row.anomalies for row in built.rollup.rows}
    explained = by_unit[s.code(sc.BALANCE_EXPLAINED)]
    assert [(a.kind, a.key) for a in explained] == [("soft", "balance")]
    assert explained[0].explanation == "02 hồ sơ rút từ hệ thống cũ trước sáp nhập."
    assert explained[0].message.startswith("Tổng số hồ sơ phải giải quyết là")  # the finding, not the prompt
    assert "vui lòng" not in explained[0].message
    assert [(a.kind, a.explanation) for a in by_unit[s.code(sc.BALANCE_UNEXPLAINED)]] == [("soft", "")]
    continuity = by_unit[s.code(sc.CONTINUITY)]
    assert [(a.kind, a.key) for a in continuity] == [("continuity", "continuity")]
    previous = s.answers[sc.PREVIOUS][s.code(sc.CONTINUITY)]
    assert f"({sc.pending_of(previous)})" in continuity[0].message
    outliers = by_unit[s.code(sc.OUTLIER)]
    assert {a.kind for a in outliers} == {"outlier"}
    online = next(a for a in outliers if a.key == "outlier:received_online_full")
    assert "300" in online.message and online.explanation == "Đợt cao điểm cấp đổi giấy tờ."
    flagged = {code for code, items in by_unit.items() if items}
    assert flagged == set(s.codes([sc.BALANCE_EXPLAINED, sc.BALANCE_UNEXPLAINED, sc.CONTINUITY, sc.OUTLIER]))


async def test_themes_count_communes_and_quote_them(built: Built) -> None:
    s = built.scenario
    themes = {t.theme.id: t for t in built.rollup.themes}
    # communes whose W50 difficulty names the network (hand-sorted from the scenario's texts)
    network = [code for code, a in s.reported.items() if a["difficulties"] == sc.DIFFICULTIES[0]]
    assert set(network) <= set(themes["network_power"].units)
    skills = [code for code, a in s.reported.items() if a["difficulties"] == sc.DIFFICULTIES[3]
              or a["proposals"] == sc.PROPOSALS[2]]
    assert themes["digital_skills"].unit_count == len(skills)  # the text without diacritics counts too
    quote = next(q for q in themes["digital_skills"].quotes if q.field_id == "difficulties")
    assert quote.text.startswith("Nguoi dan cao tuoi")
    assert all("Không" not in q.text and "Khong" not in q.text for t in themes.values() for q in t.quotes)


async def test_message_figures(built: Built) -> None:
    text = rollup_message(built.rollup)
    t, before = hand_totals(built.scenario), hand_totals(built.scenario, sc.PREVIOUS)
    rates, previous_rates = hand_rates(t), hand_rates(before)
    assert "Đã nộp 82/92 (đúng hạn 74, sau hạn 8); chưa nộp 10." in text
    assert "Duyệt: đã duyệt 5, trả lại 3, chờ duyệt 74; nhập thay 1." in text
    assert f"• Tiếp nhận mới: {format_count(t['received_new'])} — kỳ trước {format_count(before['received_new'])}" in text
    assert (f"• Đã giải quyết: {format_count(t['resolved'])} (quá hạn {format_count(t['resolved_late'])})") in text
    assert (f"• Tỷ lệ hồ sơ tiếp nhận trực tuyến: {format_percent(rates['online_rate'])} — kỳ trước "
            f"{format_percent(previous_rates['online_rate'])}") in text
    assert f"• Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn: {format_percent(rates['on_time_rate'])}" in text
    assert "Số liệu bất thường: 4 đơn vị" in text and "Giải trình: Đợt cao điểm cấp đổi giấy tờ." in text
    assert "(chưa giải trình)" in text
    missing = ", ".join(u.full_name for u in built.scenario.missing)
    assert f"Chưa nộp (10): {missing}." in text
    assert "Kỹ năng số của người dân" in text
    assert len(text) < 4096


def test_a_commune_outside_the_units_is_ignored(form) -> None:
    period = RollupPeriod("2025-W50", "Tuần 50/2025", "Tuần 50/2025", date(2025, 12, 8), date(2025, 12, 14),
                          datetime(2025, 12, 18, 15, tzinfo=VN_TZ))
    answers = sc.steady(1, 1, 10)
    units = [RollupUnit("00001", "A", "Xã A", "19", "Tỉnh Thái Nguyên")]
    reports = {"00001": Report("00001", answers, submitted_at=datetime(2025, 12, 15, 9, tzinfo=VN_TZ)),
               "99999": Report("99999", answers, submitted_at=datetime(2025, 12, 15, 9, tzinfo=VN_TZ))}
    rollup = build_rollup(RollupInput(form, period, "Tỉnh Thái Nguyên", units, reports, scope_code="19"))
    assert rollup.totals.reported == 1 and rollup.totals.counts["received_new"] == new_of(answers)
