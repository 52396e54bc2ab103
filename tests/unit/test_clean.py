"""Cleaning: synthetic tracks with analytic answers (sines, ramps, spikes, gaps)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gaitlab.core.landmarks import N_LANDMARKS, Landmark
from gaitlab.core.types import PoseSequence
from gaitlab.signals.clean import (
    CleanConfig,
    OneEuroFilter,
    body_height_px,
    clean_offline,
    fill_gaps,
    gate_visibility,
    lowpass,
    one_euro,
    reject_outliers,
)
from gaitlab.testing.synthetic import Camera, walk

KNEE = Landmark.LEFT_KNEE
BODY_PX = 400.0


def base_pose() -> np.ndarray:
    """A static figure: landmarks spread over a 400 px tall, 120 px wide box."""
    k = np.arange(N_LANDMARKS)
    return np.stack([200.0 + 120.0 * (k % 5) / 4.0, 100.0 + BODY_PX * k / (N_LANDMARKS - 1)], 1)


def make_seq(t_s: np.ndarray, signal: np.ndarray | None = None, lm: int = KNEE) -> PoseSequence:
    """Static figure; ``signal`` (T,) added to landmark ``lm``'s x coordinate."""
    xy = np.repeat(base_pose()[None], len(t_s), axis=0)
    if signal is not None:
        xy[:, lm, 0] += signal
    return PoseSequence(
        xy=xy, visibility=np.ones((len(t_s), N_LANDMARKS)), t_s=t_s, frame_size=(640, 640)
    )


def gain(t: np.ndarray, y: np.ndarray, f: float) -> float:
    """Amplitude of the ``f`` Hz component of ``y`` (least squares, middle half only)."""
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    a = np.stack([np.sin(2 * np.pi * f * t[mid]), np.cos(2 * np.pi * f * t[mid])], 1)
    coef, *_ = np.linalg.lstsq(a, y[mid], rcond=None)
    return float(np.hypot(*coef))


def lowpass_gain(t: np.ndarray, f: float, cutoff_hz: float = 6.0) -> float:
    sig = np.sin(2 * np.pi * f * t)
    out = lowpass(make_seq(t, sig), cutoff_hz=cutoff_hz)
    return gain(t, out.xy[:, KNEE, 0] - base_pose()[KNEE, 0], f)


# -- lowpass ------------------------------------------------------------------------------
@pytest.mark.parametrize("fps", [30.0, 60.0, 120.0])
@pytest.mark.parametrize(
    ("f", "lo", "hi"),
    [(1.0, 0.99, 1.001), (3.0, 0.95, 1.0), (6.0, 0.69, 0.72), (12.0, 0.0, 0.2)],
)
def test_lowpass_cutoff_in_hz(fps, f, lo, hi):
    t = np.arange(0, 10, 1 / fps)
    assert lo <= lowpass_gain(t, f) <= hi


@pytest.mark.parametrize("f", [1.0, 2.0, 4.0, 5.0, 6.0])
def test_same_cutoff_same_passband_at_30_and_60_fps(f):
    g30 = lowpass_gain(np.arange(0, 10, 1 / 30), f)
    g60 = lowpass_gain(np.arange(0, 10, 1 / 60), f)
    assert g30 == pytest.approx(g60, abs=0.025)


@pytest.mark.parametrize("f", [8.0, 10.0, 12.0])
def test_stopband_never_weaker_at_lower_fps(f):
    # Above the cutoff the bilinear transform attenuates more near Nyquist at low fps.
    g30 = lowpass_gain(np.arange(0, 10, 1 / 30), f)
    g60 = lowpass_gain(np.arange(0, 10, 1 / 60), f)
    assert g30 <= g60 + 1e-3 and g60 < 0.45


def test_lowpass_variable_frame_rate():
    rng = np.random.default_rng(0)
    dt = rng.uniform(0.8, 1.2, 600) / 30.0
    dt[::17] *= 2.0  # dropped frames
    t = np.cumsum(dt)
    assert lowpass_gain(t, 1.0) == pytest.approx(1.0, abs=0.02)
    assert lowpass_gain(t, 12.0) < 0.25


