"""Schema v4: when the question a person is being asked was shown (see ``migrations.py``).

``draft_cursors.shown_at`` is Telegram's date of the message that showed the current question
(NULL until it is shown, and for every cursor written before v4). A typed answer that Telegram
received before that moment was sent before the official could see the question, so it is not
stored as its answer (a "53" sent twice on a slow connection must not fill the next question).
"""

SQL = """
-- Telegram's date of the message that showed the cursor's question; NULL: not recorded.
ALTER TABLE draft_cursors ADD COLUMN shown_at TEXT;
"""
