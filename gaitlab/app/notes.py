"""Notes and angles on a saved session, in the result and history pages.

A note is on the whole session, on a flagged moment (its card) or on the moment the player
is on; an angle is drawn in the player (:mod:`gaitlab.app.player`) on a paused frame. They
are kept in the history (:meth:`gaitlab.store.Store.add_annotation`), so only a result that
was saved to the history takes them.

Who may write: everyone on a computer without accounts; with accounts, a clinician on
anyone's session, a patient on their own sessions (the pages show them nothing else). A
patient deletes only what they wrote; a clinician anything. The author is the signed-in
account, else this computer's login name.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from gaitlab.app import auth, common
from gaitlab.app.safe_text import md
from gaitlab.core.errors import GaitlabError
from gaitlab.store import Annotation, Session, Store

#: Action nonces from the player already acted on, in this browser session.
DONE_KEY = "annotation-actions-done"
#: Characters of a note typed in the app (the store takes up to 4000).
NOTE_CHARS = 2000


@dataclass(frozen=True)
class Noted:
    """A saved session that takes notes: the history and the session."""

    hist: Store
    session: Session


def result_session(rid: str) -> Noted | None:
    """The history session an app result was saved as (None: not saved, or no history)."""
    session_id = common.store().history(rid).get("session_id")
    hist = common.history()
    if session_id is None or hist is None:
        return None
    try:
        return Noted(hist, hist.session(int(session_id)))
    except GaitlabError:  # deleted from the history meanwhile
        return None


def author() -> str | None:
    account = auth.current_account()
    if account is not None:
        return account.name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name known
        return None


def may_write(noted: Noted | None) -> bool:
    if noted is None:
        return False
    person = noted.session.person
    return auth.may_see(person.id if person else None)


def may_delete(a: Annotation) -> bool:
    account = auth.current_account()
    return account is None or account.sees_everyone or a.author == account.name


def byline(a: Annotation) -> str:
    """``Dr Lee · 8 Dec 2026 09:12 (edited)``."""
    when = a.created_at.astimezone().strftime("%-d %b %Y %H:%M")
    bits = [a.author, when] if a.author else [when]
    return " · ".join(bits) + (" (edited)" if a.edited_at else "")


def what(a: Annotation) -> str:
    """``Angle 121.3° at 1.20 s`` / ``Line 4.0° from vertical at 0.50 s`` / ``Note at 2.00 s``
    / ``Session note``."""
    at = "" if a.t_s is None else f" at {a.t_s:.2f} s"
    if a.kind == "angle":
        return f"Angle {a.angle_deg:.1f}°{at}"
    if a.kind == "line":
        return f"Line {a.angle_deg:.1f}° from {a.reference}{at}"
    return f"Note{at}" if at else "Session note"


# -- the player ---------------------------------------------------------------------------------
def drawn(noted: Noted | None) -> list[dict[str, Any]]:
    """The session's angles as the player draws and lists them."""
    if noted is None:
        return []
    return [
        {
            "id": a.id,
            "kind": a.kind,
            "frame": a.frame,
            "t_s": a.t_s,
            "points": [list(p) for p in a.points],
            "reference": a.reference,
            "angle_deg": a.angle_deg,
            "text": a.text,
            "author": a.author,
            "deletable": may_delete(a),
        }
        for a in noted.hist.annotations(noted.session.id)
        if a.kind in ("angle", "line")
    ]


def _frame_time(frames: pd.DataFrame, row: Any, fallback: float) -> float:
    """The recording's time of the annotated video's row (what flags and marks show)."""
    if isinstance(row, int) and not frames.empty and 0 <= row < len(frames):
        return float(frames["t_s"].iloc[row])
    return fallback


