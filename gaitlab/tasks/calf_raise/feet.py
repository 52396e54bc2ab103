"""Each foot's floor contact: its standing baseline and whether it is held off the floor
(:class:`Foot`)."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from gaitlab.tasks.calf_raise.config import CalfRaiseConfig

#: A lifted foot counts as down again after its toes are back on their old floor level for
#: this long; one that moved stands still (SD of heel and toe heights below STILL_SD_PCT,
#: i.e. about twice the landmark jitter) with its standing heel-to-toe height difference
#: (within FLAT_TOL_PCT; a foot held up behind hangs toes-down, 30 % or more off).
RELAND_S = 0.3
STILL_SD_PCT = 4.0
FLAT_TOL_PCT = 10.0


class FootBaseline:
    """A foot's standing heel and toe heights from its last ``window_s`` seconds between reps.

    Toe baseline: a low percentile of the toe heights (between reps the heel may not come
    to rest at all, the toes always do). Heel baseline: a low percentile of the heel heights
    in those same frames where the toes were at their baseline. Both of 0.2 s means, so that
    jitter does not pull the baseline under the floor. Both come from one set of
    frames, so when a foot is lifted and held up (single-leg raises) its two baselines move
    together and the foot never looks like a heel raised off planted toes.
    """

    def __init__(self, window_s: float, q: float = 20.0, toe_tol: float = 3.0) -> None:
        self.window_s = window_s
        self.q = q
        self.toe_tol = toe_tol
        self.samples: deque[tuple[float, float, float]] = deque()
        self.heel = math.nan
        self.toe = math.nan

    def push(self, t: float, heel: float, toe: float) -> None:
        if math.isfinite(heel) and math.isfinite(toe):
            self.samples.append((t, heel, toe))
        while self.samples and self.samples[0][0] < t - self.window_s:
            self.samples.popleft()
        if self.samples:
            arr = np.asarray(self.samples)
            # a low percentile of raw jitter lies below the floor: take it of 0.2 s means
            dt = (arr[-1, 0] - arr[0, 0]) / max(len(arr) - 1, 1)
            k = int(min(max(round(0.2 / dt), 1), len(arr))) if dt > 0 else 1
            if k > 1:
                kern = np.ones(k) / k
                arr = np.column_stack(
                    [arr[k - 1 :, 0]] + [np.convolve(arr[:, j], kern, mode="valid") for j in (1, 2)]
                )
            self.toe = float(np.percentile(arr[:, 2], self.q, method="nearest"))
            on_floor = np.abs(arr[:, 2] - self.toe) <= self.toe_tol
            self.heel = float(np.percentile(arr[on_floor, 1], self.q))

    def reset(self) -> None:
        self.samples.clear()
        self.heel = self.toe = math.nan


class Foot:
    """One foot's floor contact: its standing baseline and whether it is held off the floor.

    A foot is *lifted* once its toes stay above their baseline for ``toe_off_s`` (a step, or
    the free foot of a single-leg raise); its baseline is then frozen. It is down again when
    its toes come back to that baseline, or — after moving to a new spot (walking in,
    stepping away) — when it has stood still for ``relock_s`` with the heel-to-toe height
    difference it had standing flat (a foot held up behind hangs toes-down).
    """

    def __init__(self, cfg: CalfRaiseConfig) -> None:
        self.cfg = cfg
        self.base = FootBaseline(cfg.baseline_s)
        self.lifted = False
        self._off_since: float | None = None
        self._back_since: float | None = None
        self._recent: deque[tuple[float, float, float]] = deque()
        self._flat: deque[float] = deque(maxlen=300)

    @property
    def flat_offset(self) -> float:
        return float(np.median(self._flat)) if self._flat else math.nan

    def observe(self, t: float, heel: float, toe: float, *, at_rest: bool) -> bool:
        """Update with one frame; return True when the foot is on the floor and usable."""
        cfg = self.cfg
        if not (math.isfinite(heel) and math.isfinite(toe)):
            return False
        self._recent.append((t, heel, toe))
        while self._recent and self._recent[0][0] < t - cfg.relock_s:
            self._recent.popleft()
        if not math.isfinite(self.base.toe):
            self.base.push(t, heel, toe)
        toe_rise = toe - self.base.toe
        if not self.lifted:
            if toe_rise > cfg.toe_level_pct:
                self._off_since = t if self._off_since is None else self._off_since
                if t - self._off_since >= cfg.toe_off_s:
                    self.lifted = True
                    self._back_since = None
            else:
                self._off_since = None
            if not self.lifted and at_rest:
                self.base.push(t, heel, toe)
                if abs(heel - self.base.heel) < cfg.end_level_pct:
                    self._flat.append(heel - toe)
            return not self.lifted and toe_rise < cfg.toe_level_pct
        # lifted: back on its old spot, or standing flat and still on a new one
        if toe_rise < 0.5 * cfg.toe_level_pct:
            self._back_since = t if self._back_since is None else self._back_since
            if t - self._back_since >= RELAND_S:
                self.lifted = False
                self._off_since = None
        else:
            self._back_since = None
        if self.lifted and self._recent and t - self._recent[0][0] >= 0.9 * cfg.relock_s:
            arr = np.asarray(self._recent)
            still = arr[:, 1].std() < STILL_SD_PCT and arr[:, 2].std() < STILL_SD_PCT
            offset = float(np.median(arr[:, 1] - arr[:, 2]))
            flat = self.flat_offset
            if still and math.isfinite(flat) and abs(offset - flat) < FLAT_TOL_PCT:
                self.base.reset()
                for tt, hh, oo in self._recent:
                    self.base.push(tt, hh, oo)
                self.lifted = False
                self._off_since = None
        return False
