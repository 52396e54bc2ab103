"""A phone held by hand: zooms, pans and shake applied to the picture
(:class:`CameraMotion`, :func:`apply_camera_motion`).

Each motion is an image-space similarity (scale about a point, then a shift) that changes
over time, applied to the clean projected landmarks before the pose estimator's noise, so
that it moves the whole picture exactly as a phone's zoom, a slow pan or a shaking hand do
(a pan of a few degrees is a shift of the picture to within a pixel).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.testing.synthetic.kinematics import min_jerk

#: The kinds of motion: ``zoom`` (scale the picture by ``amount`` about the subject, and
#: back if ``back_s`` is set), ``pan`` (shift the picture sideways by ``amount`` body widths),
#: ``shake`` (smooth random shift of ``amount`` × the subject's height in the picture, RMS,
#: in both directions, below 2 Hz like a hand's sway).
KINDS = ("zoom", "pan", "shake")


@dataclass(frozen=True)
class CameraMotion:
    """One camera motion during a synthetic clip.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    start_s, duration_s
        When the motion starts and how long it takes (a zoom or pan eases in and out,
        minimum-jerk; a shake lasts that long and fades in and out over 0.2 s).
    amount
        Zoom factor (1.3: the subject 30 % larger), pan distance in shoulder widths (the
        picture moves left for > 0), or shake RMS as a fraction of the subject's standing
        height in the picture.
    back_s
        Zoom or pan only: when it goes back (the same duration); None: it stays.
    seed
        The shake's random draw.
    """

    kind: str
    start_s: float
    duration_s: float = 0.5
    amount: float = 1.3
    back_s: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"CameraMotion.kind: expected one of {list(KINDS)}, got {self.kind!r}")
        if self.duration_s <= 0:
            raise ValueError("CameraMotion.duration_s must be > 0")
        if self.kind == "zoom" and self.amount <= 0:
            raise ValueError("CameraMotion: a zoom factor must be > 0")

    def envelope(self, t: np.ndarray) -> np.ndarray:
        """0 → 1 (→ 0 with ``back_s``) over time: how far the motion has gone."""
        e = min_jerk((t - self.start_s) / self.duration_s)
        if self.back_s is not None:
            e = e - min_jerk((t - self.back_s) / self.duration_s)
        return e


def _shake(t: np.ndarray, motion: CameraMotion) -> np.ndarray:
    """``(T, 2)`` smooth random shift of unit RMS per axis, band-limited to 0.3–2 Hz,
    faded in and out over 0.2 s at the ends of the motion."""
    rng = np.random.default_rng(motion.seed)
    freqs = rng.uniform(0.3, 2.0, size=(2, 6))
    phases = rng.uniform(0, 2 * math.pi, size=(2, 6))
    out = np.stack(
        [np.sin(2 * math.pi * freqs[a] * t[:, None] + phases[a]).sum(axis=1) for a in range(2)],
        axis=1,
    )
    out /= math.sqrt(6 / 2)
    end = motion.start_s + motion.duration_s
    fade = np.clip((t - motion.start_s) / 0.2, 0, 1) * np.clip((end - t) / 0.2, 0, 1)
    return out * fade[:, None]


def apply_camera_motion(
    xy: np.ndarray, t_s: np.ndarray, motions: tuple[CameraMotion, ...] | list[CameraMotion]
) -> np.ndarray:
    """``(T, 33, 2)`` landmarks as a handheld camera making ``motions`` sees them.

    Sizes come from the still picture: the subject's height (head to heels) and shoulder
    width, and the zoom's centre (the middle of the subject, so that a zoom keeps them in
    frame as a person filming does).
    """
    out = np.array(xy, dtype=float)
    t = np.asarray(t_s, float)
    with np.errstate(invalid="ignore"):
        y = xy[..., 1]
        height_px = float(np.nanmedian(np.nanmax(y, axis=1) - np.nanmin(y, axis=1)))
        centre = np.nanmedian(0.5 * (np.nanmax(xy, axis=1) + np.nanmin(xy, axis=1)), axis=0)
        shoulders = float(np.nanmedian(np.abs(xy[:, 11, 0] - xy[:, 12, 0])))
    width_px = max(shoulders, 0.25 * height_px)
    for m in motions:
        e = m.envelope(t)[:, None, None]
        if m.kind == "zoom":
            scale = 1.0 + (m.amount - 1.0) * e
            out = centre + (out - centre) * scale
        elif m.kind == "pan":
            out[..., 0] -= m.amount * width_px * e[..., 0]
        else:
            out += m.amount * height_px * _shake(t, m)[:, None, :]
    return out
