"""Small tools on one rep's time series: a moving mean that skips gaps, a level crossing
between samples and a straight-line fit."""

from __future__ import annotations

import math

import numpy as np


def smooth(y: np.ndarray, n: int) -> np.ndarray:
    """Centred moving mean over ``n`` samples that skips NaN (NaN where all are)."""
    if n <= 1:
        return y
    ok = np.isfinite(y)
    k = np.ones(n)
    num = np.convolve(np.where(ok, y, 0.0), k, mode="same")
    den = np.convolve(ok.astype(float), k, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def crossing(t: np.ndarray, y: np.ndarray, i: int, level: float, step: int) -> float:
    """Walk from index ``i`` (``step`` ±1) to the first sample on the other side of
    ``level`` and return the interpolated crossing time (NaN if none)."""
    above = y[i] >= level
    j = i
    while 0 <= j + step < len(y):
        k = j + step
        if np.isfinite(y[k]) and (y[k] >= level) != above:
            y0, y1 = y[j], y[k]
            f = 0.0 if y1 == y0 else (level - y0) / (y1 - y0)
            return float(t[j] + f * (t[k] - t[j]))
        j = k
    return math.nan


def linfit(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Least squares ``y = c + k x``; returns (c, k)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 5 or np.ptp(x[ok]) < 0.2:
        return None
    a = np.stack([np.ones(ok.sum()), x[ok]], axis=1)
    (c, k), *_ = np.linalg.lstsq(a, y[ok], rcond=None)
    return float(c), float(k)
