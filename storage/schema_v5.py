"""Schema v5: which form, in which version, a submission answered (see ``migrations.py``).

- ``submissions.form_id`` and ``submissions.form_version``: a report renders with the version of
  its form it answered, even after the form file changed. Rows stored before v5 take their
  period's form and version 1 (the only version any form had then).
- ``form_versions``: the text of every version of every form the bot has loaded, so that an old
  version can be read back when its file has moved on.
- Once set, the two are never changed (a trigger, as for the rest of a version's content); a row
  inserted without them (an older code path) takes its period's form and version 1 at once.
"""

SQL = """
ALTER TABLE submissions ADD COLUMN form_id TEXT;
ALTER TABLE submissions ADD COLUMN form_version INTEGER CHECK (form_version >= 1);
UPDATE submissions
   SET form_id = (SELECT p.form_id FROM periods p WHERE p.id = submissions.period_id),
       form_version = 1;

CREATE TRIGGER submissions_keep_form
BEFORE UPDATE OF form_id, form_version ON submissions
WHEN OLD.form_id IS NOT NULL AND OLD.form_version IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'submitted versions are never overwritten');
END;
CREATE TRIGGER submissions_form_of_period
AFTER INSERT ON submissions
WHEN NEW.form_id IS NULL OR NEW.form_version IS NULL
BEGIN
    UPDATE submissions
       SET form_id = COALESCE(NEW.form_id, (SELECT p.form_id FROM periods p WHERE p.id = NEW.period_id)),
           form_version = COALESCE(NEW.form_version, 1)
     WHERE id = NEW.id;
END;

-- Every version of every form loaded: its YAML text, kept once (a version is never rewritten).
CREATE TABLE form_versions (
    form_id     TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,                 -- the form file's text (YAML)
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
) WITHOUT ROWID;
"""
