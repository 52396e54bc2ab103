"""Synthetic wet-foot prints with known geometry, and phone-photo-like renderings of them.

Every footprint test starts here: a parametric print (heel, a midfoot band on the lateral
side whose narrowest width is set, forefoot, toe pads as separate blobs in front) is
rasterised at high resolution, its true indices are computed from that clean binary shape
with the definitions of :mod:`gaitlab.footprint.definitions`, and :func:`render_photo` puts it
on a sheet of paper (or brown cardboard) lying on a floor and photographs it with a pinhole camera:
tilt, roll, uneven light, a soft shadow, paper texture, blur, noise and JPEG.

Conventions
-----------
Foot frame (millimetres)
    ``x`` along the foot from the back of the heel (``x = 0``) towards the toes; ``y``
    across it, positive towards the *lateral* side (little toe) for a right foot. A left
    foot is the mirror image (lateral towards ``-y``). The rasterised masks store row ``i``,
    column ``j`` at ``y = y0_mm + i / px_per_mm``, ``x = x0_mm + j / px_per_mm``.
Paper frame (millimetres)
    Origin at the centre of the sheet, ``X`` right, ``Y`` down as seen from a camera straight
    above with no roll (the sheet is portrait: width along ``X``). A print with
    ``print_angle_deg = 0`` points its toes up the sheet (towards ``-Y``).
Image
    Pixels, ``x`` right, ``y`` down; images are BGR ``uint8`` (the OpenCV order).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from gaitlab.footprint.definitions import (
    HEEL_CENTRE_FRACTION,
    WIDTH_SMOOTHING_FRACTION,
    smooth_profile,
)
from gaitlab.footprint.indices import classify_arch

__all__ = [
    "FootprintShape",
    "FootprintTruth",
    "SyntheticPrint",
    "make_print",
    "render_photo",
    "render_scene",
]

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

PAPER_SIZES_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "cardboard": (330.0, 440.0)}
#: BGR reflectance of the surfaces (0–1).
_SURFACE_BGR = {"paper": (0.93, 0.94, 0.95), "cardboard": (0.38, 0.55, 0.71)}
_FLOOR_BGR = (0.22, 0.27, 0.33)


# ------------------------------------------------------------------------------------------
# the print
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FootprintShape:
    """Parameters of a synthetic print, millimetres.

    ``foot_length_mm`` is the toe-less length (back of the heel to the front of the ball);
    ``midfoot_width_mm`` the narrowest width of the midfoot band, measured across the foot
    axis: about 40 mm gives a neutral arch on an average adult print, under 25 mm a high arch,
    over 60 mm a collapsed one; 0 leaves no midfoot contact at all (heel and ball separate).
    ``arch_exponent`` shapes the medial (arch) border: larger values make the narrow part
    longer. ``edge_roughness_mm`` wobbles the outline like the ragged edge of a wet print.
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
    """A rasterised print: ``main`` (toe-less sole) and ``toes`` masks, foot frame."""

    shape: FootprintShape
    main: np.ndarray = field(repr=False)
    toes: np.ndarray = field(repr=False)
    px_per_mm: float
    x0_mm: float
    y0_mm: float
    truth: FootprintTruth

    @property
    def mask(self) -> np.ndarray:
        return self.main | self.toes


def _blur_large(a: np.ndarray, sigma: float) -> np.ndarray:
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
    noise = _blur_large(rng.standard_normal(u8.shape, dtype=np.float32), corr_px)
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
        main = main | band
    # Round the joins between heel, band and ball the way soft tissue does.
    main = _blur_large(main.astype(np.float32), 3.0 * px_per_mm) > 0.5
    main = _rough(main, s.edge_roughness_mm * px_per_mm, 3.0 * px_per_mm, rng)
    # Keep only the largest piece of each part (roughness must not create specks).
    main = _keep_large(main, 0.2)

    toes = np.zeros_like(main)
    second_toe = None
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
    if s.side == "left":  # mirror across the axis (y -> -y): the grid is symmetric about 0
        main, toes = main[::-1].copy(), toes[::-1].copy()
        if second_toe is not None:
            second_toe = second_toe[::-1].copy()
    truth = _truth(s, main, second_toe, px_per_mm, x0, y0)
    return SyntheticPrint(s, main, toes, px_per_mm, x0, y0, truth)


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


