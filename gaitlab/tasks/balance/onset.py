"""The start of a movement from rest (or, mirrored, its end) fitted on a rise."""

from __future__ import annotations

import numpy as np

#: Time resolution of the fit (s).
FIT_STEP_S = 0.002
#: :func:`fit_lift_onset` takes the creep model when it leaves less than this fraction of
#: the rest model's squared residuals.
CREEP_SSE_RATIO = 0.5


def fit_rest_onset(t_s: np.ndarray, rise: np.ndarray, *, rising: bool) -> float | None:
    """Least-squares time at which a movement from rest began (or, mirrored, ended).

    Model: ``rise = f + a · (t - t0)²`` after ``t0`` and ``f`` before (``rising``), or
    ``f + a · (t0 - t)²`` before ``t0`` and ``f`` after (a landing): a foot accelerating
    away from rest / decelerating onto the floor, on a local floor level ``f`` (slow drift of
    the landmarks then does not move ``t0``). ``t0`` is searched on a :data:`FIT_STEP_S` grid
    over the samples' span with ``f`` and ``a ≥ 0`` solved by linear least squares for each.
    Using every sample, not one level crossing, keeps a jittery frame from moving the time.
    A minimum-jerk movement (∝ t³ near rest) is placed about 10–20 ms late (early for a
    landing). None with fewer than 4 samples.
    """
    t = np.asarray(t_s, dtype=float)
    y = np.asarray(rise, dtype=float)
    if t.size < 4:
        return None
    grid = np.arange(t[0], t[-1] + 1e-9, FIT_STEP_S)
    u = (t[None, :] - grid[:, None]) if rising else (grid[:, None] - t[None, :])
    x = np.clip(u, 0.0, None) ** 2  # (G, n)
    n = t.size
    sx, sxx = x.sum(axis=1), (x * x).sum(axis=1)
    sy, sxy = y.sum(), (x * y[None, :]).sum(axis=1)
    det = n * sxx - sx * sx
    with np.errstate(invalid="ignore", divide="ignore"):
        a = (n * sxy - sx * sy) / det
        f = (sy - a * sx) / n
    ok = (det > 1e-18) & (a >= 0)
    if not ok.any():
        return None
    sse = np.sum((y[None, :] - f[:, None] - a[:, None] * x) ** 2, axis=1)
    sse = np.where(ok, sse, np.inf)
    return float(grid[int(np.argmin(sse))])


def _creep_fit(t: np.ndarray, y: np.ndarray, *, creep: bool) -> tuple[float | None, float]:
    """Best ``t0`` and its sum of squares for ``f [+ c · (t - t0)] + a · max(t - t0, 0)²``."""
    best, best_sse = None, np.inf
    for t0 in np.arange(t[0], t[-1] + 1e-9, FIT_STEP_S):
        u = t - t0
        cols = [np.ones_like(u), u, np.clip(u, 0.0, None) ** 2]
        a_mat = np.stack(cols if creep else cols[::2], axis=1)
        coef, *_ = np.linalg.lstsq(a_mat, y, rcond=None)
        if coef[-1] < 0 or np.linalg.matrix_rank(a_mat) < a_mat.shape[1]:
            continue
        sse = float(np.sum((a_mat @ coef - y) ** 2))
        if sse < best_sse:
            best, best_sse = float(t0), sse
    return best, best_sse


def fit_lift_onset(t_s: np.ndarray, rise: np.ndarray) -> float | None:
    """Least-squares time at which a foot left the floor, with or without a creep first.

    Two models: a rise from rest, ``f + a · max(t - t0, 0)²`` (:func:`fit_rest_onset`), and
    a slow creep turning into the lift, ``f + c · (t - t0) + a · max(t - t0, 0)²``: a foot
    peeled off heel first creeps up (its lowest landmark follows the heel a little) until the
    toes leave the floor, then accelerates away. The creep model has one parameter more and
    always fits at least as well; it is taken only when it leaves less than
    :data:`CREEP_SSE_RATIO` of the rest model's squared residuals (a creep is there). ``t0``
    on a :data:`FIT_STEP_S` grid, ``a ≥ 0``. With fewer than 5 samples, the rest model alone.
    """
    t = np.asarray(t_s, dtype=float)
    y = np.asarray(rise, dtype=float)
    if t.size < 5:
        return fit_rest_onset(t, y, rising=True)
    rest, sse_rest = _creep_fit(t, y, creep=False)
    creep, sse_creep = _creep_fit(t, y, creep=True)
    if creep is not None and (rest is None or sse_creep < CREEP_SSE_RATIO * sse_rest):
        return creep
    return rest
