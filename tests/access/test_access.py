"""Access: every command and every button the bot has — collected from the registered handlers, so
a journey added later is covered without touching this file — tried against commune A (Phúc Lộc
… a commune with a unique name, in province P1) by

- a stranger,
- the reporter of another commune B of the same province,
- the supervisor of another province P2,
- the admin of another province P2.

Every input is answered (a reply or a callback answer); no reply, caption or file name shows
anything of A (its names, its reporter, its signer, its figures and texts) — nor, to the outsiders
of P2, anything of P1; nothing of A (of P1 for the outsiders) changes in the database, and the bot
writes to nobody but the one who tried (no reminder sent to A's reporters on an outsider's tap). Buttons are tried with data built from the ids of A's real objects (its
draft, period, submission, membership, template, codes, period keys) in every shape the bot's
callback data take: a sample in `make test`, many more in `make soak`."""

from __future__ import annotations

import itertools
import json
import random
import re
import string
from datetime import timedelta
from typing import Any

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.administering.units import official_units
from bot.domain.forms import Form
from bot.domain.periods import period_for
from bot.domain.text import fold
from storage.models import Role, Unit
from tests.conftest import BotHarness
from tests.fakes import Call, callback_update, text_update
from tests.integration.seed import bind

P1, P2 = "01", "19"  # Hà Nội (named in no example text), Thái Nguyên
LAN, TU, SUP_A, SUP_B, ADM_B, STRANGER = 7101, 7102, 7103, 7104, 7105, 7106
SIGNER = "Nguyễn Văn Khảm"
SECRET_TEXT = "Đề nghị cấp mã K7Q9Z cho kho số"
# Figures of A that appear nowhere else: last week's and this week's draft.
A_WEEK = {
    "carried_over": 4409, "received_online_full": 8317, "received_online_partial": 2731,
    "received_in_person": 611, "received_postal": 3, "resolved_early": 9127, "resolved_on_time": 1204,
    "resolved_late": 7, "pending_in_time": 5701, "pending_overdue": 12, "withdrawn": 20,
    "digitized": 8803, "e_results": 9001, "overdue_reasons": "Chờ ý kiến của Sở Nông nghiệp.",
    "legal": "Ban hành Quyết định 57/QĐ-UBND.", "infrastructure": "Thêm 02 máy quét.",
    "resources": "04 công chức.", "difficulties": SECRET_TEXT, "proposals": "Bổ sung biên chế.",
}
COMMAND_ARGS = ["", "{a_code}", "{a_folded}", "{p1}", "tinh {p1}", "{p1_folded}", "tinh {p1_folded}",
                "{a_code} nguoiky Ke La", "tinh {p1} nguoiky Ke La", "{a_code} {period_key}",
                "{p1} {period_key}", "{submission}", "{a_code} {submission}", "huy", "22/12 26/12",
                "hannop thu5 15:00", "vn", "toanquoc"]


def _unique_commune(communes: list[Unit], taken: set[str]) -> Unit:
    names: dict[str, int] = {}
    for unit in official_units():
        names[unit.name] = names.get(unit.name, 0) + 1
    return next(u for u in communes if names[u.name] == 1 and u.name not in taken)


