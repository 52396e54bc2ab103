"""BlazePose landmark names, skeleton edges and left/right pairs.

The 33-point layout is MediaPipe BlazePose's. "Left" and "right" are the subject's sides,
as BlazePose labels them.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Landmark(IntEnum):
    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


N_LANDMARKS = len(Landmark)

SIDES = ("left", "right")

#: Lower-limb landmarks written to frames.csv, per side.
LOWER_LIMB = ("hip", "knee", "ankle", "heel", "foot_index")


def other_side(side: str) -> str:
    """``"left"`` ↔ ``"right"``."""
    return "right" if side == "left" else "left"


def side_landmark(side: str, part: str) -> Landmark:
    """``side_landmark("left", "knee") -> Landmark.LEFT_KNEE``."""
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    return Landmark[f"{side.upper()}_{part.upper()}"]


#: Skeleton edges for drawing.
SKELETON: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)


def _mirror_index() -> np.ndarray:
    idx = np.arange(N_LANDMARKS)
    for lm in Landmark:
        if lm.name.startswith("LEFT_"):
            idx[lm] = Landmark["RIGHT_" + lm.name[5:]]
        elif lm.name.startswith("RIGHT_"):
            idx[lm] = Landmark["LEFT_" + lm.name[6:]]
        elif lm.name.endswith("_LEFT"):
            idx[lm] = Landmark[lm.name[:-5] + "_RIGHT"]
        elif lm.name.endswith("_RIGHT"):
            idx[lm] = Landmark[lm.name[:-6] + "_LEFT"]
    return idx


#: ``xy[:, MIRROR]`` swaps every left landmark with its right partner.
MIRROR: np.ndarray = _mirror_index()

#: Landmarks of the legs (hip down), used for swapping legs only.
LEG_LANDMARKS: tuple[Landmark, ...] = tuple(
    side_landmark(s, p) for s in SIDES for p in ("hip", "knee", "ankle", "heel", "foot_index")
)
