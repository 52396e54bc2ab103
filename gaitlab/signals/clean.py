"""Landmark cleaning: visibility gating, outlier rejection, gap filling and low-pass filtering.

Every function is pure (a new :class:`PoseSequence` out, the input untouched), takes explicit
keyword parameters with units in their names, and never shortens the time axis: a point that
cannot be trusted becomes NaN, a frame is never dropped. Time always comes from ``t_s``
(phones record at variable frame rate), so every duration and frequency parameter means the
same thing at 30, 60 or 240 fps.

Offline clips go through :func:`clean_offline` (gate → outliers → fill → zero-phase low-pass).
The live webcam path uses the causal :class:`OneEuroFilter` instead.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.signal import butter, sosfiltfilt

from gaitlab.core.landmarks import N_LANDMARKS
from gaitlab.core.types import PoseSequence

__all__ = [
    "CleanConfig",
    "OneEuroFilter",
    "body_height_px",
    "clean_offline",
    "fill_gaps",
    "gate_visibility",
    "lowpass",
    "one_euro",
    "reject_outliers",
]

#: Timestamps whose spread of frame intervals stays within this fraction of the median
#: interval are treated as uniform (phone timestamps jitter by ~1 ms at 30 fps). Beyond it
#: (dropped frames, true VFR) :func:`lowpass` resamples to a uniform grid first.
UNIFORM_DT_TOLERANCE = 0.1


# -- helpers ------------------------------------------------------------------------------
def _tracks(seq: PoseSequence) -> list[np.ndarray]:
    """The coordinate arrays to clean, each ``(T, K)`` (xy, and world when present)."""
    out = [seq.xy.reshape(len(seq), N_LANDMARKS * 2)]
    if seq.world is not None:
        out.append(seq.world.reshape(len(seq), N_LANDMARKS * 3))
    return out


def _rebuild(seq: PoseSequence, tracks: list[np.ndarray]) -> PoseSequence:
    xy = tracks[0].reshape(len(seq), N_LANDMARKS, 2)
    world = None if seq.world is None else tracks[1].reshape(len(seq), N_LANDMARKS, 3)
    return replace(seq, xy=xy, world=world)


def _median_dt(t_s: np.ndarray) -> float:
    return float(np.median(np.diff(t_s))) if len(t_s) > 1 else float("nan")


def _runs(finite: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the contiguous True runs of a 1-D bool array."""
    if finite.size == 0:
        return []
    padded = np.concatenate([[False], finite, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def body_height_px(seq: PoseSequence) -> float:
    """Typical body size in pixels: the median over frames of the vertical extent of all
    detected landmarks (nose/eyes to heels/toes when the whole body is in view).

    Used to express "an implausible jump" relative to the subject rather than in raw pixels,
    so the same parameters work for a 4K close-up and a 480p long shot. NaN if nothing is
    detected.
    """
    y = seq.xy[..., 1]
    ok = np.isfinite(y).sum(axis=1) >= 2
    if not ok.any():
        return float("nan")
    ext = np.nanmax(y[ok], axis=1) - np.nanmin(y[ok], axis=1)
    return float(np.median(ext))


# -- gating -------------------------------------------------------------------------------
def gate_visibility(seq: PoseSequence, *, min_visibility: float = 0.5) -> PoseSequence:
    """Set landmarks whose BlazePose visibility is below ``min_visibility`` to NaN.

    0.5 is MediaPipe's own default presence/visibility cut: below it BlazePose is more often
    guessing an occluded point than seeing it. ``visibility`` is kept as reported; world
    coordinates (when present) are gated with the pixel ones.
    """
    if not 0.0 <= min_visibility <= 1.0:
        raise ValueError(f"min_visibility must be in [0, 1], got {min_visibility}")
    low = seq.visibility < min_visibility
    xy = seq.xy.copy()
    xy[low] = np.nan
    world = None
    if seq.world is not None:
        world = seq.world.copy()
        world[low] = np.nan
    return replace(seq, xy=xy, world=world)


# -- outliers -----------------------------------------------------------------------------
#: At most this many passes of :func:`reject_outliers` (each removes the worst sample of
#: every window): enough for the 1–3 frame glitches it is meant for.
OUTLIER_MAX_PASSES = 8
#: Glitches up to this many frames long are judged from outside themselves.
OUTLIER_RUN = 3
#: The consensus fit of a suspect uses at most this many neighbours on each side.
ROBUST_LAGS = 8


def _loo_quadratic(
    t: np.ndarray, xy: np.ndarray, half: int, skip: tuple[int, int] = (0, 0)
) -> np.ndarray:
    """Leave-out local quadratic prediction of every sample: ``(T, K, D)`` in,
    ``(T, K, D)`` out. At frame ``k`` a quadratic in time is fitted by least squares to the
    finite samples at frames ``k - half … k + half`` outside ``k - skip[0] … k + skip[1]``
    and evaluated at ``t[k]``; NaN where there is not a neighbour on each side and four in
    all."""
    n = len(t)
    finite = np.isfinite(xy).all(axis=-1)  # (T, K)
    vals = np.where(finite[..., None], xy, 0.0)
    scale = max(float(np.median(np.diff(t))) * half, 1e-12)  # keeps the moments O(1)
    s = [np.zeros(finite.shape) for _ in range(5)]  # sum of w τ^p, p = 0..4
    b = [np.zeros(xy.shape) for _ in range(3)]  # sum of w τ^p x, p = 0..2
    left = np.zeros(finite.shape, dtype=int)
    right = np.zeros(finite.shape, dtype=int)
    for j in range(-half, half + 1):
        if -skip[0] <= j <= skip[1] or abs(j) >= n:
            continue
        tgt = slice(max(0, -j), n - max(0, j))  # frames k with a neighbour k + j
        src = slice(max(0, j), n - max(0, -j))
        w = finite[src].astype(float)
        tau = ((t[src] - t[tgt]) / scale)[:, None]
        powers = [np.ones_like(tau), tau, tau**2, tau**3, tau**4]
        for p in range(5):
            s[p][tgt] += w * powers[p]
        for p in range(3):
            b[p][tgt] += (w * powers[p])[..., None] * vals[src]
        (right if j > 0 else left)[tgt] += finite[src]
    # c0 of the normal equations [[s0 s1 s2] [s1 s2 s3] [s2 s3 s4]] c = [b0 b1 b2], by
    # Cramer's rule (one 3 × 3 system per frame, landmark and coordinate).
    s0, s1, s2, s3, s4 = s
    det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s2 * s3) + s2 * (s1 * s3 - s2 * s2)
    m0 = s2 * s4 - s3 * s3
    m1 = s1 * s4 - s2 * s3
    m2 = s1 * s3 - s2 * s2
    num = b[0] * m0[..., None] - b[1] * m1[..., None] + b[2] * m2[..., None]
    ok = (left >= 1) & (right >= 1) & (left + right >= 4) & (np.abs(det) > 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        pred = num / det[..., None]
    pred[~ok] = np.nan
    return pred


def _distance(xy: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return np.hypot(*np.moveaxis(xy - ref, -1, 0))


def _robust_distance(t: np.ndarray, track: np.ndarray, k: int, half: int, thr: float) -> float:
    """How far ``track[k]`` (``track`` is ``(T, D)``) lies from the quadratic in time that
    most of its neighbours within ``half`` frames follow (within ``thr``). The quadratic is
    found by consensus (every quadratic through three neighbours; the one with the most
    neighbours within ``thr``, refitted to them), so glitched neighbours cannot pull it.
    0 when the neighbours agree on nothing that brackets ``k``."""
    # At most ROBUST_LAGS neighbours each side (the nearest always), to bound the cost.
    lags = np.unique(np.round(np.linspace(1, half, min(half, ROBUST_LAGS))).astype(int))
    idx = np.concatenate([k - lags[::-1], k + lags])
    idx = idx[(idx >= 0) & (idx < len(t))]
    idx = idx[np.isfinite(track[idx]).all(axis=1)]
    if idx.size < 4 or not (idx < k).any() or not (idx > k).any():
        return 0.0
    scale = max(float(t[idx[-1]] - t[idx[0]]), 1e-12)
    tau = (t[idx] - t[k]) / scale
    vand = np.stack([np.ones_like(tau), tau, tau**2], axis=-1)  # (m, 3)
    triples = np.array(list(combinations(range(idx.size), 3)))  # (C, 3)
    coef = np.linalg.solve(vand[triples], track[idx][triples])  # (C, 3, D)
    dist = np.linalg.norm(np.einsum("mp,cpd->cmd", vand, coef) - track[idx], axis=-1)
    inliers = dist <= thr  # (C, m)
    count = inliers.sum(axis=1)
    best = np.flatnonzero(count == count.max())
    score = np.where(inliers[best], dist[best], 0.0).sum(axis=1)
    keep = inliers[best[np.argmin(score)]]
    if keep.sum() < 4 or not (idx[keep] < k).any() or not (idx[keep] > k).any():
        return 0.0
    fit, *_ = np.linalg.lstsq(vand[keep], track[idx[keep]], rcond=None)
    return float(np.linalg.norm(track[k] - fit[0]))


def _robust_outlier(t: np.ndarray, track: np.ndarray, k: int, half: int, thr: float) -> bool:
    """Is ``track[k]`` farther than ``thr`` from its neighbours' consensus quadratic, both
    within ``half`` frames and within ``2 * half`` (:func:`_robust_distance`)?"""
    return all(_robust_distance(t, track, k, h, thr) > thr for h in (half, 2 * half))


def _one_glitch(
    t: np.ndarray, track: np.ndarray, run: tuple[int, int], half: int, thr: float
) -> np.ndarray:
    """The samples of ``run`` (``[start, stop)``, longer than :data:`OUTLIER_RUN`, all judged
    outliers of ``track``) that are outliers once a single glitch is taken out; a bool mask
    over the run.

    A glitch lasts at most :data:`OUTLIER_RUN` frames, so a longer run of judged outliers
    means the consensus fits were split: a whole foot displaced for a few frames can lie on
    a smooth curve of its own (a slowed copy of the swing), and next to a heel that stops
    abruptly at contact that curve can win over the real track, whose good samples then go
    too. Every sub-run of up to :data:`OUTLIER_RUN` frames is tried as the glitch: taken
    out, the run's other samples are judged again (:func:`_robust_outlier`). The glitch is
    the candidate that leaves the fewest of them outliers and, among those, lies farthest
    from the track the rest follow (its nearest sample's consensus distance)."""
    start, stop = run
    best_key, best = None, np.ones(stop - start, dtype=bool)
    for a in range(start, stop):
        for b in range(a + 1, min(a + OUTLIER_RUN, stop) + 1):
            trial = track.copy()
            trial[a:b] = np.nan
            mask = np.zeros(stop - start, dtype=bool)
            mask[a - start : b - start] = True
            for k in [*range(start, a), *range(b, stop)]:
                mask[k - start] = _robust_outlier(t, trial, k, half, thr)
            apart = np.inf
            for k in range(a, b):
                trial[k] = track[k]
                apart = min(apart, _robust_distance(t, trial, k, half, thr))
                trial[k] = np.nan
            key = (int(mask.sum()) - (b - a), -apart)
            if best_key is None or key < best_key:
                best_key, best = key, mask
    return best


def reject_outliers(
    seq: PoseSequence,
    *,
    window_s: float = 0.25,
    n_sigma: float = 3.0,
    min_jump_frac: float = 0.05,
) -> PoseSequence:
    """Set to NaN landmark positions that jump implausibly away from their neighbours.

    Each position is judged against a local motion model that does not include it: a
    quadratic in time (constant acceleration) fitted by least squares to the landmark's
    other positions within ±``window_s``/2 seconds, evaluated at its own timestamp. A
    position is an outlier when its distance from that prediction exceeds both
    ``min_jump_frac`` × body height (:func:`body_height_px`) and ``n_sigma`` robust spreads
    (1.4826 × median distance) of that landmark over the clip. Outliers become NaN in x and
    y (and world); :func:`fill_gaps` can then bridge them.

    Why a quadratic: real motion accelerates. A toe leaving the floor goes from rest to
    about three times walking speed in ~0.1 s, and a forefoot lands as abruptly; a
    constant-velocity prediction (interpolating between neighbours) misses such a sample by
    6–9 % of body height at 140 steps/min, which threw away the gait events' own samples
    and put toe off up to 60 ms early. The quadratic follows foot, ankle and knee of the
    synthetic walker within 3 % at 140 steps/min (30 and 60 fps), while a glitch - a jump
    away and back - fits no quadratic, however fast the landmark moves.

    Glitches of several frames: each position is also judged with the fit leaving out, in
    turn, every run of up to :data:`OUTLIER_RUN` frames around it (the largest distance
    counts), so a glitch is seen from outside itself. That makes the glitch's clean
    neighbours suspect too (their fits include it), so every suspect is judged again by
    consensus (:func:`_robust_outlier`: the quadratic most of its neighbours follow, within
    half a window and within a whole one) and removed only if both say so. A run of
    removed frames longer than a glitch is explained by the one glitch that leaves the rest
    of it fitting (:func:`_one_glitch`): a whole foot displaced next to a heel that has
    just stopped took the heel's own contact samples with it. Passes repeat
    until nothing more goes (at most :data:`OUTLIER_MAX_PASSES`). On synthetic walks with
    1–3 frame glitches of 8–20 % of body height on feet, knees, wrists and nose, 99.6 % of
    the glitched positions go, 1 % of a glitch's count of clean neighbours with them, and
    no sample of the walk itself.

    Defaults: 0.25 s gives 4 neighbours each side at 30 fps (8 at 60 fps); the 5 % floor
    (≈ 8 cm on an adult) keeps the jitter of a landmark from counting; ``n_sigma = 3`` is
    the classic Hampel choice and lifts the threshold for a landmark that is noisy all clip
    long.
    """
    n = len(seq)
    if n < 3:
        return seq
    floor_px = min_jump_frac * body_height_px(seq)
    if not np.isfinite(floor_px):
        return seq
    dt = _median_dt(seq.t_s)
    half = max(2, int(round(window_s / 2.0 / dt)))
    xy = seq.xy.copy()
    bad = np.zeros((n, N_LANDMARKS), dtype=bool)
    thr = None
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # landmarks never judged
        for _ in range(OUTLIER_MAX_PASSES):
            # Leave out the sample and, in turn, each run of up to OUTLIER_RUN frames
            # around it: a glitch of a few frames is seen from outside itself.
            devs = [
                _distance(xy, _loo_quadratic(seq.t_s, xy, half, (a, b)))
                for a in range(OUTLIER_RUN)
                for b in range(OUTLIER_RUN - a)
            ]
            if thr is None:  # the landmark's own spread, from the plain leave-one-out fit
                spread = 1.4826 * np.nanmedian(devs[0], axis=0)  # (K,)
                thr = np.fmax(floor_px, np.where(np.isfinite(spread), n_sigma * spread, 0.0))
            dev = np.fmax.reduce(devs)
            suspect = dev > thr
            if not suspect.any():
                break
            # A glitch also pulls its neighbours' fits: judge every suspect again, robustly.
            new = np.zeros_like(suspect)
            for k, lm in zip(*np.nonzero(suspect), strict=True):
                new[k, lm] = _robust_outlier(seq.t_s, xy[:, lm], int(k), half, thr[lm])
            # A run longer than a glitch, but not than a glitch and the half windows its
            # consensus fits reach: keep what one glitch does not explain away.
            for lm in np.flatnonzero(new.any(axis=0)):
                for start, stop in _runs(new[:, lm]):
                    if OUTLIER_RUN < stop - start <= OUTLIER_RUN + 2 * half:
                        new[start:stop, lm] = _one_glitch(
                            seq.t_s, xy[:, lm], (start, stop), half, thr[lm]
                        )
            if not new.any():
                break
            bad |= new
            xy[new] = np.nan
    if not bad.any():
        return seq
    world = None
    if seq.world is not None:
        world = seq.world.copy()
        world[bad] = np.nan
    return replace(seq, xy=xy, world=world)


# -- gap filling --------------------------------------------------------------------------
def _fill_track(t: np.ndarray, v: np.ndarray, max_gap_s: float, method: str) -> np.ndarray:
    finite = np.isfinite(v)
    if finite.all() or finite.sum() < 2:
        return v
    fill = np.zeros(len(v), dtype=bool)
    for start, stop in _runs(~finite):
        # Never extrapolate before the first / after the last valid sample.
        if start > 0 and stop < len(v) and t[stop] - t[start - 1] <= max_gap_s:
            fill[start:stop] = True
    if not fill.any():
        return v
    out = v.copy()
    if method == "pchip":
        out[fill] = PchipInterpolator(t[finite], v[finite], extrapolate=False)(t[fill])
    else:
        out[fill] = np.interp(t[fill], t[finite], v[finite])
    return out


def fill_gaps(
    seq: PoseSequence, *, max_gap_s: float = 0.25, method: str = "linear"
) -> PoseSequence:
    """Interpolate short runs of missing values in time, using the real timestamps.

    A gap is bridged when the time between the last valid sample before it and the first
    valid sample after it is at most ``max_gap_s`` (so one missing frame is 0.067 s at 30 fps
    and 0.033 s at 60 fps). Longer gaps, and missing values at the start or end, stay NaN.
    ``method`` is ``"linear"`` (default: never overshoots) or ``"pchip"`` (shape-preserving
    cubic, smoother through a swing phase).

    Default 0.25 s: about a quarter of a gait cycle. A landmark lost for longer (occluded leg
    in a side view, subject leaving the frame) may have done something interpolation cannot
    guess, such as a heel strike, so it is left missing rather than invented.
    Each landmark and coordinate is filled independently; ``visibility`` is left as reported
    (so gate before filling, not after).
    """
    if method not in ("linear", "pchip"):
        raise ValueError(f"method must be 'linear' or 'pchip', got {method!r}")
    if max_gap_s < 0:
        raise ValueError(f"max_gap_s must be >= 0, got {max_gap_s}")
    t = seq.t_s
    new = []
    for arr in _tracks(seq):
        out = arr.copy()
        for k in range(arr.shape[1]):
            out[:, k] = _fill_track(t, arr[:, k], max_gap_s, method)
        new.append(out)
    return _rebuild(seq, new)


# -- zero-phase low-pass ------------------------------------------------------------------
@lru_cache(maxsize=64)
def _design_sos(cutoff_hz: float, order: int, fs: float) -> np.ndarray | None:
    if cutoff_hz >= 0.45 * fs:
        return None
    # Winter's correction for the double pass, applied to the pre-warped (bilinear)
    # frequency so that cutoff_hz is exactly the -3 dB point of the zero-phase result at any
    # sampling rate: per pass |H|^2 = 1 / (1 + (w / w_d)^(2n)); the double pass gives
    # |H|^2 = 1/sqrt(2) at w_c when w_d = w_c / (sqrt(2) - 1)^(1 / 2n) (0.802 for n = 2).
    c = (2.0**0.5 - 1.0) ** (1.0 / (2.0 * order))
    w_design = np.tan(np.pi * cutoff_hz / fs) / c
    design = fs / np.pi * np.arctan(w_design)
    return butter(order, design, btype="low", fs=fs, output="sos")


def _lowpass_run(t: np.ndarray, v: np.ndarray, cutoff_hz: float, order: int) -> np.ndarray:
    """Filter one contiguous finite run, ``(n,)`` or ``(n, k)`` columns filtered together
    (may have irregular timestamps)."""
    dts = np.diff(t)
    dt = float(np.median(dts))
    uniform = (dts.max() - dts.min()) <= UNIFORM_DT_TOLERANCE * dt
    cols = v.reshape(len(v), -1)
    if uniform:
        grid_t, grid_v = t, cols
    else:
        n_grid = int(np.ceil((t[-1] - t[0]) / dt)) + 1
        grid_t = t[0] + dt * np.arange(n_grid)
        grid_v = np.stack([np.interp(grid_t, t, c) for c in cols.T], axis=1)
    sos = _design_sos(cutoff_hz, order, 1.0 / dt)
    if sos is None:
        return v
    padlen = 3 * (2 * len(sos) + 1)
    if len(grid_v) <= padlen:
        return v
    filt = sosfiltfilt(sos, grid_v, axis=0, padlen=padlen)
    if not uniform:
        filt = np.stack([np.interp(t, grid_t, c) for c in filt.T], axis=1)
    return filt.reshape(v.shape)


def lowpass_signal(t: np.ndarray, v: np.ndarray, cutoff_hz: float, *, order: int = 2) -> np.ndarray:
    """Zero-phase low-pass of one ``(T,)`` signal, each finite run on its own (NaN stays)."""
    out = np.array(v, dtype=float, copy=True)
    for a, b in _runs(np.isfinite(out)):
        if b - a >= 2:
            out[a:b] = _lowpass_run(t[a:b], out[a:b], cutoff_hz, order)
    return out


def lowpass(seq: PoseSequence, *, cutoff_hz: float = 6.0, order: int = 2) -> PoseSequence:
    """Zero-phase Butterworth low-pass of every landmark track, with the cutoff in hertz.

    ``cutoff_hz`` is the -3 dB frequency of the final (forward-backward, so zero-lag) filter:
    the design cutoff is raised by Winter's correction for the double pass. The sampling rate
    is ``1 / median(dt)`` from the timestamps, so the same cutoff removes the same
    frequencies at 30, 60 or 240 fps. When the intervals are not uniform (variable frame
    rate, dropped frames) each run is interpolated onto a uniform grid at the median
    interval, filtered, and interpolated back onto the original timestamps.

    Missing values are never bridged: each contiguous finite run of each coordinate is
    filtered on its own. Runs too short for the filter's edge padding (≤ 9 samples for order
    2, i.e. 0.3 s at 30 fps) are left as they are. If the frame rate is too low for the
    cutoff (``cutoff_hz`` ≥ 0.45 × frame rate, e.g. 6 Hz below 13.3 fps) the data are
    returned unfiltered with a warning.

    Default 6 Hz, order 2: the standard for gait kinematics from video and markers (Winter,
    *Biomechanics and Motor Control of Human Movement*): over 95 % of the power of walking
    joint trajectories lies below 6 Hz, while landmark jitter is broadband. Calf raises and
    balance are slower still, so 6 Hz only removes noise there.
    """
    if cutoff_hz <= 0:
        raise ValueError(f"cutoff_hz must be > 0, got {cutoff_hz}")
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    t = seq.t_s
    if len(t) < 2:
        return seq
    if _design_sos(cutoff_hz, order, 1.0 / _median_dt(t)) is None:
        warnings.warn(
            f"frame rate {1.0 / _median_dt(t):.1f} fps is too low for a {cutoff_hz:g} Hz "
            "low-pass; landmarks left unfiltered",
            stacklevel=2,
        )
        return seq
    new = []
    for arr in _tracks(seq):
        out = arr.copy()
        finite = np.isfinite(arr)
        # Columns with the same missing frames share their runs: filter them together.
        groups: dict[bytes, list[int]] = {}
        for k in range(arr.shape[1]):
            groups.setdefault(np.packbits(finite[:, k]).tobytes(), []).append(k)
        for cols in groups.values():
            for start, stop in _runs(finite[:, cols[0]]):
                if stop - start < 2:
                    continue
                out[start:stop, cols] = _lowpass_run(
                    t[start:stop], arr[start:stop][:, cols], cutoff_hz, order
                )
        new.append(out)
    return _rebuild(seq, new)


# -- causal One Euro filter ---------------------------------------------------------------
def _alpha(dt: np.ndarray, cutoff_hz: np.ndarray) -> np.ndarray:
    tau = 1.0 / (2.0 * np.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Causal One Euro filter (Casiez, Roussel & Vogel, CHI 2012) for live landmarks.

    A first-order low-pass whose cutoff rises with speed: still landmarks are smoothed hard
    (no jitter), fast ones lightly (little lag). Each landmark is filtered independently and
    both coordinates share one cutoff driven by the landmark's speed.

    Parameters
    ----------
    min_cutoff
        Cutoff in Hz when the landmark is still. Lower = less jitter, more lag. Default 1 Hz,
        the paper's starting point.
    beta
        How fast the cutoff rises with speed, in Hz per (body height per second): speed is
        divided by ``scale_px`` so the same value works at any resolution. At the default 2,
        a heel swinging at ~2 body heights/s is filtered at ~5 Hz, a still one at 1 Hz.
        Tune as the paper advises: ``beta = 0`` and lower ``min_cutoff`` until a still pose
        stops jittering, then raise ``beta`` until fast moves stop lagging.
    d_cutoff
        Cutoff in Hz of the low-pass on the speed estimate; 1 Hz as in the paper.
    scale_px
        Pixels per "body height" for ``beta``. ``None`` (default): the vertical extent of the
        landmarks in the current frame, kept from the last frame that had one.
    max_gap_s
        A landmark missing (NaN), or a frame interval longer than this, resets that
        landmark: its next valid value is passed through unfiltered, so the filter never
        drags a point from where it was seconds ago.

    ``__call__(xy, t_s)`` takes one frame ``(33, 2)`` in pixels and its timestamp in seconds
    (strictly increasing) and returns the filtered ``(33, 2)``; NaN in → NaN out. Output at
    time t depends only on inputs at times ≤ t.
    """

    def __init__(
        self,
        *,
        min_cutoff: float = 1.0,
        beta: float = 2.0,
        d_cutoff: float = 1.0,
        scale_px: float | None = None,
        max_gap_s: float = 0.5,
    ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("min_cutoff and d_cutoff must be > 0 and beta >= 0")
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.scale_px = scale_px
        self.max_gap_s = float(max_gap_s)
        self.reset()

    def reset(self) -> None:
        """Forget all state (e.g. when the tracked subject changes)."""
        self._x: np.ndarray | None = None  # (K, D) last output
        self._dx: np.ndarray | None = None  # (K, D) last filtered velocity, px/s
        self._t: np.ndarray | None = None  # (K,) time of last valid value per landmark
        self._last_t: float | None = None
        self._scale: float = float("nan")

    def __call__(self, xy: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(xy, dtype=float)
        if x.ndim != 2:
            raise ValueError(f"xy: expected shape (K, D), got {x.shape}")
        t = float(t_s)
        if self._last_t is not None and not t > self._last_t:
            raise ValueError(f"t_s must be strictly increasing, got {t} after {self._last_t}")
        self._last_t = t
        if self._x is None or self._x.shape != x.shape:
            self._x = np.full(x.shape, np.nan)
            self._dx = np.zeros(x.shape)
            self._t = np.full(x.shape[0], np.nan)
        valid = np.isfinite(x).all(axis=1)
        if self.scale_px is not None:
            scale = float(self.scale_px)
        else:
            ys = x[valid, 1] if x.shape[1] >= 2 else x[valid, 0]
            if ys.size >= 2 and np.ptp(ys) > 0:
                self._scale = float(np.ptp(ys))
            scale = self._scale if np.isfinite(self._scale) else 1.0

        dt = t - self._t  # NaN where never seen / reset
        cont = valid & np.isfinite(dt) & (dt <= self.max_gap_s)
        out = np.full(x.shape, np.nan)
        fresh = valid & ~cont
        out[fresh] = x[fresh]
        self._dx[fresh] = 0.0
        if cont.any():
            d = dt[cont][:, None]
            dx = (x[cont] - self._x[cont]) / d
            a_d = _alpha(d, self.d_cutoff)
            dx_hat = a_d * dx + (1.0 - a_d) * self._dx[cont]
            speed = np.linalg.norm(dx_hat, axis=1, keepdims=True) / scale
            a = _alpha(d, self.min_cutoff + self.beta * speed)
            out[cont] = a * x[cont] + (1.0 - a) * self._x[cont]
            self._dx[cont] = dx_hat
        self._x[valid] = out[valid]
        self._t[valid] = t
        self._t[~valid] = np.nan  # a missing value resets the landmark
        return out


def one_euro(
    seq: PoseSequence,
    *,
    min_cutoff: float = 1.0,
    beta: float = 2.0,
    d_cutoff: float = 1.0,
    scale_px: float | None = None,
    max_gap_s: float = 0.5,
) -> PoseSequence:
    """Run a fresh :class:`OneEuroFilter` over a whole sequence, frame by frame (causal).

    This is what the live path produces; use it offline to see exactly what a webcam user
    would have seen. World coordinates (metres), when present, go through a second filter
    with a 1 m scale, so ``beta`` there is in Hz per m/s.
    """
    kw: dict[str, Any] = dict(
        min_cutoff=min_cutoff, beta=beta, d_cutoff=d_cutoff, max_gap_s=max_gap_s
    )
    f = OneEuroFilter(scale_px=scale_px, **kw)
    xy = np.stack([f(seq.xy[i], seq.t_s[i]) for i in range(len(seq))]) if len(seq) else seq.xy
    world = None
    if seq.world is not None:
        fw = OneEuroFilter(scale_px=1.0, **kw)
        world = np.stack([fw(seq.world[i], seq.t_s[i]) for i in range(len(seq))])
    return replace(seq, xy=xy, world=world)


# -- composition --------------------------------------------------------------------------
@dataclass(frozen=True)
class CleanConfig:
    """Parameters of :func:`clean_offline`; each default is explained on its function."""

    min_visibility: float = 0.5
    outlier_window_s: float = 0.25
    outlier_n_sigma: float = 3.0
    outlier_min_jump_frac: float = 0.05
    max_gap_s: float = 0.25
    fill_method: str = "linear"
    cutoff_hz: float = 6.0
    order: int = 2


def clean_offline(
    seq: PoseSequence, config: CleanConfig | None = None, **overrides: Any
) -> PoseSequence:
    """The offline cleaning chain: :func:`gate_visibility` → :func:`reject_outliers` →
    :func:`fill_gaps` → :func:`lowpass`.

    The order matters: low-visibility points and outliers are removed first so that neither
    is smeared into its neighbours, the short holes they leave are bridged, and only then is
    the jitter filtered. ``overrides`` replace fields of ``config`` (``max_gap_s=0.1``).
    """
    cfg = config or CleanConfig()
    if overrides:
        known = {f.name for f in fields(CleanConfig)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown cleaning parameter(s): {', '.join(sorted(unknown))}")
        cfg = replace(cfg, **overrides)
    out = gate_visibility(seq, min_visibility=cfg.min_visibility)
    out = reject_outliers(
        out,
        window_s=cfg.outlier_window_s,
        n_sigma=cfg.outlier_n_sigma,
        min_jump_frac=cfg.outlier_min_jump_frac,
    )
    out = fill_gaps(out, max_gap_s=cfg.max_gap_s, method=cfg.fill_method)
    return lowpass(out, cutoff_hz=cfg.cutoff_hz, order=cfg.order)