class World:
    """Who is who, and what of A (and P1) must never be shown to or changed by the outsiders."""

    def __init__(self, harness: BotHarness) -> None:
        self.harness = harness
        self.ids: dict[str, str] = {}
        self.forbidden: dict[int, list[str]] = {}

    async def build(self, clock: Any) -> None:
        storage = self.harness.storage
        units = official_units(P1) + official_units(P2)
        await storage.units.upsert_many(units)
        communes = [u for u in units if u.kind == "commune" and u.province_code == P1]
        self.a = _unique_commune(communes, set())
        self.b = _unique_commune(communes, {self.a.name})
        self.p1 = next(u for u in units if u.code == P1)
        now = clock.now()
        lan = await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, self.a, now)
        await bind(storage, TU, "Lê Văn Tú", Role.REPORTER, self.b, now)
        await bind(storage, SUP_A, "Hoàng Minh Sở", Role.SUPERVISOR, self.p1, now)
        await bind(storage, SUP_B, "Đỗ Thu Hà", Role.SUPERVISOR, next(u for u in units if u.code == P2), now)
        await bind(storage, ADM_B, "Phạm Quản Trị", Role.ADMIN, next(u for u in units if u.code == P2), now)
        form: Form = self.harness.app.services.forms["tthc-weekly"]
        # last week submitted, this week half answered with a soft-check reason, A's own settings
        from bot.domain.periods import current_open_period

        current = current_open_period(form.period, now)
        periods = []
        for key in (current.key.previous(), current.key):
            info = period_for(form.period, key)
            periods.append(await storage.periods.upsert(form.id, str(info.key), info.starts_on, info.ends_on,
                                                        info.opens_at, info.deadline_at, info.deadline_note))
        before, this = periods
        submission = await storage.submissions.add_version(before.id, self.a.code, A_WEEK, {}, lan.id,
                                                           before.deadline_at - timedelta(hours=5))
        draft = await storage.drafts.get_or_create(this.id, self.a.code, now)
        await storage.drafts.set_answers(draft.id, {k: A_WEEK[k] for k in list(A_WEEK)[:6]}, lan.id, now)
        await storage.drafts.set_explanation(draft.id, "balance", "Có 434 hồ sơ tồn.", lan.id, now)
        await storage.drafts.set_cursor(draft.id, lan.id, "resolved_on_time", now)
        await storage.unit_settings.update(self.a.code, {"signer_name": SIGNER}, lan.id, now)
        await storage.unit_settings.update(P1, {"recipient": "Sở KH&CN thành phố Hà Nội"}, None, now)
        membership = (await storage.people.memberships_of(lan.id))[0]
        template = await storage.templates.add("tthc-weekly:pending", P1, "mau.docx", b"PK\x03\x04", None, now)
        self.ids = {
            "a_code": self.a.code, "a_folded": fold(self.a.name), "p1": P1, "p1_folded": fold(self.p1.name),
            "draft": str(draft.id), "period": str(this.id), "period_before": str(before.id),
            "period_key": str(this.key), "period_key_before": str(before.key), "submission": str(submission.id),
            "membership": str(membership.id), "template": str(template.id), "person": str(lan.id),
        }
        a_names = [self.a.full_name, self.a.name, "Nguyễn Thị Lan", SIGNER]
        figures = [f"{v:,}".replace(",", ".") for v in A_WEEK.values() if isinstance(v, int) and v >= 1000]
        figures += [str(v) for v in A_WEEK.values() if isinstance(v, int) and v >= 1000]
        a_texts = [SECRET_TEXT, "K7Q9Z", "Có 434 hồ sơ tồn", "Quyết định 57/QĐ-UBND"]
        province = [self.p1.name, self.b.name, "Lê Văn Tú", "Hoàng Minh Sở"]
        self.forbidden = {
            STRANGER: a_names + figures + a_texts + province,
            TU: a_names + figures + a_texts,
            SUP_B: a_names + figures + a_texts + province,
            ADM_B: a_names + figures + a_texts + province,
        }

    async def protected(self, actor: int) -> dict[str, list[Any]]:
        """The rows of what the actor must not change: all of A, or all of P1 for P2's people."""
        db = self.harness.storage.db
        if actor == TU:
            codes = [self.a.code]
        else:
            codes = [u.code for u in await self.harness.storage.units.list_communes(P1)] + [P1]
        marks = ", ".join("?" * len(codes))
        drafts = f"SELECT id FROM drafts WHERE unit_code IN ({marks})"
        people = f"SELECT person_id FROM memberships WHERE unit_code IN ({marks})"
        queries = {
            "drafts": f"SELECT * FROM drafts WHERE unit_code IN ({marks})",
            "draft_answers": f"SELECT * FROM draft_answers WHERE draft_id IN ({drafts})",
            "answer_history": f"SELECT * FROM answer_history WHERE draft_id IN ({drafts})",
            "draft_explanations": f"SELECT * FROM draft_explanations WHERE draft_id IN ({drafts})",
            "draft_cursors": f"SELECT * FROM draft_cursors WHERE draft_id IN ({drafts})",
            "submissions": f"SELECT * FROM submissions WHERE unit_code IN ({marks})",
            "memberships": f"SELECT * FROM memberships WHERE unit_code IN ({marks})",
            "invites": f"SELECT * FROM invites WHERE unit_code IN ({marks})",
            "unit_settings": f"SELECT * FROM unit_settings WHERE unit_code IN ({marks})",
            "templates": f"SELECT id, name, unit_code, version FROM templates WHERE unit_code IN ({marks})",
            "people": f"SELECT * FROM people WHERE id IN ({people})",
            "notices": f"SELECT * FROM notices WHERE person_id IN ({people})",
        }
        found: dict[str, list[Any]] = {}
        for name, sql in queries.items():
            try:
                rows = await db.fetch_all(sql, codes * (sql.count("?") // len(codes)))
            except Exception as exc:  # noqa: BLE001 - a table another journey has not created yet
                if "no such table" in str(exc):
                    continue
                raise
            found[name] = sorted((tuple(row) for row in rows), key=repr)
        return found


def collect(application: Any) -> tuple[list[str], list[str]]:
    """The commands and the callback-data prefixes of every registered handler."""
    commands: set[str] = set()
    prefixes: set[str] = set()

    def visit(handler: Any) -> None:
        if isinstance(handler, ConversationHandler):
            for inner in [*handler.entry_points, *handler.fallbacks,
                          *(h for hs in handler.states.values() for h in hs)]:
                visit(inner)
        elif isinstance(handler, CommandHandler):
            commands.update(handler.commands)
        elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
            pattern = handler.pattern.pattern if hasattr(handler.pattern, "pattern") else str(handler.pattern)
            match = re.match(r"^\^?([A-Za-z0-9_]+):", pattern)
            if match:
                prefixes.add(match.group(1))

    for group in application.handlers.values():
        for handler in group:
            visit(handler)
    return sorted(commands), sorted(prefixes)


def button_data(prefix: str, ids: dict[str, str], rng: random.Random, count: int | None) -> list[str]:
    """Callback data in the shapes the bot uses (prefix:a, prefix:a:b, prefix:a:b:c) from A's ids,
    period keys, one-letter verbs and field ids; all of them, or a sample of ``count`` of each shape."""
    values = sorted(set(ids.values()) - {ids["a_folded"], ids["p1_folded"]})
    letters = list(string.ascii_lowercase)
    fields = ["carried_over", "resolved_on_time", "difficulties", "balance"]
    shapes = [
        [[*letters, *values]],
        [letters, values],
        [values, letters],
        [values, values],
        [letters, values, values],
        [letters, values, fields],
        [values, letters, fields],
        [values, letters, values],
    ]
    chosen: list[str] = []
    for shape in shapes:  # every shape, all of it or ``count`` of it
        every = [data for data in (":".join([prefix, *parts]) for parts in itertools.product(*shape))
                 if len(data.encode()) <= 64]
        chosen += every if count is None or count >= len(every) else rng.sample(every, count)
    return chosen


def _shown(calls: list[Call]) -> str:
    """Everything an actor could read from the bot's answers: texts, captions, buttons, file names."""
    parts = []
    for call in calls:
        parts.append(call.text)
        parts.extend(label for label, _ in call.buttons)
        parts.extend(name for name, _ in call.files.values())
        if call.method == "setMyCommands":
            parts.append(json.dumps(call.params.get("commands"), ensure_ascii=False))
    return "\n".join(parts)


def _leaks(shown: str, forbidden: list[str], typed: str) -> list[str]:
    """Forbidden words in what was shown, as written or without diacritics — except the latter when
    the actor typed them so (the bot may repeat a query: «phuc loc» is not a leak, «Phúc Lộc» is)."""
    folded, typed_folded = fold(shown), fold(typed)
    found = [item for item in forbidden if item in shown]
    found += [item for item in forbidden if not item.isdigit() and len(item) > 4 and fold(item) in folded
              and fold(item) not in typed_folded and item not in found]
    return found


@pytest.mark.parametrize("samples", [pytest.param(6, id="short"), pytest.param(None, id="soak", marks=pytest.mark.soak)])
async def test_outsiders_are_refused_everything(samples: int | None, harness: BotHarness, clock) -> None:
    world = World(harness)
    await world.build(clock)
    commands, prefixes = collect(harness.app)
    assert {"baocao", "moi", "nguoidung", "caidat", "baocaocu"} <= set(commands), commands
    assert {"r", "rc", "mi", "nd", "rf"} <= set(prefixes), prefixes
    rng = random.Random(1)
    tried = 0
    for actor, name in ((STRANGER, "stranger"), (TU, "reporter of B"), (SUP_B, "supervisor of P2"),
                        (ADM_B, "admin of P2")):
        before = await world.protected(actor)
        inputs: list[dict[str, Any]] = []
        for command in commands:
            for template in COMMAND_ARGS:
                text = f"/{command} {template.format(**world.ids)}".strip()
                inputs.append(text_update(actor, text))
        for prefix in prefixes:
            for data in button_data(prefix, world.ids, rng, samples):
                inputs.append(callback_update(actor, data, message_id=50 + len(inputs) % 7))
        for payload in inputs:
            harness.request.clear()
            await harness.send(payload)
            calls = harness.request.calls
            what = payload.get("message", {}).get("text") or payload.get("callback_query", {}).get("data")
            others = [c for c in calls if c.params.get("chat_id") is not None
                      and str(c.params.get("chat_id")) != str(actor)]
            assert not others, (f"{name}: {what!r} made the bot write to chat {others[0].params['chat_id']}: "
                                f"{others[0].text!r}")
            calls = [c for c in calls if c not in others]
            answered = [c for c in calls if c.method in {"sendMessage", "answerCallbackQuery", "sendDocument",
                                                         "editMessageText"}]
            assert answered, f"{name}: {what!r} was not answered"
            leaks = _leaks(_shown(calls), world.forbidden[actor], str(what))
            assert not leaks, f"{name}: {what!r} showed {leaks}: {_shown(calls)[:500]!r}"
            tried += 1
        assert await world.protected(actor) == before, f"{name} changed something of A / P1"
    print(f"{tried} inputs tried")
    assert tried >= (1_000 if samples else 10_000)
