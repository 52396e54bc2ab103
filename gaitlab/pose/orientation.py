"""Which way up a video is, read from the people in it.

A phone held upside down or on its side records the picture turned 90°, 180° or 270°;
when the file carries rotation metadata the decoder turns it back (:mod:`gaitlab.io.video`),
but some apps and cameras write none. Every measure assumes an upright picture (gravity
down the image), so a video filmed upside down gives a trunk "lean" of 180° and a forefoot
strike for every heel strike.

The people gaitlab analyses stand or walk, so their feet-to-head axis points up the image
in an upright video. BlazePose finds people whatever way up they are (its detector aligns
the crop to the body's own axis), so posing a handful of sample frames as they are tells
how far the picture is turned: the direction of the feet-to-head axis, snapped to the
nearest quarter turn, by a clear majority of the sampled bodies. Someone lying down on
purpose is not what gaitlab films; a bent-over moment in one sample is outvoted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gaitlab.core.landmarks import Landmark
from gaitlab.pose.base import PersonPose, PoseEstimator

__all__ = ["Orientation", "body_up_deg", "pose_samples", "upright_turn"]

#: Sample frames posed to find the orientation. Six spread over the video see the subject
#: in most clips while costing ~0.2 s of pose estimation (one landmarker, one person).
N_SAMPLES = 6

#: Landmarks below this visibility do not place the body axis (BlazePose places hidden
#: landmarks too, by guesswork).
MIN_AXIS_VISIBILITY = 0.5

#: An axis within this many degrees of a quarter turn votes for it. Walking trunks lean
#: under 15° and a whole-body axis less; beyond 35° (bending over) a body is no evidence.
SNAP_TOLERANCE_DEG = 35.0

#: Bodies that must be measured, and the share of them that must agree, before a video is
#: turned: a wrong turn ruins every measure, a missed one is what happened before.
MIN_AXES = 3
MIN_AGREEMENT = 2 / 3

_WAYS = {0: "upright", 90: "on its side", 180: "upside down", 270: "on its side"}


@dataclass(frozen=True)
class Orientation:
    """The decision: how far to turn the picture, and on what evidence.

    Attributes
    ----------
    turn_deg : clockwise turn (0, 90, 180, 270) that makes the filmed people upright.
    axes : bodies whose feet-to-head axis could be measured in the samples.
    agreeing : of those, the ones pointing the way that was chosen.
    """

    turn_deg: int
    axes: int
    agreeing: int

    def message(self) -> str | None:
        """The warning for ``quality.warnings`` when the picture was turned, else None."""
        if self.turn_deg == 0:
            return None
        head = {90: "left", 180: "bottom", 270: "right"}[self.turn_deg]
        turn = {
            90: "a quarter turn clockwise",
            180: "upright",
            270: "a quarter turn anticlockwise",
        }[self.turn_deg]
        return (
            f"the video was filmed {_WAYS[self.turn_deg]} with no rotation metadata (the "
            f"people's heads point to the {head} of the picture in {self.agreeing} of "
            f"{self.axes} sample frames): it was turned {turn} before analysis"
        )


def body_up_deg(
    person: PersonPose, min_visibility: float = MIN_AXIS_VISIBILITY, *, trunk: bool = False
) -> float | None:
    """Direction of a body's feet-to-head axis in the picture.

    Degrees clockwise from straight up the image, in (-180, 180]: 0 for an upright person,
    90 when the head points to the right of the picture, 180 upside down, -90 head to the
    left. The axis runs from the ankles' midpoint to the shoulders' midpoint, or from the
    hips' when the ankles are not seen or ``trunk`` is asked for. None when shoulders and
    hips are not both seen.
    """
    vis = person.visibility
    top = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]
    hips = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
    ankles = [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]
    if min(vis[top].min(), vis[hips].min()) < min_visibility:
        return None
    bottom = hips if trunk or vis[ankles].min() < min_visibility else ankles
    up = person.xy[top].mean(axis=0) - person.xy[bottom].mean(axis=0)
    if not np.all(np.isfinite(up)) or float(np.hypot(*up)) < 1.0:
        return None
    # image y grows downwards: "up" is -y; clockwise angle from -y towards +x
    return math.degrees(math.atan2(float(up[0]), float(-up[1])))


def _vote(person: PersonPose) -> int | None:
    """The quarter turn a body points to, when its whole body and its trunk agree on it (a
    person sitting with legs out, or bent over, points two ways and proves nothing)."""
    body, trunk = body_up_deg(person), body_up_deg(person, trunk=True)
    if body is None or trunk is None:
        return None
    way = _snap(body)
    return way if way is not None and way == _snap(trunk) else None


def _snap(angle_deg: float) -> int | None:
    quarter = int(round(angle_deg / 90.0)) * 90 % 360
    off = abs((angle_deg - quarter + 180.0) % 360.0 - 180.0)
    return quarter if off <= SNAP_TOLERANCE_DEG else None


def upright_turn(samples: Sequence[Sequence[PersonPose]]) -> Orientation:
    """The turn that makes the people in the sample frames upright.

    Parameters
    ----------
    samples
        The people posed in each sample frame (as the frames are, without any turn). Each
        frame's largest person (longest trunk) gives one axis.

    Returns
    -------
    Orientation
        ``turn_deg`` 0 unless at least ``MIN_AXES`` axes were measured and a share of at
        least ``MIN_AGREEMENT`` of them points the same non-upright way.
    """
    votes: list[int | None] = []
    for persons in samples:
        if not persons:
            continue
        largest = max(
            persons, key=lambda p: float(np.linalg.norm(p.shoulder_center - p.hip_center))
        )
        if body_up_deg(largest, trunk=True) is not None:
            votes.append(_vote(largest))
    counted = [v for v in votes if v is not None]
    if len(votes) < MIN_AXES or not counted:
        return Orientation(turn_deg=0, axes=len(votes), agreeing=0)
    way = max(set(counted), key=counted.count)
    agreeing = counted.count(way)
    if way == 0 or agreeing < MIN_AGREEMENT * len(votes):
        return Orientation(turn_deg=0, axes=len(votes), agreeing=counted.count(0))
    # the head points `way` degrees clockwise from up; turning back by as much uprights it
    return Orientation(turn_deg=(-way) % 360, axes=len(votes), agreeing=agreeing)


def pose_samples(images: Sequence[np.ndarray], estimator: PoseEstimator) -> list[list[PersonPose]]:
    """Pose each sample image; they go to the landmarker 1 s apart (a video-mode landmarker
    needs increasing times; the samples are seconds apart in the video too)."""
    out = []
    for k, image in enumerate(images):
        h, w = image.shape[:2]
        out.append(list(estimator.process(image, float(k), out_size=(w, h))))
    return out
