"""Submitted reports: every version kept (a trigger refuses overwriting or deleting one);
the highest version of a (period, unit) is its current report."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import JsonValue

from .base import Repository
from .codec import dt_from_text, dt_text, from_json, json_text
from .models import Submission, SubmissionStatus

_COLUMNS = (
    "id, period_id, unit_code, version, answers, explanations, submitted_by, submitted_at, late, on_behalf,"
    " status, status_by, status_at, status_reason, form_id, form_version, untimed"
)
# The form a new version answered: its period's; in the version the caller names, else the latest
# version the database has recorded of that form, else 1.
_FORM_OF_PERIOD = "(SELECT p.form_id FROM periods p WHERE p.id = ?)"
_FORM_VERSION = (f"COALESCE(?, (SELECT MAX(f.version) FROM form_versions f WHERE f.form_id = {_FORM_OF_PERIOD}), 1)")
_S_COLUMNS = ", ".join(f"s.{column.strip()}" for column in _COLUMNS.split(","))
# The latest version of its (period, unit): a lookup in the UNIQUE (period_id, unit_code, version) index.
_IS_LATEST = (
    "s.version = (SELECT MAX(v.version) FROM submissions v"
    " WHERE v.period_id = s.period_id AND v.unit_code = s.unit_code)"
)


class Current(NamedTuple):
    """A (period, unit)'s latest version as bulk imports compare with it (no model per row)."""

    version: int
    status: str
    answers: dict[str, Any]
    explanations: dict[str, Any]


class Recent:
    """One of a unit's latest versions with its period's key and dates (ISO text, as stored: they
    sort), what the checks of a conversation or an import read of the commune's history; its
    answers are decoded when first asked for (a bulk import often knows them already).
    ``submission_id`` is None for a version an import is about to write."""

    __slots__ = ("period_id", "key", "starts_on", "opens_at", "version", "submission_id", "_json", "_answers")

    def __init__(self, period_id: int, key: str, starts_on: str, opens_at: str, version: int, *,
                 answers_json: str | None = None, answers: dict[str, Any] | None = None,
                 submission_id: int | None = None) -> None:
        self.period_id, self.key, self.starts_on, self.opens_at, self.version = (period_id, key, starts_on, opens_at,
                                                                                 version)
        self.submission_id = submission_id
        self._json, self._answers = answers_json, answers

    @property
    def answers(self) -> dict[str, Any]:
        if self._answers is None:
            self._answers = from_json(self._json) if self._json is not None else {}
        return self._answers


class NewVersion(NamedTuple):
    """A version to add in bulk, its number already known (the UNIQUE index refuses a clash)."""

    period_id: int
    unit_code: str
    version: int
    answers: Mapping[str, JsonValue]
    explanations: Mapping[str, JsonValue]
    submitted_at: datetime
    late: bool
    form_version: int | None = None  # the version of the form answered (see ``add_version``)
    untimed: bool = False  # imported without the moment it was sent (see ``add_version``)


def _values(count: int, width: int) -> str:
    return ", ".join(["(" + ", ".join(["?"] * width) + ")"] * count)


def _submission(row: sqlite3.Row) -> Submission:
    return Submission.model_validate(
        {**dict(row), "answers": from_json(row["answers"]), "explanations": from_json(row["explanations"])}
    )