def test_lowpass_keeps_nan_runs_and_length():
    t = np.arange(0, 4, 1 / 30)
    sig = np.sin(2 * np.pi * 1.0 * t) + 0.3 * np.sin(2 * np.pi * 12 * t)
    seq = make_seq(t, sig)
    xy = seq.xy.copy()
    xy[50:65, KNEE] = np.nan  # a 0.5 s gap
    xy[90:95, KNEE] = np.nan
    xy[100:105, KNEE] = np.nan  # isolates a 5-sample run 95:100 (too short to filter)
    seq = seq.with_xy(xy)
    out = lowpass(seq)
    assert out.xy.shape == seq.xy.shape
    track = out.xy[:, KNEE, 0]
    np.testing.assert_array_equal(np.isnan(track), np.isnan(seq.xy[:, KNEE, 0]))
    np.testing.assert_array_equal(track[95:100], seq.xy[95:100, KNEE, 0])  # left as is
    assert not np.allclose(track[10:40], seq.xy[10:40, KNEE, 0])  # filtered
    np.testing.assert_allclose(out.xy[:, Landmark.NOSE], seq.xy[:, Landmark.NOSE])  # still


def test_lowpass_too_low_fps_warns_and_returns_input():
    t = np.arange(0, 5, 1 / 8)
    seq = make_seq(t, np.sin(t))
    with pytest.warns(UserWarning, match="too low"):
        out = lowpass(seq, cutoff_hz=6.0)
    np.testing.assert_array_equal(out.xy, seq.xy)


@pytest.mark.parametrize(
    ("kw", "match"), [({"cutoff_hz": 0}, "cutoff_hz"), ({"order": 0}, "order")]
)
def test_lowpass_bad_parameters(kw, match):
    with pytest.raises(ValueError, match=match):
        lowpass(make_seq(np.arange(10) / 30), **kw)


# -- gap filling --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fps", "missing", "filled"),
    [
        (30, 1, True),
        (30, 6, True),  # bridges 7 intervals = 0.233 s
        (30, 7, False),  # bridges 0.267 s
        (60, 14, True),  # 0.25 s
        (60, 16, False),
    ],
)
@pytest.mark.parametrize("method", ["linear", "pchip"])
def test_fill_gaps_by_duration(fps, missing, filled, method):
    t = np.arange(0, 2, 1 / fps)
    ramp = 50.0 * t  # 50 px/s: linear and PCHIP both reproduce it exactly
    seq = make_seq(t, ramp)
    xy = seq.xy.copy()
    xy[20 : 20 + missing, KNEE] = np.nan
    out = fill_gaps(seq.with_xy(xy), max_gap_s=0.25, method=method)
    got = out.xy[20 : 20 + missing, KNEE, 0]
    if filled:
        np.testing.assert_allclose(got, seq.xy[20 : 20 + missing, KNEE, 0], atol=1e-9)
    else:
        assert np.isnan(got).all()
    assert len(out) == len(seq)


def test_fill_gaps_never_extrapolates():
    t = np.arange(0, 1, 1 / 30)
    seq = make_seq(t, 10 * t)
    xy = seq.xy.copy()
    xy[:2, KNEE] = np.nan
    xy[-2:, KNEE] = np.nan
    out = fill_gaps(seq.with_xy(xy))
    assert np.isnan(out.xy[:2, KNEE]).all() and np.isnan(out.xy[-2:, KNEE]).all()


def test_fill_gaps_bad_method():
    with pytest.raises(ValueError, match="method"):
        fill_gaps(make_seq(np.arange(5) / 30), method="cubic")


