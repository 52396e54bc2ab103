"""Ankle roll (frontal views only): the rearfoot's roll from sideways positions.

A 2D rearfoot angle (shank vs. ankle→heel line) sees only part of a roll at the top of a
raise: the heel line is short and then points mostly backwards, at or away from the camera,
so its image "vertical" is mostly foot length seen end-on and the same sideways movement
makes a smaller angle. A camera 1 m high behind the subject sees ~55 % of the roll this way;
in front, the heel line collapses altogether. Sideways positions are not foreshortened in a
front or back view, so the roll comes from them, with a model of the rising foot (Winter's
anthropometry: ankle 0.039 H above the sole, foot 0.152 H long — ankle height 0.257 foot
lengths; ankle 0.25 and metatarsal heads 0.72 foot lengths in front of the heel; thigh and
shank 0.245 / 0.246 H):

* the rearfoot rolls by ψ about a fore-aft axis on the floor under the metatarsal heads
  (the toes stay put), so a point at height ``z`` moves sideways by ``z sin ψ``: the ankle
  (``z = 0.257 cos θ + 0.47 sin θ`` foot lengths, θ the foot's pitch from the heel height),
  the heel (``z`` = its height) and, the hip staying put, the knee (half the ankle's move);
* the frontal-plane rearfoot angle (shank vs. heel line) changes by ψ, the heel line
  turning with the rearfoot, plus the shank's extra sideways tilt;
* the roll grows with the rise (inversion is coupled to plantarflexion), ψ(t) = ψ_top ×
  profile(t), so every frame of the rep estimates ψ_top by least squares, together with
  each landmark's standing position (from the rep's and earlier standing frames);
* the rising foot also moves forward: the perspective of that move, and in an oblique view
  the part of it seen sideways, are undone first (:func:`roll_fit`).

Positive = outward (inversion, weight onto the little-toe side), relative to standing just
before the rep. ``ankle_shift`` is the MEASURES.md shift (ankle relative to the heel/toe
midpoint, % foot length, change from standing) at the top, by regression on the profile.
"Wobble" is the spread (SD) of the ankle's sideways position during the hold beyond the
landmark jitter seen at rest. With 2–3 px of jitter the roll is within 2° of the truth for
≈ 97 % of synthetic reps (tests/test_calf_raise.py).
"""

from __future__ import annotations

import math

import numpy as np

from gaitlab.core import anthropometry as anthro
from gaitlab.tasks.calf_raise.foot_model import (
    ANKLE_HEIGHT_FOOT,
    ANKLE_TO_MTP_FOOT,
    HEEL_TO_MTP_FOOT,
)

#: Thigh / (thigh + shank) and shank / foot length (Winter: 0.245 H, 0.246 H, 0.152 H): with
#: the hip still, an ankle moved sideways by δ carries the knee by about κ δ.
KNEE_FRACTION = anthro.KNEE_FRACTION_OF_LEG
#: Toes further than this (% foot length) from their median sideways position have slid or
#: stepped: those frames do not inform the roll (the toes are its fixed point).
TOE_SLIDE_PCT = 5.0
SHANK_FOOT = anthro.SHANK_TO_FOOT


def roll_fit(
    s: np.ndarray,
    h_model_pct: np.ndarray,
    ankle: np.ndarray,
    heel: np.ndarray,
    knee: np.ndarray,
    *,
    side: str,
    distance_foot: float = math.nan,
    azimuth_deg: float = math.nan,
) -> tuple[float, np.ndarray, float] | None:
    """Roll at the top (degrees, + outward), a per-frame roll estimate and the rearfoot's
    roll ψ at the top (radians) from the sideways positions of ankle, heel and knee over one
    rep (module docstring).

    The rising foot and the body above it also move forward (ankle and knee by
    0.47 L (1 - cos θ) + 0.26 L sin θ, heel by 0.72 L (1 - cos θ)). Two consequences are
    undone first, when the camera's ``distance_foot`` (foot lengths) and ``azimuth_deg``
    (:func:`gaitlab.signals.view.estimate_azimuth_deg`) are known: perspective (a point moving away
    by ΔZ shrinks towards the image centre by ΔZ / Z; positions are measured from the image
    centre for this) and, off the frontal axis, the share sin φ of the forward move that
    appears sideways; sideways moves themselves appear shortened by |cos φ|.
    """
    sin_th = np.clip(h_model_pct / 100.0 / HEEL_TO_MTP_FOOT, 0.0, 0.95)
    cos_th = np.sqrt(1.0 - sin_th**2)
    z_a = ANKLE_HEIGHT_FOOT * cos_th + ANKLE_TO_MTP_FOOT * sin_th
    z_h = np.maximum(h_model_pct, 0.0) / 100.0
    fwd_a = ANKLE_TO_MTP_FOOT * (1.0 - cos_th) + ANKLE_HEIGHT_FOOT * sin_th
    fwd_h = HEEL_TO_MTP_FOOT * (1.0 - cos_th)
    if math.isfinite(azimuth_deg):
        phi = math.radians(azimuth_deg)
        cos_phi = math.cos(phi)
        # forward (+X) seen along this foot's outward image axis
        q = -math.copysign(1.0, cos_phi) * math.sin(phi) * (1.0 if side == "left" else -1.0)
        scale = max(abs(cos_phi), 0.5)
        if math.isfinite(distance_foot) and distance_foot > 1.0:
            dz_per_fwd = -cos_phi / distance_foot  # ΔZ / Z per foot length forward
            ankle = ankle * (1.0 + dz_per_fwd * fwd_a)
            knee = knee * (1.0 + dz_per_fwd * fwd_a)
            heel = heel * (1.0 + dz_per_fwd * fwd_h)
        ankle = (ankle - 100.0 * q * fwd_a) / scale
        knee = (knee - 100.0 * q * fwd_a) / scale
        heel = (heel - 100.0 * q * fwd_h) / scale
    levers = [z_a, z_h, KNEE_FRACTION * z_a]
    obs = [ankle, heel, knee]
    ok = np.isfinite(s)
    for o in obs:
        ok &= np.isfinite(o)
    if ok.sum() < 10 or s[ok].max() < 0.8 or (s[ok] < 0.1).sum() < 3:
        return None
    n = int(ok.sum())
    m = len(obs)
    psi = 0.0
    coef = np.zeros(m + 1)
    for _ in range(3):
        # regressor: sideways displacement per radian of ψ_top (linearised about ψ)
        g = np.sin(psi * s[ok]) / psi if abs(psi) > 1e-6 else s[ok]
        a = np.zeros((m * n, m + 1))
        for j in range(m):
            a[j * n : (j + 1) * n, j] = 1.0
            a[j * n : (j + 1) * n, m] = 100.0 * levers[j][ok] * g
        y = np.concatenate([o[ok] for o in obs])
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        psi = float(coef[m])
    # the frontal rearfoot angle turns by ψ plus the shank's extra sideways tilt, the ankle
    # having moved (1 - κ) z ψ further out than the knee over a shank's length
    z_top = float(np.max(z_a[ok]))
    roll_top = math.degrees(psi) * (1.0 + (1.0 - KNEE_FRACTION) * z_top / SHANK_FOOT)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_frame = np.degrees(np.arcsin(np.clip((ankle - coef[0]) / (100.0 * z_a), -1, 1)))
        per_frame *= 1.0 + (1.0 - KNEE_FRACTION) * z_a / SHANK_FOOT
    per_frame = np.where(s >= 0.3, per_frame, np.nan)
    return float(roll_top), per_frame, psi
