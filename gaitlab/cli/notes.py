"""``gaitlab history notes N`` and ``gaitlab history note N "text" [--at S]``: the notes and
angles kept with a session.

:mod:`gaitlab.cli.history` adds them under ``gaitlab history``.
"""

from __future__ import annotations

import argparse
import getpass
import json
from typing import TYPE_CHECKING, Any

from gaitlab.cli.terminal import safe

if TYPE_CHECKING:
    from gaitlab.store import Annotation, Session

# The store (SQLAlchemy) and pandas are imported by each command (heavy: see gaitlab.cli.main).

KIND_WORDS = {"note": "note", "angle": "angle", "line": "line"}


def describe(a: Annotation) -> str:
    """``at 1.20 s (frame 37) · angle 121.3° · by ana``: one annotation on one line."""
    where = "session" if a.t_s is None else f"at {a.t_s:.2f} s"
    if a.t_s is not None and a.frame is not None:
        where += f" (frame {a.frame + 1})"
    bits = [where]
    if a.kind == "angle":
        bits.append(f"angle {a.angle_deg:.1f}°")
    elif a.kind == "line":
        bits.append(f"line {a.angle_deg:.1f}° from the {a.reference}")
    if a.text:
        bits.append(a.text)
    who = a.author or "unknown"
    when = a.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    bits.append(f"by {who}, {when}" + (" (edited)" if a.edited_at else ""))
    return " · ".join(bits)


def _frame_at(session: Session, t_s: float) -> int | None:
    """The row of the annotated video shown at ``t_s`` (nearest frame time), if the session
    kept its per-frame table.

    Raises
    ------
    InputError
        ``t_s`` lies outside the recording.
    """
    import pandas as pd  # heavy: see gaitlab.cli.main

    from gaitlab.io.export import FRAMES_NAME
    from gaitlab.store import InputError

    if session.duration_s is not None and not 0 <= t_s <= session.duration_s:
        raise InputError(
            f"--at {t_s:g} s lies outside the recording (0-{session.duration_s:.2f} s)"
        )
    path = session.file(FRAMES_NAME)
    if path is None:
        return None
    times = pd.read_csv(path, usecols=["t_s"])["t_s"].to_numpy(dtype=float)
    return int(abs(times - t_s).argmin()) if len(times) else None


def _cmd_notes(args: argparse.Namespace) -> int:
    from gaitlab.store import Store, parse_session_id  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        found = store.annotations(parse_session_id(args.session))
    if args.json:
        print(json.dumps([a.to_dict() for a in found], indent=2))
        return 0
    if not found:
        print(f'no notes on session {safe(args.session)} yet: gaitlab history note N "text"')
        return 0
    for a in found:
        print(f"{a.id}  {KIND_WORDS[a.kind]:<5} {safe(describe(a))}")
    return 0


def _cmd_note(args: argparse.Namespace) -> int:
    from gaitlab.store import InputError, Store, parse_session_id  # heavy: see gaitlab.cli.main

    with Store.open() as store:
        session = store.session(parse_session_id(args.session))
        if session.kind != "analysis" and args.at is not None:
            raise InputError(f"session {session.id} has no video: a note --at needs one")
        frame = _frame_at(session, args.at) if args.at is not None else None
        added = store.add_annotation(
            session.id, "note", text=args.text, t_s=args.at, frame=frame, author=args.by
        )
    print(f"added note {added.id} to session {session.id}: {safe(describe(added))}")
    return 0


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name known (a container without a passwd entry)
        return None


def add_commands(sub: Any) -> None:
    """Register notes and note under ``gaitlab history``."""
    p = sub.add_parser("notes", help="list a session's notes and the angles drawn on it")
    p.add_argument("session", help="the session id (see gaitlab history)")
    p.add_argument("--json", action="store_true", help="print JSON instead of lines")
    p.set_defaults(func=_cmd_notes)
    p = sub.add_parser("note", help="add a note to a session, or to a moment of its video")
    p.add_argument("session", help="the session id (see gaitlab history)")
    p.add_argument("text", help="the note (quote it)")
    p.add_argument(
        "--at", type=float, metavar="SECONDS", help="the moment of the video it is about"
    )
    p.add_argument(
        "--by", default=_login_name(), metavar="NAME", help="the author (default: your login)"
    )
    p.set_defaults(func=_cmd_note)
