"""Repair left/right leg swaps in a raw BlazePose sequence.

BlazePose sometimes hands the left leg's landmarks to the right leg and vice versa for a
few frames or a whole step, most often in side views just after the legs have passed each
other. Every per-side measure and every gait event is wrong while it lasts, and the low-pass
filter would smear the jump into the neighbouring frames, so the repair runs on the raw
pose, before :func:`gaitlab.signals.clean.clean_offline`.

Method
------
Each frame has a hidden binary state: labelled as BlazePose gave them (0) or swapped (1).
The legs below the hip (knee, ankle, heel, toe) and the two hips are decided separately:
on real footage BlazePose often swaps the legs while the hip points, which nearly coincide
in a side view, keep their labels. For each, a Viterbi pass finds the state sequence of
least total cost:

* **Continuity (transition cost).** Each hypothesis keeps a constant-velocity tracker of
  its own past (position = last observation, velocity = exponential average of frame
  velocities over :data:`VELOCITY_TAU_S`); the cost of a frame is the distance between
  prediction and observation summed over the landmarks, in leg lengths, each term capped so
  that one glitching point cannot outvote the rest (and a point beyond the cap does not
  move its tracker). Because the whole chain and its velocity are used, legs passing each
  other in a side view (which they do every step) continue smoothly under the true
  labelling, whereas a "bounce" (each foot reversing at the crossing) needs the swinging
  foot to stop dead and the standing one to take off at the same instant; x order alone is
  never used.
* **Anchors (per-frame cost).** The label BlazePose gave costs nothing and the swapped one
  a small amount per frame (:data:`SWAP_PRIOR`), so of the two time-consistent labellings
  the one that agrees with BlazePose on most frames wins. In front and back views the
  upper body (never swapped) anchors the absolute labelling: the hip order must agree with
  the shoulder order and the knee order with the hip order, weighted by how square-on the
  shoulders are (zero in side views, where those orders carry no information).

Continuity is broken (the state may change for free) across gaps with no leg landmark
longer than :data:`MAX_GAP_S`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gaitlab.core.geometry import leg_length_px
from gaitlab.core.landmarks import N_LANDMARKS, Landmark, side_landmark
from gaitlab.core.types import PoseSequence

__all__ = ["SwapReport", "repair_leg_swaps", "swap_landmarks"]

_LEG_PARTS = ("knee", "ankle", "heel", "foot_index")
_HIP_PARTS = ("hip",)
#: Everything above the hips that has a side (the mouth corners, unused, are left as given).
_UPPER_PARTS = (
    "eye_inner", "eye", "eye_outer", "ear",
    "shoulder", "elbow", "wrist", "pinky", "index", "thumb",
)  # fmt: skip
#: Frames either side of a repaired leg swap whose shoulder order is the body's own.
MIRROR_CONTEXT = 5
#: Share of a repaired stretch's frames whose shoulder order must be the reverse of the
#: frames around it for the pose model to have mirrored the whole body.
MIRROR_SHARE = 0.8
#: The shoulders must be this wide (in leg lengths) for their order to say anything: square
#: on they are ≈ 0.4 leg lengths apart, in a side view they overlap and their order is noise.
MIRROR_MIN_WIDTH_LEGS = 0.2

#: Cost (in leg lengths, the unit of the continuity cost) of calling a frame swapped. Small:
#: it only picks which of two equally continuous labellings is meant, so a stretch of up to
#: ~1 / SWAP_PRIOR frames at the start or end of a clip is still repaired when its boundary
#: shows one velocity jump of about one leg length summed over the chain.
SWAP_PRIOR = 0.01
#: The same for the two hip points. In a side view they nearly coincide, so their labels are
#: unobservable (the cost of either labelling is jitter): BlazePose's labels are kept there
#: unless continuity or the anchor clearly says otherwise.
HIP_SWAP_PRIOR = 0.05
#: Each landmark's prediction error is capped at this many leg lengths: a swap moves every
#: landmark of the chain, a glitch only one or two.
TERM_CAP_LEGS = 0.5
#: Time constant of each hypothesis' velocity memory. BlazePose does not swap the legs from
#: one frame to the next when they pass each other but blends over 2–3 frames; a velocity
#: remembered over ~50 ms still sees a swinging foot "stop dead" at the crossing (a
#: bounce), whereas a one-frame velocity would already have adapted. Walking changes a
#: foot's velocity as fast at heel strike and toe off, but identically under both
#: hypotheses, so only the crossings are judged by it. (0.1 s repairs the synthetic swaps
#: as well, but on the real side-view clip lets glitchy first frames decide the labelling.)
VELOCITY_TAU_S = 0.05
#: Weight of the upper-body anchor, per leg length of left-minus-right x offset on the wrong
#: side: a square-on frame with the hips (≈ 0.2 leg lengths apart) or knees reversed costs
#: ≈ 0.6, far more than the prior, so front and back views are labelled absolutely.
ANCHOR_WEIGHT = 3.0
#: Shoulder width / torso length (pixels) at which each anchor starts to count and at which
#: it counts fully: ≈ 0.9 square-on, ≈ 0.6 at 45°, ≈ 0 in a side view (up to ≈ 0.45 when
#: perspective spreads a walker far off the image centre). The hips sit at the shoulders'
#: depth, so the hip anchor holds in any view where both pairs are spread; the knees
#: scissor in and out of order in anything but a near-frontal view, so their anchor needs
#: one within ~25°.
HIP_ANCHOR_RATIOS = (0.35, 0.75)
KNEE_ANCHOR_RATIOS = (0.75, 0.85)
#: Frames further apart than this (no leg landmark in between) are not compared: a person
#: can turn or re-enter in that time.
MAX_GAP_S = 0.25


def _indices(parts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    left = np.array([int(side_landmark("left", p)) for p in parts])
    right = np.array([int(side_landmark("right", p)) for p in parts])
    return left, right


@dataclass(frozen=True)
class SwapReport:
    """What :func:`repair_leg_swaps` changed.

    Attributes
    ----------
    swapped
        ``(T,)`` bool: rows whose leg labels (knee, ankle, heel, toe) were swapped back.
    hips_swapped
        ``(T,)`` bool: rows whose hip labels were swapped back.
    ranges
        Half-open row ranges ``(start, stop)`` of consecutive rows with any swap repaired.
    frame_ranges
        The same ranges as inclusive source-video frame indices ``(first, last)``.
    time_ranges_s
        The same ranges as ``(start_s, end_s)`` timestamps of their first and last rows.
    """

    swapped: np.ndarray
    hips_swapped: np.ndarray
    ranges: tuple[tuple[int, int], ...]
    frame_ranges: tuple[tuple[int, int], ...]
    time_ranges_s: tuple[tuple[float, float], ...]
    body_mirrored: np.ndarray | None = None

    @property
    def n_frames(self) -> int:
        return int((self.swapped | self.hips_swapped).sum())

    def message(self) -> str | None:
        """A plain-language line for the quality warnings, or None when nothing changed."""
        if not self.ranges:
            return None
        spans = ", ".join(f"{a:.2f}–{b:.2f} s" for a, b in self.time_ranges_s[:5])
        more = f" and {len(self.ranges) - 5} more" if len(self.ranges) > 5 else ""
        return (
            f"the pose model mixed up the left and right legs in {self.n_frames} frames "
            f"({spans}{more}); they were swapped back"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "frames": self.n_frames,
            "frame_ranges": [list(r) for r in self.frame_ranges],
            "time_ranges_s": [[round(a, 4), round(b, 4)] for a, b in self.time_ranges_s],
        }


def swap_landmarks(
    seq: PoseSequence, rows: np.ndarray, parts: tuple[str, ...] = ("hip", *_LEG_PARTS)
) -> PoseSequence:
    """Exchange the left and right landmarks of ``parts`` on ``rows`` (bool ``(T,)``):
    pixels, visibility and world coordinates alike. A new sequence; the input is untouched."""
    rows = np.asarray(rows, dtype=bool)
    if rows.shape != (len(seq),):
        raise ValueError(f"rows: expected shape ({len(seq)},), got {rows.shape}")
    if not rows.any():
        return seq
    left, right = _indices(parts)
    idx = np.arange(N_LANDMARKS)
    idx[left], idx[right] = right, left
    xy, vis = seq.xy.copy(), seq.visibility.copy()
    xy[rows] = xy[rows][:, idx]
    vis[rows] = vis[rows][:, idx]
    world = None
    if seq.world is not None:
        world = seq.world.copy()
        world[rows] = world[rows][:, idx]
    return replace(seq, xy=xy, visibility=vis, world=world)


def _ranges(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _scale_px(seq: PoseSequence) -> float:
    leg = leg_length_px(seq)  # per-leg chain lengths: unchanged by a swap
    if np.isfinite(leg) and leg > 0:
        return leg
    y = seq.xy[..., 1]
    ok = np.isfinite(y).sum(axis=1) >= 2
    if ok.any():
        ext = float(np.median(np.nanmax(y[ok], axis=1) - np.nanmin(y[ok], axis=1)))
        if ext > 0:
            return 0.5 * ext
    return float(max(seq.frame_size)) / 4.0


def _chain_cost(obs: np.ndarray, pred: np.ndarray, cap: float) -> np.ndarray:
    """Sum over landmarks of capped distances; NaN terms are replaced by the mean of the
    valid ones (so hypotheses comparing different numbers of points stay comparable), and a
    frame with no valid term costs 0. ``obs``/``pred``: ``(..., P, 2)`` in leg lengths."""
    diff = obs - pred
    d = np.minimum(np.hypot(diff[..., 0], diff[..., 1]), cap)
    n_valid = np.isfinite(d).sum(axis=-1)
    total = np.nansum(d, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_valid > 0, total / np.maximum(n_valid, 1), 0.0)
    return mean * d.shape[-1]


def _viterbi(
    obs: np.ndarray,
    t: np.ndarray,
    emit: np.ndarray,
    cap: float,
    tau_s: float,
    max_gap_s: float,
) -> np.ndarray:
    """Least-cost state per row. ``obs``: ``(K, 2, P, 2)`` landmarks in leg lengths under
    each state; ``emit``: ``(K, 2)`` per-row costs. Each state keeps the survivor path's
    constant-velocity tracker (position = last observation, velocity = exponential average
    of frame velocities with time constant ``tau_s``) to predict the next row."""
    k = len(obs)
    total = emit[0].copy()
    p = obs.shape[2]
    pos = obs[0].copy()  # (2 states, P, 2): tracker position per survivor
    vel = np.zeros_like(pos)
    last_t = np.full((2, p), t[0])  # when each tracked point was last observed
    back = np.zeros((k, 2), dtype=np.int8)
    for i in range(1, k):
        dt_row = t[i] - t[i - 1]
        if dt_row > max_gap_s:  # continuity lost: restart the trackers
            best = int(np.argmin(total))
            back[i] = best
            total = total[best] + emit[i]
            pos, vel = obs[i].copy(), np.zeros_like(pos)
            last_t = np.full((2, p), t[i])
            continue
        new_total = np.empty(2)
        new_pos, new_vel, new_last = np.empty_like(pos), np.empty_like(vel), np.empty_like(last_t)
        for c in (0, 1):
            z = obs[i, c]
            ok = np.isfinite(z[:, 0])
            costs = np.empty(2)
            for b in (0, 1):
                lag = (t[i] - last_t[b])[:, None]
                pred = pos[b] + vel[b] * lag
                costs[b] = total[b] + _chain_cost(z, pred, cap)
            b = int(np.argmin(costs))
            back[i, c] = b
            new_total[c] = costs[b] + emit[i, c]
            lag = (t[i] - last_t[b])[:, None]
            pred = pos[b] + vel[b] * lag
            with np.errstate(invalid="ignore", divide="ignore"):
                v_obs = (z - pos[b]) / lag
                # A point further than the cap from its prediction is a glitch: it does not
                # move the tracker (so one bad frame cannot break the chain).
                ok &= ~(np.hypot(*(z - pred).T) > cap)
            gain = 1.0 - np.exp(-lag / tau_s)
            known = np.isfinite(pos[b][:, 0])
            fresh = ok & known
            v = np.where(fresh[:, None], vel[b] + gain * (v_obs - vel[b]), vel[b])
            new_vel[c] = np.where((ok & ~known)[:, None], 0.0, v)
            new_pos[c] = np.where(ok[:, None], z, pos[b])
            new_last[c] = np.where(ok, t[i], last_t[b])
        total, pos, vel, last_t = new_total, new_pos, new_vel, new_last
        stale = (t[i] - last_t) > max_gap_s  # a point unseen too long is forgotten
        pos[stale] = np.nan
        vel[stale] = 0.0
    states = np.zeros(k, dtype=bool)
    c = int(np.argmin(total))
    for i in range(k - 1, -1, -1):
        states[i] = bool(c)
        c = int(back[i, c])
    return states


def _hypotheses(seq: PoseSequence, parts: tuple[str, ...], scale: float) -> np.ndarray:
    """``(T, 2, P, 2)``: the chain's landmarks (left parts then right parts, in leg lengths)
    as labelled (state 0) and with left and right exchanged (state 1)."""
    left, right = _indices(parts)
    direct = np.concatenate([seq.xy[:, left], seq.xy[:, right]], axis=1) / scale
    m = len(parts)
    mirrored = np.concatenate([direct[:, m:], direct[:, :m]], axis=1)
    return np.stack([direct, mirrored], axis=1)


def _squareness(seq: PoseSequence, ratios: tuple[float, float]) -> np.ndarray:
    """``(T,)`` in [0, 1]: how square-on the (never swapped) shoulders are, from their x
    spread over the torso length, ramping between ``ratios``; 0 where unknown."""
    sh_l = seq.point(Landmark.LEFT_SHOULDER)
    sh_r = seq.point(Landmark.RIGHT_SHOULDER)
    hips = 0.5 * (seq.point(Landmark.LEFT_HIP) + seq.point(Landmark.RIGHT_HIP))
    torso = np.hypot(*(0.5 * (sh_l + sh_r) - hips).T)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(sh_l[:, 0] - sh_r[:, 0]) / torso
        square = np.clip((ratio - ratios[0]) / (ratios[1] - ratios[0]), 0.0, 1.0)
    return np.nan_to_num(square)


def _anchor(
    hyp: np.ndarray, reference_x: np.ndarray, weight: float, square: np.ndarray
) -> np.ndarray:
    """``(T, 2)`` cost of each state from the upper body: the chain's first part must lie on
    the same side as ``reference_x`` (left-minus-right x of an unswapped pair), weighted by
    ``square`` (:func:`_squareness`)."""
    m = hyp.shape[2] // 2
    ref = np.sign(reference_x)
    with np.errstate(invalid="ignore"):
        out = np.stack(
            [np.maximum(0.0, -ref * (hyp[:, s, 0, 0] - hyp[:, s, m, 0])) for s in (0, 1)],
            axis=1,
        )
    return weight * np.nan_to_num(out * square[:, None])


def _decide(
    hyp: np.ndarray, t: np.ndarray, emit: np.ndarray, cap: float, tau_s: float, gap_s: float
) -> np.ndarray:
    """``(T,)`` bool swapped state from the Viterbi pass over the rows with any landmark."""
    out = np.zeros(len(hyp), dtype=bool)
    rows = np.flatnonzero(np.isfinite(hyp[:, 0, :, 0]).any(axis=1))
    if rows.size >= 2:
        out[rows] = _viterbi(hyp[rows], t[rows], emit[rows], cap, tau_s, gap_s)
    return out


def repair_leg_swaps(
    seq: PoseSequence,
    *,
    swap_prior: float = SWAP_PRIOR,
    hip_swap_prior: float = HIP_SWAP_PRIOR,
    term_cap_legs: float = TERM_CAP_LEGS,
    anchor_weight: float = ANCHOR_WEIGHT,
    velocity_tau_s: float = VELOCITY_TAU_S,
    max_gap_s: float = MAX_GAP_S,
) -> tuple[PoseSequence, SwapReport]:
    """Find frames where the pose model swapped the left and right legs, and swap them back.

    Runs on the raw pose (NaN allowed, before cleaning). See the module docstring for the
    method; the keyword parameters are its constants.

    Returns
    -------
    The repaired sequence (a new object; the input is untouched) and a :class:`SwapReport`.
    """
    n = len(seq)
    none = np.zeros(n, dtype=bool)
    if n < 2:
        return seq, SwapReport(none, none, (), (), ())
    scale = _scale_px(seq)
    t = seq.t_s
    args = (term_cap_legs, velocity_tau_s, max_gap_s)
    shoulders_x = seq.xy[:, Landmark.LEFT_SHOULDER, 0] - seq.xy[:, Landmark.RIGHT_SHOULDER, 0]

    hips = _hypotheses(seq, _HIP_PARTS, scale)
    square = _squareness(seq, HIP_ANCHOR_RATIOS)
    emit = _anchor(hips, shoulders_x, anchor_weight, square)
    # Where the shoulders overlap the hips do too: their labels are unobservable, keep them.
    emit[:, 1] += np.where(square > 0, hip_swap_prior, np.inf)
    hips_swapped = _decide(hips, t, emit, *args)
    fixed = swap_landmarks(seq, hips_swapped, _HIP_PARTS)

    legs = _hypotheses(fixed, _LEG_PARTS, scale)
    hip_x = fixed.xy[:, Landmark.LEFT_HIP, 0] - fixed.xy[:, Landmark.RIGHT_HIP, 0]
    emit = _anchor(legs, hip_x, anchor_weight, _squareness(fixed, KNEE_ANCHOR_RATIOS))
    emit[:, 1] += swap_prior
    legs_swapped = _decide(legs, t, emit, *args)
    fixed = swap_landmarks(fixed, legs_swapped, _LEG_PARTS)
    mirrored = _whole_body_mirrors(seq, legs_swapped)
    fixed = swap_landmarks(fixed, mirrored & ~hips_swapped, _HIP_PARTS)
    fixed = swap_landmarks(fixed, mirrored, _UPPER_PARTS)
    hips_swapped = hips_swapped | mirrored

    ranges = _ranges(legs_swapped | hips_swapped)
    report = SwapReport(
        swapped=legs_swapped,
        hips_swapped=hips_swapped,
        ranges=tuple(ranges),
        frame_ranges=tuple(
            (int(seq.frame_index[a]), int(seq.frame_index[b - 1])) for a, b in ranges
        ),
        time_ranges_s=tuple((float(seq.t_s[a]), float(seq.t_s[b - 1])) for a, b in ranges),
        body_mirrored=mirrored,
    )
    return fixed, report


def _whole_body_mirrors(seq: PoseSequence, legs_swapped: np.ndarray) -> np.ndarray:
    """``(T,)`` bool: rows of repaired leg swaps on which the pose model mirrored the whole
    body, as if the person had turned their back: the shoulders' left–right order is the
    reverse of the one on both sides of the stretch (:data:`MIRROR_CONTEXT` frames with the
    legs as given), on :data:`MIRROR_SHARE` of its frames, the shoulders square on
    (:data:`MIRROR_MIN_WIDTH_LEGS`).

    The hips then follow the shoulders (their anchor) into the mirror and the leg repair
    alone would leave a pelvis and trunk facing the other way on correct legs (seen on a
    front view of a man swinging his leg out: 19 frames, pelvic obliquity and the knee's
    frontal angle of the wrong sign). A turn on the spot reverses the shoulders too, but
    does not turn back within the stretch while BlazePose swaps the legs the other way.
    """
    out = np.zeros(len(seq), dtype=bool)
    sx = seq.xy[:, Landmark.LEFT_SHOULDER, 0] - seq.xy[:, Landmark.RIGHT_SHOULDER, 0]
    wide = MIRROR_MIN_WIDTH_LEGS * _scale_px(seq)
    for a, b in _ranges(legs_swapped):
        lo, hi = max(0, a - MIRROR_CONTEXT), min(len(seq), b + MIRROR_CONTEXT)
        before = sx[lo:a][~legs_swapped[lo:a]]
        after = sx[b:hi][~legs_swapped[b:hi]]
        before, after = before[np.isfinite(before)], after[np.isfinite(after)]
        if not (before.size and after.size):
            continue
        order = np.sign(np.median(before))
        if (
            np.sign(np.median(after)) != order
            or min(abs(np.median(before)), abs(np.median(after))) < wide
        ):
            continue
        inside = sx[a:b][np.isfinite(sx[a:b])]
        if inside.size and np.mean(inside * -order >= wide) >= MIRROR_SHARE:
            out[a:b] = True
    return out
