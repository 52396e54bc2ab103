"""One- or two-page PDF report of a saved session, for someone who never opened gaitlab.

What it holds: who and when, the task and camera view, key frames from the annotated video
(the flagged moments, else evenly spaced), every measure with its unit, reference band and
source, the flags with what they mean, what the view could not measure and why, and the
limits of measuring from one ordinary camera.

Display wording (labels, units, reference texts, flag explanations) comes from
:mod:`gaitlab.present.metrics`, so the report and the app say the same thing; every number
against which a value is judged comes from the thresholds file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import cv2
import numpy as np
import pandas as pd

from gaitlab import __version__
from gaitlab.core.errors import GaitlabError
from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.io.export import FRAMES_NAME, VIDEO_NAME
from gaitlab.render.blur import FaceBlurrer, PeopleModel
from gaitlab.store import LANDMARKS_NAME, THUMBS_DIR, Person, Session, Store

#: Key frames shown at most (one row of pictures).
MAX_KEY_FRAMES = 4
#: Flagged key frames closer together than this show the same moment: one is kept.
KEY_FRAME_MIN_GAP_S = 0.25
#: Flags listed at most; the rest are counted (keeps the report within two pages).
MAX_FLAGS = 8
#: Key-frame tiles: portrait crops around the subject, this many pixels.
TILE_W, TILE_H = 360, 480
#: A crop is at least this share of the frame height (a far-away person is not blown up
#: into a blur).
MIN_CROP_OF_FRAME = 0.45

TASK_TITLES = {
    "walk": "Walking",
    "calf-raise": "Calf raises",
    "balance": "Single-leg balance",
}
VIEW_TEXT = {
    "anterior": "front view (the person faces the camera)",
    "posterior": "back view (the person faces away from the camera)",
    "sagittal_left": "side view, left side towards the camera",
    "sagittal_right": "side view, right side towards the camera",
    "oblique": "diagonal view (between front/back and side)",
    "unknown": "could not be determined",
}
VIEW_MEASURES = {
    "anterior": "knee valgus, pelvic drop and ankle roll (frontal-plane measures)",
    "posterior": "knee valgus, pelvic drop and ankle roll (frontal-plane measures)",
    "sagittal_left": "knee bend, foot strike, trunk lean and step timing (side measures)",
    "sagittal_right": "knee bend, foot strike, trunk lean and step timing (side measures)",
}
CHECK_TEXT = {
    "in range": "within range",
    "within": "within reference",
    "flagged": "outside reference",
    "below range": "below range",
    "above range": "above range",
}
CAVEATS = (
    "<b>A flat picture of a 3D movement.</b> One ordinary camera sees the body projected "
    "onto the image. Angles are measured in that picture, not in 3D: the knee valgus angle "
    "(frontal plane projection angle, FPPA) is a screening proxy for knee abduction, not a "
    "3D measurement (Straub &amp; Powers 2022).",
    "<b>Each measure needs its camera view.</b> Knee valgus, pelvic drop and ankle roll need "
    "a front or back view; knee bend, foot strike and trunk lean need a side view. A measure "
    "the view cannot support is reported as not measured, never guessed. Forward/backward "
    "pelvic tilt cannot be measured from video landmarks at all.",
    "<b>Landmarks are estimates.</b> Hip, knee, ankle, heel and toe positions come from a "
    "pose model (MediaPipe BlazePose). Loose clothing, poor light, shadows or a partly hidden "
    "body move them by a few centimetres, so a value close to its reference can fall on "
    "either side on another day.",
    "<b>Small changes are noise.</b> Repeated measurements scatter: a change between two "
    "sessions smaller than the measure's smallest detectable difference (knee valgus: "
    "7.5-8.9°, Munro et al. 2012) is within measurement error, not progress or decline.",
    "<b>A screening aid, not a diagnosis.</b> Flags point to moments worth a look; discuss "
    "them with a physiotherapist. References marked provisional have no validated cut-off.",
)


class ReportError(GaitlabError):
    """The report cannot be made (no summary, cannot write the file)."""


# -- key frames ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFrame:
    """One picture for the report: a crop of the annotated video around the subject."""

    row: int  # frame of annotated.mp4 (= row of frames.csv)
    t_s: float
    path: Path  # JPEG tile
    caption: str
    flagged: bool


def _severity_rank(severity: str) -> int:
    return {"alert": 0, "high": 0, "error": 0, "warning": 1}.get(str(severity), 2)


def _rule_label(rule: str) -> str:
    """Display name of a flag rule: the longest known measure name it starts with
    (``pelvic_drop_walk`` → "Pelvic drop"), else the rule in words."""
    from gaitlab.present.metrics import STEM_LABELS, parse_metric

    parts = rule.split("_")
    for i in range(len(parts), 0, -1):
        key = "_".join(parts[:i])
        if key in STEM_LABELS:
            return STEM_LABELS[key]
    return parse_metric(rule).label.split(",")[0]


def _group_reasons(reasons: Sequence[str]) -> list[str]:
    """ "A needs a front view; …" and "B needs a front view; …" → "A and B need a front
    view; …" (the pipeline words every unavailable measure's reason that way)."""
    groups: dict[str, list[str]] = {}
    loose = []
    for r in dict.fromkeys(reasons):
        m = re.match(r"^(.+?) needs (.+)$", r)
        if m:
            groups.setdefault(m.group(2), []).append(m.group(1))
        else:
            loose.append(r)
    out = []
    for tail, names in groups.items():
        subject = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        out.append(f"{subject} {'needs' if len(names) == 1 else 'need'} {tail}")
    return [t[0].upper() + t[1:] for t in out + loose]


