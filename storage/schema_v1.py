"""Schema v1: the core tables (see ``migrations.py``)."""

SQL = """
-- v1: the core tables. Datetimes are ISO-8601 text in +07:00 (they sort in time order),
-- dates ISO text, JSON values text, flags 0/1. People are referred to by people.id.

-- Administrative units of the official list (QĐ 19/2025/QĐ-TTg): 34 provinces, 3,321 communes.
CREATE TABLE units (
    code          TEXT PRIMARY KEY,            -- official code, zero-padded: "19", "05929"
    name          TEXT NOT NULL,               -- "Phước Giang"
    full_name     TEXT NOT NULL,               -- "Xã Phước Giang"
    kind          TEXT NOT NULL CHECK (kind IN ('province', 'commune')),
    division_type TEXT NOT NULL,               -- xã | phường | đặc khu | tỉnh | thành phố
    province_code TEXT NOT NULL,               -- a province's own code for a province
    folded_name   TEXT NOT NULL                -- "xa phuoc giang", for search without diacritics
) WITHOUT ROWID;
CREATE INDEX units_by_province ON units (province_code, kind, code);
CREATE INDEX units_by_kind ON units (kind, code);

CREATE TABLE people (
    id                    INTEGER PRIMARY KEY,
    telegram_id           INTEGER NOT NULL UNIQUE,
    full_name             TEXT NOT NULL DEFAULT '',
    username              TEXT,
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),  -- 0: blocked the bot
    created_at            TEXT NOT NULL,
    blocked_at            TEXT,
    reminders_paused_from TEXT,                -- leave: no reminders from … to … (dates, inclusive)
    reminders_paused_to   TEXT
);

CREATE TABLE memberships (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('reporter', 'supervisor', 'admin')),
    unit_code  TEXT REFERENCES units (code),   -- commune (reporter), province (supervisor), NULL/province (admin)
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK (role = 'admin' OR unit_code IS NOT NULL)
);
-- One active membership per (person, role, unit); a revoked one can be granted again.
CREATE UNIQUE INDEX memberships_active_once
    ON memberships (person_id, role, IFNULL(unit_code, '')) WHERE revoked_at IS NULL;
CREATE INDEX memberships_by_unit ON memberships (unit_code, role) WHERE revoked_at IS NULL;
CREATE INDEX memberships_by_person ON memberships (person_id);

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),  -- SHA-256 hex; never the token
    role       TEXT NOT NULL CHECK (role IN ('reporter', 'supervisor', 'admin')),
    unit_code  TEXT REFERENCES units (code),
    created_by INTEGER REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER REFERENCES people (id),
    revoked_at TEXT,
    CHECK (role = 'admin' OR unit_code IS NOT NULL),
    CHECK ((used_at IS NULL) = (used_by IS NULL))
);
CREATE INDEX invites_by_unit ON invites (unit_code, created_at);

CREATE TABLE periods (
    id            INTEGER PRIMARY KEY,
    form_id       TEXT NOT NULL,               -- "tthc-weekly"
    key           TEXT NOT NULL,               -- "2025-W50"
    starts_on     TEXT NOT NULL,
    ends_on       TEXT NOT NULL,
    opens_at      TEXT NOT NULL,
    deadline_at   TEXT NOT NULL,
    deadline_note TEXT,                        -- why the deadline moved (a holiday's name)
    UNIQUE (form_id, key),
    CHECK (starts_on <= ends_on),
    CHECK (opens_at <= deadline_at)
);
CREATE INDEX periods_by_opening ON periods (form_id, opens_at);
CREATE INDEX periods_by_deadline ON periods (form_id, deadline_at);
CREATE INDEX periods_by_start ON periods (form_id, starts_on);

-- The conversation's state: one draft per (period, unit), written on every answer.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    period_id  INTEGER NOT NULL REFERENCES periods (id),
    unit_code  TEXT NOT NULL REFERENCES units (code),
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (period_id, unit_code)
);
CREATE INDEX drafts_by_unit ON drafts (unit_code);

CREATE TABLE draft_answers (
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    field_id    TEXT NOT NULL,
    value       TEXT NOT NULL,                 -- JSON
    answered_by INTEGER REFERENCES people (id),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, field_id)
) WITHOUT ROWID;

-- Every answer ever given, so officials sharing a commune see what changed and by whom.
CREATE TABLE answer_history (
    id         INTEGER PRIMARY KEY,
    draft_id   INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    field_id   TEXT NOT NULL,
    old_value  TEXT,                           -- JSON; NULL: no answer before
    new_value  TEXT,                           -- JSON; NULL: answer cleared
    changed_by INTEGER REFERENCES people (id),
    changed_at TEXT NOT NULL
);
CREATE INDEX answer_history_by_draft ON answer_history (draft_id, field_id, id);

-- Reasons given for keeping figures that break a soft check.
CREATE TABLE draft_explanations (
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    reason   TEXT NOT NULL,
    given_by INTEGER REFERENCES people (id),
    given_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, check_id)
) WITHOUT ROWID;

-- What each person is being asked now in a draft.
CREATE TABLE draft_cursors (
    draft_id   INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    field_id   TEXT,
    mode       TEXT NOT NULL DEFAULT 'answer',  -- answer | reason | review | …
    check_id   TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, person_id)
) WITHOUT ROWID;
CREATE INDEX draft_cursors_by_person ON draft_cursors (person_id, updated_at);

-- Every submitted version, never overwritten; the highest version is the current one.
CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    period_id     INTEGER NOT NULL REFERENCES periods (id),
    unit_code     TEXT NOT NULL REFERENCES units (code),
    version       INTEGER NOT NULL CHECK (version >= 1),
    answers       TEXT NOT NULL,               -- JSON object
    explanations  TEXT NOT NULL,               -- JSON object
    submitted_by  INTEGER REFERENCES people (id),
    submitted_at  TEXT NOT NULL,
    late          INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    on_behalf     INTEGER NOT NULL DEFAULT 0 CHECK (on_behalf IN (0, 1)),
    status        TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'returned')),
    status_by     INTEGER REFERENCES people (id),
    status_at     TEXT,
    status_reason TEXT,
    UNIQUE (period_id, unit_code, version)
);
CREATE INDEX submissions_by_unit ON submissions (unit_code, period_id, version);

-- A submitted version's content is kept as it was: only its review status may change.
CREATE TRIGGER submissions_keep_content
BEFORE UPDATE OF period_id, unit_code, version, answers, explanations, submitted_by, submitted_at,
                 late, on_behalf ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submitted versions are never overwritten');
END;
CREATE TRIGGER submissions_keep_rows
BEFORE DELETE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submitted versions are never deleted');
END;

-- Messages the bot owes someone: recorded once, sent at most once.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,                  -- opening | reminder | deadline | escalation | …
    period_id  INTEGER REFERENCES periods (id),
    person_id  INTEGER REFERENCES people (id),
    chat_id    INTEGER NOT NULL,
    due_at     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    TEXT,
    last_error TEXT,
    payload    TEXT                            -- JSON, what the sender needs to compose it
);
-- UNIQUE (kind, period, chat_id, due_at), with a NULL period counted as one value.
CREATE UNIQUE INDEX notices_once ON notices (kind, IFNULL(period_id, 0), chat_id, due_at);
CREATE INDEX notices_pending_by_due ON notices (due_at) WHERE status = 'pending';
CREATE INDEX notices_by_period ON notices (period_id, kind, status);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   INTEGER,                           -- Telegram id; NULL for the system
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT                               -- JSON
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);
CREATE INDEX audit_log_by_action ON audit_log (action, at);
"""
