"""Bad input at scale: hypothesis-driven sequences of messages and button taps by everyone the bot
meets, in every state of every journey — a reporter mid-form, at a soft check, giving a reason, on
the review, after submitting; a second official of the same commune; the reporter of another
commune; a supervisor; the admin (/moi, /nguoidung, /caidat, a template upload); a stranger —
with commands mid-conversation, stale buttons, forged callback data, photos, stickers, voice,
documents and edited messages.

After every input: no handler raised (the error handler records it), and the person got an answer
in Vietnamese — a message or a callback answer with Vietnamese letters. At the end, every stored
count is a whole number within the form's bounds and no submitted report breaks a hard check.

`make test` runs a few hundred inputs (the same ones every time); `make soak` at least 10,000."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app import build_application
from bot.clock import VN_TZ, FakeClock
from bot.domain.evaluate import evaluate_checks
from bot.domain.periods import period_for
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.access.test_access import collect
from tests.fakes import (
    RecordingRequest,
    as_update,
    callback_update,
    document_update,
    media_update,
    text_update,
)
from tests.integration.seed import bind, load_units

LAN, HUNG, TU, SUP, ADMIN, STRANGER = 9101, 9102, 9103, 9104, 9105, 9106
NOW = datetime(2025, 12, 15, 9, 0, tzinfo=VN_TZ)  # week 2025-W50 open, W49 submitted
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
# Last week: 53 still pending, so this week's carried-over default is 53.
LAST_WEEK = {
    "carried_over": 40, "received_online_full": 60, "received_online_partial": 10, "received_in_person": 5,
    "received_postal": 0, "resolved_early": 50, "resolved_on_time": 10, "resolved_late": 0,
    "pending_in_time": 53, "pending_overdue": 0, "withdrawn": 2, "digitized": 60, "e_results": 55,
    "legal": "Kế hoạch số 12.", "infrastructure": "Đủ máy.", "resources": "03 công chức.",
    "difficulties": "Không có.", "proposals": "Không có.",
}
# This week, answered well (balanced: 53 + 49 = 102 = 53 + 48 + 1) and answered so that a soft check fires.
GOOD = {
    "carried_over": "53", "received_online_full": "40", "received_online_partial": "9",
    "received_in_person": "0", "received_postal": "0", "resolved_early": "50", "resolved_on_time": "3",
    "resolved_late": "0", "pending_in_time": "48", "pending_overdue": "0", "withdrawn": "1",
    "digitized": "49", "e_results": "53", "overdue_reasons": "Chờ ý kiến của Sở.",
    "legal": "Đã ban hành kế hoạch.", "infrastructure": "Thiếu máy scan.", "resources": "03 công chức.",
    "difficulties": "Mạng chập chờn.", "proposals": "Hỗ trợ kinh phí.",
}
ODD = {"carried_over": "70", "received_online_full": "1.794", "pending_in_time": "483", "resolved_late": "2",
       "withdrawn": "9"}
BULK = ("Kỳ trước chuyển sang: 53\nToàn trình: 40\nMột phần: 9\nTrực tiếp: 0\nBưu chính: 0\nTrước hạn: 50\n"
        "Đúng hạn: 3\nGiải quyết quá hạn: 0\nĐang giải quyết trong hạn: 48\nĐang giải quyết quá hạn: 0\n"
        "Rút hồ sơ: 1\nSố hóa: 49\nKết quả điện tử: 53")
COMMAND_ARGS = ["", "phuc loc", "19", "tinh 19", "tinh thai nguyen", "thai nguyen", "2025-W50", "nguoiky Lê Văn A",
                "kinhgui Sở KH&CN", "huy", "22/12 26/12", "hannop thu5 15:00", "abc", "🙂", "1" * 70,
                "²", "¹²³ lý do trả lại", "9999-W52", "2025-W60", "１２", "𝔸👍🏽", "congvan " + "𝔸👍🏽" * 700]
TEXTS = ["53", "1.794", "1 794", "1,5", "-3", "0", "１２", "abc", "không", "như kỳ trước", "Như kỳ trước",
         "  ", "?", "🙂👍", "1794 hồ sơ", "999999999", "<b>đậm</b>", "*x*_y_", "x" * 5000, BULK,
         "Có 434 hồ sơ tồn từ trước khi sáp nhập xã", "/", "@baocao_test_bot", "/baocao@baocao_test_bot",
         "²", "𝔸 👍🏽 " * 400, "😀" * 2000]
ACTORS = [LAN, LAN, LAN, LAN, HUNG, HUNG, TU, SUP, ADMIN, STRANGER]
NAMED = ["moi", "nguoidung", "caidat", "baocao", "huy", "baocaocu", "tonghop", "chuanop", "xa", "duyet", "lich",
         "nghiphep", "help", "start"]


# --- the world, built once and copied for each example ----------------------------------------

_TEMPLATE: list[Path] = []


async def _seed(path: Path) -> None:
    config = Settings(_env_file=None, database_path=path, admin_ids=[ADMIN])  # type: ignore[call-arg]
    app = build_application(config, request=RecordingRequest(), token="123456:TEST", clock=FakeClock(NOW),
                            rate_limiter=False)
    async with app:
        storage: Storage = app.services.storage
        communes = await load_units(storage)
        a = next(u for u in communes if u.name == "Phúc Lộc")
        b = next(u for u in communes if u.code != a.code)
        province = await storage.units.get("19")
        lan = await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, a, NOW)
        await bind(storage, HUNG, "Trần Văn Hùng", Role.REPORTER, a, NOW)
        await bind(storage, TU, "Lê Văn Tú", Role.REPORTER, b, NOW)
        await bind(storage, SUP, "Hoàng Minh", Role.SUPERVISOR, province, NOW)
        form = app.services.forms["tthc-weekly"]
        info = period_for(form.period, "2025-W49")
        week49 = await storage.periods.upsert(form.id, str(info.key), info.starts_on, info.ends_on, info.opens_at,
                                              info.deadline_at, info.deadline_note)
        await storage.submissions.add_version(week49.id, a.code, LAST_WEEK, {}, lan.id,
                                              info.deadline_at - timedelta(hours=3))


def _template() -> Path:
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="bad-input-"))
        asyncio.run(_seed(folder / "template.db"))
        _TEMPLATE.append(folder / "template.db")
    return _TEMPLATE[0]


# --- the inputs --------------------------------------------------------------------------------

actors = st.sampled_from(ACTORS)
actions = st.one_of(
    st.tuples(st.just("answer"), actors, st.sampled_from(["good", "good", "good", "odd", "button"])),
    st.tuples(st.just("fill"), st.sampled_from([LAN, LAN, HUNG]), st.integers(1, 22)),
    st.tuples(st.just("invite"), st.sampled_from([ADMIN, ADMIN, SUP, TU]), st.sampled_from(["phuc loc", "tinh thai nguyen", "19"])),
    st.tuples(st.just("text"), actors, st.one_of(st.sampled_from(TEXTS), st.text(max_size=40))),
    st.tuples(st.just("text"), st.sampled_from([LAN, HUNG]), st.just(BULK)),
    st.tuples(st.just("text"), st.sampled_from([ADMIN, ADMIN, SUP, LAN, STRANGER]),
              st.builds("/{} {}".format, st.sampled_from(NAMED), st.sampled_from(COMMAND_ARGS))),
    st.tuples(st.just("command"), actors, st.integers(0, 100), st.one_of(st.sampled_from(COMMAND_ARGS),
                                                                          st.text(max_size=20))),
    st.tuples(st.just("tap"), actors, st.sampled_from(["latest", "latest", "stale"]), st.integers(0, 50)),
    st.tuples(st.just("data"), actors, st.integers(0, 100),
              st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz:-_W²¹³٣１𝔸", max_size=24)),
    st.tuples(st.just("data"), actors, st.just(-1), st.text(max_size=30)),
    st.tuples(st.just("media"), actors, st.sampled_from(["photo", "sticker", "voice", "docx", "csv"])),
    st.tuples(st.just("edit"), actors, st.integers(0, 50), st.sampled_from(["54", "0", "sửa lại", "/baocao"])),
    st.tuples(st.just("group"), actors, st.sampled_from(["/baocao", "/start", "/help", "/tonghop"])),
)


@dataclass
class Run:
    """One example: the app over a copy of the world, and what each person has seen and sent."""

    app: Any
    request: RecordingRequest
    commands: list[str]
    prefixes: list[str]
    errors: list[BaseException] = field(default_factory=list)
    sent_texts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    inputs: int = 0

    def messages_to(self, chat: int) -> list[Any]:
        return [c for c in self.request.calls if c.method in {"sendMessage", "sendDocument", "editMessageText"}
                and str(c.params.get("chat_id")) == str(chat)]

    def payload(self, action: tuple[Any, ...]) -> dict[str, Any]:
        kind, actor = action[0], action[1]
        if kind == "answer":
            return self._answer(actor, action[2])
        if kind == "text":
            return text_update(actor, action[2] if action[2].strip() else "?")
        if kind == "command":
            command = self.commands[action[2] % len(self.commands)]
            return text_update(actor, f"/{command} {action[3]}".strip())
        if kind == "tap":
            with_buttons = [c for c in self.messages_to(actor) if c.buttons]
            if not with_buttons:
                return text_update(actor, "/baocao")
            call = with_buttons[-1] if action[2] == "latest" else with_buttons[action[3] % len(with_buttons)]
            data = [d for _, d in call.buttons if d][action[3] % len([d for _, d in call.buttons if d])]
            return callback_update(actor, data, message_id=int(call.params.get("message_id", 7)),
                                   text=call.text[:100] or "…")
        if kind == "data":
            if action[2] < 0:
                data = action[3] or "x"
            else:
                data = f"{self.prefixes[action[2] % len(self.prefixes)]}:{action[3]}"
            return callback_update(actor, data.encode()[:64].decode(errors="ignore") or "x")
        if kind == "media":
            if action[2] == "docx":
                return document_update(actor, "bad-docx", "mau-moi.docx", 12)
            if action[2] == "csv":
                return document_update(actor, "csv", "so_lieu.csv", 8)
            return media_update(actor, action[2])
        if kind == "edit":
            earlier = self.sent_texts.get(actor) or []
            if not earlier:
                return text_update(actor, "/help")
            message = dict(earlier[action[2] % len(earlier)])
            message.update(text=action[3], edit_date=1_760_000_500)
            if action[3].startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(action[3])}]
            else:
                message.pop("entities", None)
            return {"update_id": 900_000 + self.inputs, "edited_message": message}
        if kind == "group":
            return text_update(actor, action[2], chat_type="group", chat_id=-1001)
        raise AssertionError(kind)

    def _answer(self, actor: int, how: str) -> dict[str, Any]:
        """The current question, answered: well, oddly (a soft check fires), or by a button."""
        shown = self.messages_to(actor)
        last = shown[-1] if shown else None
        field_id = None
        for _, data in (last.buttons if last else []):
            parts = data.split(":")
            if len(parts) == 4 and parts[0] == "r" and parts[2] in {"z", "s", "n", "k"}:
                field_id = parts[3]
                if how == "button":
                    return callback_update(actor, data, message_id=int(last.params.get("message_id", 7)))
        if field_id is None:
            if last is not None and "lý do" in last.text and not last.buttons:
                return text_update(actor, "Có 434 hồ sơ tồn từ trước khi sáp nhập xã")
            if last is not None and last.buttons:
                # «Gửi báo cáo», «Sửa» or «Giữ nguyên, ghi lý do» (kept when answering oddly), «Sửa báo cáo» …
                data = last.buttons[min(len(last.buttons) - 1, 1 if how == "odd" else 0)][1]
                return callback_update(actor, data, message_id=int(last.params.get("message_id", 7)))
            return text_update(actor, "/baocao")
        return text_update(actor, (ODD if how == "odd" else GOOD).get(field_id, GOOD.get(field_id, "0")))


async def _play(sequence: list[tuple[Any, ...]], template: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="bad-input-run-") as folder:
        path = Path(folder) / "baocao.db"
        shutil.copyfile(template, path)
        config = Settings(_env_file=None, database_path=path, admin_ids=[ADMIN])  # type: ignore[call-arg]
        request = RecordingRequest()
        request.uploads.update({"bad-docx": b"not a docx", "csv": b"a,b\n1,2\n"})
        app = build_application(config, request=request, token="123456:TEST", clock=FakeClock(NOW),
                                rate_limiter=False)
        commands, prefixes = collect(app)
        run = Run(app, request, commands, prefixes)

        async def record(update: object, context: Any) -> None:
            run.errors.append(context.error)

        app.add_error_handler(record)
        expanded: list[tuple[Any, ...]] = []
        for action in sequence:  # «fill»: that many good answers in a row; «invite»: /moi, then its first button
            if action[0] == "fill":
                expanded += [("answer", action[1], "good")] * action[2]
            elif action[0] == "invite":
                expanded += [("text", action[1], f"/moi {action[2]}"), ("tap", action[1], "latest", 0)]
            else:
                expanded.append(action)
        async with app:
            for action in expanded:
                payload = run.payload(action)
                actor = action[1]
                message = payload.get("message")
                if message is not None and message["chat"]["type"] == "private" and "text" in message:
                    run.sent_texts.setdefault(actor, []).append(message)
                before = len(request.calls)
                await app.process_update(as_update(payload, app.bot))
                await app.wait_background()  # a report file is rendered and sent beside the updates
                run.inputs += 1
                if run.errors:
                    raise AssertionError(f"{action!r} raised {run.errors[0]!r}") from run.errors[0]
                new = request.calls[before:]
                chat = payload.get("message", payload.get("edited_message", {})).get("chat", {}).get("id", actor)
                said = [c.text for c in new if c.method in {"sendMessage", "sendDocument", "editMessageText"}
                        and str(c.params.get("chat_id")) == str(chat)]
                said += [str(c.params.get("text") or "") for c in new if c.method == "answerCallbackQuery"]
                assert any(VIETNAMESE.search(text) for text in said), f"{action!r} got {said!r}"
                for state, mark in STATES.items():
                    if any(mark in text for text in said):
                        REACHED[state] = REACHED.get(state, 0) + 1
            await _invariants(app)
        return run.inputs


async def _invariants(app: Any) -> None:
    storage: Storage = app.services.storage
    form = app.services.forms["tthc-weekly"]
    for row in await storage.db.fetch_all("SELECT draft_id FROM draft_answers GROUP BY draft_id"):
        for field_id, value in (await storage.drafts.values(row[0])).items():
            if form.kind_of(field_id) == "count" and not (value is None and form.field(field_id).optional):
                assert isinstance(value, int) and 0 <= value <= 1_000_000, (field_id, value)  # or an honest blank
    for row in await storage.db.fetch_all("SELECT id FROM submissions"):
        submission = await storage.submissions.get(row[0])
        assert submission is not None
        hard = [c for c in evaluate_checks(form, dict(submission.answers)) if c.is_hard]
        assert not hard, (submission.answers, hard)


# One sequence through every state, always played first: the whole form, the review, the submission,
# a stale button, the correction with a soft check kept with a reason, an edited message, /huy, the
# admin's invitation and people, a colleague's one-message entry, a stranger, media, a refusal, ids
# no SQLite integer holds, superscript digits, a year 9999, a setting longer than Telegram's limit.
COVER: list[tuple[Any, ...]] = [
    ("text", STRANGER, "xin chào"), ("text", LAN, "/baocao"), ("fill", LAN, 19), ("answer", LAN, "good"),
    ("tap", LAN, "stale", 0), ("text", LAN, "/baocao"), ("tap", LAN, "latest", 0), ("tap", LAN, "latest", 0),
    ("text", LAN, "70"), ("answer", LAN, "odd"), ("answer", LAN, "good"), ("edit", LAN, 1, "54"),
    ("text", LAN, "/huy"), ("invite", ADMIN, "phuc loc"), ("text", ADMIN, "/nguoidung"), ("text", HUNG, "/baocao"),
    ("text", HUNG, BULK), ("media", TU, "photo"), ("text", STRANGER, "/baocao"), ("text", TU, "/moi phuc loc"),
    ("data", LAN, -1, "r:99999999999999999999:u"), ("text", SUP, "/duyet 99999999999999999999"),  # beyond int64
    ("text", SUP, "/duyet ²"), ("text", SUP, "/tralai ² lý do"), ("text", SUP, "/tonghop 9999-W52"),  # '²'.isdigit()
    ("data", LAN, -1, "r:²:v"), ("data", SUP, -1, "sv:a:²"), ("data", LAN, -1, "rc:99999"),
    ("text", LAN, "/caidat congvan " + "𝔸👍🏽" * 1300), ("text", LAN, "/caidat"),  # over 4,096 UTF-16 units
]
COUNTED: list[int] = []
# What the answers show, to see that the sequences reach every state of the journeys.
STATES = {
    "question": "Câu ", "soft check": "⚠", "reason": "lý do giữ nguyên", "review": "Anh/Chị kiểm tra lại các số liệu",
    "submitted": "Đã gửi báo cáo", "edit menu": "chọn mục cần sửa", "paused": "Đã tạm dừng",
    "stale button": "câu hỏi cũ", "invite": "Lời mời", "people": "Người dùng:", "stranger": "chưa được đăng ký",
    "refused": "không có quyền", "media": "ảnh, nhãn dán", "edited": "tin nhắn đã sửa", "bulk": "Đã điền",
}
REACHED: dict[str, int] = {}


@pytest.mark.parametrize("examples", [pytest.param(30, id="short"), pytest.param(500, id="soak", marks=pytest.mark.soak)])
def test_everyone_gets_a_vietnamese_answer_to_anything(examples: int) -> None:
    COUNTED.clear()
    REACHED.clear()
    soak = examples >= 500
    template = _template()

    @settings(max_examples=examples, deadline=None, derandomize=not soak, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(actions, min_size=10 if soak else 5, max_size=40))
    @example(COVER)
    def play(sequence: list[tuple[Any, ...]]) -> None:
        COUNTED.append(asyncio.run(_play(sequence, template)))

    play()
    print(f"{sum(COUNTED)} inputs in {len(COUNTED)} sequences; states reached: {REACHED}")
    assert sum(COUNTED) >= (10_000 if soak else 200)
    missed = set(STATES) - set(REACHED)
    assert not missed, f"never reached: {missed}"
