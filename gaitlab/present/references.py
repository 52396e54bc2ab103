"""The references of a measure, in words: ``flag above 10°``, ``normal 96–138 steps/min``.

Which thresholds-file entries are a measure's reference is the rules' business
(:func:`gaitlab.rules.metrics.reference_for`); every value comes from the thresholds file.
"""

from __future__ import annotations

from collections.abc import Sequence

from gaitlab.core.thresholds import Threshold
from gaitlab.present.values import with_unit
from gaitlab.rules.names import unit_label


def _sex_of(th: Threshold) -> str:
    return th.name.rsplit("_", 1)[-1] if th.name.endswith(("_female", "_male")) else ""


def reference_text(th: Threshold, sex: str | None = None) -> str:
    """``flag above 10°`` / ``normal 96–138 steps/min``, with sex-specific values and a
    provisional mark where the thresholds file says so."""
    unit = unit_label(th.unit)
    if th.low is not None and th.high is not None:
        text = f"normal {th.low:g}–{with_unit(th.high, unit)}"
        text += {"female": " (women)", "male": " (men)"}.get(_sex_of(th), "")
    else:
        word = "above" if th.comparison == ">" else "below"
        text = f"flag {word} {with_unit(th.for_sex(sex), unit)}"
        if sex is None and (th.value_female is not None or th.value_male is not None):
            by_sex = []
            if th.value_female is not None:
                by_sex.append(f"women {with_unit(th.value_female, unit)}")
            if th.value_male is not None:
                by_sex.append(f"men {with_unit(th.value_male, unit)}")
            text += f" ({', '.join(by_sex)})"
    return text + (" · provisional" if th.provisional else "")


def references_text(refs: Sequence[Threshold], sex: str | None = None) -> str:
    """All of a measure's references in one short text: one band per sex (sex unknown)
    reads ``normal: women 96–138, men 81–135 steps/min``."""
    by_sex = [t for t in refs if t.low is not None and t.high is not None and _sex_of(t)]
    if len(refs) > 1 and len(by_sex) == len(refs) and len({t.unit for t in refs}) == 1:
        who = {"female": "women", "male": "men"}
        bands = [f"{who[_sex_of(t)]} {t.low:g}–{t.high:g}" for t in refs]
        text = with_unit(f"normal: {', '.join(bands)}", unit_label(refs[0].unit))
        return text + (" · provisional" if any(t.provisional for t in refs) else "")
    return "; ".join(reference_text(t, sex) for t in refs)
