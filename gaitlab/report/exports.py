"""Exports of a saved session: JSON, CSV, TRC (OpenSim markers) and the annotated video,
with faces blurred (:mod:`gaitlab.render.blur`) when asked."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import FRAMES_NAME, VIDEO_NAME, write_json
from gaitlab.io.trc import frames_to_trc
from gaitlab.io.video import VideoReader, VideoWriter, probe
from gaitlab.render.blur import FaceBlurrer, PeopleModel
from gaitlab.store import LANDMARKS_NAME, Annotation, Session, Store

#: What ``gaitlab export`` writes.
EXPORT_FORMATS = ("json", "csv", "trc", "mp4")


class ExportError(GaitlabError):
    """A session cannot be exported in the asked format."""


def session_json(session: Session, annotations: Sequence[Annotation] = ()) -> dict[str, Any]:
    """The session's summary with who, when and how it was saved, and its notes and drawn
    angles (``session`` key)."""
    meta = session.to_dict()
    meta["annotations"] = [a.to_dict() for a in annotations]
    if session.kind != "analysis":
        return {"session": meta}
    meta.pop("summary", None)
    meta.pop("metrics", None)
    meta.pop("files_dir", None)
    return {**(session.summary or {}), "session": meta}


def export_session(
    store: Store,
    session_id: int | str,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    blur_faces: bool = False,
    height_cm: float | None = None,
    face_model: Callable[[], PeopleModel] | None = None,
    clip_s: tuple[float, float] | None = None,
) -> Path:
    """Write one session as ``fmt`` to ``out``; returns the path written.

    ``json``: the summary plus the session's person, dates, notes and drawn angles.
    ``csv``: frames.csv (time, landmarks in pixels, every per-frame measure). ``trc``: the
    landmarks as an OpenSim marker file (metres when the person's height, or
    ``height_cm``, is known). ``mp4``: the annotated video, with faces blurred when
    ``blur_faces`` (from the session's stored landmarks, else by the pose model
    ``face_model`` makes); ``clip_s`` = ``(from, to)`` keeps only the frames of that stretch
    of the recording (seconds, the session's time), as a clip starting at 0 s.

    Raises
    ------
    ExportError, NotFoundError
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose {', '.join(EXPORT_FORMATS)}")
    session = store.session(session_id)
    out_path = Path(out)
    if not out_path.parent.is_dir():
        raise ExportError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    if blur_faces and fmt != "mp4":
        raise ExportError(f"--blur-faces applies to pictures (mp4, report); {fmt} holds none")
    if clip_s is not None and fmt != "mp4":
        raise ExportError(f"a clip (--from/--to) is cut from the video (mp4), not from {fmt}")
    if clip_s is not None and not clip_s[0] < clip_s[1]:
        raise ExportError(f"a clip must end after it starts (from {clip_s[0]} s to {clip_s[1]} s)")
    if fmt == "json":
        tmp = out_path.with_name(f".{out_path.name}.partial")
        try:
            write_json(tmp, session_json(session, store.annotations(session.id)))
            os.replace(tmp, out_path)
        finally:
            tmp.unlink(missing_ok=True)
        return out_path
    if session.kind != "analysis":
        raise ExportError(f"session {session.id} is a programme session: it has no {fmt} data")
    if fmt == "csv":
        return _copy(_need(session, FRAMES_NAME), out_path)
    if fmt == "trc":
        height = height_cm or (session.person.height_cm if session.person else None)
        video = (session.summary or {}).get("video") or {}
        frames_to_trc(
            _need(session, FRAMES_NAME),
            out_path,
            frame_height_px=video.get("height"),
            height_cm=height,
        )
        return out_path
    video_path = _need(session, VIDEO_NAME)
    if not blur_faces and clip_s is None:
        return _copy(video_path, out_path)
    _video_part(session, video_path, out_path, blur_faces, face_model, clip_s)
    return out_path


def _need(session: Session, name: str) -> Path:
    path = session.file(name)
    if path is None:
        raise ExportError(f"session {session.id} has no {name} (saved without it)")
    return path


def _copy(src: Path, dst: Path) -> Path:
    tmp = dst.with_name(f".{dst.name}.partial")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst


def _row_times(session: Session) -> np.ndarray:
    """The recording time (s) of each row of the session's frames.csv."""
    with _need(session, FRAMES_NAME).open(newline="") as fh:
        reader = csv.DictReader(fh)
        return np.array([float(row["t_s"]) for row in reader])


def _video_part(
    session: Session,
    src: Path,
    dst: Path,
    blur_faces: bool,
    face_model: Callable[[], PeopleModel] | None,
    clip_s: tuple[float, float] | None,
) -> None:
    """Re-encode ``src`` into ``dst``: faces blurred when ``blur_faces`` (from the stored
    landmarks, else by ``face_model``), only the frames within ``clip_s`` when given (times
    from 0 s)."""
    info = probe(src)
    row_t_s = _row_times(session) if clip_s is not None else None
    blur: FaceBlurrer | None = None
    writer = None
    try:
        with VideoReader(src) as reader:
            for frame in reader:
                if clip_s is not None and row_t_s is not None:
                    # the annotated video's frame k is row k of frames.csv: its time there
                    t = row_t_s[frame.index] if frame.index < len(row_t_s) else np.inf
                    if not clip_s[0] - 1e-6 <= t <= clip_s[1] + 1e-6:
                        continue
                if writer is None:
                    h, w = frame.image.shape[:2]
                    writer = VideoWriter(dst, w, h, info.fps)
                    t0 = frame.t_s
                    if blur_faces:
                        blur = FaceBlurrer(session.file(LANDMARKS_NAME), w, face_model)
                image = frame.image if blur is None else blur(frame.image, frame.index, frame.t_s)
                writer.write(image, t_s=frame.t_s - t0)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if blur is not None:
            blur.close()
    if writer is None:
        where = "" if clip_s is None else f" between {clip_s[0]:g} s and {clip_s[1]:g} s"
        raise ExportError(f"{src.name} has no frames{where} to export")
    writer.close()
