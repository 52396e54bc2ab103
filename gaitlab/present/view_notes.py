"""Notes about a recording said once: the measures a view cannot support share one note.

The analysis writes one warning per measure (``knee valgus (FPPA) needs a front or back
view; this clip is filmed from the side``, then the same for pelvic tilt, ankle roll …);
read in a row, five sentences say one thing. :func:`merge_view_notes` lists the measures in
one sentence per shared requirement and reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: ``<measure> needs <requirement>`` with the rest of the sentence after it.
_NEEDS = re.compile(r"^(?P<what>.+?) needs (?P<need>.+)$", re.DOTALL)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def merge_view_notes(notes: Iterable[str]) -> list[str]:
    """``notes`` with each group of "<measure> needs <the same words>" said once, as
    "<measure>, <measure> and <measure> need <the same words>", where the group's first
    note was; other notes unchanged, repeats dropped."""
    groups: dict[str, list[str]] = {}
    order: list[tuple[str, str]] = []  # ("note", text) or ("need", key)
    for note in dict.fromkeys(notes):
        m = _NEEDS.match(note)
        if m is None:
            order.append(("note", note))
            continue
        need = m["need"]
        if need not in groups:
            groups[need] = []
            order.append(("need", need))
        if m["what"] not in groups[need]:
            groups[need].append(m["what"])
    out = []
    for kind, text in order:
        if kind == "note":
            out.append(text)
        else:
            what = groups[text]
            verb = "needs" if len(what) == 1 else "need"
            out.append(f"{_listed(what)} {verb} {text}")
    return out
