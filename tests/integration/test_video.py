"""Tests for gaitlab.io.video: probing, rotation, timestamps, downscaling, writing, bad input.

All clips are generated into tmp_path with PyAV (see tests/videogen.py); they are tiny so
the whole file runs in a few seconds.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from videogen import (
    MARKER,
    frame_image,
    index_level,
    set_mp4_rotation,
    truncate,
    write_clip,
    write_wav,
)

from gaitlab.core.errors import ShapeError, VideoError
from gaitlab.io.sampling import sample_pictures
from gaitlab.io.video import (
    Frame,
    VideoInfo,
    VideoReader,
    VideoWriter,
    _Timeline,
    probe,
    read_frames,
)

NTSC = Fraction(30000, 1001)


def _corner_means(image: np.ndarray) -> dict[str, float]:
    """Mean brightness of the four corner patches (an eighth of each side)."""
    h, w = image.shape[:2]
    ph, pw = max(1, h // 8), max(1, w // 8)
    return {
        "top_left": float(image[:ph, :pw].mean()),
        "top_right": float(image[:ph, -pw:].mean()),
        "bottom_left": float(image[-ph:, :pw].mean()),
        "bottom_right": float(image[-ph:, -pw:].mean()),
    }


def _read_all(path: Path, **kwargs) -> tuple[list[Frame], list[str]]:
    with VideoReader(path, **kwargs) as reader:
        frames = list(reader)
        return frames, list(reader.warnings)


# ---------------------------------------------------------------------------- probe


@pytest.mark.parametrize(
    ("codec", "name", "pix_fmt", "expected_codec"),
    [
        ("libx264", "clip.mp4", "yuv420p", "h264"),
        ("libx265", "clip.mp4", "yuv420p", "hevc"),
        ("libx265", "clip10.mp4", "yuv420p10le", "hevc"),  # iPhone HEVC is 10-bit
        ("libvpx-vp9", "clip.webm", "yuv420p", "vp9"),
    ],
)
def test_probe_fields(tmp_path, codec, name, pix_fmt, expected_codec):
    path = write_clip(
        tmp_path / name, codec=codec, width=64, height=48, frames=12, rate=NTSC, pix_fmt=pix_fmt
    )
    info = probe(path)
    assert isinstance(info, VideoInfo)
    assert info.codec == expected_codec
    assert (info.width, info.height) == (64, 48)
    assert (info.coded_width, info.coded_height) == (64, 48)
    assert info.rotation_deg == 0
    assert info.fps == pytest.approx(30000 / 1001, abs=1e-6)  # not 30, not int
    assert info.frames == 12
    assert info.duration_s == pytest.approx(12 / info.fps, abs=0.04)
    assert info.pix_fmt == pix_fmt
    assert info.to_dict() == {
        "path": str(path),
        "fps": info.fps,
        "frames": 12,
        "duration_s": info.duration_s,
        "width": 64,
        "height": 48,
        "rotation_deg": 0,
        "turn_deg": 0,
        "codec": expected_codec,
    }
    frames, warnings = _read_all(path)
    assert len(frames) == 12
    assert warnings == []
    assert frames[0].image.shape == (48, 64, 3)
    assert frames[0].image.dtype == np.uint8
    assert frames[0].image.flags.c_contiguous
    assert frames[-1].t_s == pytest.approx(11 * 1001 / 30000, abs=1e-3)


@pytest.mark.parametrize("fps", [60, 120, 240])
def test_high_frame_rates_keep_their_rate_and_step(tmp_path, fps):
    path = write_clip(tmp_path / "fast.mp4", frames=8, rate=fps)
    frames, _ = _read_all(path)
    assert probe(path).fps == pytest.approx(fps)
    assert np.diff([f.t_s for f in frames]) == pytest.approx(np.full(7, 1 / fps), abs=1e-6)


# ------------------------------------------------------------------------- rotation

# Where the stored top-left marker must appear on a phone's screen for each clockwise
# display rotation (derived from the tkhd matrix, see videogen.set_mp4_rotation).
MARKER_CORNER = {0: "top_left", 90: "top_right", 180: "bottom_right", 270: "bottom_left"}


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotation_from_tkhd_matrix_is_applied(tmp_path, rotation):
    # Stored 64x48 with the marker in the stored top-left; only the tkhd matrix changes.
    path = set_mp4_rotation(write_clip(tmp_path / "rot.mp4", frames=3), rotation)
    info = probe(path)
    assert info.rotation_deg == rotation
    assert (info.coded_width, info.coded_height) == (64, 48)
    expected_size = (48, 64) if rotation in (90, 270) else (64, 48)
    assert (info.width, info.height) == expected_size

    frames, _ = _read_all(path)
    image = frames[0].image
    assert image.shape == (info.height, info.width, 3)
    corners = _corner_means(image)
    marker_corner = MARKER_CORNER[rotation]
    assert corners[marker_corner] > MARKER - 20
    for corner, value in corners.items():
        if corner != marker_corner:
            assert value < MARKER - 60, (corner, corners)


def test_pyav_display_rotation_uses_counter_clockwise_degrees(tmp_path):
    # PyAV's writer takes counter-clockwise degrees: -90 is a quarter turn clockwise,
    # the same matrix a portrait phone clip carries.
    path = write_clip(tmp_path / "rot.mp4", frames=2, rotation_ccw=-90)
    assert probe(path).rotation_deg == 90
    frames, _ = _read_all(path)
    assert max(_corner_means(frames[0].image).items(), key=lambda kv: kv[1])[0] == "top_right"


# ------------------------------------------------------------------------ downscale


@pytest.mark.parametrize(
    ("rotation", "max_side", "shape", "scale"),
    [
        (0, 160, (90, 160, 3), 0.25),
        (90, 160, (160, 90, 3), 0.25),
        (270, 320, (320, 180, 3), 0.5),
        (0, 1000, (360, 640, 3), 1.0),  # never upscales
        (0, None, (360, 640, 3), 1.0),
    ],
)
def test_max_side_downscales_upright_image(tmp_path, rotation, max_side, shape, scale):
    path = write_clip(tmp_path / "big.mp4", width=640, height=360, frames=2)
    set_mp4_rotation(path, rotation)
    frames, _ = _read_all(path, max_side=max_side)
    assert frames[0].image.shape == shape
    assert frames[0].scale == pytest.approx(scale)
    assert _corner_means(frames[0].image)[MARKER_CORNER[rotation]] > MARKER - 20


def test_max_side_must_be_sensible(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", frames=1)
    with pytest.raises(ValueError, match="max_side"):
        VideoReader(path, max_side=0)


# ----------------------------------------------------------------------- timestamps


def test_vfr_timestamps_come_from_pts(tmp_path):
    times = [0.0, 0.033, 0.070, 0.100, 0.200, 0.210, 0.250, 0.400, 0.4105, 0.500, 1.250]
    path = write_clip(tmp_path / "vfr.mp4", times_s=times, time_base=Fraction(1, 90000))
    frames, warnings = _read_all(path)
    assert [f.index for f in frames] == list(range(len(times)))
    assert [f.t_s for f in frames] == pytest.approx(times, abs=1e-3)
    assert warnings == []


def test_timestamps_relative_to_first_frame(tmp_path):
    times = [5.0, 5.04, 5.1]
    path = write_clip(tmp_path / "late.mkv", times_s=times, time_base=Fraction(1, 1000))
    frames, _ = _read_all(path)
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.04, 0.1], abs=1e-3)


def test_timeline_interpolates_missing_and_repairs_duplicates():
    line = _Timeline(nominal_dt=0.1)
    out = []
    for t, item in [(1.0, "a"), (None, "b"), (None, "c"), (1.3, "d"), (1.3, "e"), (1.5, "f")]:
        out += line.push(t, item)
    out += line.finish()
    assert [item for _, item in out] == ["a", "b", "c", "d", "e", "f"]
    assert [t for t, _ in out] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert line.repaired == 3


def test_timeline_without_any_pts_uses_nominal_rate():
    line = _Timeline(nominal_dt=0.25, max_pending=4)
    out = []
    for i in range(10):
        out += line.push(None, i)
    out += line.finish()
    assert [item for _, item in out] == list(range(10))
    assert [t for t, _ in out] == pytest.approx([0.25 * i for i in range(10)])


def test_timeline_backward_jump_stays_strictly_increasing():
    line = _Timeline(nominal_dt=0.1, max_pending=2)
    out = []
    for t in [0.0, 0.1, 0.2, 0.05, 0.06, 0.07, 0.08, 0.5]:
        out += line.push(t, t)
    out += line.finish()
    times = [t for t, _ in out]
    assert len(times) == 8
    assert np.all(np.diff(times) > 0)


def test_timeline_restarted_clock_follows_on_with_its_own_spacing():
    # two 30 fps recordings joined end to end: the second clock starts again at 0
    first = [k / 30 for k in range(6)]
    second = [k / 30 for k in range(5)]
    line = _Timeline(nominal_dt=1 / 30)
    out = []
    for t in first + second:
        out += line.push(t, t)
    out += line.finish()
    assert [t for t, _ in out] == pytest.approx([k / 30 for k in range(11)])
    assert line.report.restarts == [(6, pytest.approx(6 / 30))]
    assert line.repaired == 0


def test_timeline_overlapping_clock_and_vfr_spacing_kept():
    # the second recording's clock starts 0.1 s before the first one ended, at its own 25 fps
    first = [0.0, 0.04, 0.08, 0.12, 0.16]
    second = [0.06 + k * 0.04 for k in range(4)]
    line = _Timeline(nominal_dt=0.04)
    out = [p for t in first + second for p in line.push(t, t)] + line.finish()
    times = [t for t, _ in out]
    assert times == pytest.approx([0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24, 0.28, 0.32])
    assert len(line.report.restarts) == 1


def test_timeline_sub_millisecond_frames_are_spaced_at_the_frame_rate():
    line = _Timeline(nominal_dt=1 / 60, max_pending=4)
    out = [p for k in range(20) for p in line.push(k * 10e-6, k)] + line.finish()
    assert [item for _, item in out] == list(range(20))
    assert [t for t, _ in out] == pytest.approx([k / 60 for k in range(20)])
    assert line.report.too_close == 19 and line.repaired == 19
    assert line.report.restarts == []


def test_timeline_never_calls_a_real_240_fps_clip_too_close():
    line = _Timeline(nominal_dt=1 / 240)
    out = [p for k in range(10) for p in line.push(k / 240, k)] + line.finish()
    assert [t for t, _ in out] == pytest.approx([k / 240 for k in range(10)])
    assert line.repaired == 0


def test_sub_millisecond_container_rate_gives_way_to_the_stated_one(tmp_path):
    """A muxer that wrote frames 10 µs apart: the H.264 header still says 30 fps."""
    src = write_clip(tmp_path / "ok.mp4", frames=12, rate=30)
    bad = tmp_path / "tenus.mp4"
    with av.open(str(src)) as ic, av.open(str(bad), "w") as oc:
        ist = ic.streams.video[0]
        ost = oc.add_stream_from_template(ist)
        ost.time_base = Fraction(1, 1_000_000)
        for k, packet in enumerate(p for p in ic.demux(ist) if p.size):
            packet.pts = packet.dts = 10 * k
            packet.time_base, packet.stream = Fraction(1, 1_000_000), ost
            oc.mux(packet)
    info = probe(bad)
    assert info.fps == pytest.approx(30)
    assert info.duration_s == pytest.approx(12 / 30)  # not 0.00012 s
    frames, warnings = _read_all(bad)
    assert [f.t_s for f in frames] == pytest.approx([k / 30 for k in range(12)])
    assert warnings == [
        "11 frame(s) came less than 1 ms after the previous one (duplicated frames or "
        "damaged timestamps); they were re-timed from the frames around them and the 30 fps "
        "frame rate"
    ]


# -------------------------------------------------------------------- thumbnails etc


def test_read_frames_returns_the_requested_frames(tmp_path):
    path = set_mp4_rotation(write_clip(tmp_path / "clip.mp4", frames=12), 180)
    got = read_frames(path, [0, 5, 11, 40])
    assert sorted(got) == [0, 5, 11]  # 40 is past the end
    for i, image in got.items():
        # After 180 degrees the index block (stored bottom-right) is top-left.
        assert image.shape == (48, 64, 3)
        assert abs(float(image[2:8, 2:10].mean()) - index_level(i)) < 4


def _clip_with_keyframes_every(path: Path, frames: int, gop: int) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(
            "libx264", rate=30, options={"preset": "ultrafast", "g": str(gop)}
        )
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            image = frame_image(i, 64, 48)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(("gop", "rotation"), [(5, 0), (250, 0), (5, 90)])
def test_sample_spreads_pictures_over_the_video(tmp_path, gop, rotation):
    path = _clip_with_keyframes_every(tmp_path / "gop.mp4", 48, gop)
    if rotation:
        set_mp4_rotation(path, rotation)
    with VideoReader(path) as reader:
        images = sample_pictures(reader, 4)
        assert sample_pictures(reader, 0) == []
    # targets at 1/8, 3/8, 5/8, 7/8 of 48 frames: frames 6, 18, 30, 42
    assert len(images) == 4
    for image, i in zip(images, (6, 18, 30, 42), strict=True):
        assert image.shape == ((64, 48, 3) if rotation else (48, 64, 3))
        block = np.rot90(image, 1) if rotation else image  # back to stored orientation
        assert abs(float(block[-8:-2, -10:-2].mean()) - index_level(i % 24)) < 4


def test_sample_of_a_video_without_usable_times_gives_its_first_frames(tmp_path):
    times = [k * 1e-5 for k in range(10)]
    path = write_clip(tmp_path / "tenus.mkv", times_s=times, time_base=Fraction(1, 1000))
    with VideoReader(path) as reader:
        images = sample_pictures(reader, 3)
    assert [
        abs(float(im[-8:-2, -10:-2].mean()) - index_level(i)) < 4 for i, im in enumerate(images)
    ] == [True] * 3


def test_threads_off_gives_the_same_frames(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", frames=10)
    with_threads, _ = _read_all(path, threads=True)
    without, _ = _read_all(path, threads=False)
    assert [f.t_s for f in with_threads] == [f.t_s for f in without]
    for a, b in zip(with_threads, without, strict=True):
        np.testing.assert_array_equal(a.image, b.image)


# ---------------------------------------------------------------------------- writer


def test_writer_output_is_browser_playable_h264(tmp_path):
    out = tmp_path / "annotated.mp4"
    images = [np.full((47, 63, 3), 20 * i, np.uint8) for i in range(7)]
    with VideoWriter(out, width=63, height=47, fps=30000 / 1001) as writer:
        for image in images:
            writer.write(image)
    assert writer.frames_written == 7
    assert not (tmp_path / "annotated.mp4.partial").exists()

    data = out.read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")  # faststart
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (64, 48)
        assert stream.average_rate == Fraction(30000, 1001)
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == 7
    for i, image in enumerate(decoded):
        assert abs(float(image[:47, :63].mean()) - 20 * i) < 4

    info = probe(out)
    assert info.frames == 7
    assert info.fps == pytest.approx(29.97, abs=1e-2)


def test_writer_keeps_given_times_on_the_frame_grid(tmp_path):
    out = tmp_path / "vfr.mp4"
    times = [0.0, 0.1, 0.3, 0.35, 1.0]
    with VideoWriter(out, width=32, height=32, fps=20) as writer:
        for t in times:
            writer.write(np.zeros((32, 32, 3), np.uint8), t_s=t)
    frames, _ = _read_all(out)
    assert [f.t_s for f in frames] == pytest.approx(times, abs=1e-6)


def test_writer_rejects_wrong_image_and_removes_partial_file(tmp_path):
    out = tmp_path / "annotated.mp4"
    with pytest.raises(ShapeError, match=r"expected a \(32, 32, 3\) uint8 RGB image, got"):
        with VideoWriter(out, width=32, height=32, fps=30) as writer:
            writer.write(np.zeros((32, 32, 3), np.uint8))
            writer.write(np.zeros((32, 30, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_writer_missing_folder_is_a_video_error(tmp_path):
    with pytest.raises(VideoError, match="folder does not exist"):
        VideoWriter(tmp_path / "nope" / "out.mp4", width=32, height=32, fps=30)


# ------------------------------------------------------------------------ truncation


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("clip.mkv", {}),
        ("clip.ts", {}),
        ("clip.mp4", {"movflags": "+faststart"}),  # index first, so a cut file opens
    ],
)
def test_truncated_file_decodes_what_is_there(tmp_path, name, options):
    full = write_clip(
        tmp_path / name, width=64, height=48, frames=60, noisy=True, container_options=options
    )
    cut = truncate(full, 0.6, tmp_path / f"cut_{name}")
    frames, warnings = _read_all(cut)
    assert 20 < len(frames) < 60
    assert np.all(np.diff([f.t_s for f in frames]) > 0)
    if name != "clip.ts":  # a cut MPEG-TS has no record of its full length
        assert len(warnings) >= 1
        assert "truncated" in warnings[0]
        assert warnings[0].startswith("decoding stopped at 1.")
        assert "of 2.0 s" in warnings[0]


def test_truncated_mp4_without_index_is_a_clean_error(tmp_path):
    # A plain mp4 writes its index (moov) at the end; cut, it cannot be opened at all.
    full = write_clip(tmp_path / "clip.mp4", frames=60, noisy=True)
    cut = truncate(full, 0.6, tmp_path / "cut.mp4")
    with pytest.raises(VideoError, match="damaged or truncated") as err:
        probe(cut)
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------------- bad input


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("this is a text file, not a video\n" * 40)
    return path


def _text_named_mp4(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_text("this is a text file, not a video\n" * 40)
    return path


def _random(tmp_path: Path) -> Path:
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(7).bytes(50_000))
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.mp4"
    path.touch()
    return path


def _jpeg_renamed(tmp_path: Path) -> Path:
    path = tmp_path / "photo.mp4"
    frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
    frame.save(str(tmp_path / "photo.jpg"))
    (tmp_path / "photo.jpg").rename(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.mp4", r"^video file not found: .*missing\.mp4$"),
        (lambda tmp: tmp, r"is a folder, not a video file$"),
        (_empty, r"is empty \(0 bytes\), not a video$"),
        (_text, r"is a text file, not a video$"),
        (_text_named_mp4, r"is not a video file, or it is damaged or truncated"),
        (_random, r"is not a video file, or it is damaged or truncated"),
        (_jpeg_renamed, r"is a still image \(jpeg\), not a video$"),
        (
            lambda tmp: write_wav(tmp / "sound.wav"),
            r"has no video stream \(it contains only audio\)",
        ),
    ],
    ids=["missing", "folder", "empty", "text", "text-as-mp4", "random", "jpeg", "wav"],
)
def test_bad_input_gives_one_line_video_error(tmp_path, make, message):
    path = make(tmp_path)
    for opener in (probe, VideoReader):
        with pytest.raises(VideoError, match=message) as err:
            opener(path)
        assert "\n" not in str(err.value)
