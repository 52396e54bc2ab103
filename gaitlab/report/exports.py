"""Exports of a saved session: JSON, CSV, TRC (OpenSim markers) and the annotated video,
with faces blurred (:mod:`gaitlab.render.blur`) when asked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gaitlab.core.errors import GaitlabError
from gaitlab.io.export import FRAMES_NAME, VIDEO_NAME, write_json
from gaitlab.io.trc import frames_to_trc
from gaitlab.io.video import VideoReader, VideoWriter, probe
from gaitlab.render.blur import FaceBlurrer, PeopleModel
from gaitlab.store import LANDMARKS_NAME, Session, Store

#: What ``gaitlab export`` writes.
EXPORT_FORMATS = ("json", "csv", "trc", "mp4")


class ExportError(GaitlabError):
    """A session cannot be exported in the asked format."""


def session_json(session: Session) -> dict[str, Any]:
    """The session's summary with who, when and how it was saved (``session`` key)."""
    if session.kind != "analysis":
        return {"session": session.to_dict()}
    meta = session.to_dict()
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
) -> Path:
    """Write one session as ``fmt`` to ``out``; returns the path written.

    ``json``: the summary plus the session's person and dates. ``csv``: frames.csv (time,
    landmarks in pixels, every per-frame measure). ``trc``: the landmarks as an OpenSim
    marker file (metres when the person's height, or ``height_cm``, is known). ``mp4``: the
    annotated video, with faces blurred when ``blur_faces`` (from the session's stored
    landmarks, else by the pose model ``face_model`` makes).

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
    if fmt == "json":
        tmp = out_path.with_name(f".{out_path.name}.partial")
        try:
            write_json(tmp, session_json(session))
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
    if not blur_faces:
        return _copy(video_path, out_path)
    _blurred_video(session, video_path, out_path, face_model)
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


def _blurred_video(
    session: Session, src: Path, dst: Path, face_model: Callable[[], PeopleModel] | None
) -> None:
    info = probe(src)
    blur: FaceBlurrer | None = None
    writer = None
    try:
        with VideoReader(src) as reader:
            for frame in reader:
                if writer is None:
                    h, w = frame.image.shape[:2]
                    writer = VideoWriter(dst, w, h, info.fps)
                    blur = FaceBlurrer(session.file(LANDMARKS_NAME), w, face_model)
                assert blur is not None
                writer.write(blur(frame.image, frame.index, frame.t_s), t_s=frame.t_s)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if blur is not None:
            blur.close()
    if writer is None:
        raise ExportError(f"{src.name} has no frames to export")
    writer.close()
