"""Follow the likely subject between periodic looks at everybody.

Finding every person in every frame poses everybody in view, bystanders included, in every
frame. :class:`FollowSubject` looks at the whole frame for everybody only now and then (every
:data:`LOOK_EVERY_S`, every frame while nobody is followed, and at once when a person
followed is lost), and in between poses only the people it follows, each on a square around
where they are heading (a one-person landmarker on the frame with everything else blacked
out, so the detector sees them at the scale and place of a look; the landmarks stay within
about 1.5 px, median, of a frame-by-frame run, which is still enough to move a gait event
by a frame or two). MediaPipe's own video-mode following (landmarks from the previous
frame's region) is not used: on walk_side_outdoor_60fps its sticky left/right labels
doubled the leg-swap repairs and added a spurious heel strike, and its one-person landmark
filter delays the feet.

At each look the people to follow are chosen by the subject rule's own score
(:func:`~gaitlab.pose.tracking.completeness`: lower-limb landmarks visible times body size):
the best, and a contender scoring at least :data:`CONTENDER_RATIO` of them. The people not
followed are reported at the looks only, with :attr:`~gaitlab.pose.base.PersonPose.unseen_s`
saying how long they were not looked for, so identity tracking bridges the gap and subject
choice weighs each look for the frames it stands for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import numpy as np

from gaitlab.pose.base import PersonPose, pose_distance
from gaitlab.pose.bundle import BundleInfo
from gaitlab.pose.mediapipe_backend import MediaPipePose
from gaitlab.pose.tracking import MotionGate, completeness, select_subject, track_people

#: Seconds between looks at everybody while somebody is followed. Half a second lets a
#: person who walks in be considered within a stride, and is as long as a person track may
#: go unseen (:class:`~gaitlab.pose.tracking.Tracker`'s ``max_gap_s``).
LOOK_EVERY_S = 0.5

#: Side of the square left in view around a person followed, in body sizes
#: (:attr:`PersonPose.body_size_px`, about standing height): the region MediaPipe's landmark
#: model reads around a detected person spans about 1.5 body sizes, so 2 keeps it on real
#: pixels with a stride to spare, while a bystander a body size away stays out.
CROP_BODY_SIZES = 2.0

#: Most people followed at once.
MAX_FOLLOWED = 2

#: A second person is followed while their score at a look is at least this share of the best
#: one's: the subject rule adds the score over the whole video, so somebody scoring half as
#: much now may still be chosen in the end, and must then have been followed.
CONTENDER_RATIO = 0.5

#: The best person followed gives way when somebody else's score at a look is this many times
#: theirs (hysteresis: two people of nearly equal score do not make the
#: following flip between them at every look).
SWITCH_RATIO = 1.25

#: The follower's pose is taken for the person followed only within this many body sizes of
#: where they were heading (:class:`~gaitlab.pose.tracking.MotionGate` over one frame), with
#: at least this mean visibility of the hips and shoulders; otherwise the next frame is a look.
MIN_TORSO_VISIBILITY = 0.5

#: Poses closer than this many body sizes are the same person seen by the follower and at a
#: look (see :func:`~gaitlab.pose.base.suppress_duplicates`; the follower's crop shifts the
#: landmarks a little more than MediaPipe's own duplicates, so the bound is wider).
SAME_PERSON_DISTANCE = 0.25

_TORSO = np.array([11, 12, 23, 24])


class _Followed:
    """One person followed: their last two poses."""

    def __init__(self) -> None:
        self.poses: list[tuple[float, PersonPose]] = []  # last two (t_s, pose), newest last

    def add(self, t_s: float, pose: PersonPose) -> None:
        self.poses = [*self.poses[-1:], (t_s, pose)]

    def heading(self, t_s: float) -> tuple[PersonPose, np.ndarray, float]:
        """The last pose, how far (frame px) the person will have moved by ``t_s`` at their
        last speed, and the time since that pose."""
        t_last, last = self.poses[-1]
        shift = np.zeros(2)
        if len(self.poses) > 1:
            t_prev, prev = self.poses[-2]
            if t_last > t_prev:
                shift = (last.hip_center - prev.hip_center) * (t_s - t_last) / (t_last - t_prev)
        return last, shift, max(t_s - t_last, 0.0)

    def distance(self, pose: PersonPose, t_s: float) -> float:
        """How far ``pose`` lies (body sizes) from where this person was heading."""
        last, shift, _ = self.heading(t_s)
        return pose_distance(pose, dataclasses.replace(last, xy=last.xy + shift))


class FollowSubject:
    """A :class:`~gaitlab.pose.base.PoseEstimator` that follows the likely subject between
    looks at everybody.

    Each :meth:`process` returns the people followed (when found), then, at a look, everybody
    else. At most :data:`MAX_FOLLOWED` people are followed: the best by the subject rule's
    score and, while somebody else scores at least :data:`CONTENDER_RATIO` of them, that
    person too, so that whoever the rule picks in the end was followed. One instance serves
    one video segment; timestamps must increase.

    Parameters
    ----------
    bundle
        The model bundle (both landmarkers load it).
    num_poses
        Most people found at a look.
    look_every_s
        Seconds between looks while somebody is followed.
    """

    def __init__(
        self, bundle: BundleInfo, num_poses: int = 4, *, look_every_s: float = LOOK_EVERY_S
    ) -> None:
        self.look_every_s = look_every_s
        self.gate = MotionGate()
        self.looks = 0  # frames in which everybody was looked for
        self.frames = 0
        self._everyone = MediaPipePose(bundle, num_poses=num_poses, mode="image")
        try:
            self._follower = MediaPipePose(
                bundle, num_poses=1, duplicate_distance=None, mode="image"
            )
        except BaseException:
            self._everyone.close()
            raise
        self._followed: list[_Followed] = []  # best first
        self._canvas: np.ndarray | None = None  # the frame with all but a square blacked out
        self._next_look_s = -np.inf

    # -- one frame ------------------------------------------------------------------------
    def process(
        self, image_rgb: np.ndarray, t_s: float, *, out_size: tuple[int, int]
    ) -> list[PersonPose]:
        """The people followed (best first) and, at a look, everybody else; see
        :meth:`PoseEstimator.process`."""
        self.frames += 1
        found = _distinct([self._follow(f, image_rgb, t_s, out_size) for f in self._followed])
        if found and all(p is not None for p in found) and t_s < self._next_look_s:
            for f, pose in zip(self._followed, found, strict=True):
                f.add(t_s, pose)  # type: ignore[arg-type]
            return found  # type: ignore[return-value]
        self.looks += 1
        everyone = self._everyone.process(image_rgb, t_s, out_size=out_size)
        current: list[PersonPose | None] = []
        for f, pose in zip(self._followed, found, strict=True):
            if pose is None:  # lost in the square: found in the frame?
                pose = self._continuing(f, everyone, t_s, taken=current)
            current.append(pose)
        current = _distinct(current)
        seen = [p for p in current if p is not None]
        others = [
            p
            for p in everyone
            if all(p is not q and pose_distance(p, q) >= SAME_PERSON_DISTANCE for q in seen)
        ]
        keep = self._choose(current, others)
        self._refollow(keep, current, t_s)
        unfollowed = [p for p in [*seen, *others] if all(p is not q for q in keep)]
        self._next_look_s = t_s + self.look_every_s - 1e-6 if keep else -np.inf
        unseen = [dataclasses.replace(p, unseen_s=self.look_every_s) for p in unfollowed]
        return [*keep, *unseen] if keep else unfollowed

    def _choose(
        self, current: list[PersonPose | None], others: list[PersonPose]
    ) -> list[PersonPose]:
        """Who to follow from this look on, best first: the best by the subject rule (the
        best followed so far unless somebody else scores :data:`SWITCH_RATIO` times as much),
        and the next best while they score at least :data:`CONTENDER_RATIO` of the best."""
        followed = [p for p in current if p is not None]
        pool = sorted([*followed, *others], key=completeness, reverse=True)
        if not pool:
            return []
        best = pool[0]
        if followed and completeness(best) <= SWITCH_RATIO * completeness(followed[0]):
            best = followed[0]
        chosen = [best]
        for p in pool:
            if len(chosen) == MAX_FOLLOWED:
                break
            if p is not best and completeness(p) >= CONTENDER_RATIO * completeness(best):
                chosen.append(p)
        return chosen

    def _refollow(self, keep: list[PersonPose], current: list[PersonPose | None], t_s: float):
        """Follow the people kept from now on, each with their own history if they were
        followed already."""
        mine = {id(p): f for f, p in zip(self._followed, current, strict=True) if p is not None}
        followed = []
        for pose in keep:
            f = mine.get(id(pose)) or _Followed()
            f.add(t_s, pose)
            followed.append(f)
        self._followed = followed

    def _continuing(
        self,
        followed: _Followed,
        everyone: list[PersonPose],
        t_s: float,
        taken: list[PersonPose | None],
    ) -> PersonPose | None:
        """The person found at a look who continues one followed, if any."""
        near = [
            p
            for p in everyone
            if all(p is not q for q in taken) and self._plausible(followed, p, t_s)
        ]
        return min(near, key=lambda p: followed.distance(p, t_s), default=None)

    def _follow(
        self, followed: _Followed, image: np.ndarray, t_s: float, out_size: tuple[int, int]
    ) -> PersonPose | None:
        """The one-person landmarker on the frame with all but a square around where the
        person followed is heading blacked out; None when it found nobody plausible there.

        The square is not cut out and enlarged: MediaPipe's detector then sees the person at
        the scale and place of a look at the whole frame, so the region it hands the landmark
        model, and with it the landmarks, are those of a frame-by-frame run.
        """
        h, w = image.shape[:2]
        to_image = w / out_size[0]  # frame pixels -> image pixels
        last, shift, _ = followed.heading(t_s)
        x0, y0, side_x, side_y = _square(last, shift, to_image, (w, h))
        if self._canvas is None or self._canvas.shape != image.shape:
            self._canvas = np.zeros_like(image)
        canvas = self._canvas
        canvas.fill(0)
        canvas[y0 : y0 + side_y, x0 : x0 + side_x] = image[y0 : y0 + side_y, x0 : x0 + side_x]
        found = self._follower.process(canvas, t_s, out_size=out_size)
        if not found:
            return None
        pose = found[0]
        if float(pose.visibility[_TORSO].mean()) < MIN_TORSO_VISIBILITY:
            return None
        if not self._plausible(followed, pose, t_s):
            return None  # the follower found somebody else in the square
        return pose

    def _plausible(self, followed: _Followed, pose: PersonPose, t_s: float) -> bool:
        """``pose`` may continue the person followed: within the motion gate of where they
        were heading, and of a size they could have (:class:`MotionGate`)."""
        last, _, gap_s = followed.heading(t_s)
        ratio = abs(np.log(pose.body_size_px / last.body_size_px))
        return followed.distance(pose, t_s) <= self.gate.limit(gap_s) and ratio <= np.log(
            self.gate.max_size_ratio
        )

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        """Release both landmarkers (idempotent)."""
        self._everyone.close()
        self._follower.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _distinct(poses: list[PersonPose | None]) -> list[PersonPose | None]:
    """``poses`` with any that repeats an earlier one (two followers on the same person)
    replaced by None."""
    out: list[PersonPose | None] = []
    for pose in poses:
        same = pose is not None and any(
            q is not None and pose_distance(pose, q) < SAME_PERSON_DISTANCE for q in out
        )
        out.append(None if same else pose)
    return out


def _square(
    last: PersonPose, shift: np.ndarray, to_image: float, image_wh: tuple[int, int]
) -> tuple[int, int, int, int]:
    """``(x0, y0, width, height)`` in image pixels of the square followed: centred on the
    person's box moved by ``shift`` (frame pixels), :data:`CROP_BODY_SIZES` body sizes a
    side, moved (not cut) to lie inside the image, and cut only where the image is smaller."""
    w, h = image_wh
    centre = (0.5 * (last.bbox[:2] + last.bbox[2:]) + shift) * to_image
    side = CROP_BODY_SIZES * last.body_size_px * to_image
    side_x, side_y = int(min(round(side), w)), int(min(round(side), h))
    x0 = int(np.clip(round(centre[0] - side_x / 2), 0, w - side_x))
    y0 = int(np.clip(round(centre[1] - side_y / 2), 0, h - side_y))
    return x0, y0, max(side_x, 1), max(side_y, 1)


def unfollowed_fraction(
    frames: Sequence[Sequence[PersonPose]], t_s: np.ndarray | Sequence[float]
) -> float:
    """Share of the frames in which the person the ``auto`` rule chooses was not followed
    (seen only at looks at everybody: :attr:`PersonPose.unseen_s`); 0 with nobody at all."""
    t = np.asarray(t_s, dtype=float)
    if len(t) < 2 or not any(frames):
        return 0.0
    tracks = track_people(frames, t)
    chosen = set(select_subject(tracks, t, _ANY_FRAME_SIZE).track_ids)
    frame_s = float(np.median(np.diff(t)))
    skipped = sum(
        max(0.0, p.unseen_s / frame_s - 1.0)  # the frames after the look, until the next
        for tr in tracks
        if tr.track_id in chosen
        for p in tr.persons
    )
    return float(skipped / len(t))


#: Subject choice needs no frame size (it only labels the pose sequence it returns).
_ANY_FRAME_SIZE = (1, 1)
