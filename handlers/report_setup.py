"""Setting up what the report file prints: per-commune settings (/caidat) and a replacement
template sent in chat by an admin (checked with sample answers, shown, and kept only when
confirmed; the previous template stays available)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.context import BotContext
from bot.documents.pool import check_template, render_docx
from bot.documents.render import TemplateError, check_contexts, sample_context
from bot.domain.arguments import parse_id
from bot.domain.forms import WEEKLY_FORM_ID
from bot.domain.message_length import cut, message_parts, utf16_len
from bot.domain.numbers import format_count
from bot.reporting.files import effective_settings, report_unit, settings_layers
from handlers import reporting, rollup_setup
from handlers.delivery import beside_updates
from handlers.identity import identity_of
from storage import Storage
from storage.models import Role, Unit, UnitKind

log = logging.getLogger(__name__)

TEMPLATE = "tp"
PENDING = ":pending"
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024

# key → (setting, label, example, the longest value taken, in characters as Telegram counts them)
KEYS = {
    "nguoiky": ("signer_name", "Họ tên người ký", "Nguyễn Văn An", 100),
    "chucdanh": ("signer_titles", "Chức danh ký (hai dòng, cách nhau bởi |)", "KT. CHỦ TỊCH | PHÓ CHỦ TỊCH", 200),
    "kinhgui": ("recipient", "Kính gửi", "Sở Khoa học và Công nghệ tỉnh Thái Nguyên", 300),
    "congvan": ("directive", "Căn cứ (Thực hiện Công văn số …)", "Thực hiện Công văn số 97/SKHCN ngày 24/9/2025 …",
                1000),
    "noinhan": ("distribution", "Nơi nhận (cách nhau bởi ;)", "Như trên; TT Đảng ủy xã; Lưu: VT, VHXH", 1000),
    "diadanh": ("place_name", "Địa danh ghi ngày tháng", "Phước Giang", 100),
}
LIMITS = {field_name: limit for field_name, _, _, limit in KEYS.values()}
SHOWN_LIMIT = 1000  # a stored value without a limit of its own (a province's defaults) is shown up to this
USAGE = "\n".join(f"• /caidat {key} <{label.lower()}>, VD: /caidat {key} {example}"
                  for key, (_, label, example, _) in KEYS.items())


# --- /caidat --------------------------------------------------------------------------------


async def _target(storage: Storage, identity: Identity, args: list[str]) -> tuple[Unit | None, list[str], str]:
    """The unit whose settings are read or changed, the remaining arguments, and why not if None.
    A reporter: their commune. An admin: `tinh <mã>` (a province's defaults) or `<mã xã>`."""
    scope = identity.admin_provinces  # None: every province
    if identity.is_admin and args and args[0].lower() in {"tinh", "tỉnh"} and len(args) > 1:
        unit = await storage.units.get(args[1].zfill(2))
        if unit is None or unit.kind != UnitKind.PROVINCE:
            return None, args, f"Không có tỉnh mã {args[1]}."
        if scope is not None and unit.code not in scope:
            return None, args, say("common.not_allowed")
        return unit, args[2:], ""
    if identity.is_admin and args and parse_id(args[0]) is not None and args[0] not in identity.communes:
        unit = await storage.units.get(args[0])
        if unit is None:
            return None, args, f"Không có đơn vị mã {args[0]}."
        if scope is not None and unit.province_code not in scope:
            return None, args, say("common.not_allowed")
        return unit, args[1:], ""
    communes = identity.communes
    if args and parse_id(args[0]) is not None and args[0] in communes:
        return await storage.units.get(args[0]), args[1:], ""
    if len(communes) >= 1:
        return await storage.units.get(communes[0]), args, ""
    if identity.is_admin:
        return None, args, ("Quản trị viên: /caidat tinh <mã tỉnh> … hoặc /caidat <mã xã> …\n" + USAGE
                            + "\nBáo cáo tổng hợp của tỉnh: /caidat tonghop <mã tỉnh> …")
    return None, args, say("common.not_allowed")


def _parse_value(field_name: str, raw: str) -> object:
    if field_name == "signer_titles":
        return [part.strip() for part in raw.split("|") if part.strip()]
    if field_name == "distribution":
        return [part.strip() for part in raw.replace("\n", ";").split(";") if part.strip()]
    return raw.strip()


async def caidat(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    storage = context.services.storage
    identity = await identity_of(update, context)
    if identity is None:
        return
    rollup = rollup_setup.rollup_args(message.text or "")
    if rollup is None and identity.provinces and not identity.communes and not identity.is_admin:
        rollup = rollup_setup.after_command(message.text or "")  # a supervisor has only the rollup to set
    if rollup is not None:
        await rollup_setup.caidat_tonghop(update, context, identity, rollup)
        return
    unit, rest, why = await _target(storage, identity, list(context.args or []))
    if unit is None:
        await message.reply_text(why)
        return
    if not rest:
        await _reply(message, await _current(context, unit) + "\n\nĐể thay đổi:\n" + USAGE)
        return
    key = rest[0].lower()
    if key not in KEYS or len(rest) < 2:
        await message.reply_text(f"Anh/Chị vui lòng ghi rõ mục và nội dung:\n{USAGE}")
        return
    field_name, label, example, limit = KEYS[key]
    raw = " ".join(rest[1:]).strip()
    if utf16_len(raw) > limit:
        await _reply(message, say("arguments.too_long", what=f"«{label}»", length=format_count(utf16_len(raw)),
                                  limit=format_count(limit)) + f"\nVD: /caidat {key} {example}")
        return
    value = _parse_value(field_name, raw)
    now = context.services.clock.now()
    changes = _storage_shape(field_name, value)
    await storage.unit_settings.update(unit.code, changes, identity.person.id if identity.person else None, now)
    await storage.audit.log("settings.update", now, actor=update.effective_user.id, subject=unit.code,
                            detail={"key": key})
    await _reply(message, f"Đã lưu «{label}» cho {unit.full_name}.\n\n" + await _current(context, unit))


def _shown(field_name: str, value: str) -> str:
    """A stored value as a reply shows it: cut at its limit, so that one stored before the limits
    existed (or written around them) never makes the reply too long for Telegram."""
    return cut(value, LIMITS.get(field_name, SHOWN_LIMIT))


async def _reply(message: Message, text: str) -> None:
    for part in message_parts(text):
        await message.reply_text(part)


def _storage_shape(field_name: str, value: object) -> dict[str, object]:
    """Storage keeps the signer's two lines as signer_authority / signer_title."""
    if field_name == "signer_titles":
        lines = list(value) if isinstance(value, list) else [str(value)]
        if len(lines) == 1:
            return {"signer_authority": None, "signer_title": lines[0]}
        return {"signer_authority": lines[0], "signer_title": " ".join(lines[1:])}
    return {field_name: value}


async def _current(context: BotContext, unit: Unit) -> str:
    storage = context.services.storage
    if unit.kind == UnitKind.COMMUNE:
        who = await report_unit(storage, unit)
        layers = await settings_layers(storage, unit.code, unit.province_code)
        resolved = effective_settings(who, layers).resolve(who.full_name, who.province_name)
        lines = [f"Thiết lập báo cáo của {unit.full_name}:"]
        lines.append(f"• Người ký: {_shown('signer_name', resolved.signer_name) or '(chưa đặt)'}")
        lines.append(f"• Chức danh ký: {_shown('signer_titles', ' / '.join(resolved.signer_titles))}")
        lines.append(f"• Kính gửi: {_shown('recipient', resolved.recipient)}")
        lines.append(f"• Căn cứ: {_shown('directive', resolved.directive)}")
        lines.append(f"• Nơi nhận: {_shown('distribution', '; '.join(resolved.distribution))}")
        lines.append(f"• Địa danh: {_shown('place_name', resolved.place_name)}")
        return "\n".join(lines)
    stored = await storage.unit_settings.get(unit.code)
    shown = stored.settings.model_dump(exclude_none=True, exclude_defaults=True, exclude={"extra"}) if stored else {}
    body = "\n".join(f"• {k}: {_shown(k, str(v))}" for k, v in shown.items()) or "(dùng mặc định)"
    return (f"Thiết lập chung cho các xã của {unit.full_name}:\n{body}\n"
            f"(Báo cáo tổng hợp của tỉnh: /caidat tonghop {unit.code})")


# --- a replacement template, sent as a .docx by an admin ----------------------------------------


async def on_template_upload(update: Update, context: BotContext) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.document is None:
        return
    identity = await identity_of(update, context)
    if identity is None or not identity.is_admin:
        await reporting.on_media(update, context)
        return
    document = message.document
    if not (document.file_name or "").lower().endswith(".docx"):
        await message.reply_text("Mẫu báo cáo phải là tệp Word .docx. Anh/Chị vui lòng gửi lại.")
        return
    if document.file_size and document.file_size > MAX_TEMPLATE_BYTES:
        await message.reply_text("Tệp mẫu quá lớn (tối đa 5 MB).")
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    await message.reply_text(say("render.checking"))
    # The check renders in a worker with a time limit, beside the updates: the bot answers
    # everyone else while it runs (python-telegram-bot handles updates one at a time).
    beside_updates(context, _check_and_preview(message, context, identity, data), update)


async def _check_and_preview(message: Message, context: BotContext, identity: Identity, data: bytes) -> None:
    services = context.services
    user = message.from_user
    assert user is not None and message.document is not None
    form = services.forms[WEEKLY_FORM_ID]
    try:
        await check_template(data, check_contexts(form))
        preview = await render_docx(data, sample_context(form))
    except TemplateError as exc:
        await message.reply_text(f"Mẫu chưa dùng được: {exc.reason}\nMẫu đang dùng được giữ nguyên.")
        return
    scope = [m.unit_code for m in identity.memberships if m.role == Role.ADMIN and m.unit_code]
    owner = None if identity.configured_admin or not scope else scope[0]
    person = identity.person or await services.storage.people.get_or_create(user.id, services.clock.now(),
                                                                            full_name=user.full_name)
    pending = await services.storage.templates.add(
        WEEKLY_FORM_ID + PENDING, owner, message.document.file_name or "mau.docx", data, person.id,
        services.clock.now(), note="chờ xác nhận",
    )
    await message.reply_document(
        document=preview, filename=f"xem-truoc-{services.clock.now():%Y%m%d}.docx",
        caption="Bản xem trước với số liệu mẫu. Anh/Chị kiểm tra rồi chọn dùng mẫu này hay không.",
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton("Dùng mẫu này", callback_data=f"{TEMPLATE}:y:{pending.id}"),
            InlineKeyboardButton("Không dùng", callback_data=f"{TEMPLATE}:n:{pending.id}"),
        ]]),
    )


