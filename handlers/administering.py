"""The admin's journey: invitations (/moi) and people (/nguoidung).

Stateless on purpose: the commune is typed as the command's argument and chosen with a button
whose data names it, so nothing is lost between messages and a restart changes nothing."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import Identity, identify
from bot.catalogue import say
from bot.context import BotContext
from bot.domain.arguments import parse_id
from bot.domain.numbers import format_date
from bot.invites import DEFAULT_TTL, create_invite, deep_link
from storage.models import Person, Role, UnitKind

INVITE = "mi"
PEOPLE = "nd"
MOI_HELP = (
    "Tạo lời mời:\n"
    "• Cán bộ báo cáo của xã, phường: /moi <tên xã>, VD: /moi phuoc giang\n"
    "• Cán bộ theo dõi của tỉnh: /moi tinh <tên tỉnh>, VD: /moi tinh thai nguyen\n"
    "Tên gõ có dấu hoặc không dấu đều được."
)
ROLE_NAMES = {Role.REPORTER: "cán bộ báo cáo", Role.SUPERVISOR: "cán bộ theo dõi", Role.ADMIN: "quản trị viên"}


async def _admin(update: Update, context: BotContext) -> Identity | None:
    user = update.effective_user
    if user is None:
        return None
    identity = await identify(context.services.storage, context.services.settings, user.id)
    return identity if identity.is_admin else None


async def _admin_command(update: Update, context: BotContext) -> tuple[Message, Identity] | None:
    """The message and the admin behind a command; None when there is no message, or (after saying
    so) when the sender is not an admin."""
    message = update.effective_message
    if message is None:
        return None
    identity = await _admin(update, context)
    if identity is None:
        await message.reply_text(say("common.not_allowed"))
        return None
    return message, identity


async def moi(update: Update, context: BotContext) -> None:
    found = await _admin_command(update, context)
    if found is None:
        return
    message, identity = found
    args = list(context.args or [])
    if not args:
        await message.reply_text(MOI_HELP)
        return
    role, kind = Role.REPORTER, UnitKind.COMMUNE
    if args[0].lower() in {"tinh", "tỉnh"}:
        role, kind, args = Role.SUPERVISOR, UnitKind.PROVINCE, args[1:]
    query = " ".join(args)
    scope = identity.admin_provinces
    units = await context.services.storage.units.search(query, kind=kind, limit=30)
    units = [u for u in units if scope is None or u.province_code in scope][:10]
    if not units:
        await message.reply_text(f"Không tìm thấy đơn vị nào khớp «{query}». Anh/Chị thử gõ tên khác.\n\n{MOI_HELP}")
        return
    names = await _province_names(context, {u.province_code for u in units})
    rows = [[InlineKeyboardButton(
        f"{u.full_name}" + ("" if u.kind == UnitKind.PROVINCE else f" ({names.get(u.province_code, '')})"),
        callback_data=f"{INVITE}:{role.value[0]}:{u.code}",
    )] for u in units]
    await message.reply_text(
        f"Chọn đơn vị để tạo lời mời {ROLE_NAMES[role]}:", reply_markup=InlineKeyboardMarkup(rows)
    )


async def _province_names(context: BotContext, codes: set[str]) -> dict[str, str]:
    units = await context.services.storage.units.get_many(codes)
    return {code: unit.name for code, unit in units.items()}


async def on_invite_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    identity = await _admin(update, context)
    _, role_letter, code = (query.data.split(":", 2) + ["", ""])[:3]
    storage = context.services.storage
    unit = await storage.units.get(code)
    scope = identity.admin_provinces if identity else []
    if identity is None or unit is None or (scope is not None and unit.province_code not in scope):
        await query.answer(say("common.not_allowed"), show_alert=True)
        return
    await query.answer()
    role = Role.SUPERVISOR if role_letter == "s" else Role.REPORTER
    now = context.services.clock.now()
    token, invite = await create_invite(
        storage, role, unit, created_by=identity.person.id if identity.person else None, now=now
    )
    link = deep_link(context.bot.username, token)
    assert isinstance(query.message, Message)
    await query.message.reply_text(
        f"Lời mời {ROLE_NAMES[role]} của {unit.full_name}:\n{link}\n\n"
        f"Gửi đường liên kết này cho đúng người; dùng được một lần, hết hạn ngày "
        f"{format_date(invite.expires_at.date())} ({DEFAULT_TTL.days} ngày).",
    )


async def nguoidung(update: Update, context: BotContext) -> None:
    found = await _admin_command(update, context)
    if found is None:
        return
    message, identity = found
    storage = context.services.storage
    scope = identity.admin_provinces
    query = " ".join(context.args or [])
    people = await _people_in_scope(context, scope, query)
    if people is None:
        await message.reply_text(f"Không tìm thấy đơn vị nào khớp «{query}».")
        return
    memberships = {person.id: await storage.people.memberships_of(person.id) for person in people}
    units = await storage.units.get_many({m.unit_code for ms in memberships.values() for m in ms if m.unit_code})
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    for person in people:
        for membership in memberships[person.id]:
            unit = units.get(membership.unit_code) if membership.unit_code else None
            where = unit.full_name if unit else "toàn quốc"
            status = "" if person.active else " (đã chặn bot)"
            lines.append(f"• {person.full_name or person.telegram_id} — {ROLE_NAMES[membership.role]}, {where}{status}")
            if len(rows) < 30:
                rows.append([InlineKeyboardButton(
                    f"Thu hồi: {person.full_name[:20]} – {where[:24]}",
                    callback_data=f"{PEOPLE}:r:{membership.id}",
                )])
    if not lines:
        await message.reply_text("Chưa có người dùng nào. Gõ /moi để tạo lời mời.")
        return
    await message.reply_text("Người dùng:\n" + "\n".join(lines[:100]),
                             reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def _people_in_scope(context: BotContext, scope: list[str] | None, query: str) -> list[Person] | None:
    """People with a membership in the admin's provinces, or in the units matching ``query``;
    None when the query matches no unit."""
    storage = context.services.storage
    if query:
        units = [u for u in await storage.units.search(query, limit=20) if scope is None or u.province_code in scope]
        if not units:
            return None
        groups = [await storage.people.list_people(unit_code=u.code, active_only=False) for u in units]
    elif scope is None:
        groups = [await storage.people.list_people(active_only=False)]
    else:
        groups = [await storage.people.list_people(province_code=code, active_only=False) for code in scope]
    unique = {person.id: person for group in groups for person in group}
    return list(unique.values())


async def on_people_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    identity = await _admin(update, context)
    _, action, raw_id = (query.data.split(":", 2) + ["", ""])[:3]
    storage = context.services.storage
    membership_id = parse_id(raw_id)
    membership = await storage.people.get_membership(membership_id) if membership_id is not None else None
    scope = identity.admin_provinces if identity else []
    unit = await storage.units.get(membership.unit_code) if membership and membership.unit_code else None
    in_scope = scope is None or (unit is not None and unit.province_code in scope)
    if identity is None or membership is None or not in_scope:
        await query.answer(say("common.not_allowed"), show_alert=True)
        return
    await query.answer()
    assert isinstance(query.message, Message)
    person = await storage.people.get(membership.person_id)
    name = person.full_name if person else str(membership.person_id)
    where = unit.full_name if unit else "toàn quốc"
    if membership.revoked_at is not None:
        await query.message.reply_text(f"Quyền của {name} tại {where} đã được thu hồi trước đó.")
        return
    if action == "r":
        await query.message.reply_text(
            f"Thu hồi quyền {ROLE_NAMES[membership.role]} của {name} tại {where}?",
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton("Thu hồi", callback_data=f"{PEOPLE}:y:{membership.id}"),
                InlineKeyboardButton("Không", callback_data=f"{PEOPLE}:n:{membership.id}"),
            ]]),
        )
    elif action == "y":
        now = context.services.clock.now()
        await storage.people.revoke_membership(membership.id, now)
        await storage.audit.log("membership.revoke", now, actor=identity.telegram_id,
                                subject=f"membership:{membership.id}", detail={"unit": membership.unit_code})
        await query.message.reply_text(f"Đã thu hồi quyền của {name} tại {where}.")
    else:
        await query.message.reply_text("Đã giữ nguyên.")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("moi", moi, filters=private))
    application.add_handler(CommandHandler("nguoidung", nguoidung, filters=private))
    application.add_handler(CallbackQueryHandler(on_invite_button, pattern=rf"^{INVITE}:"))
    application.add_handler(CallbackQueryHandler(on_people_button, pattern=rf"^{PEOPLE}:"))
