"""Notes and drawn angles on a session: the record, the checks on what is given, and the
rows.

Three kinds:

``note``
    Text on the whole session (no time) or on a moment of its video (``t_s`` and the
    annotated video's ``frame``).
``angle``
    Three points on a paused frame; the angle at the middle one.
``line``
    Two points on a paused frame; the line's angle against the image vertical or horizontal.

Points are normalised image coordinates of the annotated video (x right, y down, 0-1) with
the image size in pixels they were drawn on, so the angle is measured in pixels (a
normalised frame is stretched on one axis) and the drawing scales with the player.
Every session folder's ``record.json`` holds its annotations too (``gaitlab history doctor
--repair`` rebuilds them from it).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from gaitlab.core.geometry import drawn_angle_deg
from gaitlab.store.db import NotFoundError
from gaitlab.store.records import InputError, iso, utc
from gaitlab.store.schema import annotations

KINDS = ("note", "angle", "line")
#: What a line's angle is measured against.
REFERENCES = ("vertical", "horizontal")
#: Longest note kept (characters): a paragraph or two, not a document.
MAX_TEXT_CHARS = 4000
MAX_AUTHOR_CHARS = 100
#: Points of each drawn kind.
POINTS = {"angle": 3, "line": 2}
#: Largest image side accepted (pixels): an 8K frame.
MAX_SIDE_PX = 8192


@dataclass(frozen=True)
class Annotation:
    """A note or a drawn angle on a session.

    ``t_s`` and ``frame`` are the moment in the annotated video (both None for a note on
    the whole session); ``points`` normalised image coordinates, ``image_size`` the
    ``(width, height)`` in pixels they were drawn on; ``angle_deg`` the angle measured.
    """

    id: int
    session_id: int
    kind: str
    created_at: datetime
    t_s: float | None = None
    frame: int | None = None
    text: str | None = None
    points: tuple[tuple[float, float], ...] = ()
    reference: str | None = None
    image_size: tuple[int, int] | None = None
    angle_deg: float | None = None
    author: str | None = None
    edited_at: datetime | None = None

    @property
    def geometry(self) -> dict[str, Any] | None:
        if not self.points:
            return None
        return {
            "points": [list(p) for p in self.points],
            "reference": self.reference,
            "image_size": list(self.image_size) if self.image_size else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session_id,
            "kind": self.kind,
            "t_s": self.t_s,
            "frame": self.frame,
            "text": self.text,
            "geometry": self.geometry,
            "angle_deg": self.angle_deg,
            "author": self.author,
            "created_at": iso(self.created_at),
            "edited_at": iso(self.edited_at),
        }


def check_text(text: Any, *, required: bool) -> str | None:
    """A note's text, stripped; None when empty and not required.

    Raises
    ------
    InputError
    """
    value = "" if text is None else str(text).strip()
    if not value:
        if required:
            raise InputError("a note needs some text")
        return None
    if len(value) > MAX_TEXT_CHARS:
        raise InputError(f"a note is at most {MAX_TEXT_CHARS} characters (got {len(value)})")
    return value


def _moment(t_s: Any, frame: Any) -> tuple[float | None, int | None]:
    if t_s is None:
        if frame is not None:
            raise InputError("a frame needs its time in the video")
        return None, None
    if isinstance(t_s, bool) or not isinstance(t_s, int | float) or not math.isfinite(t_s):
        raise InputError(f"the time in the video must be a number of seconds, got {t_s!r}")
    if t_s < 0:
        raise InputError(f"the time in the video cannot be negative ({t_s} s)")
    if frame is not None and (isinstance(frame, bool) or not isinstance(frame, int) or frame < 0):
        raise InputError(f"the frame must be a frame number (0 or more), got {frame!r}")
    return float(t_s), frame


def _geometry(
    kind: str, points: Any, reference: Any, image_size: Any
) -> tuple[dict[str, Any], float]:
    """The geometry JSON of a drawn angle and the angle it measures, checked."""
    try:
        pts = [(float(x), float(y)) for x, y in points]
        width, height = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise InputError("an angle needs its points as (x, y) pairs and the image size") from None
    if len(pts) != POINTS[kind]:
        raise InputError(
            f"{'an angle' if kind == 'angle' else 'a line'} needs {POINTS[kind]} points"
        )
    if not all(math.isfinite(v) and 0.0 <= v <= 1.0 for p in pts for v in p):
        raise InputError("the points must lie on the frame (coordinates 0-1)")
    if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX):
        raise InputError(f"image size {width}×{height} px is not a video frame")
    if kind == "line" and reference not in REFERENCES:
        raise InputError("a line is measured against the vertical or the horizontal")
    ref = reference if kind == "line" else None
    px = np.array(pts) * [width, height]
    angle = drawn_angle_deg(px, ref)
    if not math.isfinite(angle):
        raise InputError("two of the points are the same: the angle is not defined")
    geometry = {"points": [list(p) for p in pts], "reference": ref, "image_size": [width, height]}
    return geometry, round(angle, 2)


def annotation_values(
    session_id: int,
    kind: str,
    *,
    text: Any = None,
    t_s: Any = None,
    frame: Any = None,
    points: Any = None,
    reference: Any = None,
    image_size: Any = None,
    author: Any = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """The ``annotations`` row of a new annotation, checked (the angle measured here, from
    the points, not taken from the caller).

    Raises
    ------
    InputError
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    t, f = _moment(t_s, frame)
    geometry, angle = None, None
    if kind != "note":
        if t is None:
            raise InputError("an angle is drawn on a frame: it needs the time in the video")
        geometry, angle = _geometry(kind, points, reference, image_size)
    who = check_text(author, required=False)
    return {
        "session_id": session_id,
        "kind": kind,
        "t_s": t,
        "frame": f,
        "text": check_text(text, required=kind == "note"),
        "geometry_json": json.dumps(geometry) if geometry else None,
        "angle_deg": angle,
        "author": who[:MAX_AUTHOR_CHARS] if who else None,
        "created_at": created_at or datetime.now(UTC),
    }


