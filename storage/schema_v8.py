"""Schema v8 — people on either messenger, or both (see ``migrations.py``).

``people`` is rebuilt (SQLite cannot drop a NOT NULL in place): ``telegram_id`` becomes
nullable (someone who only uses Zalo has none), ``zalo_id`` holds Zalo's id of the user (a
string; unique, NULL for Telegram-only people) and ``messenger`` the messenger they used last
('telegram' or 'zalo'; NULL: Telegram, as before). A person has at least one of the two ids.

``chat_options``: the options last offered in a chat of a messenger without buttons (Zalo), so
that a typed "2" means the same after a restart: per chat, the keys, labels and encoded actions
(bot/chat/actions.py) of the last message(s) that offered choices.

``inbox``: an update a messenger handed out and the bot has not finished handling. Zalo's
getUpdates confirms an update by handing it out: one taken by a process that then dies would be
lost, so it is written here first, deleted once handled, and handled at the next start if the
process died meanwhile (``attempts`` stops an update that kills the bot from doing it for ever).
"""

SQL = """
CREATE TABLE people_v8 (
    id                    INTEGER PRIMARY KEY,
    telegram_id           INTEGER UNIQUE,
    zalo_id               TEXT UNIQUE,
    messenger             TEXT CHECK (messenger IN ('telegram', 'zalo')),  -- last used; NULL: telegram
    full_name             TEXT NOT NULL DEFAULT '',
    username              TEXT,
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),  -- 0: blocked the bot
    created_at            TEXT NOT NULL,
    blocked_at            TEXT,
    reminders_paused_from TEXT,                -- leave: no reminders from … to … (dates, inclusive)
    reminders_paused_to   TEXT,
    CHECK (telegram_id IS NOT NULL OR zalo_id IS NOT NULL)
);
INSERT INTO people_v8 (id, telegram_id, full_name, username, active, created_at, blocked_at,
                        reminders_paused_from, reminders_paused_to)
    SELECT id, telegram_id, full_name, username, active, created_at, blocked_at,
           reminders_paused_from, reminders_paused_to
    FROM people;
DROP TABLE people;
ALTER TABLE people_v8 RENAME TO people;

CREATE TABLE chat_options (
    messenger  TEXT NOT NULL,                  -- 'zalo'
    chat_id    TEXT NOT NULL,                  -- the messenger's chat id
    options    TEXT NOT NULL,                  -- JSON: [{"key": "1", "label": "…", "action": "r:12:b"}, …]
    typed      INTEGER NOT NULL DEFAULT 0,     -- 1: a question awaits a typed value (options by letter)
    offered_at TEXT NOT NULL,
    PRIMARY KEY (messenger, chat_id)
) WITHOUT ROWID;

CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    messenger   TEXT NOT NULL,                 -- 'zalo'
    body        TEXT NOT NULL,                 -- the update as received (JSON)
    received_at TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0     -- handlings begun at a start after the process died
);
"""
