"""Video in and out: probe a file, iterate upright RGB frames with real timestamps, write H.264.

Everything goes through PyAV (FFmpeg's libraries); there is no ffmpeg binary.

Conventions
-----------
- Rotation. Phones store the sensor picture as recorded and put a display matrix in the
  container (the mp4 ``tkhd`` matrix). FFmpeg hands it to us as frame side data and PyAV's
  ``VideoFrame.rotation`` reports it as a **counter-clockwise** angle in [-180, 180]. A
  portrait iPhone clip (matrix ``a=0, b=1, c=-1, d=0``, what ``ffmpeg -metadata:s:v
  rotate=90`` writes) reads back as ``-90`` and must be turned 90 degrees **clockwise** to
  be upright. ``VideoInfo.rotation_deg`` is that clockwise angle, ``(-rotation) % 360``.
  Mirroring in the display matrix is not applied (phones mirror the pixels themselves).
- Time. ``Frame.t_s`` is ``pts * time_base`` relative to the first decoded frame, so a
  variable-frame-rate phone clip keeps its real timing. Frames without a usable pts are
  given interpolated times and a warning; times are strictly increasing. A clock that
  starts again (recordings joined end to end) is shifted to follow on, and frames under
  1 ms apart are re-timed, each with a warning (:mod:`gaitlab.io.timeline`).
- Turn. ``turn_deg`` turns the picture further, for a video filmed upside down or on its
  side with no metadata saying so (found from the body: :mod:`gaitlab.pose.orientation`).
- Size. ``max_side`` caps the longer upright side; swscale resizes while it converts to
  RGB, which is much cheaper than converting a 4K frame and resizing it afterwards.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from gaitlab.core.errors import ShapeError, VideoError
from gaitlab.io.timeline import MIN_FRAME_INTERVAL_S, TimelineReport, clock_damaged, frame_rate
from gaitlab.io.timeline import Timeline as _Timeline

__all__ = [
    "Frame",
    "VideoInfo",
    "VideoReader",
    "VideoWriter",
    "probe",
    "read_frames",
]

# Demuxers that FFmpeg will happily "open" although the file is not a video: text shown as
# ANSI art ("tty" opens any .txt), and single still images (jpeg_pipe, png_pipe, image2...).
_TEXT_FORMATS = frozenset({"tty", "bin", "xbin", "adf", "idf"})
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})
_STILL_IMAGE_FORMATS = frozenset({"image2", "image2pipe"})

# How many packets probe() reads looking for a first decodable frame before giving up.
_PROBE_MAX_PACKETS = 600
#: A picture declared larger than this (pixels) is refused before anything is decoded. The
#: largest a camera records is 8K (7680×4320, 33 MP; DCI 8K 8192×4320, 35 MP); a few kB
#: of MPEG-2 can declare 16383×16383 (268 MP, 400 MB a decoded frame), a decompression bomb.
MAX_VIDEO_PIXELS = 40_000_000
#: No container stores a frame in less than this (every packet has a header of its own): a
#: file declaring more frames than it has bytes claims a length it cannot hold.
MIN_BYTES_PER_FRAME = 1
_CV2_ROTATE = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, as found by :func:`probe`.

    ``width``/``height`` are the upright (displayed) size, after ``rotation_deg`` and
    ``turn_deg`` are applied; ``coded_width``/``coded_height`` are the picture size as stored
    in the file. ``rotation_deg`` is the clockwise rotation (0, 90, 180, 270) that the file's
    metadata asks for; ``turn_deg`` a further clockwise turn found from the filmed body
    (a phone held upside down or sideways without rotation metadata, see
    :meth:`turned`). ``fps`` is the average frame rate as a float (29.97 stays 29.97); a
    container rate no camera records (frames under ``MIN_FRAME_INTERVAL_S`` apart) gives
    way to the rate the video stream itself states. ``frames`` comes from the container when
    it records it (mp4), otherwise it is ``round(duration_s * fps)``.
    """

    path: str
    codec: str
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation_deg: int
    fps: float
    frames: int
    duration_s: float
    pix_fmt: str
    turn_deg: int = 0

    def turned(self, turn_deg: int) -> VideoInfo:
        """This video turned a further ``turn_deg`` (0, 90, 180 or 270) clockwise."""
        if turn_deg not in _CV2_ROTATE and turn_deg != 0:
            raise ValueError(f"turn_deg must be 0, 90, 180 or 270, got {turn_deg!r}")
        quarter = turn_deg in (90, 270)
        return replace(
            self,
            width=self.height if quarter else self.width,
            height=self.width if quarter else self.height,
            turn_deg=(self.turn_deg + turn_deg) % 360,
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``video`` block of ``summary.json``."""
        return {
            "path": self.path,
            "fps": self.fps,
            "frames": self.frames,
            "duration_s": self.duration_s,
            "width": self.width,
            "height": self.height,
            "rotation_deg": self.rotation_deg,
            "turn_deg": self.turn_deg,
            "codec": self.codec,
        }


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index : 0-based position among the decoded frames.
    t_s : presentation time in seconds relative to the first frame (from pts, so VFR is kept).
    image : (H, W, 3) uint8 RGB, C-contiguous, upright, possibly downscaled.
    scale : image size / upright original size (1.0 when not downscaled).
    """

    index: int
    t_s: float
    image: np.ndarray
    scale: float


# --------------------------------------------------------------------------------------
# probing


@dataclass(frozen=True)
class _Probe:
    info: VideoInfo
    frames_known: bool  # the container records a frame count (a truncation check can use it)


def _clean(path: os.PathLike[str] | str) -> str:
    """The path as one printable line for messages."""
    return " ".join(str(path).splitlines())


def _open_input(path: os.PathLike[str] | str) -> av.container.InputContainer:
    """Open ``path`` with PyAV, turning every way it can fail into a one-line VideoError."""
    name = _clean(path)
    p = Path(path)
    if p.is_dir():
        raise VideoError(f"{name} is a folder, not a video file")
    if not p.exists():
        raise VideoError(f"video file not found: {name}")
    try:
        size = p.stat().st_size
    except OSError as err:
        raise VideoError(f"{name} cannot be read ({err.strerror or err})") from err
    if size == 0:
        raise VideoError(f"{name} is empty (0 bytes), not a video")
    if not os.access(p, os.R_OK):
        raise VideoError(f"{name} cannot be read (permission denied)")
    try:
        return av.open(str(p), mode="r")
    except av.error.InvalidDataError as err:
        raise VideoError(
            f"{name} is not a video file, or it is damaged or truncated "
            "(its format was not recognised)"
        ) from err
    except av.FFmpegError as err:
        raise VideoError(f"{name} could not be opened as a video ({err.strerror})") from err


def _video_stream(container: av.container.InputContainer, name: str) -> av.VideoStream:
    """The video stream to analyse, or a VideoError saying why there is none."""
    fmt = container.format.name
    if fmt in _TEXT_FORMATS:
        raise VideoError(f"{name} is a text file, not a video")
    if fmt in _STILL_IMAGE_FORMATS or fmt.endswith("_pipe"):
        kind = fmt.removesuffix("_pipe")
        raise VideoError(f"{name} is a still image ({kind}), not a video")
    # Cover art in audio files is a one-picture "video" stream flagged attached_pic.
    videos = [
        s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic
    ]
    if not videos:
        if container.streams.audio:
            raise VideoError(f"{name} has no video stream (it contains only audio)")
        raise VideoError(f"{name} has no video stream: it is damaged, truncated or not a video")
    stream = videos[0]
    if stream.codec_context is None or stream.codec_context.name in _TEXT_CODECS:
        raise VideoError(f"{name} is not a video file (no decodable picture stream)")
    w, h = stream.codec_context.width, stream.codec_context.height
    if w * h > MAX_VIDEO_PIXELS:
        raise VideoError(
            f"{name} declares a {w}×{h} picture ({w * h / 1e6:.0f} MP), more than the "
            f"{MAX_VIDEO_PIXELS / 1e6:.0f} MP of the largest camera video (8K): not decoded"
        )
    return stream


def _iter_decoded(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    problems: dict[str, int] | None = None,
) -> Iterator[av.VideoFrame]:
    """Decode ``stream`` packet by packet, skipping packets the decoder rejects.

    ``problems`` (if given) counts ``"bad_packets"`` and gets ``"demux_error"`` = 1 when
    reading stopped on a damaged or truncated container.
    """
    try:
        for packet in container.demux(stream):
            try:
                frames = stream.decode(packet)
            except av.FFmpegError:
                if problems is not None:
                    problems["bad_packets"] = problems.get("bad_packets", 0) + 1
                continue
            yield from frames
    except av.FFmpegError:
        if problems is not None:
            problems["demux_error"] = 1
        # Frames still buffered in the decoder are worth having.
        try:
            yield from stream.decode(None)
        except av.FFmpegError:
            pass


def _rotation_cw(frame: av.VideoFrame) -> int:
    """Clockwise rotation (0/90/180/270) that makes ``frame`` upright.

    PyAV's ``frame.rotation`` is counter-clockwise in [-180, 180] (-90 for a portrait
    phone clip that needs a quarter turn clockwise). Odd angles snap to the nearest 90.
    """
    ccw = frame.rotation
    return int((-round(ccw / 90.0) * 90) % 360)


def _probe(path: os.PathLike[str] | str) -> _Probe:
    name = _clean(path)
    container = _open_input(path)
    try:
        stream = _video_stream(container, name)
        first: av.VideoFrame | None = None
        packets = 0
        pts: list[int] = []
        try:
            for packet in container.demux(stream):
                packets += 1
                if packet.pts is not None:
                    pts.append(packet.pts)
                try:
                    decoded = stream.decode(packet)
                except av.FFmpegError:
                    decoded = []
                if decoded:
                    first = decoded[0]
                    break
                if packets >= _PROBE_MAX_PACKETS:
                    break
        except av.FFmpegError:
            pass
        if first is None:
            raise VideoError(
                f"{name}: no frames could be decoded "
                f"(the {stream.codec_context.name} video data is damaged or unsupported)"
            )

        rotation = _rotation_cw(first)
        coded_w, coded_h = first.width, first.height
        width, height = (coded_h, coded_w) if rotation in (90, 270) else (coded_w, coded_h)

        damaged = clock_damaged(container, stream, pts)
        rate = frame_rate(stream, damaged)
        fps = float(rate) if rate else 0.0
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        frames_known = bool(stream.frames and stream.frames > 0)
        if frames_known:
            frames = int(stream.frames)
        else:
            frames = int(round(duration * fps)) if fps > 0 else 0
        # A duration under a millisecond a frame comes from damaged timestamps, not a camera:
        # the frames are re-timed at the stated rate when read, so describe them that way.
        believable = not damaged and frames > 0 and duration >= frames * MIN_FRAME_INTERVAL_S
        if fps <= 0 and frames_known and duration > 0 and believable:
            fps = frames / duration
        if (duration <= 0 or not believable) and frames > 0 and fps > 0:
            duration = frames / fps

        _refuse_impossible_length(path, name, frames, duration)
        info = VideoInfo(
            path=str(path),
            codec=stream.codec_context.name,
            width=width,
            height=height,
            coded_width=coded_w,
            coded_height=coded_h,
            rotation_deg=rotation,
            fps=fps,
            frames=frames,
            duration_s=duration,
            pix_fmt=first.format.name,
        )
        return _Probe(info=info, frames_known=frames_known)
    finally:
        container.close()


def _refuse_impossible_length(
    path: os.PathLike[str] | str, name: str, frames: int, duration_s: float
) -> None:
    """A few kB declaring millions of frames: its header lies, and the rest of the file
    (progress, sampling, segments for the pose workers) would be planned on the lie."""
    size = os.path.getsize(path)
    if frames * MIN_BYTES_PER_FRAME > size:
        raise VideoError(
            f"{name} declares {frames} frames ({duration_s:.0f} s) in only {size} bytes: its "
            "header is damaged; save the video again from the camera or phone"
        )


def probe(path: os.PathLike[str] | str) -> VideoInfo:
    """Describe a video file, checking that it really holds decodable video.

    Opens the file and decodes its first frame (that is where the rotation comes from,
    and it proves the stream is decodable); it does not read the whole file.

    Raises
    ------
    VideoError
        With a one-line message: missing file, folder, empty file, not a video (text,
        still image, unknown data), audio only, truncated mp4 without its index, or no
        decodable frame.
    """
    return _probe(path).info


# --------------------------------------------------------------------------------------
# reading


def _target_size(info: VideoInfo, max_side: int | None) -> tuple[int, int, float]:
    """Coded-orientation (width, height) to convert to, and the scale factor."""
    long_side = max(info.width, info.height)
    if max_side is None or long_side <= max_side:
        return info.coded_width, info.coded_height, 1.0
    scale = max_side / long_side
    w = max(1, int(round(info.coded_width * scale)))
    h = max(1, int(round(info.coded_height * scale)))
    return w, h, scale


class VideoReader:
    """Iterate the frames of a video file: upright RGB, real timestamps, optional downscale.

    Parameters
    ----------
    path : the video file. It is probed on construction, so a bad file raises VideoError here.
    max_side : cap on the longer upright side of ``Frame.image`` (never upscales). Pose
        models look at ~256 px crops, so decoding a 4K phone clip at full size only costs
        time; ~960 keeps enough detail for small landmarks such as toes.
    threads : let FFmpeg decode with frame+slice threads ("AUTO").
    turn_deg : a further clockwise turn (0, 90, 180, 270) on top of the file's rotation
        metadata: for a video filmed upside down or sideways without metadata saying so
        (``reader.info`` describes the turned picture).

    Each ``iter(reader)`` decodes the file from the start. After (or during) an iteration,
    ``warnings`` holds plain-language notes on degraded data (truncation, damaged packets,
    repaired timestamps). A file from which no frame decodes raises VideoError.

    Examples
    --------
    >>> with VideoReader("walk.mp4", max_side=960) as reader:  # doctest: +SKIP
    ...     for frame in reader:
    ...         landmarks = estimator(frame.image, frame.t_s)
    """

    def __init__(
        self,
        path: os.PathLike[str] | str,
        *,
        max_side: int | None = None,
        threads: bool = True,
        turn_deg: int = 0,
    ) -> None:
        if max_side is not None and (not isinstance(max_side, int) or max_side < 16):
            raise ValueError(f"max_side must be an int >= 16 or None, got {max_side!r}")
        self.path = str(path)
        self.max_side = max_side
        self.threads = threads
        probed = _probe(path)
        self.info: VideoInfo = probed.info.turned(turn_deg)
        self._frames_known = probed.frames_known
        self.warnings: list[str] = []
        #: Times (s, re-timed) of the frames where the clock started again: where the file
        #: joins recordings end to end (filled once the frames have been read).
        self.joins_s: list[float] = []
        self._container: av.container.InputContainer | None = None
        self._closed = False
        self._target_w, self._target_h, self.scale = _target_size(self.info, max_side)

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the file. Safe to call more than once."""
        self._closed = True
        if self._container is not None:
            self._container.close()
            self._container = None

    def __iter__(self) -> Iterator[Frame]:
        for index, t_s, image in self._decode(want=None):
            assert image is not None
            yield Frame(index=index, t_s=t_s, image=image, scale=self.scale)

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[Frame]:
        """Frames with ``start <= index < stop`` (``stop=None``: to the end).

        Decoding still starts at the beginning (seeking is unreliable on variable frame rate
        phone clips, and timestamps are relative to the first frame), but frames before
        ``start`` are not converted, which is most of the per-frame cost. Used to split a
        video into segments processed in parallel.
        """
        end = float("inf") if stop is None else stop
        margin = 2  # frames whose pts need repair may be emitted a little late

        def want(i: int) -> bool:
            return start - margin <= i < end + margin

        for index, t_s, image in self._decode(want=want):
            if index >= end:
                return
            if index >= start and image is not None:
                yield Frame(index=index, t_s=t_s, image=image, scale=self.scale)

    def converter(self) -> Callable[[av.VideoFrame], np.ndarray]:
        """Decoded frame -> upright (rotation and turn applied), downscaled RGB array."""
        reformatter = VideoReformatter()
        rotate = _CV2_ROTATE.get((self.info.rotation_deg + self.info.turn_deg) % 360)

        def convert(vf: av.VideoFrame) -> np.ndarray:
            rgb = reformatter.reformat(
                vf,
                width=self._target_w,
                height=self._target_h,
                format="rgb24",
                interpolation="AREA",
            ).to_ndarray()
            if rotate is not None:
                return cv2.rotate(rgb, rotate)
            return np.ascontiguousarray(rgb)

        return convert

    def _decode(
        self, want: Callable[[int], bool] | None
    ) -> Iterator[tuple[int, float, np.ndarray | None]]:
        """Yield ``(index, t_s, image)``; image is None for indices ``want`` rejects."""
        if self._closed:
            raise ValueError("VideoReader is closed")
        info = self.info
        name = _clean(self.path)
        self.warnings = []
        self.joins_s = []
        container = _open_input(self.path)
        self._container = container
        try:
            stream = _video_stream(container, name)
            if self.threads:
                stream.thread_type = "AUTO"
            else:
                stream.codec_context.thread_count = 1
            tb = float(stream.time_base) if stream.time_base else 0.0
            dt = 1.0 / info.fps if info.fps > 0 else 1 / 30
            timeline = _Timeline(dt)
            to_rgb = self.converter()
            problems: dict[str, int] = {}
            corrupt = 0
            n_in = 0
            n_out = 0
            last_t = 0.0

            def emit(
                pairs: list[tuple[float, np.ndarray | None]],
            ) -> Iterator[tuple[int, float, np.ndarray | None]]:
                nonlocal n_out, last_t
                for t_s, image in pairs:
                    yield n_out, t_s, image
                    last_t = t_s
                    n_out += 1

            for vf in _iter_decoded(container, stream, problems):
                if self._closed:
                    return
                if vf.is_corrupt:
                    corrupt += 1
                image = to_rgb(vf) if want is None or want(n_in) else None
                n_in += 1
                t = vf.pts * tb if vf.pts is not None and tb > 0 else None
                yield from emit(timeline.push(t, image))
            yield from emit(timeline.finish())

            if n_out == 0:
                raise VideoError(
                    f"{name}: no frames could be decoded (the video data is damaged or truncated)"
                )
            if info.fps <= 0 and 2 * timeline.report.too_close >= n_out > 2:
                raise VideoError(
                    f"{name}: {timeline.report.too_close} of {n_out} frames are less than "
                    f"{MIN_FRAME_INTERVAL_S * 1000:g} ms apart and the video states no frame "
                    "rate, so its timing cannot be recovered: export it again from the phone "
                    "or the editing app"
                )
            self._add_warnings(n_out, last_t + dt, problems, corrupt, timeline.report)
            self.joins_s = [t_s for _, t_s in timeline.report.restarts]
        finally:
            container.close()
            if self._container is container:
                self._container = None

    def _add_warnings(
        self,
        n_frames: int,
        decoded_end_s: float,
        problems: dict[str, int],
        corrupt: int,
        timing: TimelineReport,
    ) -> None:
        info = self.info
        dt = 1.0 / info.fps if info.fps > 0 else 1 / 30
        short_in_time = decoded_end_s < info.duration_s - max(3 * dt, 0.25)
        short_in_frames = self._frames_known and n_frames < info.frames - 2
        if problems.get("demux_error") or short_in_time or short_in_frames:
            end = min(decoded_end_s, info.duration_s) if info.duration_s > 0 else decoded_end_s
            self.warnings.append(
                f"decoding stopped at {end:.1f} s of {info.duration_s:.1f} s "
                f"({n_frames} of {info.frames} frames): the file looks truncated or damaged; "
                "analysed what decoded"
            )
        bad = problems.get("bad_packets", 0)
        if bad:
            self.warnings.append(
                f"{bad} damaged video packet(s) could not be decoded and were skipped"
            )
        if corrupt:
            self.warnings.append(
                f"{corrupt} frame(s) decoded with errors and may show garbled pictures"
            )
        self.warnings += timing.warnings(info.fps)


def read_frames(
    path: os.PathLike[str] | str,
    indices: Iterable[int],
    *,
    max_side: int | None = None,
    turn_deg: int = 0,
) -> dict[int, np.ndarray]:
    """Grab a few frames by index (thumbnails of flagged frames).

    Indices are the same as ``Frame.index`` from :class:`VideoReader` (decode order, not
    container seeking, which is unreliable on VFR clips). Decoding runs from the start up
    to the largest index; only the wanted frames are converted to RGB. Indices past the
    end are absent from the result.

    ``turn_deg`` is :class:`VideoReader`'s: the ``video.turn_deg`` of the analysis, so the
    pictures match its landmarks.

    Returns
    -------
    dict mapping index -> (H, W, 3) uint8 RGB upright image.
    """
    wanted = set(indices)
    if not wanted:
        return {}
    if min(wanted) < 0:
        raise ValueError(f"frame indices must be >= 0, got {min(wanted)}")
    last = max(wanted)
    out: dict[int, np.ndarray] = {}
    with VideoReader(path, max_side=max_side, turn_deg=turn_deg) as reader:
        # The Timeline keeps decode order, so the n-th decoded frame is the n-th emitted.
        for index, _t, image in reader._decode(want=wanted.__contains__):
            if image is not None:
                out[index] = image
            if index >= last:
                break
    return out


# --------------------------------------------------------------------------------------
# writing


class VideoWriter:
    """Write RGB frames to an H.264 mp4 that browsers play (yuv420p, even size, faststart).

    Parameters
    ----------
    path : output ``.mp4``. Written to ``<path>.partial`` and renamed on :meth:`close`, so
        an interrupted run never leaves a file that looks finished.
    width, height : size of the images passed to :meth:`write`. Odd sizes are padded by
        one edge-replicated row/column (yuv420p needs even dimensions).
    fps : frame rate, kept as a fraction (29.97 -> 30000/1001).
    crf, preset : libx264 quality (lower crf = better) and speed. ``veryfast`` keeps
        encoding well ahead of pose inference.

    The output is tagged BT.709 limited range, matching the conversion used.
    """

    def __init__(
        self,
        path: os.PathLike[str] | str,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if width < 2 or height < 2:
            raise ShapeError(f"expected width and height >= 2, got {width}x{height}")
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"expected fps > 0, got {fps!r}")
        self.path = Path(path)
        self.width, self.height = int(width), int(height)
        self.rate = Fraction(fps).limit_denominator(1001)
        if self.rate <= 0:
            raise ValueError(f"expected fps > 0, got {fps!r}")
        self.frames_written = 0
        self._pad_h, self._pad_w = self.height % 2, self.width % 2
        self._next_pts = 0
        self._tmp = self.path.with_name(self.path.name + ".partial")
        name = _clean(self.path)
        if not self.path.parent.is_dir():
            raise VideoError(f"cannot write {name}: the folder does not exist")
        try:
            self._container = av.open(
                str(self._tmp), mode="w", format="mp4", options={"movflags": "+faststart"}
            )
        except av.FFmpegError as err:
            raise VideoError(f"cannot write {name} ({err.strerror})") from err
        stream = self._container.add_stream(
            "libx264", rate=self.rate, options={"crf": str(crf), "preset": str(preset)}
        )
        stream.width = self.width + self._pad_w
        stream.height = self.height + self._pad_h
        stream.pix_fmt = "yuv420p"
        cc = stream.codec_context
        cc.time_base = 1 / self.rate
        # BT.709 / limited range tags, so players do not guess the colours.
        cc.colorspace = 1
        cc.color_primaries = 1
        cc.color_trc = 1
        cc.color_range = 1
        self._stream = stream
        self._reformatter = VideoReformatter()
        self._closed = False

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, image_rgb: np.ndarray, *, t_s: float | None = None) -> None:
        """Append one (height, width, 3) uint8 RGB image.

        ``t_s`` (optional) places the frame at that time, rounded to the ``fps`` grid, so a
        VFR source keeps its timing; by default frames are 1/fps apart.
        """
        if self._closed:
            raise ValueError("VideoWriter is closed")
        expected = (self.height, self.width, 3)
        if (
            not isinstance(image_rgb, np.ndarray)
            or image_rgb.shape != expected
            or image_rgb.dtype != np.uint8
        ):
            got = (
                f"{image_rgb.shape} {image_rgb.dtype}"
                if isinstance(image_rgb, np.ndarray)
                else type(image_rgb).__name__
            )
            raise ShapeError(f"expected a {expected} uint8 RGB image, got {got}")
        if self._pad_h or self._pad_w:
            image_rgb = np.pad(image_rgb, ((0, self._pad_h), (0, self._pad_w), (0, 0)), "edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image_rgb), format="rgb24")
        frame = self._reformatter.reformat(
            frame, format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG"
        )
        pts = self._next_pts
        if t_s is not None:
            pts = max(pts, int(round(t_s * self.rate)))
        frame.pts = pts
        frame.time_base = 1 / self.rate
        self._next_pts = pts + 1
        self._mux(self._stream.encode(frame))
        self.frames_written += 1

    def _mux(self, packets: list[av.Packet]) -> None:
        try:
            self._container.mux(packets)
        except av.FFmpegError as err:
            self.abort()
            raise VideoError(f"cannot write {_clean(self.path)} ({err.strerror})") from err

    def close(self) -> None:
        """Finish the file and move it into place. Safe to call more than once."""
        if self._closed:
            return
        self._mux(self._stream.encode(None))
        self._closed = True
        self._container.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Stop writing and delete the partial output."""
        if not self._closed:
            self._closed = True
            try:
                self._container.close()
            except av.FFmpegError:
                pass
        self._tmp.unlink(missing_ok=True)
