"""What the store hands out: persons, sessions and metric values as frozen records, the
checks on what it is given, and how database rows become records."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from gaitlab import __version__
from gaitlab.core.errors import GaitlabError
from gaitlab.store.db import NotFoundError
from gaitlab.store.schema import persons

ANALYSIS_SOURCES = ("file", "live")
#: How a programme session was recorded: entered by hand, or by the guided timer.
PROGRAMME_SOURCES = ("manual", "timer")
#: The exercises of the foot-strengthening programme (any other name is accepted too).
PROGRAMME_EXERCISES = (
    "toe yoga",
    "short foot",
    "calf raises",
    "toe splaying",
    "barefoot balancing",
    "wet foot test",
)
SEXES = ("female", "male")


class InputError(GaitlabError):
    """A value given to the store is not acceptable (bad name, implausible height …)."""


@dataclass(frozen=True)
class Person:
    """A person whose sessions are kept."""

    id: int
    name: str
    sex: str | None = None
    birth_year: int | None = None
    height_cm: float | None = None
    body_mass_kg: float | None = None
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "sex": self.sex,
            "birth_year": self.birth_year,
            "height_cm": self.height_cm,
            "body_mass_kg": self.body_mass_kg,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class Session:
    """One saved analysis (``kind='analysis'``) or programme session (``'programme'``).

    ``summary`` is the analysis's summary.json, filled by :meth:`Store.session` and None in
    listings; ``metrics`` (name → number, text or None) is always there for analyses.
    ``files_dir`` is the absolute folder of the result files, or None (programme sessions,
    live sessions saved without files).
    """

    id: int
    kind: str
    source: str
    recorded_at: datetime
    created_at: datetime
    person: Person | None = None
    task: str | None = None
    exercise: str | None = None
    video_name: str | None = None
    view: str | None = None
    duration_s: float | None = None
    notes: str | None = None
    gaitlab_version: str | None = None
    files_dir: Path | None = None
    metrics: dict[str, float | str | None] = field(default_factory=dict)
    summary: dict[str, Any] | None = None

    def file(self, name: str) -> Path | None:
        """The path of result file ``name`` (``annotated.mp4`` …) if the session has it."""
        if self.files_dir is None:
            return None
        path = self.files_dir / name
        return path if path.exists() else None

    @property
    def what(self) -> str:
        """The task (analyses) or exercise (programme sessions)."""
        return (self.task if self.kind == "analysis" else self.exercise) or ""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "recorded_at": iso(self.recorded_at),
            "created_at": iso(self.created_at),
            "person": self.person.to_dict() if self.person else None,
            "task": self.task,
            "exercise": self.exercise,
            "video_name": self.video_name,
            "view": self.view,
            "duration_s": self.duration_s,
            "notes": self.notes,
            "gaitlab_version": self.gaitlab_version,
            "files_dir": str(self.files_dir) if self.files_dir else None,
            "files": sorted(p.name for p in self.files_dir.iterdir())
            if self.files_dir and self.files_dir.is_dir()
            else [],
            "metrics": self.metrics,
        }
        if self.summary is not None:
            out["summary"] = self.summary
        return out


@dataclass(frozen=True)
class MetricPoint:
    """One value of a metric in one session."""

    session_id: int
    recorded_at: datetime
    value: float
    task: str | None = None


def parse_session_id(ref: int | str) -> int:
    """``12``, ``"12"`` or ``"#12"`` → 12.

    Raises
    ------
    NotFoundError
        Not a session id.
    """
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref
    text = str(ref).strip().lstrip("#")
    if not text.isdigit():
        raise NotFoundError(f"{ref!r} is not a session id: use a number from gaitlab history")
    return int(text)


# -- times ----------------------------------------------------------------------------------------
def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat(timespec="seconds")


def utc(dt: datetime | None) -> datetime | None:
    """Datetimes read back from SQLite lose their zone: they were stored in UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def as_utc(dt: datetime | None) -> datetime:
    if dt is None:
        return datetime.now(UTC)
    if dt.tzinfo is None:  # a naive time given by a caller is local time
        dt = dt.astimezone()
    return dt.astimezone(UTC)


