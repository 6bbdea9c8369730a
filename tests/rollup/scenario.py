"""The province of the rollup's tests: Thái Nguyên (code 19, its 92 communes from the official list),
eight steady weeks of history (2025-W42 … W49) and the week under test, 2025-W50, with every state:

| index | state in W50 |
|---|---|
| 0–9 | missing |
| 10–17 | late (three hours after the deadline) |
| 18–20 | returned |
| 21–25 | approved |
| 26 | breaks the balance, explained |
| 27 | breaks the balance, not explained (an imported report) |
| 28 | carried over ≠ W49's pending (continuity), explained |
| 29 | 300 dossiers online where it usually has about 25 (outlier), explained |
| 30 | entered on its behalf |
| 31 | corrected after the deadline (version 2; first sent on time) |
| 32 | no dossiers at all: every rate "—" |
| others | on time |

Expected figures are computed in the tests from :attr:`Scenario.answers`, independently of the
rollup's code."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.domain.forms import Form
from bot.domain.periods import PeriodKey
from storage import Storage
from storage.models import Period, Unit
from tests.rollup.generate import seed_period

PROVINCE = "19"
WEEK = "2025-W50"
PREVIOUS = "2025-W49"
HISTORY_WEEKS = 8
MISSING = range(0, 10)
LATE = range(10, 18)
RETURNED = range(18, 21)
APPROVED = range(21, 26)
BALANCE_EXPLAINED, BALANCE_UNEXPLAINED, CONTINUITY, OUTLIER, ON_BEHALF, CORRECTED, EMPTY = 26, 27, 28, 29, 30, 31, 32

DIFFICULTIES = (
    "Mạng internet chập chờn, thường xuyên mất kết nối.",
    "Thiếu máy scan để số hóa hồ sơ.",
    "Khong co",
    "Nguoi dan cao tuoi chua biet su dung dich vu cong truc tuyen.",  # typed without diacritics
    "Phần mềm một cửa điện tử bị lỗi khi ký số.",
    "Thiếu công chức chuyên trách công nghệ thông tin; kinh phí hạn hẹp.",
    "Không.",
)
PROPOSALS = (
    "Đề nghị tỉnh hỗ trợ kinh phí mua máy tính.",
    "Không có.",
    "Đề nghị mở lớp tập huấn kỹ năng số cho người dân.",
    "Không",
)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """A rate as the domain defines it: two decimals, half up; None for a zero denominator."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def steady(index: int, week: int, carried_over: int) -> dict[str, Any]:
    """A commune's ordinary, balanced week."""
    full, partial, person, postal = 20 + index % 9 + week % 3, 8 + index % 5, 3 + index % 4, index % 2
    new = full + partial + person + postal
    total = carried_over + new
    withdrawn = (index + week) % 2
    resolved = min(total - withdrawn, new + index % 3)
    pending = total - withdrawn - resolved
    late = 1 if index % 10 == 5 and resolved > 2 else 0
    early = resolved // 2
    overdue = 1 if index % 15 == 7 and pending > 0 else 0
    answers: dict[str, Any] = {
        "carried_over": carried_over, "received_online_full": full, "received_online_partial": partial,
        "received_in_person": person, "received_postal": postal, "resolved_early": early,
        "resolved_on_time": resolved - early - late, "resolved_late": late, "pending_in_time": pending - overdue,
        "pending_overdue": overdue, "withdrawn": withdrawn, "digitized": new - index % 3,
        "e_results": max(0, resolved - index % 2),
        "legal": "Như kỳ trước.", "infrastructure": "Cơ bản đáp ứng yêu cầu.", "resources": "03 công chức.",
        "difficulties": DIFFICULTIES[(index + week) % len(DIFFICULTIES)],
        "proposals": PROPOSALS[(index + week) % len(PROPOSALS)],
    }
    if late + overdue:
        answers["overdue_reasons"] = "Hồ sơ đất đai phải xác minh nguồn gốc."
    return answers


def pending_of(answers: dict[str, Any]) -> int:
    return int(answers["pending_in_time"]) + int(answers["pending_overdue"])