class SubmissionRepo(Repository):
    async def add_version(
        self,
        period_id: int,
        unit_code: str,
        answers: Mapping[str, JsonValue],
        explanations: Mapping[str, JsonValue],
        by: int | None,
        at: datetime,
        *,
        late: bool = False,
        on_behalf: bool = False,
        mark_draft_submitted: bool = True,
        form_version: int | None = None,
        form_id: str | None = None,
        untimed: bool = False,
    ) -> Submission:
        """Store a new version (1, 2, …) of the unit's report for the period, in one transaction;
        the unit's draft for the period, if any, is marked submitted in the same transaction.
        It records the period's form and ``form_version``, the version of the form answered
        (when not given: the latest version recorded in ``form_versions``, else 1); ``form_id``: the
        form answered when it is not the period's own (a variant of it). ``untimed``: an import that
        did not say when the report was sent (``at`` is the import's moment): neither on time nor late."""
        async with self.db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "INSERT INTO submissions (period_id, unit_code, version, answers, explanations,"
                    " submitted_by, submitted_at, late, on_behalf, form_id, form_version, untimed)"
                    f" SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ?, ?, COALESCE(?, {_FORM_OF_PERIOD}),"
                    f" {_FORM_VERSION}, ?"
                    " FROM submissions WHERE period_id = ? AND unit_code = ?"
                    f" RETURNING {_COLUMNS}",
                    (period_id, unit_code, json_text(dict(answers)), json_text(dict(explanations)), by,
                     dt_text(at), int(late), int(on_behalf), form_id, period_id, form_version, period_id,
                     int(untimed),
                     period_id, unit_code),
                )
            )
            if mark_draft_submitted:
                await conn.execute(
                    "UPDATE drafts SET status = 'submitted', updated_at = MAX(updated_at, ?)"
                    " WHERE period_id = ? AND unit_code = ?",
                    (dt_text(at), period_id, unit_code),
                )
        return _submission(rows[0])

    async def get(self, submission_id: int) -> Submission | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM submissions WHERE id = ?", (submission_id,))
        return None if row is None else _submission(row)

    async def latest(self, period_id: int, unit_code: str) -> Submission | None:
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM submissions WHERE period_id = ? AND unit_code = ? ORDER BY version DESC LIMIT 1",
            (period_id, unit_code), quick=True,
        )
        return None if row is None else _submission(row)

    async def versions(self, period_id: int, unit_code: str) -> list[Submission]:
        """Every version, the first first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM submissions WHERE period_id = ? AND unit_code = ? ORDER BY version",
            (period_id, unit_code),
        )
        return [_submission(row) for row in rows]

    async def first_sent(self, period_id: int) -> dict[str, tuple[datetime, bool]]:
        """Each unit's first version of the period: when it was sent, and whether that moment is
        unknown (imported without it). One query for a rollup, instead of ``versions`` per unit."""
        rows = await self.db.fetch_all(
            "SELECT unit_code, submitted_at, untimed FROM submissions WHERE period_id = ? AND version ="
            " (SELECT MIN(v.version) FROM submissions v WHERE v.period_id = submissions.period_id"
            " AND v.unit_code = submissions.unit_code)",
            (period_id,),
        )
        return {row["unit_code"]: (dt_from_text(row["submitted_at"]), bool(row["untimed"])) for row in rows}

    async def list_latest_for_period(self, period_id: int, province_code: str | None = None) -> list[Submission]:
        """One row per unit that submitted for the period (its latest version), in unit code
        order; only the province's communes when ``province_code`` is given."""
        if province_code is None:
            rows = await self.db.fetch_all(
                f"SELECT {_S_COLUMNS} FROM submissions s WHERE s.period_id = ? AND {_IS_LATEST} ORDER BY s.unit_code",
                (period_id,),
            )
        else:
            rows = await self.db.fetch_all(
                f"SELECT {_S_COLUMNS} FROM units u JOIN submissions s ON s.unit_code = u.code"
                f" WHERE u.province_code = ? AND s.period_id = ? AND {_IS_LATEST} ORDER BY s.unit_code",
                (province_code, period_id),
            )
        return [_submission(row) for row in rows]

    async def any_for_period(self, period_id: int, province_code: str | None = None) -> bool:
        """Whether a unit (of the province, when given) has submitted for the period: one indexed
        look-up, where ``list_latest_for_period`` would read and decode every report."""
        if province_code is None:
            found = await self.db.fetch_value(
                "SELECT EXISTS (SELECT 1 FROM submissions WHERE period_id = ?)", (period_id,), quick=True)
        else:
            found = await self.db.fetch_value(
                "SELECT EXISTS (SELECT 1 FROM submissions s JOIN units u ON u.code = s.unit_code"
                " WHERE s.period_id = ? AND u.province_code = ?)", (period_id, province_code), quick=True)
        return bool(found)

    async def forms_submitted(self, unit_codes: Sequence[str]) -> set[str]:
        """The forms these units have submitted at least one report of (/baocaocu asks which
        report only when they sent more than one): one query for all the units."""
        if not unit_codes:
            return set()
        marks = ", ".join("?" * len(unit_codes))
        rows = await self.db.fetch_all(
            "SELECT DISTINCT p.form_id FROM submissions s JOIN periods p ON p.id = s.period_id"
            f" WHERE s.unit_code IN ({marks})", tuple(unit_codes), quick=True)  # a person's few communes
        return {row[0] for row in rows}

    async def recent_for_unit(self, unit_code: str, form_id: str, before: datetime | None = None,
                              limit: int = 8) -> list[Submission]:
        """The unit's latest versions for its most recent periods of the form (periods opened
        before ``before`` if given), the most recent first — e.g. for the "far above its usual
        median" check or last period's figures."""
        before_clause = "" if before is None else " AND p.opens_at < ?"
        params: tuple[object, ...] = (unit_code, form_id) + (() if before is None else (dt_text(before),))
        rows = await self.db.fetch_all(
            f"SELECT {_S_COLUMNS} FROM submissions s JOIN periods p ON p.id = s.period_id"
            f" WHERE s.unit_code = ? AND p.form_id = ?{before_clause} AND {_IS_LATEST}"
            " ORDER BY p.starts_on DESC LIMIT ?",
            (*params, limit), quick=True,  # a commune's few weeks, by the (unit, period) index
        )
        return [_submission(row) for row in rows]

    async def recent_answers(self, unit_code: str, form_id: str, before: datetime | None = None,
                             limit: int = 8) -> list[Recent]:
        """``recent_for_unit``'s answers with their period's key, in one query and without
        validating each whole submission again (they were when stored): a handful of JSON texts."""
        before_clause = "" if before is None else " AND p.opens_at < ?"
        params: tuple[object, ...] = (unit_code, form_id) + (() if before is None else (dt_text(before),))
        rows = await self.db.fetch_all(
            "SELECT s.id, s.period_id, p.key, p.starts_on, p.opens_at, s.version, s.answers"
            " FROM submissions s JOIN periods p ON p.id = s.period_id"
            f" WHERE s.unit_code = ? AND p.form_id = ?{before_clause} AND {_IS_LATEST}"
            " ORDER BY p.starts_on DESC LIMIT ?",
            (*params, limit), quick=True,
        )
        return [Recent(row["period_id"], row["key"], row["starts_on"], row["opens_at"], row["version"],
                       answers_json=row["answers"], submission_id=row["id"]) for row in rows]

    async def set_status(
        self,
        submission_id: int,
        status: SubmissionStatus,
        by: int | None,
        at: datetime,
        reason: str | None = None,
    ) -> Submission:
        """Approve or return a version (or set it back to submitted); the content is unchanged."""
        rows = await self.db.execute_returning(
            "UPDATE submissions SET status = ?, status_by = ?, status_at = ?, status_reason = ?"
            f" WHERE id = ? RETURNING {_COLUMNS}",
            (str(SubmissionStatus(status)), by, dt_text(at), reason, submission_id),
        )
        if not rows:
            raise LookupError(f"no submission {submission_id}")
        return _submission(rows[0])

    # -- in bulk (imports): one statement per batch of rows, plain tuples instead of models -----

    async def current_of(self, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], Current]:
        """The latest version of each (period id, unit code) that has one."""
        if not pairs:
            return {}
        rows = await self.db.fetch_all(
            f"WITH wanted(period_id, unit_code) AS (VALUES {_values(len(pairs), 2)})"
            " SELECT s.period_id, s.unit_code, s.version, s.status, s.answers, s.explanations"
            f" FROM wanted w JOIN submissions s ON s.period_id = w.period_id AND s.unit_code = w.unit_code"
            f" WHERE {_IS_LATEST}",
            [value for pair in pairs for value in pair],
        )
        return {(row[0], row[1]): Current(row[2], row[3], from_json(row[4]), from_json(row[5])) for row in rows}

    async def recent_of(self, wanted: Sequence[tuple[str, datetime]], form_id: str,
                        limit: int = 8) -> dict[str, dict[int, Recent]]:
        """For each (unit code, moment): the unit's latest versions of the ``limit`` most recent
        periods of the form opened before the moment (as ``recent_for_unit``), gathered by unit
        and period id (a unit asked for at several moments gets the union)."""
        if not wanted:
            return {}
        # Per (unit, moment) the ids of its ``limit`` newest latest versions, newest period first, the
        # search stopping there (a window over all of a unit's periods costs three times as much
        # once an import has stored many); then those rows with their answers.
        rows = await self.db.fetch_all(
            f"WITH wanted(unit_code, before) AS (VALUES {_values(len(wanted), 2)})"
            " SELECT w.unit_code, s.period_id, p.key, p.starts_on, p.opens_at, s.version, s.answers"
            " FROM wanted w JOIN submissions s ON s.id IN ("
            " SELECT s.id FROM periods p JOIN submissions s ON s.period_id = p.id AND s.unit_code = w.unit_code"
            f" WHERE p.form_id = ? AND p.opens_at < w.before AND {_IS_LATEST} ORDER BY p.starts_on DESC LIMIT ?)"
            " JOIN periods p ON p.id = s.period_id",
            [*(value for unit, at in wanted for value in (unit, dt_text(at))), form_id, limit],
        )
        found: dict[str, dict[int, Recent]] = {}
        for row in rows:
            per_unit = found.setdefault(row[0], {})
            if row[1] not in per_unit:
                per_unit[row[1]] = Recent(row[1], row[2], row[3], row[4], row[5], answers_json=row[6])
        return found

    async def add_versions(self, versions: Sequence[NewVersion], *, by: int | None = None,
                           on_behalf: bool = True) -> None:
        """Store many new versions in one statement (inside the caller's transaction, or its own);
        drafts are left alone: the caller sends through ``add_version`` the units that have one."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO submissions (period_id, unit_code, version, answers, explanations, submitted_by,"
                f" submitted_at, late, on_behalf, form_id, form_version, untimed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                f" {_FORM_OF_PERIOD}, {_FORM_VERSION}, ?)",
                [(v.period_id, v.unit_code, v.version, json_text(dict(v.answers)), json_text(dict(v.explanations)),
                  by, dt_text(v.submitted_at), int(v.late), int(on_behalf), v.period_id, v.form_version, v.period_id,
                  int(v.untimed))
                 for v in versions],
            )
