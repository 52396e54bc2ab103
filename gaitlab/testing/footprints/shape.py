"""A synthetic print: its parametric shape rasterised in the foot frame, and its exact
indices (conventions: :mod:`gaitlab.testing.footprints`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from gaitlab.footprint.definitions import (
    HEEL_CENTRE_FRACTION,
    WIDTH_SMOOTHING_FRACTION,
    smooth_profile,
)
from gaitlab.footprint.indices import classify_arch

#: Toe pads as (lateral position, half-length along x, half-width along y), in units of
#: the forefoot width, big toe first. The second toe sits on the foot axis (y = 0).
_TOES = (
    (-0.265, 0.150, 0.125),
    (0.000, 0.090, 0.063),
    (0.160, 0.082, 0.058),
    (0.290, 0.076, 0.053),
    (0.410, 0.070, 0.050),
)
#: Gap between the ball of the foot and each toe pad, mm (big toe first).
_TOE_GAP_MM = (7.0, 6.0, 5.5, 5.0, 4.5)


@dataclass(frozen=True)
class FootprintShape:
    """Parameters of a synthetic print, millimetres.

    ``foot_length_mm`` is the toe-less length (back of the heel to the front of the ball);
    ``midfoot_width_mm`` the narrowest width of the midfoot band, measured across the foot
    axis: about 40 mm gives a neutral arch on an average adult print, under 25 mm a high arch,
    over 60 mm a collapsed one; 0 leaves no midfoot contact at all (heel and ball separate).
    ``arch_exponent`` shapes the medial (arch) border: larger values make the narrow part
    longer (with a narrow ``midfoot_width_mm`` a large exponent gives the thin strip of a high
    arch). ``edge_roughness_mm`` wobbles the outline like the ragged edge of a wet print.
    ``midfoot_gap_mm`` breaks the midfoot band in its middle (a print in pieces: heel and ball
    each with a stub of the band); ``midfoot_wetness`` scales how dark the band prints (a
    lightly loaded midfoot prints fainter). ``toes_joined`` prints the toe pads as one mark
    (bridged to each other, still apart from the ball).
    """

    foot_length_mm: float = 220.0
    heel_width_mm: float = 62.0
    forefoot_width_mm: float = 95.0
    midfoot_width_mm: float = 40.0
    side: str = "right"
    toes: bool = True
    arch_exponent: float = 2.2
    forefoot_angle_deg: float = 8.0
    edge_roughness_mm: float = 0.3
    midfoot_gap_mm: float = 0.0
    midfoot_wetness: float = 1.0
    toes_joined: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if self.side not in ("left", "right"):
            raise ValueError(f"side: expected 'left' or 'right', got {self.side!r}")
        if not 120.0 <= self.foot_length_mm <= 320.0:
            raise ValueError(f"foot_length_mm: expected 120–320, got {self.foot_length_mm}")
        if not 0.0 <= self.midfoot_width_mm <= 1.2 * self.forefoot_width_mm:
            raise ValueError(
                f"midfoot_width_mm: expected 0–{1.2 * self.forefoot_width_mm:.0f}, "
                f"got {self.midfoot_width_mm}"
            )
        if not 0.0 <= self.midfoot_gap_mm <= 0.4 * self.foot_length_mm:
            raise ValueError(
                f"midfoot_gap_mm: expected 0–40 % of the length, got {self.midfoot_gap_mm}"
            )
        if not 0.2 <= self.midfoot_wetness <= 1.0:
            raise ValueError(f"midfoot_wetness: expected 0.2–1, got {self.midfoot_wetness}")


@dataclass(frozen=True)
class FootprintTruth:
    """The exact answer for a synthetic print (definitions of :mod:`gaitlab.footprint`)."""

    arch_index: float
    chippaux_smirak_index: float
    staheli_index: float
    side: str
    foot_length_mm: float
    forefoot_width_mm: float
    midfoot_width_mm: float
    heel_width_mm: float
    #: Heel centre and second-toe centre (the foot axis) in the foot frame, mm.
    heel_centre_mm: tuple[float, float]
    toe_point_mm: tuple[float, float]
    #: Filled by :func:`render_photo`: the axis end points in the image, px, and whether the
    #: whole sheet (all four corners) is inside the frame.
    heel_centre_px: tuple[float, float] | None = None
    toe_point_px: tuple[float, float] | None = None
    sheet_in_frame: bool | None = None

    def arch_type(self, thresholds: dict | None = None) -> str:
        return classify_arch(self.arch_index, thresholds)


@dataclass(frozen=True)
class SyntheticPrint:
    """A rasterised print: ``main`` (toe-less sole) and ``toes`` masks, foot frame;
    ``wetness`` (same grid, 0–1) scales how dark each part prints (None: evenly)."""

    shape: FootprintShape
    main: np.ndarray = field(repr=False)
    toes: np.ndarray = field(repr=False)
    px_per_mm: float
    x0_mm: float
    y0_mm: float
    truth: FootprintTruth
    wetness: np.ndarray | None = field(default=None, repr=False)

    @property
    def mask(self) -> np.ndarray:
        return self.main | self.toes


def blur_large(a: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with a large sigma, done on a reduced copy (same result to ~1 %)."""
    f = max(1.0, sigma / 3.0)
    if f <= 1.5:
        return cv2.GaussianBlur(a, (0, 0), sigma)
    h, w = a.shape[:2]
    small = cv2.resize(
        a, (max(2, round(w / f)), max(2, round(h / f))), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), sigma / f)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _rough(mask: np.ndarray, amp_px: float, corr_px: float, rng: np.random.Generator):
    """Wobble a mask's outline: threshold its signed distance plus smooth noise."""
    if amp_px <= 0 or not mask.any():
        return mask
    pad = int(3 * amp_px + 2 * corr_px) + 2
    ys, xs = np.nonzero(mask)
    r0, r1 = max(ys.min() - pad, 0), min(ys.max() + pad + 1, mask.shape[0])
    c0, c1 = max(xs.min() - pad, 0), min(xs.max() + pad + 1, mask.shape[1])
    u8 = mask[r0:r1, c0:c1].astype(np.uint8)
    sdf = cv2.distanceTransform(u8, cv2.DIST_L2, 5) - cv2.distanceTransform(1 - u8, cv2.DIST_L2, 5)
    noise = blur_large(rng.standard_normal(u8.shape, dtype=np.float32), corr_px)
    noise *= amp_px / (noise.std() + 1e-12)
    out = mask.copy()
    out[r0:r1, c0:c1] = (sdf + noise) > 0
    return out