def choose_key_rows(
    summary: dict[str, Any], frames: pd.DataFrame, n: int = MAX_KEY_FRAMES
) -> list[tuple[int, str, bool]]:
    """``(row, caption, flagged)`` of the key frames: the flagged moments (most severe first,
    one per :data:`KEY_FRAME_MIN_GAP_S`), else ``n`` evenly spaced frames with the subject;
    in time order."""
    if frames.empty:
        return []
    t = frames["t_s"].to_numpy(dtype=float)
    row_of = {int(f): i for i, f in enumerate(frames["frame"].to_numpy())}
    chosen: list[tuple[int, str, bool]] = []
    flags = sorted(
        summary.get("flags") or [],
        key=lambda f: (_severity_rank(f.get("severity", "")), float(f.get("start_s", 0))),
    )
    for f in flags:
        row = row_of.get(int(f.get("frame", -1)))
        if row is None:
            row = int(np.argmin(np.abs(t - float(f.get("start_s", 0.0)))))
        if any(abs(t[row] - t[r]) < KEY_FRAME_MIN_GAP_S for r, _c, _f in chosen):
            continue
        side = f" {f['side']}" if f.get("side") else ""
        chosen.append((row, f"{t[row]:.2f} s · {_rule_label(str(f['rule']))}{side}", True))
        if len(chosen) == n:
            break
    if not chosen:
        detected = (
            np.flatnonzero(frames["detected"].to_numpy() > 0)
            if "detected" in frames.columns
            else np.arange(len(frames))
        )
        if detected.size == 0:
            detected = np.arange(len(frames))
        picks = detected[((np.arange(n) + 0.5) / n * detected.size).astype(int)]
        chosen = [(int(r), f"{t[r]:.2f} s", False) for r in dict.fromkeys(picks.tolist())]
    return sorted(chosen, key=lambda c: c[0])


