"""Definitions shared with the synthetic truth of :mod:`gaitlab.testing.footprints`."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

#: Rear fraction of the toe-less print whose centroid is the heel centre.
HEEL_CENTRE_FRACTION = 0.2
#: Window (fraction of the foot length) over which the width profile is averaged.
WIDTH_SMOOTHING_FRACTION = 0.03


def smooth_profile(values: np.ndarray, window: int) -> np.ndarray:
    """Moving average over ``window`` samples (edges repeat the end values)."""
    if window <= 1:
        return np.asarray(values, float)
    out = uniform_filter1d(np.asarray(values, float), int(window), mode="nearest")
    out[np.abs(out) < 1e-9] = 0.0  # a run of zeros stays exactly zero (no rounding residue)
    return out
