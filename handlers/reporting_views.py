"""How the reporting journey's steps look in Telegram: Vietnamese texts and inline keyboards.

Callback data is short ("r:<draft>:<verb>[:<arg>]", at most 64 bytes) and names the draft, so a
tap is always checked against the draft's state, never trusted as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalogue import say
from bot.domain.evaluate import format_value
from bot.domain.forms import Field, Form
from bot.domain.message_length import cut, message_parts
from bot.domain.numbers import format_count, format_date
from bot.domain.periods import period_label
from bot.reporting import (
    MAX_REASON,
    Ask,
    AskReason,
    BulkFilled,
    Early,
    Paused,
    Refused,
    ReportSession,
    Review,
    Saved,
    SoftBreak,
    Stale,
    Step,
    Submitted,
)

PREFIX = "r"


@dataclass
class Screen:
    """One or more messages (split under Telegram's 4,096 UTF-16 units) and the buttons of the last."""

    parts: list[str] = field(default_factory=list)
    keyboard: InlineKeyboardMarkup | None = None
    asks: bool = False  # ends with a question to answer: the handler records when it was shown

    def messages(self) -> list[str]:
        return message_parts("\n\n".join(p for p in self.parts if p))


def data(draft_id: int, verb: str, arg: str = "") -> str:
    value = f"{PREFIX}:{draft_id}:{verb}" + (f":{arg}" if arg else "")
    assert len(value.encode()) <= 64, value
    return value


def _value_text(form: Form, field_obj: Field, value: Any) -> str:
    if value is None:
        return "—"
    if field_obj.kind == "count" and isinstance(value, int):
        return format_count(value)
    return str(value)


def _short(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters as Telegram counts them (UTF-16 units), ending with "…" when cut."""
    return cut(text, limit)


def render(session: ReportSession, steps: Sequence[Step]) -> Screen:
    screen = Screen()
    for step in steps:
        _render_step(session, step, screen)
    screen.asks = bool(steps) and isinstance(steps[-1], Ask)
    return screen


def _render_step(session: ReportSession, step: Step, screen: Screen) -> None:
    form, draft_id = session.form, session.draft.id
    if isinstance(step, Stale):
        screen.parts.append("Nút này thuộc câu hỏi cũ; câu hỏi hiện tại ở dưới đây.")
    elif isinstance(step, Saved):
        shown = _short(_value_text(form, step.field, step.value), 300).rstrip(".")
        lines = [f"✔ Đã lưu «{step.field.button_label}»: {shown}."]
        if step.replaced is not None:
            who = step.replaced.answered_by_name or "một cán bộ khác"
            when = step.replaced.answered_at.strftime("%H:%M ngày %d/%m")
            old = _value_text(form, step.field, step.replaced.value)
            lines.append(f"Lưu ý: mục này trước đó do {who} nhập là {old} (lúc {when}); nay đã thay bằng giá trị mới.")
        lines.extend(step.derived)
        screen.parts.append("\n".join(lines))
    elif isinstance(step, Refused):
        screen.parts.append(f"✖ Chưa lưu. {step.reason}")
    elif isinstance(step, Ask):
        screen.parts.append(_ask_text(session, step))
        screen.keyboard = _ask_keyboard(form, draft_id, step)
    elif isinstance(step, SoftBreak):
        screen.parts.append(
            f"⚠ {step.check.message}\n\nAnh/Chị vui lòng kiểm tra lại: sửa số liệu, hoặc giữ nguyên "
            "và ghi lý do (lý do sẽ được in trong báo cáo)."
        )
        screen.keyboard = InlineKeyboardMarkup([
            [InlineKeyboardButton("Sửa", callback_data=data(draft_id, "f", step.check.key))],
            [InlineKeyboardButton("Giữ nguyên, ghi lý do", callback_data=data(draft_id, "g", step.check.key))],
        ])
    elif isinstance(step, AskReason):
        if step.refused_length is not None:
            screen.parts.append("✖ Chưa lưu. " + say("arguments.too_long", what="Lý do",
                                                    length=format_count(step.refused_length),
                                                    limit=format_count(MAX_REASON)))
        screen.parts.append(
            "Anh/Chị vui lòng nhập ngắn gọn lý do giữ nguyên số liệu "
            "(VD: Có 434 hồ sơ tồn từ trước khi sáp nhập xã)."
        )
        screen.keyboard = None
    elif isinstance(step, Review):
        screen.parts.append(review_text(session, step))
        screen.keyboard = _review_keyboard(draft_id, step)
    elif isinstance(step, Submitted):
        sub = step.submission
        at = sub.submitted_at
        text = (
            f"Đã gửi báo cáo {period_label(session.period.key)} của {session.unit.full_name} "
            f"(lần {sub.version}) lúc {at:%H:%M} ngày {format_date(at.date())}. Cảm ơn Anh/Chị!"
        )
        if step.deadline_passed:
            deadline = session.period.deadline_at
            text += (f"\nBáo cáo được ghi nhận nộp sau hạn ({deadline:%H:%M} ngày "
                     f"{format_date(deadline.date())}).")
        text += "\nNếu cần sửa, Anh/Chị gõ /baocao rồi chọn «Sửa báo cáo»."
        screen.parts.append(text)
        screen.keyboard = InlineKeyboardMarkup([
            [InlineKeyboardButton("Xem lại báo cáo", callback_data=data(session.draft.id, "v"))],
            [InlineKeyboardButton("Tải tệp Word", callback_data=data(session.draft.id, "w"))],
        ])
    elif isinstance(step, Paused):
        screen.parts.append(
            f"Đã tạm dừng. Anh/Chị đã trả lời {step.answered}/{step.total} câu; mọi câu trả lời đã được lưu. "
            "Khi muốn tiếp tục, Anh/Chị gõ /baocao."
        )
        screen.keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Tiếp tục", callback_data=data(session.draft.id, "c"))]]
        )
    elif isinstance(step, BulkFilled):
        screen.parts.append(_bulk_text(form, step))
    elif isinstance(step, Early):
        screen.parts.append(_early_text(step))


def _ask_text(session: ReportSession, step: Ask) -> str:
    f = step.field
    lines = [f"Câu {step.position}/{step.total} · {f.label}", f.help.strip()]
    if step.current is not None:
        lines.append(f"Đang ghi: {_short(_value_text(session.form, f, step.current), 300)}")
    if f.kind == "text" and step.suggestion:
        lines.append(f"Kỳ trước: {_short(str(step.suggestion), 300)}")
    return "\n".join(line for line in lines if line)


def _ask_keyboard(form: Form, draft_id: int, step: Ask) -> InlineKeyboardMarkup:
    f = step.field
    rows: list[list[InlineKeyboardButton]] = []
    if step.current is not None:
        rows.append([InlineKeyboardButton(
            f"Giữ nguyên: {_short(_value_text(form, f, step.current), 30)}", callback_data=data(draft_id, "k", f.id)
        )])
    if step.suggestion is not None and step.suggestion != step.current:
        label = (f"Như kỳ trước: {format_count(step.suggestion)}" if f.kind == "count"
                 else form.previous_option)
        rows.append([InlineKeyboardButton(label, callback_data=data(draft_id, "s", f.id))])
    if f.kind == "count" and f.minimum <= 0 and step.current != 0:
        rows.append([InlineKeyboardButton("0", callback_data=data(draft_id, "z", f.id))])
    if f.kind == "text":
        rows.append([InlineKeyboardButton("Không có", callback_data=data(draft_id, "n", f.id))])
    nav = []
    if step.can_go_back:
        nav.append(InlineKeyboardButton("« Quay lại", callback_data=data(draft_id, "b")))
    nav.append(InlineKeyboardButton("Tạm dừng", callback_data=data(draft_id, "p")))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


def review_text(session: ReportSession, review: Review) -> str:
    form = session.form
    values = review.values
    lines = [f"BÁO CÁO {period_label(session.period.key).upper()}", session.unit.full_name, ""]
    asked = {f.id for f in form.asked(values)}  # once, not per field; from the values the review computed
    for section, fields in form.sections_with_fields():
        shown = [f for f in fields if f.id in asked]
        if not shown:
            continue
        if section is not None:
            lines.append(f"▸ {section.label}")
        for f in shown:
            value = review.answers.get(f.id)
            text = _value_text(form, f, value) if value is not None else "(chưa trả lời)"
            if f.kind == "text":
                text = _short(text, 200)
            lines.append(f"• {f.button_label}: {text}")
        lines.append("")
    derived = [d for d in form.derived if values.known(d.id)]
    if derived:
        lines.append("▸ Tổng hợp")
        lines.extend(f"• {d.label}: {format_value(form, values, d.id)}" for d in derived)
        lines.append("")
    rates = [r for r in form.rates if values.known(r.id)]
    if rates:
        lines.append("▸ Tỷ lệ")
        lines.extend(f"• {r.label}: {format_value(form, values, r.id)}" for r in rates)
        lines.append("")
    for check in review.breaks:
        reason = review.explanations.get(check.key)
        mark = "✖" if check.is_hard else "⚠"
        lines.append(f"{mark} {check.message}")
        if reason:
            lines.append(f"   Lý do: {reason}")
    if review.submitted is not None:
        sub = review.submitted
        state = {"submitted": "đã gửi", "approved": "đã được duyệt", "returned": "bị trả lại"}.get(
            str(sub.status), str(sub.status))
        lines.append(
            f"Trạng thái: {state} (lần {sub.version}, {sub.submitted_at:%H:%M} ngày "
            f"{format_date(sub.submitted_at.date())}{', nộp muộn' if sub.late else ''})."
        )
        if sub.status_reason:
            lines.append(f"Lý do trả lại: {sub.status_reason}")
    else:
        lines.append("Anh/Chị kiểm tra lại các số liệu; bấm «Gửi báo cáo» khi đã đúng.")
    return "\n".join(lines).strip()


def _review_keyboard(draft_id: int, review: Review) -> InlineKeyboardMarkup:
    if review.submitted is not None:
        return InlineKeyboardMarkup([
            [InlineKeyboardButton("Sửa báo cáo", callback_data=data(draft_id, "m"))],
            [InlineKeyboardButton("Tải tệp Word", callback_data=data(draft_id, "w"))],
        ])
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("✔ Gửi báo cáo", callback_data=data(draft_id, "u"))],
        [InlineKeyboardButton("Sửa một mục", callback_data=data(draft_id, "m"))],
        [InlineKeyboardButton("Tạm dừng", callback_data=data(draft_id, "p"))],
    ])


def edit_menu(session: ReportSession) -> Screen:
    """A button for every question that applies, to change one answer."""
    form = session.form
    rows = []
    for f in session.questions():
        value = session.answers.get(f.id)
        shown = _short(_value_text(form, f, value), 18) if value is not None else "…"
        rows.append([InlineKeyboardButton(f"{_short(f.button_label, 32)}: {shown}",
                                          callback_data=data(session.draft.id, "e", f.id))])
    rows.append([InlineKeyboardButton("« Xem lại báo cáo", callback_data=data(session.draft.id, "v"))])
    return Screen(parts=["Anh/Chị chọn mục cần sửa:"], keyboard=InlineKeyboardMarkup(rows))


def _early_text(step: Early) -> str:
    """A message sent before the question below was shown: not stored, and why."""
    sent = _short(" ".join(step.text.split()), 40)
    if step.repeats is not None:
        return (
            f"Anh/Chị đã gửi «{sent}» cho câu trước («{step.repeats.button_label}»), bot đã lưu rồi; "
            "tin nhắn gửi lại này không được lưu cho câu dưới đây. Nếu câu dưới đây cũng là "
            f"«{sent}», Anh/Chị vui lòng gửi lại."
        )
    return (
        f"✖ Chưa lưu «{sent}»: tin nhắn này đến trước khi bot hiện câu hỏi dưới đây. "
        "Anh/Chị vui lòng đọc câu hỏi rồi trả lời lại."
    )


def _bulk_text(form: Form, step: BulkFilled) -> str:
    lines = []
    if step.filled:
        lines.append(f"Đã điền {len(step.filled)} mục: " + ", ".join(form.label_of(f, short=True) for f in step.filled)
                     + ".")
    else:
        lines.append("Chưa điền được mục nào từ tin nhắn này.")
    for where, reason in step.refused:
        lines.append(f"✖ {where}: {reason}")
    if step.unmatched:
        lines.append("Không nhận ra các dòng: " + "; ".join(_short(u, 40) for u in step.unmatched[:5]))
        lines.append("Mẫu: «Toàn trình: 1.794» (mỗi mục một dòng).")
    return "\n".join(lines)
