"""Variants of a real clip as phones and people make them, for robustness tests.

Each variant is a function ``variant(src, dst, **params) -> dst`` that reads a video file and
writes another one with PyAV (FFmpeg's libraries, as the rest of gaitlab): the same scene
filmed with a zoom mid-clip, a slow pan, a shaking hand, another frame rate, mirrored, at
360p, cropped to portrait, in 10-bit HEVC, with rotation metadata, or upside down. Every
variant is deterministic (random motion is seeded), so a file made twice holds the same
pictures.

The camera motions (zoom, pan, shake) are a moving crop window: the output keeps the source
size and shows the part of the source the window covers, resampled. A real zoom or pan shows
scene the source never recorded; a window that starts or ends inside the source frame is the
closest a recorded clip allows (a zoom "out" starts zoomed in). Portrait crop follows the
person when given where they are (``centre_x`` keyframes), as someone filming in portrait
would. Every variant also takes ``max_side``: the source's longer side is capped at that
many pixels before anything else (pose estimation works at ≤ 960 px, so a test can make its
variants at that size and spend less time encoding).

:data:`STANDARD` names the usual set with their parameters; :func:`make_variant` writes one
into a cache folder keyed by the source's content and the parameters, and returns the path.

Command line (every standard variant, or those named)::

    python -m gaitlab.testing.variants CLIP [--out FOLDER] [--only zoom_in,fps15,...]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from gaitlab.io.video import Frame, VideoReader, probe

#: Bumped whenever a variant's pictures change for the same parameters (invalidates caches).
VARIANTS_VERSION = 1

#: Encoder settings: near-transparent H.264 so that the variant, not the coding, is tested.
_H264 = {"preset": "veryfast", "crf": "17"}
_HEVC = {"preset": "ultrafast", "crf": "20", "x265-params": "log-level=error"}

#: Time base of written timestamps (the MPEG 90 kHz clock keeps any source timing exactly).
_TIME_BASE = Fraction(1, 90000)

Transform = Callable[[np.ndarray, float], np.ndarray]


# --------------------------------------------------------------------------------------
# writing


def _even(n: float) -> int:
    """The nearest even integer ≥ 2 (4:2:0 chroma needs even sizes)."""
    return max(2, int(round(n / 2.0)) * 2)


def _write(
    frames: Iterator[tuple[float, np.ndarray]],
    dst: Path,
    *,
    nominal_fps: float,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    options: dict[str, str] | None = None,
    rotation_ccw: float | None = None,
) -> Path:
    """Encode ``(t_s, rgb image)`` pairs to ``dst`` (mp4), keeping each frame's time."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part.mp4")
    rate = Fraction(nominal_fps).limit_denominator(1001)
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream(codec, rate=rate, options=options or dict(_H264))
        stream.codec_context.time_base = _TIME_BASE
        if rotation_ccw is not None:
            stream.set_display_rotation(rotation_ccw)
        opened = False
        last_pts = -1
        for t_s, image in frames:
            if not opened:
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = pix_fmt
                opened = True
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            frame.pts = max(last_pts + 1, round(t_s / _TIME_BASE))
            frame.time_base = _TIME_BASE
            last_pts = frame.pts
            container.mux(stream.encode(frame))
        if not opened:
            raise ValueError(f"{dst.name}: the source gave no frames")
        container.mux(stream.encode(None))
    tmp.replace(dst)
    return dst


def _frames(src: Path, max_side: int | None = None) -> Iterator[Frame]:
    with VideoReader(src, max_side=max_side) as reader:
        yield from reader


def _map(
    src: Path, dst: Path, transform: Transform, max_side: int | None = None, **write: Any
) -> Path:
    """Write every frame of ``src`` (its longer side capped at ``max_side``) through
    ``transform(image, t_s)`` with its own time."""
    fps = probe(src).fps or 30.0
    pairs = ((f.t_s, transform(f.image, f.t_s)) for f in _frames(src, max_side))
    return _write(pairs, dst, nominal_fps=fps, **write)


def _duration_s(src: Path) -> float:
    """Time of the last frame (decodes the file once: container durations can lie)."""
    last = 0.0
    for f in _frames(src, max_side=64):
        last = f.t_s
    return last


# --------------------------------------------------------------------------------------
# camera motion: a crop window (centre in source pixels, zoom factor) per frame


