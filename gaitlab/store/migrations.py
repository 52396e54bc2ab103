"""Numbered schema migrations, applied in order inside one transaction.

The version lives in the one-row table ``gaitlab_schema``. Each migration builds its own
frozen table definitions (never the current ones from :mod:`gaitlab.store.schema`), so an
old migration keeps doing what it did when later versions change the tables. Adding a
version: write ``_vN(conn)``, append it to :data:`MIGRATIONS`, bump
``schema.LATEST_VERSION``, update ``schema.py`` and test the step from the version before.

Concurrency: the whole upgrade is one transaction that holds SQLite's write lock
(``BEGIN IMMEDIATE``) or a PostgreSQL advisory lock, so two processes opening a new or old
database at once upgrade it once; the second sees the new version and does nothing.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gaitlab.store.db import StoreError, sqlite_copy, transaction
from gaitlab.store.schema import LATEST_VERSION, schema_version

#: Arbitrary constant naming gaitlab's PostgreSQL advisory lock for migrations.
_PG_LOCK_KEY = 0x6761_6974  # "gait"


def _v1(conn: Connection) -> None:
    """Persons and sessions (analyses and programme sessions)."""
    md = sa.MetaData()
    sa.Table(
        "persons",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("sex", sa.String(10)),
        sa.Column("birth_year", sa.Integer),
        sa.Column("height_cm", sa.Float),
        sa.Column("body_mass_kg", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "sessions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("persons.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("task", sa.String(40)),
        sa.Column("exercise", sa.String(100)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("video_name", sa.String(500)),
        sa.Column("view", sa.String(40)),
        sa.Column("duration_s", sa.Float),
        sa.Column("summary_json", sa.Text),
        sa.Column("files_dir", sa.String(200)),
        sa.Column("notes", sa.Text),
        sa.Column("gaitlab_version", sa.String(40)),
    )
    md.create_all(conn)


def metric_rows(session_id: int, metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """``summary['metrics']`` as ``session_metrics`` rows: numbers in ``value`` (None for a
    measure the view could not support), short strings in ``text``; nested values skipped."""
    rows = []
    for name, v in metrics.items():
        if isinstance(v, bool):
            v = int(v)
        value: float | None = None
        text: str | None = None
        if isinstance(v, int | float):
            value = float(v) if math.isfinite(float(v)) else None
        elif isinstance(v, str):
            text = v[:200]
        elif v is not None:
            continue
        rows.append(
            {"session_id": session_id, "name": str(name)[:120], "value": value, "text": text}
        )
    return rows


def _v2(conn: Connection) -> None:
    """Metrics in their own indexed table (v1 kept them only inside ``summary_json``), filled
    from the summaries already saved; an index for a person's sessions by date."""
    md = sa.MetaData()
    sessions = sa.Table(
        "sessions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer),
        sa.Column("recorded_at", sa.DateTime(timezone=True)),
        sa.Column("summary_json", sa.Text),
    )
    metrics = sa.Table(
        "session_metrics",
        md,
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("text", sa.String(200)),
    )
    metrics.create(conn)
    sa.Index("ix_session_metrics_name", metrics.c.name).create(conn)
    sa.Index("ix_sessions_person_recorded", sessions.c.person_id, sessions.c.recorded_at).create(
        conn
    )
    saved = conn.execute(
        sa.select(sessions.c.id, sessions.c.summary_json).where(
            sessions.c.summary_json.is_not(None)
        )
    ).all()
    for sid, text in saved:
        try:
            summary = json.loads(text)
        except json.JSONDecodeError:
            continue
        rows = metric_rows(sid, summary.get("metrics") or {})
        if rows:
            conn.execute(metrics.insert(), rows)


def _v3(conn: Connection) -> None:
    """Annotations: notes on a session or a moment of it, and angles drawn on a frame."""
    md = sa.MetaData()
    sa.Table("sessions", md, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "annotations",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("t_s", sa.Float),
        sa.Column("frame", sa.Integer),
        sa.Column("text", sa.Text),
        sa.Column("geometry_json", sa.Text),
        sa.Column("angle_deg", sa.Float),
        sa.Column("author", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True)),
    )
    table.create(conn)
    sa.Index("ix_annotations_session", table.c.session_id).create(conn)


#: ``(version, what it adds, function)`` in order.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "persons and sessions", _v1),
    (2, "session metrics table", _v2),
    (3, "annotations (notes and angles)", _v3),
)
assert MIGRATIONS[-1][0] == LATEST_VERSION


def current_version(conn: Connection) -> int:
    """The schema version of the database (0 = empty, nothing of gaitlab's yet)."""
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    version = conn.execute(sa.select(schema_version.c.version)).scalar()
    return int(version or 0)


def backup_before_upgrade(engine: Engine) -> Path | None:
    """Copy a SQLite database that is about to be upgraded to
    ``gaitlab.db.before-v<N>-<UTC time>`` beside it (SQLite's online backup API); returns
    the copy, or None when there is nothing to upgrade. A PostgreSQL history is backed up
    with pg_dump before upgrading gaitlab (README)."""
    if engine.url.get_backend_name() != "sqlite" or not engine.url.database:
        return None
    with transaction(engine, write=False) as conn:
        version = current_version(conn)
    if not 0 < version < LATEST_VERSION:
        return None
    database = Path(engine.url.database)
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    copy = database.with_name(f"{database.name}.before-v{LATEST_VERSION}-{stamp}")
    sqlite_copy(database, copy)
    return copy


def migrate(engine: Engine, target: int | None = None) -> tuple[int, int]:
    """Upgrade the database to ``target`` (default: the latest version).

    Returns
    -------
    (version before, version after)

    Raises
    ------
    StoreError
        The database was written by a newer gaitlab (its version is above what this code
        knows), or ``target`` is not a known version.
    """
    target = LATEST_VERSION if target is None else target
    if not 0 <= target <= LATEST_VERSION:
        raise StoreError(f"unknown schema version {target} (known: 1-{LATEST_VERSION})")
    with transaction(engine, write=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        before = current_version(conn)
        if before > LATEST_VERSION:
            raise StoreError(
                f"the history database has schema version {before}, newer than this gaitlab "
                f"understands ({LATEST_VERSION}): upgrade gaitlab"
            )
        if before == 0:
            schema_version.create(conn, checkfirst=True)
        version = before
        for number, _what, step in MIGRATIONS:
            if version < number <= target:
                step(conn)
                version = number
        if version != before:
            now = datetime.now(UTC)
            if before == 0:
                conn.execute(schema_version.insert().values(id=1, version=version, updated_at=now))
            else:
                conn.execute(schema_version.update().values(version=version, updated_at=now))
    return before, version
