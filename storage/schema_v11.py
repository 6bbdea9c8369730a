"""Schema v11 — template ids are never given again (see ``migrations.py``): an upload waiting for
the admin's answer is removed once answered, and a button under an old preview names its row's id;
with AUTOINCREMENT a later upload can never take that id and be kept by the old button."""

SQL = """
CREATE TABLE templates_v11 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,                 -- what it renders: "tthc-weekly", "tthc-weekly-rollup"
    unit_code   TEXT REFERENCES units (code),  -- NULL: the default for every unit
    version     INTEGER NOT NULL CHECK (version >= 1),
    filename    TEXT NOT NULL,
    content     BLOB NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES people (id),
    uploaded_at TEXT NOT NULL,
    note        TEXT
);
INSERT INTO templates_v11 SELECT id, name, unit_code, version, filename, content, size, sha256, uploaded_by,
    uploaded_at, note FROM templates;
DROP TABLE templates;
ALTER TABLE templates_v11 RENAME TO templates;
CREATE UNIQUE INDEX templates_version_once ON templates (name, IFNULL(unit_code, ''), version);
"""
