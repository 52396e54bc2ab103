"""How values read: numbers with their units, "not measured", text that must not wrap."""

from __future__ import annotations

import re
from typing import Any

from gaitlab.rules.metrics import NOT_MEASURED, YES_NO_STEMS, describe, is_measured
from gaitlab.rules.names import unit_label

#: Decimals of a value per unit key (default 1).
DECIMALS = {"s": 2, "ratio": 2, "legs": 2, "legs_per_s": 2, "j": 0}


def with_unit(v: float | str, unit: str) -> str:
    """``10°``, ``0.3 s``, ``96 steps/min`` (numbers as given, or with ``:g``)."""
    text = v if isinstance(v, str) else f"{v:g}"
    return f"{text}{unit}" if unit == "°" else f"{text} {unit}".strip()


def format_value(value: Any, unit: str | None) -> str:
    """``12.3°``, ``1.05 s``, ``62.4 %``, ``7``, ``yes`` or ``not measured`` (``unit`` is a
    machine unit key). A whole number without a unit is a count and reads without decimals
    (``7``, not ``7.0``: the history stores every number as a float)."""
    if not is_measured(value):
        return NOT_MEASURED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if not unit and float(value).is_integer():
        return str(int(value))
    text = str(value) if isinstance(value, int) else f"{value:.{DECIMALS.get(unit or '', 1)}f}"
    return with_unit(text, unit_label(unit))


def format_metric(name: str, value: Any) -> str:
    """A metric's value as :func:`format_value` reads it, with the metric's unit; a yes/no
    metric (:data:`~gaitlab.rules.metrics.YES_NO_STEMS`) stored as 1.0/0.0 reads ``yes`` /
    ``no``."""
    m = describe(name)
    if m.stem in YES_NO_STEMS and is_measured(value) and value in (0, 1):
        return "yes" if value else "no"
    return format_value(value, m.unit)


#: Spaces a line must not break at: between a number and a short unit, after a side (long
#: chains such as "men 81–135 steps/min" would not fit a phone's table column).
_GLUE = re.compile(r"(?<=\d) (?=(?:%|s|J|cm|mm|ms|Hz|px|m)(?:\W|$))|(?<=\bleft) |(?<=\bright) ")


def keep_together(text: str) -> str:
    """``10 %``, ``2.24 s``, ``left 0.5``, ``96–138`` and ``not measured`` never split over
    two lines of a narrow table cell (no-break spaces, a word joiner after a dash between
    numbers)."""
    text = _GLUE.sub("\u00a0", text).replace(NOT_MEASURED, NOT_MEASURED.replace(" ", "\u00a0"))
    return re.sub(r"(?<=\d)–(?=\d)", "–\u2060", text)