def make_print(
    shape: FootprintShape | None = None, *, px_per_mm: float = 8.0, **kw
) -> SyntheticPrint:
    """Rasterise a :class:`FootprintShape` (or one built from ``kw``) and compute its truth."""
    if shape is None:
        shape = FootprintShape(**kw)
    elif kw:
        raise TypeError("pass either a FootprintShape or keyword parameters, not both")
    s = shape
    rng = np.random.default_rng(s.seed)
    L, Wh, Wf, Wm = s.foot_length_mm, s.heel_width_mm, s.forefoot_width_mm, s.midfoot_width_mm
    x0, x1 = -6.0, L + 0.36 * Wf + 12.0
    nx = int(round((x1 - x0) * px_per_mm))
    ny = int(round((Wf + 28.0) * px_per_mm))
    y0 = -0.5 * ny / px_per_mm  # symmetric about y = 0, so a row flip mirrors exactly
    X = x0 + (np.arange(nx) + 0.5) / px_per_mm
    Y = (y0 + (np.arange(ny) + 0.5) / px_per_mm)[:, None]

    # Heel: an ellipse touching x = 0, centred on the axis.
    ah, bh = 0.19 * L, 0.5 * Wh
    heel = ((X - ah) / ah) ** 2 + (Y / bh) ** 2 <= 1.0
    # Ball of the foot: an ellipse turned so that its medial side reaches further forward
    # (the first metatarsal head lies ahead of the fifth), slightly medial of the axis.
    af, bf = 0.20 * L, 0.5 * Wf
    phi = math.radians(s.forefoot_angle_deg)
    xf, yf = L - af * 1.005, -0.03 * Wf
    dx, dy = X - xf, Y - yf
    ex = dx * math.cos(phi) - dy * math.sin(phi)
    ey = dx * math.sin(phi) + dy * math.cos(phi)
    ball = (ex / af) ** 2 + (ey / bf) ** 2 <= 1.0
    main = heel | ball
    # Midfoot band: lateral border straight from the heel's lateral edge to the ball's; its
    # width grows from the set minimum (midway) to the full heel / ball width at either end.
    if Wm > 0:
        xa, xb = ah, xf
        lat_a, lat_b = bh, yf + bf * 0.98
        tau = np.clip((X - xa) / (xb - xa), 0.0, 1.0)
        y_lat = lat_a + (lat_b - lat_a) * tau + 1.0 * np.sin(math.pi * tau)
        full = Wh + (Wf - Wh) * tau
        # 1 at mid-band, 0 at either end: the set width midway, heel / ball width at the ends
        # (a concave arch border when Wm is narrower than the foot there, convex when wider).
        bump = 1.0 - np.abs(2.0 * tau - 1.0) ** s.arch_exponent
        w = full * (1.0 - bump) + Wm * bump
        band = (X >= xa) & (X <= xb) & (Y <= y_lat) & (Y >= y_lat - w)
        if s.midfoot_gap_mm > 0:
            band &= np.abs(X - 0.5 * (xa + xb)) >= 0.5 * s.midfoot_gap_mm
        main = main | band
    band_only = main & ~(heel | ball)
    # Round the joins between heel, band and ball the way soft tissue does.
    main = blur_large(main.astype(np.float32), 3.0 * px_per_mm) > 0.5
    main = _rough(main, s.edge_roughness_mm * px_per_mm, 3.0 * px_per_mm, rng)
    # Keep only the largest piece of each part (roughness must not create specks).
    main = _keep_large(main, 0.2)

    toes, second_toe = _toe_pads(s, main, px_per_mm, x0, y0, X, Y, rng)
    wetness = None
    if s.midfoot_wetness < 1.0:
        weight = blur_large(band_only.astype(np.float32), 4.0 * px_per_mm)
        wetness = 1.0 - (1.0 - s.midfoot_wetness) * np.clip(weight, 0.0, 1.0)
    if s.side == "left":  # mirror across the axis (y -> -y): the grid is symmetric about 0
        main, toes = main[::-1].copy(), toes[::-1].copy()
        if second_toe is not None:
            second_toe = second_toe[::-1].copy()
        if wetness is not None:
            wetness = wetness[::-1].copy()
    truth = _truth(s, main, second_toe, px_per_mm, x0, y0)
    return SyntheticPrint(s, main, toes, px_per_mm, x0, y0, truth, wetness)


