"""Calf raises (heel raises): reps, rise / hold / lower times, heel height and ankle roll.

One implementation serves the offline file and the live webcam: :class:`CalfRaiseCounter`
is an incremental state machine fed one :class:`CalfRaiseFrame` at a time and reporting each
rep when it is complete. Offline, :func:`analyze_calf_raise` feeds it every frame of the
cleaned (zero-phase filtered) pose; live, :class:`gaitlab.live.CalfRaiseLiveCounter` feeds
it each frame of a causally filtered (One Euro) pose as it arrives, through
:meth:`CalfRaiseInputs.from_pose` on the newest frame.

The flow, one module each:

- :mod:`~gaitlab.tasks.calf_raise.inputs`: pose → the counter's per-frame inputs (heel and
  toe heights, sideways positions, body heights, in % of foot length), the foot in cm;
- :mod:`~gaitlab.tasks.calf_raise.counter`: counting (hysteresis on the heel's rise, toes
  down), with each foot's floor contact in :mod:`~gaitlab.tasks.calf_raise.feet` and its
  memory of the stream in :mod:`~gaitlab.tasks.calf_raise.stream`;
- :mod:`~gaitlab.tasks.calf_raise.window` and :mod:`~gaitlab.tasks.calf_raise.measure`: a
  finished rep's frames and its measurement, by the phase fit
  (:mod:`~gaitlab.tasks.calf_raise.fit`, on the profile of
  :mod:`~gaitlab.tasks.calf_raise.min_jerk` and the shapes of
  :mod:`~gaitlab.tasks.calf_raise.foot_model`) and the ankle roll
  (:mod:`~gaitlab.tasks.calf_raise.roll`);
- :mod:`~gaitlab.tasks.calf_raise.flags`: the programme's cues on each rep;
- :mod:`~gaitlab.tasks.calf_raise.fatigue_test`: the single-leg heel-rise test;
- :mod:`~gaitlab.tasks.calf_raise.analyze`: a whole clip's summary.
"""

from gaitlab.tasks.calf_raise.analyze import analyze_calf_raise
from gaitlab.tasks.calf_raise.config import CalfRaiseConfig
from gaitlab.tasks.calf_raise.counter import CalfRaiseCounter
from gaitlab.tasks.calf_raise.fatigue_test import heel_rise_test
from gaitlab.tasks.calf_raise.flags import rep_flags
from gaitlab.tasks.calf_raise.foot_model import ANKLE_HEIGHT_FOOT
from gaitlab.tasks.calf_raise.inputs import (
    INPUT_SIGNALS,
    CalfRaiseFrame,
    CalfRaiseInputs,
    foot_length_cm,
)
from gaitlab.tasks.calf_raise.min_jerk import profile
from gaitlab.tasks.calf_raise.results import FEET_OUT_OF_VIEW, CalfRaiseRep, RepEvent

__all__ = [
    "ANKLE_HEIGHT_FOOT",
    "FEET_OUT_OF_VIEW",
    "INPUT_SIGNALS",
    "CalfRaiseConfig",
    "CalfRaiseCounter",
    "CalfRaiseFrame",
    "CalfRaiseInputs",
    "CalfRaiseRep",
    "RepEvent",
    "analyze_calf_raise",
    "foot_length_cm",
    "heel_rise_test",
    "profile",
    "rep_flags",
]
