"""Phase times: one rep's minimum-jerk fit (:func:`fit_phases`).

Each rep's heel-height trace (mean of the working feet) is fitted with a minimum-jerk
profile — rise from the baseline, plateau, lower back — the smooth point-to-point movement
of human limbs (Flash & Hogan 1985, J Neurosci 5:1688). ``rise_s`` runs from leaving the
floor to reaching the top, ``hold_s`` is the time at the top, ``lower_s`` from leaving the
top to being back on the floor. Level crossings would measure a fraction of a slow rise
(and jitter moves them); the fit uses every frame, sub-frame. The rest of the body rises
with the ankles when the knees stay straight, so the mean heights of the trunk, each
working leg, the arms, the hands and the face (when seen) are further channels of the same
fit, each with its own amplitude and weighted by how well it follows the profile (a hand on
a wall loses its say). Each channel's shape is its image height against the foot's pitch:
the vertical rise plus the forward move that goes with it, which a camera in front or
behind sees as height (from the standing heel-to-toe offset at the feet, plus perspective
higher up: :func:`~gaitlab.tasks.calf_raise.foot_model.forward_rise`), lowered by the
foot's roll in a rep that rolls. The window stops short of a step before or after the rep.
Without landmark noise the phase times are then exact to 0.01 s in every view and tempo
(tests/test_calf_raise.py). With noise the precision is close to the Cramér–Rao bound of
the landmarks (≈ 1.1 times it): with 2.5 px of jitter on a 70–90 px foot the bound is
≈ 0.04–0.05 s (SD) for a 1 s phase at 30 fps, growing with the square root of the phase's
duration and falling with that of the frame rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from gaitlab.tasks.calf_raise.foot_model import HEEL_TO_MTP_FOOT, Shapes, channel_shapes
from gaitlab.tasks.calf_raise.min_jerk import mj_tau, profile, profile_grad
from gaitlab.tasks.calf_raise.series import crossing, smooth


@dataclass(frozen=True)
class Fit:
    """A fitted rep: ``base + amp × shape(profile(t; t0, rise_s, hold_s, lower_s))`` for the
    heel channel, the residual ``rms`` and each channel's ``weights``."""

    base: float
    amp: float
    t0: float
    rise_s: float
    hold_s: float
    lower_s: float
    rms: float
    weights: tuple[float, ...] = ()

    def s(self, t: np.ndarray) -> np.ndarray:
        return profile(t, self.t0, self.rise_s, self.hold_s, self.lower_s)


@dataclass(frozen=True)
class _Guess:
    """Starting point of the fit, read off the smoothed heel trace: timing from its 20, 50
    and 80 % crossings, ``amp`` the median of its plateau (≥ 90 % of the peak)."""

    t0: float
    rise_s: float
    hold_s: float
    lower_s: float
    amp: float
    mid_up: float
    t_first: float


def _first_guess(t_ok: np.ndarray, h_ok: np.ndarray) -> _Guess:
    dt = float(np.median(np.diff(t_ok)))
    hs = smooth(h_ok, max(1, int(round(0.1 / dt))))
    i_peak = int(np.nanargmax(hs))
    top = float(hs[i_peak])
    plateau = np.flatnonzero(hs >= 0.9 * top)
    amp0 = float(np.median(h_ok[plateau]))
    first, last = int(plateau[0]), int(plateau[-1])
    up = [crossing(t_ok, hs, first, p * amp0, -1) for p in (0.2, 0.5, 0.8)]
    down = [crossing(t_ok, hs, last, p * amp0, +1) for p in (0.8, 0.5, 0.2)]
    span = mj_tau(0.8) - mj_tau(0.2)
    rise0 = (up[2] - up[0]) / span if np.isfinite(up[0]) and np.isfinite(up[2]) else 1.0
    lower0 = (down[2] - down[0]) / span if np.isfinite(down[0]) and np.isfinite(down[2]) else 1.0
    rise0, lower0 = float(np.clip(rise0, 0.15, 10.0)), float(np.clip(lower0, 0.15, 10.0))
    mid_up = up[1] if np.isfinite(up[1]) else t_ok[first]
    mid_down = down[1] if np.isfinite(down[1]) else t_ok[last]
    t00 = mid_up - 0.5 * rise0
    hold0 = max(mid_down - 0.5 * lower0 - (t00 + rise0), 0.0)
    return _Guess(t00, rise0, hold0, lower0, amp0, mid_up, t_ok[0])


