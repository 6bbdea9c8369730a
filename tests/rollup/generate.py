"""A generated province for the rollup's tests and benchmark: every commune of a province (the
official list) reporting weekly, with a mix of states chosen by a seeded random generator.

:func:`week_answers` gives one commune's balanced week; :func:`seed_period` stores a period's
reports as the bot would (versions, late flags, approvals) straight through the storage API."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.forms import Form
from bot.domain.periods import PeriodKey, period_for
from storage import Storage
from storage.models import Period, SubmissionStatus

DIFFICULTIES = (
    "Mạng internet chập chờn do mưa lũ",
    "Máy scan hỏng, thiếu máy tính cấu hình cao để số hóa hồ sơ",
    "Người dân cao tuổi chưa biết sử dụng dịch vụ công trực tuyến",
    "Phần mềm một cửa điện tử bị lỗi, treo khi ký số",
    "Thiếu công chức chuyên trách công nghệ thông tin",
    "Không",
    "Mat dien thuong xuyen vao buoi chieu",  # without diacritics: still matched
)
PROPOSALS = (
    "Đề nghị tỉnh hỗ trợ kinh phí mua sắm máy scan",
    "Đề nghị mở lớp tập huấn kỹ năng số cho người dân",
    "Không có.",
    "Đề nghị nâng cấp đường truyền mạng",
)


def week_answers(rng: random.Random, carried_over: int, scale: int = 40) -> dict[str, Any]:
    """A balanced week: received_total = resolved + pending + withdrawn."""
    full = rng.randint(0, scale)
    partial = rng.randint(0, scale // 2)
    person = rng.randint(0, scale // 3)
    postal = rng.randint(0, 2)
    new = full + partial + person + postal
    total = carried_over + new
    withdrawn = rng.randint(0, min(2, total))
    resolved = rng.randint(0, total - withdrawn)
    pending = total - withdrawn - resolved
    late = rng.randint(0, min(2, resolved))
    early = rng.randint(0, resolved - late)
    on_time = resolved - late - early
    overdue = rng.randint(0, min(1, pending))
    answers: dict[str, Any] = {
        "carried_over": carried_over, "received_online_full": full, "received_online_partial": partial,
        "received_in_person": person, "received_postal": postal, "resolved_early": early,
        "resolved_on_time": on_time, "resolved_late": late, "pending_in_time": pending - overdue,
        "pending_overdue": overdue, "withdrawn": withdrawn, "digitized": rng.randint(0, new),
        "e_results": rng.randint(0, resolved),
        "legal": "Như kỳ trước.", "infrastructure": "Cơ bản đáp ứng.", "resources": "03 công chức.",
        "difficulties": rng.choice(DIFFICULTIES), "proposals": rng.choice(PROPOSALS),
    }
    if late + overdue > 0:
        answers["overdue_reasons"] = "Hồ sơ đất đai phải xác minh nguồn gốc."
    return answers


async def ensure_period(storage: Storage, form: Form, key: str) -> Period:
    info = period_for(form.period, PeriodKey.parse(key))
    return await storage.periods.upsert(form.id, key, info.starts_on, info.ends_on, info.opens_at, info.deadline_at,
                                        info.deadline_note)


@dataclass
class Seeded:
    """What was stored for one period, by commune code."""

    period: Period
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    explanations: dict[str, dict[str, str]] = field(default_factory=dict)
    first_at: dict[str, datetime] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)


async def seed_period(
    storage: Storage,
    form: Form,
    key: str,
    reports: Mapping[str, Mapping[str, Any]],
    *,
    late: Iterable[str] = (),
    explanations: Mapping[str, Mapping[str, str]] | None = None,
    versions: Mapping[str, Mapping[str, Any]] | None = None,
    statuses: Mapping[str, str] | None = None,
    on_behalf: Iterable[str] = (),
    by: int | None = None,
    supervisor: int | None = None,
) -> Seeded:
    """Store the reports of one period: on time (an hour after opening) or late (three hours after the
    deadline); ``versions`` a second version, two hours after the deadline; ``statuses`` approved or returned."""
    period = await ensure_period(storage, form, key)
    late, on_behalf = set(late), set(on_behalf)
    seeded = Seeded(period)
    explanations = explanations or {}
    async with storage.db.transaction():
        for code, answers in reports.items():
            at = period.deadline_at + timedelta(hours=3) if code in late else period.opens_at + timedelta(hours=1)
            await storage.submissions.add_version(period.id, code, dict(answers), dict(explanations.get(code, {})),
                                                  by, at, late=code in late, on_behalf=code in on_behalf)
            seeded.first_at[code] = at
            final = dict(answers)
            if versions and code in versions:
                final = dict(versions[code])
                later = max(at, period.deadline_at) + timedelta(hours=2)
                await storage.submissions.add_version(period.id, code, final, dict(explanations.get(code, {})),
                                                      by, later, late=later > period.deadline_at)
            seeded.answers[code] = final
            seeded.explanations[code] = dict(explanations.get(code, {}))
            status = (statuses or {}).get(code)
            if status:
                latest = await storage.submissions.latest(period.id, code)
                assert latest is not None
                await storage.submissions.set_status(latest.id, SubmissionStatus(status), supervisor,
                                                     latest.submitted_at + timedelta(hours=2),
                                                     "Số liệu chưa khớp" if status == "returned" else None)
            seeded.status[code] = status or "submitted"
    return seeded
