"""Balance flags: a short best hold, large sway, sustained pelvic drop."""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitlab.core.types import Flag
from gaitlab.rules.sustained import flag_sustained
from gaitlab.tasks.balance.context import HoldContext
from gaitlab.tasks.balance.holds import nearest_index
from gaitlab.tasks.balance.timer import Hold

#: A pelvic drop above the threshold must last this long to be "sustained".
SUSTAINED_DROP_S = 1.0


def flag_short_hold(hc: HoldContext, best: Hold) -> None:
    """Vellas et al. 1997: a best hold under 5 s predicts injurious falls."""
    limit = hc.ctx.thresholds.get("balance_hold_min")
    if limit is None or not limit.crossed(best.hold_s):
        return
    pose = hc.ctx.pose
    hc.flags.append(
        Flag(
            rule="balance_hold_min",
            severity="warning",
            side=best.stance_leg,
            start_s=best.start_s,
            end_s=best.end_s,
            frame=int(pose.frame_index[nearest_index(pose.t_s, best.end_s)]),
            value=best.hold_s,
            threshold=limit.for_sex(),
            unit=limit.unit,
            message=(
                f"longest single-leg hold {best.hold_s:.1f} s, under {limit.for_sex():g} s "
                "(in older adults a hold this short predicts injurious falls)"
            ),
            source=limit.source,
            signal="balance_hold_elapsed_s",
        )
    )


def flag_large_sway(hc: HoldContext, h: Hold, m: np.ndarray, d: dict[str, Any]) -> None:
    """Flags the hold ``m`` when its RMS sway (``d``) is over the threshold, pointing at the
    frame furthest from the mean."""
    pose, th, t = hc.ctx.pose, hc.ctx.thresholds, hc.ctx.pose.t_s
    limit = th.get("balance_sway_rms")
    value = d["sway_rms_pct_leg"]
    if limit is None or value is None or not limit.crossed(value):
        return
    dev = np.abs(np.where(m, hc.sway_sig, np.nan))
    worst = int(np.nanargmax(dev)) if np.isfinite(dev).any() else nearest_index(t, h.start_s)
    hc.flags.append(
        Flag(
            rule="balance_sway_rms",
            severity="warning",
            side=h.stance_leg,
            start_s=h.start_s,
            end_s=h.end_s,
            frame=int(pose.frame_index[worst]),
            value=value,
            threshold=limit.for_sex(),
            unit=limit.unit,
            message=(
                f"large {d['sway_direction']} sway standing on the {h.stance_leg} leg: RMS "
                f"{value:.1f} % of leg length (threshold {limit.for_sex():g} %)"
            ),
            source=limit.source,
            signal="balance_sway_pct_leg",
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
            signal="stance_pelvic_drop_deg",
            side=h.stance_leg,
            label=f"pelvis dropping on the lifted {h.lifted_leg} side "
            f"(standing on the {h.stance_leg} leg)",
            min_duration_s=SUSTAINED_DROP_S,
        )
    )
