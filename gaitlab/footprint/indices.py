"""Grading of the arch index, Chippaux-Smirak and Staheli indices against their cut-offs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import Threshold, load_thresholds

ARCH_TYPES = ("high", "neutral", "collapsed")
#: An indices' distance to its cut-off below this is called borderline.
BORDERLINE = 0.01


def classify_arch(arch_index: float, thresholds: Mapping[str, Threshold] | None = None) -> str:
    """Arch type from the arch index: ``"high"`` at or below the low cut-off, ``"collapsed"``
    at or above the high one, ``"neutral"`` between (Cavanagh & Rodgers 1987)."""
    th = (thresholds or load_thresholds())["arch_index"]
    if th.low is None or th.high is None:
        raise GaitlabError("thresholds file: [arch_index] needs low and high")
    if arch_index <= th.low:
        return "high"
    if arch_index >= th.high:
        return "collapsed"
    return "neutral"


def cutoffs_for(
    thresholds: Mapping[str, Threshold], age_years: float | None, warnings: list[str]
) -> dict[str, dict[str, Any]]:
    ai = thresholds["arch_index"]
    out: dict[str, dict[str, Any]] = {
        "arch_index": {
            "high_arch_at_or_below": ai.low,
            "collapsed_at_or_above": ai.high,
            "source": ai.source,
            "provisional": ai.provisional,
        }
    }
    csi_key, si_key = "chippaux_smirak_index", "staheli_index"
    if age_years is not None and age_years < 17:
        warnings.append("the arch-index cut-offs are for adults; read them with care for a child")
        if age_years < 3:
            csi_key = si_key = ""
            warnings.append("no validated footprint cut-offs under 3 years: indices not graded")
        elif age_years < 6:
            csi_key, si_key = "chippaux_smirak_index_child_3_7", "staheli_index_child_3_6"
        elif age_years < 9:
            csi_key, si_key = "chippaux_smirak_index_child_6_9", "staheli_index_child_6_9"
        else:
            csi_key, si_key = "chippaux_smirak_index_child_9_16", ""
    for name, key in (("chippaux_smirak_index", csi_key), ("staheli_index", si_key)):
        th = thresholds.get(key) if key else None
        if th is None or th.value is None:
            out[name] = {"collapsed_above": None, "source": None, "provisional": None}
            continue
        out[name] = {
            "collapsed_above": th.value,
            "threshold": key,
            "source": th.source,
            "provisional": th.provisional,
        }
    return out


def near_cutoffs(
    values: Mapping[str, float], cutoffs: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    out = []
    for name, value in values.items():
        for key in ("high_arch_at_or_below", "collapsed_at_or_above", "collapsed_above"):
            c = cutoffs.get(name, {}).get(key)
            if c is not None and abs(value - c) < BORDERLINE:
                out.append(
                    f"{name.replace('_', ' ')} {value:.3f} is within {BORDERLINE} of its cut-off "
                    f"{c}: borderline, repeat the print"
                )
    return out


def grade_indices(
    arch_index: float,
    csi: float,
    staheli: float,
    thresholds: Mapping[str, Threshold],
    age_years: float | None,
    warnings: list[str],
) -> tuple[str, dict[str, dict[str, Any]], dict[str, str | None]]:
    """Arch type, the cut-offs used and each index's type; warns when the indices disagree
    about a collapsed arch or one lies near its cut-off."""
    arch_type = classify_arch(arch_index, thresholds)
    cutoffs = cutoffs_for(thresholds, age_years, warnings)
    index_types: dict[str, str | None] = {"arch_index": arch_type}
    for name, value in (("chippaux_smirak_index", csi), ("staheli_index", staheli)):
        c = cutoffs[name]["collapsed_above"]
        index_types[name] = None if c is None else ("collapsed" if value > c else "not collapsed")
    flat_votes = [v == "collapsed" for k, v in index_types.items() if k != "arch_index" and v]
    if flat_votes and (arch_type == "collapsed") != any(flat_votes):
        warnings.append(
            "the indices disagree about a collapsed arch (see index_types); footprint indices "
            "are screening clues only"
        )
    warnings += near_cutoffs(
        {"arch_index": arch_index, "chippaux_smirak_index": csi, "staheli_index": staheli}, cutoffs
    )
    return arch_type, cutoffs, index_types
