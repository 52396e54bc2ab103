"""Page: the wet foot test. Upload a photo of a wet footprint (or of both feet side by side
on one sheet), see what was measured drawn on it and the indices, keep it in the history;
the programme's three reference prints (normal, flat, high arch) beside it."""

from __future__ import annotations

import hashlib
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import cv2
import pandas as pd
import streamlit as st

from gaitlab import __version__
from gaitlab.app import common
from gaitlab.core.errors import GaitlabError
from gaitlab.footprint import SheetResult, analyze_sheet, render_overlay
from gaitlab.footprint.image import read_photo

SIDES = {"Detect": None, "Left": "left", "Right": "right"}
#: The reference prints shipped with gaitlab (synthetic prints of known arch index).
REFERENCES = (
    ("normal", "Normal arch", "a band along the outer edge joins heel and ball"),
    ("flat", "Flat (collapsed) arch", "the whole sole prints: the midfoot is as wide as the ball"),
    ("high", "High arch", "only heel and ball print, with a thin strip between or none"),
)


def _reference(name: str) -> bytes:
    return (files("gaitlab.footprint") / "reference" / f"{name}.jpg").read_bytes()


@st.cache_data(max_entries=8, show_spinner=False)
def _analyse(data: bytes, suffix: str, side: str | None, age: float | None) -> dict[str, Any]:
    """The sheet's result and overlay (PNG) for an uploaded photo; ``{"error": ...}`` when
    it cannot be read."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"photo{suffix}"
        path.write_bytes(data)
        try:
            img = read_photo(path)
            sheet = analyze_sheet(img, side=side, age_years=age)
        except GaitlabError as exc:
            return {"error": str(exc)}
    ok, png = cv2.imencode(".png", render_overlay(img, sheet))
    return {"sheet": sheet, "overlay": png.tobytes() if ok else b""}


def _table(sheet: SheetResult) -> pd.DataFrame:
    rows = []
    for k, f in enumerate(sheet.feet):
        rows.append(
            {
                "foot": f.side or f"print {k + 1} (side unknown)",
                "arch type": f"{f.arch_type} arch",
                "arch index": round(f.arch_index, 3),
                "Chippaux-Smirak": round(f.chippaux_smirak_index, 3),
                "Staheli": round(f.staheli_index, 3),
                "printed": f"{f.print_parts.get('sole', '')}, midfoot "
                f"{f.print_parts.get('midfoot', '')}, toes {f.print_parts.get('toes', '')}",
            }
        )
    return pd.DataFrame(rows)


def _summary(sheet: SheetResult, name: str) -> dict[str, Any]:
    return {
        "kind": "footprint",
        "task": "footprint",
        "image": name,
        "gaitlab_version": __version__,
        **sheet.summary(),
    }


def _save_ui(sheet: SheetResult, overlay: bytes, name: str, key: str) -> None:
    hist = common.history()
    if hist is None:
        st.caption(common.history_error())
        return
    person = common.current_person()
    who = person.name if person else "no person"
    if st.button(f"Save to the history ({who})", key=f"save-{key}"):
        with tempfile.TemporaryDirectory() as tmp:
            pic = Path(tmp) / "overlay.png"
            pic.write_bytes(overlay)
            sid = hist.save_analysis(_summary(sheet, name), person, files={"overlay.png": pic})
        st.session_state[f"saved-{key}"] = sid
    if f"saved-{key}" in st.session_state:
        st.success(f"Saved to the history as session #{st.session_state[f'saved-{key}']}.")


def _result_ui(sheet: SheetResult, overlay: bytes, name: str, key: str) -> None:
    st.image(overlay, caption="What was measured: outline, axis, thirds, widths A/B/C")
    st.dataframe(_table(sheet), hide_index=True, width="stretch")
    diff = sheet.difference
    if diff is not None:
        st.markdown(
            f"**Left minus right:** arch index {diff['arch_index']:+.3f}, "
            f"Chippaux-Smirak {diff['chippaux_smirak_index']:+.3f}, "
            f"Staheli {diff['staheli_index']:+.3f}"
        )
    c = sheet.feet[0].cutoffs["arch_index"]
    st.caption(
        f"Arch index: high arch at or below {c['high_arch_at_or_below']}, flat (collapsed) at "
        f"or above {c['collapsed_at_or_above']} ({c['source']})"
        + (", provisional" if c.get("provisional") else "")
        + ". A screening clue, not a diagnosis: see a clinician about pain or a change."
    )
    for w in dict.fromkeys(w for f in sheet.feet for w in f.warnings):
        st.warning(w)
    _save_ui(sheet, overlay, name, key)


def history_details_ui(summary: dict[str, Any], overlay: Path | None) -> None:
    """A saved wet foot test in the history: its overlay, each foot's indices, the
    left–right difference and the warnings (from the saved summary)."""
    if overlay is not None:
        st.image(str(overlay), caption="What was measured")
    rows = [
        {
            "foot": f.get("side") or f"print {k + 1} (side unknown)",
            "arch type": f"{f.get('arch_type')} arch",
            "arch index": f.get("arch_index"),
            "Chippaux-Smirak": f.get("chippaux_smirak_index"),
            "Staheli": f.get("staheli_index"),
        }
        for k, f in enumerate(summary.get("feet") or [])
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    diff = summary.get("left_right_difference")
    if diff:
        st.markdown(f"**Left minus right:** arch index {diff['arch_index']:+.3f}")
    for w in dict.fromkeys(w for f in summary.get("feet") or [] for w in f.get("warnings", [])):
        st.caption(w)


def references_ui() -> None:
    st.subheader("The three prints")
    cols = st.columns(3)
    for col, (name, title, text) in zip(cols, REFERENCES, strict=True):
        with col:
            st.image(_reference(name), caption=f"{title}: {text}")


def render() -> None:
    st.title("Wet foot test")
    st.markdown(
        "Wet the whole sole, stand on a sheet of paper or cardboard (one foot, or both feet "
        "side by side), step off and photograph the sheet from straight above with all of it "
        "in the picture. An ink-mat (pedograph) sheet works too."
    )
    upload = st.file_uploader("Photo of the print", type=["jpg", "jpeg", "png"], key="fp-photo")
    c1, c2 = st.columns(2)
    side = c1.radio(
        "Which foot (one print)",
        list(SIDES),
        horizontal=True,
        key="fp-side",
        help="Two prints are told apart by where they stand.",
    )
    age = c2.number_input(
        "Age (years, optional)",
        min_value=1.0,
        max_value=110.0,
        value=None,
        key="fp-age",
        help="Children's cut-offs apply under 17.",
    )
    if upload is not None:
        data = upload.getvalue()
        key = hashlib.sha1(data).hexdigest()[:12]
        with st.spinner("Measuring the print…"):
            out = _analyse(data, Path(upload.name).suffix.lower(), SIDES[side], age)
        if "error" in out:
            st.error(out["error"])
        else:
            _result_ui(out["sheet"], out["overlay"], upload.name, key)
    references_ui()


if __name__ == "__main__":
    render()