def _toe_pads(
    s: FootprintShape,
    main: np.ndarray,
    px_per_mm: float,
    x0: float,
    y0: float,
    X: np.ndarray,
    Y: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The toe pads in front of the ball (all of them, and the second toe's alone)."""
    ny, nx = main.shape
    Wf = s.forefoot_width_mm
    toes = np.zeros_like(main)
    second_toe = None
    centres = []
    if s.toes:
        cols = np.arange(nx)
        front_of_row = np.where(main.any(axis=1), (main * cols).max(axis=1), 0)
        for k, ((ty, hx, hy), gap) in enumerate(zip(_TOES, _TOE_GAP_MM, strict=True)):
            ty_mm, rx, ry = ty * Wf, hx * Wf, hy * Wf
            row = int(np.clip(round((ty_mm - y0) * px_per_mm), 0, ny - 1))
            rows = slice(max(row - int(ry * px_per_mm), 0), row + int(ry * px_per_mm) + 1)
            front = x0 + (front_of_row[rows].max() + 1) / px_per_mm
            cx = front + gap + rx - 0.35 * k  # the toe line recedes laterally
            pad = ((X - cx) / rx) ** 2 + ((Y - ty_mm) / ry) ** 2 <= 1.0
            pad = _rough(pad, 0.5 * s.edge_roughness_mm * px_per_mm, 1.5 * px_per_mm, rng)
            if k == 1:
                second_toe = pad
            toes |= pad
            centres.append((cx, ty_mm, min(rx, ry)))
    if s.toes_joined and centres:
        # Bridges between neighbouring pads, thinner than the pads: one mark for all toes.
        img = toes.astype(np.uint8)
        for (ax_, ay, ra), (bx, by, rb) in zip(centres, centres[1:], strict=False):
            pa = ((ax_ - x0) * px_per_mm, (ay - y0) * px_per_mm)
            pb = ((bx - x0) * px_per_mm, (by - y0) * px_per_mm)
            thick = max(2, int(round(1.1 * min(ra, rb) * px_per_mm)))
            cv2.line(img, tuple(map(round, pa)), tuple(map(round, pb)), 1, thick)
        toes = img.astype(bool)
    return toes, second_toe


def _keep_large(mask: np.ndarray, frac: float) -> np.ndarray:
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= frac * areas.max()) + 1
    return np.isin(lab, keep)


def _truth(
    s: FootprintShape,
    main: np.ndarray,
    second_toe: np.ndarray | None,
    ppm: float,
    x0: float,
    y0: float,
) -> FootprintTruth:
    """True indices of the clean shape, written independently of the analyser's code.

    Foot axis: centroid of the rear ``HEEL_CENTRE_FRACTION`` of the toe-less print (heel
    centre) to the centroid of the second toe pad (the principal axis if there are no toes),
    iterated to a fixed point. Lengths and thirds along the axis, widths across it.
    """
    iy, ix = np.nonzero(main)
    P = np.column_stack([x0 + (ix + 0.5) / ppm, y0 + (iy + 0.5) / ppm])
    if second_toe is not None:
        ty, tx = np.nonzero(second_toe)
        toe = np.array([x0 + (tx.mean() + 0.5) / ppm, y0 + (ty.mean() + 0.5) / ppm])
    else:
        toe = None
    # Without toes the axis is the principal axis of the toe-less print, heel → front.
    u = np.linalg.eigh(np.cov(P.T))[1][:, 1]
    u = u if u[0] >= 0 else -u
    heel = P.mean(axis=0)
    for _ in range(6):
        t = P @ u
        rear = t <= t.min() + HEEL_CENTRE_FRACTION * (t.max() - t.min())
        heel = P[rear].mean(axis=0)
        if toe is None:
            break
        u = (toe - heel) / np.linalg.norm(toe - heel)
    v = np.array([-u[1], u[0]])
    t = (P - heel) @ u
    tmin, tmax = t.min() - 0.5 / ppm, t.max() + 0.5 / ppm
    L = tmax - tmin
    t1, t2 = tmin + L / 3, tmin + 2 * L / 3
    arch_index = float(np.count_nonzero((t >= t1) & (t < t2)) / t.size)

    # Widths: resample the (anti-aliased) mask on a grid aligned with the axis and find the
    # outermost 0.5 crossings of each cross-section.
    step = 1.0 / ppm
    ts = np.arange(tmin, tmax, step) + 0.5 * step
    ss = np.arange(-0.75 * s.forefoot_width_mm, 0.75 * s.forefoot_width_mm, step)
    TT, SS = np.meshgrid(ts, ss)
    px = heel[0] + TT * u[0] + SS * v[0]
    py = heel[1] + TT * u[1] + SS * v[1]
    mapx = ((px - x0) * ppm - 0.5).astype(np.float32)
    mapy = ((py - y0) * ppm - 0.5).astype(np.float32)
    soft = cv2.remap(main.astype(np.float32), mapx, mapy, cv2.INTER_LINEAR, borderValue=0.0)
    widths = np.zeros(ts.size)
    inside = soft >= 0.5
    has = inside.any(axis=0)
    first = np.argmax(inside, axis=0)
    last = inside.shape[0] - 1 - np.argmax(inside[::-1], axis=0)
    for j in np.flatnonzero(has):
        a, b = first[j], last[j]
        lo = (
            ss[a] - step * (soft[a, j] - 0.5) / max(soft[a, j] - soft[a - 1, j], 1e-9)
            if a
            else ss[a]
        )
        hi = (
            ss[b] + step * (soft[b, j] - 0.5) / max(soft[b, j] - soft[b + 1, j], 1e-9)
            if b + 1 < ss.size
            else ss[b]
        )
        widths[j] = hi - lo
    widths = smooth_profile(widths, max(1, int(round(WIDTH_SMOOTHING_FRACTION * L / step))))
    rear3, mid3, front3 = ts < t1, (ts >= t1) & (ts < t2), ts >= t2
    w_heel, w_mid, w_fore = widths[rear3].max(), widths[mid3].min(), widths[front3].max()
    return FootprintTruth(
        arch_index=arch_index,
        chippaux_smirak_index=float(w_mid / w_fore),
        staheli_index=float(w_mid / w_heel),
        side=s.side,
        foot_length_mm=float(L),
        forefoot_width_mm=float(w_fore),
        midfoot_width_mm=float(w_mid),
        heel_width_mm=float(w_heel),
        heel_centre_mm=(float(heel[0]), float(heel[1])),
        toe_point_mm=(float(heel[0] + u[0] * 200), float(heel[1] + u[1] * 200))
        if toe is None
        else (float(toe[0]), float(toe[1])),
    )
