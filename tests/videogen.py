"""Small synthetic clips for the video tests, made with PyAV (there is no ffmpeg binary).

Every frame is dark grey with a white *marker* block in the stored (coded) top-left corner,
so after decoding one can tell where the picture's top-left ended up. Frame ``i`` also
carries its index as the grey level of a bottom-right block (``index_level(i)``), which
survives lossy coding well enough to identify frames.

Rotated clips are made the way a phone makes them: the pixels are stored unrotated and the
mp4 track header (``tkhd``) carries a display matrix. :func:`set_mp4_rotation` rewrites that
matrix in place with the ISO-BMFF values for a clockwise display rotation; those are the
bytes an iPhone portrait recording (or ``ffmpeg -metadata:s:v rotate=90``) has.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BACKGROUND = 40
MARKER = 255

_ENCODER_OPTIONS = {
    "libx264": {"preset": "ultrafast"},
    "libx265": {"preset": "ultrafast", "x265-params": "log-level=error"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8"},
}


def index_level(i: int) -> int:
    """Grey level that encodes frame index ``i`` (steps of 8, so lossy coding cannot mix them)."""
    return 64 + 8 * (i % 24)


def frame_image(i: int, width: int, height: int, noisy: bool = False) -> np.ndarray:
    """The RGB picture of frame ``i``: marker top-left, index block bottom-right.

    ``noisy`` fills the background with noise so that picture data, not headers, makes up
    most of the file (what a truncation test needs).
    """
    img = np.full((height, width, 3), BACKGROUND, np.uint8)
    if noisy:
        img[:] = np.random.default_rng(i).integers(0, 100, img.shape, dtype=np.uint8)
    img[: height // 4, : width // 4] = MARKER
    img[-(height // 4) :, -(width // 4) :] = index_level(i)
    return img


def write_clip(
    path: Path,
    *,
    codec: str = "libx264",
    width: int = 64,
    height: int = 48,
    frames: int = 10,
    rate: Fraction | int = 30,
    times_s: Sequence[float] | None = None,
    time_base: Fraction = Fraction(1, 90000),
    pix_fmt: str = "yuv420p",
    container_options: dict[str, str] | None = None,
    rotation_ccw: float | None = None,
    noisy: bool = False,
) -> Path:
    """Encode a synthetic clip; the container follows the extension of ``path``.

    ``times_s`` gives each frame's presentation time (a VFR clip); without it frames are
    ``1/rate`` apart. ``rotation_ccw`` uses PyAV's own display-matrix writer
    (counter-clockwise degrees, like ``VideoFrame.rotation``).
    """
    n = len(times_s) if times_s is not None else frames
    with av.open(str(path), "w", options=container_options or {}) as container:
        stream = container.add_stream(codec, rate=rate, options=_ENCODER_OPTIONS.get(codec, {}))
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if times_s is not None:
            stream.codec_context.time_base = time_base
        if rotation_ccw is not None:
            stream.set_display_rotation(rotation_ccw)
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(frame_image(i, width, height, noisy), format="rgb24")
            if times_s is not None:
                frame.pts = round(times_s[i] / time_base)
                frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_wav(path: Path, seconds: float = 0.2, sample_rate: int = 8000) -> Path:
    """A short silent mono WAV: a real media file with no video stream."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=sample_rate)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, int(seconds * sample_rate)), np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = sample_rate
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _boxes(data: bytes | bytearray, start: int, end: int):
    """Yield (type, payload_start, box_end) for the ISO-BMFF boxes in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        yield kind.decode("latin-1"), pos + header, pos + size
        pos += size


def set_mp4_rotation(path: Path, clockwise_deg: int) -> Path:
    """Patch the ``tkhd`` display matrix of every video track to a clockwise rotation.

    The matrix maps a stored pixel (x, y) to the display as
    ``x' = a*x + c*y + tx``, ``y' = b*x + d*y + ty`` (16.16 fixed point; ``w`` is 2.30).
    For 90 degrees clockwise, a=0, b=1, c=-1, d=0, tx=coded height: stored top-left
    (0, 0) goes to (H, 0), the top-right of the upright picture.
    """
    one = 1 << 16
    data = bytearray(path.read_bytes())
    patched = 0
    for kind, body, end in _boxes(data, 0, len(data)):
        if kind != "moov":
            continue
        for tkind, tbody, tend in _boxes(data, body, end):
            if tkind != "trak":
                continue
            for hkind, hbody, _ in _boxes(data, tbody, tend):
                if hkind != "tkhd":
                    continue
                version = data[hbody]
                matrix_at = hbody + 4 + (32 if version == 1 else 20) + 16
                w_fixed, h_fixed = struct.unpack(">II", data[matrix_at + 36 : matrix_at + 44])
                if w_fixed == 0:  # not a visual track
                    continue
                w, h = w_fixed, h_fixed  # already 16.16
                a, b, c, d, tx, ty = {
                    0: (one, 0, 0, one, 0, 0),
                    90: (0, one, -one, 0, h, 0),
                    180: (-one, 0, 0, -one, w, h),
                    270: (0, -one, one, 0, 0, w),
                }[clockwise_deg % 360]
                struct.pack_into(">9i", data, matrix_at, a, b, 0, c, d, 0, tx, ty, 1 << 30)
                patched += 1
    if not patched:
        raise ValueError(f"no video tkhd box found in {path}")
    path.write_bytes(data)
    return path


def truncate(path: Path, fraction: float, out: Path) -> Path:
    """Copy the first ``fraction`` of the bytes of ``path`` to ``out``."""
    data = path.read_bytes()
    out.write_bytes(data[: int(len(data) * fraction)])
    return out