async def on_template_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    identity = await identity_of(update, context)
    assert identity is not None
    _, action, raw_id = (query.data.split(":", 2) + ["", ""])[:3]
    template_id = parse_id(raw_id)
    record = await services.storage.templates.get(template_id) if template_id is not None else None
    if not identity.is_admin or record is None or record.name != WEEKLY_FORM_ID + PENDING:
        await query.answer(say("common.not_allowed") if not identity.is_admin else say("common.stale_button"), show_alert=True)
        return
    scope = identity.admin_provinces  # a province's admin confirms only that province's templates
    if scope is not None and record.unit_code not in scope:
        await query.answer(say("common.not_allowed"), show_alert=True)
        return
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.edit_reply_markup(reply_markup=None)
    if action != "y":
        await query.message.reply_text("Đã bỏ mẫu vừa gửi; mẫu đang dùng được giữ nguyên.")
        return
    content = await services.storage.templates.content(record.id)
    assert content is not None
    now = services.clock.now()
    kept = await services.storage.templates.add(WEEKLY_FORM_ID, record.unit_code, record.filename, content,
                                                identity.person.id if identity.person else None, now,
                                                note="tải lên qua Telegram")
    await services.storage.audit.log("template.replace", now, actor=identity.telegram_id,
                                     subject=f"template:{kept.id}", detail={"version": kept.version})
    await query.message.reply_text(
        f"Đã dùng mẫu mới (phiên bản {kept.version}). Các phiên bản trước vẫn được lưu."
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("caidat", caidat, filters=private))
    application.add_handler(MessageHandler(private & filters.Document.ALL, on_template_upload))
    application.add_handler(CallbackQueryHandler(on_template_button, pattern=rf"^{TEMPLATE}:"))
