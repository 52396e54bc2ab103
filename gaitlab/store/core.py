"""The session history: persons, analyses and programme sessions in a database, their files
under the gaitlab home folder (layout: :mod:`gaitlab.store.home`).

A save is all or nothing. The files are first copied into a hidden staging folder beside
``sessions/<id>/`` (no lock held while a video is copied); then one transaction inserts the
row, renames the staging folder to ``sessions/<id>/`` and commits. Any failure rolls the
row back and removes the folder, so no session exists without its files or files without
their session. Deleting renames the folder aside inside the transaction and removes it
after the commit.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine, Row

from gaitlab import __version__
from gaitlab.core.errors import os_reason
from gaitlab.store import annotations as notes
from gaitlab.store import files as session_files
from gaitlab.store import ids, migrations, progress
from gaitlab.store.annotations import Annotation
from gaitlab.store.db import (
    NotFoundError,
    StoreError,
    create_engine,
    db_message,
    resolve_url,
    safe_url,
    transaction,
)
from gaitlab.store.home import SESSIONS_DIR, cannot_write, gaitlab_home, session_folder
from gaitlab.store.landmarks import Landmarks
from gaitlab.store.records import (
    ANALYSIS_SOURCES,
    InputError,
    MetricPoint,
    Person,
    Session,
    analysis_values,
    as_utc,
    check_programme,
    parse_session_id,
    person_columns,
    person_of,
    person_values,
    session_of,
)
from gaitlab.store.schema import annotations, persons, session_metrics, sessions


def _file_identity(url: sa.URL) -> tuple[int, int] | None:
    """``(device, inode)`` of a SQLite database file, ``(0, 0)`` when it is missing, None for
    other databases (and in-memory SQLite)."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    try:
        st = os.stat(database)
    except OSError:
        return (0, 0)
    return (st.st_dev, st.st_ino)