@dataclass
class Scenario:
    communes: list[Unit]
    periods: dict[str, Period] = field(default_factory=dict)
    answers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # week → code → answers
    explanations: dict[str, dict[str, str]] = field(default_factory=dict)  # W50, by code
    versions_v1: dict[str, dict[str, Any]] = field(default_factory=dict)

    def code(self, index: int) -> str:
        return self.communes[index].code

    def unit(self, index: int) -> Unit:
        return self.communes[index]

    def codes(self, indexes: range | list[int]) -> list[str]:
        return [self.communes[i].code for i in indexes]

    @property
    def reported(self) -> dict[str, dict[str, Any]]:
        return self.answers[WEEK]

    @property
    def missing(self) -> list[Unit]:
        return [u for u in self.communes if u.code not in self.reported]

    def total(self, ident: str, week: str = WEEK) -> int:
        return sum(int(a.get(ident, 0)) for a in self.answers[week].values())


async def build(storage: Storage, form: Form, communes: list[Unit], *, supervisor: int | None = None,
                reporter: int | None = None) -> Scenario:
    scenario = Scenario(communes=communes)
    pending = {unit.code: 10 + i % 6 for i, unit in enumerate(communes)}
    key = PeriodKey.parse(WEEK)
    weeks = [key]
    for _ in range(HISTORY_WEEKS):
        weeks.insert(0, weeks[0].previous())
    for number, week in enumerate(weeks[:-1]):
        reports: dict[str, dict[str, Any]] = {}
        for i, unit in enumerate(communes):
            answers = steady(i, number, pending[unit.code])
            pending[unit.code] = pending_of(answers)
            reports[unit.code] = answers
        seeded = await seed_period(storage, form, str(week), reports, by=reporter)
        scenario.periods[str(week)] = seeded.period
        scenario.answers[str(week)] = reports

    number = len(weeks) - 1
    reports = {}
    explanations: dict[str, dict[str, str]] = {}
    versions: dict[str, dict[str, Any]] = {}
    for i, unit in enumerate(communes):
        if i in MISSING:
            continue
        answers = steady(i, number, pending[unit.code])
        if i in (BALANCE_EXPLAINED, BALANCE_UNEXPLAINED):
            answers["withdrawn"] += 2  # 2 more out than in: the balance breaks
            if i == BALANCE_EXPLAINED:
                explanations[unit.code] = {"balance": "02 hồ sơ rút từ hệ thống cũ trước sáp nhập."}
        elif i == CONTINUITY:
            answers["carried_over"] += 5
            answers["pending_in_time"] += 5  # still balanced; only the continuity breaks
            explanations[unit.code] = {"continuity": "Bổ sung 05 hồ sơ tồn chưa nhập kỳ trước."}
        elif i == OUTLIER:
            extra = 300 - answers["received_online_full"]
            answers["received_online_full"] = 300
            answers["pending_in_time"] += extra  # balanced: the extra dossiers are still pending
            explanations[unit.code] = {"outlier:received_online_full": "Đợt cao điểm cấp đổi giấy tờ."}
        elif i == EMPTY:
            answers.update(received_online_full=0, received_online_partial=0, received_in_person=0,
                           received_postal=0, resolved_early=0, resolved_on_time=0, resolved_late=0,
                           withdrawn=0, digitized=0, e_results=0, pending_overdue=0,
                           pending_in_time=answers["carried_over"])
            answers.pop("overdue_reasons", None)
        elif i == CORRECTED:
            scenario.versions_v1[unit.code] = dict(answers)
            corrected = dict(answers)
            corrected["received_in_person"] += 1
            corrected["pending_in_time"] += 1
            versions[unit.code] = corrected
        reports[unit.code] = versions.get(unit.code, answers)
    first_versions = {code: scenario.versions_v1.get(code, answers) for code, answers in reports.items()}
    statuses = {communes[i].code: "returned" for i in RETURNED} | {communes[i].code: "approved" for i in APPROVED}
    seeded = await seed_period(
        storage, form, WEEK, first_versions, late=[communes[i].code for i in LATE], explanations=explanations,
        versions=versions, statuses=statuses, on_behalf=[communes[ON_BEHALF].code], by=reporter,
        supervisor=supervisor,
    )
    scenario.periods[WEEK] = seeded.period
    scenario.answers[WEEK] = reports
    scenario.explanations = explanations
    return scenario
