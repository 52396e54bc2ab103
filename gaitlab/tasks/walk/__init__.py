"""Walking: gait events, timing, per-stance knee valgus and pelvic drop, foot strike.

Passes
------
Only straight walking is analysed. The clip is cut into *passes*: runs of frames with one
view label (a change of label means the subject turned or the camera moved; the
:data:`~.passes.TURN_TRIM_S` next to it are dropped as turning), with the subject's hips in view
(the cleaning bridges gaps up to 0.25 s, so a gap means the subject left the frame), in
which the feet keep stepping (their fore-aft separation swings through at least
:data:`~.passes.STEPPING_MIN_LEGS` leg lengths within :data:`~.passes.STEPPING_WINDOW_S`:
standing still and shuffling on the spot are not walking), and which last at least
:data:`~.passes.MIN_PASS_S`. What was left out is said in the warnings.

Events (Zeni et al. 2008, refined)
----------------------------------
Zeni's rule takes the foot positions relative to the pelvis along the walking direction:
heel strike at the heel's most forward position, toe off at the toe's most backward one.
It is applied to the envelopes of the two feet (the leading heel, the trailing toe), which
peak at every step whichever foot it is, so a left/right swap the repair missed cannot
hide or invent a step; sides are then assigned by alternation, agreeing with the pose
model's labels where they are consistent. The walking direction is that in which the
planted feet move backwards relative to the pelvis (for a fixed or a panning camera alike,
and for footage that runs in reverse). In a side view the forward axis is the image x axis;
in front and back views it is depth, taken from the BlazePose world landmarks (Zeni's
original, 3D formulation), because in a single front or back image the foot's last few
centimetres before contact (seen from behind) and first after toe off (seen from the front)
run almost along the camera's line of sight (a heel landing at ~0.25 m/s down and ~1 m/s
forward, seen from 1 m up and 4 m away) and leave the image nearly still: image height puts
those events 40–240 ms off on the synthetic walker. Without world landmarks a front/back
pass is not timed (with a warning). The precision there is set by the depth jitter of the
world landmarks.

Zeni's extrema are not the contacts themselves: the heel is most forward while still
decelerating just before it lands (≈10–20 ms early), and the toe is most backward only when
it has caught up with the pelvis after lifting off at rest (≈30 ms late, more at slow
cadences). So each is refined on the foot's speed over the ground, ``u = d/dt(foot −
pelvis) + V``, where ``V`` is the walking speed, measured as the backward speed of the
planted feet relative to the pelvis (this works for a fixed or a panning camera): heel
strike where the heel's ground speed falls through :data:`~.events.HS_ARREST_FRAC` × V after
Zeni's maximum (the heel's arrest), toe off where the toe's ground speed last rises through
:data:`~.events.TO_ONSET_FRAC` × V before Zeni's minimum (the toe starting to move).
Velocities come from a cubic spline through the (band-limited) cleaned track, times are interpolated
between frames and come from the timestamps. Events that would put both feet in the air
(walking has no flight phase) are dropped as errors, and steps far from the pass's typical
step (a missed or spurious event) do not enter the timing.

Running (on a treadmill too) is timed by the same rules: the refinement works on the
foot's speed relative to the pelvis plus the walking speed, which is the speed over the
ground and over a treadmill's belt alike. What changes is which foot a toe off belongs to:
in walking the trailing foot lifts after the other has landed (double support), in running
the foot that landed last lifts before the other lands (flight). :func:`~.sides.assign_sides`
decides per toe off from where it falls in the step, and a pass whose toe offs are mostly
followed by a flight is running: there flight is reported instead of double support and
events are not dropped for putting both feet in the air.

Measures
--------
* Temporal (any view): steps (heel strikes), cadence from the mean of the steps within
  :data:`~.timing.CADENCE_TRIM` of the median step (robust to one mis-timed heel strike), mean step
  and stride times, stance / swing / double support
  (% of the stride), step-time asymmetry ``|mean left step − mean right step| / mean of
  the two × 100`` (a left step ends with a left heel strike).
* Knee valgus (front/back views): FPPA over each stance phase, time-normalised and
  averaged over the stances of that leg (the gait-lab ensemble average); the metric is the
  peak of that mean curve after smoothing it to the bandwidth of walking
  (:data:`~.phases.FPPA_SMOOTH_DEGREE`): the peak of each noisy stance is biased upwards by jitter,
  and so, less, is the peak of the unsmoothed mean.
* Contralateral pelvic drop (front/back views): pelvic obliquity (camera roll already
  removed by :func:`gaitlab.signals.measures.compute_signals`) minus its level over the pass's
  double-support frames (both feet down: the pelvis's own level; a trimmed mean,
  :data:`~.frontal.BASELINE_TRIM`), signed so that positive = the swing side's hip below the stance
  side's; peak per single-support phase, keyed by the stance side
  (``pelvic_drop_peak_left_deg``: standing on the left, the right hip drops);
  ensemble-averaged over the single supports on that leg and smoothed like FPPA
  (:data:`~.phases.CPD_SMOOTH_DEGREE`).
* Foot strike (side views): foot angle = heel→toe against the floor at initial contact,
  + toe up, read over the last :data:`~.sagittal.CONTACT_WINDOW_S` before contact. The floor line
  under each footfall is that foot's own heel→toe line in mid stance (foot flat), which
  also cancels camera roll and the landmarks' heights above the sole. Classes from the
  thresholds ``foot_strike_heel`` / ``foot_strike_forefoot``.
* Overstriding (side views): heel ahead of the pelvis at contact, in leg lengths (hip →
  knee → ankle).
* Trunk lean (side views): mean of ``trunk_lean_deg`` over the passes.

Modules, in the order of the analysis
-------------------------------------
``passes`` (straight walking passes, on the ``forward`` coordinates of the feet) →
``events`` (heel strikes and toe offs of a pass; ``sides`` assigns them to the feet) →
``stances`` and ``timing`` (gait cycle bookkeeping, temporal parameters) → the measures
of each view: ``frontal`` (knee valgus and pelvic drop, ensemble peaks from ``phases``),
``sagittal`` (foot strike, overstriding, trunk lean), ``rearfoot`` → ``flags``.
``analyze`` runs them in that order; ``series`` holds the small time-series helpers.
"""

from gaitlab.tasks.walk.analyze import analyze_walk
from gaitlab.tasks.walk.events import HS_ARREST_FRAC, TO_ONSET_FRAC, detect_gait_events
from gaitlab.tasks.walk.passes import MIN_PASS_S, WalkPass, find_passes

__all__ = [
    "HS_ARREST_FRAC",
    "MIN_PASS_S",
    "TO_ONSET_FRAC",
    "WalkPass",
    "analyze_walk",
    "detect_gait_events",
    "find_passes",
]
