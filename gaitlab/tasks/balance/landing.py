"""A lifted foot coming to rest somewhere else: the landing the rise alone cannot see.

A foot is lifted when it leaves the spot where it stood; it is down again when it comes back
(its rise falls below the low level) or, after a swing that ends elsewhere, when it comes to
rest at the bottom of its path. A camera above the feet shows a foot set down nearer to it
lower in the image than where it stood, one set down further away higher: a landing at a
new spot never brings the rise back to zero. What marks it in any view is that the foot
stops moving at the lowest point of its path, after having come down from its highest, and
not far above the standing foot (a foot held still on the calf or the thigh, or at the top
of a swing, is none of these).
"""

from __future__ import annotations

import math
import warnings
from collections import deque

import numpy as np

#: A foot is still when each of its landmarks stays within this fraction of the leg length
#: (≈ 1.7 cm) of its mean over the last ``min_touch_s``: several times the jitter of a
#: smoothed track (≈ 0.3 % of leg length), far below the ≥ 20 cm/s of a moving foot.
STILL_FRAC = 0.04
#: A landing elsewhere comes down at least this much (fraction of leg length, image
#: vertical) from the highest point of the lift: the swing extremes and a foot held up
#: after its lift never do.
LAND_DESCENT_FRAC = 0.15
#: ... and comes to rest within this of the lowest point reached since that highest point
#: (the bottom of its path).
LAND_BOTTOM_FRAC = 0.03
#: ... and not higher in the image than the standing foot's lowest point by more than this
#: fraction of the leg length. Two feet on a level floor differ by up to ~25 % of leg length
#: in the image of a camera 2 m high and 3–4 m away when one is 40–50 cm further from it (the
#: pose2sim trial's back obliques); a foot on the calf sits higher still at its heel, a foot
#: on the thigh much higher.
LAND_ABOVE_FRAC = 0.30


class FootPath:
    """Positions of one foot's landmarks over the recent past, and its path since a lift."""

    def __init__(self, history_s: float) -> None:
        self.history_s = float(history_s)
        self.samples: deque[tuple[float, np.ndarray]] = deque()
        self.top_y = math.nan  # highest (smallest image y) lowest point since the lift
        self.bottom_y = math.nan  # lowest (largest image y) lowest point since that top

    def add(self, t: float, pts: np.ndarray) -> None:
        """Record the ``(3, 2)`` landmark positions (NaN where unseen) at time ``t``."""
        self.samples.append((t, pts))
        while self.samples and self.samples[0][0] < t - self.history_s:
            self.samples.popleft()

    def start_lift(self) -> None:
        """Forget the path: a lift starts now."""
        self.top_y = self.bottom_y = math.nan

    def follow(self, pts: np.ndarray) -> None:
        """Extend the path since the lift with the current positions."""
        ys = pts[:, 1][np.isfinite(pts[:, 1])]
        if ys.size:
            low = float(ys.max())  # the lowest visible point (image y grows downwards)
            if not math.isfinite(self.top_y) or low <= self.top_y:
                self.top_y = self.bottom_y = low  # a new highest point: the bottom is after it
            else:
                self.bottom_y = max(self.bottom_y, low)

    def still_since(self, t: float, window_s: float, scale: float) -> bool:
        """Whether every seen landmark stayed within :data:`STILL_FRAC` of its mean over the
        last ``window_s`` (at least two samples spanning most of it)."""
        recent = [p for tk, p in self.samples if tk >= t - window_s - 1e-9]
        span = [tk for tk, _ in self.samples if tk >= t - window_s - 1e-9]
        if len(recent) < 2 or span[-1] - span[0] < 0.6 * window_s:
            return False
        arr = np.stack(recent)  # (k, 3, 2)
        seen = np.all(np.isfinite(arr[..., 0]), axis=0)
        if not seen.any():
            return False
        arr = arr[:, seen]
        dev = np.linalg.norm(arr - arr.mean(axis=0), axis=-1)
        return bool(np.max(dev) <= STILL_FRAC * scale)

    def landed(
        self, t: float, pts: np.ndarray, other_low_y: float, window_s: float, scale: float
    ) -> bool:
        """A lifted foot at rest at the bottom of its path after coming down (see the module)."""
        ys = pts[:, 1][np.isfinite(pts[:, 1])]
        if not ys.size or not math.isfinite(self.top_y):
            return False
        low = float(ys.max())
        if low - self.top_y < LAND_DESCENT_FRAC * scale:
            return False
        if low < self.bottom_y - LAND_BOTTOM_FRAC * scale:
            return False
        if math.isfinite(other_low_y) and other_low_y - low > LAND_ABOVE_FRAC * scale:
            return False
        return self.still_since(t, window_s, scale)

    def distance_to(self, rest: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        """Times and, per sample, the smallest distance of a seen landmark from ``rest``
        (fraction of leg length): the landing seen as a movement ending at rest."""
        t = np.array([tk for tk, _ in self.samples], dtype=float)
        if not t.size:
            return t, t
        arr = np.stack([p for _, p in self.samples])
        d = np.linalg.norm(arr - rest[None], axis=-1) / scale  # (k, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: NaN
            r = np.nanmin(d, axis=1)
        return t, r
