"""The per-frame values the hold detector reads: foot landmarks and the leg length."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.geometry import distance
from gaitlab.core.landmarks import SIDES, Landmark, side_landmark

PARTS = ("ankle", "heel", "foot_index")

#: Body segments whose image lengths together give the subject's apparent size: thighs,
#: shanks, both sides of the trunk, shoulder and hip widths. Their median change is the
#: change of distance to the camera; one segment alone also changes with the pose (a swung
#: leg, a leaning trunk).
SIZE_SEGMENTS = (
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
)
SIZE_KEYS = tuple(f"segment_{i}_px" for i in range(len(SIZE_SEGMENTS)))

#: The keys :meth:`~.timer.BalanceTimer.update` reads (see :func:`balance_values`).
BALANCE_VALUE_KEYS = (
    tuple(f"{side}_{part}_{axis}_px" for side in SIDES for part in PARTS for axis in ("x", "y"))
    + ("leg_length_px",)
    + SIZE_KEYS
)


def balance_values(xy: np.ndarray) -> dict[str, Any]:
    """The values :class:`~.timer.BalanceTimer` needs, from one frame or a whole sequence.

    Parameters
    ----------
    xy
        ``(33, 2)`` landmarks of one frame or ``(T, 33, 2)`` of a sequence, in pixels of the
        upright frame (y down), NaN where missing (after visibility gating).

    Returns
    -------
    ``{side}_{part}_{x|y}_px`` for the ankle, heel and foot_index of each foot,
    ``leg_length_px`` (the longer of the two legs' hip→knee + knee→ankle in this frame: a
    lifted leg is foreshortened in a front view) and ``segment_<i>_px``, the image length of
    each of :data:`SIZE_SEGMENTS`. Floats for one frame, ``(T,)`` arrays for a sequence.
    """
    a = np.asarray(xy, dtype=float)
    if a.shape[-2:] != (len(Landmark), 2) or a.ndim not in (2, 3):
        raise ValueError(f"xy: expected shape (33, 2) or (T, 33, 2), got {a.shape}")
    out: dict[str, Any] = {}
    legs = []
    for side in SIDES:
        for part in PARTS:
            p = a[..., side_landmark(side, part), :]
            out[f"{side}_{part}_x_px"] = p[..., 0]
            out[f"{side}_{part}_y_px"] = p[..., 1]
        hip, knee, ankle = (a[..., side_landmark(side, q), :] for q in ("hip", "knee", "ankle"))
        legs.append(distance(hip, knee) + distance(knee, ankle))
    out["leg_length_px"] = np.fmax(legs[0], legs[1])
    for key, (p, q) in zip(SIZE_KEYS, SIZE_SEGMENTS, strict=True):
        out[key] = distance(a[..., Landmark[p.upper()], :], a[..., Landmark[q.upper()], :])
    if a.ndim == 2:
        return {k: float(v) for k, v in out.items()}
    return out
