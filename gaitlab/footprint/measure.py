"""Areas of the thirds and widths across the foot axis, from the flattened photo."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from gaitlab.footprint.axis import Axis
from gaitlab.footprint.definitions import WIDTH_SMOOTHING_FRACTION, smooth_profile
from gaitlab.footprint.segment import Segmentation

#: Width-profile smoothing for a textured print, in grid sigmas (about 3.5 grid periods).
TEXTURE_WIDTH_WINDOW_SIGMAS = 6.0


@dataclass(frozen=True)
class Measure:
    t_min: float
    t_max: float
    areas: dict[str, float]
    widths: dict[str, tuple[float, float, float, float]]  # name → (width, t, s_lo, s_hi)
    ts: np.ndarray
    profile: np.ndarray
    s_lo: np.ndarray
    s_hi: np.ndarray


def measure_print(main: np.ndarray, seg: Segmentation, ax: Axis, spread: float) -> Measure:
    iy, ix = np.nonzero(main)
    P = np.column_stack([ix, iy]).astype(float) - ax.heel
    t, s = P @ ax.u, P @ ax.v
    t_min, t_max = t.min() - 0.5, t.max() + 0.5
    L = t_max - t_min
    t1, t2 = t_min + L / 3, t_min + 2 * L / 3
    areas = {
        "heel_third": float(np.count_nonzero(t < t1)),
        "middle_third": float(np.count_nonzero((t >= t1) & (t < t2))),
        "front_third": float(np.count_nonzero(t >= t2)),
    }
    # Resample the flattened photo on a grid aligned with the axis, 1 px steps.
    ts = np.arange(t_min, t_max, 1.0) + 0.5
    pad = 6.0 + max(12.0, 1.6 * spread)
    ss = np.arange(s.min() - pad, s.max() + pad + 0.5, 1.0)
    TT, SS = np.meshgrid(ts, ss)
    mx = (ax.heel[0] + TT * ax.u[0] + SS * ax.v[0]).astype(np.float32)
    my = (ax.heel[1] + TT * ax.u[1] + SS * ax.v[1]).astype(np.float32)
    r = cv2.remap(seg.ratio, mx, my, cv2.INTER_LINEAR, borderValue=float(seg.paper_level))
    # A textured print's mask is cut at half its local ink density, which the lighter rim of
    # an ink print does not reach: search its edges a blur width further out.
    grow = 7 + (2 * int(round(spread)) if seg.texture_sigma > 0 else 0)
    region = cv2.dilate(main.astype(np.uint8), np.ones((grow, grow), np.uint8))
    reg = cv2.remap(region, mx, my, cv2.INTER_NEAREST, borderValue=0) > 0
    cols = np.arange(ts.size)
    rows = np.arange(ss.size)[:, None]
    window = max(1, int(round(WIDTH_SMOOTHING_FRACTION * L)))
    if seg.texture_sigma > 0:
        # An ink grid's outline wavers with the grid and with the pressure under each
        # line; a minimum width over a short window would read that, not the foot.
        window = max(window, int(round(TEXTURE_WIDTH_WINDOW_SIGMAS * seg.texture_sigma)))

    def edges(thr: np.ndarray | float):
        inside = (r < thr) & reg
        has = inside.any(axis=0)
        first = np.argmax(inside, axis=0)
        last = inside.shape[0] - 1 - np.argmax(inside[::-1], axis=0)
        return has, first, last

    # The wetness of a print varies (the midfoot is often lighter than heel and ball), so
    # each cross-section's edges are found half-way between its own print and paper levels.
    # Levels are sampled beyond the blurred edge (``spread`` is its 10–90 % width).
    has, first, last = edges(seg.threshold)
    a, b = int(math.ceil(max(5.0, 0.8 * spread))), int(math.ceil(max(12.0, 1.6 * spread)))
    core = (rows >= first + a) & (rows <= last - a) & has & (r < seg.threshold)
    near = ((rows >= first - b) & (rows <= first - a)) | ((rows >= last + a) & (rows <= last + b))
    near &= has & ~reg
    p_col = _column_level(r, core, seg.print_level, window)
    q_col = _column_level(r, near, seg.paper_level, window)
    thr = 0.5 * (p_col + q_col)
    has, first, last = edges(thr)

    def cross(idx: np.ndarray, step: int) -> np.ndarray:
        """Sub-pixel crossing between ``idx`` (inside) and ``idx - step`` (outside)."""
        out_i = np.clip(idx - step, 0, ss.size - 1)
        r_in, r_out = r[idx, cols], r[out_i, cols]
        frac = np.clip((r_out - thr) / np.maximum(r_out - r_in, 1e-6), 0.0, 1.0)
        return ss[out_i] + step * frac

    s_lo = np.where(has, cross(first, 1), 0.0)
    s_hi = np.where(has, cross(last, -1), 0.0)
    raw = np.where(has, s_hi - s_lo, 0.0)
    prof = smooth_profile(raw, window)
    rear3, mid3, front3 = ts < t1, (ts >= t1) & (ts < t2), ts >= t2
    if seg.texture_sigma > 0:
        # A textured print's mask is cut at a low ink density (to keep the lightly pressed
        # parts) and so runs wide of the outline; its areas come from the cross-sections,
        # edge to edge at each one's own half-way level, 1 px apart.
        areas = {
            "heel_third": float(raw[rear3].sum()),
            "middle_third": float(raw[mid3].sum()),
            "front_third": float(raw[front3].sum()),
        }

    def pick(sel: np.ndarray, fn) -> tuple[float, float, float, float]:
        idx = np.flatnonzero(sel)
        best = prof[idx][fn(prof[idx])]
        ties = idx[np.abs(prof[idx] - best) <= 1e-6]
        j = ties[len(ties) // 2]  # the middle of a run of equal values (a zero-width gap)
        half_w = 0.5 * prof[j]
        mid = 0.5 * (s_lo[j] + s_hi[j]) if has[j] else 0.0
        return float(prof[j]), float(ts[j]), float(mid - half_w), float(mid + half_w)

    widths = {
        "forefoot": pick(front3, np.argmax),
        "midfoot": pick(mid3, np.argmin),
        "heel": pick(rear3, np.argmax),
    }
    return Measure(t_min, t_max, areas, widths, ts, prof, s_lo, s_hi)


def _column_level(r: np.ndarray, sel: np.ndarray, fallback: float, window: int) -> np.ndarray:
    """Median of ``r`` over ``sel`` in each column, averaged along the axis; ``fallback``
    where a column has too few samples."""
    count = sel.sum(axis=0)
    vals = np.where(sel & (count >= 3), r, np.nan)
    med = np.full(r.shape[1], np.nan)
    some = count >= 3
    if some.any():
        med[some] = np.nanmedian(vals[:, some], axis=0)
    ok = np.isfinite(med)
    if not ok.any():
        return np.full(r.shape[1], fallback)
    w = smooth_profile(ok.astype(float), window)
    m = smooth_profile(np.where(ok, med, 0.0), window)
    return np.where(w > 0.2, m / np.maximum(w, 1e-9), fallback)
