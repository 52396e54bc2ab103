"""The session history: persons, analyses and programme sessions in a database, result
files under the gaitlab home folder.

Layout of the home folder (``GAITLAB_HOME``, default ``~/.gaitlab``)::

    gaitlab.db                  the SQLite database (unless GAITLAB_DB_URL names another)
    sessions/<id>/              one analysis's files: summary.json, frames.csv,
                                annotated.mp4, landmarks.npz, thumbs/ (key frames, made
                                when first needed)

A save is all or nothing. The files are first copied into a hidden staging folder beside
``sessions/<id>/`` (no lock held while a video is copied); then one transaction inserts the
row, renames the staging folder to ``sessions/<id>/`` and commits. Any failure rolls the
row back and removes the folder, so no session exists without its files or files without
their session. Deleting renames the folder aside inside the transaction and removes it
after the commit.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine, Row

from gaitlab import __version__
from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import FRAMES_NAME, SUMMARY_NAME, VIDEO_NAME, frames_table, write_json
from gaitlab.store import migrations
from gaitlab.store.db import (
    NotFoundError,
    StoreError,
    create_engine,
    db_message,
    gaitlab_home,
    resolve_url,
    safe_url,
    transaction,
)
from gaitlab.store.schema import persons, session_metrics, sessions

if TYPE_CHECKING:
    from gaitlab.pipeline import Analysis
    from gaitlab.store.progress import Progress

#: Every landmark of the subject (and of bystanders) per frame, for face blurring and
#: full-body exports: ``t_s (T,)``, ``frame (T,)``, ``xy (T, 33, 2)`` pixels (NaN where
#: not detected), ``visibility (T, 33)``, ``frame_size (2,)`` width, height, and the
#: bystanders as ``others_row (K,)`` + ``others_xy (K, 33, 2)``.
LANDMARKS_NAME = "landmarks.npz"
#: Key-frame images cut from the annotated video (made by :mod:`gaitlab.report.pdf`).
THUMBS_DIR = "thumbs"
#: Files of a result folder that a save keeps.
RESULT_FILES = (SUMMARY_NAME, FRAMES_NAME, VIDEO_NAME, LANDMARKS_NAME)

SESSIONS_DIR = "sessions"
#: What ``gaitlab export`` writes (see :func:`gaitlab.store.exports.export_session`).
EXPORT_FORMATS = ("json", "csv", "trc", "mp4")
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

#: Staging and trash folders older than this are left-overs of a killed process.
STALE_AFTER_S = 24 * 3600


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
            "created_at": _iso(self.created_at),
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
            "recorded_at": _iso(self.recorded_at),
            "created_at": _iso(self.created_at),
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


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat(timespec="seconds")


def _utc(dt: datetime | None) -> datetime | None:
    """Datetimes read back from SQLite lose their zone: they were stored in UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _as_utc(dt: datetime | None) -> datetime:
    if dt is None:
        return datetime.now(UTC)
    if dt.tzinfo is None:  # a naive time given by a caller is local time
        dt = dt.astimezone()
    return dt.astimezone(UTC)


def _link_or_copy(src: Path, dst: Path, move: bool) -> None:
    if move:
        try:
            os.replace(src, dst)
            return
        except OSError:  # another file system
            pass
    try:
        os.link(src, dst)  # a second name for the same data: instant, no extra space
    except OSError:
        shutil.copy2(src, dst)


def write_landmarks(path: Path, analysis: Analysis) -> None:
    """Write :data:`LANDMARKS_NAME` for ``analysis`` (the subject's raw detections, every
    landmark, and the bystanders the annotated video shows)."""
    raw = analysis.raw
    rows: list[int] = []
    others: list[np.ndarray] = []
    for row, people in enumerate(analysis.others or []):
        for xy in people:
            rows.append(row)
            others.append(np.asarray(xy, dtype=np.float32))
    np.savez_compressed(
        path,
        t_s=np.asarray(raw.t_s, dtype=np.float64),
        frame=np.asarray(raw.frame_index, dtype=np.int64),
        xy=np.asarray(raw.xy, dtype=np.float32),
        visibility=np.asarray(raw.visibility, dtype=np.float32),
        frame_size=np.asarray([analysis.info.width, analysis.info.height], dtype=np.int64),
        others_row=np.asarray(rows, dtype=np.int64),
        others_xy=np.stack(others) if others else np.zeros((0, 33, 2), np.float32),
    )


