"""The report's "Notes and annotations": the notes written on the session and its moments,
the angles drawn on frames with each one's picture (the frame with the angle drawn on it),
who wrote each and when.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import cv2
import numpy as np
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from gaitlab.io.export import VIDEO_NAME
from gaitlab.io.video import read_frames
from gaitlab.render.blur import FaceBlurrer, PeopleModel
from gaitlab.report.keyframes import write_jpeg
from gaitlab.report.styles import RULE_GREY, Styles
from gaitlab.store import LANDMARKS_NAME, THUMBS_DIR, Annotation, Session

#: Width of an angle's picture (pixels of the JPEG).
PICTURE_W = 640
#: Angle pictures in the report at most (the rest are listed without one).
MAX_PICTURES = 6
#: The drawn angle: yellow on the video's colours, as the player draws saved angles.
ANGLE_RGB = (255, 212, 0)
REFERENCE_RGB = (255, 255, 255)


def what(a: Annotation) -> str:
    """``Angle 121.3°`` / ``Line 4.0° from vertical`` / ``Note``."""
    if a.kind == "angle":
        return f"Angle {a.angle_deg:.1f}° at the middle point"
    if a.kind == "line":
        return f"Line {a.angle_deg:.1f}° from the {a.reference}"
    return "Note"


def _when(a: Annotation) -> str:
    return "whole session" if a.t_s is None else f"at {a.t_s:.2f} s"


def _byline(a: Annotation) -> str:
    made = a.created_at.astimezone().strftime("%-d %b %Y %H:%M")
    edited = " (edited)" if a.edited_at else ""
    return f"{a.author}, {made}{edited}" if a.author else f"{made}{edited}"


# -- pictures -------------------------------------------------------------------------------------
def draw_angle(image: np.ndarray, a: Annotation) -> np.ndarray:
    """``image`` (RGB) with the annotation's points, lines, reference and angle drawn on it."""
    out = image.copy()
    h, w = out.shape[:2]
    px = [(round(x * w), round(y * h)) for x, y in a.points]
    thick = max(2, round(w / 300))
    if a.kind == "line" and len(px) == 2:  # the dashed reference through the first point
        length = math.dist(px[0], px[1])
        if a.reference == "vertical":
            end = (px[0][0], round(px[0][1] + math.copysign(length, px[1][1] - px[0][1])))
        else:
            end = (round(px[0][0] + math.copysign(length, px[1][0] - px[0][0])), px[0][1])
        n = 12
        for i in range(0, n, 2):
            a0 = (px[0][0] + (end[0] - px[0][0]) * i / n, px[0][1] + (end[1] - px[0][1]) * i / n)
            a1 = (
                px[0][0] + (end[0] - px[0][0]) * (i + 1) / n,
                px[0][1] + (end[1] - px[0][1]) * (i + 1) / n,
            )
            cv2.line(out, tuple(map(round, a0)), tuple(map(round, a1)), REFERENCE_RGB, thick)
    for p, q in zip(px, px[1:], strict=False):
        cv2.line(out, p, q, ANGLE_RGB, thick, cv2.LINE_AA)
    for p in px:
        cv2.circle(out, p, thick * 3, ANGLE_RGB, -1, cv2.LINE_AA)
    text = f"{a.angle_deg:.1f} deg"
    scale = max(0.6, w / 900)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    at = px[1] if a.kind == "angle" else px[0]
    x = min(max(4, at[0] + thick * 6), w - tw - 8)
    y = min(max(th + 8, at[1] - thick * 6), h - 8)
    cv2.rectangle(out, (x - 4, y - th - 6), (x + tw + 4, y + 6), (0, 0, 0), -1)
    cv2.putText(out, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, ANGLE_RGB, thick, cv2.LINE_AA)
    return out


def _picture_name(a: Annotation, blur: bool) -> str:
    drawn = json.dumps([a.frame, a.geometry, a.angle_deg], sort_keys=True)
    tag = hashlib.sha256(drawn.encode()).hexdigest()[:10]
    return f"angle_{a.frame:06d}_{tag}{'_blur' if blur else ''}.jpg"


def angle_pictures(
    session: Session,
    annotations: Sequence[Annotation],
    *,
    blur_faces: bool = False,
    face_model: Callable[[], PeopleModel] | None = None,
) -> dict[int, Path]:
    """A JPEG of each drawn angle's frame of the annotated video with the angle on it, by
    annotation id (at most :data:`MAX_PICTURES`), cached in the session's ``thumbs/``."""
    video = session.file(VIDEO_NAME)
    drawn = [a for a in annotations if a.points and a.frame is not None][:MAX_PICTURES]
    if video is None or session.files_dir is None or not drawn:
        return {}
    thumbs = session.files_dir / THUMBS_DIR
    thumbs.mkdir(exist_ok=True)
    paths = {a.id: thumbs / _picture_name(a, blur_faces) for a in drawn}
    todo = [a for a in drawn if not paths[a.id].exists()]
    if todo:
        images = read_frames(video, sorted({int(a.frame or 0) for a in todo}))
        blur = None
        if blur_faces and images:
            width_px = next(iter(images.values())).shape[1]
            blur = FaceBlurrer(session.file(LANDMARKS_NAME), width_px, face_model)
        try:
            for a in todo:
                image = images.get(int(a.frame or 0))
                if image is None:
                    continue
                if blur is not None:
                    image = blur(image, int(a.frame or 0), float(a.t_s or 0.0))
                scale = PICTURE_W / image.shape[1]
                size = (PICTURE_W, round(image.shape[0] * scale))
                small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
                write_jpeg(paths[a.id], draw_angle(small, a))
        finally:
            if blur is not None:
                blur.close()
    return {i: p for i, p in paths.items() if p.exists()}


# -- the section ----------------------------------------------------------------------------------
def notes_section(
    annotations: Sequence[Annotation], pictures: dict[int, Path], st: Styles, width: float
) -> list[Any]:
    """The notes and drawn angles, session notes first then by time, each with who wrote it
    and when; a drawn angle's picture beside it (nothing when there are none)."""
    if not annotations:
        return []
    out: list[Any] = [Paragraph(f"Notes and annotations ({len(annotations)})", st.h2)]
    pic_w = 52 * mm
    for a in annotations:
        head = f"<b>{escape(what(a))}</b>, {escape(_when(a))}"
        lines = [Paragraph(head, st.base)]
        if a.text:
            lines.append(Paragraph(escape(a.text).replace("\n", "<br/>"), st.base))
        lines.append(Paragraph(escape(_byline(a)), st.small))
        path = pictures.get(a.id)
        if path is None:
            out.append(KeepTogether([*lines, Spacer(1, 1.5 * mm)]))
            continue
        h, w = _size(path)
        image = Image(str(path), width=pic_w, height=pic_w * h / w)
        row = Table([[image, lines]], colWidths=[pic_w + 4 * mm, width - pic_w - 4 * mm])
        row.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE_GREY),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        out.append(row)
        out.append(Spacer(1, 1.5 * mm))
    out.append(
        Paragraph(
            "Angles were drawn by hand on a frame of the annotated video and measured in its "
            "pixels: a camera not square to the body shortens what it sees, so they are "
            "screening aids, not goniometer readings.",
            st.small,
        )
    )
    return out


def _size(path: Path) -> tuple[int, int]:
    image = cv2.imread(str(path))
    return (image.shape[0], image.shape[1]) if image is not None else (3, 4)