def _subject_box(
    row: int, frames: pd.DataFrame, landmarks: np.ndarray | None, scale: float
) -> tuple[float, float, float, float] | None:
    """The subject's box in annotated-video pixels: all 33 landmarks when stored, else the
    legs from frames.csv with the upper body added above the hips (legs ≈ half the height)."""
    if landmarks is not None and 0 <= row < len(landmarks):
        pts = landmarks[row]
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) >= 4:
            (x0, y0), (x1, y1) = pts.min(axis=0) * scale, pts.max(axis=0) * scale
            return float(x0), float(y0), float(x1), float(y1)
    xs = frames.iloc[row][[c for c in frames.columns if c.endswith("_x_px")]].to_numpy(float)
    ys = frames.iloc[row][[c for c in frames.columns if c.endswith("_y_px")]].to_numpy(float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if ok.sum() < 3:
        return None
    xs, ys = xs[ok] * scale, ys[ok] * scale
    hips = frames.iloc[row][["left_hip_y_px", "right_hip_y_px"]].to_numpy(float) * scale
    hip_y = float(np.nanmean(hips)) if np.isfinite(hips).any() else float(ys.min())
    legs = float(ys.max()) - hip_y
    return float(xs.min()), hip_y - 1.05 * legs, float(xs.max()), float(ys.max())


def _crop(image: np.ndarray, box: tuple[float, float, float, float] | None) -> np.ndarray:
    """A portrait (3:4) crop around ``box`` with a margin, inside the image, resized to the
    tile size; the whole frame letterboxed when there is no box."""
    h, w = image.shape[:2]
    aspect = TILE_W / TILE_H
    if box is None:
        ch, cw = h, min(w, h * aspect)
        cx, cy = w / 2, h / 2
    else:
        x0, y0, x1, y1 = box
        ch = max((y1 - y0) * 1.2, (x1 - x0) * 1.2 / aspect, MIN_CROP_OF_FRAME * h)
        cw = ch * aspect
        if cw > w:
            cw, ch = w, w / aspect
        ch = min(ch, h)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(round(min(max(cx - cw / 2, 0), w - cw)))
    top = int(round(min(max(cy - ch / 2, 0), h - ch)))
    crop = image[top : top + int(round(ch)), left : left + int(round(cw))]
    scale = min(TILE_W / crop.shape[1], TILE_H / crop.shape[0])
    resized = cv2.resize(
        crop,
        (max(int(crop.shape[1] * scale), 1), max(int(crop.shape[0] * scale), 1)),
        interpolation=cv2.INTER_AREA,
    )
    tile = np.full((TILE_H, TILE_W, 3), 245, np.uint8)
    oy, ox = (TILE_H - resized.shape[0]) // 2, (TILE_W - resized.shape[1]) // 2
    tile[oy : oy + resized.shape[0], ox : ox + resized.shape[1]] = resized
    return tile


def _write_jpeg(path: Path, rgb: np.ndarray) -> None:
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88]
    )
    if not ok:
        raise ReportError(f"cannot encode {path.name}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    tmp.write_bytes(data.tobytes())
    os.replace(tmp, path)  # another process making the same tile writes the same bytes


def key_frames(
    session: Session,
    frames: pd.DataFrame,
    *,
    n: int = MAX_KEY_FRAMES,
    blur_faces: bool = False,
    face_model: Callable[[], PeopleModel] | None = None,
) -> list[KeyFrame]:
    """The session's key frames as JPEG tiles, cached in ``<session>/thumbs/``.

    Faces are blurred before cropping when ``blur_faces`` (see :mod:`gaitlab.render.blur`:
    from the stored landmarks, else by the pose model ``face_model`` makes); the unblurred
    and blurred tiles are cached separately.
    """
    from gaitlab.io.video import read_frames

    video = session.file(VIDEO_NAME)
    if video is None or session.files_dir is None or session.summary is None:
        return []
    picks = choose_key_rows(session.summary, frames, n)
    if not picks:
        return []
    thumbs = session.files_dir / THUMBS_DIR
    thumbs.mkdir(exist_ok=True)
    suffix = "_blur" if blur_faces else ""
    paths = {row: thumbs / f"key_{row:06d}{suffix}.jpg" for row, _c, _f in picks}
    missing = [row for row, p in paths.items() if not p.exists()]
    if missing:
        images = read_frames(video, missing)
        width = int((session.summary.get("video") or {}).get("width") or 0)
        stored = session.file(LANDMARKS_NAME)
        landmarks = None
        if stored is not None:
            with np.load(stored) as data:
                landmarks = data["xy"].astype(float)
        blur = None
        if blur_faces and images:
            width_px = next(iter(images.values())).shape[1]
            blur = FaceBlurrer(session.file(LANDMARKS_NAME), width_px, face_model)
        try:
            t = frames["t_s"].to_numpy(dtype=float)
            for row in sorted(images):
                image = images[row]
                scale = image.shape[1] / width if width else 1.0
                if blur is not None:
                    image = blur(image, row, float(t[row]))
                _write_jpeg(paths[row], _crop(image, _subject_box(row, frames, landmarks, scale)))
        finally:
            if blur is not None:
                blur.close()
    t = frames["t_s"].to_numpy(dtype=float)
    return [
        KeyFrame(row, float(t[row]), paths[row], caption, flagged)
        for row, caption, flagged in picks
        if paths[row].exists()
    ]


# -- the document -------------------------------------------------------------------------------
def _fonts() -> tuple[str, str]:
    """Register a Unicode TrueType font (degrees, dashes, accents): DejaVu Sans from
    matplotlib (a dependency of mediapipe), else Bitstream Vera shipped with reportlab."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "GaitlabSans" in pdfmetrics.getRegisteredFontNames():
        return "GaitlabSans", "GaitlabSans-Bold"
    candidates = []
    try:
        import matplotlib

        ttf = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
        candidates.append((ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf"))
    except ImportError:
        pass
    import reportlab

    rl = Path(reportlab.__file__).parent / "fonts"
    candidates.append((rl / "Vera.ttf", rl / "VeraBd.ttf"))
    for regular, bold in candidates:
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("GaitlabSans", str(regular)))
            pdfmetrics.registerFont(TTFont("GaitlabSans-Bold", str(bold)))
            from reportlab.lib.fonts import addMapping

            addMapping("GaitlabSans", 0, 0, "GaitlabSans")
            addMapping("GaitlabSans", 1, 0, "GaitlabSans-Bold")
            addMapping("GaitlabSans", 0, 1, "GaitlabSans")
            addMapping("GaitlabSans", 1, 1, "GaitlabSans-Bold")
            return "GaitlabSans", "GaitlabSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _local(dt: datetime | None) -> str:
    if dt is None:
        return "not recorded"
    return dt.astimezone().strftime("%-d %b %Y, %H:%M")


def _person_text(person: Person | None, recorded_at: datetime | None) -> str:
    if person is None:
        return "not given (saved without a person)"
    bits = [f"<b>{escape(person.name)}</b>"]
    if person.sex:
        bits.append(person.sex)
    if person.birth_year:
        year = (recorded_at or datetime.now()).year
        bits.append(f"born {person.birth_year} (about {year - person.birth_year} years)")
    if person.height_cm:
        bits.append(f"{person.height_cm:g} cm")
    if person.body_mass_kg:
        bits.append(f"{person.body_mass_kg:g} kg")
    return " · ".join(bits)


@dataclass
class _Sources:
    """Numbered sources, in order of first use."""

    items: list[str]

    def ref(self, text: str) -> str:
        parts = [s.strip() for s in re.split(r";\s+(?=[A-Z])", text) if s.strip()] if text else []
        nums = []
        for p in parts:
            if p not in self.items:
                self.items.append(p)
            nums.append(str(self.items.index(p) + 1))
        return f" <super>[{','.join(nums)}]</super>" if nums else ""


def render_report(
    out: str | os.PathLike[str],
    summary: dict[str, Any],
    *,
    person: Person | None = None,
    recorded_at: datetime | None = None,
    session_id: int | None = None,
    frames: pd.DataFrame | None = None,
    pictures: Sequence[KeyFrame] = (),
    thresholds: dict[str, Threshold] | None = None,
    notes: str | None = None,
) -> Path:
    """Write the PDF report of one analysis to ``out`` (atomically); returns its path."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from gaitlab.present.metrics import flag_rows, metric_rows

    thresholds = load_thresholds() if thresholds is None else thresholds
    regular, bold = _fonts()
    ink = colors.HexColor("#1d2731")
    muted = colors.HexColor("#5b6670")
    accent = colors.HexColor("#0b5563")
    warn = colors.HexColor("#b35900")
    rule_grey = colors.HexColor("#d5dade")
    base = ParagraphStyle(
        "base", fontName=regular, fontSize=8.6, leading=11.2, textColor=ink, alignment=TA_LEFT
    )
    small = ParagraphStyle("small", parent=base, fontSize=7.4, leading=9.4, textColor=muted)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10.2)
    cell_b = ParagraphStyle("cellb", parent=cell, fontName=bold)
    h1 = ParagraphStyle("h1", parent=base, fontName=bold, fontSize=17, leading=21, textColor=accent)
    h2 = ParagraphStyle(
        "h2",
        parent=base,
        fontName=bold,
        fontSize=10.5,
        leading=13,
        textColor=accent,
        spaceBefore=7,
        spaceAfter=3,
    )
    caption = ParagraphStyle("cap", parent=small, alignment=1)

    task = str(summary.get("task") or "")
    sex = person.sex if person else None
    sources = _Sources([])
    video = summary.get("video") or {}
    quality = summary.get("quality") or {}
    view = str(summary.get("view") or "unknown")
    story: list[Any] = []
    width = A4[0] - 32 * mm - 12  # the frame's own 6 pt padding on each side

    # Title and who/when/what.
    title = TASK_TITLES.get(task, task.replace("-", " ").capitalize() or "Movement")
    story.append(Paragraph(f"{escape(title)}: movement check from video", h1))
    story.append(
        Paragraph(
            f"gaitlab report{f' · session {session_id}' if session_id is not None else ''}",
            small,
        )
    )
    story.append(Spacer(1, 4 * mm))
    persons_seen = quality.get("persons_seen")
    detected = quality.get("detected_fraction")
    info_rows = [
        ("Person", _person_text(person, recorded_at)),
        ("Recorded", escape(_local(recorded_at))),
        (
            "Video",
            escape(
                f"{Path(str(video.get('path') or '')).name or 'live camera'} · "
                f"{float(video.get('duration_s') or 0):.1f} s · {video.get('frames', '?')} frames "
                f"at {float(video.get('fps') or 0):.1f} frames/s"
            ),
        ),
        (
            "Camera view",
            escape(VIEW_TEXT.get(view, view))
            + (f": suits {VIEW_MEASURES[view]}" if view in VIEW_MEASURES else ""),
        ),
        (
            "Tracking",
            (f"person found in {float(detected):.0%} of frames" if detected is not None else "")
            + (
                f"; {persons_seen} {'person' if persons_seen == 1 else 'people'} in view"
                if persons_seen is not None
                else ""
            ),
        ),
    ]
    if notes:
        info_rows.append(("Notes", escape(notes)))
    info = Table(
        [[Paragraph(k, cell_b), Paragraph(v, cell)] for k, v in info_rows],
        colWidths=[26 * mm, width - 26 * mm],
    )
    info.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(info)

    # Key frames.
    if pictures:
        flagged = any(p.flagged for p in pictures)
        story.append(
            Paragraph("Key moments" + (" (flagged)" if flagged else " (evenly spaced)"), h2)
        )
        n = len(pictures)
        gap = 3 * mm
        tile_w = min((width - gap * (MAX_KEY_FRAMES - 1)) / MAX_KEY_FRAMES, 44 * mm)
        tile_h = tile_w * TILE_H / TILE_W
        cells = [Image(str(p.path), width=tile_w, height=tile_h) for p in pictures]
        caps = [Paragraph(escape(p.caption), caption) for p in pictures]
        strip = Table([cells, caps], colWidths=[tile_w + gap] * n, hAlign="LEFT")
        strip.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(strip)
        story.append(
            Paragraph(
                "Pictures from the annotated video: the lines show the tracked hips, knees, "
                "ankles, heels and toes (left side blue, right side orange).",
                small,
            )
        )
    elif summary:
        story.append(Paragraph("Key moments", h2))
        story.append(Paragraph("No video was kept with this session.", small))

    # Measurements.
    rows = [r for r in metric_rows(summary, thresholds, sex) if not r["recording"]]
    measured = [r for r in rows if r["value"] != "not measured"]
    unmeasured = [r for r in rows if r["value"] == "not measured"]
    story.append(Paragraph("Measurements", h2))
    if measured:
        head = ["Measure", "Value", "Reference", "Check"]
        data: list[list[Any]] = [[Paragraph(h, cell_b) for h in head]]
        styles: list[tuple[Any, ...]] = []
        for i, r in enumerate(measured, start=1):
            label = r["measure"] + (f", {r['side']}" if r["side"] else "")
            ref = (
                escape(r["reference"]) + sources.ref(r["source"])
                if r["reference"]
                else "no reference"
            )
            check = CHECK_TEXT.get(r["verdict"], r["verdict"])
            data.append(
                [
                    Paragraph(escape(label), cell),
                    Paragraph(f"<b>{escape(r['value'])}</b>", cell),
                    Paragraph(ref, cell if r["reference"] else small),
                    Paragraph(escape(check), cell),
                ]
            )
            if r["verdict"] in ("flagged", "below range", "above range"):
                styles.append(("TEXTCOLOR", (3, i), (3, i), warn))
                styles.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fff4e5")))
        table = Table(
            data,
            colWidths=[54 * mm, 31 * mm, width - 54 * mm - 31 * mm - 31 * mm, 31 * mm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef1")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, rule_grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
                    *styles,
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("No measure could be taken from this recording.", base))
    if unmeasured:
        reasons = _group_reasons(list((summary.get("unavailable") or {}).values()))
        names = list(dict.fromkeys(r["measure"] for r in unmeasured))
        text = "<b>Not measured:</b> " + escape(", ".join(names)) + "."
        if reasons:
            text += " " + escape(". ".join(reasons)) + "."
        story.append(Spacer(1, 1.5 * mm))
        story.append(Paragraph(text, small))

    # Flags.
    frame_table = frames if frames is not None else pd.DataFrame({"frame": [], "t_s": []})
    flags = flag_rows(summary, frame_table, thresholds)
    story.append(Paragraph(f"Flags ({len(flags)})", h2))
    if not flags:
        story.append(
            Paragraph(
                "No flags: no measured value crossed its reference in this recording. "
                "Measures that the camera view could not support were not checked.",
                base,
            )
        )
    for i, f in enumerate(flags[:MAX_FLAGS], start=1):
        side = f", {f['side']}" if f.get("side") else ""
        limit = f" (reference {escape(f['threshold_text'])})" if f.get("threshold_text") else ""
        head = (
            f"<b>{i}. {escape(_rule_label(str(f['rule'])))}{escape(side)} at {escape(f['when'])}: "
            f"{escape(f['value_text'])}</b>{limit}"
        )
        body = escape(str(f.get("explanation") or f.get("message") or ""))
        src = sources.ref(str(f.get("source") or ""))
        story.append(
            KeepTogether([Paragraph(head + src, base), Paragraph(body, small), Spacer(1, 1.5 * mm)])
        )
    if len(flags) > MAX_FLAGS:
        story.append(
            Paragraph(f"… and {len(flags) - MAX_FLAGS} more (see the app or summary.json).", small)
        )

    # Other warnings about the recording (the view ones are said above already).
    said = set((summary.get("unavailable") or {}).values())
    other = [w for w in dict.fromkeys(quality.get("warnings") or []) if w not in said]
    if other:
        story.append(Paragraph("About this recording", h2))
        for w in other:
            story.append(Paragraph("• " + escape(w[0].upper() + w[1:]), base))

    # Caveats and sources.
    story.append(
        KeepTogether(
            [Paragraph("What one video can and cannot tell", h2), Paragraph(CAVEATS[0], small)]
        )
    )
    story += [Paragraph(c, small) for c in CAVEATS[1:]]
    if sources.items:
        story.append(Paragraph("Sources", h2))
        for k, s in enumerate(sources.items, start=1):
            story.append(Paragraph(f"[{k}] {escape(s)}", small))

    made = datetime.now().astimezone().strftime("%-d %b %Y %H:%M")
    footer_bits = [f"gaitlab {__version__}"]
    if session_id is not None:
        footer_bits.append(f"session {session_id}")
    if person is not None:
        footer_bits.append(person.name)
    footer_bits.append(f"made {made}")
    footer = " · ".join(footer_bits)

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.setFillColor(muted)
        canvas.drawString(16 * mm, 9 * mm, footer)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"page {doc.page}")
        canvas.drawString(
            16 * mm,
            5.5 * mm,
            "A screening aid from video, not a diagnosis. Everything stays on this computer.",
        )
        canvas.restoreState()

    out_path = Path(out)
    if not out_path.parent.is_dir():
        raise ReportError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    tmp = out_path.with_name(f".{out_path.name}.partial")
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"gaitlab report: {title}",
        author="gaitlab",
        subject=f"session {session_id}" if session_id is not None else "",
    )
    try:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
        os.replace(tmp, out_path)
    except OSError as err:
        raise ReportError(f"cannot write {out_path}: {err}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def _frames(session: Session) -> pd.DataFrame | None:
    path = session.file(FRAMES_NAME)
    return pd.read_csv(path) if path is not None else None


def write_report(
    store: Store,
    session_id: int | str,
    out: str | os.PathLike[str],
    *,
    blur_faces: bool = False,
    thresholds: dict[str, Threshold] | None = None,
    face_model: Callable[[], PeopleModel] | None = None,
) -> Path:
    """Write the PDF report of a saved analysis session; returns the path.

    ``face_model`` makes the pose model that finds faces to blur in a session without
    stored landmarks.

    Raises
    ------
    NotFoundError
        No such session.
    ReportError
        A programme session (nothing to report), or the file cannot be written.
    """
    session = store.session(session_id)
    if session.kind != "analysis" or session.summary is None:
        raise ReportError(
            f"session {session.id} is a {session.kind} session without an analysis: "
            "reports are made for analysed videos"
        )
    frames = _frames(session)
    pictures = (
        key_frames(session, frames, blur_faces=blur_faces, face_model=face_model)
        if frames is not None
        else []
    )
    return render_report(
        out,
        session.summary,
        person=session.person,
        recorded_at=session.recorded_at,
        session_id=session.id,
        frames=frames,
        pictures=pictures,
        thresholds=thresholds,
        notes=session.notes,
    )
