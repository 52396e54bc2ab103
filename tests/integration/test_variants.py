"""Tests for gaitlab.testing.variants on tiny synthetic clips (tests/fixtures/videogen.py):
each variant's geometry, timing and coding, determinism, the cache and the command line."""

from __future__ import annotations

import av
import numpy as np
import pytest

from gaitlab.io.video import VideoReader, probe
from gaitlab.testing import variants as v

W, H, N, FPS = 128, 96, 30, 30


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """1 s at 30 fps, 128×96, dark grey: a white marker in the top-left quarter."""
    path = tmp_path_factory.mktemp("variants") / "src.mp4"
    image = np.full((H, W, 3), 40, np.uint8)
    image[: H // 4, : W // 4] = 255
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for _ in range(N):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def _frames(path):
    with VideoReader(path) as reader:
        return [(f.t_s, f.image) for f in reader]


def _marker_centre(image) -> tuple[float, float]:
    """Centre of the bright marker, as fractions of width and height."""
    ys, xs = np.nonzero(image.mean(axis=2) > 150)
    return xs.mean() / image.shape[1], ys.mean() / image.shape[0]


def test_mirror_and_upside_down_move_the_marker(clip, tmp_path):
    mx, my = _marker_centre(_frames(v.mirror(clip, tmp_path / "m.mp4"))[0][1])
    assert mx > 0.8 and my < 0.2
    ux, uy = _marker_centre(_frames(v.upside_down(clip, tmp_path / "u.mp4"))[0][1])
    assert ux > 0.8 and uy > 0.8
    assert probe(tmp_path / "u.mp4").rotation_deg == 0  # no metadata: the pixels are turned


@pytest.mark.parametrize("clockwise", [90, 270])
def test_rotation_metadata_reads_back_upright(clip, tmp_path, clockwise):
    out = v.rotation_metadata(clip, tmp_path / "r.mp4", clockwise_deg=clockwise)
    info = probe(out)
    assert (info.rotation_deg, info.coded_width, info.coded_height) == (clockwise, H, W)
    assert (info.width, info.height) == (W, H)
    x, y = _marker_centre(_frames(out)[0][1])
    assert x < 0.2 and y < 0.2


@pytest.mark.parametrize("fps", [10.0, 15.0, 24.0, 60.0])
def test_frame_rate_samples_the_same_span(clip, tmp_path, fps):
    frames = _frames(v.frame_rate(clip, tmp_path / "f.mp4", fps=fps))
    t = np.array([f[0] for f in frames])
    assert probe(tmp_path / "f.mp4").fps == pytest.approx(fps)
    assert np.allclose(np.diff(t), 1.0 / fps, atol=1e-4)
    assert len(t) == int((N - 1) / FPS * fps) + 1


def test_sizes_and_coding(clip, tmp_path):
    small = probe(v.downscale(clip, tmp_path / "s.mp4", short_side=48))
    assert (small.width, small.height) == (64, 48)
    tall = probe(v.portrait_crop(clip, tmp_path / "p.mp4"))
    assert (tall.width, tall.height) == (54, 96)
    hevc = probe(v.hevc_10bit(clip, tmp_path / "h.mp4"))
    assert (hevc.codec, hevc.pix_fmt) == ("hevc", "yuv420p10le")
    with pytest.raises(ValueError, match="nothing to crop"):
        v.portrait_crop(tmp_path / "p.mp4", tmp_path / "pp.mp4")


def test_portrait_crop_follows_the_given_track(clip, tmp_path):
    out = v.portrait_crop(clip, tmp_path / "p.mp4", centre_x=((0.0, 0.0), (1.0, 1.0)))
    frames = _frames(out)
    assert _marker_centre(frames[0][1])[0] < 0.6  # at the left edge: the marker is in view
    assert not (frames[-1][1].mean(axis=2) > 200).any()  # at the right edge: it is not


def test_zoom_magnifies_after_the_ramp_only(clip, tmp_path):
    frames = _frames(
        v.zoom(clip, tmp_path / "z.mp4", end=1.3, at_frac=0.5, ramp_s=0.2, anchor=(0.0, 0.0))
    )
    area = [(img.mean(axis=2) > 200).mean() for _, img in frames]
    assert area[0] == pytest.approx(1 / 16, abs=0.01)
    assert area[-1] == pytest.approx(1.3**2 / 16, abs=0.03)
    with pytest.raises(ValueError, match="≥ 1"):
        v.zoom(clip, tmp_path / "zz.mp4", start=0.8)


def test_pan_and_shake_move_the_picture(clip, tmp_path):
    pan = _frames(v.pan(clip, tmp_path / "p.mp4", shift=0.2))
    assert _marker_centre(pan[-1][1])[0] < _marker_centre(pan[0][1])[0] - 0.1
    shaken = _frames(v.shake(clip, tmp_path / "s.mp4", amplitude=0.05, roll_deg=0.0))
    xs = np.array([_marker_centre(img)[0] for _, img in shaken])
    assert 0.02 < xs.max() - xs.min() < 0.2


def test_shake_path_is_seeded_and_bounded():
    t = np.linspace(0.0, 5.0, 300)
    a, b, c = v.shake_path(t, seed=1), v.shake_path(t, seed=1), v.shake_path(t, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.allclose(np.abs(a).max(axis=0), 1.0)
    assert np.abs(np.diff(a, axis=0)).max() < 0.2  # low-frequency: no jumps between frames


def test_make_variant_is_deterministic_and_cached(clip, tmp_path):
    first = v.make_variant(clip, "shake", tmp_path / "a")
    again = v.make_variant(clip, "shake", tmp_path / "b")
    assert v.file_digest(first) == v.file_digest(again)
    mtime = first.stat().st_mtime_ns
    assert v.make_variant(clip, "shake", tmp_path / "a") == first
    assert first.stat().st_mtime_ns == mtime
    other = v.STANDARD["shake"].with_params(seed=1)
    assert v.make_variant(clip, other, tmp_path / "a") != first


def test_command_line(clip, tmp_path, capsys):
    assert v.main([str(clip), "--out", str(tmp_path), "--only", "mirror,fps10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["mirror", "fps10"]
    assert len(list(tmp_path.glob("*.mp4"))) == 2
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    assert v.main([str(bad), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
