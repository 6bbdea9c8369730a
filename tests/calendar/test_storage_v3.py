"""Schema v3 (tests/storage style): upgrading a v2 database keeps its notices and takes the new
states, the ref in the unique key, calendar overrides and notice runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import VN_TZ
from storage import Database, Storage, latest_version
from storage.codec import dt_text
from storage.models import NoticeStatus

T0 = datetime(2025, 12, 15, 8, 0, tzinfo=VN_TZ)


async def _v2_database(path: Path) -> None:
    db = await Database.open(path, target_version=2)
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO people (id, telegram_id, full_name, created_at) VALUES (1, 1001, 'Lan', ?)",
                               (dt_text(T0),))
            await conn.execute(
                "INSERT INTO periods (id, form_id, key, starts_on, ends_on, opens_at, deadline_at)"
                " VALUES (1, 'tthc-weekly', '2025-W50', '2025-12-08', '2025-12-14', ?, ?)",
                (dt_text(T0), dt_text(T0 + timedelta(days=3, hours=7))),
            )
            await conn.execute(
                "INSERT INTO notices (kind, period_id, person_id, chat_id, due_at, status, attempts, sent_at, payload)"
                " VALUES ('opening', 1, 1, 1001, ?, 'sent', 1, ?, '{\"units\":[\"01840\"]}')",
                (dt_text(T0), dt_text(T0)),
            )
            await conn.execute(
                "INSERT INTO notices (kind, period_id, person_id, chat_id, due_at) VALUES ('reminder', 1, 1, 1001, ?)",
                (dt_text(T0 + timedelta(days=2)),),
            )
    finally:
        await db.close()


async def test_upgrade_from_v2_keeps_the_notices(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    await _v2_database(path)
    storage = await Storage.open(path)
    try:
        assert await storage.db.current_version() == latest_version() >= 3
        opening, reminder = await storage.notices.list_for_period(1)
        assert (opening.kind, opening.status, opening.sent_at, opening.payload, opening.ref) == (
            "opening", NoticeStatus.SENT, T0, {"units": ["01840"]}, "")
        assert reminder.status is NoticeStatus.PENDING and reminder.claimed_at is None
        # the unique key still holds for old rows, and now tells refs apart
        assert not await storage.notices.record_due("opening", 1001, T0, period_id=1)
        assert await storage.notices.record_due("opening", 1001, T0, period_id=1, ref="again")
        # the new states
        now = T0 + timedelta(days=2)
        assert await storage.notices.claim(reminder.id, now)
        assert not await storage.notices.claim(reminder.id, now)
        assert [n.id for n in await storage.notices.due(now, timedelta(hours=6))] == []  # in flight
        [cut_off] = await storage.notices.reconcile_in_flight()
        assert cut_off.id == reminder.id and cut_off.status is NoticeStatus.UNKNOWN
        assert not await storage.notices.mark_sent(reminder.id, now)  # never sent after all
        counts = await storage.notices.count_by_status()
        assert counts[NoticeStatus.UNKNOWN] == 1 and counts[NoticeStatus.SENT] == 1
        # overrides and runs
        await storage.calendar.set_override("tthc-weekly", {"deadline": {"weekday": "friday", "time": "10:00"}},
                                            by=900001, at=now)
        assert (await storage.calendar.override("tthc-weekly")).settings["deadline"]["weekday"] == "friday"
        assert await storage.calendar.record_run(1, "reminder", now, "fired", at=now, recorded=3)
        assert not await storage.calendar.record_run(1, "reminder", now, "dropped", at=now)
        assert (await storage.calendar.run(1, "reminder", now)).status == "fired"
        assert await storage.calendar.clear_override("tthc-weekly")
        assert await storage.calendar.override("tthc-weekly") is None
    finally:
        await storage.close()


async def test_send_states(tmp_path: Path) -> None:
    storage = await Storage.open(tmp_path / "s.sqlite3")
    try:
        await storage.db.execute("INSERT INTO people (id, telegram_id, created_at) VALUES (1, 1, ?)", (dt_text(T0),))
        await storage.notices.record_due("nudge", 1, T0, person_id=1)
        [notice] = await storage.notices.due(T0, timedelta(hours=1))
        assert await storage.notices.claim(notice.id, T0)
        await storage.notices.note_attempt(notice.id, "NetworkError: Bad Gateway")
        released = await storage.notices.mark_failed(notice.id, "RetryAfter", max_attempts=5)
        assert released.status is NoticeStatus.PENDING and released.attempts == 2
        assert await storage.notices.claim(notice.id, T0)
        assert await storage.notices.release(notice.id)
        assert await storage.notices.claim(notice.id, T0)
        assert await storage.notices.mark_sent(notice.id, T0, message_id=42)
        sent = await storage.notices.get(notice.id)
        assert (sent.status, sent.message_id, sent.attempts) == (NoticeStatus.SENT, 42, 3)
        assert not await storage.notices.mark_unknown(notice.id, "late")
    finally:
        await storage.close()
