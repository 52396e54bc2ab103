"""Side views: foot strike, overstriding and trunk lean."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.landmarks import SIDES
from gaitlab.core.thresholds import Threshold
from gaitlab.core.types import Flag, PoseSequence
from gaitlab.signals.view import SAGITTAL_VIEWS
from gaitlab.tasks.base import TaskContext
from gaitlab.tasks.walk.flags import heel_strike_flags, overstride_flags
from gaitlab.tasks.walk.forward import pelvis_xy, side_point
from gaitlab.tasks.walk.passes import WalkPass
from gaitlab.tasks.walk.series import interp_at, mean_or_none, row_at
from gaitlab.tasks.walk.stances import Stance

#: Where the foot is flat, in fractions of its stance from heel strike: its heel→toe line
#: there is the floor under that footfall.
FLAT_FOOT = (0.3, 0.5)
#: The foot angle at contact is read over this time up to the contact (see _contact_angle).
CONTACT_WINDOW_S = 0.04
STRIKE_CLASSES = ("heel", "midfoot", "forefoot")


#: One footfall: (foot angle at contact above its floor line, deg; heel ahead of the pelvis
#: at contact, leg lengths; row of the contact).
Contact = tuple[float, float, int]


def _foot_lines(
    pose: PoseSequence, p: WalkPass, rows: np.ndarray, leg_px: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per side over the pass: the foot angle (heel→toe against the image horizontal, + toe
    up, deg) and the heel ahead of the pelvis (leg lengths), both signed by the walking
    direction."""
    pelvis = pelvis_xy(pose)[rows]
    angle, ahead = {}, {}
    for side in SIDES:
        heel, toe = (
            side_point(pose, side, "heel")[rows],
            side_point(pose, side, "foot_index")[rows],
        )
        d = toe - heel
        # + toe up; image y grows downwards; direction makes "forward" positive
        angle[side] = np.degrees(np.arctan2(-d[:, 1], d[:, 0] * p.direction))
        ahead[side] = (heel[:, 0] - pelvis[:, 0]) * p.direction / leg_px
    return angle, ahead


def _pass_contacts(
    p: WalkPass,
    pass_stances: list[Stance],
    tt: np.ndarray,
    angle: dict[str, np.ndarray],
    ahead: dict[str, np.ndarray],
    contacts: dict[str, list[Contact]],
) -> dict[str, list[float]]:
    """Adds the pass's footfalls to ``contacts``; returns each foot's floor angles (its
    heel→toe line while flat, one per footfall)."""
    flat: dict[str, list[float]] = {s: [] for s in SIDES}
    for st in pass_stances:
        # The landing foot is the one ahead at contact, whatever its label says (the
        # event's side comes from the step alternation; see assign_sides).
        at = {s: interp_at(tt, ahead[s], st.hs) for s in SIDES}
        foot = max(SIDES, key=lambda s: at[s] if np.isfinite(at[s]) else -np.inf)
        dur = st.to - st.hs
        w = (tt >= st.hs + FLAT_FOOT[0] * dur) & (tt <= st.hs + FLAT_FOOT[1] * dur)
        a = angle[foot][w]
        a = a[np.isfinite(a)]
        if not a.size:
            continue
        floor = float(np.median(a))
        flat[foot].append(floor)
        at_contact = _contact_angle(tt, angle[foot], st.hs) - floor
        if np.isfinite(at_contact):
            row = p.start + row_at(tt, st.hs)
            contacts[st.side].append((at_contact, at[foot], row))
    return flat


def _side_pass(
    ctx: TaskContext,
    k: int,
    p: WalkPass,
    stances: list[Stance],
    signals: dict[str, np.ndarray],
    contacts: dict[str, list[Contact]],
    leg_px: float,
) -> np.ndarray | None:
    """One side-view pass: its footfalls into ``contacts``, its foot angle (above the
    foot's median floor line) and heel-ahead signals; returns its trunk lean, if measured."""
    rows = np.arange(p.start, p.stop)
    tt = ctx.pose.t_s[rows]
    angle, ahead = _foot_lines(ctx.pose, p, rows, leg_px)
    pass_stances = [st for st in stances if st.pass_index == k]
    flat = _pass_contacts(p, pass_stances, tt, angle, ahead, contacts)
    for side in SIDES:
        floor_all = float(np.median(flat[side])) if flat[side] else float("nan")
        signals[f"foot_angle_{side}_deg"][rows] = angle[side] - floor_all
        signals[f"heel_ahead_{side}_legs"][rows] = ahead[side]
    tl = ctx.signals.values.get("trunk_lean_deg")
    return None if tl is None else tl[rows]