# ------------------------------------------------------------------------------------------
# the photo
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Placement:
    """Where a print lies on the sheet: its centre (heel to toe tips), mm, and turn."""

    print: SyntheticPrint
    centre_mm: tuple[float, float] = (0.0, 0.0)
    angle_deg: float = 0.0


def _rot(axis: np.ndarray, angle: float) -> np.ndarray:
    return cv2.Rodrigues((np.asarray(axis, float) * angle).reshape(3, 1))[0]


def _camera_homography(
    size: tuple[int, int],
    *,
    paper_mm: tuple[float, float],
    rotation_deg: float,
    tilt_deg: float,
    tilt_direction_deg: float,
    scale: float,
    offset: tuple[float, float],
    fill: float,
) -> np.ndarray:
    """Homography paper-frame mm → image px of a pinhole camera looking at the sheet."""
    w, h = size
    f = 0.5 * max(w, h) / math.tan(math.radians(32.5))  # ~65° field of view on the long side
    cx, cy = 0.5 * w + offset[0] * w, 0.5 * h + offset[1] * h
    K = np.array([[f, 0, cx], [0, f, cy], [0, 0, 1.0]])
    # Distance so that the sheet's long side fills ``fill`` of the image's long side.
    dist = f * max(paper_mm) / (fill * max(w, h)) / scale
    b = math.radians(tilt_direction_deg)
    R = _rot([0, 0, 1], math.radians(rotation_deg)) @ _rot(
        [math.cos(b), math.sin(b), 0], math.radians(tilt_deg)
    )
    T = np.array([0.0, 0.0, dist])
    H = K @ np.column_stack([R[:, 0], R[:, 1], T])
    return H / H[2, 2]


