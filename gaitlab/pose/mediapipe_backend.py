"""MediaPipe BlazePose backend (Tasks ``PoseLandmarker``, video mode, several people)."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import numpy as np

from gaitlab.core.errors import ModelError, ShapeError
from gaitlab.pose.base import PersonPose, suppress_duplicates
from gaitlab.pose.bundle import BundleInfo, resolve_bundle


class MediaPipePose:
    """BlazePose (33 landmarks) for every person in a frame, via MediaPipe's PoseLandmarker.

    One instance owns one landmarker in video mode, so it serves one video or one live
    session; create a new one per video. Nothing is cached at module level.

    Parameters
    ----------
    bundle
        The model bundle; :func:`~gaitlab.pose.bundle.resolve_bundle` by default.
    num_poses
        Most people returned per frame. 4 covers a subject, a partner filming and
        passers-by; each extra person costs one landmark-model run (~10 ms on a CPU core).
    min_detection_confidence, min_presence, min_tracking
        MediaPipe's ``min_pose_detection_confidence``, ``min_pose_presence_confidence`` and
        ``min_tracking_confidence``; 0.5 is MediaPipe's default for all three.
    duplicate_distance
        Poses closer than this many body sizes are one person reported twice (MediaPipe does
        that now and then in video mode); see
        :func:`~gaitlab.pose.base.suppress_duplicates`. ``None`` keeps duplicates.
    mode
        ``"video"`` (default): MediaPipe follows each person from the previous frame and runs
        its person detector only when it has fewer than ``num_poses`` people to follow;
        timestamps must increase. ``"image"``: every call detects afresh, with no memory
        of earlier calls (for looks at a whole frame now and then, when following happens
        elsewhere).
    """

    def __init__(
        self,
        bundle: BundleInfo | None = None,
        num_poses: int = 4,
        min_detection_confidence: float = 0.5,
        min_presence: float = 0.5,
        min_tracking: float = 0.5,
        *,
        duplicate_distance: float | None = 0.1,
        mode: str = "video",
    ) -> None:
        if num_poses < 1:
            raise ValueError(f"num_poses: expected >= 1, got {num_poses}")
        if mode not in ("video", "image"):
            raise ValueError(f"mode: expected 'video' or 'image', got {mode!r}")
        self.bundle = resolve_bundle() if bundle is None else bundle
        self.num_poses = num_poses
        self.duplicate_distance = duplicate_distance
        self.timestamps_adjusted = 0  # frames whose ms timestamp had to be bumped
        self._last_ms: int | None = None
        self._video = mode == "video"

        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.bundle.path)),
            running_mode=vision.RunningMode.VIDEO if self._video else vision.RunningMode.IMAGE,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence,
            min_tracking_confidence=min_tracking,
        )
        try:
            self._landmarker: Any = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as err:
            raise ModelError(
                f"MediaPipe cannot load the pose model {self.bundle.path}: {err}"
            ) from err

    def process(
        self, image_rgb: np.ndarray, t_s: float, *, out_size: tuple[int, int]
    ) -> list[PersonPose]:
        """Every person in one frame; see :meth:`PoseEstimator.process`.

        Timestamps go to MediaPipe in whole milliseconds, which must strictly increase; a
        frame whose rounded time does not (duplicate or backwards timestamps, > 1000 fps) is
        sent 1 ms after the previous one and counted in ``timestamps_adjusted``.
        """
        if self._landmarker is None:
            raise RuntimeError("MediaPipePose.process called after close()")
        image = _check_image(image_rgb, out_size)
        ms = int(round(float(t_s) * 1000.0))
        if self._last_ms is not None and ms <= self._last_ms:
            ms = self._last_ms + 1
            self.timestamps_adjusted += 1
        self._last_ms = ms

        mp_image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=image)
        if self._video:
            result = self._landmarker.detect_for_video(mp_image, ms)
        else:
            result = self._landmarker.detect(mp_image)

        width, height = out_size
        scale = np.array([width, height], dtype=float)
        persons = []
        worlds = result.pose_world_landmarks or [None] * len(result.pose_landmarks)
        for landmarks, world in zip(result.pose_landmarks, worlds, strict=True):
            raw = np.array(
                [(lm.x, lm.y, _score(lm.visibility), _score(lm.presence)) for lm in landmarks]
            )
            persons.append(
                PersonPose(
                    xy=raw[:, :2] * scale,
                    visibility=raw[:, 2],
                    presence=raw[:, 3],
                    world=None if world is None else np.array([(p.x, p.y, p.z) for p in world]),
                )
            )
        if self.duplicate_distance is not None and len(persons) > 1:
            persons = suppress_duplicates(persons, self.duplicate_distance)
        return persons

    def close(self) -> None:
        """Release the landmarker (idempotent)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _score(value: float | None) -> float:
    return 0.0 if value is None else float(np.clip(value, 0.0, 1.0))


def _check_image(image_rgb: np.ndarray, out_size: tuple[int, int]) -> np.ndarray:
    image = np.asarray(image_rgb)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ShapeError(
            f"image_rgb: expected (h, w, 3) uint8 RGB, got {image.shape} {image.dtype}"
        )
    width, height = out_size
    if width <= 0 or height <= 0:
        raise ShapeError(f"out_size: expected positive (width, height), got {out_size}")
    h, w = image.shape[:2]
    # A downscaled frame keeps the aspect ratio up to rounding; a mismatch means the image
    # and out_size disagree about rotation, which would silently skew every coordinate.
    if abs((w / h) / (width / height) - 1.0) > 0.02:
        raise ShapeError(
            f"image_rgb: expected the aspect ratio of out_size {tuple(out_size)}, got an "
            f"image of {w}x{h} (rotated differently?)"
        )
    return np.ascontiguousarray(image)
