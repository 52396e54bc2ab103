"""The walk's step table (summary.json ``steps``, steps.csv) on the synthetic walker."""

from __future__ import annotations

import numpy as np
import pytest
from test_walk import NOISE_PX, analyze

from gaitlab.core.landmarks import SIDES
from gaitlab.io.export import STEP_COLUMNS, steps_table
from gaitlab.tasks.walk.sides import SideEvents
from gaitlab.tasks.walk.steps import pass_steps
from gaitlab.testing.synthetic import Body, Camera, walk


def test_every_step_with_its_time_side_duration_and_length() -> None:
    """Side view, 100 steps/min, 0.65 m steps: each row ends with a true heel strike of its
    side, lasts the true step time and is 0.65 m / leg length long."""
    res = walk(camera=Camera(yaw_deg=90.0), cadence_spm=100.0, noise_px=NOISE_PX, duration_s=6.0)
    out, _ = analyze(res.pose)
    body = Body(1.70)
    leg_m = body.thigh_m + body.shank_m
    truth = res.truth.events_of("heel_strike")
    assert len(out.steps) >= len(truth) - 3
    for step in out.steps:
        nearest = min(truth, key=lambda e: abs(e.t_s - step["t_s"]))
        assert abs(nearest.t_s - step["t_s"]) < 0.05
        assert step["side"] == nearest.side
        assert step["included"] and step["excluded_reason"] is None
        assert step["duration_s"] == pytest.approx(0.6, abs=0.05)
        assert step["length_legs"] == pytest.approx(0.65 / leg_m, abs=0.08)
    table = steps_table(out.steps)
    assert tuple(table.columns) == STEP_COLUMNS
    assert len(table) == len(out.steps)


def test_excluded_steps_say_why() -> None:
    """An odd step, a pause and a missed heel strike (the same foot twice) are listed, not
    counted, each with its reason; the others are counted."""
    ev = {"left": SideEvents(hs=[0.0, 1.2, 2.4, 5.5]), "right": SideEvents(hs=[0.6, 1.8, 2.7])}
    rows = pass_steps(ev, 0, {s: (lambda t: 0.0) for s in SIDES}, lambda t: int(t * 30))
    by_t = {r["t_s"]: r for r in rows}
    assert [r["t_s"] for r in rows] == [0.6, 1.2, 1.8, 2.4, 2.7, 5.5]
    assert all(by_t[t]["included"] for t in (0.6, 1.2, 1.8, 2.4))
    assert "× this foot's typical step" in by_t[2.7]["excluded_reason"]  # 0.3 s of 0.6
    assert "pause" in by_t[5.5]["excluded_reason"]
    assert by_t[5.5]["frame"] == 165
    assert by_t[0.6]["length_legs"] == 0.0
    ev = {"left": SideEvents(hs=[0.0, 1.2, 2.4]), "right": SideEvents(hs=[0.6])}
    rows = pass_steps(ev, 0, {s: (lambda t: np.nan) for s in SIDES}, lambda t: 0)
    assert "same foot" in rows[-1]["excluded_reason"]
    assert all(r["length_legs"] is None for r in rows)


def test_running_steps_have_no_length() -> None:
    """In running the other foot is in the air at a heel strike: no length."""
    ev = {"left": SideEvents(hs=[0.0, 0.7]), "right": SideEvents(hs=[0.35])}
    rows = pass_steps(ev, 0, {s: (lambda t: 0.4) for s in SIDES}, lambda t: 0, "running")
    assert [r["length_legs"] for r in rows] == [None, None]
