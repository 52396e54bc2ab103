"""What the counter reads: per-frame heel and toe heights, sideways positions and body
heights in % of foot length (:class:`CalfRaiseFrame`, :class:`CalfRaiseInputs`), and the
foot's length in cm for heights in cm (:func:`foot_length_cm`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from gaitlab.core import anthropometry as anthro
from gaitlab.core.landmarks import SIDES, Landmark, side_landmark
from gaitlab.core.types import PoseSequence
from gaitlab.signals.measures import foot_length_px, remove_roll
from gaitlab.signals.view import estimate_azimuth_deg

#: Shoulder height / standing height (Winter): the shoulders are seen from the front and the
#: back alike (the face is not seen from behind), so they give the standing height in pixels.
SHOULDER_HEIGHT_FRAC = anthro.SHOULDER_HEIGHT_OF_HEIGHT

_NAN2 = (math.nan, math.nan)

BODY_GROUP_NAMES = ("trunk", "leg_left", "leg_right", "arms", "hands", "face")
#: Landmark groups that rise with the ankles when the knees stay straight (the whole body
#: goes up on tiptoe): extra, independent measurements of each rep's timing, one channel per
#: group so that arms holding a support, a nodding head or the free leg of a single-leg
#: raise only lose their own weight (the free leg's channel is left out altogether).
BODY_GROUPS: tuple[tuple[Landmark, ...], ...] = (
    tuple(side_landmark(s, p) for s in SIDES for p in ("hip", "shoulder")),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_KNEE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_KNEE),
    tuple(side_landmark(s, p) for s in SIDES for p in ("elbow", "wrist")),
    tuple(side_landmark(s, p) for s in SIDES for p in ("pinky", "index", "thumb")),
    tuple(Landmark(i) for i in range(11)),  # face: hidden from behind
)


@dataclass(frozen=True)
class CalfRaiseFrame:
    """One frame of input to :class:`~gaitlab.tasks.calf_raise.counter.CalfRaiseCounter`;
    every pair is ``(left, right)``.

    Heights are image heights (up +) in % of foot length with any fixed offset (the counter
    finds the standing baseline itself). Lateral positions are along the subject's
    left–right axis, + towards that foot's outside, % of foot length, any fixed offset; NaN
    where the view is not frontal, measured from the image centre (the principal point) so
    that the perspective of a foot moving towards or away from the camera can be undone.
    NaN = not detected. ``body_pct``: mean height of each :data:`BODY_GROUPS` group (same
    units). ``camera_distance_foot``: the camera's distance in foot lengths;
    ``azimuth_deg``: the camera's bearing around the subject
    (:func:`gaitlab.signals.view.estimate_azimuth_deg`); both serve the ankle roll and the shapes
    of the phase fit (:func:`~gaitlab.tasks.calf_raise.foot_model.forward_rise`).
    ``camera_moving``: the camera was moving in this frame
    (:class:`gaitlab.signals.camera_motion.CameraMotionTracker`): it teaches no baseline.
    """

    t_s: float
    frame: int
    heel_pct: tuple[float, float]
    toe_pct: tuple[float, float]
    ankle_lat_pct: tuple[float, float] = _NAN2
    heel_lat_pct: tuple[float, float] = _NAN2
    toe_lat_pct: tuple[float, float] = _NAN2
    knee_lat_pct: tuple[float, float] = _NAN2
    body_pct: tuple[float, ...] = (math.nan,) * len(BODY_GROUP_NAMES)
    camera_distance_foot: float = math.nan
    azimuth_deg: float = math.nan
    camera_moving: bool = False


#: The per-side ``(left, right)`` fields of :class:`CalfRaiseFrame`, in their order.
FIELDS = ("heel_pct", "toe_pct", "ankle_lat_pct", "heel_lat_pct", "toe_lat_pct", "knee_lat_pct")
#: Per-frame signal names of the counter's inputs (frames.csv columns).
INPUT_SIGNALS = {
    "heel_pct": "heel_level_{}_pct_foot",
    "toe_pct": "toe_level_{}_pct_foot",
    "ankle_lat_pct": "ankle_lateral_{}_pct_foot",
    "heel_lat_pct": "heel_lateral_{}_pct_foot",
    "toe_lat_pct": "toe_lateral_{}_pct_foot",
    "knee_lat_pct": "knee_lateral_{}_pct_foot",
    "body_pct": "body_level_{}_pct_foot",
    "camera_distance_foot": "camera_distance_foot",
    "azimuth_deg": "camera_azimuth_deg",
}


@dataclass(frozen=True, eq=False)
class CalfRaiseInputs:
    """Counter input for a whole sequence: ``t_s``, ``frame`` ``(T,)`` and each
    :class:`CalfRaiseFrame` field as ``(T, 2)`` (columns left, right)."""

    t_s: np.ndarray
    frame: np.ndarray
    heel_pct: np.ndarray
    toe_pct: np.ndarray
    ankle_lat_pct: np.ndarray
    heel_lat_pct: np.ndarray
    toe_lat_pct: np.ndarray
    knee_lat_pct: np.ndarray
    body_pct: np.ndarray
    camera_distance_foot: np.ndarray
    azimuth_deg: np.ndarray
    camera_moving: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)

    def frames(self) -> Iterator[CalfRaiseFrame]:
        rows = [getattr(self, f).tolist() for f in FIELDS]
        body = self.body_pct.tolist()
        dist = self.camera_distance_foot.tolist()
        az = self.azimuth_deg.tolist()
        moving = self.camera_moving.tolist()
        for i, (t, fr) in enumerate(zip(self.t_s.tolist(), self.frame.tolist(), strict=True)):
            yield CalfRaiseFrame(
                t,
                int(fr),
                *(tuple(r[i]) for r in rows),
                body_pct=tuple(body[i]),
                camera_distance_foot=dist[i],
                azimuth_deg=az[i],
                camera_moving=bool(moving[i]),
            )

    def signals(self) -> dict[str, np.ndarray]:
        """Every input as a named per-frame signal (:data:`INPUT_SIGNALS`; frames.csv)."""
        out: dict[str, np.ndarray] = {}
        for f in FIELDS:
            for k, side in enumerate(SIDES):
                out[INPUT_SIGNALS[f].format(side)] = getattr(self, f)[:, k].copy()
        for g, group in enumerate(BODY_GROUP_NAMES):
            out[INPUT_SIGNALS["body_pct"].format(group)] = self.body_pct[:, g].copy()
        out[INPUT_SIGNALS["camera_distance_foot"]] = self.camera_distance_foot.copy()
        out[INPUT_SIGNALS["azimuth_deg"]] = self.azimuth_deg.copy()
        return out

    @classmethod
    def from_pose(
        cls,
        pose: PoseSequence,
        *,
        foot_px: float | None = None,
        roll_deg: float = 0.0,
        frontal: np.ndarray | None = None,
        azimuth_deg: np.ndarray | None = None,
        hfov_deg: float = 65.0,
        camera_moving: np.ndarray | None = None,
    ) -> CalfRaiseInputs:
        """Inputs from pixel landmarks (offline: a whole cleaned clip; live: one frame).

        Parameters
        ----------
        pose
            Cleaned pose (offline) or a causally filtered one (live; a 1-frame sequence).
        foot_px
            Foot length in pixels; default :func:`gaitlab.signals.measures.foot_length_px` of
            ``pose`` (live: estimate it once from the first seconds and pass it).
        roll_deg
            Camera roll to undo first (:func:`gaitlab.signals.measures.estimate_camera_roll_deg`).
        frontal
            ``(T,)`` or ``(T, 2)`` bool: frames (per side) whose view supports sideways
            measures (anterior / posterior, oblique within 30°); lateral inputs are NaN
            elsewhere. Default: all frames.
        azimuth_deg
            ``(T,)`` camera bearing around the subject; default
            :func:`gaitlab.signals.view.estimate_azimuth_deg` of ``pose``.
        hfov_deg
            The camera's horizontal field of view, for its distance in foot lengths (only
            used to undo perspective in the ankle roll). Phone and webcam lenses are 60–75°;
            a 10° error changes a 1° correction by ~0.2°.
        camera_moving
            ``(T,)`` bool: frames in which the camera moved (the pose already mapped into
            the first framing, :func:`gaitlab.signals.camera_motion.stabilise`); default none.
        """
        n = len(pose)
        fpx = foot_length_px(pose) if foot_px is None else float(foot_px)
        level = remove_roll(pose, roll_deg) if roll_deg else pose
        xy = level.xy
        if not (np.isfinite(fpx) and fpx > 0):
            fpx = math.nan
        out: dict[str, np.ndarray] = {f: np.full((n, 2), np.nan) for f in FIELDS}
        # The subject's left is on the image right in anterior views and on the left in
        # posterior ones: the hip order gives each leg's outward direction frame by frame.
        with np.errstate(invalid="ignore"):
            hip_dx = xy[:, Landmark.LEFT_HIP, 0] - xy[:, Landmark.RIGHT_HIP, 0]
            sign_left = np.sign(hip_dx)
        sign_left = np.where(sign_left == 0, np.nan, sign_left)
        fr = np.ones((n, 2), bool) if frontal is None else np.asarray(frontal, bool)
        if fr.ndim == 1:
            fr = np.repeat(fr[:, None], 2, axis=1)
        if fr.shape != (n, 2):
            raise ValueError(f"frontal: expected shape ({n},) or ({n}, 2), got {fr.shape}")
        with np.errstate(invalid="ignore", divide="ignore"):
            for k, side in enumerate(SIDES):
                lat = sign_left if side == "left" else -sign_left
                knee = xy[:, side_landmark(side, "knee")]
                ankle = xy[:, side_landmark(side, "ankle")]
                heel = xy[:, side_landmark(side, "heel")]
                toe = xy[:, side_landmark(side, "foot_index")]
                out["heel_pct"][:, k] = -100.0 * heel[:, 1] / fpx
                out["toe_pct"][:, k] = -100.0 * toe[:, 1] / fpx
                ok = fr[:, k]
                for name, p in (
                    ("ankle_lat_pct", ankle),
                    ("heel_lat_pct", heel),
                    ("toe_lat_pct", toe),
                    ("knee_lat_pct", knee),
                ):
                    x_c = p[:, 0] - 0.5 * pose.frame_size[0]
                    out[name][:, k] = np.where(ok, 100.0 * lat * x_c / fpx, np.nan)
            body = np.stack(
                [-100.0 * xy[:, list(g), 1].mean(axis=1) / fpx for g in BODY_GROUPS], axis=1
            )
        f_px = 0.5 * pose.frame_size[0] / math.tan(math.radians(0.5 * hfov_deg))
        az = estimate_azimuth_deg(pose) if azimuth_deg is None else np.asarray(azimuth_deg, float)
        if az.shape != (n,):
            raise ValueError(f"azimuth_deg: expected shape ({n},), got {az.shape}")
        return cls(
            t_s=pose.t_s.copy(),
            frame=np.asarray(pose.frame_index).copy(),
            body_pct=body,
            camera_distance_foot=np.full(n, f_px / fpx),
            azimuth_deg=az,
            camera_moving=(
                np.zeros(n, bool) if camera_moving is None else np.asarray(camera_moving, bool)
            ),
            **out,
        )


def foot_length_cm(pose: PoseSequence, height_cm: float, foot_px: float | None = None) -> float:
    """Foot length in cm, scaling the foot in pixels by the standing height in pixels.

    Standing height in pixels = (floor − shoulders) / 0.818 (Winter's shoulder height),
    floor = the heels' median image height over the clip's frames with both heels and both
    shoulders seen. Valid when subject and feet are at the same distance from the camera
    (they are, standing). NaN when the shoulders or heels were never seen.
    """
    fpx = foot_length_px(pose) if foot_px is None else float(foot_px)
    y = pose.xy[..., 1]
    heels = y[:, [Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sh = np.nanmean(y[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]], axis=1)
        floor = np.nanmax(heels, axis=1)  # the lower heel: on the floor
        span = floor - sh
        ok = np.isfinite(span) & (span > 0)
        if not ok.any():
            return math.nan
        # the heels are on the floor in most frames: the 75th percentile of the span skips
        # raised heels (a shorter span)
        stature_px = float(np.percentile(span[ok], 75)) / SHOULDER_HEIGHT_FRAC
    return float(fpx / stature_px * height_cm)