class Store:
    """Persons, analyses and programme sessions, kept in a database and the home folder.

    Open with :meth:`open`; use as a context manager or call :meth:`close`. Methods that
    take a ``person`` accept a :class:`Person`, an id or a name.
    """

    def __init__(self, engine: Engine, home: Path, url: sa.URL) -> None:
        self.engine = engine
        self.home = home
        self.url = url
        #: The SQLite file as opened (device, inode), None for other databases.
        self._db_file: tuple[int, int] | None = None

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | sa.URL | None = None,
        home: str | os.PathLike[str] | None = None,
        *,
        migrate: bool = True,
        lost_ok: bool = False,
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
        lost_ok
            Open a database that holds no session beside session folders (what
            ``gaitlab history doctor`` repairs); by default that is refused, since saving
            into it would start a second history over the first.

        Raises
        ------
        StoreError
            Bad URL, unreachable database, a database written by a newer gaitlab, or an
            empty database beside session folders.
        """
        home_path = gaitlab_home(home)
        try:
            (home_path / SESSIONS_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the gaitlab home folder {home_path}: {err}") from None
        resolved = resolve_url(url, home_path)
        store = cls(create_engine(resolved), home_path, resolved)
        store._set_up(migrate=migrate, lost_ok=lost_ok)
        session_files.sweep_stale(store.sessions_root)
        return store

    def _set_up(self, *, migrate: bool, lost_ok: bool) -> None:
        """Bring the schema up to date and refuse a lost index (see :meth:`open`); the engine
        is disposed of when that fails."""
        try:
            if migrate:
                try:
                    migrations.backup_before_upgrade(self.engine)
                    migrations.migrate(self.engine)
                except exc.SQLAlchemyError as err:
                    raise StoreError(
                        f"cannot set up the history database {safe_url(self.url)}: "
                        f"{db_message(err)}"
                    ) from None
            if migrate and not lost_ok:
                with self._read() as conn:
                    lost = ids.lost_index_message(conn, self.sessions_root, safe_url(self.url))
                if lost:
                    raise StoreError(lost)
        except BaseException:
            self.engine.dispose()
            raise
        self._db_file = _file_identity(self.url)

    def _reopen_if_replaced(self) -> None:
        """Open the database again when its file was deleted or replaced since it was opened
        (the connections kept would write into a file nobody can see any more): a history
        without sessions beside session folders is then refused as :meth:`open` refuses it,
        a brand-new one is set up."""
        if self._db_file is None or _file_identity(self.url) == self._db_file:
            return
        self.engine.dispose()
        self.engine = create_engine(self.url)
        try:
            self._set_up(migrate=True, lost_ok=False)
        except StoreError as err:
            raise StoreError(
                f"the history database was deleted or replaced while gaitlab had it open: {err}"
            ) from None

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

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._errors(), transaction(self.engine, write=False) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self._reopen_if_replaced()
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
        values = person_values(name, sex, birth_year, height_cm, body_mass_kg)
        taken = InputError(f"a person named {values['name']!r} already exists")
        self._reopen_if_replaced()
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
        return [person_of(r) for r in rows]

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
        return person_of(row)

    def delete_person(self, ref: Person | int | str) -> list[int]:
        """Delete a person with all their sessions and files; returns the session ids."""
        moved: session_files.Moved = []
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
            session_files.restore(moved)
            raise
        session_files.empty_trash(moved)
        return [int(r.id) for r in rows]

    # -- saving -----------------------------------------------------------------------------
    def save_analysis(
        self,
        result: Mapping[str, Any] | str | os.PathLike[str],
        person: Person | int | str | None = None,
        *,
        source: str = "file",
        files: Mapping[str, str | os.PathLike[str]] | None = None,
        landmarks: Landmarks | None = None,
        recorded_at: datetime | None = None,
        notes: str | None = None,
        move: bool = False,
        origin: str | None = None,
    ) -> int:
        """Save one analysis with its result files; returns the new session id.

        Parameters
        ----------
        result
            A result folder (``summary.json``, ``frames.csv``, ``annotated.mp4`` as
            :func:`gaitlab.pipeline.analyze_video` writes them) or a summary dict (a live
            session, or an analysis whose files come through ``files``).
        person
            Whose session it is (:class:`Person`, id or name), or None.
        source
            ``"file"`` (a video file) or ``"live"`` (the webcam).
        files
            Extra files to keep, as ``{name in the session folder: path}``.
        landmarks
            Every landmark of the analysis, kept as ``landmarks.npz``.
        recorded_at
            When it was recorded (default: now). Naive times are local time.
        move
            The caller hands the files over: they are linked into the session (copied on
            another file system) and the caller's names removed once the save committed, so
            a save stopped half way (killed, a full disk) leaves them where they were.
        origin
            Where the analysis came from (an app upload, ``uploads/<id>``), kept in the
            session's ``record.json`` so that a link lost on the way can be found again
            (:func:`session_with_origin`).

        Raises
        ------
        StoreError, InputError, NotFoundError
            Nothing is saved then: no row and no files.
        """
        if source not in ANALYSIS_SOURCES:
            raise InputError(f"source must be one of {', '.join(ANALYSIS_SOURCES)}, got {source!r}")
        stage: Path | None = None
        try:
            stage = session_files.new_stage(self.sessions_root)
            summary = session_files.stage_files(stage, result, files, landmarks, move)
            sid = self._commit_analysis(stage, summary, person, source, recorded_at, notes, origin)
        except OSError as err:  # a full disk, a home made read-only: rolled back, say so
            raise StoreError(
                f"cannot save to the history in {self.home}: {os_reason(err)}; nothing was saved"
            ) from None
        finally:
            if stage is not None and stage.exists():  # the save failed before the rename
                shutil.rmtree(stage, ignore_errors=True)
        if move:  # committed: the history has the files, the caller's names can go
            session_files.drop_sources(result, files)
        return sid

    def check_writable(self) -> None:
        """Refuse at once when a save could not write its files: before minutes of work
        whose result could not be kept.

        Raises
        ------
        StoreError
        """
        why = cannot_write(self.sessions_root)
        if why is not None:
            raise StoreError(
                f"cannot save to the history: {self.sessions_root} cannot be written ({why})"
            )

    def _commit_analysis(
        self,
        stage: Path,
        summary: dict[str, Any],
        person: Person | int | str | None,
        source: str,
        recorded_at: datetime | None,
        notes: str | None,
        origin: str | None,
    ) -> int:
        target: Path | None = None
        try:
            with self._write() as conn:
                who = self._person(conn, person) if person is not None else None
                sid = ids.take_session_id(conn, self.sessions_root)
                values = analysis_values(summary, source, recorded_at, notes)
                conn.execute(
                    sessions.insert().values(id=sid, person_id=who.id if who else None, **values)
                )
                rows = migrations.metric_rows(sid, summary.get("metrics") or {})
                if rows:
                    conn.execute(session_metrics.insert(), rows)
                session_files.write_record(stage, values, who, origin)
                target = self.home / session_folder(sid)
                if target.exists():  # ids are above every folder: never write into one
                    raise StoreError(
                        f"{target} already exists: a new session never replaces one "
                        "(see: gaitlab history doctor)"
                    )
                os.rename(stage, target)
                conn.execute(
                    sessions.update()
                    .where(sessions.c.id == sid)
                    .values(files_dir=session_folder(sid))
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
        guided timer, :mod:`gaitlab.programme`).

        Raises
        ------
        InputError, NotFoundError
        """
        exercise = check_programme(exercise, duration_s, source)
        with self._write() as conn:
            person_id = self._person(conn, person).id
            sid = ids.take_session_id(conn, self.sessions_root)
            conn.execute(
                sessions.insert().values(
                    id=sid,
                    person_id=person_id,
                    kind="programme",
                    source=source,
                    exercise=exercise,
                    recorded_at=as_utc(recorded_at),
                    created_at=datetime.now(UTC),
                    duration_s=float(duration_s),
                    notes=notes,
                    gaitlab_version=__version__,
                )
            )
        return sid

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
            query = sa.select(sessions, *person_columns()).outerjoin(
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
            metrics = progress.session_metrics_of(conn, [int(r.id) for r in rows])
        return [
            session_of(r, metrics.get(int(r.id), {}), self.home, with_summary=False) for r in rows
        ]

    def session(self, session_id: int | str) -> Session:
        """One session with its summary.

        Raises
        ------
        NotFoundError
        """
        sid = parse_session_id(session_id)
        with self._read() as conn:
            row = conn.execute(
                sa.select(sessions, *person_columns())
                .outerjoin(persons, sessions.c.person_id == persons.c.id)
                .where(sessions.c.id == sid)
            ).first()
            if row is None:
                raise NotFoundError(f"no session {sid} (see: gaitlab history)")
            metrics = progress.session_metrics_of(conn, [sid])
        return session_of(row, metrics.get(sid, {}), self.home, with_summary=True)

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

    def metric_history(
        self, person: Person | int | str, metric: str
    ) -> list[tuple[datetime, float]]:
        """``(recorded_at, value)`` of ``metric`` in a person's analyses, oldest first;
        sessions where it was not measured are left out."""
        return [(p.recorded_at, p.value) for p in self.metric_points(person, metric)]

    def metric_points(self, person: Person | int | str, metric: str) -> list[MetricPoint]:
        """Like :meth:`metric_history` with the session id and task of each value (what
        :func:`gaitlab.present.progress.build_progress` judges)."""
        with self._read() as conn:
            return progress.metric_points(conn, self._person(conn, person).id, metric)

    def metric_names(self, person: Person | int | str | None = None) -> list[str]:
        """Names of the metrics measured at least once (of one person if asked)."""
        with self._read() as conn:
            pid = self._person(conn, person).id if person is not None else None
            return progress.metric_names(conn, pid)

    # -- annotations ------------------------------------------------------------------------
    def add_annotation(
        self,
        session_id: int | str,
        kind: str,
        *,
        text: str | None = None,
        t_s: float | None = None,
        frame: int | None = None,
        points: Any = None,
        reference: str | None = None,
        image_size: tuple[int, int] | None = None,
        author: str | None = None,
    ) -> Annotation:
        """Add a note (``kind='note'``, on the session or at ``t_s``) or an angle drawn on
        the frame at ``t_s`` (``'angle'``: three points; ``'line'``: two points and a
        ``reference``, ``'vertical'`` or ``'horizontal'``), points in normalised coordinates
        of an ``image_size`` frame (:mod:`gaitlab.store.annotations`). The angle is measured
        here from the points. Kept in the database and the session's ``record.json``.

        Raises
        ------
        NotFoundError, InputError
        """
        sid = parse_session_id(session_id)
        values = notes.annotation_values(
            sid, kind, text=text, t_s=t_s, frame=frame, points=points,
            reference=reference, image_size=image_size, author=author,
        )  # fmt: skip
        with self._write() as conn:
            self._session_row(conn, sid)
            new_id = int(
                conn.execute(annotations.insert().values(**values)).inserted_primary_key[0]
            )
            self._record_annotations(conn, sid)
            return notes.one(conn, new_id)

    def annotations(self, session_id: int | str) -> list[Annotation]:
        """A session's notes and angles: session notes first, then by time in the video.

        Raises
        ------
        NotFoundError
        """
        sid = parse_session_id(session_id)
        with self._read() as conn:
            self._session_row(conn, sid)
            return notes.of_session(conn, sid)

    def annotation(self, annotation_id: int) -> Annotation:
        """One annotation by id (raises :class:`NotFoundError`)."""
        with self._read() as conn:
            return notes.one(conn, int(annotation_id))

    def edit_annotation(self, annotation_id: int, text: str | None) -> Annotation:
        """Change an annotation's text (a note needs some); its edit time is noted.

        Raises
        ------
        NotFoundError, InputError
        """
        with self._write() as conn:
            old = notes.one(conn, int(annotation_id))
            value = notes.check_text(text, required=old.kind == "note")
            conn.execute(
                annotations.update()
                .where(annotations.c.id == old.id)
                .values(text=value, edited_at=datetime.now(UTC))
            )
            self._record_annotations(conn, old.session_id)
            return notes.one(conn, old.id)

    def delete_annotation(self, annotation_id: int) -> Annotation:
        """Delete an annotation; returns what was deleted (raises :class:`NotFoundError`)."""
        with self._write() as conn:
            old = notes.one(conn, int(annotation_id))
            conn.execute(annotations.delete().where(annotations.c.id == old.id))
            self._record_annotations(conn, old.session_id)
        return old

    def _session_row(self, conn: Connection, sid: int) -> Row[Any]:
        row = conn.execute(
            sa.select(sessions.c.id, sessions.c.files_dir).where(sessions.c.id == sid)
        ).first()
        if row is None:
            raise NotFoundError(f"no session {sid} (see: gaitlab history)")
        return row

    def _record_annotations(self, conn: Connection, sid: int) -> None:
        """Write the session's annotations into its record.json, inside the transaction (a
        failure rolls the change back)."""
        row = self._session_row(conn, sid)
        folder = self.home / row.files_dir if row.files_dir else None
        if folder is not None and folder.is_dir():
            saved = [a.to_dict() for a in notes.of_session(conn, sid)]
            try:
                session_files.write_annotations(folder, saved)
            except OSError as err:
                raise StoreError(f"cannot write {folder}: {err}") from None

    # -- deleting ---------------------------------------------------------------------------
    def delete_session(self, session_id: int | str) -> Session:
        """Delete a session and its files; returns what was deleted.

        Raises
        ------
        NotFoundError
        """
        gone = self.session(session_id)
        moved: session_files.Moved = []
        try:
            with self._write() as conn:
                rows = conn.execute(
                    sa.select(sessions.c.id, sessions.c.files_dir).where(sessions.c.id == gone.id)
                ).all()
                if not rows:  # deleted by another process since self.session()
                    raise NotFoundError(f"no session {gone.id} (see: gaitlab history)")
                self._trash(conn, rows, moved)
        except BaseException:
            session_files.restore(moved)
            raise
        session_files.empty_trash(moved)
        return gone

    def _trash(self, conn: Connection, rows: list[Row[Any]], moved: session_files.Moved) -> None:
        """Delete the rows and move their folders aside (noted in ``moved``, so the caller
        can put them back if the transaction fails)."""
        gone = [int(r.id) for r in rows]
        if gone:
            ids.lock(conn)
            conn.execute(session_metrics.delete().where(session_metrics.c.session_id.in_(gone)))
            conn.execute(annotations.delete().where(annotations.c.session_id.in_(gone)))
            conn.execute(sessions.delete().where(sessions.c.id.in_(gone)))
        for r in rows:
            if r.files_dir:
                session_files.move_aside(self.home / r.files_dir, int(r.id), moved)

    # -- files ------------------------------------------------------------------------------
    def session_dir(self, session_id: int | str) -> Path:
        """The folder of a session's files (raises if it has none)."""
        s = self.session(session_id)
        if s.files_dir is None or not s.files_dir.is_dir():
            raise NotFoundError(f"session {s.id} has no result files")
        return s.files_dir
