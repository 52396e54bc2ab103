"""A handheld camera's zooms, pans, shake and cuts, undone from the landmarks
(:class:`CameraMotionTracker`, :func:`stabilise`).

A phone held by hand moves the whole picture: a zoom scales every landmark about a point, a
pan or a shaking hand shifts them all together, a cut does either at once. A person standing
on the spot (calf raises, balancing) changes neither the lengths of their body segments nor
where their toes rest on the floor. So, frame by frame:

- the picture's scale is the summed length of the trunk, thigh and shank segments of both
  sides (heel raises straighten nothing: these lengths stay put while the body rises), over
  their length when the tracking began;
- its position is the floor point under the feet: the toes' mean sideways position and the
  lower toe's height (the toes stay on the floor in a heel raise; a free foot held up is the
  higher one).

Landmark jitter moves both estimates a little from frame to frame. Each is therefore held
still until it leaves a dead band several times wider than that jitter (the camera has
moved); it then follows the estimate frame by frame until the estimate has stayed within
the band for ``settle_s``, when it is set to the mean of those settled frames (the new
framing). With a still camera nothing ever leaves the band and the landmarks come out
exactly as they went in. The result maps every landmark into the picture as first framed:
``p_ref = (p - anchor) / scale + anchor_ref``.

Causal and incremental (:meth:`CameraMotionTracker.update`), so the file pipeline
(:func:`stabilise` over a whole clip) and the live loop (one frame at a time) undo the same
motions the same way.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from gaitlab.core.landmarks import Landmark
from gaitlab.core.types import PoseSequence

#: The segments whose summed length is the picture's scale: shoulder–hip, hip–knee and
#: knee–ankle on both sides.
SCALE_SEGMENTS: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
)
_TOES = (Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX)
#: The floor point's sideways position: the mean of the hips and toes, which a heel raise
#: (seen from the side, the hips move forward a little), a step or a free foot lifted move
#: by a fraction of the movement, a pan by the full distance.
_SIDEWAYS = (Landmark.LEFT_HIP, Landmark.RIGHT_HIP, *_TOES)
#: The body's height in the picture (shoulders and hips): a tilt, a pan or a shaking hand
#: moves it with the floor point; a toe rolling or a landmark wobbling on the floor does not.
_BODY = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
#: A vertical move of the floor point is the camera's only if the body moved at least this
#: fraction of it the same way (a still camera: a woman balancing on one leg, her stance
#: toe's landmark sank 6 px (2 % of the summed segment length) for a sixth of a second while
#: her hips and shoulders stayed put). A picture changing size (a zoom, which moves the floor
#: point and the body by different amounts) needs no such agreement.
BODY_FOLLOWS_FRAC = 0.5


@dataclass(frozen=True)
class CameraMotionConfig:
    """How camera motion is told from landmark jitter (geometry of tracking, not clinical
    thresholds).

    Attributes
    ----------
    init_s
        The first framing is the mean of the first ``init_s`` seconds with the body seen.
    smooth_s
        The estimates are averaged over their last ``smooth_s`` seconds before being
        compared with the dead band (0.2 s: a 2.5th of the jitter at 30 fps). While the
        camera moves the raw estimates are followed, without lag.
    scale_band
        Dead band of the scale (relative), followed smoothed. On real footage the median
        segment ratio jitters by 2–4 % from frame to frame (a lifted free leg's segments
        foreshorten, BlazePose's limbs breathe), ≈ 2 % after ``smooth_s``: 8 % is 4 SD of
        that, and a ×1.3 zoom is 26 %.
    anchor_band
        Dead band of the floor point (sideways, up), as a fraction of the summed segment
        length (≈ 1.5 × the standing height). Up: 0.6 % is ≈ 6 % of a foot length, ≈ 6 SD
        of a cleaned toe's height after ``smooth_s`` (side views: the far foot's toes are
        the least sure).
        Sideways: 4 %, half of a pan of half a body width, above the shift of the hips'
        and toes' mean position in a heel raise, a foot lifted or the weight moved onto one
        leg.
    settle_s
        A moving estimate that stays within its band this long is a new, still framing.
    """

    init_s: float = 0.5
    smooth_s: float = 0.2
    scale_band: float = 0.08
    anchor_band: tuple[float, float] = (0.04, 0.006)
    settle_s: float = 0.5


#: A framing found after a camera move is the mean of its last seconds, up to this long.
REFINE_S = 8.0


@dataclass
class _Held:
    """One estimate held still within a dead band (a scalar or a vector)."""

    band: np.ndarray
    value: np.ndarray | None = None
    moving: bool = False
    out_raw: bool = False
    follow_raw: bool = True
    refine: bool = False
    since: float = math.nan
    settled: deque[tuple[float, np.ndarray]] = field(default_factory=deque)

    def update(self, t: float, raw: np.ndarray, smooth: np.ndarray, settle_s: float) -> bool:
        """Take one frame's raw and smoothed estimate; True when a move starts here."""
        assert self.value is not None
        started = False
        if not self.moving:
            # out of the band: the smoothed estimate, or two raw ones in a row (a fast
            # move: the smoothed estimate lags it)
            out_raw = bool(np.any(np.abs(raw - self.value) > 1.5 * self.band))
            fast = out_raw and self.out_raw and self.follow_raw
            self.out_raw = out_raw
            if fast or np.any(np.abs(smooth - self.value) > self.band):
                self.moving, self.since, started = True, t, True
                self.out_raw = False
                self.settled.clear()
            else:
                if self.refine:
                    # a framing found after a move: its mean sharpens as it lasts (the
                    # end of the move's slow tail out of it)
                    self.settled.append((t, raw))
                    while self.settled and self.settled[0][0] < t - REFINE_S:
                        self.settled.popleft()
                    self.value = np.mean([v for _, v in self.settled], axis=0)
                return False
        # while moving, the raw estimate (a smoothed one would lag the move), or the
        # smoothed one where the raw one is too noisy (the scale)
        self.value = raw.copy() if self.follow_raw else smooth.copy()
        self.settled.append((t, raw))
        while self.settled and (
            self.settled[0][0] < t - settle_s
            or np.any(np.abs(self.settled[0][1] - smooth) > 2.0 * self.band)
        ):
            self.settled.popleft()
        if self.settled and t - self.settled[0][0] >= 0.95 * settle_s:
            vals = np.array([v for _, v in self.settled])
            if np.all(np.ptp(vals, axis=0) <= 1.5 * self.band):
                self.value = vals.mean(axis=0)
                self.moving = False
                self.refine = True
                self.settled.clear()
        return started


