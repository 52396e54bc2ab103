"""The photo and the sheet: loading, finding the sheet, and the measurement frame (the
rectified sheet when its four edges are visible)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from gaitlab.footprint.result import RETAKE, FootprintError

#: Pixels decoded at most (16 MP, 48 MB as BGR): a larger photo is decoded reduced (JPEG:
#: 2, 4 or 8× smaller straight from the compressed data) or shrunk right after decoding.
#: The print then still spans well over the 300 px the indices need, and the analysis's
#: working copies stay within a few hundred MB.
MAX_DECODED_PIXELS = 16_000_000
#: Photos larger than this (from the file's header) are refused before decoding. JPEG is
#: decoded reduced, so it may be larger (a 200 MP phone photo); other formats are decoded
#: whole first (64 MP of 16-bit RGBA is 512 MB).
MAX_JPEG_PIXELS = 250_000_000
MAX_OTHER_PIXELS = 64_000_000


def load_image(image: np.ndarray | str | Path) -> np.ndarray:
    """BGR uint8 from an array or an image file (EXIF orientation applied by OpenCV; a file
    over :data:`MAX_DECODED_PIXELS` decoded reduced, see :func:`read_photo`)."""
    if isinstance(image, str | Path):
        return read_photo(Path(image))
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise FootprintError(f"image: expected a uint8 array, got {arr.dtype}")
    if arr.ndim == 2:
        arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR)
    elif arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise FootprintError(f"image: expected shape (H, W, 3), got {arr.shape}")
    elif arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2BGR)
    if min(arr.shape[:2]) < 64:
        raise FootprintError(f"image is only {arr.shape[1]}×{arr.shape[0]} px: {RETAKE}")
    if arr.shape[0] * arr.shape[1] > MAX_DECODED_PIXELS:
        f = math.sqrt(MAX_DECODED_PIXELS / (arr.shape[0] * arr.shape[1]))
        size = (max(64, int(arr.shape[1] * f)), max(64, int(arr.shape[0] * f)))
        arr = cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(arr)


def photo_header(path: Path) -> tuple[int, int, str]:
    """``(width, height, format)`` from the file's header, without decoding the pixels."""
    from PIL import Image  # Pillow reads headers lazily

    try:
        with Image.open(path) as im:
            return int(im.width), int(im.height), str(im.format or "")
    except Image.DecompressionBombError:
        raise FootprintError(
            f"{path.name} claims an absurd size (over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} MP): "
            "not a photo this can read; take the photo again with the phone's camera app"
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise FootprintError(
            f"cannot read {path}: not an image file (JPEG or PNG; an iPhone HEIC photo must "
            "be exported as JPEG first)"
        ) from None


def read_photo(path: Path) -> np.ndarray:
    """Decode a photo file with bounded memory: its size is checked from the header, and a
    photo over :data:`MAX_DECODED_PIXELS` is decoded reduced (EXIF orientation applied)."""
    if not path.is_file():
        raise FootprintError(f"cannot open {path}: no such file")
    w, h, fmt = photo_header(path)
    pixels = w * h
    jpeg = fmt in ("JPEG", "MPO")
    limit = MAX_JPEG_PIXELS if jpeg else MAX_OTHER_PIXELS
    if pixels > limit:
        raise FootprintError(
            f"{path.name} is {w}×{h} px ({pixels / 1e6:.0f} MP), more than the "
            f"{limit / 1e6:.0f} MP a {fmt or 'photo'} may have here: take the photo with "
            "the phone's camera at its normal size (12–50 MP)"
        )
    flag = cv2.IMREAD_COLOR
    if jpeg and pixels > MAX_DECODED_PIXELS:
        reduced = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4}
        f = next((k for k in (2, 4) if pixels / k**2 <= MAX_DECODED_PIXELS), 8)
        flag = reduced.get(f, cv2.IMREAD_REDUCED_COLOR_8)
    img = cv2.imread(str(path), flag)
    if img is None:
        raise FootprintError(f"cannot read {path}: not an image OpenCV can decode")
    return load_image(img)


