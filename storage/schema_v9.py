"""Schema v9 — codes typed instead of links (Zalo has no deep links; see ``migrations.py``).

``invites.code_hash``: the hash of the invitation's short code (bot.onboarding.codes), typed on
Zalo or Telegram; NULL for invitations made before. ``link_codes``: the one-time codes that link a
person's second messenger account (/lienket). ``code_attempts``: each wrong code typed, by whom,
to limit guessing."""

SQL = """
ALTER TABLE invites ADD COLUMN code_hash TEXT;
CREATE UNIQUE INDEX invites_code_hash ON invites (code_hash) WHERE code_hash IS NOT NULL;

CREATE TABLE link_codes (
    code_hash  TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    messenger  TEXT NOT NULL CHECK (messenger IN ('telegram', 'zalo')),  -- where it was shown
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX link_codes_person ON link_codes (person_id);

CREATE TABLE code_attempts (
    id      INTEGER PRIMARY KEY,
    actor   TEXT NOT NULL,   -- messenger:user id of who typed it
    at      TEXT NOT NULL,
    purpose TEXT NOT NULL    -- invite | link
);
CREATE INDEX code_attempts_actor_at ON code_attempts (actor, at);
CREATE INDEX code_attempts_at ON code_attempts (at);
"""
