"""Balance flags: a short best hold, large sway, sustained pelvic drop (the rules' words and
thresholds are in :mod:`gaitlab.rules.registry`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.rules import registry
from gaitlab.rules.registry import make_flag
from gaitlab.rules.sustained import flag_sustained
from gaitlab.tasks.balance.context import HoldContext
from gaitlab.tasks.balance.holds import nearest_index
from gaitlab.tasks.balance.timer import Hold

#: A pelvic drop above the threshold must last this long to be "sustained".
SUSTAINED_DROP_S = 1.0


def flag_short_hold(hc: HoldContext, best: Hold) -> None:
    """Vellas et al. 1997: a best hold under 5 s predicts injurious falls."""
    limit = registry.threshold("balance_hold_min", hc.ctx.thresholds)
    if limit is None or not limit.crossed(best.hold_s):
        return
    pose = hc.ctx.pose
    hc.flags.append(
        make_flag(
            "balance_hold_min",
            limit,
            best.hold_s,
            side=best.stance_leg,
            span_s=(best.start_s, best.end_s),
            frame=pose.frame_index[nearest_index(pose.t_s, best.end_s)],
        )
    )


def flag_large_sway(hc: HoldContext, h: Hold, m: np.ndarray, d: dict[str, Any]) -> None:
    """Flags the hold ``m`` when its RMS sway (``d``) is over the threshold, pointing at the
    frame furthest from the mean."""
    pose, th, t = hc.ctx.pose, hc.ctx.thresholds, hc.ctx.pose.t_s
    limit = registry.threshold("balance_sway_rms", th)
    value = d["sway_rms_pct_leg"]
    if limit is None or value is None or not limit.crossed(value):
        return
    dev = np.abs(np.where(m, hc.sway_sig, np.nan))
    worst = int(np.nanargmax(dev)) if np.isfinite(dev).any() else nearest_index(t, h.start_s)
    hc.flags.append(
        make_flag(
            "balance_sway_rms",
            limit,
            value,
            side=h.stance_leg,
            span_s=(h.start_s, h.end_s),
            frame=pose.frame_index[worst],
            direction=d["sway_direction"],
        )
    )


def flag_sustained_drop(hc: HoldContext, h: Hold, steady_drop_deg: np.ndarray) -> None:
    """Flags each stretch of the steady part of the hold (``steady_drop_deg``, NaN
    elsewhere) where the pelvic drop stays over the threshold for :data:`SUSTAINED_DROP_S`."""
    hc.flags.extend(
        flag_sustained(
            hc.ctx.pose,
            steady_drop_deg,
            hc.ctx.thresholds["pelvic_drop_stance"],
            rule="pelvic_drop_stance",
            side=h.stance_leg,
            min_duration_s=SUSTAINED_DROP_S,
        )
    )
