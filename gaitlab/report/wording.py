"""The report's own words: task titles, what each camera view shows, the verdicts, the limits of
one camera, and the small helpers that turn a summary's strings into sentences.

Labels, units, reference texts and flag explanations come from :mod:`gaitlab.present.metrics`
(the app says the same); what is here is worded for the printed page only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from gaitlab.store import Person

TASK_TITLES = {
    "walk": "Walking",
    "calf-raise": "Calf raises",
    "balance": "Single-leg balance",
}
VIEW_TEXT = {
    "anterior": "front view (the person faces the camera)",
    "posterior": "back view (the person faces away from the camera)",
    "sagittal_left": "side view, left side towards the camera",
    "sagittal_right": "side view, right side towards the camera",
    "oblique": "diagonal view (between front/back and side)",
    "unknown": "could not be determined",
}
VIEW_MEASURES = {
    "anterior": "knee valgus, pelvic drop and ankle roll (frontal-plane measures)",
    "posterior": "knee valgus, pelvic drop and ankle roll (frontal-plane measures)",
    "sagittal_left": "knee bend, foot strike, trunk lean and step timing (side measures)",
    "sagittal_right": "knee bend, foot strike, trunk lean and step timing (side measures)",
}
CHECK_TEXT = {
    "in range": "within range",
    "within": "within reference",
    "flagged": "outside reference",
    "below range": "below range",
    "above range": "above range",
}
CAVEATS = (
    "<b>A flat picture of a 3D movement.</b> One ordinary camera sees the body projected "
    "onto the image. Angles are measured in that picture, not in 3D: the knee valgus angle "
    "(frontal plane projection angle, FPPA) is a screening proxy for knee abduction, not a "
    "3D measurement (Straub &amp; Powers 2022).",
    "<b>Each measure needs its camera view.</b> Knee valgus, pelvic drop and ankle roll need "
    "a front or back view; knee bend, foot strike and trunk lean need a side view. A measure "
    "the view cannot support is reported as not measured, never guessed. Forward/backward "
    "pelvic tilt cannot be measured from video landmarks at all.",
    "<b>Landmarks are estimates.</b> Hip, knee, ankle, heel and toe positions come from a "
    "pose model (MediaPipe BlazePose). Loose clothing, poor light, shadows or a partly hidden "
    "body move them by a few centimetres, so a value close to its reference can fall on "
    "either side on another day.",
    "<b>Small changes are noise.</b> Repeated measurements scatter: a change between two "
    "sessions smaller than the measure's smallest detectable difference (knee valgus: "
    "7.5-8.9°, Munro et al. 2012) is within measurement error, not progress or decline.",
    "<b>A screening aid, not a diagnosis.</b> Flags point to moments worth a look; discuss "
    "them with a physiotherapist. References marked provisional have no validated cut-off.",
)


def group_reasons(reasons: Sequence[str]) -> list[str]:
    """ "A needs a front view; …" and "B needs a front view; …" → "A and B need a front
    view; …" (the pipeline words every unavailable measure's reason that way)."""
    groups: dict[str, list[str]] = {}
    loose = []
    for r in dict.fromkeys(reasons):
        m = re.match(r"^(.+?) needs (.+)$", r)
        if m:
            groups.setdefault(m.group(2), []).append(m.group(1))
        else:
            loose.append(r)
    out = []
    for tail, names in groups.items():
        subject = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        out.append(f"{subject} {'needs' if len(names) == 1 else 'need'} {tail}")
    return [t[0].upper() + t[1:] for t in out + loose]


def local_time(dt: datetime | None) -> str:
    """``7 Dec 2026, 19:05`` in the computer's time zone, or ``not recorded``."""
    if dt is None:
        return "not recorded"
    return dt.astimezone().strftime("%-d %b %Y, %H:%M")


def person_text(person: Person | None, recorded_at: datetime | None) -> str:
    """Who was filmed, as report markup: name, sex, age then, height and mass."""
    if person is None:
        return "not given (saved without a person)"
    bits = [f"<b>{escape(person.name)}</b>"]
    if person.sex:
        bits.append(person.sex)
    if person.birth_year:
        year = (recorded_at or datetime.now()).year
        bits.append(f"born {person.birth_year} (about {year - person.birth_year} years)")
    if person.height_cm:
        bits.append(f"{person.height_cm:g} cm")
    if person.body_mass_kg:
        bits.append(f"{person.body_mass_kg:g} kg")
    return " · ".join(bits)


@dataclass
class Sources:
    """Numbered sources, in order of first use."""

    items: list[str]

    def ref(self, text: str) -> str:
        """The markup citing ``text`` (one or more sources split at ``; ``), numbering each
        source the first time it is cited."""
        parts = [s.strip() for s in re.split(r";\s+(?=[A-Z])", text) if s.strip()] if text else []
        nums = []
        for p in parts:
            if p not in self.items:
                self.items.append(p)
            nums.append(str(self.items.index(p) + 1))
        return f" <super>[{','.join(nums)}]</super>" if nums else ""
