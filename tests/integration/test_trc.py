"""TRC (OpenSim marker) files: written from frames.csv, read back with the same landmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from storekit import walk_analysis

from gaitlab.cli.main import main
from gaitlab.core.landmarks import LOWER_LIMB, SIDES
from gaitlab.io.trc import (
    MARKER_NAMES,
    THIGH_PLUS_SHANK_OF_HEIGHT,
    TrcError,
    frames_to_trc,
    read_trc,
    scale_m_per_px,
    write_trc,
)
from gaitlab.store import Store


def _frames(n: int = 5) -> pd.DataFrame:
    """A standing person: hips at y=500, knees at y=700, ankles at y=900 (thigh + shank =
    400 px), heels and toes on the floor; x grows 10 px per frame (walking right)."""
    t = np.arange(n) / 30.0
    cols: dict[str, np.ndarray] = {"frame": np.arange(n), "t_s": t}
    y = {"hip": 500.0, "knee": 700.0, "ankle": 900.0, "heel": 930.0, "foot_index": 935.0}
    dx = {"hip": 0.0, "knee": 0.0, "ankle": 0.0, "heel": -20.0, "foot_index": 60.0}
    for k, side in enumerate(SIDES):
        for part in LOWER_LIMB:
            cols[f"{side}_{part}_x_px"] = 300.0 + 40 * k + dx[part] + 10 * np.arange(n)
            cols[f"{side}_{part}_y_px"] = np.full(n, y[part])
            cols[f"{side}_{part}_vis"] = np.ones(n)
    frames = pd.DataFrame(cols)
    frames.loc[2, ["right_knee_x_px", "right_knee_y_px"]] = np.nan  # not seen in frame 2
    return frames


def test_pixels_read_back_exactly(tmp_path):
    frames = _frames()
    info = frames_to_trc(frames, tmp_path / "a.trc", frame_height_px=1080)
    assert (info.units, info.m_per_px, info.frames, info.markers) == ("px", None, 5, 10)
    trc = read_trc(tmp_path / "a.trc")
    assert trc.units == "px"
    assert trc.data_rate_hz == pytest.approx(30.0)
    np.testing.assert_allclose(trc.t_s, frames["t_s"], atol=1e-6)
    assert trc.frame.tolist() == [1, 2, 3, 4, 5]
    assert list(trc.markers) == list(MARKER_NAMES.values())
    for (side, part), name in MARKER_NAMES.items():
        xyz = trc.markers[name]
        np.testing.assert_allclose(xyz[:, 0], frames[f"{side}_{part}_x_px"], atol=1e-6)
        np.testing.assert_allclose(xyz[:, 1], 1080 - frames[f"{side}_{part}_y_px"], atol=1e-6)
    assert np.isnan(trc.markers["RKnee"][2]).all()  # a missing marker stays missing
    assert (trc.markers["RKnee"][[0, 1, 3, 4], 2] == 0).all()


def test_metres_from_height(tmp_path):
    frames = _frames()
    # thigh + shank = 400 px stands for 0.491 x 1.80 m
    expected = THIGH_PLUS_SHANK_OF_HEIGHT * 1.80 / 400.0
    assert scale_m_per_px(frames, 180) == pytest.approx(expected)
    info = frames_to_trc(frames, tmp_path / "m.trc", frame_height_px=1000, height_cm=180)
    assert info.units == "m" and info.m_per_px == pytest.approx(expected)
    trc = read_trc(tmp_path / "m.trc")
    assert trc.units == "m"
    hip_to_ankle = trc.markers["LHip"][:, 1] - trc.markers["LAnkle"][:, 1]
    np.testing.assert_allclose(hip_to_ankle, 400 * expected, rtol=1e-5)
    np.testing.assert_allclose(trc.markers["LAnkle"][:, 1], (1000 - 900) * expected, rtol=1e-5)


def test_layout_is_opensim_trc(tmp_path):
    frames_to_trc(_frames(3), tmp_path / "walk.trc", frame_height_px=720)
    lines = (tmp_path / "walk.trc").read_text().split("\n")
    assert lines[0].split("\t") == ["PathFileType", "4", "(X/Y/Z)", "walk.trc"]
    header = dict(zip(lines[1].split("\t"), lines[2].split("\t"), strict=True))
    assert header["NumFrames"] == "3" and header["NumMarkers"] == "10"
    assert header["Units"] == "px" and header["OrigDataStartFrame"] == "1"
    names = lines[3].split("\t")
    assert names[:3] == ["Frame#", "Time", "LHip"] and names[3:5] == ["", ""]
    assert lines[4].split("\t")[2:5] == ["X1", "Y1", "Z1"]
    assert lines[4].split("\t")[-1] == "Z10"
    assert lines[5] == ""
    first = lines[6].split("\t")
    assert len(first) == 2 + 3 * 10 and first[:2] == ["1", "0.000000"]


def test_real_walk_landmarks_read_back(walk_side_clip, tmp_path_factory, tmp_path, monkeypatch):
    analysis, out = walk_analysis(tmp_path_factory, walk_side_clip)
    frames = pd.read_csv(out / "frames.csv")
    height = analysis.info.height
    frames_to_trc(out / "frames.csv", tmp_path / "walk.trc", frame_height_px=height)
    trc = read_trc(tmp_path / "walk.trc")
    assert len(trc.t_s) == len(frames) == 135
    np.testing.assert_allclose(trc.t_s, frames["t_s"], atol=1e-6)
    assert trc.data_rate_hz == pytest.approx(analysis.info.fps, rel=0.01)
    for (side, part), name in MARKER_NAMES.items():
        x, y = frames[f"{side}_{part}_x_px"].to_numpy(), frames[f"{side}_{part}_y_px"].to_numpy()
        np.testing.assert_allclose(trc.markers[name][:, 0], x, atol=1e-5)
        np.testing.assert_allclose(trc.markers[name][:, 1], height - y, atol=1e-5)

    # through the history and the command line: metres from the person's height
    monkeypatch.setenv("GAITLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GAITLAB_DB_URL", raising=False)
    with Store.open() as store:
        store.add_person("Walker", height_cm=175)
        sid = store.save_analysis(out, "Walker")
    assert main(["export", str(sid), "--format", "trc", "--out", str(tmp_path / "cli.trc")]) == 0
    metres = read_trc(tmp_path / "cli.trc")
    assert metres.units == "m"
    scale = scale_m_per_px(frames, 175)
    np.testing.assert_allclose(
        metres.markers["LHip"][:, 0], frames["left_hip_x_px"] * scale, rtol=1e-5
    )
    # a hip about half the body height above the floor (Winter: 0.53 H)
    hip_m = np.nanmedian(metres.markers["LHip"][:, 1] - metres.markers["LHeel"][:, 1])
    assert 0.40 * 1.75 < hip_m < 0.62 * 1.75


@pytest.mark.parametrize(
    ("content", "match"),
    [("frame,t_s\n0,0.0\n", "no left_hip_x_px"), ("a,b\n1,2\n", "no t_s column")],
)
def test_bad_frames_table(tmp_path, content, match):
    (tmp_path / "frames.csv").write_text(content)
    with pytest.raises(TrcError, match=match):
        frames_to_trc(tmp_path / "frames.csv", tmp_path / "x.trc", frame_height_px=10)
    assert not (tmp_path / "x.trc").exists()


def test_write_rejects_wrong_shapes(tmp_path):
    with pytest.raises(TrcError, match=r"expected \(2, 3\)"):
        write_trc(tmp_path / "x.trc", np.array([0.0, 0.1]), {"A": np.zeros((3, 3))}, "px")
    with pytest.raises(TrcError, match="not a TRC file"):
        (tmp_path / "y.trc").write_text("hello\n")
        read_trc(tmp_path / "y.trc")
