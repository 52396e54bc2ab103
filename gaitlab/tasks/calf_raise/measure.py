"""Measuring one rep over its window: the phase fit (refitted once for a rolling foot),
heel heights, ankle roll, ankle shift and wobble (:func:`measure_rep`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.tasks.calf_raise.fit import Fit, fit_phases
from gaitlab.tasks.calf_raise.foot_model import true_heel_height
from gaitlab.tasks.calf_raise.results import CalfRaiseRep
from gaitlab.tasks.calf_raise.roll import TOE_SLIDE_PCT, roll_fit
from gaitlab.tasks.calf_raise.series import linfit
from gaitlab.tasks.calf_raise.stream import FrameBuffer
from gaitlab.tasks.calf_raise.window import RepWindow


@dataclass(frozen=True)
class _SideRoll:
    """One foot's roll: at the top (degrees), per frame, ψ at the top (radians), and the
    profile ``s`` it was fitted on (NaN where the toes slid)."""

    roll_deg: float
    per_frame: np.ndarray
    psi: float
    s: np.ndarray


@dataclass(frozen=True)
class _FittedRep:
    """A phase fit with the phase boundaries, heel heights and rolls it gives."""

    fit: Fit
    top_s: float
    hold_end_s: float
    end_s: float
    height_pct: float
    side_heights: list[float | None]
    rolls: list[_SideRoll | None]


@dataclass(frozen=True)
class MeasuredRep:
    """A measured rep (without flags), each foot's per-frame roll on the window's lookback
    samples ``[j0, i1)`` (None: not measured) and where its window ends
    (``window_end_t``: no later rep's window starts before it)."""

    rep: CalfRaiseRep
    roll_per_frame: list[np.ndarray | None]
    window_end_t: float


def _side_roll(win: RepWindow, k: int, sl: np.ndarray, amp_k: float) -> _SideRoll | None:
    """Foot ``k``'s roll over the lookback profile ``sl``, the heel rising ``amp_k``."""
    top = sl >= 0.5
    if not top.any() or np.isfinite(win.alat[top, k]).mean() < 0.6:
        return None
    # the toes are the fixed point of the roll: frames where they slid are out
    with np.errstate(invalid="ignore"):
        slid = np.abs(win.tlat[:, k] - np.nanmedian(win.tlat[:, k])) > TOE_SLIDE_PCT
    sk = np.where(slid, np.nan, sl)
    rf = roll_fit(
        sk,
        amp_k * sl,
        win.alat[:, k],
        win.hlat[:, k],
        win.knee_lat[:, k],
        side=SIDES[k],
        distance_foot=win.dist,
        azimuth_deg=win.az,
    )
    if rf is None:
        return None
    return _SideRoll(rf[0], rf[1], rf[2], sk)


def _fitted_rep(win: RepWindow, fit: Fit) -> _FittedRep:
    """Phase boundaries, heel heights and each working foot's roll from one phase fit."""
    s = fit.s(win.t)
    top_s = fit.t0 + fit.rise_s
    hold_end = top_s + fit.hold_s
    end_s = hold_end + fit.lower_s
    per_side_h: list[float | None] = [None, None]
    for k in range(2):
        if win.working[k]:
            lf = linfit(s, win.heel[:, k])
            per_side_h[k] = true_heel_height(lf[1], win.flat) if lf is not None else None
    height = true_heel_height(float(fit.amp), win.flat)
    sl = fit.s(win.tl)
    sl = np.where((win.before & ~win.standing) | (win.tl > end_s + 0.5), np.nan, sl)
    rolls: list[_SideRoll | None] = [None, None]
    for k in range(2):
        if not win.working[k]:
            continue
        amp_k = per_side_h[k] if per_side_h[k] is not None else height
        rolls[k] = _side_roll(win, k, sl, amp_k)
    return _FittedRep(fit, top_s, hold_end, end_s, height, per_side_h, rolls)


def _fit_with_roll(win: RepWindow) -> _FittedRep | None:
    """The phase fit, done again with the feet's roll in its shapes when the rep rolls."""
    # A rolling foot's heel and ankle rise less, by cos ψ: a rep found to roll is
    # fitted again with that in its shapes (ψ grows with the rise, like θ).
    psi = 0.0
    fit: Fit | None = None
    for _ in range(2):
        fit = fit_phases(
            win.t,
            win.h,
            win.extra,
            heel_fwd=win.heel_fwd,
            extra_fwd=win.body_fwd,
            roll_rad=psi,
            start=fit,
        )
        if fit is None:
            return None
        fitted = _fitted_rep(win, fit)
        psis = [r.psi for k, r in enumerate(fitted.rolls) if win.working[k] and r is not None]
        new_psi = math.sqrt(sum(v * v for v in psis) / int(win.working.sum())) if psis else 0.0
        if abs(new_psi - psi) < math.radians(2.0):
            break
        psi = new_psi
    return fitted


def _shift_and_wobble(
    win: RepWindow, k: int, roll: _SideRoll, fitted: _FittedRep
) -> tuple[float | None, float | None]:
    """Foot ``k``'s ankle shift at the top and its wobble during the hold (% foot)."""
    sk = roll.s
    sh = linfit(sk, win.alat[:, k] - 0.5 * (win.hlat[:, k] + win.tlat[:, k]))
    shift = sh[1] if sh is not None else None
    # wobble: spread of the ankle's sideways position during the hold, beyond the
    # jitter of the same landmark at rest
    wobble = None
    hold = (win.tl >= fitted.top_s) & (win.tl <= fitted.hold_end_s)
    rest = sk <= 0.02
    if fitted.fit.hold_s >= 0.3 and hold.sum() >= 5 and rest.sum() >= 5:
        lin = linfit(sk, win.alat[:, k])
        if lin is not None:
            res_ = win.alat[:, k] - (lin[0] + lin[1] * sk)
            v_hold = np.nanvar(res_[hold])
            v_rest = np.nanvar(res_[rest])
            if np.isfinite(v_hold) and np.isfinite(v_rest):
                wobble = float(math.sqrt(max(v_hold - v_rest, 0.0)))
    return shift, wobble


def measure_rep(
    buf: FrameBuffer,
    win: RepWindow,
    *,
    index: int,
    foot_cm: float | None,
    detected_s: float,
) -> MeasuredRep | None:
    """Measure the rep in ``win`` (None when the phase fit fails).

    ``index``: its number in the set; ``foot_cm``: the foot length, for heights in cm;
    ``detected_s``: when it was reported. Its frame is the one nearest the middle of the
    fitted hold.
    """
    fitted = _fit_with_roll(win)
    if fitted is None:
        return None
    fit, top_s, hold_end, end_s = fitted.fit, fitted.top_s, fitted.hold_end_s, fitted.end_s
    frame = buf.frame_at(0.5 * (top_s + hold_end), win.i0, win.i1)
    roll: list[float | None] = [None, None]
    shift: list[float | None] = [None, None]
    wobble: list[float | None] = [None, None]
    for k in range(2):
        rk = fitted.rolls[k]
        if rk is not None:
            roll[k] = rk.roll_deg
            shift[k], wobble[k] = _shift_and_wobble(win, k, rk, fitted)
    height = fitted.height_pct
    height_cm = height / 100.0 * foot_cm if foot_cm is not None else None
    per_side_h = fitted.side_heights
    rep = CalfRaiseRep(
        index=index,
        start_s=float(fit.t0),
        top_s=float(top_s),
        hold_end_s=float(hold_end),
        end_s=float(end_s),
        rise_s=float(fit.rise_s),
        hold_s=float(fit.hold_s),
        lower_s=float(fit.lower_s),
        height_pct_foot=height,
        height_cm=height_cm,
        legs=win.legs,
        frame=frame,
        ankle_roll_left_deg=roll[0],
        ankle_roll_right_deg=roll[1],
        ankle_shift_left_pct_foot=shift[0],
        ankle_shift_right_pct_foot=shift[1],
        wobble_left_pct_foot=wobble[0],
        wobble_right_pct_foot=wobble[1],
        height_left_pct_foot=per_side_h[0],
        height_right_pct_foot=per_side_h[1],
        detected_s=detected_s,
    )
    return MeasuredRep(
        rep=rep,
        roll_per_frame=[None if r is None else r.per_frame for r in fitted.rolls],
        window_end_t=min(end_s, float(win.t[-1])),
    )
