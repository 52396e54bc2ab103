"""Phone-photo-like renderings of synthetic prints on a sheet lying on a floor
(conventions: :mod:`gaitlab.testing.footprints`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from gaitlab.testing.footprints.shape import FootprintTruth, SyntheticPrint, blur_large

PAPER_SIZES_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "cardboard": (330.0, 440.0)}
#: BGR reflectance of the surfaces (0–1).
_SURFACE_BGR = {"paper": (0.93, 0.94, 0.95), "cardboard": (0.38, 0.55, 0.71)}
_FLOOR_BGR = (0.22, 0.27, 0.33)


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
    print_darkness: float | None = None,
    jpeg_quality: int | None = None,
    print_texture: str = "solid",
    grid_mm: float = 3.0,
    sheet_marks: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Photograph zero or more prints on a sheet; returns ``(image_bgr, H)``.

    ``H`` maps the paper frame (mm) to image pixels. See :func:`render_photo` for the
    parameters; ``placements`` may be empty (a blank sheet) or hold several prints.
    ``print_texture="grid"`` prints like an ink mat (pedograph): blue-black ink in a
    cross-hatched grid of period ``grid_mm`` whose lines thicken where the foot pressed
    harder. ``sheet_marks`` prints a podiatry form on the sheet: a frame, a dashed centre
    line, "LEFT" / "RIGHT" labels, a ruler and a round logo.
    """
    if print_texture not in ("solid", "grid"):
        raise ValueError(f"print_texture: expected 'solid' or 'grid', got {print_texture!r}")
    if print_darkness is None:
        print_darkness = 0.42 if print_texture == "solid" else 0.8
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

    if sheet_marks:
        marks = _sheet_marks(Xw, Yw, (pw, ph), px_per_mm) * on_paper
        img = img * (1.0 - 0.72 * marks[..., None])
    wet = np.zeros((h, w), np.float32)
    for pl in placements:
        wet = np.maximum(wet, _print_coverage(pl, Xw, Yw, px_per_mm, rng))
    wet *= on_paper  # a print only shows on the sheet
    if print_texture == "grid":
        wet = wet * _ink_grid(Xw, Yw, px_per_mm, grid_mm, rng)
        tint = np.array([0.8, 0.95, 1.0], np.float32)  # blue-black ink
    else:
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


