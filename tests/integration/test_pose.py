"""Pose package: model bundle, MediaPipe backend (run for real), tracking, subject choice."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

import gaitlab
from gaitlab.core.errors import ModelError, NoSubjectError, ShapeError
from gaitlab.core.landmarks import N_LANDMARKS, Landmark, side_landmark
from gaitlab.pose import (
    BundleInfo,
    FollowSubject,
    MediaPipePose,
    PersonPose,
    PoseEstimator,
    Tracker,
    estimate_video,
    resolve_bundle,
    select_subject,
    suppress_duplicates,
    track_people,
    unfollowed_fraction,
)
from gaitlab.pose import bundle as bundle_mod
from gaitlab.pose.follow import _square

REPO = Path(gaitlab.__file__).resolve().parents[1]
FRAME = (1920, 1080)  # the walk clip's size (conftest's walk_side_clip: one man, 135 frames)


# -- helpers ------------------------------------------------------------------------------


def read_frames(path: Path, *, step: int = 1, width: int | None = None):
    """``(rgb, t_s, (W, H))`` for every ``step``-th frame, optionally downscaled to ``width``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for i, frame in enumerate(container.decode(stream)):
            if i % step:
                continue
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            if width is not None and width != w:
                rgb = cv2.resize(rgb, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
            yield rgb, float(frame.time), (w, h)


# Stick figure in body heights relative to the hip centre (x right, y down): head top at
# -0.5, soles at +0.5, so bbox height = 1 body height and torso = 0.3 body heights.
_TEMPLATE = np.zeros((N_LANDMARKS, 2))
for _lm in Landmark:
    if _lm <= Landmark.MOUTH_RIGHT:
        _TEMPLATE[_lm] = (0.0, -0.45)
_TEMPLATE[Landmark.NOSE] = (0.0, -0.5)
for _s, _sign in (("left", 1.0), ("right", -1.0)):
    for _part, (_dx, _dy) in {
        "shoulder": (0.10, -0.30),
        "elbow": (0.12, -0.15),
        "wrist": (0.12, 0.0),
        "pinky": (0.12, 0.03),
        "index": (0.12, 0.03),
        "thumb": (0.11, 0.02),
        "hip": (0.06, 0.0),
        "knee": (0.06, 0.25),
        "ankle": (0.06, 0.46),
        "heel": (0.05, 0.5),
        "foot_index": (0.09, 0.5),
    }.items():
        _TEMPLATE[side_landmark(_s, _part)] = (_sign * _dx, _dy)


def person(x: float, y: float, height: float = 400.0, vis: float = 0.9) -> PersonPose:
    """A standing figure with hip centre (x, y) px and body height ``height`` px."""
    return PersonPose(xy=np.array([x, y]) + _TEMPLATE * height, visibility=np.full(33, vis))


def clip(n: int, fps: float = 30.0) -> np.ndarray:
    return np.arange(n) / fps


def fake_bundle(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for member in bundle_mod.BUNDLE_MEMBERS:
            zf.writestr(member, b"not really a model")
    return path


# -- model bundle -------------------------------------------------------------------------

# SHA-256 of the shipped bundle's two models: BlazePose full from the mediapipe 0.10.21 wheel
# with gaitlab's metadata, byte for byte what mediapipe 0.10.21's own writers produced.
SHIPPED_MEMBERS_SHA256 = {
    "pose_detector.tflite": "5cf26aed41caa50df5d54b28bbfb79569576e6cffb2d4ace8a238a66433be4c8",
    "pose_landmarks_detector.tflite": (
        "0455a30ca067ff984a35f7749692b8e37cdb64b930aa9c15a131ed364114d815"
    ),
}


def shipped_bundle() -> Path:
    """The bundle shipped in gaitlab's own models directory (whatever GAITLAB_MODELS_DIR)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GAITLAB_MODELS_DIR", raising=False)
        return bundle_mod.default_models_dir() / bundle_mod.SHIPPED_BUNDLE


@pytest.fixture()
def isolated_dirs(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("GAITLAB_MODELS_DIR", str(models))
    return models


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> BundleInfo:
    """The shipped bundle, resolved from a models directory that holds only it."""
    models = tmp_path_factory.mktemp("models")
    shutil.copy(shipped_bundle(), models)
    return resolve_bundle(models_dir=models)


def test_shipped_bundle_is_blazepose_full_stored_and_aligned():
    path = shipped_bundle()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == list(bundle_mod.BUNDLE_MEMBERS)
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            # MediaPipe maps the members straight from the file: 4-byte aligned data.
            assert (info.header_offset + len(info.FileHeader())) % 4 == 0
            digest = hashlib.sha256(zf.read(info.filename)).hexdigest()
            assert digest == SHIPPED_MEMBERS_SHA256[info.filename], info.filename
    assert (path.parent / "LICENSE.mediapipe").is_file()
    assert "0.10.21" in (path.parent / "NOTICE").read_text()


def test_shipped_bundle_used_without_an_official_one(isolated_dirs):
    models = isolated_dirs
    shutil.copy(shipped_bundle(), models)
    info = resolve_bundle()
    assert info.origin == "shipped"
    assert info.path == models / bundle_mod.SHIPPED_BUNDLE
    assert "BlazePose full" in info.description and "0.10.21" in info.description


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        (["lite"], "lite"),
        (["lite", "heavy"], "heavy"),
        (["lite", "heavy", "full"], "full"),
    ],
)
def test_official_bundle_preferred_full_heavy_lite(isolated_dirs, present, chosen):
    models = isolated_dirs
    fake_bundle(models / bundle_mod.SHIPPED_BUNDLE)
    for variant in present:
        fake_bundle(models / f"pose_landmarker_{variant}.task")
    info = resolve_bundle()
    assert info.origin == "official"
    assert info.path == models / f"pose_landmarker_{chosen}.task"
    assert f"({chosen})" in info.description


@pytest.mark.parametrize("name", ["pose_landmarker_full.task", bundle_mod.SHIPPED_BUNDLE])
def test_broken_bundle_is_an_error_not_a_fallback(isolated_dirs, name):
    models = isolated_dirs
    fake_bundle(models / bundle_mod.SHIPPED_BUNDLE)
    (models / name).write_text("version https://git-lfs.github.com/spec/v1")
    with pytest.raises(ModelError, match=f"{name} is not a usable"):
        resolve_bundle()


def test_no_bundle_says_what_belongs_there(isolated_dirs):
    with pytest.raises(ModelError, match=r"blazepose_full\.task.*build_pose_bundle\.py"):
        resolve_bundle()


def test_recipe_rebuilds_the_shipped_models_byte_for_byte(tmp_path):
    """The metadata recipe is idempotent: run on the shipped models (which already carry
    its metadata) with the installed mediapipe, it gives them back unchanged."""
    with zipfile.ZipFile(shipped_bundle()) as zf:
        detector, landmarker = (zf.read(m) for m in bundle_mod.BUNDLE_MEMBERS)
    out = tmp_path / "rebuilt.task"
    bundle_mod._write_bundle(detector, landmarker, out)
    with zipfile.ZipFile(out) as zf:
        for member, digest in SHIPPED_MEMBERS_SHA256.items():
            assert hashlib.sha256(zf.read(member)).hexdigest() == digest


def test_wheel_without_the_weights_or_with_other_ones_is_refused(tmp_path):
    empty = tmp_path / "empty.whl"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("mediapipe/__init__.py", "")
    with pytest.raises(ModelError, match=r"has no .*pose_detection\.tflite.*0\.10\.21"):
        bundle_mod.build_bundle_from_wheel(tmp_path / "x.task", empty)
    other = tmp_path / "other.whl"
    with zipfile.ZipFile(other, "w") as zf:
        for member in bundle_mod.WHEEL_SHA256:
            zf.writestr(member, b"other weights")
    with pytest.raises(ModelError, match="SHA-256"):
        bundle_mod.build_bundle_from_wheel(tmp_path / "x.task", other)
    assert not (tmp_path / "x.task").exists()


# -- MediaPipe backend on real video ------------------------------------------------------


@pytest.fixture(scope="module")
def walk_frames(walk_side_clip) -> list:
    """Every 3rd frame of the walk clip (45 frames), full size."""
    return list(read_frames(walk_side_clip, step=3))


def run(bundle: BundleInfo, frames, width: int | None) -> list[list[PersonPose]]:
    def scaled():
        for rgb, t_s, size in frames:
            if width is not None:
                h = round(rgb.shape[0] * width / rgb.shape[1])
                rgb = cv2.resize(rgb, (width, h), interpolation=cv2.INTER_AREA)
            yield rgb, t_s, size

    with MediaPipePose(bundle) as estimator:
        per_frame, t_s = estimate_video(scaled(), estimator)
    assert np.array_equal(t_s, [f[1] for f in frames])
    return per_frame


@pytest.fixture(scope="module")
def walk_half(bundle, walk_frames) -> list[list[PersonPose]]:
    return run(bundle, walk_frames, width=960)


def test_backend_finds_the_walker_with_plausible_legs(walk_half):
    detected = [ps[0] for ps in walk_half if ps]
    assert len(detected) / len(walk_half) > 0.9
    assert all(len(ps) == 1 for ps in walk_half)  # one person in this clip
    w, h = FRAME
    for p in detected:
        for side in ("left", "right"):
            hip, knee, ankle = (p.xy[side_landmark(side, j)] for j in ("hip", "knee", "ankle"))
            for x, y in (hip, knee, ankle):
                assert 0 <= x < w and 0 <= y < h
            assert hip[1] < knee[1] < ankle[1]
        assert p.world is not None and p.world.shape == (33, 3)
        assert np.all((p.visibility >= 0) & (p.visibility <= 1))


def test_half_size_input_gives_full_size_coordinates(bundle, walk_frames, walk_half):
    full = run(bundle, walk_frames, width=None)
    legs = [
        int(side_landmark(s, p))
        for s in ("left", "right")
        for p in ("hip", "knee", "ankle", "heel", "foot_index")
    ]
    dist = np.array(
        [
            np.linalg.norm(a[0].xy[legs] - b[0].xy[legs], axis=1)
            for a, b in zip(full, walk_half, strict=True)
            if a and b
        ]
    )
    assert len(dist) > 0.9 * len(walk_frames)
    # Measured: median 2.2 px, 90th percentile ~6 px of a 1080 px frame.
    assert np.median(dist) < 0.01 * FRAME[1]
    assert np.percentile(dist, 90) < 0.01 * FRAME[1]


def test_backend_contract_details(bundle, walk_frames):
    rgb, t_s, size = walk_frames[0]
    small = cv2.resize(rgb, (960, 540))
    with MediaPipePose(bundle, num_poses=2) as estimator:
        assert isinstance(estimator, PoseEstimator)
        estimator.process(small, t_s, out_size=size)
        estimator.process(small, t_s, out_size=size)  # same time again: bumped by 1 ms
        assert estimator.timestamps_adjusted == 1
        with pytest.raises(ShapeError, match="aspect ratio"):
            estimator.process(small, t_s + 1, out_size=(size[1], size[0]))
        with pytest.raises(ShapeError, match=r"expected \(h, w, 3\) uint8"):
            estimator.process(small.astype(float), t_s + 1, out_size=size)
    with pytest.raises(RuntimeError, match="after close"):
        estimator.process(small, t_s + 2, out_size=size)


def sample_multi() -> Path:
    env = os.environ.get("GAITLAB_SAMPLE_MULTI")
    path = Path(env) if env else REPO / "sample_videos" / "demo.mp4"
    if not path.is_file():
        pytest.fail(
            f"multi-person sample missing: {path} (run python scripts/fetch_samples.py "
            "or set GAITLAB_SAMPLE_MULTI)"
        )
    return path


@pytest.fixture(scope="module")
def demo_everybody(bundle) -> tuple[list[list[PersonPose]], np.ndarray]:
    """Everybody in every frame of the multi-person sample (1768x994 VP9, 30 fps, 230)."""
    with MediaPipePose(bundle, num_poses=4) as estimator:
        return estimate_video(read_frames(sample_multi(), width=960), estimator)


def test_several_people_tracked_and_subject_chosen_openly(demo_everybody):
    per_frame, t_s = demo_everybody
    assert len(per_frame) == 230
    assert max(len(ps) for ps in per_frame) >= 2
    tracks = track_people(per_frame, t_s)
    sel = select_subject(tracks, t_s, (1768, 994), "auto", source="demo.mp4")
    # Measured: a man standing on a box (0.1-5.3 s), a woman walking right to left in the
    # foreground (2.0-6.8 s), a man in shorts (6.6-7.5 s): 3 people, sometimes 4 when the
    # woman's exit at the left edge splits her track.
    assert 3 <= sel.persons_seen <= 4
    assert len(sel.pose) == 230
    assert 0.5 < sel.pose.detected().mean() < 0.8
    # Two long tracks overlap in time: the choice between them must be visible.
    long_tracks = [tr for tr in tracks if tr.duration_s > 3.0]
    assert len(long_tracks) == 2
    assert sel.track_id in {tr.track_id for tr in long_tracks}
    assert any("close call" in w for w in sel.warnings)
    # The subject row track changes only where a switch is reported.
    present = sel.row_track[sel.row_track >= 0]
    changes = {(int(a), int(b)) for a, b in zip(present[:-1], present[1:], strict=True) if a != b}
    assert changes == {(s.from_track, s.to_track) for s in sel.switches if s.repaired}


def test_following_the_subject_finds_the_same_subject_for_less(bundle, demo_everybody):
    """Following between looks every 0.5 s chooses the woman the frame-by-frame run chooses,
    follows her wherever that run has her but at her entry, and poses fewer people (measured:
    165 poses against 291)."""
    every, t_s = demo_everybody
    with FollowSubject(bundle) as estimator:
        followed, t_f = estimate_video(read_frames(sample_multi(), width=960), estimator)
    assert np.array_equal(t_f, t_s)
    # Measured: 95 looks in 230 frames (every 15th frame, every frame with nobody followed,
    # and the frame after a person followed was lost), against a look at every frame.
    assert estimator.looks < 0.5 * len(t_s)
    assert unfollowed_fraction(followed, t_s) == 0.0
    size = (1768, 994)
    old = select_subject(track_people(every, t_s), t_s, size)
    new = select_subject(track_people(followed, t_s), t_s, size)
    both = old.pose.detected() & new.pose.detected()
    # Measured: the woman is found from frame 81 (frame by frame: 59, at the right edge, where
    # MediaPipe keeps a person it has seen but does not find one anew): 113 of the frame by
    # frame run's 142 frames.
    assert both.sum() >= 0.75 * old.pose.detected().sum()
    d = np.linalg.norm(old.pose.xy[both] - new.pose.xy[both], axis=2)
    assert np.median(d) < 0.01 * size[1]  # measured: 1.6 px
    assert sum(map(len, followed)) < 0.8 * sum(map(len, every))


def test_following_one_walker_gives_frame_by_frame_landmarks(bundle, walk_frames, walk_half):
    """With one person in view, following poses them on a square around them: the same
    landmarks, up to the detector's placement, as a frame-by-frame run."""
    with FollowSubject(bundle) as estimator:
        followed, _ = estimate_video(
            ((cv2.resize(rgb, (960, 540)), t_s, size) for rgb, t_s, size in walk_frames),
            estimator,
        )
    assert all(len(ps) == 1 and ps[0].unseen_s == 0.0 for ps in followed)
    assert estimator.looks <= 1 + len(walk_frames) // 10  # 20 fps: a look every 10 frames
    d = np.array(
        [
            np.linalg.norm(a[0].xy - b[0].xy, axis=1)
            for a, b in zip(followed, walk_half, strict=True)
        ]
    )
    assert np.median(d) < 0.005 * FRAME[1]


def test_square_followed_stays_inside_the_image():
    p = person(100, 300, height=200)  # near the left edge, in frame pixels (1920 wide)
    x0, y0, w, h = _square(p, np.zeros(2), 0.5, (960, 540))  # image at half size
    assert (x0, w, h) == (0, 200, 200)  # 2 body heights of 100 image px, moved inside
    assert y0 == round(150 - 100)
    x0, y0, w, h = _square(person(900, 500, height=2000), np.zeros(2), 0.5, (960, 540))
    assert (x0, y0, w, h) == (0, 0, 960, 540)  # bigger than the image: the whole image


# -- tracking on synthetic people ---------------------------------------------------------


def test_a_person_seen_only_at_looks_keeps_one_track_and_counts_for_the_frames_between():
    """A bystander seen every 0.6 s (18 frames) beside a followed subject: one track, not 5,
    counted as a person, and scored as if seen in every frame."""
    t = clip(90)
    frames = [[person(300 + 4 * i, 600)] for i in range(90)]
    for i in range(0, 90, 18):
        frames[i].append(replace(person(1200, 600, height=300), unseen_s=0.6))
    tracks = track_people(frames, t)
    assert [tr.n_obs for tr in tracks] == [90, 5]
    sel = select_subject(tracks, t, FRAME)
    assert sel.track_id == 1 and sel.persons_seen == 2
    # The bystander stands for 5 x 18 frames at 300 px against 90 at 400 px.
    assert sel.scores[2] == pytest.approx(sel.scores[1] * 300 / 400)
    assert unfollowed_fraction(frames, t) == 0.0
    # Without the unseen time each look would start a new, too brief track.
    plain = [[replace(p, unseen_s=0.0) for p in ps] for ps in frames]
    plain_tracks = track_people(plain, t)
    assert len(plain_tracks) == 6
    assert select_subject(plain_tracks, t, FRAME).persons_seen == 1
    # Were the bystander the better subject, the choice would rest on frames not posed.
    bigger = [list(ps) for ps in frames]
    for i in range(0, 90, 18):
        bigger[i][1] = replace(person(1200, 600, height=600), unseen_s=0.6)
    assert unfollowed_fraction(bigger, t) == pytest.approx(5 * 17 / 90)


def test_unseen_time_must_be_a_time():
    with pytest.raises(ShapeError, match="unseen_s"):
        replace(person(0, 0), unseen_s=-1.0)


@pytest.mark.parametrize(
    ("b_hip_y", "b_height", "hidden"),
    [
        (520, 320, range(28, 32)),  # B further away, hidden for 4 frames
        # Same depth and size, B hidden 0.37 s: when B reappears A stands where B was last
        # seen, so only B's predicted motion tells them apart.
        (600, 400, range(25, 36)),
    ],
)
def test_people_crossing_keep_their_identities(b_hip_y, b_height, hidden):
    # A walks left->right near the camera, B right->left.
    t = clip(60)
    xa = np.linspace(200, 1000, 60)
    xb = np.linspace(1000, 200, 60)
    frames = []
    for i in range(60):
        ps = [person(xa[i], 600, 400)]
        if i not in hidden:
            ps.append(person(xb[i], b_hip_y, b_height))
        frames.append(ps[::-1] if i % 2 else ps)  # detection order must not matter
    tracks = track_people(frames, t)
    assert [tr.track_id for tr in tracks] == [1, 2]
    a, b = tracks
    assert a.n_obs == 60 and b.n_obs == 60 - len(hidden)
    assert np.all(np.diff([p.hip_center[0] for p in a.persons]) > 0)
    assert np.all(np.diff([p.hip_center[0] for p in b.persons]) < 0)


def test_short_gap_keeps_the_track_and_leaves_nan_rows():
    t = clip(40)
    frames = [[] if 15 <= i < 21 else [person(300 + 5 * i, 600)] for i in range(40)]  # 0.2 s gap
    tracks = track_people(frames, t)
    assert len(tracks) == 1
    sel = select_subject(tracks, t, FRAME)
    assert sel.track_id == 1 and sel.switches == () and sel.warnings == ()
    assert np.array_equal(sel.pose.detected(), [not 15 <= i < 21 for i in range(40)])
    assert np.isnan(sel.pose.xy[15:21]).all()
    assert sel.pose.point(Landmark.LEFT_HIP)[10, 0] == pytest.approx(300 + 50 + 0.06 * 400)


def test_long_gap_is_a_new_track_then_a_reported_repair():
    # Subject walks at 300 px/s, hidden 0.8 s (longer than the tracker bridges), returns
    # where they were heading: repaired, and said so.
    t = clip(60)
    frames = [[] if 20 <= i < 44 else [person(300 + 10 * i, 600)] for i in range(60)]
    tracks = track_people(frames, t)
    assert [tr.track_id for tr in tracks] == [1, 2]
    sel = select_subject(tracks, t, FRAME)
    assert sel.track_ids == (1, 2) and sel.track_id == 1
    assert sel.persons_seen == 1
    (switch,) = sel.switches
    assert switch.repaired and (switch.from_track, switch.to_track) == (1, 2)
    assert switch.t_s == pytest.approx(t[44])
    assert sel.warnings == (
        "subject track 1 continued as track 2 at 1.47 s (repaired: 0.83 s gap, "
        "0.00 body heights from where track 1 was heading)",
    )
    assert sel.pose.detected().sum() == 36
    assert set(sel.row_track[44:]) == {2}
    assert sel.pose.point(Landmark.LEFT_HIP)[50, 0] == pytest.approx(300 + 500 + 24)

    no_repair = select_subject(tracks, t, FRAME, repair_gap_s=0)
    assert no_repair.track_ids == (1,) or no_repair.track_ids == (2,)
    assert no_repair.persons_seen == 2


def test_implausible_jump_splits_and_is_never_merged():
    t = clip(40)
    frames = [[person(300 if i < 25 else 1100, 600)] for i in range(40)]  # 2 body heights
    tracks = track_people(frames, t)
    assert [tr.n_obs for tr in tracks] == [25, 15]
    sel = select_subject(tracks, t, FRAME)
    assert sel.track_ids == (1,)
    (switch,) = sel.switches
    assert not switch.repaired and switch.distance == pytest.approx(2.0, abs=0.01)
    assert "was not merged" in sel.warnings[0] and "track 2" in sel.warnings[0]
    assert np.isnan(sel.pose.xy[25:]).all()  # no silent jump to the other place


def test_a_join_of_recordings_keeps_the_subject_by_size_not_place():
    """At a join the picture starts again: the same jump is then the same person when the
    size matches and nobody else of that size starts there."""
    t = clip(40)
    frames = [[person(300 if i < 25 else 1100, 600)] for i in range(40)]
    sel = select_subject(track_people(frames, t), t, FRAME, joins_s=(t[25],))
    assert sel.track_ids == (1, 2) and sel.persons_seen == 1
    (switch,) = sel.switches
    assert switch.repaired and "joins recordings" in sel.warnings[0]
    assert not np.isnan(sel.pose.xy[25:]).any()

    other_size = [
        [person(300, 600)] if i < 25 else [person(1100, 600, height=800)] for i in range(40)
    ]
    sel = select_subject(track_people(other_size, t), t, FRAME, joins_s=(t[25],), rule=1)
    assert sel.track_ids == (1,) and not sel.switches[0].repaired

    two = [
        [person(300, 600)] if i < 25 else [person(700, 600), person(1300, 600)] for i in range(40)
    ]
    sel = select_subject(track_people(two, t), t, FRAME, joins_s=(t[25],), rule=1)
    assert sel.track_ids == (1,) and not any(s.repaired for s in sel.switches)


def test_ambiguous_continuation_is_not_repaired():
    t = clip(60)
    frames = [[person(600, 600)] if i < 20 else [] for i in range(60)]
    for i in range(40, 60):  # two look-alikes appear on either side, 0.7 s later
        frames[i] = [person(520, 600), person(680, 600)]
    sel = select_subject(track_people(frames, t), t, FRAME, rule=1)
    assert sel.track_ids == (1,)
    assert len(sel.switches) == 2 and not any(s.repaired for s in sel.switches)
    assert all("other tracks fit as well" in w for w in sel.warnings[:2])


def test_person_entering_mid_clip_gets_a_new_identity_and_rules_choose():
    # Subject (track 1) is in every frame; a larger person walks in at 1 s and stays 1 s.
    t = clip(90)
    frames = [[person(400, 600, 380)] for _ in range(90)]
    for i in range(30, 60):
        frames[i].append(person(1500 - 10 * i, 620, 450))
    tracks = track_people(frames, t)
    assert [(tr.track_id, tr.n_obs, tr.start_s) for tr in tracks] == [
        (1, 90, 0.0),
        (2, 30, pytest.approx(1.0)),
    ]
    auto = select_subject(tracks, t, FRAME)
    assert auto.track_id == 1 and auto.persons_seen == 2 and auto.rule == "auto"
    assert auto.scores[1] == pytest.approx(90 * 10 * 380)  # 10 leg landmarks visible
    largest = select_subject(tracks, t, FRAME, "largest")
    assert largest.track_id == 2
    assert largest.pose.detected().sum() == 30
    assert any("detected in only 33%" in w for w in largest.warnings)
    explicit = select_subject(tracks, t, FRAME, 2)
    assert explicit.track_id == 2 and explicit.rule == "track"


def test_auto_prefers_visible_legs_over_duration():
    t = clip(60)
    frames = [[person(300, 600, 400, vis=0.2), person(900, 600, 400)] for _ in range(60)]
    sel = select_subject(track_people(frames, t), t, FRAME)
    assert sel.track_id == 2  # same size and duration, but only track 2's legs are visible


@pytest.mark.parametrize(
    ("tracks_frames", "rule", "error", "match"),
    [
        ([[]] * 5, "auto", NoSubjectError, "nobody was found in the video"),
        ([[person(300, 600)]] * 5, 7, NoSubjectError, "no track 7; the tracks are 1"),
        ([[person(300, 600)]] * 5, "biggest", ValueError, "expected 'auto', 'largest'"),
    ],
)
def test_select_subject_bad_requests(tracks_frames, rule, error, match):
    t = clip(len(tracks_frames))
    with pytest.raises(error, match=match):
        select_subject(track_people(tracks_frames, t), t, FRAME, rule)


def test_tracker_live_use_and_bad_timestamps():
    tracker = Tracker()
    assert tracker.update([person(300, 600), person(900, 600)], 0.0) == [1, 2]
    assert tracker.update([person(905, 600), person(302, 600)], 0.033) == [2, 1]
    assert tracker.update([], 0.066) == []
    assert tracker.n_frames == 3
    with pytest.raises(ShapeError, match="timestamps must increase"):
        tracker.update([], 0.066)


def test_duplicate_poses_of_one_person_are_suppressed():
    a = person(500, 600)
    nearly_a = PersonPose(xy=a.xy + 3.0, visibility=np.full(33, 0.5))
    from gaitlab.core.landmarks import MIRROR

    mirrored_a = PersonPose(xy=a.xy[MIRROR], visibility=np.full(33, 0.95))
    b = person(700, 600)  # half a body height away: a different person
    assert suppress_duplicates([a, nearly_a, b]) == [a, b]
    assert suppress_duplicates([a, mirrored_a]) == [mirrored_a]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"xy": np.zeros((17, 2)), "visibility": np.zeros(33)}, r"xy: expected shape \(33, 2\)"),
        ({"xy": np.zeros((33, 2)), "visibility": np.zeros(17)}, r"visibility: expected"),
        ({"xy": np.full((33, 2), np.nan), "visibility": np.zeros(33)}, "finite"),
    ],
)
def test_person_pose_validates_shapes(kwargs, match):
    with pytest.raises(ShapeError, match=match):
        PersonPose(**kwargs)
