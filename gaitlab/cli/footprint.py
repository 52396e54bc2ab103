"""``gaitlab footprint``: the wet foot test, arch indices from a footprint photo."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gaitlab.cli.terminal import safe


def add_command(sub: Any) -> None:
    """Register ``gaitlab footprint`` on the ``gaitlab`` parser."""
    p = sub.add_parser("footprint", help="wet foot test: arch indices from a footprint photo")
    p.add_argument("photo", help="photo of a wet footprint on paper or cardboard (jpg, png)")
    p.add_argument("--out", required=True, help="output folder (one per photo)")
    p.add_argument(
        "--side",
        choices=["left", "right"],
        default=None,
        help="which foot made the print (detected when not given)",
    )
    p.add_argument(
        "--age", type=float, default=None, help="age in years (children's cut-offs apply under 17)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Measure the footprint, print its arch type and indices, write the results."""
    from gaitlab.footprint.analyze import run_footprint  # OpenCV: see gaitlab.cli.main

    summary = run_footprint(args.photo, args.out, side=args.side, age_years=args.age)
    print(
        f"{safe(Path(args.photo).name)}: {summary['arch_type']} arch "
        f"(arch index {summary['arch_index']:.3f}, "
        f"Chippaux-Smirak {summary['chippaux_smirak_index']:.3f}, "
        f"Staheli {summary['staheli_index']:.3f}), {summary['side'] or 'unknown'} foot"
    )
    for w in summary.get("warnings", []):
        print(f"warning: {safe(w)}")
    if summary["side"] is None:
        print("which foot is it? the print does not say: run again with --side left or right")
    print("a screening clue, not a diagnosis: see a clinician about pain or a change")
    print(safe(f"wrote {Path(args.out) / 'summary.json'}, {Path(args.out) / 'overlay.png'}"))
    return 0
