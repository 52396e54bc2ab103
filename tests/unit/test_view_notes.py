"""The measures a view cannot support are named in one note, not one note each."""

from __future__ import annotations

from gaitlab.present.view_notes import merge_view_notes

SIDE = "needs a front or back view; this clip is filmed from the side"


def test_five_measures_needing_a_front_view_are_one_note():
    notes = [
        "the subject was out of view for 3.1 s (walking out of the frame); those parts were "
        "left out",
        f"knee valgus (FPPA) {SIDE}",
        f"pelvic tilt {SIDE}",
        f"ankle roll (rearfoot angle) {SIDE}",
        f"sideways ankle shift {SIDE}",
        f"sideways trunk lean {SIDE}",
        "pelvic drop while walking needs a front or back view of straight walking with both feet "
        "seen landing; not available in this clip",
        f"pelvic tilt {SIDE}",  # said twice by the analysis: once here
    ]
    merged = merge_view_notes(notes)
    assert merged == [
        notes[0],
        "knee valgus (FPPA), pelvic tilt, ankle roll (rearfoot angle), sideways ankle shift and "
        "sideways trunk lean need a front or back view; this clip is filmed from the side",
        notes[6],  # another requirement: its own note, worded as before
    ]
    assert sum("front or back view; this clip" in n for n in merged) == 1


def test_notes_without_a_shared_requirement_are_unchanged():
    notes = ["knee bend needs a side view; this clip is filmed from the front", "a note"]
    assert merge_view_notes(notes) == notes
    assert merge_view_notes([]) == []
