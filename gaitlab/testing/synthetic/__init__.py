"""Kinematic walker, calf-raiser and balancer with known ground truth.

Every analyzer test starts here: a 3D skeleton of all 33 BlazePose landmarks is generated
from a few clinical parameters (cadence, knee valgus, pelvic drop, heel height, ankle roll …),
projected through a pinhole camera, optionally degraded the way BlazePose degrades (pixel
noise, dropouts, left/right leg swaps, low visibility of the far-side limbs), and returned
together with the exact answer. :func:`pattern_walk` walks with a limp (step-to,
step-through, antalgic), shuffles, circumducts, uses a cane or walks slowly
(:data:`PATTERNS`), built from footfalls with per-side timing.

Conventions
-----------
World frame
    Metres, right-handed, ``z`` up, floor at ``z = 0``. The subject faces ``+x`` (a walker
    progresses along ``+x``), ``+y`` is the subject's left. The subject stands (or the walking
    path is centred) at ``x = y = 0``.
Body
    Segment lengths from standing height with Winter's anthropometric ratios
    (:class:`Body`). The ``heel`` landmark is the back of the heel on the sole, ``foot_index``
    the tip of the second toe on the sole: both touch the floor (``z = 0``) when the foot is flat.
    The foot bends at the metatarsal heads (the toes stay flat on the floor in a heel rise).
Camera
    :class:`Camera` is placed ``distance_m`` (horizontal) from a look-at point, at
    ``height_m`` above the floor, and aimed at it. ``yaw_deg`` is the camera's bearing around
    the subject: ``0`` in front of the subject (anterior view: the subject's left appears on
    the image right), ``180`` behind (posterior), ``90`` on the subject's left (sagittal_left:
    the left side faces the camera, the walker moves towards the image left), ``-90``/``270``
    on the right (sagittal_right). ``pitch_deg`` tilts the camera further down (``> 0``) from
    that aim; ``roll_deg`` rotates the camera about its optical axis so that a level line in
    the world appears in the image at ``atan2(dy, dx) = +roll_deg`` (y down: it runs downhill to
    the right, the picture looks turned clockwise). The look-at point is the subject's mean
    pelvis centre (``Camera.look_at_height_m`` overrides its height, e.g. ``0.1`` to film the
    feet). Pinhole projection without distortion; principal point at the image centre;
    ``focal_px`` defaults to a 60° horizontal field of view.
Image
    Pixels, ``x`` right, ``y`` down (the :class:`~gaitlab.core.types.PoseSequence` convention).
World landmarks
    ``PoseSequence.world`` mimics BlazePose world landmarks: metres, origin at the hip centre,
    axes aligned with the camera (``x`` image right, ``y`` image down, ``z`` away from the
    camera).
Angles (truth signals, degrees)
    ``fppa_<side>_deg``: thigh (hip→knee) versus shank (knee→ankle) projected on the
    subject's frontal plane (``y``-``z``); positive when the knee lies medial of the hip–ankle
    line (valgus). ``pelvic_obliquity_deg``: hip–hip line against the horizontal in the
    frontal plane, positive when the left hip is lower than the right (as in ``measures``).
    ``ankle_roll_<side>_deg``: change of the frontal-plane angle between shank (knee→ankle)
    and heel line (ankle→heel) caused by the roll, i.e. from the same pose without roll
    (the standing baseline before each rep), positive when rolling outward (inversion: the
    ankle moves laterally over the foot).
    These are what an ideal orthographic frontal camera measures. A real camera a few metres
    away adds perspective error: on the default walker about 1–1.7° of FPPA at 3–4 m; a
    posterior camera at 1 m height sees only about 55 % of an ankle roll (the heel line is
    short and mostly points backwards at the top of a raise), 70 % at 0.3 m.

Time
    Frames at ``t = i / fps``; event times in the truth are exact (continuous time) and their
    ``frame`` is the nearest frame.
"""

from gaitlab.testing.synthetic.balancer import single_leg_stance
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.calf_raiser import calf_raises
from gaitlab.testing.synthetic.camera import Camera, project
from gaitlab.testing.synthetic.degrade import build_pose_sequence
from gaitlab.testing.synthetic.gait_patterns import PATTERNS, GaitPattern, pattern_walk
from gaitlab.testing.synthetic.handheld import CameraMotion, apply_camera_motion
from gaitlab.testing.synthetic.kinematics import frontal_angles
from gaitlab.testing.synthetic.truth import (
    CalfRaiseTruth,
    FootContact,
    RepTruth,
    SingleLegStanceTruth,
    SingleSupport,
    SyntheticResult,
    WalkTruth,
)
from gaitlab.testing.synthetic.walker import walk

__all__ = [
    "PATTERNS",
    "Body",
    "CalfRaiseTruth",
    "Camera",
    "CameraMotion",
    "FootContact",
    "GaitPattern",
    "RepTruth",
    "SingleLegStanceTruth",
    "SingleSupport",
    "SyntheticResult",
    "WalkTruth",
    "apply_camera_motion",
    "build_pose_sequence",
    "calf_raises",
    "frontal_angles",
    "pattern_walk",
    "project",
    "single_leg_stance",
    "walk",
]