# -- outliers -----------------------------------------------------------------------------
@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_outlier_spike_removed_and_motion_kept(fps):
    t = np.arange(0, 3, 1 / fps)
    motion = 100.0 * np.sin(2 * np.pi * 1.0 * t)  # fast, large, smooth: not an outlier
    seq = make_seq(t, motion)
    xy = seq.xy.copy()
    k = len(t) // 2
    xy[k, KNEE, 0] += 60.0  # 15 % of body height in one frame
    xy[k + 5, Landmark.NOSE, 1] -= 50.0
    out = reject_outliers(seq.with_xy(xy))
    assert np.isnan(out.xy[k, KNEE]).all()
    assert np.isnan(out.xy[k + 5, Landmark.NOSE]).all()
    assert np.isnan(out.xy).any(axis=2).sum() == 2
    assert len(out) == len(seq)


def test_outlier_small_jitter_kept():
    rng = np.random.default_rng(1)
    t = np.arange(0, 3, 1 / 30)
    seq = make_seq(t, rng.normal(0, 2.0, len(t)))  # 2 px jitter on a still knee
    out = reject_outliers(seq)
    assert not np.isnan(out.xy).any()


def toe_swing(t: np.ndarray, speed_px_s: float, ramp_s: float = 0.1) -> np.ndarray:
    """A toe's path along the walk: at rest, toe off at 0.5 s (speed rising as a raised
    cosine to ``speed_px_s`` within ``ramp_s``), swing at that speed, landing as abruptly
    (forefoot) at 0.5 s + ``ramp_s`` + 0.25 s, at rest again. Analytic position."""
    t_on, t_land = 0.5, 0.5 + ramp_s + 0.25

    def travel(t0: float) -> np.ndarray:  # distance at unit top speed from a start at t0
        u = np.clip((t - t0) / ramp_s, 0.0, 1.0)
        ease = 0.5 * ramp_s * (u - np.sin(np.pi * u) / np.pi)  # ∫ (1 - cos πu) / 2
        return ease + np.clip(t - t0 - ramp_s, 0.0, None)

    return speed_px_s * (travel(t_on) - travel(t_land))


@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_outlier_fast_toe_kept_and_glitch_of_the_same_size_removed(fps):
    # 1100 px/s on a 400 px body: 2.75 body heights/s, a toe's swing at 140 steps/min.
    # Toe off and forefoot landing: 0 → 1100 px/s → 0 within 0.1 s (±26 g on an adult).
    # Interpolating between neighbours up to 0.125 s away misses these samples by up to
    # 7.5 % of body height (the 5 % gate removed them); a quadratic follows them.
    t = np.arange(0, 1.5, 1 / fps)
    toe = toe_swing(t, 1100.0)
    seq = make_seq(t, toe, lm=Landmark.LEFT_FOOT_INDEX)
    assert not np.isnan(reject_outliers(seq).xy).any()
    # A glitch as large as the toe's step per frame at full speed at 30 fps (37 px, 9 % of
    # body height; a speed-scaled gate would let it through): a jump away and back, at toe
    # off and in mid swing, removed.
    step = 1100.0 / 30.0
    xy = seq.xy.copy()
    k_off, k_mid = int(np.searchsorted(t, 0.55)), int(np.searchsorted(t, 0.72))
    xy[k_off, Landmark.LEFT_FOOT_INDEX, 1] -= step
    xy[k_mid, Landmark.LEFT_FOOT_INDEX, 0] += step
    out = reject_outliers(seq.with_xy(xy))
    removed = np.isnan(out.xy).any(axis=2)
    assert set(zip(*np.nonzero(removed), strict=True)) == {
        (k_off, Landmark.LEFT_FOOT_INDEX),
        (k_mid, Landmark.LEFT_FOOT_INDEX),
    }


@pytest.mark.parametrize("length", [2, 3])
def test_outlier_multi_frame_glitch_removed_neighbours_kept(length):
    t = np.arange(0, 1.5, 1 / 30)
    seq = make_seq(t, toe_swing(t, 1100.0), lm=Landmark.LEFT_FOOT_INDEX)
    xy = seq.xy.copy()
    k = int(np.searchsorted(t, 0.75))
    xy[k : k + length, Landmark.LEFT_FOOT_INDEX] += [-40.0, 30.0]  # 12.5 % of body height
    removed = np.isnan(reject_outliers(seq.with_xy(xy)).xy).any(axis=2)
    np.testing.assert_array_equal(
        np.flatnonzero(removed[:, Landmark.LEFT_FOOT_INDEX]), np.arange(k, k + length)
    )
    assert removed.sum() == length