@dataclass(frozen=True)
class CameraFrame:
    """One frame's camera state: ``scale`` (the picture over its first framing), the floor
    point now (``anchor``, px) and in the first framing (``anchor_ref``), whether the camera
    is moving, and whether a move started at this frame."""

    scale: float = 1.0
    anchor: tuple[float, float] = (0.0, 0.0)
    anchor_ref: tuple[float, float] = (0.0, 0.0)
    moving: bool = False
    move_started: bool = False

    def undo(self, xy: np.ndarray) -> np.ndarray:
        """``(..., 2)`` image points mapped into the first framing."""
        a = np.asarray(self.anchor)
        return (np.asarray(xy, float) - a) / self.scale + np.asarray(self.anchor_ref)


@dataclass(frozen=True)
class _Raw:
    """One frame's raw estimates: segment lengths (px), floor point (px), and the toes'
    relative position (left − right) over the summed segment length."""

    seg: np.ndarray
    anchor: np.ndarray
    toes: np.ndarray
    body_y: float = math.nan

    @property
    def ok(self) -> bool:
        return bool(
            np.isfinite(self.seg).all()
            and (self.seg > 0).all()
            and np.isfinite(self.anchor).all()
            and np.isfinite(self.toes).all()
            and math.isfinite(self.body_y)
        )


def _raw(xy: np.ndarray) -> _Raw:
    """One frame's raw estimates (NaN where not seen)."""
    with np.errstate(invalid="ignore"):
        seg = np.array([float(np.hypot(*(xy[a] - xy[b]))) for a, b in SCALE_SEGMENTS])
        anchor = np.array(
            [float(np.mean(xy[list(_SIDEWAYS), 0])), float(np.max(xy[list(_TOES), 1]))]
        )
        toes = (xy[_TOES[0]] - xy[_TOES[1]]) / float(np.sum(seg))
        body_y = float(np.mean(xy[list(_BODY), 1]))
    return _Raw(seg, anchor, toes, body_y)


#: The toes' positions relative to each other changing by more than this fraction of the
#: summed segment length (≈ 1/6 of a foot length) is the person stepping or lifting a foot,
#: not the camera (which moves both feet together): camera tracking then pauses, and takes
#: the new stance as its reference once the feet have stood still for a second.
FEET_APART_FRAC = 0.02
#: How long the feet must keep their places for a new stance.
STANCE_S = 1.0


