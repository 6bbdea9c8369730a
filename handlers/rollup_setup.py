"""Who issues and signs the provincial rollup, set from chat: ``/caidat tonghop [mã tỉnh] [mục nội dung]``.

A supervisor sets it for their own province, an admin for the provinces in their scope (naming the
province when there are several: ``/caidat tonghop 19 nguoiky …``). The values are kept under the
province's unit settings, ``extra["rollup"]`` (read by ``bot.supervising.rollup_service.rollup_settings``), and
every later /tonghop .docx prints them; ``/caidat tonghop <mục> xoa`` goes back to the default.

Reached from /caidat (handlers/report_setup.py), whose own forms (``/caidat <mục> …``,
``/caidat tinh <mã> …``, ``/caidat <mã xã> …``) never start with «tonghop»."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.context import BotContext
from bot.documents.rollup_docx import RollupSettings, resolved_for_scope
from bot.domain.arguments import parse_id
from bot.domain.message_length import cut, message_parts
from bot.domain.text import fold
from bot.supervising.rollup_service import SETTINGS_KEY, rollup_settings
from storage.codec import JsonInput
from storage.models import Unit, UnitKind

CLEAR_WORDS = {"xoa", "mac dinh", "macdinh"}
PROVINCE_WORDS = {"tinh", "thanh pho", "tp"}


class ValueRefused(ValueError):
    """A value that cannot be printed as typed; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class Key:
    field: str  # RollupSettings' field
    label: str
    example: str
    parse: Callable[[str], JsonInput]
    hint: str = ""  # how to write it, in the help


