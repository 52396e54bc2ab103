"""What the filming guide shows: which camera view each per-frame measure needs."""

from __future__ import annotations

from gaitlab.rules.metrics import describe
from gaitlab.signals.measures import FRONTAL_SIGNALS, SAGITTAL_SIGNALS


def view_requirements() -> list[dict[str, str]]:
    """Which camera view each per-frame measure needs, from :mod:`gaitlab.signals.measures`'s own
    gating lists (so the guide cannot drift from what is measured)."""
    rows = []
    seen = set()
    for names, view in (
        (FRONTAL_SIGNALS, "front or back"),
        (SAGITTAL_SIGNALS, "side"),
        (("heel_height_left_pct_foot",), "any, feet visible"),
    ):
        for name in names:
            label = describe(name).label
            if label in seen:
                continue
            seen.add(label)
            rows.append({"measure": label, "camera view": view})
    return rows