class _Channels:
    """The rep's channels ``y_all`` ``(T, K)`` (0 where missing, ``m_all`` 1 where seen) and
    their ``shapes``, fitted by variable projection within the timing ``bounds``."""

    def __init__(
        self,
        t: np.ndarray,
        y_all: np.ndarray,
        m_all: np.ndarray,
        shapes: Shapes,
        bounds: tuple[np.ndarray, np.ndarray],
    ) -> None:
        self.t = t
        self.y_all = y_all
        self.m_all = m_all
        self.shapes = shapes
        self.lo, self.hi = bounds

    def project(self, cols: np.ndarray, w: np.ndarray, p: np.ndarray, jac: bool):
        """Weighted residuals (and Jacobian) of the channels ``cols`` with each channel's
        base and amplitude solved for; also those (base, amp)."""
        s, ds = profile_grad(self.t, *p)
        g, dg = self.shapes(s)
        g, dg, y, m = g[:, cols], dg[:, cols], self.y_all[:, cols], self.m_all[:, cols]
        n = m.sum(axis=0)
        g_mean = (g * m).sum(axis=0) / n
        gc = (g - g_mean) * m
        norm2 = (gc * gc).sum(axis=0)
        if np.any(norm2 <= 1e-12):
            raise ValueError("no rise in the window")
        amp = (gc * y).sum(axis=0) / norm2
        base = y.sum(axis=0) / n - amp * g_mean
        res = (w * m * (base + amp * g - y)).ravel()
        if not jac:
            return res, None, (base, amp)
        d = (m * amp * dg)[:, :, None] * ds[:, None, :]
        # Kaufman: the model's derivative less its part in span{1, g}, per channel
        d -= m[:, :, None] * (d.sum(axis=0) / n[:, None])[None]
        d -= gc[:, :, None] * (np.einsum("tk,tkp->kp", gc, d) / norm2[:, None])[None]
        return res, (w[None, :, None] * d).reshape(-1, 4), (base, amp)

    def solve(self, cols: np.ndarray, w: np.ndarray, x0: np.ndarray) -> np.ndarray:
        """The timing ``(t0, rise_s, hold_s, lower_s)`` that fits the channels ``cols``."""
        # the solver asks for the Jacobian where it has just had the residuals: one pass
        last: dict[str, Any] = {}

        def fun(p: np.ndarray) -> np.ndarray:
            r, last["jac"], _ = self.project(cols, w, p, True)
            last["p"] = p.copy()
            return r

        def jac(p: np.ndarray) -> np.ndarray:
            if "p" in last and np.array_equal(p, last["p"]):
                return last["jac"]
            return self.project(cols, w, p, True)[1]

        res = least_squares(
            fun,
            np.clip(x0, self.lo + 1e-9, self.hi - 1e-9),
            jac=jac,
            bounds=(self.lo, self.hi),
            loss="soft_l1",
            f_scale=3.0,
        )
        return res.x

    def heel_only_start(self, guess: _Guess) -> tuple[np.ndarray, np.ndarray]:
        """Timing of a heel-only fit, and each channel's weight: the inverse of its residual
        RMS about that timing, relative to the heel's."""
        everything = np.arange(self.y_all.shape[1])
        x0 = self.solve(
            everything[:1],
            np.ones(1),
            np.array([guess.t0, guess.rise_s, guess.hold_s, guess.lower_s]),
        )
        r, _, _ = self.project(everything, np.ones(len(everything)), x0, False)
        r = r.reshape(-1, len(everything))
        sig = np.sqrt((r * r).sum(axis=0) / self.m_all.sum(axis=0))
        return x0, sig[0] / np.maximum(sig, 1e-6)


def fit_phases(
    t: np.ndarray,
    h: np.ndarray,
    extra: list[np.ndarray] | None = None,
    *,
    heel_fwd: float = 0.0,
    extra_fwd: list[float] | None = None,
    roll_rad: float = 0.0,
    start: Fit | None = None,
) -> Fit | None:
    """Least-squares fit of ``base + amp × shape(profile(t; t0, rise, hold, lower))`` to one
    rep's heel height ``h`` (relative to the running baseline, so ``base`` ≈ 0).

    ``extra`` channels (the mean heights of the landmarks that rise with the body) share the
    timing but have their own base and amplitude; each channel is weighted by the inverse of
    its residual RMS from a first, heel-only fit, so a channel that does not follow the
    profile (knees bending, a hand on a wall) loses its say. ``heel_fwd``, ``extra_fwd``: the
    channels' image rise per foot length forward; ``roll_rad``: the feet's roll at the top
    (:func:`~gaitlab.tasks.calf_raise.foot_model.channel_shapes`). ``start``: an earlier fit
    of the same channels, whose timing and weights are the starting point (no heel-only fit).

    Variable projection (Golub & Pereyra 1973, with Kaufman's Jacobian): the bases and
    amplitudes are linear and solved in closed form at every step, leaving the four timing
    parameters to the nonlinear solver with an analytic Jacobian; every channel at once, in
    arrays. A few milliseconds a rep.
    """
    ok = np.isfinite(h)
    if ok.sum() < 8:
        return None
    guess = _first_guess(t[ok], h[ok])
    th_top = math.asin(float(np.clip(guess.amp / 100.0 / HEEL_TO_MTP_FOOT, 1e-3, 0.95)))
    extra = extra or []
    fwd = list(extra_fwd) if extra_fwd is not None else [0.0] * len(extra)
    if len(fwd) != len(extra):
        raise ValueError(f"extra_fwd: expected {len(extra)} values, got {len(fwd)}")
    keep = [k for k, y in enumerate(extra) if np.isfinite(y).sum() >= 8]
    y_all = np.column_stack([h, *(extra[k] for k in keep)])
    shapes = channel_shapes(th_top, heel_fwd, [fwd[k] for k in keep], roll_rad)
    mask = np.isfinite(y_all)
    channels = _Channels(
        t,
        np.where(mask, y_all, 0.0),
        mask.astype(float),
        shapes,
        bounds=(
            np.array([guess.t_first - 10.0, 0.05, 0.0, 0.05]),
            np.array([guess.mid_up, 15.0, 120.0, 15.0]),
        ),
    )
    everything = np.arange(y_all.shape[1])
    try:
        if start is not None and len(start.weights) == len(everything):
            x0 = np.array([start.t0, start.rise_s, start.hold_s, start.lower_s])
            w = np.asarray(start.weights)
        else:
            x0, w = channels.heel_only_start(guess)
        x = channels.solve(everything, w, x0) if len(everything) > 1 or start is not None else x0
        resid, _, (base, amp) = channels.project(everything, w, x, False)
    except ValueError:
        return None
    t0, rise, hold, lower = (float(v) for v in x)
    rms = float(np.sqrt((resid * resid).sum() / channels.m_all.sum()))
    return Fit(float(base[0]), float(amp[0]), t0, rise, hold, lower, rms, tuple(w.tolist()))