def _line(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = " ".join(raw.split())
        if len(value) > limit:
            raise ValueRefused(f"Nội dung dài {len(value)} ký tự, tối đa {limit}. Anh/Chị vui lòng viết ngắn lại.")
        if not any(ch.isalpha() for ch in value):
            raise ValueRefused("Nội dung cần có chữ.")
        return value
    return parse


def _lines(separators: str, most: int, limit: int) -> Callable[[str], list[str]]:
    def parse(raw: str) -> list[str]:
        parts = re.split(separators, raw)
        lines = [" ".join(part.split()).strip(" -–;.") for part in parts]
        lines = [line for line in lines if line]
        if not lines:
            raise ValueRefused("Nội dung cần có ít nhất một dòng.")
        if len(lines) > most:
            raise ValueRefused(f"Có {len(lines)} dòng, tối đa {most}.")
        for line in lines:
            if len(line) > limit:
                raise ValueRefused(f"Dòng «{line[:40]}…» dài {len(line)} ký tự, tối đa {limit}.")
        return lines
    return parse


def _recipient(raw: str) -> str:
    value = _line(200)(raw)
    return re.sub(r"^kính gửi\s*:?\s*", "", value, flags=re.IGNORECASE).strip() or value


DOCUMENT_WORDS = ("cong van", "van ban", "ke hoach", "quyet dinh", "chi thi", "thong bao", "huong dan", "chi dao")


def _directive(raw: str) -> str:
    """The clause the rollup's first sentence starts with: "Thực hiện Công văn số …"."""
    value = _line(400)(raw).rstrip(" .,;")
    if fold(value).startswith(DOCUMENT_WORDS):
        value = "Thực hiện " + value
    return value


def _number_suffix(raw: str) -> str:
    value = re.sub(r"^số\s*:?\s*", "", " ".join(raw.split()), flags=re.IGNORECASE).replace(" ", "")
    if not value.startswith("/"):
        value = "/" + value
    if not re.fullmatch(r"/[^\W_][\w.&-]{0,28}", value):
        raise ValueRefused("Số hiệu viết liền, bắt đầu bằng «/», tối đa 30 ký tự.")
    return value


KEYS: dict[str, Key] = {
    "nguoiky": Key("signer_name", "Người ký", "Nguyễn Văn Bình", _line(80)),
    "chucdanh": Key("signer_titles", "Chức danh ký", "KT. GIÁM ĐỐC | PHÓ GIÁM ĐỐC", _lines(r"\||\n| / ", 3, 60),
                    "các dòng cách nhau bởi |"),
    "kinhgui": Key("recipient", "Kính gửi", "Ủy ban nhân dân tỉnh Thái Nguyên", _recipient),
    "congvan": Key("directive", "Căn cứ", "Thực hiện Công văn số 1234/UBND-KGVX ngày 01/10/2025 của UBND tỉnh",
                   _directive, "câu mở đầu báo cáo"),
    "noinhan": Key("distribution", "Nơi nhận", "Như trên; Lãnh đạo UBND tỉnh (để b/c); Lưu: VT, CĐS",
                   _lines(r"[;\n]", 12, 150), "cách nhau bởi ; — thiếu dòng «Lưu» thì tự thêm «Lưu: VT»"),
    "coquan": Key("issuer_name", "Cơ quan ban hành", "Sở Khoa học và Công nghệ", _line(120), "đầu văn bản in hoa"),
    "chuquan": Key("issuer_parent", "Cơ quan chủ quản", "UBND TỈNH THÁI NGUYÊN", _line(120)),
    "tentrongvanban": Key("issuer_in_text", "Tên cơ quan trong lời văn", "Sở Khoa học và Công nghệ", _line(120)),
    "diadanh": Key("place_name", "Địa danh", "Thái Nguyên", _line(50), "ghi trước ngày tháng"),
    "sohieu": Key("number_suffix", "Số hiệu", "/BC-SKHCN", _number_suffix),
}


def usage(several: bool) -> str:
    lines = ["Để thay đổi: /caidat tonghop <mục> <nội dung>",
             "Trả một mục về mặc định: /caidat tonghop <mục> xoa, VD: /caidat tonghop nguoiky xoa"]
    lines += [f"• {key} — {spec.label.lower()}{f' ({spec.hint})' if spec.hint else ''}, "
              f"VD: /caidat tonghop {key} {spec.example}" for key, spec in KEYS.items()]
    if several:
        lines.append("Anh/Chị theo dõi nhiều tỉnh: ghi mã tỉnh ngay sau «tonghop», "
                     "VD: /caidat tonghop 19 nguoiky Nguyễn Văn Bình")
    return "\n".join(lines)


def _take(text: str) -> tuple[str, str]:
    """The first word of ``text`` and the rest (line breaks inside the rest are kept)."""
    parts = text.strip().split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


def after_command(text: str) -> str:
    """What follows the command: «/caidat nguoiky A» → «nguoiky A»."""
    return _take(text)[1] if text.startswith("/") else text


def rollup_args(text: str) -> str | None:
    """What follows «tonghop» (or «tổng hợp») in «/caidat tonghop …»; None for /caidat's other forms."""
    first, rest = _take(after_command(text))
    if fold(first) == "tonghop":
        return rest
    second, rest = _take(rest)
    if fold(first) == "tong" and fold(second) == "hop":
        return rest
    return None


def _several(identity: Identity) -> bool:
    allowed = identity.visible_provinces
    return allowed is None or len(allowed) > 1


async def _province(context: BotContext, identity: Identity, text: str) -> tuple[Unit | None, str, str]:
    """The province whose rollup is set, the rest of the text, and why not when None."""
    storage = context.services.storage
    word, rest = _take(text)
    if fold(word) in PROVINCE_WORDS and rest:  # «/caidat tonghop tinh 19 …», as in «/caidat tinh 19 …»
        word, rest = _take(rest)
    if parse_id(word) is not None:
        unit = await storage.units.get(word.zfill(2))
        if unit is None or unit.kind != UnitKind.PROVINCE:
            return None, rest, f"Không có tỉnh, thành phố mã {word}. VD: /caidat tonghop 19 nguoiky Nguyễn Văn Bình"
        if not identity.can_see(unit.code):
            return None, rest, (f"Anh/Chị không có quyền thiết lập báo cáo tổng hợp của tỉnh, thành phố mã {unit.code}; "
                                "chỉ của tỉnh Anh/Chị theo dõi hoặc quản trị.")
        return unit, rest, ""
    allowed = identity.visible_provinces
    if allowed is not None and len(allowed) == 1:
        unit = await storage.units.get(allowed[0])
        if unit is not None:
            return unit, text, ""
    provinces = [p for p in await storage.units.list_provinces() if allowed is None or p.code in allowed]
    listing = "\n".join(f"• {p.code} — {p.full_name}" for p in provinces)
    return None, text, (
        "Anh/Chị vui lòng ghi mã tỉnh sau «tonghop», VD: /caidat tonghop 19 nguoiky Nguyễn Văn Bình"
        + (f"\n\nCác tỉnh trong phạm vi của Anh/Chị:\n{listing}" if listing else "")
    )


SHOWN_LIMIT = 1000  # a stored value is shown up to this many units: one stored too long never breaks a reply


def _cut(value: str) -> str:
    return cut(value, SHOWN_LIMIT)


def describe(province: Unit, settings: RollupSettings, heading: str | None = None) -> str:
    """The settings as the next rollup of the province prints them, which of them are defaults."""
    resolved = resolved_for_scope(province.full_name, settings)

    def mark(field: str) -> str:
        return "" if getattr(settings, field) else " (mặc định)"

    in_text_mark = (" (theo cơ quan ban hành)" if settings.issuer_name and not settings.issuer_in_text
                    else mark("issuer_in_text"))
    directive = _cut(resolved["directive"]) or "(chưa đặt; dùng câu «Thực hiện chế độ báo cáo định kỳ hằng tuần …»)"
    lines = [
        heading or f"Thiết lập báo cáo tổng hợp của {province.full_name} (in trong tệp Word của /tonghop):",
        f"• Người ký (nguoiky): {_cut(resolved['signer_name']) or '(chưa đặt; để trống chỗ ghi họ tên)'}",
        f"• Chức danh ký (chucdanh): {_cut(' / '.join(resolved['signer_titles']))}{mark('signer_titles')}",
        f"• Kính gửi (kinhgui): {_cut(resolved['recipient'])}{mark('recipient')}",
        f"• Căn cứ (congvan): {directive}",
        "• Nơi nhận (noinhan)" + mark("distribution") + ":\n" + "\n".join(
            f"   {_cut(line)}" for line in resolved["distribution_lines"]),
        f"• Cơ quan ban hành (coquan): {_cut(resolved['issuer_name'])}{mark('issuer_name')}",
        f"• Cơ quan chủ quản (chuquan): {_cut(resolved['issuer_parent'])}{mark('issuer_parent')}",
        f"• Tên cơ quan trong lời văn (tentrongvanban): {_cut(resolved['issuer_in_text'])}{in_text_mark}",
        f"• Địa danh (diadanh): {_cut(resolved['place_name'])}{mark('place_name')}",
        f"• Số hiệu (sohieu): Số:      {_cut(resolved['number_suffix'])}{mark('number_suffix')}",
    ]
    return "\n".join(lines)


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    assert message is not None
    for part in message_parts(text):
        await message.reply_text(part)


async def caidat_tonghop(update: Update, context: BotContext, identity: Identity, text: str) -> None:
    """``/caidat tonghop`` with ``text`` what follows «tonghop»."""
    if not (identity.is_admin or identity.provinces):
        await _reply(update, say("common.not_allowed"))
        return
    province, rest, why = await _province(context, identity, text)
    if province is None:
        await _reply(update, why)
        return
    word, raw = _take(rest)
    if not word:
        await _reply(update, describe(province, await rollup_settings(context.services.storage, province.code)) + "\n\n" + usage(_several(identity)))
        return
    key = fold(word)
    spec = KEYS.get(key)
    if spec is None:
        await _reply(update, f"Không có mục «{word}». Anh/Chị chọn một trong các mục sau.\n\n"
                     + usage(_several(identity)))
        return
    if not raw.strip():
        await _reply(update, f"Anh/Chị vui lòng ghi nội dung sau «{key}», VD: /caidat tonghop {key} {spec.example}\n"
                     f"Để trả về mặc định: /caidat tonghop {key} xoa")
        return
    cleared = fold(raw) in CLEAR_WORDS
    value: JsonInput = None
    if not cleared:
        try:
            value = spec.parse(raw)
        except ValueRefused as exc:
            await _reply(update, f"Chưa lưu «{spec.label}»: {exc}\nVD: /caidat tonghop {key} {spec.example}")
            return
    services = context.services
    now = services.clock.now()
    await services.storage.unit_settings.update_extra(
        province.code, SETTINGS_KEY, {spec.field: value}, identity.person.id if identity.person else None, now)
    await services.storage.audit.log("rollup_settings.update", now, actor=identity.telegram_id,
                                     subject=province.code, detail={"key": key, "cleared": cleared})
    settings = await rollup_settings(context.services.storage, province.code)
    if cleared:
        head = f"Đã trả «{spec.label}» của báo cáo tổng hợp {province.full_name} về mặc định."
    else:
        joiner = " / " if spec.field == "signer_titles" else "; "
        shown = joiner.join(value) if isinstance(value, list) else str(value)
        head = f"Đã lưu «{spec.label}» cho báo cáo tổng hợp của {province.full_name}: {shown}"
    await _reply(update, f"{head}\n\n" + describe(province, settings, "Báo cáo tổng hợp lần sau sẽ in:"))
