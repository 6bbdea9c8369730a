"""Schema v7 — the id of the last message a person's typed answer came from, per draft (see
``migrations.py``): Telegram delivers an update again when the bot stopped before confirming it, and
a message already taken must not answer the next question."""

SQL = """
ALTER TABLE draft_cursors ADD COLUMN answered_message INTEGER;
"""