def _smoothstep(u: np.ndarray | float) -> np.ndarray | float:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _window(image: np.ndarray, centre_xy: tuple[float, float], zoom: float, roll_deg: float = 0.0):
    """The picture a camera sees when it shows ``image`` around ``centre_xy`` magnified
    ``zoom`` times (output size = input size). Edges beyond the source are reflected; the
    callers keep the window inside the source so that only a rolled corner ever needs it."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((float(centre_xy[0]), float(centre_xy[1])), roll_deg, zoom)
    m[0, 2] += w / 2.0 - centre_xy[0]
    m[1, 2] += h / 2.0 - centre_xy[1]
    return cv2.warpAffine(
        image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
    )


def _anchored_centre(w: int, h: int, zoom: float, anchor: tuple[float, float]):
    """Window centre for a zoom about ``anchor`` (fractions of the frame): the anchor point
    stays where it is in the picture, as when the phone zooms with the feet kept in view."""
    ax, ay = anchor[0] * w, anchor[1] * h
    return ax + (w / 2.0 - ax) / zoom, ay + (h / 2.0 - ay) / zoom


def zoom(
    src: Path,
    dst: Path,
    *,
    start: float = 1.0,
    end: float = 1.3,
    at_frac: float = 0.4,
    ramp_s: float = 0.5,
    anchor: tuple[float, float] = (0.5, 0.9),
    follow_x: Sequence[tuple[float, float]] | None = None,
    max_side: int | None = None,
) -> Path:
    """Zoom from ``start``× to ``end``× mid-clip, smoothly over ``ramp_s`` seconds.

    The ramp is centred at ``at_frac`` of the clip's duration. ``anchor`` (fractions of width
    and height) is the point that stays put: low in the frame by default, where the feet are,
    because people filming keep the feet in view. ``follow_x``, ``(t_s, x fraction)``
    keyframes of where the person is, moves the anchor with them, as someone zooming on a
    walking person keeps them in the picture (the window never leaves the source while the
    anchor is inside it). ``start=1.3, end=1.0`` is a zoom out.
    """
    if min(start, end) < 1.0:
        raise ValueError("zoom factors must be ≥ 1 (a recorded clip has no scene beyond its edges)")
    t_mid = at_frac * _duration_s(src)
    keys = sorted(follow_x) if follow_x else [(0.0, anchor[0])]
    kt = np.asarray([k[0] for k in keys], dtype=float)
    kx = np.clip(np.asarray([k[1] for k in keys], dtype=float), 0.0, 1.0)

    def transform(image: np.ndarray, t_s: float) -> np.ndarray:
        u = _smoothstep((t_s - (t_mid - ramp_s / 2.0)) / ramp_s)
        z = start + (end - start) * float(u)
        h, w = image.shape[:2]
        at = (float(np.interp(t_s, kt, kx)), anchor[1])
        return _window(image, _anchored_centre(w, h, z, at), z)

    return _map(src, dst, transform, max_side)


def pan(
    src: Path,
    dst: Path,
    *,
    shift: float = 0.12,
    from_frac: float = 0.2,
    to_frac: float = 0.8,
    max_side: int | None = None,
) -> Path:
    """A slow horizontal pan by ``shift`` of the frame width between ``from_frac`` and
    ``to_frac`` of the clip (eased at both ends). The window is ``1 - shift`` of the frame
    wide (a constant zoom of ``1 / (1 - shift)``) so that it stays inside the source."""
    if not 0.0 < shift < 0.5:
        raise ValueError("shift must be in (0, 0.5) of the frame width")
    duration = _duration_s(src)
    z = 1.0 / (1.0 - shift)

    def transform(image: np.ndarray, t_s: float) -> np.ndarray:
        h, w = image.shape[:2]
        span = max(1e-6, (to_frac - from_frac) * duration)
        u = float(_smoothstep((t_s - from_frac * duration) / span))
        cx = w / 2.0 + (u - 0.5) * shift * w
        return _window(image, (cx, h / 2.0), z)

    return _map(src, dst, transform, max_side)


def shake_path(t_s: np.ndarray, *, seed: int, band_hz: tuple[float, float] = (0.3, 2.0)):
    """Low-frequency random motion in [-1, 1] per axis: ``(len(t_s), 3)`` for x, y and roll.

    A sum of eight sinusoids per axis with seeded frequencies in ``band_hz`` and phases,
    scaled so the largest excursion over ``t_s`` is exactly 1 (hand tremor while filming is
    mostly below 2 Hz; faster shake blurs rather than moves the picture).
    """
    rng = np.random.default_rng(seed)
    t = np.asarray(t_s, dtype=float)[:, None]
    out = np.empty((t.shape[0], 3))
    for axis in range(3):
        f = rng.uniform(band_hz[0], band_hz[1], 8)
        phase = rng.uniform(0.0, 2.0 * math.pi, 8)
        weight = rng.uniform(0.5, 1.0, 8)
        s = (weight * np.sin(2.0 * math.pi * f * t + phase)).sum(axis=1)
        out[:, axis] = s / max(1e-9, float(np.abs(s).max()))
    return out


def shake(
    src: Path,
    dst: Path,
    *,
    amplitude: float = 0.02,
    roll_deg: float = 0.5,
    seed: int = 0,
    max_side: int | None = None,
) -> Path:
    """Hand shake: the picture wanders by up to ``amplitude`` of the frame size in x and y
    and rolls by up to ``roll_deg``, as a low-frequency random path (:func:`shake_path`).
    A constant zoom of ``1 / (1 - 2·amplitude)`` keeps the wandering window inside the source.
    """
    if not 0.0 < amplitude < 0.2:
        raise ValueError("amplitude must be in (0, 0.2) of the frame size")
    times = np.asarray([f.t_s for f in _frames(src, max_side=64)])
    path = shake_path(times, seed=seed)
    z = 1.0 / (1.0 - 2.0 * amplitude)

    def transform(image: np.ndarray, t_s: float) -> np.ndarray:
        k = int(np.argmin(np.abs(times - t_s)))
        h, w = image.shape[:2]
        centre = (w / 2.0 + amplitude * w * path[k, 0], h / 2.0 + amplitude * h * path[k, 1])
        return _window(image, centre, z, roll_deg * path[k, 2])

    return _map(src, dst, transform, max_side)


# --------------------------------------------------------------------------------------
# time, size, orientation, coding


def _resampled(src: Path, fps: float, max_side: int | None) -> Iterator[tuple[float, np.ndarray]]:
    """Frames at ``k / fps``: each the source frame nearest in time (a camera at that rate
    samples the same motion; from a slower source, frames repeat)."""
    k = 0
    prev: Frame | None = None
    for frame in _frames(src, max_side):
        while k / fps <= frame.t_s:
            t = k / fps
            pick = frame if prev is None or frame.t_s - t <= t - prev.t_s else prev
            yield t, pick.image
            k += 1
        prev = frame
    # The last source frame covers the instants up to half a source frame after it.


def frame_rate(src: Path, dst: Path, *, fps: float, max_side: int | None = None) -> Path:
    """The clip as a camera filming at ``fps`` frames per second would have recorded it."""
    if not 1.0 <= fps <= 240.0:
        raise ValueError("fps must be within 1–240")
    return _write(_resampled(src, fps, max_side), dst, nominal_fps=fps)


def mirror(src: Path, dst: Path, *, max_side: int | None = None) -> Path:
    """Left and right swapped (a front camera's selfie view): the person's left leg shows as
    a right leg, so answers that name a side swap."""
    return _map(src, dst, lambda image, _t: image[:, ::-1], max_side)


def downscale(src: Path, dst: Path, *, short_side: int = 360, max_side: int | None = None) -> Path:
    """The clip with its shorter side ``short_side`` pixels (360p), aspect kept."""
    info = probe(src)
    scale = short_side / min(info.width, info.height)
    size = (_even(info.width * scale), _even(info.height * scale))
    return _map(
        src, dst, lambda image, _t: cv2.resize(image, size, interpolation=cv2.INTER_AREA), max_side
    )


def portrait_crop(
    src: Path,
    dst: Path,
    *,
    centre_x: Sequence[tuple[float, float]] = ((0.0, 0.5),),
    aspect: float = 9.0 / 16.0,
    max_side: int | None = None,
) -> Path:
    """A portrait (width:height = ``aspect``) crop of a landscape clip, full height.

    ``centre_x`` is ``(t_s, x as a fraction of the width)`` keyframes of where the crop is
    centred, interpolated linearly (give the person's track to follow them, as someone
    filming in portrait would); the crop is kept inside the frame.
    """
    info = probe(src)
    if info.height * aspect >= info.width:
        raise ValueError(f"{src.name} is not wider than {aspect:.3f}:1; nothing to crop")
    keys = sorted(centre_x)
    kt = np.asarray([k[0] for k in keys], dtype=float)
    kx = np.asarray([k[1] for k in keys], dtype=float)

    def transform(image: np.ndarray, t_s: float) -> np.ndarray:
        h, w = image.shape[:2]
        out_w = _even(h * aspect)
        cx = float(np.interp(t_s, kt, kx)) * w
        x0 = int(round(min(max(cx - out_w / 2.0, 0.0), w - out_w)))
        return image[:, x0 : x0 + out_w]

    return _map(src, dst, transform, max_side)


def hevc_10bit(src: Path, dst: Path, *, max_side: int | None = None) -> Path:
    """The clip in 10-bit HEVC (libx265, yuv420p10le), as recent phones record HDR video."""
    return _map(
        src,
        dst,
        lambda image, _t: image,
        max_side,
        codec="libx265",
        pix_fmt="yuv420p10le",
        options=_HEVC,
    )


def rotation_metadata(
    src: Path, dst: Path, *, clockwise_deg: int = 90, max_side: int | None = None
) -> Path:
    """Pixels stored turned, with a display matrix saying how to turn them upright (what a
    phone held sideways writes): a correct reader shows the original picture."""
    turn = {
        90: cv2.ROTATE_90_COUNTERCLOCKWISE,
        180: cv2.ROTATE_180,
        270: cv2.ROTATE_90_CLOCKWISE,
    }
    if clockwise_deg not in turn:
        raise ValueError("clockwise_deg must be 90, 180 or 270")
    code = turn[clockwise_deg]
    return _map(
        src, dst, lambda image, _t: cv2.rotate(image, code), max_side, rotation_ccw=-clockwise_deg
    )


def upside_down(src: Path, dst: Path, *, max_side: int | None = None) -> Path:
    """Pixels turned 180° with no rotation metadata (a phone held upside down)."""
    return _map(src, dst, lambda image, _t: image[::-1, ::-1], max_side)


# --------------------------------------------------------------------------------------
# the standard set and the cache


@dataclass(frozen=True)
class Variant:
    """A named variant: the function that makes it and its parameters.

    ``swaps_sides`` says that the person's left appears as their right (mirroring), so an
    answer naming a side is expected swapped.
    """

    name: str
    make: Callable[..., Path]
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    swaps_sides: bool = False

    def with_params(self, **params: Any) -> Variant:
        """The same variant with some parameters changed (e.g. the person's track)."""
        return Variant(self.name, self.make, {**self.params, **params}, self.swaps_sides)

    def key(self) -> str:
        """A short digest of the function, the parameters and :data:`VARIANTS_VERSION`."""
        text = repr((VARIANTS_VERSION, self.make.__name__, sorted(self.params.items())))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


#: The usual variants, by name.
STANDARD: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("zoom_in", zoom, {"start": 1.0, "end": 1.3}),
        Variant("zoom_out", zoom, {"start": 1.3, "end": 1.0}),
        Variant("pan", pan, {"shift": 0.12}),
        Variant("shake", shake, {"amplitude": 0.02, "roll_deg": 0.5, "seed": 0}),
        Variant("fps10", frame_rate, {"fps": 10.0}),
        Variant("fps15", frame_rate, {"fps": 15.0}),
        Variant("fps24", frame_rate, {"fps": 24.0}),
        Variant("fps30", frame_rate, {"fps": 30.0}),
        Variant("fps60", frame_rate, {"fps": 60.0}),
        Variant("mirror", mirror, swaps_sides=True),
        Variant("360p", downscale, {"short_side": 360}),
        Variant("portrait", portrait_crop, {"centre_x": ((0.0, 0.5),)}),
        Variant("hevc10", hevc_10bit),
        Variant("rot90_meta", rotation_metadata, {"clockwise_deg": 90}),
        Variant("upside_down", upside_down),
    )
}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_variant(src: Path | str, variant: Variant | str, cache_dir: Path | str) -> Path:
    """The variant of ``src`` in ``cache_dir``, written unless already there.

    The file name carries the source's content digest and :meth:`Variant.key`, so a changed
    source, parameter or variant code never reuses a stale file.
    """
    src = Path(src)
    v = STANDARD[variant] if isinstance(variant, str) else variant
    dst = Path(cache_dir) / f"{src.stem}.{v.name}.{file_digest(src)[:12]}-{v.key()}.mp4"
    if not dst.exists():
        v.make(src, dst, **v.params)
    return dst


