"""What the live session says to the person: set-up messages, the cue of each crossed
threshold rule (:func:`gaitlab.rules.registry.cue`), and a cue per phase of each task's
counter.

:func:`choose_cue` picks the one cue shown at each frame of a live session
(:class:`gaitlab.live.LiveProcessor`); the live counters (:mod:`gaitlab.tasks.live_counters`)
report their phase's cue in their state.
"""

from __future__ import annotations

from collections.abc import Sequence

from gaitlab.core.types import Flag
from gaitlab.rules import registry
from gaitlab.signals.view import SAGITTAL_VIEWS

#: Set-up messages (nobody, feet, view) and each task's default cue.
MESSAGES = {
    "nobody": "Nobody in view: stand 2-3 m from the camera, whole body in the picture",
    "feet": "Step back so your feet are in view",
    "calf-raise-view": "Face the camera (or turn your back to it) so ankle roll can be seen",
    "balance-view": "Face the camera (or turn your back to it) so hip drop can be seen",
    "calf-raise": "Slowly raise your heels, pause at the top, lower even more slowly",
    "balance": "Lift one foot and hold; keep your hips level",
}

#: What to tell the person in each calf-raise phase (the programme's own words).
PHASE_CUES = {
    "rest": "Slowly raise your heels",
    "rise": "Slowly raise your heels",
    "hold": "Pause at the top for a moment",
    "lower": "Lower back down even more slowly",
}

#: What to tell the person in each balance phase.
BALANCE_CUES = {
    "standing": "Lift one foot and hold; keep your hips level",
    "lifting": "Keep the foot up and hold",
    "hold": "Hold: keep your hips level",
    "unknown": "Keep both feet in view",
}


def choose_cue(
    task: str,
    *,
    found: bool,
    feet: bool,
    view: str,
    flags: Sequence[Flag],
    counter_cue: str | None,
) -> tuple[str, bool]:
    """The one message for the person now, and whether it asks them to fix the set-up first.

    In order: nobody in view, feet not in view, a side view (the task's measures need the
    front or the back), the first crossed rule that has a cue, the counter's cue for its
    phase, the task's own cue. Only the first three need action.
    """
    if not found:
        return MESSAGES["nobody"], True
    if not feet:
        return MESSAGES["feet"], True
    if view in SAGITTAL_VIEWS:
        return MESSAGES[f"{task}-view"], True
    for f in flags:
        if (rule_cue := registry.cue(f.rule, f.side)) is not None:
            return rule_cue, False
    return (str(counter_cue) if counter_cue else MESSAGES[task]), False
