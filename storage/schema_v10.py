"""Schema v10 — submissions know whether their moment is the report's own (see ``migrations.py``):
a report imported without the date it was sent carries the moment of the import, which says nothing
of its timeliness: it is neither on time nor late ("nhập thay")."""

SQL = """
ALTER TABLE submissions ADD COLUMN untimed INTEGER NOT NULL DEFAULT 0 CHECK (untimed IN (0, 1));
"""
