"""A rep's measuring window: which feet worked, the frames free of steps around the rep,
the body channels of the phase fit and the standing frames before it
(:func:`rep_window`)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.tasks.calf_raise.config import CalfRaiseConfig
from gaitlab.tasks.calf_raise.foot_model import forward_rise
from gaitlab.tasks.calf_raise.inputs import BODY_GROUP_NAMES
from gaitlab.tasks.calf_raise.results import CalfRaiseRep
from gaitlab.tasks.calf_raise.stream import FrameBuffer, RepInProgress


@dataclass(frozen=True)
class RepWindow:
    """The frames that measure one rep.

    Samples ``[i0, i1)`` are the rep (``t``; ``heel`` ``(T, 2)`` above the baselines, ``h``
    the working feet's mean, ``extra`` the body channels centred on their medians, with
    ``heel_fwd``/``body_fwd`` their image rise per foot length forward). Samples
    ``[j0, i1)`` add earlier standing frames for the sideways measures (``tl``; ``before``
    the rep's window, ``standing`` at rest there; ``alat``, ``hlat``, ``tlat``,
    ``knee_lat`` the ankle, heel, toe and knee positions). ``flat``: the working feet's
    standing heel-to-toe offset; ``dist``, ``az``: the camera's distance (foot lengths) and
    azimuth (degrees); ``skipped``: frames left out of the phase fit (a camera move began).
    """

    i0: int
    i1: int
    j0: int
    t: np.ndarray
    heel: np.ndarray
    h: np.ndarray
    working: np.ndarray
    legs: str
    flat: float
    dist: float
    az: float
    extra: list[np.ndarray]
    heel_fwd: float
    body_fwd: list[float]
    tl: np.ndarray
    before: np.ndarray
    standing: np.ndarray
    alat: np.ndarray
    hlat: np.ndarray
    tlat: np.ndarray
    knee_lat: np.ndarray
    skipped: int = 0


def _step_free(toe: np.ndarray, up: slice, level_pct: float, margin: int) -> tuple[int, int]:
    """Bounds ``[a, b)`` of a rep's window without the steps around it.

    ``toe``: ``(T, k)`` toe heights of the working feet above their baseline; ``up``: the
    frames above the rep's end level. The last toe lift (above ``level_pct``) before ``up``
    and the first after it are steps: the window starts ``margin`` frames after the toes of
    the one before were back down (under a quarter of the level) and ends ``margin`` frames
    before those of the one after left the floor, never cutting into ``up``.
    """
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        rise = np.nanmax(toe, axis=1) if toe.shape[1] else np.full(len(toe), np.nan)
    lifted = np.flatnonzero(rise > level_pct)
    down = rise < 0.25 * level_pct
    a, b = 0, len(toe)
    after = lifted[lifted >= up.stop]
    if after.size:
        k = int(after[0])
        calm = np.flatnonzero(down[up.stop : k])
        last_down = up.stop + int(calm[-1]) if calm.size else up.stop
        b = max(last_down + 1 - margin, up.stop)
    before = lifted[lifted < up.start]
    if before.size:
        k = int(before[-1])
        calm = np.flatnonzero(down[k : up.start])
        first_down = k + int(calm[0]) if calm.size else up.start
        a = min(first_down + margin, up.start)
    return a, b


def _working_feet(
    heel: np.ndarray, toe: np.ndarray, up: slice, toe_off: np.ndarray, cfg: CalfRaiseConfig
) -> np.ndarray | None:
    """The working feet: toes down throughout, heel up at least half as far as the
    other's (None: no foot rose with its toes down)."""
    peaks = np.full(2, np.nan)
    toe_up = np.full(2, np.nan)
    for k in range(2):
        if np.isfinite(heel[up, k]).any() and np.isfinite(toe[up, k]).any():
            peaks[k] = np.nanmax(heel[up, k])
            toe_up[k] = np.nanmedian(toe[up, k])
    with np.errstate(invalid="ignore"):
        candidate = (
            ~toe_off
            & np.isfinite(peaks)
            & (peaks >= cfg.start_level_pct)
            & (toe_up < cfg.toe_level_pct)
        )
        if not candidate.any():
            return None
        return candidate & (peaks >= 0.5 * np.max(peaks[candidate]))


def _camera(buf: FrameBuffer, j0: int, i1: int) -> tuple[float, float]:
    """The camera's distance (foot lengths) and azimuth (degrees) over samples ``[j0, i1)``
    (medians; NaN where never known)."""
    dist_arr = buf.arr("dist", j0, i1)
    dist = float(np.nanmedian(dist_arr)) if np.isfinite(dist_arr).any() else math.nan
    az_arr = np.radians(buf.arr("az", j0, i1))
    az = (
        math.degrees(math.atan2(np.nanmedian(np.sin(az_arr)), np.nanmedian(np.cos(az_arr))))
        if np.isfinite(az_arr).any()
        else math.nan
    )
    return dist, az