def annotation_of(row: Row[Any]) -> Annotation:
    m = row._mapping
    geometry = json.loads(m["geometry_json"]) if m["geometry_json"] else {}
    size = geometry.get("image_size")
    return Annotation(
        id=int(m["id"]),
        session_id=int(m["session_id"]),
        kind=m["kind"],
        created_at=utc(m["created_at"]),  # type: ignore[arg-type]
        t_s=m["t_s"],
        frame=m["frame"],
        text=m["text"],
        points=tuple((float(x), float(y)) for x, y in geometry.get("points") or []),
        reference=geometry.get("reference"),
        image_size=(int(size[0]), int(size[1])) if size else None,
        angle_deg=m["angle_deg"],
        author=m["author"],
        edited_at=utc(m["edited_at"]),
    )


def of_session(conn: Connection, session_id: int) -> list[Annotation]:
    """A session's annotations: session notes first, then by time in the video."""
    rows = conn.execute(
        sa.select(annotations)
        .where(annotations.c.session_id == session_id)
        .order_by(
            annotations.c.t_s.is_not(None),
            annotations.c.t_s,
            annotations.c.created_at,
            annotations.c.id,
        )
    ).all()
    return [annotation_of(r) for r in rows]


def one(conn: Connection, annotation_id: int) -> Annotation:
    """Raises :class:`NotFoundError` when there is no such annotation."""
    row = conn.execute(sa.select(annotations).where(annotations.c.id == annotation_id)).first()
    if row is None:
        raise NotFoundError(f"no annotation {annotation_id} (see: gaitlab history notes)")
    return annotation_of(row)


def from_record(session_id: int, saved: dict[str, Any]) -> dict[str, Any] | None:
    """The row of an annotation as ``record.json`` keeps it (:meth:`Annotation.to_dict`), or
    None when it no longer passes the checks."""
    geometry = saved.get("geometry") or {}
    try:
        created = datetime.fromisoformat(str(saved.get("created_at"))).astimezone(UTC)
        values = annotation_values(
            session_id,
            str(saved.get("kind")),
            text=saved.get("text"),
            t_s=saved.get("t_s"),
            frame=saved.get("frame"),
            points=geometry.get("points"),
            reference=geometry.get("reference"),
            image_size=geometry.get("image_size"),
            author=saved.get("author"),
            created_at=created,
        )
    except (InputError, ValueError):
        return None
    if saved.get("edited_at"):
        try:
            values["edited_at"] = datetime.fromisoformat(str(saved["edited_at"])).astimezone(UTC)
        except ValueError:
            pass
    return values