@pytest.mark.parametrize("speed_px_s", [900.0, 1100.0, 1300.0])
@pytest.mark.parametrize("shift_px", [60.0, 80.0, 100.0])
@pytest.mark.parametrize("delay", [0, 1])
def test_outlier_glitch_next_to_a_planted_heel_takes_only_itself(speed_px_s, shift_px, delay):
    # A heel swings forward, stops abruptly at contact, and right after (``delay`` frames)
    # the whole foot is displaced back along its path for 3 frames (15-25 % of body
    # height; on walk_side_turn_older_adult, frames 57-59, 70 px on a 337 px body). The
    # displaced samples lie on a slowed copy of the swing, a smooth curve of their own;
    # judged one by one they took the heel's last swing and first stance samples with
    # them, up to 7 frames, so the gap filler either left the heel strike empty or bridged
    # it with a heel still moving. Only the glitch goes.
    t = np.arange(0, 1.5, 1 / 30)
    heel = Landmark.RIGHT_HEEL
    seq = make_seq(t, toe_swing(t, speed_px_s), lm=heel)
    xy = seq.xy.copy()
    k = int(np.searchsorted(t, 0.85)) + delay  # 0.85 s: the heel is at rest
    xy[k : k + 3, heel, 0] -= shift_px
    removed = np.isnan(reject_outliers(seq.with_xy(xy)).xy).any(axis=2)
    np.testing.assert_array_equal(np.flatnonzero(removed[:, heel]), np.arange(k, k + 3))
    assert removed.sum() == 3


def test_outlier_gate_keeps_every_sample_of_a_fast_forefoot_walk():
    # The synthetic walker at 140 steps/min, 30 fps, forefoot strike, side view, 2.5 px
    # jitter: nothing of it is a glitch, so nothing goes, toe off and landing included.
    result = walk(
        camera=Camera(yaw_deg=90.0),
        fps=30.0,
        cadence_spm=140.0,
        foot_strike="forefoot",
        noise_px=2.5,
        duration_s=4.0,
    )
    assert not np.isnan(reject_outliers(result.pose).xy).any()


def test_body_height_px():
    assert body_height_px(make_seq(np.arange(5) / 30)) == pytest.approx(BODY_PX)


# -- visibility ---------------------------------------------------------------------------
def test_gate_visibility():
    seq = make_seq(np.arange(4) / 30)
    vis = seq.visibility.copy()
    vis[1, KNEE] = 0.49
    vis[2, KNEE] = 0.5
    out = gate_visibility(seq.with_xy(seq.xy, vis), min_visibility=0.5)
    assert np.isnan(out.xy[1, KNEE]).all()
    assert np.isfinite(out.xy[2, KNEE]).all()
    assert np.isnan(out.xy).any(axis=2).sum() == 1
    np.testing.assert_array_equal(out.visibility, vis)


def test_gate_visibility_bad_threshold():
    with pytest.raises(ValueError, match="min_visibility"):
        gate_visibility(make_seq(np.arange(3) / 30), min_visibility=2)


# -- One Euro -----------------------------------------------------------------------------
def test_one_euro_is_causal():
    rng = np.random.default_rng(2)
    t = np.arange(0, 2, 1 / 30)
    a = make_seq(t, 20 * np.sin(3 * t) + rng.normal(0, 2, len(t)))
    xy_b = a.xy.copy()
    k = 30
    xy_b[k + 1 :] += rng.normal(0, 30, xy_b[k + 1 :].shape)  # different future
    out_a = one_euro(a)
    out_b = one_euro(a.with_xy(xy_b))
    np.testing.assert_array_equal(out_a.xy[: k + 1], out_b.xy[: k + 1])
    assert not np.allclose(out_a.xy[k + 1 :], out_b.xy[k + 1 :])