def apply_player_action(noted: Noted | None, value: Any, frames: pd.DataFrame) -> None:
    """Save or delete the angle the player asks for, once per action; reruns the page so the
    player draws the change."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict) or noted is None or not may_write(noted):
        return
    done: set[str] = st.session_state.setdefault(DONE_KEY, set())
    nonce = str(action.get("nonce"))
    if nonce in done:
        return
    done.add(nonce)
    hist, sid = noted.hist, noted.session.id
    try:
        if action.get("type") == "save":
            frame = action.get("frame")
            hist.add_annotation(
                sid,
                str(action.get("kind")),
                text=action.get("text") or None,
                t_s=_frame_time(frames, frame, float(action.get("t_s") or 0.0)),
                frame=frame if isinstance(frame, int) else None,
                points=action.get("points"),
                reference=action.get("reference"),
                image_size=action.get("image_size"),
                author=author(),
            )
        elif action.get("type") == "delete":
            old = hist.annotation(int(action.get("id") or 0))
            if old.session_id == sid and may_delete(old):
                hist.delete_annotation(old.id)
    except (GaitlabError, TypeError, ValueError) as err:
        st.session_state[f"annotation-error-{sid}"] = str(err)
    st.rerun()


# -- notes --------------------------------------------------------------------------------------
def _add_note_form(
    noted: Noted, key: str, label: str, button: str, moment: Callable[[], tuple[float, int]] | None
) -> None:
    """A text box and a button that add a note (at ``moment()`` when given)."""
    with st.form(key, clear_on_submit=True, border=False):
        text = st.text_area(label, max_chars=NOTE_CHARS, height=80, key=f"{key}-text")
        if st.form_submit_button(button):
            t_s, frame = moment() if moment else (None, None)
            try:
                noted.hist.add_annotation(
                    noted.session.id, "note", text=text, t_s=t_s, frame=frame, author=author()
                )
            except GaitlabError as err:
                st.error(md(err))
                return
            st.rerun()


def _note_line(noted: Noted, a: Annotation, key: str) -> None:
    c1, c2 = st.columns([5, 1])
    head = f"**{md(what(a))}**"
    c1.markdown(head + (f" · {md(a.text)}" if a.text else ""))
    c1.caption(md(byline(a)))
    if may_delete(a) and may_write(noted):
        if c2.button("Delete", key=f"{key}-del-{a.id}", help="Delete this note or angle"):
            noted.hist.delete_annotation(a.id)
            st.rerun()


def moment_note_ui(noted: Noted | None, at: dict[str, Any] | None, frames: pd.DataFrame) -> None:
    """A note on the moment the player is on."""
    if not may_write(noted) or frames.empty:
        return
    assert noted is not None
    row = int(at["frame"]) if at and isinstance(at.get("frame"), int) else 0
    row = min(max(row, 0), len(frames) - 1)
    t_s = float(frames["t_s"].iloc[row])
    with st.expander("Note at this moment"):
        st.caption(f"At {t_s:.2f} s, the frame the player is on: step or click a mark first.")
        _add_note_form(
            noted, f"moment-note-{noted.session.id}", "Note", "Save the note", lambda: (t_s, row)
        )
    error = st.session_state.pop(f"annotation-error-{noted.session.id}", None)
    if error:
        st.error(f"The angle was not saved: {md(error)}")


def flag_note_ui(noted: Noted | None, flag: dict[str, Any], key: str) -> None:
    """The notes on a flagged moment (its frame) and a box to add one, in the flag's card."""
    if noted is None or flag.get("row") is None:
        return
    row = int(flag["row"])
    mine = [
        a for a in noted.hist.annotations(noted.session.id) if a.kind == "note" and a.frame == row
    ]
    for a in mine:
        _note_line(noted, a, key)
    if may_write(noted):
        with st.popover("Note on this moment", width="stretch"):
            _add_note_form(
                noted, f"{key}-form", "Note", "Save the note", lambda: (float(flag["t_s"]), row)
            )


def notes_ui(noted: Noted | None, key: str) -> None:
    """Every note and angle of the session, and a box for a note on the whole session."""
    st.subheader("Notes and angles")
    if noted is None:
        st.caption(
            "Notes and angles are kept with the session in the history: this result was not "
            "saved to it."
        )
        return
    found = noted.hist.annotations(noted.session.id)
    if not found:
        st.caption(
            "No notes yet. Write one below, on a flagged moment, or at the player's moment; "
            "measure an angle with the player's Angle button on a paused frame."
        )
    for a in found:
        _note_line(noted, a, key)
    if may_write(noted):
        _add_note_form(noted, f"{key}-session-note", "Note on this session", "Save the note", None)


def history_notes_ui(hist: Store, s: Session) -> None:
    """A saved session's notes and angles in its history card (folded away)."""
    noted = Noted(hist, s)
    found = hist.annotations(s.id)
    label = f"Notes and angles ({len(found)})" if found else "Notes and angles"
    with st.expander(label, key=f"hist-notes-open-{s.id}"):  # stays open as the count changes
        for a in found:
            _note_line(noted, a, f"hist-{s.id}")
        if may_write(noted):
            _add_note_form(
                noted, f"hist-note-{s.id}", "Note on this session", "Save the note", None
            )