def _ink_grid(
    Xw: np.ndarray, Yw: np.ndarray, px_per_mm: float, grid_mm: float, rng: np.random.Generator
) -> np.ndarray:
    """An ink mat's cross-hatched print (0–1): two families of lines at ±45° on the sheet,
    thicker where the foot pressed harder (a smooth random pressure field)."""
    pressure = _noise_field((Xw.shape[0] // 8 + 1, Xw.shape[1] // 8 + 1), (3.0, 8.0), rng)
    pressure = cv2.resize(pressure, (Xw.shape[1], Xw.shape[0]), interpolation=cv2.INTER_LINEAR)
    half = 0.5 * grid_mm * np.clip(0.42 + 0.12 * pressure, 0.22, 0.62)
    out = np.zeros(Xw.shape, np.float32)
    for d in ((Xw + Yw) / math.sqrt(2.0), (Xw - Yw) / math.sqrt(2.0)):
        dist = np.abs(d - grid_mm * np.round(d / grid_mm))
        out = np.maximum(out, np.clip((half - dist) * px_per_mm + 0.5, 0.0, 1.0))
    return out


def _sheet_marks(
    Xw: np.ndarray, Yw: np.ndarray, paper_mm: tuple[float, float], px_per_mm: float
) -> np.ndarray:
    """What a printed podiatry form carries (0–1 ink): a frame 8 mm inside the edge, a dashed
    centre line, LEFT / RIGHT labels, a millimetre ruler and a round logo."""
    pw, ph = paper_mm
    ppm = 4.0
    form = np.zeros((int(ph * ppm), int(pw * ppm)), np.uint8)

    def p(x: float, y: float) -> tuple[int, int]:
        return int(round((x + 0.5 * pw) * ppm)), int(round((y + 0.5 * ph) * ppm))

    cv2.rectangle(form, p(-0.5 * pw + 8, -0.5 * ph + 8), p(0.5 * pw - 8, 0.5 * ph - 8), 255, 2)
    for y in np.arange(-0.5 * ph + 30, 0.5 * ph - 30, 10.0):
        cv2.line(form, p(0, y), p(0, y + 5), 255, 2)
    font = cv2.FONT_HERSHEY_SIMPLEX
    for text, x in (("LEFT", -0.5 * pw + 14), ("RIGHT", 0.5 * pw - 50)):
        cv2.putText(form, text, p(x, -0.5 * ph + 22), font, 1.4, 255, 3, cv2.LINE_AA)
    for k, x in enumerate(np.arange(-50.0, 50.5, 2.0)):
        cv2.line(form, p(x, 0.5 * ph - 14), p(x, 0.5 * ph - (20 if k % 5 == 0 else 17)), 255, 1)
    cv2.line(form, p(-50, 0.5 * ph - 14), p(50, 0.5 * ph - 14), 255, 1)
    cv2.circle(form, p(0, -0.5 * ph + 22), int(9 * ppm), 255, cv2.FILLED)
    cv2.putText(form, "G", p(-4.5, -0.5 * ph + 27), font, 1.6, 0, 4, cv2.LINE_AA)
    soft = cv2.GaussianBlur(
        form.astype(np.float32) / 255.0, (0, 0), max(0.5, 0.45 * ppm / px_per_mm)
    )
    mapx = ((Xw + 0.5 * pw) * ppm - 0.5).astype(np.float32)
    mapy = ((Yw + 0.5 * ph) * ppm - 0.5).astype(np.float32)
    return cv2.remap(soft, mapx, mapy, cv2.INTER_LINEAR, borderValue=0.0)


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
        blob = blur_large(blob, 0.04 * max(w, h))
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
    if sp.wetness is not None:
        m = m * sp.wetness
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
    **scene,
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
    scene
        Passed on to :func:`render_scene` (``print_texture``, ``grid_mm``, ``sheet_marks``,
        ``print_darkness``, ``light_direction_deg``).

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
        **scene,
    )
    return img, _placed_truth(pl, H, paper_mm, image_size)


def render_sheet(
    placements: Sequence[Placement],
    *,
    paper_mm: tuple[float, float] = PAPER_SIZES_MM["a3"],
    image_size: tuple[int, int] = (1500, 2000),
    **scene,
) -> tuple[np.ndarray, list[FootprintTruth]]:
    """Photograph several prints on one sheet (both feet side by side, say); returns
    ``(image_bgr, truths)`` with one truth per placement, in order. ``scene``: the
    parameters of :func:`render_scene`."""
    img, H = render_scene(placements, paper_mm=paper_mm, image_size=image_size, **scene)
    return img, [_placed_truth(pl, H, paper_mm, image_size) for pl in placements]


def both_feet(
    left: SyntheticPrint,
    right: SyntheticPrint,
    *,
    apart_mm: float = 150.0,
    angles_deg: tuple[float, float] = (-4.0, 4.0),
    forward_mm: tuple[float, float] = (0.0, 0.0),
) -> list[Placement]:
    """Left and right print side by side as a person stands on a sheet: centres
    ``apart_mm`` apart, each toed out by its angle (left turned anticlockwise when
    negative), one ahead of the other by ``forward_mm`` (mm towards the top of the sheet)."""
    if left.shape.side != "left" or right.shape.side != "right":
        raise ValueError("both_feet: expected a left print and a right print")
    return [
        Placement(left, (-0.5 * apart_mm, -forward_mm[0]), angles_deg[0]),
        Placement(right, (0.5 * apart_mm, -forward_mm[1]), angles_deg[1]),
    ]


def _placed_truth(
    pl: Placement, H: np.ndarray, paper_mm: tuple[float, float], image_size: tuple[int, int]
) -> FootprintTruth:
    """A print's truth with its axis end points in the image and whether the sheet is in it."""
    M = H @ _print_to_paper(pl)

    def to_px(p: tuple[float, float]) -> tuple[float, float]:
        q = M @ np.array([p[0], p[1], 1.0])
        return (float(q[0] / q[2]), float(q[1] / q[2]))

    pw, ph = paper_mm
    corners = [H @ np.array([sx * pw / 2, sy * ph / 2, 1.0]) for sx in (-1, 1) for sy in (-1, 1)]
    w, h = image_size
    in_frame = all(0 <= c[0] / c[2] < w and 0 <= c[1] / c[2] < h for c in corners)
    tr = pl.print.truth
    return FootprintTruth(
        **{
            **tr.__dict__,
            "heel_centre_px": to_px(tr.heel_centre_mm),
            "toe_point_px": to_px(tr.toe_point_mm),
            "sheet_in_frame": in_frame,
        }
    )