class CameraMotionTracker:
    """Incremental camera-motion tracker (module docstring); feed frames in time order.

    ``moves_``: the times (s) at which the camera started moving.
    """

    def __init__(self, config: CameraMotionConfig | None = None) -> None:
        self.config = config or CameraMotionConfig()
        self._hist: deque[tuple[float, _Raw]] = deque()  # the last STANCE_S of frames
        self._t0 = math.nan
        self._seg_ref = np.full(len(SCALE_SEGMENTS), np.nan)
        self._size_ref = math.nan
        self._anchor_ref_est = np.full(2, np.nan)
        self._body_ref_est = math.nan
        self._body_at_anchor = 0.0  # the body's height (relative) where the floor point is held
        self._stance = np.full(2, np.nan)
        self._moved_feet = False
        # the transform at the last reference: scale and floor point (px)
        self._s0 = 1.0
        self._a0 = np.zeros(2)
        self._b = np.zeros(2)  # the floor point in the first framing
        self._recent: deque[tuple[float, float, np.ndarray]] = deque()
        self._recent_body: deque[tuple[float, float]] = deque()
        self._scale = _Held(np.array([self.config.scale_band]), follow_raw=False)
        self._anchor = _Held(np.asarray(self.config.anchor_band, float))
        self._pre_move: tuple[np.ndarray, np.ndarray] | None = None
        self._last = CameraFrame()
        self.moves_: list[float] = []

    @property
    def ready(self) -> bool:
        return math.isfinite(self._size_ref)

    def camera_moves(self) -> list[float]:
        """Start times (s) of the moves of the camera."""
        return list(self.moves_)

    def _reference(self, first: bool) -> None:
        """Take the last second's mean estimates as the reference (the transform of the
        moment is kept: a person who stepped is not moved back)."""
        seg = np.mean([r.seg for _, r in self._hist], axis=0)
        anchor = np.mean([r.anchor for _, r in self._hist], axis=0)
        if first:
            self._b = anchor.copy()
            self._a0 = anchor.copy()
            self._s0 = 1.0
        else:
            self._s0, self._a0 = self._last.scale, np.asarray(self._last.anchor, float)
        self._seg_ref, self._size_ref = seg, float(seg.sum())
        self._anchor_ref_est = anchor
        self._body_ref_est = float(np.mean([r.body_y for _, r in self._hist]))
        self._body_at_anchor = 0.0
        self._stance = np.mean([r.toes for _, r in self._hist], axis=0)
        self._scale.value, self._anchor.value = np.zeros(1), np.zeros(2)
        for held in (self._scale, self._anchor):
            held.moving = held.refine = False
            held.settled.clear()
        self._recent.clear()
        self._recent_body.clear()

    def _body_still(
        self, rel_a: np.ndarray, sm_a: np.ndarray, rel_body: float, sm_body: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """The floor point's estimates with their height held where it is when the body
        did not move with it (:data:`BODY_FOLLOWS_FRAC`): the floor point moved, not the
        camera."""
        assert self._anchor.value is not None
        held = float(self._anchor.value[1])
        band = float(self._anchor.band[1])
        out = []
        # only where the estimate would start a move (:meth:`_Held.update`): within the band
        # it goes on sharpening the framing unchanged
        for est, body, out_at in ((rel_a, rel_body, 1.5 * band), (sm_a, sm_body, band)):
            shift = float(est[1]) - held
            moved = body - self._body_at_anchor
            if abs(shift) <= out_at:
                pass
            elif shift * moved <= 0 or abs(moved) < BODY_FOLLOWS_FRAC * abs(shift):
                est = np.array([est[0], held])
            out.append(est)
        return out[0], out[1]

    def _feet_apart(self, raw: _Raw) -> bool:
        """Whether the feet left the stance of the reference (a step, a foot lifted)."""
        return bool(np.hypot(*(raw.toes - self._stance)) > FEET_APART_FRAC)

    def _stance_settled(self) -> bool:
        """Whether the feet have kept their places for :data:`STANCE_S`."""
        if not self._hist or self._hist[-1][0] - self._hist[0][0] < 0.9 * STANCE_S:
            return False
        toes = np.array([r.toes for _, r in self._hist])
        return bool(np.all(np.ptp(toes, axis=0) <= FEET_APART_FRAC))

    def _frame(self, moving: bool, started: bool) -> CameraFrame:
        assert self._scale.value is not None and self._anchor.value is not None
        scale = self._s0 * math.exp(float(self._scale.value[0]))
        now = self._a0 + self._anchor.value * self._size_ref
        return CameraFrame(
            scale=scale,
            anchor=(float(now[0]), float(now[1])),
            anchor_ref=(float(self._b[0]), float(self._b[1])),
            moving=moving,
            move_started=started,
        )

    def update(self, t: float, xy: np.ndarray) -> CameraFrame:
        """Take one frame's ``(33, 2)`` landmarks (NaN: not seen); its camera state."""
        cfg = self.config
        raw = _raw(np.asarray(xy, float))
        if not raw.ok:
            return self._last  # nothing to measure the camera by: it stays as it was
        self._hist.append((t, raw))
        while self._hist and self._hist[0][0] < t - STANCE_S:
            self._hist.popleft()
        if not self.ready:
            if math.isnan(self._t0):
                self._t0 = t
            if t - self._t0 >= cfg.init_s:
                self._reference(first=True)
                self._last = self._frame(False, False)
            return self._last
        if self._moved_feet or self._feet_apart(raw):
            # the person stepped or lifted a foot: the camera is taken to stay put (a move
            # begun with it was the person's) until the feet stand still again
            if not self._moved_feet and self._pre_move is not None and self._last.moving:
                self._scale.value, self._anchor.value = self._pre_move
                if self.moves_:
                    self.moves_.pop()
            self._moved_feet = True
            self._pre_move = None
            self._last = self._frame(False, False)
            if self._stance_settled():
                self._reference(first=False)
                self._moved_feet = False
            return self._last
        # in units of the reference: log scale, floor point / summed length
        log_s = np.array([math.log(float(np.median(raw.seg / self._seg_ref)))])
        rel_a = (raw.anchor - self._anchor_ref_est) / self._size_ref
        self._recent.append((t, float(log_s[0]), rel_a))
        while self._recent and self._recent[0][0] < t - cfg.smooth_s:
            self._recent.popleft()
        sm_s = np.array([np.mean([v for _, v, _ in self._recent])])
        sm_a = np.mean([a for _, _, a in self._recent], axis=0)
        rel_body = (raw.body_y - self._body_ref_est) / self._size_ref
        self._recent_body.append((t, rel_body))
        while self._recent_body and self._recent_body[0][0] < t - cfg.smooth_s:
            self._recent_body.popleft()
        sm_body = float(np.mean([v for _, v in self._recent_body]))
        was_moving = self._last.moving
        before = (self._scale.value.copy(), self._anchor.value.copy())  # type: ignore[union-attr]
        started = self._scale.update(t, log_s, sm_s, cfg.settle_s)
        scaling = abs(float(sm_s[0] - self._scale.value[0])) > 0.25 * cfg.scale_band  # type: ignore[index]
        if not (self._scale.moving or self._anchor.moving or scaling):
            rel_a, sm_a = self._body_still(rel_a, sm_a, rel_body, sm_body)
        started |= self._anchor.update(t, rel_a, sm_a, cfg.settle_s)
        if self._anchor.moving or self._anchor.refine:
            self._body_at_anchor = sm_body
        moving = self._scale.moving or self._anchor.moving
        if moving and not was_moving:
            self._pre_move = before
            self.moves_.append(t)
        self._last = self._frame(moving, moving and not was_moving)
        return self._last


@dataclass(frozen=True, eq=False)
class Stabilised:
    """A clip mapped into its first framing: the ``pose``, each frame's ``scale`` and
    whether the picture was ``moving`` (``(T,)``), the times ``moves_s`` at which it
    started moving and ``camera_moves_s`` those of them that were the camera's."""

    pose: PoseSequence
    scale: np.ndarray
    moving: np.ndarray
    moves_s: tuple[float, ...]
    camera_moves_s: tuple[float, ...]


def stabilise(pose: PoseSequence, config: CameraMotionConfig | None = None) -> Stabilised:
    """Every frame of ``pose`` mapped into the clip's first framing by a
    :class:`CameraMotionTracker` run over it frame by frame (as the live loop does)."""
    tracker = CameraMotionTracker(config)
    n = len(pose)
    xy = pose.xy.copy()
    scale = np.ones(n)
    moving = np.zeros(n, bool)
    for i in range(n):
        cam = tracker.update(float(pose.t_s[i]), pose.xy[i])
        xy[i] = cam.undo(pose.xy[i])
        scale[i], moving[i] = cam.scale, cam.moving
    if not tracker.moves_:  # a start of a move found to be the person's stepping
        return Stabilised(pose, scale, np.zeros(n, bool), (), ())
    out = PoseSequence(
        xy=xy,
        visibility=pose.visibility,
        t_s=pose.t_s,
        frame_size=pose.frame_size,
        world=pose.world,
        frame_index=pose.frame_index,
        source=pose.source,
    )
    return Stabilised(out, scale, moving, tuple(tracker.moves_), tuple(tracker.camera_moves()))


def camera_moved_warning(moves_s: tuple[float, ...] | list[float]) -> str:
    """The warning for a clip whose camera moved at ``moves_s`` (s)."""
    at = ", ".join(f"{t:.1f} s" for t in moves_s[:5]) + (" …" if len(moves_s) > 5 else "")
    return (
        f"the camera moved (zoom, pan or a shaking hand) at {at}: heights were measured "
        "against the feet and the body across it"
    )