def test_one_euro_reduces_jitter():
    rng = np.random.default_rng(3)
    t = np.arange(0, 5, 1 / 30)
    noise = rng.normal(0, 3.0, len(t))
    out = one_euro(make_seq(t, noise))
    resid = out.xy[30:, KNEE, 0] - base_pose()[KNEE, 0]
    assert resid.std() < 0.4 * noise[30:].std()


def test_one_euro_beta_reduces_lag():
    t = np.arange(0, 2, 1 / 60)
    ramp = 400.0 * t  # one body height per second
    lags = []
    for beta in (0.0, 2.0):
        out = one_euro(make_seq(t, ramp), beta=beta, scale_px=BODY_PX)
        lags.append(float(ramp[-1] - (out.xy[-1, KNEE, 0] - base_pose()[KNEE, 0])))
    assert 0 < lags[1] < 0.5 * lags[0]


def test_one_euro_nan_passes_through_and_resets():
    f = OneEuroFilter(min_cutoff=0.5, beta=0.0)
    pose = base_pose()
    f(pose, 0.0)
    moved = pose + 10.0
    out = f(moved, 1 / 30)
    assert 0 < out[0, 0] - pose[0, 0] < 10.0  # smoothed
    gap = moved.copy()
    gap[KNEE] = np.nan
    out = f(gap, 2 / 30)
    assert np.isnan(out[KNEE]).all() and np.isfinite(out[Landmark.NOSE]).all()
    jump = pose + 50.0
    out = f(jump, 3 / 30)
    np.testing.assert_array_equal(out[KNEE], jump[KNEE])  # reset: passed through
    assert out[Landmark.NOSE, 0] < jump[Landmark.NOSE, 0]  # still filtered


def test_one_euro_rejects_non_increasing_time():
    f = OneEuroFilter()
    f(base_pose(), 1.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        f(base_pose(), 1.0)


# -- composition & time axis --------------------------------------------------------------
def test_clean_offline_removes_spike_and_fills():
    rng = np.random.default_rng(4)
    t = np.arange(0, 3, 1 / 30)
    seq = make_seq(t, 30 * np.sin(2 * np.pi * t) + rng.normal(0, 1, len(t)))
    xy, vis = seq.xy.copy(), seq.visibility.copy()
    xy[40, KNEE, 0] += 80.0
    vis[60:62, KNEE] = 0.1
    out = clean_offline(seq.with_xy(xy, vis))
    assert len(out) == len(seq)
    assert np.isfinite(out.xy[:, KNEE]).all()
    truth = 30 * np.sin(2 * np.pi * t) + base_pose()[KNEE, 0]
    assert np.abs(out.xy[20:-20, KNEE, 0] - truth[20:-20]).max() < 3.0


def test_clean_offline_overrides():
    seq = make_seq(np.arange(30) / 30)
    assert len(clean_offline(seq, CleanConfig(cutoff_hz=4.0), max_gap_s=0.1)) == 30
    with pytest.raises(TypeError, match="unknown cleaning parameter"):
        clean_offline(seq, max_gap=0.1)


@pytest.mark.parametrize(
    "fn",
    [gate_visibility, reject_outliers, fill_gaps, lowpass, one_euro, clean_offline],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("n", [0, 1, 2, 7, 90])
def test_time_axis_never_shortened(fn, n):
    t = np.arange(n) / 30.0
    seq = make_seq(t, np.sin(t) if n else None)
    xy = seq.xy.copy()
    if n > 3:
        xy[n // 2] = np.nan  # a frame without detection
    seq = seq.with_xy(xy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(seq)
    assert out.xy.shape == seq.xy.shape
    np.testing.assert_array_equal(out.t_s, seq.t_s)
    np.testing.assert_array_equal(out.frame_index, seq.frame_index)
