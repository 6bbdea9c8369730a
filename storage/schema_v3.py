"""Schema v3: the reminder calendar (see ``migrations.py``).

- ``notices`` is rebuilt (SQLite cannot change a CHECK in place) with two more states for
  exactly-once delivery — ``sending`` (claimed, the request is on its way to Telegram) and
  ``unknown`` (the answer never came: delivered or not, it is not sent again) — with ``ref``
  in the unique key (two notices of one kind, chat and instant about different things, e.g.
  two people who blocked the bot), the claim time and Telegram's message id.
- ``calendar_overrides``: the parts of a form's ``period`` block an admin changed in chat.
- ``notice_runs``: which planned moments (opening, reminders, deadline, escalation of a
  period) were fired, dropped after an outage longer than the grace, or skipped.
"""

SQL = """
CREATE TABLE notices_v3 (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,                  -- opening | reminder | deadline | escalation | nudge | …
    period_id  INTEGER REFERENCES periods (id),
    person_id  INTEGER REFERENCES people (id),
    chat_id    INTEGER NOT NULL,
    due_at     TEXT NOT NULL,
    ref        TEXT NOT NULL DEFAULT '',       -- what else tells notices apart, e.g. 'person:12'
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sending', 'sent', 'unknown', 'failed', 'dropped')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT,                           -- when the last send began
    sent_at    TEXT,
    message_id INTEGER,                        -- Telegram's id of the message, once confirmed
    last_error TEXT,
    payload    TEXT                            -- JSON, what the sender needs to compose it
);
INSERT INTO notices_v3 (id, kind, period_id, person_id, chat_id, due_at, status, attempts, sent_at, last_error, payload)
    SELECT id, kind, period_id, person_id, chat_id, due_at, status, attempts, sent_at, last_error, payload
    FROM notices;
DROP TABLE notices;
ALTER TABLE notices_v3 RENAME TO notices;
-- UNIQUE (kind, period, chat_id, due_at, ref), with a NULL period counted as one value.
CREATE UNIQUE INDEX notices_once ON notices (kind, IFNULL(period_id, 0), chat_id, due_at, ref);
CREATE INDEX notices_pending_by_due ON notices (due_at) WHERE status = 'pending';
CREATE INDEX notices_in_flight ON notices (claimed_at) WHERE status = 'sending';
CREATE INDEX notices_by_period ON notices (period_id, kind, status);

-- What an admin changed of a form's calendar in chat (the form file holds the rest).
CREATE TABLE calendar_overrides (
    form_id    TEXT PRIMARY KEY,
    settings   TEXT NOT NULL,                  -- JSON: keys of the period block (opens, deadline, reminders, quiet_hours)
    updated_by INTEGER,                        -- Telegram id
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- Planned moments of a period, once handled: fired (notices recorded), dropped (fell due
-- while the bot was down, longer ago than the grace) or skipped (made past by a calendar change).
CREATE TABLE notice_runs (
    period_id INTEGER NOT NULL REFERENCES periods (id),
    kind      TEXT NOT NULL,
    due_at    TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('fired', 'dropped', 'skipped')),
    recorded  INTEGER NOT NULL DEFAULT 0,      -- notices recorded when fired
    at        TEXT NOT NULL,
    PRIMARY KEY (period_id, kind, due_at)
) WITHOUT ROWID;
"""