def _body_channels(
    buf: FrameBuffer,
    i0: int,
    i1: int,
    working: np.ndarray,
    feet_base_h: np.ndarray,
    flat: float,
    camera: tuple[float, float],
) -> tuple[list[np.ndarray], float, list[float]]:
    """The body channels of the phase fit over samples ``[i0, i1)`` (the free leg's left
    out), centred on their medians, with the image rise per foot length forward of the
    heel and of each channel."""
    body = buf.arr("body", i0, i1)
    free_legs = {f"leg_{side}" for k, side in enumerate(SIDES) if not working[k]}
    extra = [
        body[:, g]
        for g, name in enumerate(BODY_GROUP_NAMES)
        if name not in free_legs and np.isfinite(body[:, g]).sum() > 8
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        feet_level = float(np.nanmean(feet_base_h[working]))
        levels = [float(np.nanmedian(e)) - feet_level for e in extra]
    dist, az = camera
    heel_fwd, body_fwd = forward_rise(flat, levels, distance_foot=dist, azimuth_deg=az)
    extra = [e - np.nanmedian(e) for e in extra]
    return extra, heel_fwd, body_fwd


def _standing_before(
    buf: FrameBuffer,
    j0: int,
    i1: int,
    t_first: float,
    cfg: CalfRaiseConfig,
    prev: CalfRaiseRep | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times of samples ``[j0, i1)``, those before the rep's window (at ``t_first``) and
    those of them at rest outside the previous rep."""
    tl = buf.arr("t", j0, i1)
    before = tl < t_first
    d_l = buf.arr("d", j0, i1)
    with np.errstate(invalid="ignore"):
        standing = before & (np.abs(d_l) < cfg.end_level_pct)
    if prev is not None:
        standing &= (tl < prev.start_s - 0.2) | (tl > prev.end_s + 0.2)
    return tl, before, standing


def rep_window(
    buf: FrameBuffer,
    rep: RepInProgress,
    i_end: int,
    cfg: CalfRaiseConfig,
    *,
    floor_t: float,
    flat_offsets: list[float],
    prev: CalfRaiseRep | None,
    skip_camera_moves: bool = True,
) -> RepWindow | None:
    """The frames that measure ``rep``, which ended (settled) at sample ``i_end``.

    The window starts ``cfg.pre_s`` before the start-level crossing but not before
    ``floor_t`` (the end of the previous rep's window). ``flat_offsets``: each foot's
    standing heel-to-toe offset; ``prev``: the previous measured rep. None when no foot
    rose with its toes down. ``skip_camera_moves``: leave the frames taken as a camera move
    began out of the phase fit (their heights are the least sure).
    """
    t_all = buf.arr("t", buf.offset, i_end + 1)
    w_start_t = max(rep.t_up - cfg.pre_s, floor_t)
    i0 = buf.offset + int(np.searchsorted(t_all, w_start_t))
    i1 = i_end + 1
    t = buf.arr("t", i0, i1)
    heel = buf.arr("heel_pct", i0, i1) - rep.base_h
    toe = buf.arr("toe_pct", i0, i1) - rep.base_t
    # frames taken as a camera move began are the least sure: they time no phase (unless
    # they are most of the rep)
    unsure = buf.arr("cam", i0, i1) > 0
    up = slice(rep.i_up - i0, rep.i_down - i0 + 1)
    working = _working_feet(heel, toe, up, rep.toe_off, cfg)
    if working is None:
        return None
    legs = "both" if working.all() else SIDES[int(np.flatnonzero(working)[0])]
    # A step just before or after the rep (getting into position, stepping away) lifts a
    # working foot's toes, and the heel and the body move with it: the window stops
    # short of it.
    a, b = _step_free(toe[:, working], up, cfg.toe_level_pct, int(round(0.1 / rep.dt)))
    i0, i1 = i0 + a, i0 + b
    t, heel, unsure = t[a:b], heel[a:b], unsure[a:b]
    if not skip_camera_moves or unsure.mean() > 0.4:
        unsure[:] = False
    heel = np.where(unsure[:, None], np.nan, heel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        h = np.nanmean(heel[:, working], axis=1)
    # Sideways measures use the rep's window plus earlier standing frames (heel at rest,
    # outside any rep): more frames pin the standing baseline of each landmark.
    j0 = buf.offset + int(np.searchsorted(t_all, w_start_t - cfg.rest_lookback_s))
    j0 = min(j0, i0)
    camera = _camera(buf, j0, i1)
    flats = [flat_offsets[k] for k in range(2) if working[k]]
    flat = float(np.nanmean(flats)) if np.isfinite(flats).any() else 0.0
    extra, heel_fwd, body_fwd = _body_channels(buf, i0, i1, working, rep.base_h, flat, camera)
    extra = [np.where(unsure, np.nan, e) for e in extra]
    tl, before, standing = _standing_before(buf, j0, i1, t[0], cfg, prev)
    return RepWindow(
        i0=i0,
        i1=i1,
        j0=j0,
        t=t,
        heel=heel,
        h=h,
        working=working,
        legs=legs,
        flat=flat,
        dist=camera[0],
        az=camera[1],
        extra=extra,
        heel_fwd=heel_fwd,
        body_fwd=body_fwd,
        tl=tl,
        before=before,
        standing=standing,
        alat=buf.arr("ankle_lat_pct", j0, i1),
        hlat=buf.arr("heel_lat_pct", j0, i1),
        tlat=buf.arr("toe_lat_pct", j0, i1),
        knee_lat=buf.arr("knee_lat_pct", j0, i1),
        skipped=int(unsure.sum()),
    )