def _noise_field(shape: tuple[int, int], scales_px: Sequence[float], rng: np.random.Generator):
    """Sum of Gaussian-smoothed noise at several scales, unit standard deviation."""
    out = np.zeros(shape, np.float32)
    for sc in scales_px:
        # Each scale is drawn at a resolution matched to it, then enlarged.
        f = max(1.0, sc / 2.0)
        small = (max(2, round(shape[0] / f)), max(2, round(shape[1] / f)))
        n = cv2.GaussianBlur(rng.standard_normal(small, dtype=np.float32), (0, 0), sc / f)
        n = cv2.resize(n, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
        out += n / (n.std() + 1e-9)
    return out / (out.std() + 1e-9)


def render_scene(
    placements: Sequence[Placement],
    *,
    surface: str = "paper",
    paper_mm: tuple[float, float] | None = None,
    rotation_deg: float = 0.0,
    tilt_deg: float = 0.0,
    tilt_direction_deg: float = 0.0,
    light_gradient: float = 0.0,
    light_direction_deg: float = 30.0,
    paper_texture: float = 0.0,
    blur_px: float = 0.0,
    noise: float = 0.0,
    shadow: float = 0.0,
    offset: tuple[float, float] = (0.0, 0.0),
    scale: float = 1.0,
    fill: float = 0.82,
    image_size: tuple[int, int] = (1200, 1600),
    print_darkness: float = 0.42,
    jpeg_quality: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Photograph zero or more prints on a sheet; returns ``(image_bgr, H)``.

    ``H`` maps the paper frame (mm) to image pixels. See :func:`render_photo` for the
    parameters; ``placements`` may be empty (a blank sheet) or hold several prints.
    """
    if surface not in _SURFACE_BGR:
        raise ValueError(f"surface: expected one of {sorted(_SURFACE_BGR)}, got {surface!r}")
    rng = np.random.default_rng(seed)
    pw, ph = paper_mm or PAPER_SIZES_MM["a4" if surface == "paper" else "cardboard"]
    w, h = image_size
    H = _camera_homography(
        image_size,
        paper_mm=(pw, ph),
        rotation_deg=rotation_deg,
        tilt_deg=tilt_deg,
        tilt_direction_deg=tilt_direction_deg,
        scale=scale,
        offset=offset,
        fill=fill,
    )
    Xw, Yw, px_per_mm = _paper_coordinates(H, image_size)
    img, on_paper = _sheet_on_floor(Xw, Yw, (pw, ph), px_per_mm, surface, paper_texture, rng)

    wet = np.zeros((h, w), np.float32)
    for pl in placements:
        wet = np.maximum(wet, _print_coverage(pl, Xw, Yw, px_per_mm, rng))
    wet *= on_paper  # a print only shows on the sheet
    tint = np.array([1.0, 1.0, 1.0] if surface == "paper" else [0.9, 1.0, 1.08], np.float32)
    img = img * (1.0 - print_darkness * wet[..., None] * tint[None, None, :])
    illum = _illumination(image_size, light_gradient, light_direction_deg, shadow, rng)
    img = img * illum[..., None]
    if blur_px > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_px)
    if noise > 0:
        img = img + noise * rng.standard_normal(img.shape, dtype=np.float32)
    out = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out, H


def _paper_coordinates(
    H: np.ndarray, image_size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, float]:
    """Paper-frame coordinates (mm) seen at every image pixel, and the pixels per mm."""
    w, h = image_size
    Hinv = np.linalg.inv(H)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    den = Hinv[2, 0] * xs + Hinv[2, 1] * ys + Hinv[2, 2]
    Xw = ((Hinv[0, 0] * xs + Hinv[0, 1] * ys + Hinv[0, 2]) / den).astype(np.float32)
    Yw = ((Hinv[1, 0] * xs + Hinv[1, 1] * ys + Hinv[1, 2]) / den).astype(np.float32)
    px_per_mm = float(np.sqrt(abs(np.linalg.det(H[:2, :2] - np.outer(H[:2, 2], H[2, :2])))))
    return Xw, Yw, px_per_mm


def _sheet_on_floor(
    Xw: np.ndarray,
    Yw: np.ndarray,
    paper_mm: tuple[float, float],
    px_per_mm: float,
    surface: str,
    paper_texture: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Reflectance (BGR, 0–1) of the textured sheet on the textured floor, and the sheet's
    coverage of every pixel (0–1)."""
    pw, ph = paper_mm
    # Surface textures live on the sheet / floor (they move with the perspective).
    tex_ppm = 2.0
    tw, th = int((pw + 400) * tex_ppm), int((ph + 400) * tex_ppm)
    tmapx = (Xw + 0.5 * pw + 200) * tex_ppm
    tmapy = (Yw + 0.5 * ph + 200) * tex_ppm
    paper_tex = _noise_field((th, tw), (0.6, 2.0, 8.0), rng)
    floor_tex = _noise_field((th, tw), (1.0, 6.0), rng)
    floor_tex += 1.5 * np.sin(np.arange(tw, dtype=np.float32) / tex_ppm * 2 * math.pi / 90.0)
    paper_v = cv2.remap(paper_tex, tmapx, tmapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    floor_v = cv2.remap(floor_tex, tmapx, tmapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    # Sheet coverage, anti-aliased over about one pixel.
    d_out = np.maximum(np.abs(Xw) - 0.5 * pw, np.abs(Yw) - 0.5 * ph)
    on_paper = np.clip(0.5 - d_out * px_per_mm, 0.0, 1.0)

    surf = np.array(_SURFACE_BGR[surface], np.float32)
    floor = np.array(_FLOOR_BGR, np.float32)
    refl_paper = surf[None, None, :] * (1.0 + paper_texture * paper_v[..., None])
    refl_floor = floor[None, None, :] * (1.0 + 0.12 * floor_v[..., None])
    img = on_paper[..., None] * refl_paper + (1 - on_paper[..., None]) * refl_floor
    return img, on_paper


def _illumination(
    image_size: tuple[int, int],
    light_gradient: float,
    light_direction_deg: float,
    shadow: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Light over the picture: a gradient plus a little vignetting, and a soft shadow."""
    w, h = image_size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    nx_, ny_ = (xx - 0.5 * w) / max(w, h), (yy - 0.5 * h) / max(w, h)
    a = math.radians(light_direction_deg)
    ramp = nx_ * math.cos(a) + ny_ * math.sin(a)
    illum = 1.0 - light_gradient * (0.5 - ramp / 1.2) - 0.25 * light_gradient * (nx_**2 + ny_**2)
    if shadow > 0:
        sa = rng.uniform(0, 2 * math.pi)
        cxs, cys = 0.5 * w + 0.75 * w * math.cos(sa), 0.5 * h + 0.75 * h * math.sin(sa)
        blob = (((xx - cxs) / (0.75 * w)) ** 2 + ((yy - cys) / (0.6 * h)) ** 2 <= 1.0).astype(
            np.float32
        )
        blob = _blur_large(blob, 0.04 * max(w, h))
        illum = illum * (1.0 - shadow * blob)
    return illum


def _print_to_paper(pl: Placement) -> np.ndarray:
    """3×3 affine: foot-frame mm → paper-frame mm (toes up the sheet when angle is 0)."""
    a = math.radians(pl.angle_deg)
    # The foot's +x (heel → toes) maps to (sin a, -cos a); +y (lateral, right foot) to
    # (cos a, sin a): a right foot seen from above has its little toe on the right.
    R = np.array([[math.sin(a), math.cos(a)], [-math.cos(a), math.sin(a)]])
    cols = np.flatnonzero(pl.print.mask.any(axis=0))
    x_mid = pl.print.x0_mm + 0.5 * (cols[0] + cols[-1] + 1) / pl.print.px_per_mm
    mid = np.array([x_mid, 0.0])  # the middle of the whole print, toes included
    t = np.asarray(pl.centre_mm, float) - R @ mid
    A = np.eye(3)
    A[:2, :2], A[:2, 2] = R, t
    return A


def _print_coverage(
    pl: Placement, Xw: np.ndarray, Yw: np.ndarray, px_per_mm: float, rng: np.random.Generator
) -> np.ndarray:
    """Wetness (0–1) of one print at every image pixel, anti-aliased, slightly mottled."""
    sp = pl.print
    A = np.linalg.inv(_print_to_paper(pl))
    fx = A[0, 0] * Xw + A[0, 1] * Yw + A[0, 2]
    fy = A[1, 0] * Xw + A[1, 1] * Yw + A[1, 2]
    mapx = ((fx - sp.x0_mm) * sp.px_per_mm - 0.5).astype(np.float32)
    mapy = ((fy - sp.y0_mm) * sp.px_per_mm - 0.5).astype(np.float32)
    m = sp.mask.astype(np.float32)
    # Pre-filter to the image's sampling rate (no aliasing), plus a 0.3 mm wet fringe.
    sigma = math.hypot(0.45 * sp.px_per_mm / max(px_per_mm, 1e-6), 0.3 * sp.px_per_mm)
    m = cv2.GaussianBlur(m, (0, 0), sigma)
    cov = cv2.remap(m, mapx, mapy, cv2.INTER_LINEAR, borderValue=0.0)
    # Uneven wetting: the print is darker where the foot pressed harder.
    mott = _noise_field((m.shape[0] // 8 + 1, m.shape[1] // 8 + 1), (2.0, 6.0), rng)
    mott = cv2.resize(mott, (m.shape[1], m.shape[0]), interpolation=cv2.INTER_LINEAR)
    mott_v = cv2.remap(mott, mapx, mapy, cv2.INTER_LINEAR, borderValue=0.0)
    return cov * np.clip(1.0 + 0.12 * mott_v, 0.6, 1.3)


def _sheet_for(fp: SyntheticPrint, surface: str) -> tuple[float, float]:
    if surface == "cardboard":
        return PAPER_SIZES_MM["cardboard"]
    rows = np.flatnonzero(fp.mask.any(axis=1))
    cols = np.flatnonzero(fp.mask.any(axis=0))
    length = (cols[-1] - cols[0] + 1) / fp.px_per_mm + 20.0
    width = (rows[-1] - rows[0] + 1) / fp.px_per_mm + 20.0
    a4 = PAPER_SIZES_MM["a4"]
    return a4 if length <= a4[1] and width <= a4[0] else PAPER_SIZES_MM["a3"]


def render_photo(
    fp: SyntheticPrint,
    *,
    rotation_deg: float = 0.0,
    tilt_deg: float = 0.0,
    tilt_direction_deg: float = 0.0,
    light_gradient: float = 0.0,
    paper_texture: float = 0.0,
    blur_px: float = 0.0,
    noise: float = 0.0,
    shadow: float = 0.0,
    offset: tuple[float, float] = (0.0, 0.0),
    scale: float = 1.0,
    seed: int = 0,
    surface: str = "paper",
    print_offset_mm: tuple[float, float] = (0.0, 0.0),
    print_angle_deg: float = 0.0,
    image_size: tuple[int, int] = (1200, 1600),
    jpeg_quality: int | None = None,
    fill: float = 0.82,
    paper_mm: tuple[float, float] | None = None,
) -> tuple[np.ndarray, FootprintTruth]:
    """Photograph one print on a sheet lying on a floor; returns ``(image_bgr, truth)``.

    Parameters
    ----------
    rotation_deg
        Camera roll: the whole picture turns (clockwise for positive angles, y down).
    tilt_deg, tilt_direction_deg
        Perspective: the camera's view is tilted this much from straight down (the brief
        allows up to 15°), about an axis in the sheet at ``tilt_direction_deg`` from ``X``.
    light_gradient
        Fraction of brightness lost from the lit to the dark side of the picture (0.4: the
        dark side is 40 % dimmer), with some vignetting.
    paper_texture
        Relative amplitude of the sheet's fibre / grain texture (0.05 is a visible grain).
    blur_px, noise
        Gaussian blur sigma in image px; sensor noise sigma as a fraction of full scale.
    shadow
        Depth (0–1) of a soft shadow falling over part of the picture from one side.
    offset, scale
        Shift of the scene in the frame (fractions of the image width / height) and camera
        closeness (2 → the sheet looks twice as large; prints can leave the frame).
    surface, paper_mm
        ``"paper"`` (white) or ``"cardboard"`` (brown); the sheet's size defaults to A4
        paper (A3 when the print with toes and 10 mm around it does not fit) or a
        330 × 440 mm piece of cardboard.
    print_offset_mm, print_angle_deg
        Where the print lies on the sheet (centre of heel-to-toe-tips) and its turn.
    jpeg_quality
        Round-trip through JPEG at this quality (``None``: no compression).

    The truth's ``heel_centre_px`` / ``toe_point_px`` are the foot axis end points in the
    image.
    """
    pl = Placement(fp, print_offset_mm, print_angle_deg)
    if paper_mm is None:
        paper_mm = _sheet_for(fp, surface)
    img, H = render_scene(
        [pl],
        surface=surface,
        paper_mm=paper_mm,
        rotation_deg=rotation_deg,
        tilt_deg=tilt_deg,
        tilt_direction_deg=tilt_direction_deg,
        light_gradient=light_gradient,
        paper_texture=paper_texture,
        blur_px=blur_px,
        noise=noise,
        shadow=shadow,
        offset=offset,
        scale=scale,
        fill=fill,
        image_size=image_size,
        jpeg_quality=jpeg_quality,
        seed=seed,
    )
    M = H @ _print_to_paper(pl)

    def to_px(p: tuple[float, float]) -> tuple[float, float]:
        q = M @ np.array([p[0], p[1], 1.0])
        return (float(q[0] / q[2]), float(q[1] / q[2]))

    pw, ph = paper_mm
    corners = [H @ np.array([sx * pw / 2, sy * ph / 2, 1.0]) for sx in (-1, 1) for sy in (-1, 1)]
    w, h = image_size
    in_frame = all(0 <= c[0] / c[2] < w and 0 <= c[1] / c[2] < h for c in corners)
    tr = fp.truth
    truth = FootprintTruth(
        **{
            **tr.__dict__,
            "heel_centre_px": to_px(tr.heel_centre_mm),
            "toe_point_px": to_px(tr.toe_point_mm),
            "sheet_in_frame": in_frame,
        }
    )
    return img, truth
