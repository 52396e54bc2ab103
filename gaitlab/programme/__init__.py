"""The foot-strengthening programme: its five exercises, a guided timer and the log.

The exercises are data, shipped in ``exercises.toml`` and read into :class:`Exercise` objects
(:mod:`~gaitlab.programme.catalogue`): how to do each step by step, why it works, the hold
time per rep and its range, a reps suggestion, the sides, and for the two that the camera can
check (calf raises, barefoot balancing) which ``gaitlab`` task does it. The guided timer
(:mod:`~gaitlab.programme.schedule`) is pure; :func:`log_session` and :func:`log_timer`
(:mod:`~gaitlab.programme.log`) save a session to the history passed in, a timed one with the
time actually done when it was stopped early.

Hold times are the programme's (toe yoga about 5 s, short foot 5–10 s, barefoot balancing
30–60 s per leg, the last read from ``balance_target`` in the thresholds file). Rep counts
and rests are common starting points, not a prescription, and say so.
"""

from gaitlab.programme.catalogue import (
    CALF_RAISE_CUE,
    DOSE_NOTE,
    RATIONALE,
    SAFETY,
    exercises,
    find_exercise,
)
from gaitlab.programme.exercise import CameraCheck, Exercise, Phase, ProgrammeError
from gaitlab.programme.formatting import format_clock, format_duration, plural
from gaitlab.programme.log import MAX_LOGGED_S, SessionLog, log_session, log_timer
from gaitlab.programme.schedule import (
    HOLD_LIMITS_S,
    READY_LIMITS_S,
    READY_S,
    REPS_LIMITS,
    STEP_LABELS,
    SWITCH_S,
    Schedule,
    Step,
    StepKind,
    TimerState,
    hold_advice,
    make_schedule,
)

__all__ = [
    "CALF_RAISE_CUE",
    "DOSE_NOTE",
    "HOLD_LIMITS_S",
    "MAX_LOGGED_S",
    "RATIONALE",
    "READY_LIMITS_S",
    "READY_S",
    "REPS_LIMITS",
    "SAFETY",
    "STEP_LABELS",
    "SWITCH_S",
    "CameraCheck",
    "Exercise",
    "Phase",
    "ProgrammeError",
    "Schedule",
    "SessionLog",
    "Step",
    "StepKind",
    "TimerState",
    "exercises",
    "find_exercise",
    "format_clock",
    "format_duration",
    "hold_advice",
    "log_session",
    "log_timer",
    "make_schedule",
    "plural",
]
