"""Face blurring for anything that shows a video's pictures (exported videos, report key
frames).

Faces are found from the pose landmarks of the head (nose, eyes, ears, mouth corners):
from a session's ``landmarks.npz`` (the subject and the bystanders the annotated video
shows) when it has one, else by running a pose model on the pictures themselves. A frame
where the subject's head was not detected reuses the nearest detection within
:data:`FACE_HOLD_S`, so a missed frame does not unblur a face.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from gaitlab.core.errors import GaitlabError
from gaitlab.core.landmarks import Landmark

#: The head landmarks a face region is built from.
FACE_LANDMARKS = (
    Landmark.NOSE,
    Landmark.LEFT_EYE_INNER,
    Landmark.LEFT_EYE,
    Landmark.LEFT_EYE_OUTER,
    Landmark.RIGHT_EYE_INNER,
    Landmark.RIGHT_EYE,
    Landmark.RIGHT_EYE_OUTER,
    Landmark.LEFT_EAR,
    Landmark.RIGHT_EAR,
    Landmark.MOUTH_LEFT,
    Landmark.MOUTH_RIGHT,
)
#: How many people a pose model looks for when it finds faces (bystanders included).
MAX_FACES = 4
#: A frame without the subject's head reuses the nearest one within this many seconds.
FACE_HOLD_S = 0.5
#: The blurred ellipse: half-width as a multiple of the head landmarks' spread (ears to
#: nose ≈ half a head), never less than this share of shoulder width or MIN_FACE_RADIUS_PX.
FACE_RADIUS_OF_SPREAD = 1.15
FACE_RADIUS_OF_SHOULDERS = 0.45
MIN_FACE_RADIUS_PX = 8.0


class PeopleModel(Protocol):
    """A pose model (:class:`gaitlab.pose.PoseEstimator`): every person's landmarks in a
    picture, each with ``xy (33, 2)`` in pixels of ``out_size``."""

    def process(
        self, image_rgb: np.ndarray, t_s: float, *, out_size: tuple[int, int]
    ) -> Sequence[Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class FaceRegion:
    """An upright ellipse around a head, in pixels of the picture it belongs to."""

    cx: float
    cy: float
    rx: float
    ry: float


def face_region(xy: np.ndarray) -> FaceRegion | None:
    """The face ellipse of one person from their ``(33, 2)`` landmarks (NaN = missing)."""
    xy = np.asarray(xy, dtype=float)
    head = xy[list(FACE_LANDMARKS)]
    head = head[np.isfinite(head).all(axis=1)]
    if len(head) < 2:
        return None
    centre = head.mean(axis=0)
    spread = float(np.max(np.linalg.norm(head[:, None] - head[None], axis=-1)))
    radius = max(FACE_RADIUS_OF_SPREAD * spread, MIN_FACE_RADIUS_PX)
    shoulders = xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]]
    if np.isfinite(shoulders).all():
        radius = max(
            radius, FACE_RADIUS_OF_SHOULDERS * float(np.linalg.norm(shoulders[0] - shoulders[1]))
        )
    # The landmarks sit on the face; the head reaches higher (forehead, hair).
    return FaceRegion(float(centre[0]), float(centre[1] - 0.2 * radius), radius, 1.3 * radius)


def blur_regions(image: np.ndarray, regions: Iterable[FaceRegion]) -> np.ndarray:
    """A copy of ``image`` with each region pixelated and blurred beyond recognition."""
    out = image.copy()
    h, w = out.shape[:2]
    for r in regions:
        x0, x1 = int(max(r.cx - r.rx, 0)), int(min(r.cx + r.rx + 1, w))
        y0, y1 = int(max(r.cy - r.ry, 0)), int(min(r.cy + r.ry + 1, h))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        patch = out[y0:y1, x0:x1]
        ph, pw = patch.shape[:2]
        block = max(int(round(min(r.rx, r.ry) / 2.5)), 2)  # about 5 blocks across a face
        small = cv2.resize(
            patch, (max(pw // block, 1), max(ph // block, 1)), interpolation=cv2.INTER_AREA
        )
        coarse = cv2.resize(small, (pw, ph), interpolation=cv2.INTER_NEAREST)
        k = block * 2 + 1
        coarse = cv2.GaussianBlur(coarse, (k, k), 0)
        mask = np.zeros((ph, pw), np.uint8)
        cv2.ellipse(
            mask, (int(r.cx - x0), int(r.cy - y0)), (int(r.rx), int(r.ry)), 0, 0, 360, 255, -1
        )
        patch[mask > 0] = coarse[mask > 0]
    return out


class StoredFaces:
    """Face regions per annotated-video frame from a session's ``landmarks.npz``.

    ``scale`` maps original-video pixels to the picture's pixels (the annotated video is
    downscaled for the browser).
    """

    def __init__(self, path: Path) -> None:
        with np.load(path) as data:
            self.t_s = data["t_s"]
            self.xy = data["xy"].astype(float)
            self.frame_size = tuple(int(v) for v in data["frame_size"])
            self.others_row = data["others_row"]
            self.others_xy = data["others_xy"].astype(float)
        has_face = np.array([face_region(p) is not None for p in self.xy], dtype=bool)
        self._face_rows = np.flatnonzero(has_face)

    def regions(self, row: int, scale: float) -> list[FaceRegion]:
        out = []
        subject = self._subject_row(row)
        people = [self.xy[subject]] if subject is not None else []
        people += list(self.others_xy[self.others_row == row])
        for xy in people:
            region = face_region(xy * scale)
            if region is not None:
                out.append(region)
        return out

    def _subject_row(self, row: int) -> int | None:
        if not len(self._face_rows) or not 0 <= row < len(self.t_s):
            return None
        nearest = int(self._face_rows[np.argmin(np.abs(self._face_rows - row))])
        if abs(float(self.t_s[nearest]) - float(self.t_s[row])) > FACE_HOLD_S:
            return None
        return nearest


class DetectedFaces:
    """Face regions found by running a pose model on the pictures (no stored landmarks).
    One model per instance, fed pictures in time order, as MediaPipe's video mode needs."""

    def __init__(self, model: PeopleModel) -> None:
        self._pose = model
        self._last: tuple[float, list[FaceRegion]] = (-1e9, [])

    def regions(self, image: np.ndarray, t_s: float) -> list[FaceRegion]:
        h, w = image.shape[:2]
        people = self._pose.process(image, t_s, out_size=(w, h))
        found = [r for p in people if (r := face_region(p.xy)) is not None]
        if found:
            self._last = (t_s, found)
        elif t_s - self._last[0] <= FACE_HOLD_S:
            found = self._last[1]
        return found

    def close(self) -> None:
        self._pose.close()


