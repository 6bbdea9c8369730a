"""Schema v2: per-unit report settings and uploaded report templates (see ``migrations.py``)."""

SQL = """
-- What a unit's reports print once per unit: signer, recipient, directive, "Nơi nhận".
CREATE TABLE unit_settings (
    unit_code  TEXT PRIMARY KEY REFERENCES units (code),
    settings   TEXT NOT NULL,                  -- JSON object (storage.models.ReportSettings)
    updated_by INTEGER REFERENCES people (id),
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- Uploaded report templates, every version kept; the highest version is the one in use.
CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX templates_version_once ON templates (name, IFNULL(unit_code, ''), version);
"""
