"""Pose estimation: model bundle, backends, and who is who across frames.

Typical offline use::

    from gaitlab.pose import MediaPipePose, estimate_video, track_people, select_subject

    with MediaPipePose() as estimator:
        per_frame, t_s = estimate_video(frames, estimator)  # frames: (rgb, t_s, (W, H))
    subject = select_subject(track_people(per_frame, t_s), t_s, (W, H))
    subject.pose, subject.persons_seen, subject.warnings
"""

from gaitlab.pose.base import (
    PersonPose,
    PoseEstimator,
    estimate_video,
    pose_distance,
    suppress_duplicates,
)
from gaitlab.pose.bundle import (
    BundleInfo,
    build_bundle_from_wheel,
    default_models_dir,
    resolve_bundle,
)
from gaitlab.pose.follow import FollowSubject, unfollowed_fraction
from gaitlab.pose.mediapipe_backend import MediaPipePose
from gaitlab.pose.tracking import (
    MotionGate,
    SubjectSelection,
    SwitchReport,
    Track,
    Tracker,
    select_subject,
    track_people,
)

__all__ = [
    "BundleInfo",
    "FollowSubject",
    "MediaPipePose",
    "MotionGate",
    "PersonPose",
    "PoseEstimator",
    "SubjectSelection",
    "SwitchReport",
    "Track",
    "Tracker",
    "build_bundle_from_wheel",
    "default_models_dir",
    "estimate_video",
    "pose_distance",
    "resolve_bundle",
    "select_subject",
    "suppress_duplicates",
    "track_people",
    "unfollowed_fraction",
]