class FaceBlurrer:
    """``blur(image, row, t_s)`` for pictures of a session's annotated video that are
    ``picture_width`` pixels wide; rows/times must come in increasing order. Uses the
    session's stored landmarks (``landmarks``: its ``landmarks.npz``, or None), else a pose
    model made by ``model`` (call :meth:`close` when done).

    Raises
    ------
    GaitlabError
        Neither stored landmarks nor a pose model to find the faces with.
    """

    def __init__(
        self,
        landmarks: Path | None,
        picture_width: int,
        model: Callable[[], PeopleModel] | None = None,
    ) -> None:
        if landmarks is None and model is None:
            raise GaitlabError("no landmarks are stored for these pictures: faces cannot be found")
        self._stored = StoredFaces(landmarks) if landmarks is not None else None
        self._detector = DetectedFaces(model()) if self._stored is None and model else None
        self._scale = picture_width / max(self._stored.frame_size[0], 1) if self._stored else 1.0

    def __call__(self, image: np.ndarray, row: int, t_s: float) -> np.ndarray:
        if self._stored is not None:
            return blur_regions(image, self._stored.regions(row, self._scale))
        assert self._detector is not None
        return blur_regions(image, self._detector.regions(image, t_s))

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()

    def __enter__(self) -> FaceBlurrer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