# -- checks ---------------------------------------------------------------------------------------
def person_values(
    name: str,
    sex: str | None,
    birth_year: int | None,
    height_cm: float | None,
    body_mass_kg: float | None,
) -> dict[str, Any]:
    """The ``persons`` row of a new person, checked.

    Raises
    ------
    InputError
        Empty or too long name, or an implausible sex, birth year, height or mass.
    """
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InputError("a person needs a name (at most 200 characters)")
    if sex is not None and sex not in SEXES:
        raise InputError(f"sex must be 'female' or 'male', got {sex!r}")
    this_year = datetime.now().year
    if birth_year is not None and not 1900 <= birth_year <= this_year:
        raise InputError(f"birth year {birth_year} is not plausible (1900-{this_year})")
    if height_cm is not None and not 50 <= height_cm <= 250:
        raise InputError(f"height {height_cm} cm is not plausible (expected 50-250 cm)")
    if body_mass_kg is not None and not 10 <= body_mass_kg <= 400:
        raise InputError(f"body mass {body_mass_kg} kg is not plausible (expected 10-400 kg)")
    return {
        "name": name,
        "sex": sex,
        "birth_year": birth_year,
        "height_cm": None if height_cm is None else float(height_cm),
        "body_mass_kg": None if body_mass_kg is None else float(body_mass_kg),
    }


def check_programme(exercise: str, duration_s: float, source: str) -> str:
    """The programme session's exercise name, stripped, once all three are checked.

    Raises
    ------
    InputError
    """
    exercise = (exercise or "").strip()
    if not exercise or len(exercise) > 100:
        raise InputError("the exercise needs a name (at most 100 characters)")
    if (
        not isinstance(duration_s, int | float)
        or not math.isfinite(duration_s)
        or not (0 <= duration_s <= 24 * 3600)
    ):
        raise InputError(f"duration {duration_s!r} s is not plausible (0 s to 24 h)")
    if source not in PROGRAMME_SOURCES:
        raise InputError(f"source must be one of {', '.join(PROGRAMME_SOURCES)}, got {source!r}")
    return exercise


def text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def analysis_values(
    summary: dict[str, Any], source: str, recorded_at: datetime | None, notes: str | None
) -> dict[str, Any]:
    """The ``sessions`` columns of an analysis, from its summary."""
    video = summary.get("video") or {}
    return {
        "kind": "analysis",
        "source": source,
        "task": text(summary.get("task"), 40),
        "recorded_at": as_utc(recorded_at),
        "created_at": datetime.now(UTC),
        "video_name": text(Path(str(video["path"])).name, 500) if video.get("path") else None,
        "view": text(summary.get("view"), 40),
        "duration_s": number(video.get("duration_s")),
        "summary_json": json.dumps(summary, allow_nan=False),
        "notes": notes,
        "gaitlab_version": text(summary.get("gaitlab_version") or __version__, 40),
    }


# -- rows → records -------------------------------------------------------------------------------
def person_columns() -> list[sa.ColumnElement[Any]]:
    """The person's columns beside a session's, prefixed ``p_`` (see :func:`session_of`)."""
    return [
        persons.c.name.label("p_name"),
        persons.c.sex.label("p_sex"),
        persons.c.birth_year.label("p_birth_year"),
        persons.c.height_cm.label("p_height_cm"),
        persons.c.body_mass_kg.label("p_body_mass_kg"),
        persons.c.created_at.label("p_created_at"),
    ]


def person_of(row: Row[Any]) -> Person:
    m = row._mapping
    return Person(
        id=int(m["id"]),
        name=m["name"],
        sex=m["sex"],
        birth_year=m["birth_year"],
        height_cm=m["height_cm"],
        body_mass_kg=m["body_mass_kg"],
        created_at=utc(m["created_at"]),
    )


def session_of(
    row: Row[Any], metrics: dict[str, Any], home: Path, *, with_summary: bool
) -> Session:
    """A ``sessions`` row joined with :func:`person_columns` as a :class:`Session`."""
    m = row._mapping
    who = None
    if m["person_id"] is not None:
        who = Person(
            id=int(m["person_id"]),
            name=m["p_name"],
            sex=m["p_sex"],
            birth_year=m["p_birth_year"],
            height_cm=m["p_height_cm"],
            body_mass_kg=m["p_body_mass_kg"],
            created_at=utc(m["p_created_at"]),
        )
    summary = None
    if with_summary and m["summary_json"]:
        summary = json.loads(m["summary_json"])
    return Session(
        id=int(m["id"]),
        kind=m["kind"],
        source=m["source"],
        recorded_at=utc(m["recorded_at"]),  # type: ignore[arg-type]
        created_at=utc(m["created_at"]),  # type: ignore[arg-type]
        person=who,
        task=m["task"],
        exercise=m["exercise"],
        video_name=m["video_name"],
        view=m["view"],
        duration_s=m["duration_s"],
        notes=m["notes"],
        gaitlab_version=m["gaitlab_version"],
        files_dir=home / m["files_dir"] if m["files_dir"] else None,
        metrics=metrics,
        summary=summary,
    )
