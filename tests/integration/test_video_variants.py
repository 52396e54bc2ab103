"""A real walk as real phones and apps damage it: upside down, on its side, rotation
metadata, joined recordings, sub-millisecond and duplicated timestamps, a clip too short.

Every variant is made here with PyAV from walk_side_outdoor_60fps (135 frames, scaled to
480×270 so that posing stays cheap) and posed once for the module; each must give the
cadence of the same pictures stored upright with clean timestamps.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from videogen import frame_image, set_mp4_rotation

from gaitlab.cli.main import build_parser
from gaitlab.core.errors import GaitlabError, VideoError
from gaitlab.io.video import VideoReader, probe
from gaitlab.pipeline import (
    Analysis,
    AnalyzeOptions,
    PeopleTrack,
    analyze_video,
    as_analysed,
    prepare_video,
    refuse_too_few_posed,
)

SIZE = (480, 270)
OPTIONS = AnalyzeOptions(task="walk", write_video=False)


def _pictures(clip: Path) -> list[np.ndarray]:
    with av.open(str(clip)) as c:
        return [
            f.to_ndarray(format="rgb24", width=SIZE[0], height=SIZE[1]) for f in c.decode(video=0)
        ]


def _encode(path: Path, images: list[np.ndarray], rate: int = 60) -> Path:
    with av.open(str(path), "w") as c:
        stream = c.add_stream("libx264", rate=rate, options={"preset": "ultrafast"})
        stream.height, stream.width = images[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for image in images:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            c.mux(stream.encode(frame))
        c.mux(stream.encode(None))
    return path


def _remux(src: Path, dst: Path, *, pts_us=None, repeat=()) -> Path:
    """Copy the packets of ``src``: with new times (``pts_us(k)`` in µs) or with the
    packets ``repeat`` written twice (same timestamps: duplicated frames)."""
    with av.open(str(src)) as ic, av.open(str(dst), "w") as oc:
        ist = ic.streams.video[0]
        ost = oc.add_stream_from_template(ist)
        if pts_us is not None:
            ost.time_base = Fraction(1, 1_000_000)
        for k, packet in enumerate(p for p in ic.demux(ist) if p.size):
            if pts_us is not None:
                packet.pts = packet.dts = pts_us(k)
                packet.time_base = Fraction(1, 1_000_000)
            for _ in range(2 if k in repeat else 1):
                packet.stream = ost
                oc.mux(packet)
    return dst


@pytest.fixture(scope="module")
def pictures(walk_side_clip) -> list[np.ndarray]:
    return _pictures(walk_side_clip)


@pytest.fixture(scope="module")
def clips(pictures, tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("variants")
    upright = _encode(d / "upright.mp4", pictures)
    ts = _encode(d / "part.ts", pictures)
    (d / "joined.ts").write_bytes(ts.read_bytes() * 2)  # a byte-wise join: clock restarts
    return {
        "upright": upright,
        "upside_down": _encode(d / "upside_down.mp4", [p[::-1, ::-1] for p in pictures]),
        "on_its_side": _encode(d / "on_its_side.mp4", [np.rot90(p, -1) for p in pictures]),
        "metadata_90": set_mp4_rotation(
            _encode(d / "stored.mp4", [np.rot90(p, 1) for p in pictures]), 90
        ),
        "joined": d / "joined.ts",
        "ten_us": _remux(upright, d / "ten_us.mp4", pts_us=lambda k: 10 * k),
        "duplicated": _remux(upright, d / "duplicated.mkv", repeat=(60, 61)),
        "three_frames": _encode(d / "three.mp4", pictures[60:63]),
    }


@pytest.fixture(scope="module")
def analysed(clips) -> dict[str, Analysis]:
    names = ("upright", "upside_down", "on_its_side", "joined")
    return {name: analyze_video(clips[name], options=OPTIONS) for name in names}


def _cadence(a: Analysis) -> float:
    return float(a.metrics["cadence_spm"])


@pytest.mark.parametrize(
    ("name", "turn", "head"),
    [("upside_down", 180, "bottom"), ("on_its_side", 270, "right")],
)
def test_video_filmed_turned_is_turned_upright_with_a_warning(analysed, name, turn, head):
    """Before: upside down gave trunk lean -176.7°, forefoot strike on every step."""
    ref, a = analysed["upright"], analysed[name]
    assert a.info.turn_deg == turn and a.info.rotation_deg == 0
    assert (a.info.width, a.info.height) == SIZE
    notes = [w for w in a.quality["warnings"] if "no rotation metadata" in w]
    assert len(notes) == 1 and f"heads point to the {head} of the picture" in notes[0]
    assert abs(a.metrics["steps"] - ref.metrics["steps"]) <= 1
    if turn == 180:
        # On its side the re-encoded picture gives a heel strike 0.15 s into the clip that the
        # upright one does not (115.8 against 108.5 steps/min over 3 steps): an event at the
        # clip's start, not the turn (the same as the 10 fps and portrait variants of the
        # robustness suite).
        assert _cadence(a) == pytest.approx(_cadence(ref), abs=3.0)
    assert abs(a.metrics["trunk_lean_mean_deg"]) < 15
    assert a.metrics["trunk_lean_mean_deg"] == pytest.approx(
        ref.metrics["trunk_lean_mean_deg"], abs=2.0
    )
    assert a.metrics["foot_strike_left"] == ref.metrics["foot_strike_left"] == "heel"
    assert a.summary()["video"]["turn_deg"] == turn


def test_upright_video_is_left_as_it_is(analysed):
    a = analysed["upright"]
    assert a.info.turn_deg == 0
    assert not [w for w in a.quality["warnings"] if "rotation metadata" in w]


def test_rotation_metadata_is_honoured_and_not_turned_twice(clips):
    info, notes = prepare_video(clips["metadata_90"], OPTIONS)
    assert (info.rotation_deg, info.turn_deg, info.width, info.height) == (90, 0, *SIZE)
    assert notes == []
    with VideoReader(clips["metadata_90"], max_side=480) as reader:
        first = next(iter(reader)).image
    assert first.shape == (SIZE[1], SIZE[0], 3)


def test_joined_recordings_are_re_timed_and_counted_as_analysed(analysed):
    """Before: video said 135 frames / 2.25 s while 270 frames were analysed, no word of a
    join; and the walker of the second recording was taken for another person (1.64 body
    heights from where he was heading as the picture starts again): 3 steps, 2 persons."""
    a = analysed["joined"]
    assert a.quality["persons_seen"] == 1
    assert np.mean(a.row_track[135:] >= 0) > 0.9  # the subject goes on after the join
    (switch,) = a.quality["identity_switches"]
    assert switch["repaired"] and switch["frame"] == 135 and "joins recordings" in switch["message"]
    # each recording's steps, none across the join
    assert a.metrics["steps"] == 2 * analysed["upright"].metrics["steps"]
    assert all(s["frame"] < 135 or s["frame"] - s["duration_s"] * 60 > 135 for s in a.steps)
    video = a.summary()["video"]
    assert video["frames"] == len(a.pose) == 270
    assert video["duration_s"] == pytest.approx(270 / 60, abs=1e-6)
    assert np.all(np.diff(a.pose.t_s) > 0.015) and np.all(np.diff(a.pose.t_s) < 0.018)
    notes = [w for w in a.quality["warnings"] if "timestamps start again" in w]
    assert notes == [
        "the timestamps start again at frame 135 (2.25 s): the file joins recordings end to "
        "end; the later one was re-timed to follow on at the 60 fps frame rate"
    ]
    assert _cadence(a) == pytest.approx(_cadence(analysed["upright"]), abs=3.0)


def _times(clip: Path) -> tuple[np.ndarray, list[str]]:
    with VideoReader(clip, max_side=480) as reader:
        t_s = np.array([f.t_s for f in reader])
        return t_s, list(reader.warnings)


def test_sub_millisecond_timestamps_are_re_timed_from_the_stated_rate(clips):
    """Before: frames 10 µs apart passed silently: 100 000 fps, 0.001 s, no cadence."""
    info, _ = prepare_video(clips["ten_us"], OPTIONS)
    assert info.fps == pytest.approx(60) and info.duration_s == pytest.approx(135 / 60)
    t_s, warnings = _times(clips["ten_us"])
    clean_t_s, clean_warnings = _times(clips["upright"])
    # the same pictures at the same times as the clean clip: the same analysis
    np.testing.assert_allclose(t_s, clean_t_s, atol=1e-6)
    assert clean_warnings == []
    assert warnings == [
        "134 frame(s) came less than 1 ms after the previous one (duplicated frames or "
        "damaged timestamps); they were re-timed from the frames around them and the 60 fps "
        "frame rate"
    ]


def test_sub_millisecond_timestamps_without_a_stated_rate_are_refused(tmp_path):
    """Motion JPEG states no rate, and the container's average comes from the damaged times
    (12 frames in 33 ms looks like 359 fps): no honest timing exists, so say so."""
    path = tmp_path / "mjpeg.mp4"
    tb = Fraction(1, 1_000_000)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        stream.codec_context.time_base = tb
        for i in range(12):
            frame = av.VideoFrame.from_ndarray(frame_image(i, 64, 48), format="rgb24")
            frame.pts, frame.time_base = 10 * i, tb
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    assert probe(path).fps == 0.0
    message = (
        "mjpeg.mp4: 11 of 12 frames are less than 1 ms apart and the video states no frame "
        "rate, so its timing cannot be recovered: export it again from the phone or the "
        "editing app"
    )
    with pytest.raises(VideoError) as err:
        _times(path)
    assert str(err.value).endswith(message)
    with pytest.raises(VideoError) as err:
        analyze_video(path, options=OPTIONS)
    assert str(err.value).endswith(message)


def test_duplicated_frames_are_re_timed_with_a_warning(clips):
    t_s, warnings = _times(clips["duplicated"])
    assert len(t_s) == 137 and np.all(np.diff(t_s) > 0.001)
    assert t_s[-1] == pytest.approx(134 / 60, abs=0.002)  # the clip's length is unchanged
    assert warnings == [
        "2 frame(s) came less than 1 ms after the previous one (duplicated frames or "
        "damaged timestamps); they were re-timed from the frames around them and the 60 fps "
        "frame rate"
    ]


def test_too_short_clip_is_refused_before_posing(clips):
    with pytest.raises(VideoError, match=r"three.mp4 is too short to analyse \(3 frame\(s\)"):
        analyze_video(clips["three_frames"], options=OPTIONS)


def test_too_few_frames_decoded_is_refused_after_posing(clips):
    """A container that promises more frames than decode (a damaged file) is caught on the
    frames actually posed, before anything is measured; a live session stopped after a few
    frames is still analysed (only its length is corrected)."""
    info = probe(clips["upright"])
    assert info.frames == 135
    people = PeopleTrack(
        info=info,
        persons=[[] for _ in range(4)],
        t_s=np.arange(4) / 60,
        frame_index=np.arange(4),
        warnings=[],
        bundle_origin="none",
    )
    with pytest.raises(VideoError, match=r"upright.mp4 is too short to analyse \(4 frame"):
        refuse_too_few_posed(people)
    assert as_analysed(people).info.frames == 4
    assert as_analysed(people).info.duration_s == pytest.approx(4 / 60, abs=1e-6)


def test_too_short_clip_cli_one_line_nothing_written_nothing_saved(clips, tmp_path):
    """Before: exit 0, "subject found in 100% of 3 frames, 0 person(s) seen", saved."""
    out = tmp_path / "result"
    proc = subprocess.run(
        [sys.executable, "-m", "gaitlab", "analyze", str(clips["three_frames"]), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "error: three.mp4 is too short to analyse (3 frame(s), 0.05 s): record at least "
        "0.5 s and 10 frames of the movement"
    ]
    assert "saved" not in proc.stdout
    assert not (out / "summary.json").exists()


def test_turn_given_by_the_user_wins_and_is_checked(clips):
    info, notes = prepare_video(clips["upright"], AnalyzeOptions(turn_deg=90))
    assert (info.turn_deg, info.width, info.height, notes) == (90, SIZE[1], SIZE[0], [])
    with VideoReader(clips["upright"], turn_deg=90) as reader:
        assert next(iter(reader)).image.shape == (SIZE[0], SIZE[1], 3)
    with pytest.raises(GaitlabError, match="turn must be 0, 90, 180 or 270 degrees, got 45"):
        AnalyzeOptions(turn_deg=45)
    args = build_parser().parse_args(["analyze", "v.mp4", "--out", "o", "--turn", "180"])
    assert args.turn == "180"
    assert build_parser().parse_args(["analyze", "v.mp4", "--out", "o"]).turn == "auto"
