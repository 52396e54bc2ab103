"""Key frames for the report: which moments to show (the flagged ones, else evenly spaced) and
portrait tiles cropped around the subject from the annotated video, cached beside the session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd

from gaitlab.io.export import VIDEO_NAME
from gaitlab.io.video import read_frames
from gaitlab.present.flags import rule_label
from gaitlab.render.blur import FaceBlurrer, PeopleModel
from gaitlab.report.errors import ReportError
from gaitlab.store import LANDMARKS_NAME, THUMBS_DIR, Session

#: Key frames shown at most (one row of pictures).
MAX_KEY_FRAMES = 4
#: Flagged key frames closer together than this show the same moment: one is kept.
KEY_FRAME_MIN_GAP_S = 0.25
#: Key-frame tiles: portrait crops around the subject, this many pixels.
TILE_W, TILE_H = 360, 480
#: A crop is at least this share of the frame height (a far-away person is not blown up
#: into a blur).
MIN_CROP_OF_FRAME = 0.45


@dataclass(frozen=True)
class KeyFrame:
    """One picture for the report: a crop of the annotated video around the subject."""

    row: int  # frame of annotated.mp4 (= row of frames.csv)
    t_s: float
    path: Path  # JPEG tile
    caption: str
    flagged: bool


def _severity_rank(severity: str) -> int:
    return {"alert": 0, "high": 0, "error": 0, "warning": 1}.get(str(severity), 2)


# -- choosing -----------------------------------------------------------------------------------
def choose_key_rows(
    summary: dict[str, Any], frames: pd.DataFrame, n: int = MAX_KEY_FRAMES
) -> list[tuple[int, str, bool]]:
    """``(row, caption, flagged)`` of the key frames: the flagged moments (most severe first,
    one per :data:`KEY_FRAME_MIN_GAP_S`), else ``n`` evenly spaced frames with the subject;
    in time order."""
    if frames.empty:
        return []
    t = frames["t_s"].to_numpy(dtype=float)
    chosen = _flagged_rows(summary, frames, t, n)
    if not chosen:
        chosen = _evenly_spaced_rows(frames, t, n)
    return sorted(chosen, key=lambda c: c[0])


def _flagged_rows(
    summary: dict[str, Any], frames: pd.DataFrame, t: np.ndarray, n: int
) -> list[tuple[int, str, bool]]:
    """The flagged moments, most severe first, at most one per :data:`KEY_FRAME_MIN_GAP_S`."""
    row_of = {int(f): i for i, f in enumerate(frames["frame"].to_numpy())}
    chosen: list[tuple[int, str, bool]] = []
    flags = sorted(
        summary.get("flags") or [],
        key=lambda f: (_severity_rank(f.get("severity", "")), float(f.get("start_s", 0))),
    )
    for f in flags:
        row = row_of.get(int(f.get("frame", -1)))
        if row is None:
            row = int(np.argmin(np.abs(t - float(f.get("start_s", 0.0)))))
        if any(abs(t[row] - t[r]) < KEY_FRAME_MIN_GAP_S for r, _c, _f in chosen):
            continue
        side = f" {f['side']}" if f.get("side") else ""
        chosen.append((row, f"{t[row]:.2f} s · {rule_label(str(f['rule']))}{side}", True))
        if len(chosen) == n:
            break
    return chosen


def _evenly_spaced_rows(frames: pd.DataFrame, t: np.ndarray, n: int) -> list[tuple[int, str, bool]]:
    """``n`` frames evenly spaced over those with the subject (over all when none has)."""
    detected = (
        np.flatnonzero(frames["detected"].to_numpy() > 0)
        if "detected" in frames.columns
        else np.arange(len(frames))
    )
    if detected.size == 0:
        detected = np.arange(len(frames))
    picks = detected[((np.arange(n) + 0.5) / n * detected.size).astype(int)]
    return [(int(r), f"{t[r]:.2f} s", False) for r in dict.fromkeys(picks.tolist())]


# -- cropping -----------------------------------------------------------------------------------
def _subject_box(
    row: int, frames: pd.DataFrame, landmarks: np.ndarray | None, scale: float
) -> tuple[float, float, float, float] | None:
    """The subject's box in annotated-video pixels: all 33 landmarks when stored, else the
    legs from frames.csv with the upper body added above the hips (legs ≈ half the height)."""
    if landmarks is not None and 0 <= row < len(landmarks):
        pts = landmarks[row]
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) >= 4:
            (x0, y0), (x1, y1) = pts.min(axis=0) * scale, pts.max(axis=0) * scale
            return float(x0), float(y0), float(x1), float(y1)
    xs = frames.iloc[row][[c for c in frames.columns if c.endswith("_x_px")]].to_numpy(float)
    ys = frames.iloc[row][[c for c in frames.columns if c.endswith("_y_px")]].to_numpy(float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if ok.sum() < 3:
        return None
    xs, ys = xs[ok] * scale, ys[ok] * scale
    hips = frames.iloc[row][["left_hip_y_px", "right_hip_y_px"]].to_numpy(float) * scale
    hip_y = float(np.nanmean(hips)) if np.isfinite(hips).any() else float(ys.min())
    legs = float(ys.max()) - hip_y
    return float(xs.min()), hip_y - 1.05 * legs, float(xs.max()), float(ys.max())


def _crop(image: np.ndarray, box: tuple[float, float, float, float] | None) -> np.ndarray:
    """A portrait (3:4) crop around ``box`` with a margin, inside the image, resized to the
    tile size; the whole frame letterboxed when there is no box."""
    h, w = image.shape[:2]
    aspect = TILE_W / TILE_H
    if box is None:
        ch, cw = h, min(w, h * aspect)
        cx, cy = w / 2, h / 2
    else:
        x0, y0, x1, y1 = box
        ch = max((y1 - y0) * 1.2, (x1 - x0) * 1.2 / aspect, MIN_CROP_OF_FRAME * h)
        cw = ch * aspect
        if cw > w:
            cw, ch = w, w / aspect
        ch = min(ch, h)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(round(min(max(cx - cw / 2, 0), w - cw)))
    top = int(round(min(max(cy - ch / 2, 0), h - ch)))
    crop = image[top : top + int(round(ch)), left : left + int(round(cw))]
    scale = min(TILE_W / crop.shape[1], TILE_H / crop.shape[0])
    resized = cv2.resize(
        crop,
        (max(int(crop.shape[1] * scale), 1), max(int(crop.shape[0] * scale), 1)),
        interpolation=cv2.INTER_AREA,
    )
    tile = np.full((TILE_H, TILE_W, 3), 245, np.uint8)
    oy, ox = (TILE_H - resized.shape[0]) // 2, (TILE_W - resized.shape[1]) // 2
    tile[oy : oy + resized.shape[0], ox : ox + resized.shape[1]] = resized
    return tile


def write_jpeg(path: Path, rgb: np.ndarray) -> None:
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88]
    )
    if not ok:
        raise ReportError(f"cannot encode {path.name}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    tmp.write_bytes(data.tobytes())
    os.replace(tmp, path)  # another process making the same tile writes the same bytes


# -- the tiles ----------------------------------------------------------------------------------
def key_frames(
    session: Session,
    frames: pd.DataFrame,
    *,
    n: int = MAX_KEY_FRAMES,
    blur_faces: bool = False,
    face_model: Callable[[], PeopleModel] | None = None,
) -> list[KeyFrame]:
    """The session's key frames as JPEG tiles, cached in ``<session>/thumbs/``.

    Faces are blurred before cropping when ``blur_faces`` (see :mod:`gaitlab.render.blur`:
    from the stored landmarks, else by the pose model ``face_model`` makes); the unblurred
    and blurred tiles are cached separately.
    """
    video = session.file(VIDEO_NAME)
    if video is None or session.files_dir is None or session.summary is None:
        return []
    picks = choose_key_rows(session.summary, frames, n)
    if not picks:
        return []
    thumbs = session.files_dir / THUMBS_DIR
    thumbs.mkdir(exist_ok=True)
    suffix = "_blur" if blur_faces else ""
    paths = {row: thumbs / f"key_{row:06d}{suffix}.jpg" for row, _c, _f in picks}
    missing = [row for row, p in paths.items() if not p.exists()]
    if missing:
        todo = {row: paths[row] for row in missing}
        _make_tiles(session, video, frames, todo, blur_faces, face_model)
    t = frames["t_s"].to_numpy(dtype=float)
    return [
        KeyFrame(row, float(t[row]), paths[row], caption, flagged)
        for row, caption, flagged in picks
        if paths[row].exists()
    ]


def _stored_landmarks(session: Session) -> np.ndarray | None:
    """The session's 33 landmarks per frame (pixels of the analysed video), if stored."""
    stored = session.file(LANDMARKS_NAME)
    if stored is None:
        return None
    with np.load(stored) as data:
        return data["xy"].astype(float)


def _make_tiles(
    session: Session,
    video: Path,
    frames: pd.DataFrame,
    paths: dict[int, Path],
    blur_faces: bool,
    face_model: Callable[[], PeopleModel] | None,
) -> None:
    """Read the frames ``paths`` names from ``video``, blur faces if asked, crop each around
    the subject and write it to its path."""
    images = read_frames(video, list(paths))
    width = int(((session.summary or {}).get("video") or {}).get("width") or 0)
    landmarks = _stored_landmarks(session)
    blur = None
    if blur_faces and images:
        width_px = next(iter(images.values())).shape[1]
        blur = FaceBlurrer(session.file(LANDMARKS_NAME), width_px, face_model)
    try:
        t = frames["t_s"].to_numpy(dtype=float)
        for row in sorted(images):
            image = images[row]
            scale = image.shape[1] / width if width else 1.0
            if blur is not None:
                image = blur(image, row, float(t[row]))
            write_jpeg(paths[row], _crop(image, _subject_box(row, frames, landmarks, scale)))
    finally:
        if blur is not None:
            blur.close()