def _foot_strike_metrics(
    ctx: TaskContext, contacts: dict[str, list[Contact]], metrics: dict[str, Any]
) -> None:
    """Per side: the class and angle of the median contact, the share of each class and
    the mean overstride; None without contacts or strike thresholds."""
    heel_thr = ctx.thresholds.get("foot_strike_heel")
    fore_thr = ctx.thresholds.get("foot_strike_forefoot")
    for side in SIDES:
        c = contacts[side]
        angles = [a for a, _, _ in c]
        if not c or heel_thr is None or fore_thr is None:
            metrics[f"foot_strike_{side}"] = None
            metrics[f"foot_strike_angle_{side}_deg"] = None
            for name in STRIKE_CLASSES:
                metrics[f"foot_strike_{name}_pct_{side}"] = None
            metrics[f"overstride_{side}_legs"] = None
            continue
        median = float(np.median(angles))
        metrics[f"foot_strike_{side}"] = _strike_class(median, heel_thr, fore_thr, ctx.sex)
        metrics[f"foot_strike_angle_{side}_deg"] = round(median, 1)
        classes = [_strike_class(a, heel_thr, fore_thr, ctx.sex) for a in angles]
        for name in STRIKE_CLASSES:
            share = 100.0 * classes.count(name) / len(classes)
            metrics[f"foot_strike_{name}_pct_{side}"] = round(share, 1)
        metrics[f"overstride_{side}_legs"] = mean_or_none([o for _, o, _ in c])


def _trunk_lean_mean(lean: list[np.ndarray]) -> float | None:
    if not lean:
        return None
    v = np.concatenate(lean)
    v = v[np.isfinite(v)]
    return round(float(np.mean(v)), 1) if v.size else None


def sagittal_measures(
    ctx: TaskContext,
    passes: list[WalkPass],
    stances: list[Stance],
    signals: dict[str, np.ndarray],
    metrics: dict[str, Any],
    flags: list[Flag],
    notes: list[str],
    leg_px: float,
) -> None:
    """Foot strike, overstriding and trunk lean over the side-view passes (not those walked
    backwards); adds their metrics, signals, flags and notes."""
    side_passes = [
        (k, p) for k, p in enumerate(passes) if p.view in SAGITTAL_VIEWS and not p.backwards
    ]
    contacts: dict[str, list[Contact]] = {s: [] for s in SIDES}
    lean: list[np.ndarray] = []
    for k, p in side_passes:
        tl = _side_pass(ctx, k, p, stances, signals, contacts, leg_px)
        if tl is not None:
            lean.append(tl)
    _foot_strike_metrics(ctx, contacts, metrics)
    if passes and not side_passes:
        notes.append(
            "foot strike, overstriding and trunk lean need a side view of straight walking; "
            "no part of the walk was filmed that way"
        )
    metrics["trunk_lean_mean_deg"] = _trunk_lean_mean(lean)
    flags += heel_strike_flags(ctx, metrics, contacts)
    flags += overstride_flags(ctx, metrics, contacts)


def _contact_angle(t: np.ndarray, angle: np.ndarray, t_ic: float) -> float:
    """Foot angle at initial contact: the median over the :data:`CONTACT_WINDOW_S` up to
    the contact. The foot holds its landing angle through terminal swing and rotates to
    flat within ~0.1 s after contact; the zero-phase low-pass blends that rotation into the
    contact instant itself (≈4° lower on a 20° heel strike), not into the approach."""
    grid = np.linspace(t_ic - CONTACT_WINDOW_S, t_ic, 5)
    values = np.array([interp_at(t, angle, x) for x in grid])
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")


def _strike_class(angle: float, heel: Threshold, fore: Threshold, sex: str | None) -> str:
    if heel.crossed(angle, sex):
        return "heel"
    if fore.crossed(angle, sex):
        return "forefoot"
    return "midfoot"
