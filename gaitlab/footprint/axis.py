"""The foot axis: heel centre to the second toe, or the print's long axis without toes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.footprint.blobs import Blob
from gaitlab.footprint.definitions import HEEL_CENTRE_FRACTION
from gaitlab.footprint.segment import MIN_EDGE_STEP, Segmentation


@dataclass(frozen=True)
class Axis:
    heel: np.ndarray
    u: np.ndarray  # unit, heel → toes
    toe_point: np.ndarray | None  # second-toe centre (None: principal-axis fallback)
    toes: list[Blob]
    big_toe: Blob | None

    @property
    def v(self) -> np.ndarray:
        """Perpendicular: lateral for a right foot, medial for a left one."""
        return np.array([-self.u[1], self.u[0]])


def _heel_centre(P: np.ndarray, u: np.ndarray) -> np.ndarray:
    t = P @ u
    rear = t <= t.min() + HEEL_CENTRE_FRACTION * (t.max() - t.min())
    return P[rear].mean(axis=0)


def find_axis(main: np.ndarray, small: list[Blob], seg: Segmentation, warnings: list[str]) -> Axis:
    iy, ix = np.nonzero(main)
    P = np.column_stack([ix, iy]).astype(float)
    c = P.mean(axis=0)
    evals, evecs = np.linalg.eigh(np.cov(P.T))
    e = evecs[:, 1]
    t = (P - c) @ e
    s = (P - c) @ np.array([-e[1], e[0]])
    half = 0.5 * (t.max() - t.min())
    length = t.max() - t.min()
    width = s.max() - s.min()
    main_area = float(main.sum())

    def toes_at(sign: float) -> list[Blob]:
        out = []
        for b in small:
            if not 0.001 * main_area <= b.area <= 0.5 * main_area:
                continue
            q = b.centroid - c
            tq, sq = sign * float(q @ e), float(q @ np.array([-e[1], e[0]]))
            if 0.7 * half < tq < half + 0.3 * length and abs(sq) < 0.8 * width:
                if b.edge_stats(seg)[1] >= MIN_EDGE_STEP:
                    out.append(b)
        return out

    front, back = toes_at(1.0), toes_at(-1.0)
    if sum(b.area for b in front) == sum(b.area for b in back) == 0:
        # No toes: the ball of the foot is wider than the heel.
        ends = np.quantile(t, [0.2, 0.8])
        w_lo = np.ptp(s[t <= ends[0]]) if np.any(t <= ends[0]) else 0.0
        w_hi = np.ptp(s[t >= ends[1]]) if np.any(t >= ends[1]) else 0.0
        sign = 1.0 if w_hi >= w_lo else -1.0
        toes: list[Blob] = []
    else:
        sign = 1.0 if sum(b.area for b in front) >= sum(b.area for b in back) else -1.0
        toes = front if sign > 0 else back
    u = sign * e
    heel = _heel_centre(P, u)
    if any(b.touches_border for b in toes):
        warnings.append(
            "some toe prints run off the sheet or the photo: the foot axis and the side may "
            "be off; leave room in front of the toes next time"
        )
    big = max(toes, key=lambda b: b.area) if toes else None
    second = None
    if len(toes) >= 2:
        v = np.array([-u[1], u[0]])
        order = sorted(toes, key=lambda b: float((b.centroid - heel) @ v))
        i = next(k for k, b in enumerate(order) if b is big)
        neighbours = [order[k] for k in (i - 1, i + 1) if 0 <= k < len(order)]
        second = min(neighbours, key=lambda b: float(np.linalg.norm(b.centroid - big.centroid)))
    if second is None:
        warnings.append(
            "the toes did not print as separate marks, so the foot axis is the print's "
            "long axis rather than heel-to-second-toe; if the toes are in the print, joined to "
            "the ball of the foot, they could not be left out and the arch index includes "
            "them, which reads it too high (a collapsed arch where there is none): retake "
            "with the toes spread"
            if not toes
            else "the toes printed as one mark (or one toe only): the foot axis is the print's "
            "long axis rather than heel-to-second-toe"
        )
        return Axis(heel, u, None, toes, big)
    toe_pt = second.centroid
    for _ in range(6):
        u_new = (toe_pt - heel) / np.linalg.norm(toe_pt - heel)
        heel_new = _heel_centre(P, u_new)
        done = np.linalg.norm(heel_new - heel) < 0.01
        u, heel = u_new, heel_new
        if done:
            break
    u = (toe_pt - heel) / np.linalg.norm(toe_pt - heel)
    return Axis(heel, u, toe_pt, toes, big)
