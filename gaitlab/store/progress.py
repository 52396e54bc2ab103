"""The queries behind a person's progress: a metric's values over their sessions, and the
metrics measured at all. Judging the changes (smallest detectable difference, references)
and wording them is :mod:`gaitlab.present.progress`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gaitlab.store.records import MetricPoint, utc
from gaitlab.store.schema import session_metrics, sessions


def metric_points(conn: Connection, person_id: int, metric: str) -> list[MetricPoint]:
    """The measured values of ``metric`` in a person's analyses, oldest first."""
    rows = conn.execute(
        sa.select(
            sessions.c.id,
            sessions.c.recorded_at,
            session_metrics.c.value,
            sessions.c.task,
        )
        .join(session_metrics, session_metrics.c.session_id == sessions.c.id)
        .where(
            sessions.c.person_id == person_id,
            session_metrics.c.name == metric,
            session_metrics.c.value.is_not(None),
        )
        .order_by(sessions.c.recorded_at, sessions.c.id)
    ).all()
    return [MetricPoint(int(r[0]), utc(r[1]), float(r[2]), r[3]) for r in rows]  # type: ignore[arg-type]


def metric_names(conn: Connection, person_id: int | None) -> list[str]:
    """Names of the metrics measured at least once (of one person if given)."""
    query = (
        sa.select(session_metrics.c.name)
        .join(sessions, session_metrics.c.session_id == sessions.c.id)
        .where(session_metrics.c.value.is_not(None))
        .distinct()
        .order_by(session_metrics.c.name)
    )
    if person_id is not None:
        query = query.where(sessions.c.person_id == person_id)
    return [r[0] for r in conn.execute(query)]


def session_metrics_of(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Every stored metric of each session (name → number or text), by session id."""
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
