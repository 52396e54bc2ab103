"""Durations and counts in words, as the programme's timer and logs show them."""

from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """``45 s``, ``2 min``, ``2 min 32 s``, ``1 h 5 min``."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min" + (f" {s} s" if s else "")
    h, m = divmod(m, 60)
    return f"{h} h" + (f" {m} min" if m else "")


def plural(n: int, noun: str) -> str:
    """``1 rep``, ``10 reps``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def format_clock(seconds: float) -> str:
    """``0:05``, ``2:32`` (minutes:seconds)."""
    m, s = divmod(max(0, math.floor(seconds)), 60)
    return f"{m}:{s:02d}"
