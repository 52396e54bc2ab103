"""The tables as of the latest schema version (what queries use).

Migrations (:mod:`gaitlab.store.migrations`) build these step by step with their own frozen
table definitions; a test checks that a migrated database matches this module.

persons
    One row per person whose videos are analysed: name (unique) and what the measures need
    (sex for sex-specific thresholds, birth year for age norms, height for cm scaling).
sessions
    One row per saved analysis (``kind='analysis'``: a file or a live session) or programme
    session (``kind='programme'``: an exercise done, with its duration and notes). An
    analysis's result files live in ``<home>/<files_dir>``; its summary.json is also kept
    in ``summary_json`` so the history survives without the files.
session_metrics
    The numeric metrics of each analysis, one row per name, for history and progress.
annotations
    What a person wrote or drew on a session: a note on the whole session (no time), a note
    at a moment of the video, or an angle measured on a paused frame (three points: the
    angle at the middle one; two points: a line against the vertical or horizontal). Points
    are normalised image coordinates of the annotated video (0-1, y down), kept as JSON with
    the image size they were measured on; ``angle_deg`` is the angle they make in pixels.
"""

from __future__ import annotations

import sqlalchemy as sa

#: The schema version this code reads and writes.
LATEST_VERSION = 3

metadata = sa.MetaData()

schema_version = sa.Table(
    "gaitlab_schema",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

persons = sa.Table(
    "persons",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("sex", sa.String(10)),
    sa.Column("birth_year", sa.Integer),
    sa.Column("height_cm", sa.Float),
    sa.Column("body_mass_kg", sa.Float),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
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
    sa.Index("ix_sessions_person_recorded", "person_id", "recorded_at"),
)

session_metrics = sa.Table(
    "session_metrics",
    metadata,
    sa.Column(
        "session_id",
        sa.Integer,
        sa.ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(120), primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("text", sa.String(200)),
    sa.Index("ix_session_metrics_name", "name"),
)

annotations = sa.Table(
    "annotations",
    metadata,
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
    sa.Index("ix_annotations_session", "session_id"),
)
