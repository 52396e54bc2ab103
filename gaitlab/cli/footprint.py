"""``gaitlab footprint``: the wet foot test, arch indices from a footprint photo (one foot, or
a left and a right foot side by side on one sheet)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gaitlab.cli.terminal import safe


def add_command(sub: Any) -> None:
    """Register ``gaitlab footprint`` on the ``gaitlab`` parser."""
    p = sub.add_parser(
        "footprint",
        help="wet foot test: arch indices from a footprint photo (one foot or both feet)",
    )
    p.add_argument(
        "photo",
        help="photo of a wet footprint (or a left and a right print side by side) on paper, "
        "cardboard or an ink-mat form (jpg, png)",
    )
    p.add_argument("--out", required=True, help="output folder (one per photo)")
    p.add_argument(
        "--side",
        choices=["left", "right"],
        default=None,
        help="which foot made the print, when the sheet holds one print (detected when not "
        "given; two prints are told apart by where they stand)",
    )
    p.add_argument(
        "--age", type=float, default=None, help="age in years (children's cut-offs apply under 17)"
    )
    p.add_argument(
        "--person",
        default=None,
        help="save the result and its overlay to the history under this person (by name or id)",
    )
    p.set_defaults(func=run)


def _foot_line(foot: dict[str, Any], name: str) -> str:
    parts = foot.get("print_parts") or {}
    how = f"; printed: {parts['sole']}, midfoot {parts['midfoot']}" if parts else ""
    return (
        f"{name}: {foot['arch_type']} arch (arch index {foot['arch_index']:.3f}, "
        f"Chippaux-Smirak {foot['chippaux_smirak_index']:.3f}, "
        f"Staheli {foot['staheli_index']:.3f}){how}"
    )


def run(args: argparse.Namespace) -> int:
    """Measure the footprint(s), print arch type and indices, write (and keep) the results."""
    from gaitlab.footprint.analyze import run_footprint  # OpenCV: see gaitlab.cli.main

    store = None
    if args.person is not None:
        from gaitlab.store import Store

        store = Store.open()  # before the analysis: a bad database or person fails at once
        store.person(args.person)
    try:
        summary = run_footprint(args.photo, args.out, side=args.side, age_years=args.age)
        _print_summary(args, summary)
        if store is not None:
            out = Path(args.out)
            sid = store.save_analysis(
                summary, args.person, files={"overlay.png": out / "overlay.png"}
            )
            print(f"saved to the history as session #{sid}")
    finally:
        if store is not None:
            store.close()
    return 0


def _print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    photo = safe(Path(args.photo).name)
    feet = summary["feet"]
    if len(feet) == 1:
        foot = feet[0]
        print(_foot_line(foot, photo) + f", {foot['side'] or 'unknown'} foot")
    else:
        print(f"{photo}: {len(feet)} footprints")
        for k, foot in enumerate(feet):
            print("  " + _foot_line(foot, f"{foot['side'] or f'print {k + 1}'} foot"))
        diff = summary.get("left_right_difference")
        if diff:
            print(
                f"  left minus right: arch index {diff['arch_index']:+.3f}, "
                f"Chippaux-Smirak {diff['chippaux_smirak_index']:+.3f}, "
                f"Staheli {diff['staheli_index']:+.3f}"
            )
    shown = set()
    for foot in feet:
        for w in foot.get("warnings", []):
            if w not in shown:
                shown.add(w)
                print(f"warning: {safe(w)}")
    if any(f["side"] is None for f in feet):
        print(
            "which foot is it? the print does not say: run again with --side left or right"
            if len(feet) == 1
            else "which print is the left foot? stand side by side with the toes the same way "
            "and retake, or photograph one foot at a time with --side"
        )
    print("a screening clue, not a diagnosis: see a clinician about pain or a change")
    print(safe(f"wrote {Path(args.out) / 'summary.json'}, {Path(args.out) / 'overlay.png'}"))
