"""What a pose backend returns per frame, and the protocol every backend follows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import numpy as np

from gaitlab.core.errors import ShapeError
from gaitlab.core.landmarks import MIRROR, N_LANDMARKS, Landmark

#: A torso (shoulder-midpoint to hip-midpoint) is about 0.3 of standing body height.
_TORSO_TO_HEIGHT = 3.3


def _as_array(name: str, value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.array(value, dtype=float)  # a private copy, so freezing it is safe
    if arr.shape != shape:
        raise ShapeError(f"{name}: expected shape {shape}, got {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class PersonPose:
    """One person's landmarks in one frame.

    Attributes
    ----------
    xy
        ``(33, 2)`` pixel coordinates in the original upright frame (x right, y down),
        whatever resolution the backend ran at. BlazePose places all 33 landmarks, also the
        ones it cannot see (then with low visibility), so there are no NaN here.
    visibility
        ``(33,)`` BlazePose visibility in [0, 1]: how likely the landmark is visible (not
        occluded and inside the frame).
    presence
        ``(33,)`` BlazePose presence in [0, 1]: how likely the landmark is inside the frame.
    world
        Optional ``(33, 3)`` metric coordinates in metres, origin at the hip centre.
    unseen_s
        How long after this sighting the person was not looked for: 0 when they were posed
        in every frame (the subject, or everybody in a frame-by-frame run); at a periodic
        look at everybody (:class:`~gaitlab.pose.follow.FollowSubject`), the time until the
        next look for the people not followed in between. Tracking allows such a gap, and
        subject choice counts the sighting for the frames it stands for.
    """

    xy: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray | None = None
    world: np.ndarray | None = None
    unseen_s: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "xy", _as_array("xy", self.xy, (N_LANDMARKS, 2)))
        vis = _as_array("visibility", self.visibility, (N_LANDMARKS,))
        object.__setattr__(self, "visibility", vis)
        if self.presence is None:
            object.__setattr__(self, "presence", vis)
        else:
            pres = _as_array("presence", self.presence, (N_LANDMARKS,))
            object.__setattr__(self, "presence", pres)
        if self.world is not None:
            object.__setattr__(self, "world", _as_array("world", self.world, (N_LANDMARKS, 3)))
        if not np.all(np.isfinite(self.xy)):
            raise ShapeError("xy: expected finite pixel coordinates, got NaN or inf")
        if not (np.isfinite(self.unseen_s) and self.unseen_s >= 0.0):
            raise ShapeError(f"unseen_s: expected a time >= 0 s, got {self.unseen_s}")

    # -- geometry used for tracking and subject choice ------------------------------------
    @cached_property
    def bbox(self) -> np.ndarray:
        """``(x0, y0, x1, y1)`` around all 33 landmarks (BlazePose extends hidden ones)."""
        return np.concatenate([self.xy.min(axis=0), self.xy.max(axis=0)])

    @cached_property
    def hip_center(self) -> np.ndarray:
        return self.xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)

    @cached_property
    def shoulder_center(self) -> np.ndarray:
        return self.xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0)

    @cached_property
    def body_size_px(self) -> float:
        """Approximate standing body height in pixels.

        ``max(bbox height, 3.3 x torso length)``: the bounding box alone shrinks when the
        person bends or crouches, the torso alone when they lean towards the camera.
        """
        x0, y0, x1, y1 = self.bbox
        torso = float(np.linalg.norm(self.shoulder_center - self.hip_center))
        return max(float(y1 - y0), _TORSO_TO_HEIGHT * torso, 1.0)


def pose_distance(a: PersonPose, b: PersonPose) -> float:
    """Mean landmark distance between two poses in units of their mean body size.

    Left/right-invariant: BlazePose often swaps sides in a side view, so the smaller of the
    direct and the mirrored distance is returned.
    """
    size = 0.5 * (a.body_size_px + b.body_size_px)
    direct = np.linalg.norm(a.xy - b.xy, axis=1).mean()
    mirrored = np.linalg.norm(a.xy - b.xy[MIRROR], axis=1).mean()
    return float(min(direct, mirrored) / size)


def suppress_duplicates(persons: list[PersonPose], max_distance: float = 0.1) -> list[PersonPose]:
    """Drop poses that describe the same person as a more visible pose in the list.

    With ``num_poses > 1`` in video mode, MediaPipe sometimes returns one person twice (a
    tracked region and a fresh detection of the same body). Two poses closer than
    ``max_distance`` body sizes on average (:func:`pose_distance`) are duplicates; the one
    with the higher mean visibility is kept. Order of the survivors is preserved. Two real
    people never share all 33 landmarks, even when one stands behind the other, so the
    default 0.1 (about 17 cm for an adult) does not merge people.
    """
    order = sorted(range(len(persons)), key=lambda i: -float(persons[i].visibility.mean()))
    kept: list[int] = []
    for i in order:
        if all(pose_distance(persons[i], persons[j]) >= max_distance for j in kept):
            kept.append(i)
    return [persons[i] for i in sorted(kept)]


@runtime_checkable
class PoseEstimator(Protocol):
    """A pose backend: frames in, every person's landmarks out.

    One estimator serves one video or one live session: video-mode backends keep state
    between frames and need increasing timestamps. Use it as a context manager or call
    :meth:`close`.
    """

    def process(
        self, image_rgb: np.ndarray, t_s: float, *, out_size: tuple[int, int]
    ) -> list[PersonPose]:
        """Estimate every person in one frame.

        Parameters
        ----------
        image_rgb
            ``(h, w, 3)`` uint8 RGB image of the upright frame, possibly downscaled.
        t_s
            Presentation time of the frame in seconds (increasing).
        out_size
            ``(width, height)`` of the original upright frame; returned coordinates are in
            its pixels, so downscaling for speed does not change their scale.
        """
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def estimate_video(
    frames: Iterable[tuple[np.ndarray, float, tuple[int, int]]],
    estimator: PoseEstimator,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[list[PersonPose]], np.ndarray]:
    """Run ``estimator`` over ``(image_rgb, t_s, out_size)`` frames.

    Returns every frame's persons (an empty list where nobody was found; frames are never
    dropped) and the ``(T,)`` timestamps. ``progress`` is called with the number of frames
    done after each frame.
    """
    per_frame: list[list[PersonPose]] = []
    times: list[float] = []
    for i, (image, t_s, out_size) in enumerate(frames):
        per_frame.append(estimator.process(image, t_s, out_size=out_size))
        times.append(float(t_s))
        if progress is not None:
            progress(i + 1)
    return per_frame, np.asarray(times, dtype=float)
