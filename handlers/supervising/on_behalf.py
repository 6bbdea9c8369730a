"""Entering a report on a commune's behalf (/nhapthay): the copy-and-fill template, reading the
«Nhãn: giá trị» lines back into the commune's draft, and submitting it marked as entered on behalf."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.access import Identity
from bot.catalogue import say
from bot.context import BaocaoApplication, BotContext
from bot.domain.arguments import ArgumentError, parse_id
from bot.domain.evaluate import defaults
from bot.domain.forms import Form
from bot.domain.message_length import cut
from bot.domain.numbers import format_count
from bot.domain.periods import current_open_period, period_label
from bot.domain.text import fold
from bot.importing import check_answers, context_of, enter_report, period_of
from bot.reporting import MAX_REASON, ensure_period
from bot.rollup_service import can_see
from handlers.supervising.chat import data, form_of, now_of, reply, tell_reporters
from handlers.supervising.commune_view import report_lines
from handlers.supervising.scope import period_key, refuse, search_communes, supervisor_or_refuse
from storage.models import Period, SubmissionStatus, Unit, UnitKind

EXPLAIN_LABELS = {"giai trinh", "ly do", "giai trinh so lieu"}
NHAPTHAY_HELP = (
    "Nhập thay báo cáo cho xã (khi xã báo qua điện thoại, giấy): /nhapthay <tên hoặc mã xã>.\n"
    "Bot gửi mẫu để Anh/Chị sao chép, điền số liệu rồi gửi lại trong một tin nhắn."
)


def _field_of_label(form: Form, label: str) -> str | None:
    key = " ".join(fold(label).replace(",", " ").split())
    for item in form.fields:
        for name in (item.short_label or "", item.label, item.id):
            if name and " ".join(fold(name).replace(",", " ").replace(":", " ").split()) == key:
                return item.id
    found = form.match_label(label)
    return found.id if found is not None else None


def parse_entry(form: Form, lines: Sequence[str]) -> tuple[dict[str, str], str, list[str]]:
    """"Nhãn: giá trị" lines → (field id → value as typed, general explanation, unreadable lines)."""
    values: dict[str, str] = {}
    explanation = ""
    unknown: list[str] = []
    for raw in lines:
        line = raw.strip().lstrip("-•*+").strip()
        if not line:
            continue
        label, sep, value = line.partition(":")
        if not sep:
            unknown.append(line)
            continue
        if " ".join(fold(label).split()) in EXPLAIN_LABELS:
            explanation = value.strip()
            continue
        ident = _field_of_label(form, label)
        if ident is None:
            unknown.append(line)
        elif value.strip():
            values[ident] = value.strip()
    return values, explanation, unknown


def entry_template(form: Form, unit: Unit, period: Period, current: dict[str, Any]) -> str:
    lines = [f"/nhapthay {unit.code} {period.key}"]
    for item in form.fields:
        value = current.get(item.id)
        shown = format_count(value) if isinstance(value, int) else (str(value) if value is not None else "")
        lines.append(f"{item.short_label or item.label}: {shown}")
    lines.append("Giải trình: ")
    return "\n".join(lines)


async def nhapthay(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    message = update.effective_message
    assert message is not None
    first, *rest = (message.text or "").split("\n")
    tokens = first.split()[1:]
    try:
        key = period_key(tokens[-1], context) if tokens else None
    except ArgumentError as exc:
        await reply(update, context, exc.reason)
        return
    if key is not None:
        tokens = tokens[:-1]
    query = " ".join(tokens)
    if not query:
        await reply(update, context, NHAPTHAY_HELP)
        return
    storage = context.services.storage
    unit = await storage.units.get(query.zfill(5)) if parse_id(query) is not None else None
    if unit is None:
        units = await search_communes(context, identity, query)
        if len(units) != 1:
            if not units:
                await reply(update, context, f"Không tìm thấy xã, phường nào khớp «{query}» trong tỉnh của Anh/Chị.")
            else:
                rows = [[InlineKeyboardButton(u.full_name, callback_data=data("e", u.code))] for u in units]
                await reply(update, context, "Anh/Chị chọn xã, phường cần nhập thay:", InlineKeyboardMarkup(rows))
            return
        unit = units[0]
    if unit.kind != UnitKind.COMMUNE or not can_see(identity, unit.province_code):
        await refuse(update)
        return
    form = form_of(context)
    now = now_of(context)
    if key is not None:
        period = await period_of(storage, form, key)
        if period.opens_at > now:
            await reply(update, context, f"{period_label(period.key)} chưa mở báo cáo.")
            return
    else:
        period = await ensure_period(storage, current_open_period(form.period, now))
    if not [line for line in rest if line.strip()]:
        await send_template(update, context, unit, period)
        return
    await _take_entry(update, context, identity, unit, period, rest)


async def send_template(update: Update, context: BotContext, unit: Unit, period: Period) -> None:
    storage, form = context.services.storage, form_of(context)
    draft = await storage.drafts.find(period.id, unit.code)
    current = await storage.drafts.values(draft.id) if draft else {}
    if not current:  # last period's figures that carry over (the same defaults as the reporter's)
        previous, _ = await context_of(storage, form, unit, period)
        current = {k: v for k, v in defaults(form, previous).items() if isinstance(v, int)}
    await reply(update, context,
                f"Nhập thay báo cáo {period_label(period.key)} của {unit.full_name}. Anh/Chị sao chép tin nhắn "
                "dưới đây, điền số liệu sau dấu «:» rồi gửi lại (một tin nhắn; mục nào không có ghi 0 hoặc "
                "«Không có»). Các số đã có sẵn là số đang lưu.")
    await reply(update, context, entry_template(form, unit, period, current))


async def _take_entry(update: Update, context: BotContext, identity: Identity, unit: Unit, period: Period,
                      lines: list[str]) -> None:
    storage, form = context.services.storage, form_of(context)
    now = now_of(context)
    person = identity.person
    if person is None:
        person = await storage.people.get_or_create(identity.telegram_id, now)
    latest = await storage.submissions.latest(period.id, unit.code)
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        await reply(update, context, f"Báo cáo {period_label(period.key)} của {unit.full_name} đã được duyệt; "
                                     f"muốn nhập lại, Anh/Chị trả lại báo cáo trước (/tralai {latest.id} <lý do>).")
        return
    values, explanation, unknown = parse_entry(form, lines)
    draft = await storage.drafts.get_or_create(period.id, unit.code, now)
    current = await storage.drafts.values(draft.id)
    explanations = {k: e.reason for k, e in (await storage.drafts.explanations(draft.id)).items()}
    previous, history = await context_of(storage, form, unit, period)
    merged = {**current, **values}
    checked = check_answers(form, merged, previous, history, explanations)
    head = f"Nhập thay báo cáo {period_label(period.key)} của {unit.full_name}"
    if unknown:
        checked.errors.append("không nhận ra các dòng: " + "; ".join(cut(line, 60) for line in unknown[:5]))
    if len(explanation) > MAX_REASON:
        checked.errors.append(say("arguments.too_long", what="Giải trình", length=format_count(len(explanation)),
                                  limit=format_count(MAX_REASON)))
    if checked.errors:
        await reply(update, context, f"✖ {head}: chưa lưu.\n" + "\n".join(f"• {e}" for e in checked.errors)
                    + "\nAnh/Chị sửa rồi gửi lại cả tin nhắn.")
        return
    changed = {k: v for k, v in checked.answers.items() if current.get(k) != v}
    if changed:
        await storage.drafts.set_answers(draft.id, changed, person.id, now)
    for ident in current:
        if ident not in checked.answers and ident in {f.id for f in form.fields}:
            await storage.drafts.clear_answer(draft.id, ident, person.id, now)
    if explanation:
        for result in checked.unexplained:
            await storage.drafts.set_explanation(draft.id, result.key, explanation, person.id, now)
            explanations[result.key] = explanation
        checked.unexplained = []
    lines_out = [f"{head} — đã lưu vào bản nháp của xã:"]
    lines_out += report_lines(form, checked.answers, explanations, checked.soft, previous)
    markup = None
    if checked.missing:
        lines_out.append("\nCòn thiếu: " + ", ".join(checked.missing) + f". Anh/Chị gửi tiếp /nhapthay {unit.code} "
                         f"{period.key} kèm các dòng còn thiếu.")
    elif checked.unexplained:
        lines_out.append("\nCần giải trình: thêm dòng «Giải trình: …» (lý do giữ nguyên số liệu) rồi gửi lại "
                         f"/nhapthay {unit.code} {period.key}.")
    else:
        lines_out.append("\nSố liệu đủ. Bấm «Gửi báo cáo» để lưu thành báo cáo của xã (ghi rõ là nhập thay).")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("✔ Gửi báo cáo (nhập thay)",
                                                             callback_data=data("s", unit.code, period.id))]])
    await reply(update, context, "\n".join(lines_out), markup)


async def submit_on_behalf(update: Update, context: BotContext, identity: Identity, code: str, raw_period: str) -> None:
    storage = context.services.storage
    unit = await storage.units.get(code)
    period_id = parse_id(raw_period)
    period = await storage.periods.get_by_id(period_id) if period_id is not None else None
    if unit is None or period is None or not can_see(identity, unit.province_code):
        await refuse(update)
        return
    draft = await storage.drafts.find(period.id, unit.code)
    if draft is None:
        await reply(update, context, "Chưa có số liệu nhập thay. " + NHAPTHAY_HELP)
        return
    now = now_of(context)
    person = identity.person or await storage.people.get_or_create(identity.telegram_id, now)
    answers = await storage.drafts.values(draft.id)
    explanations = {k: e.reason for k, e in (await storage.drafts.explanations(draft.id)).items()}
    result = await enter_report(storage, form_of(context), unit, period, answers, explanations, by=person.id,
                                actor=identity.telegram_id, now=now, where="chat", require_explanations=True)
    label = period_label(period.key)
    if result.outcome == "added" and result.submission is not None:
        sub = result.submission
        await tell_reporters(context, unit, f"Tỉnh đã nhập thay báo cáo {label} của {unit.full_name} (lần "
                                            f"{sub.version}). Anh/Chị gõ /baocao để xem.")
        if isinstance(context.application, BaocaoApplication) and context.application.reminders is not None:
            await context.application.reminders.resubmitted(sub)  # a returned report: its returner is told
        text = (f"✔ Đã lưu báo cáo {label} của {unit.full_name} (lần {sub.version}, nhập thay"
                f"{', sau hạn' if sub.late else ''}). Mã báo cáo: {sub.id}.")
    elif result.outcome == "unchanged":
        text = f"Báo cáo {label} của {unit.full_name} không thay đổi: {result.message}."
    else:
        text = f"✖ Chưa lưu báo cáo {label} của {unit.full_name}: {result.message}."
    warnings = [w for w in result.warnings if w]
    if warnings and result.outcome == "added":
        text += "\n" + "\n".join(f"⚠ {w}" for w in warnings)
    await reply(update, context, text)
