"""A PDF report of a saved session (two pages, more with many notes), for someone who never
opened gaitlab.

What it holds: who and when, the task and camera view, key frames from the annotated video
(the flagged moments, else evenly spaced), every measure with its unit, reference band and
source, the flags with what they mean, the notes and angles kept with the session (each
drawn angle on its frame), what the view could not measure and why, and the limits of
measuring from one ordinary camera.

Display wording (labels, units, reference texts, flag explanations) comes from
:mod:`gaitlab.present.metrics`, so the report and the app say the same thing; every number
against which a value is judged comes from the thresholds file. The sections are built in
:mod:`gaitlab.report.sections`, the pictures in :mod:`gaitlab.report.keyframes`; this module
puts them on the page and writes the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from gaitlab import __version__
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.io.export import FRAMES_NAME
from gaitlab.render.blur import PeopleModel
from gaitlab.report import annotations as noted
from gaitlab.report import sections
from gaitlab.report.errors import ReportError
from gaitlab.report.fonts import register_fonts
from gaitlab.report.keyframes import KeyFrame, key_frames
from gaitlab.report.styles import MUTED, make_styles
from gaitlab.report.wording import TASK_TITLES, Sources
from gaitlab.store import Annotation, Person, Session, Store


def render_report(
    out: str | os.PathLike[str],
    summary: dict[str, Any],
    *,
    person: Person | None = None,
    recorded_at: datetime | None = None,
    session_id: int | None = None,
    frames: pd.DataFrame | None = None,
    pictures: Sequence[KeyFrame] = (),
    thresholds: dict[str, Threshold] | None = None,
    notes: str | None = None,
    annotations: Sequence[Annotation] = (),
    angle_pictures: dict[int, Path] | None = None,
) -> Path:
    """Write the PDF report of one analysis to ``out`` (atomically); returns its path.

    ``annotations`` are the notes and drawn angles kept with the session, ``angle_pictures``
    each drawn angle's frame with the angle on it, by annotation id
    (:func:`gaitlab.report.annotations.angle_pictures`)."""
    thresholds = load_thresholds() if thresholds is None else thresholds
    regular, bold = register_fonts()
    st = make_styles(regular, bold)
    task = str(summary.get("task") or "")
    sources = Sources([])
    width = A4[0] - 32 * mm - 12  # the frame's own 6 pt padding on each side
    title = TASK_TITLES.get(task, task.replace("-", " ").capitalize() or "Movement")
    story: list[Any] = [
        *sections.header(
            title,
            summary,
            st,
            width,
            person=person,
            recorded_at=recorded_at,
            session_id=session_id,
            notes=notes,
        ),
        *sections.key_moments(summary, pictures, st, width),
        *sections.measurements(
            summary, thresholds, person.sex if person else None, sources, st, width
        ),
        *sections.flag_list(summary, frames, thresholds, sources, st),
        *noted.notes_section(annotations, angle_pictures or {}, st, width),
        *sections.step_table(summary, st, width),
        *sections.recording_notes(summary, st),
        *sections.caveats_and_sources(sources, st),
    ]
    return _write_pdf(Path(out), story, title, _footer(session_id, person), regular, session_id)


def _footer(session_id: int | None, person: Person | None) -> str:
    """``gaitlab 0.1.0 · session 3 · Ana · made 7 Dec 2026 19:05``."""
    made = datetime.now().astimezone().strftime("%-d %b %Y %H:%M")
    bits = [f"gaitlab {__version__}"]
    if session_id is not None:
        bits.append(f"session {session_id}")
    if person is not None:
        bits.append(person.name)
    bits.append(f"made {made}")
    return " · ".join(bits)


def _write_pdf(
    out_path: Path,
    story: list[Any],
    title: str,
    footer: str,
    font: str,
    session_id: int | None,
) -> Path:
    """Lay ``story`` out on A4 pages with ``footer`` on each and write it to ``out_path``
    through a temporary file."""

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(16 * mm, 9 * mm, footer)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"page {doc.page}")
        canvas.drawString(
            16 * mm,
            5.5 * mm,
            "A screening aid from video, not a diagnosis. Everything stays on this computer.",
        )
        canvas.restoreState()

    if not out_path.parent.is_dir():
        raise ReportError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    tmp = out_path.with_name(f".{out_path.name}.partial")
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"gaitlab report: {title}",
        author="gaitlab",
        subject=f"session {session_id}" if session_id is not None else "",
    )
    try:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
        os.replace(tmp, out_path)
    except OSError as err:
        raise ReportError(f"cannot write {out_path}: {err}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def _frames(session: Session) -> pd.DataFrame | None:
    path = session.file(FRAMES_NAME)
    return pd.read_csv(path) if path is not None else None


def write_report(
    store: Store,
    session_id: int | str,
    out: str | os.PathLike[str],
    *,
    blur_faces: bool = False,
    thresholds: dict[str, Threshold] | None = None,
    face_model: Callable[[], PeopleModel] | None = None,
) -> Path:
    """Write the PDF report of a saved analysis session; returns the path.

    ``face_model`` makes the pose model that finds faces to blur in a session without
    stored landmarks.

    Raises
    ------
    NotFoundError
        No such session.
    ReportError
        A programme session (nothing to report), or the file cannot be written.
    """
    session = store.session(session_id)
    if session.kind != "analysis" or session.summary is None:
        raise ReportError(
            f"session {session.id} is a {session.kind} session without an analysis: "
            "reports are made for analysed videos"
        )
    frames = _frames(session)
    pictures = (
        key_frames(session, frames, blur_faces=blur_faces, face_model=face_model)
        if frames is not None
        else []
    )
    annotations = store.annotations(session.id)
    drawn = noted.angle_pictures(session, annotations, blur_faces=blur_faces, face_model=face_model)
    return render_report(
        out,
        session.summary,
        person=session.person,
        recorded_at=session.recorded_at,
        session_id=session.id,
        frames=frames,
        pictures=pictures,
        thresholds=thresholds,
        notes=session.notes,
        annotations=annotations,
        angle_pictures=drawn,
    )
