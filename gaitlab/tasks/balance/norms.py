"""Age norms and the programme target for the longest hold."""

from __future__ import annotations

import re
from typing import Any

from gaitlab.core.thresholds import Threshold
from gaitlab.tasks.balance.timer import Hold
from gaitlab.tasks.base import TaskContext

_NORM_KEY = re.compile(r"^balance_norm_eo_(\d+)_(\d+)$")


def norm_for_age(
    age_years: float, thresholds: dict[str, Threshold]
) -> tuple[float, str, str] | None:
    """Eyes-open single-leg stance norm for an age: ``(seconds, "60-69", source)``.

    From the ``balance_norm_eo_<from>_<to>`` entries of the thresholds file (Springer et al.
    2007, best of three); None outside the tabulated ages (under 18).
    """
    for name, th in thresholds.items():
        m = _NORM_KEY.match(name)
        if m and th.value is not None and int(m[1]) <= age_years < int(m[2]) + 1:
            return float(th.value), f"{m[1]}-{m[2]}", th.source
    return None


def targets(
    ctx: TaskContext, th: dict[str, Threshold], best: Hold | None, warnings_: list[str]
) -> dict[str, Any]:
    """Programme target and age norm for the longest hold."""
    out: dict[str, Any] = {}
    target = th.get("balance_target")
    if target is not None and target.low is not None:
        out["target_met"] = None if best is None else bool(best.hold_s >= target.low)
        out["target_low_s"], out["target_high_s"] = target.low, target.high
    if ctx.age_years is None:
        return out
    norm = norm_for_age(ctx.age_years, th)
    if norm is None:
        warnings_.append(f"no single-leg stance norm for age {ctx.age_years:g} (norms: 18-99)")
        out.update({"norm_s": None, "norm_age_band": None, "hold_pct_of_norm": None})
        return out
    out["norm_s"], out["norm_age_band"] = norm[0], norm[1]
    out["hold_pct_of_norm"] = None if best is None else round(100.0 * best.hold_s / norm[0], 1)
    return out
