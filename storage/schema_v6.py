"""Schema v6 — a supervisor's «Trả lại để sửa» waiting for its reason (see ``migrations.py``).

``return_asks`` holds, per supervisor's chat, the report they tapped «↩ Trả lại để sửa» under and
when: their next text is the reason (bot/supervising/return_reason.py). Kept in SQLite so that a
restart between the tap and the reason loses nothing; the row goes in the transaction that returns
the report, or on /huy.
"""

SQL = """
CREATE TABLE return_asks (
    chat_id       INTEGER PRIMARY KEY,                          -- the supervisor's Telegram id
    submission_id INTEGER NOT NULL REFERENCES submissions (id),  -- the version to return
    asked_at      TEXT NOT NULL
) WITHOUT ROWID;
"""
