"""The rising foot as the camera sees it.

Raised about the metatarsal heads by a pitch θ, the heel and the body above the ankle rise
and move forward; a camera in front or behind sees part of the forward move as height,
and a roll ψ lowers the heel and ankle. These shapes let the phase fit use every channel
(:func:`channel_shapes`, :func:`forward_rise`) and give the heel's true height.

Heel height
-----------
The fitted plateau, in % of foot length, less the share of the heel's forward move
(0.72 L (1 − cos θ)) that a camera above the feet sees as height (:func:`true_heel_height`);
in cm with the standing height (:func:`~gaitlab.tasks.calf_raise.inputs.foot_length_cm`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.core import anthropometry as anthro

#: Foot model in foot lengths (Winter, *Biomechanics and Motor Control of Human Movement*:
#: ankle height 0.039 H, foot length 0.152 H; ankle 25 % and metatarsal heads 72 % of the
#: foot length in front of the heel).
ANKLE_HEIGHT_FOOT = anthro.ANKLE_HEIGHT_OF_FOOT
ANKLE_TO_MTP_FOOT = 0.47
HEEL_TO_MTP_FOOT = anthro.MTP_FROM_HEEL_OF_FOOT


@dataclass(frozen=True)
class Shapes:
    """Image heights of the fit's channels against the foot's pitch θ, each
    ``(a sin θ + b (1 − cos θ)) cos ψ`` scaled to 1 at the top (``th_top``, ``psi_top``):
    the vertical rise of a point plus its forward move as the camera sees it, lowered by
    the foot's roll ψ (:func:`channel_shapes`). θ and ψ both grow with the profile ``s``.
    ``a``, ``b``: one value per channel."""

    a: np.ndarray
    b: np.ndarray
    th_top: float
    psi_top: float = 0.0

    def __call__(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(T, K)`` shapes at profile values ``s`` ``(T,)`` and their derivatives by ``s``."""
        th = self.th_top * s[:, None]
        sin, cos = np.sin(th), np.cos(th)
        top = (self.a * math.sin(self.th_top) + self.b * (1.0 - math.cos(self.th_top))) * (
            math.cos(self.psi_top)
        )
        lift = (self.a * sin + self.b * (1.0 - cos)) / top
        d_lift = self.th_top * (self.a * cos + self.b * sin) / top
        if self.psi_top == 0.0:
            return lift, d_lift
        ps = self.psi_top * s[:, None]
        c_ps = np.cos(ps)
        return lift * c_ps, d_lift * c_ps - lift * self.psi_top * np.sin(ps)


def channel_shapes(
    th_top: float, heel_fwd: float, body_fwd: list[float], psi_top: float = 0.0
) -> Shapes:
    """Shapes of the heel channel and the body channels over one rep, for
    :func:`~gaitlab.tasks.calf_raise.fit.fit_phases`.

    Raised about the metatarsal heads by θ the heel rises 0.72 L sin θ and moves forward
    0.72 L (1 − cos θ); the ankle, and the body above it, rises
    0.47 L sin θ − 0.26 L (1 − cos θ) and moves forward 0.26 L sin θ + 0.47 L (1 − cos θ).
    A camera in front or behind sees a forward move as a change of image height: ``heel_fwd``
    and ``body_fwd`` are each channel's image rise per foot length forward (foot lengths;
    :func:`forward_rise`). Left out, that part bends the channels away from the profile
    and shifts the fitted phase boundaries by up to 0.07 s. A roll ψ about the floor line
    under the metatarsal heads lowers the heel and ankle by cos ψ (``psi_top``, radians).
    """
    m, a, z = HEEL_TO_MTP_FOOT, ANKLE_TO_MTP_FOOT, ANKLE_HEIGHT_FOOT
    r = np.asarray(body_fwd, float)
    return Shapes(
        a=np.concatenate([[m], a + z * r]),
        b=np.concatenate([[m * heel_fwd], -z + a * r]),
        th_top=th_top,
        psi_top=psi_top,
    )


def forward_rise(
    flat_offset_pct: float,
    levels_pct: list[float],
    *,
    distance_foot: float = math.nan,
    azimuth_deg: float = math.nan,
) -> tuple[float, list[float]]:
    """Image rise per foot length of forward move (foot lengths), at the feet and at each
    body channel's standing level (``levels_pct``: % foot length above the heels).

    At the feet it is the standing heel-to-toe image height difference, the foot itself
    being a forward step of one foot length: ``-flat_offset_pct / 100`` (about +0.25 from
    behind at 1 m, as far the other way from the front, 0 from the side). Higher up the
    perspective of a move towards or away from the camera adds ``-σ level / Z`` (Z the
    camera's ``distance_foot``; σ = −cos azimuth: +1 moving away from a camera behind,
    −1 towards one in front, 0 across a side view): a point above the feet moving away
    shrinks towards the image centre. Unknown distance or azimuth: the feet's value
    throughout.
    """
    at_feet = -flat_offset_pct / 100.0 if math.isfinite(flat_offset_pct) else 0.0
    if not (math.isfinite(distance_foot) and distance_foot > 1.0 and math.isfinite(azimuth_deg)):
        return at_feet, [at_feet] * len(levels_pct)
    sigma = -math.cos(math.radians(azimuth_deg))
    body = [
        at_feet - sigma * lv / (100.0 * distance_foot) if math.isfinite(lv) else at_feet
        for lv in levels_pct
    ]
    return at_feet, body


def true_heel_height(image_pct: float, flat_offset_pct: float) -> float:
    """Heel height from its image rise, undoing the share of its forward move.

    Raised about the metatarsal heads the heel also moves forward, by 0.72 L (1 - cos θ).
    Seen from a camera above the feet, a forward move shows as a rise (from behind) or a
    drop (from the front) in proportion to how much higher the toes appear than the heel
    when the foot is flat: ``flat_offset_pct`` (heel minus toe image height standing, %
    foot; about -25 % from behind at 1 m, 0 from the side).
    """
    th = math.asin(min(max(image_pct, 0.0) / 100.0 / HEEL_TO_MTP_FOOT, 0.95))
    fwd = HEEL_TO_MTP_FOOT * (1.0 - math.cos(th))
    return image_pct + flat_offset_pct * fwd