def _order_quad(q: np.ndarray) -> np.ndarray:
    """Corners clockwise (in y-down pixels) starting nearest the image's top-left."""
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]
    start = int(np.argmin(q.sum(axis=1)))
    return np.roll(q, -start, axis=0)


def _find_sheet(img: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """The sheet: its four corners (photo px, or None when its edges are not all visible)
    and its region (uint8 mask, photo size; the whole photo when no sheet stands out)."""
    h, w = img.shape[:2]
    f = 800.0 / max(h, w)
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    gray = cv2.GaussianBlur(gray, (0, 0), 2.0)
    # Even out broad light falloff so that a dim corner of the sheet stays "bright".
    broad = cv2.GaussianBlur(gray, (0, 0), 0.25 * max(gray.shape))
    norm = gray / (broad + 1e-3)
    norm8 = cv2.normalize(norm, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    _, bright = cv2.threshold(norm8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    full = np.full((h, w), 255, np.uint8)
    if not contours:
        return None, full
    cnt = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(cnt)
    if area < 0.08 * small.shape[0] * small.shape[1]:
        return None, full
    # The sheet is convex: its hull also covers a print that cuts into its bright outline
    # where the print meets the edge of the photo.
    hull = cv2.convexHull(cnt)
    region = np.zeros(small.shape[:2], np.uint8)
    cv2.drawContours(region, [hull], -1, 255, cv2.FILLED)
    region_full = cv2.resize(region, (w, h), interpolation=cv2.INTER_NEAREST)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(quad) != 4 or not cv2.isContourConvex(quad.reshape(-1, 1, 2)):
        return None, region_full
    # A "side" lying on the photo's border means the sheet runs out of the frame.
    sw, sh = small.shape[1] - 1, small.shape[0] - 1
    q = quad.astype(float)
    for a, b in zip(q, np.roll(q, -1, axis=0), strict=True):
        for k, lim in ((0, 0), (0, sw), (1, 0), (1, sh)):
            if abs(a[k] - lim) < 4 and abs(b[k] - lim) < 4:
                return None, region_full
    corners = _refine_quad(img, _order_quad(q / f))
    return corners, region_full


def _refine_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Sub-pixel sheet corners: fit a line to the strongest edge along each rough side."""
    gray = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.2)
    reach = max(4.0, 0.012 * math.hypot(*img.shape[:2]))
    ks = np.arange(-reach, reach + 0.5, 0.5)
    lines = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        d = (b - a) / np.linalg.norm(b - a)
        n = np.array([-d[1], d[0]])
        fr = np.linspace(0.08, 0.92, 60)
        base = a[None, :] + fr[:, None] * (b - a)[None, :]
        pts = base[:, None, :] + ks[None, :, None] * n[None, None, :]
        prof = cv2.remap(
            gray,
            pts[..., 0].astype(np.float32),
            pts[..., 1].astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        grad = np.abs(np.gradient(prof, axis=1))
        j = np.argmax(grad, axis=1)
        jj = np.clip(j, 1, ks.size - 2)
        g0, g1, g2 = (grad[np.arange(fr.size), jj + o] for o in (-1, 0, 1))
        off = 0.5 * (g0 - g2) / np.where(np.abs(g0 - 2 * g1 + g2) > 1e-9, g0 - 2 * g1 + g2, 1e-9)
        edge = base + ((ks[jj] + 0.5 * np.clip(off, -1, 1))[:, None]) * n[None, :]
        good = grad[np.arange(fr.size), jj] > 0.3 * np.median(grad[np.arange(fr.size), jj])
        edge = edge[good]
        if len(edge) < 6:
            return quad
        line = cv2.fitLine(edge.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append(line)
    out = []
    for k in range(4):
        (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = lines[k - 1], lines[k]
        A = np.array([[vx1, -vx2], [vy1, -vy2]])
        if abs(np.linalg.det(A)) < 1e-6:
            return quad
        s, _ = np.linalg.solve(A, np.array([x2 - x1, y2 - y1]))
        out.append([x1 + s * vx1, y1 + s * vy1])
    refined = np.array(out)
    if np.max(np.linalg.norm(refined - quad, axis=1)) > 2 * reach:
        return quad
    return refined


def _sheet_aspect(quad: np.ndarray, size: tuple[int, int]) -> float:
    """Width / height of the real sheet from its four imaged corners.

    Zhang & He (2007, "Whiteboard scanning and image enhancement") recover the focal length
    and the rectangle's aspect from the perspective, with the principal point at the image
    centre. When the view is nearly straight-on that is ill-conditioned and the mean ratio of
    opposite sides is used instead (then the perspective is weak and so is its effect).
    """
    tl, tr, br, bl = quad
    side_ratio = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / (
        np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)
    )
    m1, m2, m3, m4 = (np.array([p[0], p[1], 1.0]) for p in (tl, tr, bl, br))
    k2 = np.dot(np.cross(m1, m4), m3) / np.dot(np.cross(m2, m4), m3)
    k3 = np.dot(np.cross(m1, m4), m2) / np.dot(np.cross(m3, m4), m2)
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    u0, v0 = 0.5 * size[0], 0.5 * size[1]
    den = n2[2] * n3[2]
    if abs(den) < 1e-12:
        return float(side_ratio)
    f2 = (
        -(
            (n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0**2)
            + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0**2)
        )
        / den
    )
    longest = max(size)
    if not (0.3 * longest) ** 2 < f2 < (6.0 * longest) ** 2:
        return float(side_ratio)
    Ainv = np.array(
        [
            [1 / math.sqrt(f2), 0, -u0 / math.sqrt(f2)],
            [0, 1 / math.sqrt(f2), -v0 / math.sqrt(f2)],
            [0, 0, 1],
        ]
    )
    a2, a3 = Ainv @ n2, Ainv @ n3
    ratio = math.sqrt(float(a2 @ a2) / float(a3 @ a3))
    if not 0.5 * side_ratio < ratio < 2.0 * side_ratio:
        return float(side_ratio)
    return ratio


@dataclass(frozen=True)
class Frame:
    """The measurement frame: the rectified sheet, or the (scaled) photo."""

    bgr: np.ndarray
    valid: np.ndarray  # bool: pixels where a print may be
    to_frame: np.ndarray  # 3×3, photo px → frame px
    rectified: bool

    def to_photo(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, float).reshape(-1, 2)
        Hinv = np.linalg.inv(self.to_frame)
        q = np.column_stack([pts, np.ones(len(pts))]) @ Hinv.T
        return q[:, :2] / q[:, 2:3]


def make_frame(img: np.ndarray, warnings: list[str]) -> Frame:
    h, w = img.shape[:2]
    quad, region = _find_sheet(img)
    if quad is not None:
        aspect = _sheet_aspect(quad, (w, h))
        tl, tr, br, bl = quad
        long_px = max(
            np.linalg.norm(tr - tl),
            np.linalg.norm(br - bl),
            np.linalg.norm(bl - tl),
            np.linalg.norm(br - tr),
        )
        long_px = float(np.clip(long_px, 800, 2400))
        if aspect >= 1:
            fw, fh = long_px, long_px / aspect
        else:
            fw, fh = long_px * aspect, long_px
        fw, fh = int(round(fw)), int(round(fh))
        dst = np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32) - 0.5
        H = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
        bgr = cv2.warpPerspective(
            img, H, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        valid = np.zeros((fh, fw), bool)
        m = max(3, int(0.008 * min(fw, fh)))
        valid[m:-m, m:-m] = True
        return Frame(bgr, valid, H, True)
    warnings.append(
        "the sheet's four edges are not all visible, so camera tilt is not corrected: "
        "photograph from straight above with the whole sheet in view"
    )
    f = min(1.0, 2000.0 / max(h, w))
    S = np.diag([f, f, 1.0])
    bgr = (
        img
        if f == 1.0
        else cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    )
    valid = cv2.resize(region, (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    valid = cv2.erode(valid.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    valid[:1, :] = valid[-1:, :] = False
    valid[:, :1] = valid[:, -1:] = False
    return Frame(bgr, valid, S, False)
