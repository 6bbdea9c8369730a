"""A commune's usual weeks (about 23 new dossiers) and the busy week of issue 16 (2,692 new dossiers),
as "label: number" lines an official copies from the procedures system; shared by the service and
end-to-end tests of one-pass soft checks, outliers that agree, and one-message entry."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.demo.seed import weeks_before
from bot.domain.forms import Form
from bot.domain.periods import period_for
from bot.reporting.periods import ensure_period
from storage import Storage
from storage.models import Unit

# A usual week: 48 + 23 = 71 = 23 resolved + 48 pending; digitized 23 (the median of issue 16).
USUAL = {
    "carried_over": 48, "received_online_full": 10, "received_online_partial": 8, "received_in_person": 5,
    "received_postal": 0, "resolved_early": 12, "resolved_on_time": 11, "resolved_late": 0, "pending_in_time": 48,
    "pending_overdue": 0, "withdrawn": 0, "digitized": 23, "e_results": 18,
    "legal": "Không có.", "infrastructure": "Ổn định.", "resources": "03 công chức.", "difficulties": "Không có.",
    "proposals": "Không có.",
}

# The busy week, balanced and continuing last week (48 carried over): 48 + 2.692 = 2.600 + 140 + 0. Six
# figures are far above the usual (received online full and partial, early, on time, digitized,
# e-results), all by about a hundred times: they agree with each other.
BUSY_LINES = (
    "Kỳ trước chuyển sang: 48\nToàn trình: 1.794\nMột phần: 887\nTrực tiếp: 11\nBưu chính: 0\n"
    "Trước hạn: 2.000\nĐúng hạn: 600\nGiải quyết quá hạn: 0\nĐang giải quyết trong hạn: 140\n"
    "Đang giải quyết quá hạn: 0\nRút hồ sơ: 0\nSố hóa: 2.692\nKết quả điện tử: 2.500"
)
BUSY_SIX = ("received_online_full", "received_online_partial", "resolved_early", "resolved_on_time", "digitized",
            "e_results")

TEXTS = {
    "legal": "Ban hành Kế hoạch chuyển đổi số.", "infrastructure": "Thiếu máy scan.",
    "resources": "03 công chức tiếp nhận.", "difficulties": "Khối lượng hồ sơ lớn.", "proposals": "Hỗ trợ máy scan.",
}
TEXT_LINES = (
    "Pháp lý: Ban hành Kế hoạch chuyển đổi số.\nHạ tầng kỹ thuật: Thiếu máy scan.\n"
    "Nguồn lực: 03 công chức tiếp nhận; 01 công chức kiêm nhiệm.\nKhó khăn, vướng mắc: Khối lượng hồ sơ lớn.\n"
    "Đề xuất, kiến nghị: Hỗ trợ máy scan."
)


async def seed_usual_weeks(storage: Storage, form: Form, unit: Unit, now: datetime, weeks: int = 4) -> None:
    """``weeks`` earlier weeks of the usual figures, submitted, before the period open at ``now``."""
    for key in weeks_before(form, now, weeks):
        period = await ensure_period(storage, period_for(form.period, key))
        await storage.submissions.add_version(period.id, unit.code, dict(USUAL), {}, None,
                                              period.deadline_at - timedelta(hours=5), form_version=form.version)
