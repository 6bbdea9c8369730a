"""The ranking of the communes on the rates of their own reports (bot/domain/rollup_ranking.py):
equal rates share a place, a commune without dossiers or report is not ranked, the best and the
weakest never name a commune twice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.clock import VN_TZ
from bot.domain.forms import Form
from bot.domain.rollup import Report, RollupInput, RollupPeriod, RollupUnit, build_rollup
from bot.domain.rollup_ranking import best_and_weakest, rank

PERIOD = RollupPeriod("2025-W50", "Tuần 50/2025", "Tuần 50/2025", date(2025, 12, 8), date(2025, 12, 14),
                      datetime(2025, 12, 18, 15, tzinfo=VN_TZ))


def answers(online: int, on_time: int, digitized: int, e_results: int, dossiers: int = 10) -> dict[str, Any]:
    """A balanced week of ``dossiers`` received and resolved; the rates are tenths of them."""
    return {"carried_over": 0, "received_online_full": online, "received_online_partial": 0,
            "received_in_person": dossiers - online, "received_postal": 0, "resolved_early": 0,
            "resolved_on_time": on_time, "resolved_late": dossiers - on_time, "pending_in_time": 0,
            "pending_overdue": 0, "withdrawn": 0, "digitized": digitized, "e_results": e_results}


def test_places_ties_and_who_is_left_out(form: Form) -> None:
    given = {"A": answers(10, 10, 10, 10), "B": answers(10, 10, 10, 10), "C": answers(5, 10, 10, 10),
             "D": answers(0, 0, 0, 0), "E": answers(0, 0, 0, 0, dossiers=0)}
    units = [RollupUnit(f"0000{i}", name, f"Xã {name}", "19", "Tỉnh Thái Nguyên") for i, name in enumerate("ABCDEF")]
    reports = {unit.code: Report(unit.code, given[unit.name], submitted_at=datetime(2025, 12, 15, 9, tzinfo=VN_TZ))
               for unit in units if unit.name in given}
    rollup = build_rollup(RollupInput(form, PERIOD, "Tỉnh Thái Nguyên", units, reports, scope_code="19"))
    ranking = rank(rollup)
    assert [(item.row.unit.name, item.place, item.score) for item in ranking] == [
        ("A", 1, Decimal("100.00")), ("B", 1, Decimal("100.00")), ("C", 3, Decimal("87.50")), ("D", 4, Decimal("0.00"))]
    assert [item.ranks["online_rate"] for item in ranking] == [1, 1, 3, 4]
    assert [item.ranks["on_time_rate"] for item in ranking] == [1, 1, 1, 4]
    best, weakest = best_and_weakest(ranking, 2)
    assert [item.row.unit.name for item in best] == ["A", "B"] and [i.row.unit.name for i in weakest] == ["C", "D"]
    best, weakest = best_and_weakest(ranking, 3)
    assert [item.row.unit.name for item in best] == ["A", "B", "C"] and [i.row.unit.name for i in weakest] == ["D"]


def test_a_ranking_or_balance_naming_what_the_form_lacks_is_refused(form: Form) -> None:
    from bot.domain.rollup_spec import BalanceSpec, DocxSpec, RankedRate, RankingSpec, problems_of, rollup_of

    spec = rollup_of(form).model_copy(update={
        "ranking": RankingSpec(rates=(RankedRate(figure="resolved", words="x"), RankedRate(figure="nope", words="y"))),
        "docx": DocxSpec(balance=BalanceSpec(check="no_check", holds="{received_total}", broken="{nothing} {units}")),
    })
    assert problems_of(form, spec) == [
        "ranking.resolved: communes are ranked on rates only", "ranking.nope: no figure 'nope'",
        "docx.balance: no check 'no_check'", "docx.balance.broken: no figure 'nothing'"]