def main(argv: Sequence[str] | None = None) -> int:
    """Write the standard variants of one clip and print their paths."""
    parser = argparse.ArgumentParser(
        prog="python -m gaitlab.testing.variants",
        description="Write the standard robustness variants of a clip (zoom, pan, shake, "
        "frame rates, mirror, 360p, portrait, 10-bit HEVC, rotation metadata, upside down).",
    )
    parser.add_argument("clip", type=Path)
    parser.add_argument("--out", type=Path, default=Path("variants"), help="folder (./variants)")
    parser.add_argument("--only", default="", help="comma-separated names: " + ",".join(STANDARD))
    parser.add_argument("--max-side", type=int, default=None, help="cap the source's longer side")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(STANDARD)
    unknown = [n for n in names if n not in STANDARD]
    if unknown:
        parser.error(f"unknown variant {', '.join(unknown)}: choose from {', '.join(STANDARD)}")
    try:
        probe(args.clip)
        for name in names:
            try:
                variant = STANDARD[name]
                if args.max_side:
                    variant = variant.with_params(max_side=args.max_side)
                print(f"{name}: {make_variant(args.clip, variant, args.out)}")
            except ValueError as exc:  # e.g. portrait crop of a portrait clip
                print(f"{name}: not made ({exc})")
    except Exception as exc:  # a bad clip: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
