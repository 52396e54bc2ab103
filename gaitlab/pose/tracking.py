"""Who is who across frames: identity tracking and the choice of the subject.

:class:`Tracker` links each frame's detections to person tracks (live, one frame at a time);
:func:`track_people` runs it over a whole video. :func:`select_subject` picks the person to
analyse and turns their track into a :class:`~gaitlab.core.types.PoseSequence`. An identity
switch is never silent: a track that plausibly continues the subject after a gap is merged
and reported as a repair; any other hand-over near the subject's track ends is reported as
not merged.

Distances are in *body sizes* (:attr:`PersonPose.body_size_px`, about standing height), so
the same thresholds hold for a subject 3 m or 10 m from the camera.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from gaitlab.core.errors import NoSubjectError, ShapeError
from gaitlab.core.landmarks import LEG_LANDMARKS, N_LANDMARKS
from gaitlab.core.types import PoseSequence
from gaitlab.pose.base import PersonPose

_INFEASIBLE = 1e6
#: Lower-limb landmarks (hips to toes, both sides) counted by the auto subject rule.
_LEGS = np.array([int(lm) for lm in LEG_LANDMARKS])


#: What the user reads when no person was detected in any frame.
NOBODY_MESSAGE = "nobody was found in the video: film the whole body, well lit"


@dataclass(frozen=True)
class MotionGate:
    """How far a person may plausibly move between two sightings.

    A detection ``gap_s`` after a track's last sighting may continue it when its hip and
    shoulder centres lie within ``max_jump + max_speed * gap_s`` body sizes of where the
    track was heading (constant velocity over the last ``velocity_window_s``), and its body
    size is within a factor ``max_size_ratio`` of the track's.

    Defaults: people walk at about 0.8 body heights per second and rarely faster than
    1.5 (running across the frame); 0.35 body sizes absorbs landmark jitter and a change
    of pace within one frame, while a jump to a person standing beside the subject (at
    least ~0.4 body sizes away, usually more) is rejected. Sizes change by far less than
    1.6x between sightings unless the detection is somebody else.
    """

    max_jump: float = 0.35
    max_speed: float = 1.5
    max_size_ratio: float = 1.6
    velocity_window_s: float = 0.3

    def limit(self, gap_s: float) -> float:
        return self.max_jump + self.max_speed * max(gap_s, 0.0)


@dataclass(frozen=True, eq=False)
class Track:
    """One person's sightings, in time order.

    Attributes
    ----------
    track_id
        Identity, from 1, in order of first appearance.
    rows
        ``(n,)`` position of each sighting in the frame sequence given to the tracker
        (``0`` = first :meth:`Tracker.update` call).
    t_s
        ``(n,)`` time of each sighting in seconds.
    frame_index
        ``(n,)`` source-video frame index of each sighting (equal to ``rows`` unless the
        caller passed frame indices).
    persons
        The pose at each sighting.
    """

    track_id: int
    rows: np.ndarray
    t_s: np.ndarray
    frame_index: np.ndarray
    persons: tuple[PersonPose, ...]

    @property
    def n_obs(self) -> int:
        return len(self.persons)

    @property
    def start_s(self) -> float:
        return float(self.t_s[0])

    @property
    def end_s(self) -> float:
        return float(self.t_s[-1])

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def end_velocity(self, window_s: float = 0.3) -> np.ndarray:
        """Hip-centre velocity in px/s over the last ``window_s`` seconds of the track."""
        return _velocity(self.t_s, [p.hip_center for p in self.persons], window_s)


@dataclass
class _Live:
    track_id: int
    rows: list[int] = field(default_factory=list)
    t_s: list[float] = field(default_factory=list)
    frame_index: list[int] = field(default_factory=list)
    persons: list[PersonPose] = field(default_factory=list)

    def freeze(self) -> Track:
        return Track(
            track_id=self.track_id,
            rows=np.asarray(self.rows, dtype=int),
            t_s=np.asarray(self.t_s, dtype=float),
            frame_index=np.asarray(self.frame_index, dtype=int),
            persons=tuple(self.persons),
        )


class Tracker:
    """Frame-by-frame identity tracking of people (works live and offline).

    Each :meth:`update` matches the frame's detections to the tracks seen within the last
    ``max_gap_s`` by Hungarian assignment on a cost that adds the hip/shoulder-centre
    distance from each track's predicted position (body sizes), ``0.5 x (1 - IoU)`` of
    the bounding boxes and ``0.5 x |log size ratio|``. Pairs outside the
    :class:`MotionGate` are never matched: an implausible jump starts a new track rather
    than being merged. Unmatched detections start new tracks; a track unseen for more than
    ``max_gap_s`` is closed and never resumes (``max_gap_s`` plus
    :attr:`~gaitlab.pose.base.PersonPose.unseen_s` after a sighting at a periodic look).

    Parameters
    ----------
    max_gap_s
        How long a track survives without a sighting. 0.5 s bridges a brief occlusion (a
        person passing in front) and missed detections, yet is short enough that somebody
        else entering the same place later gets a new identity.
    gate
        Motion plausibility limits; see :class:`MotionGate`.
    """

    def __init__(self, max_gap_s: float = 0.5, gate: MotionGate | None = None) -> None:
        self.max_gap_s = max_gap_s
        self.gate = MotionGate() if gate is None else gate
        self._tracks: list[_Live] = []
        self._next_id = 1
        self._row = 0
        self._last_t: float | None = None

    def update(
        self, persons: Sequence[PersonPose], t_s: float, frame_index: int | None = None
    ) -> list[int]:
        """Assign the frame's persons to tracks; returns their track ids, in order.

        Call once per frame, also for frames with nobody in them (an empty list), with
        strictly increasing ``t_s``.
        """
        t_s = float(t_s)
        if self._last_t is not None and not t_s > self._last_t:
            raise ShapeError(f"t_s: timestamps must increase, got {t_s} after {self._last_t}")
        self._last_t = t_s
        row = self._row
        self._row += 1
        fi = row if frame_index is None else int(frame_index)

        # A person seen only at a periodic look was not looked for until the next one.
        active = [
            tr
            for tr in self._tracks
            if t_s - tr.t_s[-1] <= self.max_gap_s + tr.persons[-1].unseen_s
        ]
        ids = [0] * len(persons)
        unmatched = set(range(len(persons)))
        if active and persons:
            cost = np.array([[self._cost(tr, p, t_s) for p in persons] for tr in active])
            for ti, di in zip(*linear_sum_assignment(cost), strict=True):
                if cost[ti, di] < _INFEASIBLE:
                    self._append(active[ti], persons[di], t_s, row, fi)
                    ids[di] = active[ti].track_id
                    unmatched.discard(di)
        for di in sorted(unmatched):
            tr = _Live(self._next_id)
            self._next_id += 1
            self._tracks.append(tr)
            self._append(tr, persons[di], t_s, row, fi)
            ids[di] = tr.track_id
        return ids

    @property
    def tracks(self) -> list[Track]:
        """Every track so far (open and closed), by id."""
        return [tr.freeze() for tr in self._tracks]

    @property
    def n_frames(self) -> int:
        """Number of :meth:`update` calls so far."""
        return self._row

    @staticmethod
    def _append(tr: _Live, person: PersonPose, t_s: float, row: int, fi: int) -> None:
        tr.rows.append(row)
        tr.t_s.append(t_s)
        tr.frame_index.append(fi)
        tr.persons.append(person)

    def _cost(self, tr: _Live, det: PersonPose, t_s: float) -> float:
        last = tr.persons[-1]
        gap = t_s - tr.t_s[-1]
        window = [p.hip_center for p in tr.persons[-64:]]
        velocity = _velocity(np.asarray(tr.t_s[-64:]), window, self.gate.velocity_window_s)
        dist, log_ratio = _handover(last, velocity, gap, det)
        if dist > self.gate.limit(gap) or log_ratio > np.log(self.gate.max_size_ratio):
            return _INFEASIBLE
        shifted = last.bbox + np.tile(velocity * gap, 2)
        return dist + 0.5 * (1.0 - _iou(shifted, det.bbox)) + 0.5 * log_ratio


def track_people(
    frames: Sequence[Sequence[PersonPose]],
    t_s: np.ndarray | Sequence[float],
    *,
    frame_index: np.ndarray | Sequence[int] | None = None,
    tracker: Tracker | None = None,
) -> list[Track]:
    """Track people over a whole video; ``frames[i]`` holds the persons at ``t_s[i]``."""
    t = np.asarray(t_s, dtype=float)
    if len(frames) != len(t):
        raise ShapeError(f"t_s: expected {len(frames)} timestamps, got {len(t)}")
    tracker = Tracker() if tracker is None else tracker
    for i, persons in enumerate(frames):
        tracker.update(persons, t[i], None if frame_index is None else int(frame_index[i]))
    return tracker.tracks


# -- subject selection ------------------------------------------------------------------


@dataclass(frozen=True)
class SwitchReport:
    """A hand-over between two tracks at one end of the subject's track.

    ``repaired`` is True when the later track was merged into the subject (it continues
    the subject plausibly and unambiguously) and False when it was left alone.
    ``distance`` is in body sizes from where the earlier track was heading.
    """

    from_track: int
    to_track: int
    t_s: float
    frame: int
    gap_s: float
    distance: float
    repaired: bool
    message: str


@dataclass(frozen=True, eq=False)
class SubjectSelection:
    """The subject's pose over the whole video and how it was obtained.

    Attributes
    ----------
    pose
        One row per frame given to the tracker; NaN rows where the subject is absent.
    track_id
        The subject's identity: the first track of the (possibly repaired) chain.
    track_ids
        Every track merged into the subject, in time order.
    row_track
        ``(T,)`` which track supplied each row (``-1`` where the subject is absent).
    persons_seen
        Distinct people (repaired chains counted once) seen in frames adding up to at
        least ``min_track_s`` and in at least ``min_track_frames`` frames. Briefer tracks
        are nearly always spurious: a second, smaller pose fitted inside a real person, or
        a few detections of a half-hidden figure.
    switches
        Every hand-over at the ends of the subject's tracks, repaired or not.
    warnings
        Plain-language notes for the report (repairs, unmerged hand-overs, a close call
        between candidates, poor coverage).
    rule
        The rule used (``"auto"``, ``"largest"`` or ``"track"``).
    scores
        Rule score per candidate chain, keyed by the chain's first track id (the auto
        score for an explicit track id).
    """

    pose: PoseSequence
    track_id: int
    track_ids: tuple[int, ...]
    row_track: np.ndarray
    persons_seen: int
    switches: tuple[SwitchReport, ...]
    warnings: tuple[str, ...]
    rule: str
    scores: dict[int, float]


def select_subject(
    tracks: Sequence[Track],
    t_s: np.ndarray | Sequence[float],
    frame_size: tuple[int, int],
    rule: str | int = "auto",
    *,
    frame_index: np.ndarray | None = None,
    source: str = "",
    repair_gap_s: float = 1.0,
    gate: MotionGate | None = None,
    min_track_s: float = 0.3,
    min_track_frames: int = 3,
    close_call: float = 0.8,
    min_coverage: float = 0.5,
    joins_s: Sequence[float] = (),
) -> SubjectSelection:
    """Choose the subject among the tracks and return their pose for every frame.

    First, tracks are chained: track B continues track A when B starts after A's last
    sighting within ``repair_gap_s``, B's first pose lies inside ``gate`` (the tracker's
    :class:`MotionGate` by default) from where A was heading, and A and B are each other's
    only such candidate. Then one chain is chosen by ``rule``:

    Only chains that count as a person (see ``persons_seen``) compete under the named
    rules, unless there are none.

    ``"auto"``
        The largest sum over frames of (lower-limb landmarks with visibility >= 0.5) x
        (body size in px). It favours the person whose legs are most completely visible,
        who is largest in frame (usually nearest the camera) and who is seen longest —
        the person a gait or exercise video is normally about. A runner-up scoring at least
        ``close_call`` of the winner is named in a warning.
    ``"largest"``
        The largest median body size in px.
    an int
        That track id (and whatever it was chained with).

    Parameters
    ----------
    tracks
        From :func:`track_people` or :attr:`Tracker.tracks`.
    t_s
        ``(T,)`` times of all frames given to the tracker.
    frame_size
        ``(width, height)`` of the upright frame.
    frame_index, source
        Passed on to the :class:`~gaitlab.core.types.PoseSequence` (source-video frame index of
        each row, default ``arange(T)``; where the video came from).
    repair_gap_s
        Longest gap bridged by a repair; ``0`` disables repairs. 1 s covers a walker
        hidden behind a passer-by or a pillar; longer gaps make a mix-up likelier.
    min_coverage
        Warn when the subject is found in fewer than this fraction of frames.
    joins_s
        Times where the file joins recordings end to end (the video reader's ``joins_s``). The
        picture starts again there, so where it was heading says nothing: a track lost
        just before a join is continued by one starting at it if their sizes match (the
        gate's size ratio) and each is the other's only such candidate.

    Raises
    ------
    NoSubjectError
        No tracks at all, or ``rule`` names a track that does not exist.
    """
    t = np.asarray(t_s, dtype=float)
    n = len(t)
    gate = MotionGate() if gate is None else gate
    tracks = sorted(tracks, key=lambda tr: tr.track_id)
    if not tracks:
        raise NoSubjectError(NOBODY_MESSAGE)
    by_id = {tr.track_id: tr for tr in tracks}

    handovers = _handovers(tracks, repair_gap_s, gate, joins_s)
    links = {a: b for (a, b), h in handovers.items() if h.plausible and h.unique}
    chains = _chains(tracks, links)  # first id -> [ids]

    def obs(chain: list[int]) -> list[PersonPose]:
        return [p for tid in chain for p in by_id[tid].persons]

    frame_s = float(np.median(np.diff(t))) if n > 1 else 0.0

    def lasting(chain: list[int]) -> bool:
        sightings = sum(_frames_of(p, frame_s) for tid in chain for p in by_id[tid].persons)
        return sightings >= min_track_frames and sightings * frame_s >= min_track_s

    people = [c for c in chains.values() if lasting(c)]
    warnings: list[str] = []
    if isinstance(rule, bool) or not isinstance(rule, int | str):
        raise ValueError(f"rule: expected 'auto', 'largest' or a track id, got {rule!r}")
    if isinstance(rule, int):
        if rule not in by_id:
            known = ", ".join(str(i) for i in by_id)
            raise NoSubjectError(f"There is no track {rule}; the tracks are {known}.")
        first = next(k for k, c in chains.items() if rule in c)
        scores = {k: _completeness(obs(c), frame_s) for k, c in chains.items()}
        rule_name = "track"
    elif rule in ("auto", "largest"):
        pool = {k: c for k, c in chains.items() if c in people} or chains
        if rule == "auto":
            scores = {k: _completeness(obs(c), frame_s) for k, c in pool.items()}
        else:
            scores = {k: _median_size(obs(c)) for k, c in pool.items()}
        ranked = sorted(scores, key=lambda k: (-scores[k], k))
        first = ranked[0]
        if len(ranked) > 1 and scores[ranked[1]] >= close_call * scores[first] > 0:
            warnings.append(
                f"subject choice is a close call: track {first} was chosen by the {rule!r} "
                f"rule, but track {ranked[1]} scores {scores[ranked[1]] / scores[first]:.0%} "
                f"of it; choose the subject explicitly if it is the wrong person"
            )
        rule_name = rule
    else:
        raise ValueError(f"rule: expected 'auto', 'largest' or a track id, got {rule!r}")

    chain = chains[first]
    real = {tid for c in people for tid in c}
    switches = _subject_switches(chain, handovers, links, by_id, real)
    warnings = [s.message for s in switches] + warnings

    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    vis = np.zeros((n, N_LANDMARKS))
    row_track = np.full(n, -1, dtype=int)
    has_world = any(p.world is not None for tid in chain for p in by_id[tid].persons)
    world = np.full((n, N_LANDMARKS, 3), np.nan) if has_world else None
    for tid in chain:
        tr = by_id[tid]
        if tr.n_obs and tr.rows.max() >= n:
            raise ShapeError(f"t_s: expected at least {tr.rows.max() + 1} frames, got {n}")
        for r, p in zip(tr.rows, tr.persons, strict=True):
            xy[r], vis[r], row_track[r] = p.xy, p.visibility, tid
            if world is not None and p.world is not None:
                world[r] = p.world
    coverage = float(np.mean(row_track >= 0)) if n else 0.0
    if coverage < min_coverage:
        warnings.append(f"the subject (track {first}) is detected in only {coverage:.0%} of frames")
    pose = PoseSequence(
        xy=xy,
        visibility=vis,
        t_s=t,
        frame_size=frame_size,
        world=world,
        frame_index=frame_index,
        source=source,
    )
    return SubjectSelection(
        pose=pose,
        track_id=first,
        track_ids=tuple(chain),
        row_track=row_track,
        persons_seen=len(people),
        switches=tuple(switches),
        warnings=tuple(warnings),
        rule=rule_name,
        scores=scores,
    )


# -- internals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Handover:
    gap_s: float
    distance: float
    plausible: bool
    unique: bool = False
    t_s: float = 0.0
    row: int = 0
    at_join: bool = False


def _handovers(
    tracks: Sequence[Track],
    repair_gap_s: float,
    gate: MotionGate,
    joins_s: Sequence[float] = (),
) -> dict[tuple[int, int], _Handover]:
    """Every (A, B) where B starts after A's last sighting within ``repair_gap_s``; across a
    join of recordings (a time of ``joins_s`` after A's last sighting, at or before B's
    first) only the sizes must match."""
    out: dict[tuple[int, int], _Handover] = {}
    for a in tracks:
        velocity = a.end_velocity(gate.velocity_window_s)
        for b in tracks:
            gap = b.start_s - a.end_s
            if b is a or not 0.0 < gap <= repair_gap_s:
                continue
            dist, log_ratio = _handover(a.persons[-1], velocity, gap, b.persons[0])
            at_join = any(a.end_s < j <= b.start_s for j in joins_s)
            plausible = (at_join or dist <= gate.limit(gap)) and log_ratio <= np.log(
                gate.max_size_ratio
            )
            out[a.track_id, b.track_id] = _Handover(
                gap, dist, plausible, t_s=b.start_s, row=int(b.rows[0]), at_join=at_join
            )
    # A repair must be the only plausible way on for A and the only way in for B.
    n_out: dict[int, int] = {}
    n_in: dict[int, int] = {}
    for (a, b), h in out.items():
        if h.plausible:
            n_out[a] = n_out.get(a, 0) + 1
            n_in[b] = n_in.get(b, 0) + 1
    return {
        (a, b): _Handover(
            h.gap_s,
            h.distance,
            h.plausible,
            h.plausible and n_out[a] == 1 and n_in[b] == 1,
            h.t_s,
            h.row,
            h.at_join,
        )
        for (a, b), h in out.items()
    }


def _chains(tracks: Sequence[Track], links: dict[int, int]) -> dict[int, list[int]]:
    has_pred = set(links.values())
    chains: dict[int, list[int]] = {}
    for tr in tracks:
        if tr.track_id in has_pred:
            continue
        chain = [tr.track_id]
        while chain[-1] in links:
            chain.append(links[chain[-1]])
        chains[tr.track_id] = chain
    return chains


def _subject_switches(
    chain: list[int],
    handovers: dict[tuple[int, int], _Handover],
    links: dict[int, int],
    by_id: dict[int, Track],
    real: set[int],
) -> list[SwitchReport]:
    """Hand-overs at the subject's track ends; unmerged ones only with real people."""
    members = set(chain)
    reports = []
    for (a, b), h in sorted(handovers.items(), key=lambda kv: (kv[1].t_s, kv[0])):
        inside = a in members and b in members
        if (a in members) == (b in members) and not (inside and links.get(a) == b):
            continue  # unrelated to the subject, or skipping over a link inside the chain
        repaired = links.get(a) == b
        if not repaired and (b if a in members else a) not in real:
            continue  # a spurious short track; reporting it would be noise
        head = "subject track" if a in members else "track"
        if repaired and h.at_join:
            msg = (
                f"subject track {a} continued as track {b} at {h.t_s:.2f} s, where the file "
                "joins recordings (the picture starts again there; the only person of the "
                "same size on both sides of the join)"
            )
        elif repaired:
            msg = (
                f"subject track {a} continued as track {b} at {h.t_s:.2f} s (repaired: "
                f"{h.gap_s:.2f} s gap, {h.distance:.2f} body heights from where track {a} "
                "was heading)"
            )
        elif a in members:
            why = (
                "other tracks fit as well"
                if h.plausible
                else "too far or a different size for the same person"
            )
            msg = (
                f"subject track {a} was lost at {by_id[a].end_s:.2f} s; track {b} appeared "
                f"{h.gap_s:.2f} s later {h.distance:.2f} body heights away and was not "
                f"merged ({why}); choose track {b} explicitly if it is the subject"
            )
        else:
            why = (
                "other tracks fit as well"
                if h.plausible
                else "too far or a different size for the same person"
            )
            msg = (
                f"subject track {b} appeared at {h.t_s:.2f} s, {h.gap_s:.2f} s after {head} "
                f"{a} was lost {h.distance:.2f} body heights away; not merged ({why})"
            )
        reports.append(SwitchReport(a, b, h.t_s, h.row, h.gap_s, h.distance, repaired, msg))
    return reports


def _median_size(persons: Sequence[PersonPose]) -> float:
    return float(np.median([p.body_size_px for p in persons]))


def _frames_of(person: PersonPose, frame_s: float) -> float:
    """How many frames a sighting stands for: itself, or at a periodic look the frames until
    the next look, in which the person was not looked for (:attr:`PersonPose.unseen_s`)."""
    return max(1.0, person.unseen_s / frame_s) if frame_s > 0 else 1.0


def completeness(person: PersonPose) -> float:
    """The auto rule's score of one sighting: lower-limb landmarks with visibility >= 0.5
    times body size in px."""
    return float(np.sum(person.visibility[_LEGS] >= 0.5) * person.body_size_px)


def _completeness(persons: Sequence[PersonPose], frame_s: float = 0.0) -> float:
    return float(sum(completeness(p) * _frames_of(p, frame_s) for p in persons))


def _velocity(t_s: np.ndarray, centres: Sequence[np.ndarray], window_s: float) -> np.ndarray:
    """Mean velocity (px/s) between the first sighting within ``window_s`` and the last."""
    t = np.asarray(t_s, dtype=float)
    if len(t) < 2:
        return np.zeros(2)
    start = int(np.searchsorted(t, t[-1] - window_s))
    start = min(start, len(t) - 2)
    dt = t[-1] - t[start]
    return (np.asarray(centres[-1]) - np.asarray(centres[start])) / dt


def _handover(
    last: PersonPose, velocity: np.ndarray, gap_s: float, det: PersonPose
) -> tuple[float, float]:
    """Distance (body sizes) of ``det`` from where ``last`` was heading, and |log size ratio|."""
    shift = velocity * gap_s
    size = 0.5 * (last.body_size_px + det.body_size_px)
    d_hip = np.linalg.norm(det.hip_center - (last.hip_center + shift))
    d_sh = np.linalg.norm(det.shoulder_center - (last.shoulder_center + shift))
    return float(0.5 * (d_hip + d_sh) / size), abs(np.log(det.body_size_px / last.body_size_px))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0