class Store:
    """Persons, analyses and programme sessions, kept in a database and the home folder.

    Open with :meth:`open`; use as a context manager or call :meth:`close`. Methods that
    take a ``person`` accept a :class:`Person`, an id or a name.
    """

    def __init__(self, engine: Engine, home: Path, url: sa.URL) -> None:
        self.engine = engine
        self.home = home
        self.url = url

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | sa.URL | None = None,
        home: str | os.PathLike[str] | None = None,
        *,
        migrate: bool = True,
    ) -> Store:
        """Open (and create or upgrade) the history.

        Parameters
        ----------
        url
            SQLAlchemy database URL; default ``GAITLAB_DB_URL``, else
            ``sqlite:///<home>/gaitlab.db``.
        home
            Folder for the result files (and the default database); default
            ``GAITLAB_HOME``, else ``~/.gaitlab``. With a server database the files still
            live here, on this computer: every process sharing the database needs the same
            home folder.
        migrate
            Bring the schema to the latest version (default). ``False`` is for tests that
            build an old database.

        Raises
        ------
        StoreError
            Bad URL, unreachable database, or a database written by a newer gaitlab.
        """
        home_path = gaitlab_home(home)
        try:
            (home_path / SESSIONS_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the gaitlab home folder {home_path}: {err}") from None
        resolved = resolve_url(url, home_path)
        engine = create_engine(resolved)
        store = cls(engine, home_path, resolved)
        if migrate:
            try:
                migrations.migrate(engine)
            except exc.SQLAlchemyError as err:
                engine.dispose()
                raise StoreError(
                    f"cannot set up the history database {safe_url(resolved)}: {db_message(err)}"
                ) from None
            except BaseException:
                engine.dispose()
                raise
        store._sweep_stale()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def schema_version(self) -> int:
        with self._read() as conn:
            return migrations.current_version(conn)

    @property
    def sessions_root(self) -> Path:
        return self.home / SESSIONS_DIR

    def _sweep_stale(self) -> None:
        """Remove staging/trash folders that a killed process left behind (old ones only:
        a young one may belong to a save running right now in another process)."""
        now = time.time()
        for item in self.sessions_root.glob(".*"):
            try:
                if item.is_dir() and now - item.stat().st_mtime > STALE_AFTER_S:
                    shutil.rmtree(item, ignore_errors=True)
            except OSError:
                continue

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._errors(), transaction(self.engine, write=False) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._errors(), transaction(self.engine, write=True) as conn:
            yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except exc.IntegrityError as err:
            raise StoreError(
                f"the history database refused the change: {db_message(err)}"
            ) from None
        except exc.SQLAlchemyError as err:
            raise StoreError(f"history database {safe_url(self.url)}: {db_message(err)}") from None

    # -- persons ----------------------------------------------------------------------------
    def add_person(
        self,
        name: str,
        sex: str | None = None,
        birth_year: int | None = None,
        height_cm: float | None = None,
        body_mass_kg: float | None = None,
    ) -> Person:
        """Add a person; their name must be new.

        Raises
        ------
        InputError
            Empty or duplicate name, or an implausible sex, birth year, height or mass.
        """
        values = _person_values(name, sex, birth_year, height_cm, body_mass_kg)
        taken = InputError(f"a person named {values['name']!r} already exists")
        with self._errors():
            try:
                with transaction(self.engine, write=True) as conn:
                    if conn.execute(
                        sa.select(persons.c.id).where(persons.c.name == values["name"])
                    ).first():
                        raise taken
                    new_id = conn.execute(
                        persons.insert().values(**values, created_at=datetime.now(UTC))
                    ).inserted_primary_key[0]
            except exc.IntegrityError:  # the same name added by another process just now
                raise taken from None
        return self.person(int(new_id))

    def persons(self) -> list[Person]:
        """Everybody, by name."""
        with self._read() as conn:
            rows = conn.execute(sa.select(persons).order_by(persons.c.name)).all()
        return [_person(r) for r in rows]

    def person(self, ref: Person | int | str) -> Person:
        """A person by :class:`Person`, id or name (a name of digits also tries the id).

        Raises
        ------
        NotFoundError
        """
        with self._read() as conn:
            return self._person(conn, ref)

    def _person(self, conn: Connection, ref: Person | int | str) -> Person:
        if isinstance(ref, Person):
            ref = ref.id
        row = None
        if isinstance(ref, str):
            row = conn.execute(sa.select(persons).where(persons.c.name == ref.strip())).first()
            if row is None and ref.strip().isdigit():
                ref = int(ref.strip())
        if isinstance(ref, int) and not isinstance(ref, bool):
            row = conn.execute(sa.select(persons).where(persons.c.id == ref)).first()
        if row is None:
            if isinstance(ref, int):
                raise NotFoundError(f"no person with id {ref} (see: gaitlab person list)")
            raise NotFoundError(
                f"no person named {ref!r}: add them with: gaitlab person add {ref!r}"
            )
        return _person(row)

    def delete_person(self, ref: Person | int | str) -> list[int]:
        """Delete a person with all their sessions and files; returns the session ids."""
        moved: list[tuple[Path, Path]] = []
        try:
            with self._write() as conn:
                who = self._person(conn, ref)
                rows = conn.execute(
                    sa.select(sessions.c.id, sessions.c.files_dir).where(
                        sessions.c.person_id == who.id
                    )
                ).all()
                self._trash(conn, rows, moved)
                conn.execute(persons.delete().where(persons.c.id == who.id))
        except BaseException:
            self._restore(moved)
            raise
        self._empty_trash(moved)
        return [int(r.id) for r in rows]

    # -- saving -----------------------------------------------------------------------------
    def save_analysis(
        self,
        result: Analysis | Mapping[str, Any] | str | os.PathLike[str],
        person: Person | int | str | None = None,
        *,
        source: str = "file",
        result_dir: str | os.PathLike[str] | None = None,
        files: Mapping[str, str | os.PathLike[str]] | None = None,
        recorded_at: datetime | None = None,
        notes: str | None = None,
        move: bool = False,
    ) -> int:
        """Save one analysis with its result files; returns the new session id.

        Parameters
        ----------
        result
            A result folder (``summary.json``, ``frames.csv``, ``annotated.mp4`` as
            :func:`gaitlab.pipeline.analyze_video` writes them), an
            :class:`~gaitlab.pipeline.Analysis`, or a summary dict (a live session).
        person
            Whose session it is (:class:`Person`, id or name), or None.
        source
            ``"file"`` (a video file) or ``"live"`` (the webcam).
        result_dir
            With an ``Analysis``: the folder it was written to, whose files are kept
            (otherwise frames.csv is written from the analysis and there is no video).
        files
            Extra files to keep, as ``{name in the session folder: path}``.
        recorded_at
            When it was recorded (default: now). Naive times are local time.
        move
            Move the files instead of linking/copying them (same file system only).

        Raises
        ------
        StoreError, InputError, NotFoundError
            Nothing is saved then: no row and no files.
        """
        if source not in ANALYSIS_SOURCES:
            raise InputError(f"source must be one of {', '.join(ANALYSIS_SOURCES)}, got {source!r}")
        stage = self._stage_dir()
        try:
            summary = self._stage_files(stage, result, result_dir, files, move)
            return self._commit_analysis(stage, summary, person, source, recorded_at, notes)
        finally:
            if stage.exists():  # still there: the save failed before the rename
                shutil.rmtree(stage, ignore_errors=True)

    def _stage_dir(self) -> Path:
        self.sessions_root.mkdir(parents=True, exist_ok=True)
        stage = self.sessions_root / f".staging-{secrets.token_hex(6)}"
        stage.mkdir()
        return stage

    def _stage_files(
        self,
        stage: Path,
        result: Any,
        result_dir: str | os.PathLike[str] | None,
        files: Mapping[str, str | os.PathLike[str]] | None,
        move: bool,
    ) -> dict[str, Any]:
        from gaitlab.pipeline import Analysis

        folder: Path | None = Path(result_dir) if result_dir is not None else None
        if isinstance(result, str | os.PathLike):
            folder = Path(result)
        if folder is not None:
            if not (folder / SUMMARY_NAME).is_file():
                raise StoreError(f"{folder} is not a gaitlab result folder (no {SUMMARY_NAME})")
            for name in RESULT_FILES:
                if (folder / name).is_file():
                    _link_or_copy(folder / name, stage / name, move)
        if isinstance(result, Analysis):
            if not (stage / SUMMARY_NAME).exists():
                write_json(stage / SUMMARY_NAME, result.summary())
            if not (stage / FRAMES_NAME).exists():
                frames_table(
                    result.pose, result.signals, result.view_per_frame, result.row_track
                ).to_csv(stage / FRAMES_NAME, index=False)
            write_landmarks(stage / LANDMARKS_NAME, result)
        elif isinstance(result, Mapping):
            write_json(stage / SUMMARY_NAME, dict(result))
        elif folder is None:
            raise InputError(
                "save_analysis needs a result folder, an Analysis or a summary dict, "
                f"got {type(result).__name__}"
            )
        for name, src in (files or {}).items():
            if Path(name).name != name or name.startswith("."):
                raise InputError(f"file name {name!r} must be a plain name")
            src_path = Path(src)
            if not src_path.is_file():
                raise StoreError(f"cannot keep {src_path}: no such file")
            _link_or_copy(src_path, stage / name, move)
        try:
            summary = json.loads((stage / SUMMARY_NAME).read_text())
        except json.JSONDecodeError as err:
            raise StoreError(f"the summary is not valid JSON: {err}") from None
        if not isinstance(summary, dict) or not isinstance(summary.get("metrics", {}), dict):
            raise StoreError("the summary is not a gaitlab summary (no metrics object)")
        return summary

    def _commit_analysis(
        self,
        stage: Path,
        summary: dict[str, Any],
        person: Person | int | str | None,
        source: str,
        recorded_at: datetime | None,
        notes: str | None,
    ) -> int:
        video = summary.get("video") or {}
        target: Path | None = None
        try:
            with self._write() as conn:
                person_id = self._person(conn, person).id if person is not None else None
                sid = int(
                    conn.execute(
                        sessions.insert().values(
                            person_id=person_id,
                            kind="analysis",
                            source=source,
                            task=_text(summary.get("task"), 40),
                            recorded_at=_as_utc(recorded_at),
                            created_at=datetime.now(UTC),
                            video_name=_text(Path(str(video["path"])).name, 500)
                            if video.get("path")
                            else None,
                            view=_text(summary.get("view"), 40),
                            duration_s=_number(video.get("duration_s")),
                            summary_json=json.dumps(summary, allow_nan=False),
                            notes=notes,
                            gaitlab_version=_text(
                                summary.get("gaitlab_version") or __version__, 40
                            ),
                        )
                    ).inserted_primary_key[0]
                )
                rows = migrations.metric_rows(sid, summary.get("metrics") or {})
                if rows:
                    conn.execute(session_metrics.insert(), rows)
                target = self.sessions_root / str(sid)
                if target.exists():
                    # A folder for an id that is being handed out now belongs to no row: a
                    # process was killed between its rename and its commit (SQLite reuses
                    # the ids of rolled-back rows).
                    shutil.rmtree(target)
                os.rename(stage, target)
                conn.execute(
                    sessions.update()
                    .where(sessions.c.id == sid)
                    .values(files_dir=f"{SESSIONS_DIR}/{sid}")
                )
        except BaseException:
            if target is not None and target.exists() and not stage.exists():
                shutil.rmtree(target, ignore_errors=True)
            raise
        return sid

    def save_programme_session(
        self,
        person: Person | int | str,
        exercise: str,
        duration_s: float,
        notes: str | None = None,
        *,
        recorded_at: datetime | None = None,
        source: str = "manual",
    ) -> int:
        """Record a programme session (an exercise done, for how long, notes); returns its id.

        ``source`` is ``manual`` (entered by hand) or ``timer`` (timed by the programme's
        guided timer, :mod:`gaitlab.programme.exercises`).

        Raises
        ------
        InputError, NotFoundError
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
            raise InputError(
                f"source must be one of {', '.join(PROGRAMME_SOURCES)}, got {source!r}"
            )
        with self._write() as conn:
            person_id = self._person(conn, person).id
            sid = conn.execute(
                sessions.insert().values(
                    person_id=person_id,
                    kind="programme",
                    source=source,
                    exercise=exercise,
                    recorded_at=_as_utc(recorded_at),
                    created_at=datetime.now(UTC),
                    duration_s=float(duration_s),
                    notes=notes,
                    gaitlab_version=__version__,
                )
            ).inserted_primary_key[0]
        return int(sid)

    # -- reading ----------------------------------------------------------------------------
    def sessions(
        self,
        person: Person | int | str | None = None,
        *,
        kind: str | None = None,
        task: str | None = None,
        limit: int | None = None,
    ) -> list[Session]:
        """Sessions, newest first; of one person, one kind (``analysis``/``programme``) or
        one task if asked. Summaries are not loaded (see :meth:`session`)."""
        with self._read() as conn:
            query = sa.select(sessions, *_person_columns()).outerjoin(
                persons, sessions.c.person_id == persons.c.id
            )
            if person is not None:
                query = query.where(sessions.c.person_id == self._person(conn, person).id)
            if kind is not None:
                query = query.where(sessions.c.kind == kind)
            if task is not None:
                query = query.where(sessions.c.task == task)
            query = query.order_by(sessions.c.recorded_at.desc(), sessions.c.id.desc())
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).all()
            metrics = self._metrics(conn, [int(r.id) for r in rows])
        return [self._session(r, metrics.get(int(r.id), {}), with_summary=False) for r in rows]

    def session(self, session_id: int | str) -> Session:
        """One session with its summary.

        Raises
        ------
        NotFoundError
        """
        sid = parse_session_id(session_id)
        with self._read() as conn:
            row = conn.execute(
                sa.select(sessions, *_person_columns())
                .outerjoin(persons, sessions.c.person_id == persons.c.id)
                .where(sessions.c.id == sid)
            ).first()
            if row is None:
                raise NotFoundError(f"no session {sid} (see: gaitlab history)")
            metrics = self._metrics(conn, [sid])
        return self._session(row, metrics.get(sid, {}), with_summary=True)

    def latest_session_id(self, kind: str | None = None) -> int:
        """The most recently recorded session's id (of ``kind`` if given).

        Raises
        ------
        NotFoundError
            No such session yet.
        """
        found = self.sessions(kind=kind, limit=1)
        if not found:
            what = "analysis" if kind == "analysis" else "session"
            raise NotFoundError(f"no {what} saved yet: analyse a video first")
        return found[0].id

    def _metrics(self, conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for sid, name, value, text in conn.execute(
                sa.select(
                    session_metrics.c.session_id,
                    session_metrics.c.name,
                    session_metrics.c.value,
                    session_metrics.c.text,
                ).where(session_metrics.c.session_id.in_(chunk))
            ):
                out.setdefault(int(sid), {})[name] = value if text is None else text
        return out

    def _session(self, row: Row[Any], metrics: dict[str, Any], *, with_summary: bool) -> Session:
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
                created_at=_utc(m["p_created_at"]),
            )
        summary = None
        if with_summary and m["summary_json"]:
            summary = json.loads(m["summary_json"])
        return Session(
            id=int(m["id"]),
            kind=m["kind"],
            source=m["source"],
            recorded_at=_utc(m["recorded_at"]),  # type: ignore[arg-type]
            created_at=_utc(m["created_at"]),  # type: ignore[arg-type]
            person=who,
            task=m["task"],
            exercise=m["exercise"],
            video_name=m["video_name"],
            view=m["view"],
            duration_s=m["duration_s"],
            notes=m["notes"],
            gaitlab_version=m["gaitlab_version"],
            files_dir=self.home / m["files_dir"] if m["files_dir"] else None,
            metrics=metrics,
            summary=summary,
        )

    def metric_history(
        self, person: Person | int | str, metric: str
    ) -> list[tuple[datetime, float]]:
        """``(recorded_at, value)`` of ``metric`` in a person's analyses, oldest first;
        sessions where it was not measured are left out."""
        return [(p.recorded_at, p.value) for p in self.metric_points(person, metric)]

    def metric_points(self, person: Person | int | str, metric: str) -> list[MetricPoint]:
        """Like :meth:`metric_history` with the session id and task of each value."""
        with self._read() as conn:
            pid = self._person(conn, person).id
            rows = conn.execute(
                sa.select(
                    sessions.c.id,
                    sessions.c.recorded_at,
                    session_metrics.c.value,
                    sessions.c.task,
                )
                .join(session_metrics, session_metrics.c.session_id == sessions.c.id)
                .where(
                    sessions.c.person_id == pid,
                    session_metrics.c.name == metric,
                    session_metrics.c.value.is_not(None),
                )
                .order_by(sessions.c.recorded_at, sessions.c.id)
            ).all()
        return [MetricPoint(int(r[0]), _utc(r[1]), float(r[2]), r[3]) for r in rows]  # type: ignore[arg-type]

    def metric_names(self, person: Person | int | str | None = None) -> list[str]:
        """Names of the metrics measured at least once (of one person if asked)."""
        with self._read() as conn:
            query = (
                sa.select(session_metrics.c.name)
                .join(sessions, session_metrics.c.session_id == sessions.c.id)
                .where(session_metrics.c.value.is_not(None))
                .distinct()
                .order_by(session_metrics.c.name)
            )
            if person is not None:
                query = query.where(sessions.c.person_id == self._person(conn, person).id)
            return [r[0] for r in conn.execute(query)]

    def progress(
        self,
        person: Person | int | str,
        metric: str,
        thresholds: Mapping[str, Any] | None = None,
    ) -> Progress:
        """A metric over time with its reference and a verdict on each change; see
        :func:`gaitlab.store.progress.build_progress`."""
        from gaitlab.store.progress import build_progress

        who = self.person(person)
        return build_progress(who, metric, self.metric_points(who, metric), thresholds)

    # -- deleting ---------------------------------------------------------------------------
    def delete_session(self, session_id: int | str) -> Session:
        """Delete a session and its files; returns what was deleted.

        Raises
        ------
        NotFoundError
        """
        gone = self.session(session_id)
        moved: list[tuple[Path, Path]] = []
        try:
            with self._write() as conn:
                rows = conn.execute(
                    sa.select(sessions.c.id, sessions.c.files_dir).where(sessions.c.id == gone.id)
                ).all()
                if not rows:  # deleted by another process since self.session()
                    raise NotFoundError(f"no session {gone.id} (see: gaitlab history)")
                self._trash(conn, rows, moved)
        except BaseException:
            self._restore(moved)
            raise
        self._empty_trash(moved)
        return gone

    def _trash(
        self, conn: Connection, rows: list[Row[Any]], moved: list[tuple[Path, Path]]
    ) -> None:
        """Delete the rows and move their folders aside, appending ``(folder, aside)`` to
        ``moved`` so the caller can put them back if the transaction fails."""
        ids = [int(r.id) for r in rows]
        if ids:
            conn.execute(session_metrics.delete().where(session_metrics.c.session_id.in_(ids)))
            conn.execute(sessions.delete().where(sessions.c.id.in_(ids)))
        for r in rows:
            if not r.files_dir:
                continue
            folder = self.home / r.files_dir
            if folder.exists():
                aside = self.sessions_root / f".deleted-{r.id}-{secrets.token_hex(4)}"
                os.rename(folder, aside)
                moved.append((folder, aside))

    @staticmethod
    def _restore(moved: list[tuple[Path, Path]]) -> None:
        for folder, aside in moved:
            if aside.exists() and not folder.exists():
                os.rename(aside, folder)

    @staticmethod
    def _empty_trash(moved: list[tuple[Path, Path]]) -> None:
        for _folder, aside in moved:
            shutil.rmtree(aside, ignore_errors=True)

    # -- files ------------------------------------------------------------------------------
    def session_dir(self, session_id: int | str) -> Path:
        """The folder of a session's files (raises if it has none)."""
        s = self.session(session_id)
        if s.files_dir is None or not s.files_dir.is_dir():
            raise NotFoundError(f"session {s.id} has no result files")
        return s.files_dir


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


def _person_columns() -> list[sa.ColumnElement[Any]]:
    return [
        persons.c.name.label("p_name"),
        persons.c.sex.label("p_sex"),
        persons.c.birth_year.label("p_birth_year"),
        persons.c.height_cm.label("p_height_cm"),
        persons.c.body_mass_kg.label("p_body_mass_kg"),
        persons.c.created_at.label("p_created_at"),
    ]


def _person(row: Row[Any]) -> Person:
    m = row._mapping
    return Person(
        id=int(m["id"]),
        name=m["name"],
        sex=m["sex"],
        birth_year=m["birth_year"],
        height_cm=m["height_cm"],
        body_mass_kg=m["body_mass_kg"],
        created_at=_utc(m["created_at"]),
    )


def _person_values(
    name: str,
    sex: str | None,
    birth_year: int | None,
    height_cm: float | None,
    body_mass_kg: float | None,
) -> dict[str, Any]:
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


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
