"""Overlays: draw the subject's skeleton, live measure values and flag highlights on frames.

Annotators only draw: ``annotate(image, ...) -> image``. They never count, filter or decide;
the values they show come from :class:`~gaitlab.core.types.Signals` and flags computed upstream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from gaitlab.core.landmarks import SKELETON, Landmark
from gaitlab.core.types import Flag

# Colours are RGB (frames are RGB throughout gaitlab).
LEFT_COLOUR = (0, 200, 255)  # subject's left: cyan-blue
RIGHT_COLOUR = (255, 140, 0)  # subject's right: orange
CENTRE_COLOUR = (230, 230, 230)
OTHER_COLOUR = (150, 150, 150)
FLAG_COLOUR = (235, 40, 40)
TEXT_BG = (20, 20, 20)
#: Flagged text: the flag's red lightened, so thin strokes still read on the dark panel.
FLAG_TEXT_COLOUR = (255, 120, 120)

#: The overlay's text is sized for the review player, which shows a video this wide (px),
#: where a capital letter needs this height (px) to be read; OpenCV's simplex font draws a
#: capital this high at scale 1 (px). Text is never smaller than ``MIN_FONT_SCALE``.
PLAYER_WIDTH_PX = 400
READABLE_CAP_PX = 8.0
HERSHEY_CAP_PX = 22.0
MIN_FONT_SCALE = 0.4

#: Signals shown in the live panel, in order, with display labels.
#: Labels are short: the panel must stay small at the size its text can be read.
PANEL_SIGNALS: tuple[tuple[str, str, str], ...] = (
    ("fppa_left_deg", "FPPA L", "deg"),
    ("fppa_right_deg", "FPPA R", "deg"),
    ("pelvic_obliquity_deg", "Pelvis tilt", "deg"),
    ("knee_flexion_left_deg", "Knee bend L", "deg"),
    ("knee_flexion_right_deg", "Knee bend R", "deg"),
    ("heel_height_left_pct_foot", "Heel L", "% foot"),
    ("heel_height_right_pct_foot", "Heel R", "% foot"),
    ("rearfoot_left_deg", "Rearfoot L", "deg"),
    ("rearfoot_right_deg", "Rearfoot R", "deg"),
    ("trunk_lean_deg", "Trunk lean", "deg"),
)


def _edge_colour(a: Landmark, b: Landmark) -> tuple[int, int, int]:
    names = a.name + b.name
    if "LEFT" in names and "RIGHT" not in names:
        return LEFT_COLOUR
    if "RIGHT" in names and "LEFT" not in names:
        return RIGHT_COLOUR
    return CENTRE_COLOUR


@dataclass(frozen=True)
class Style:
    """Sizes scale with the frame: lines and dots with its shorter side, so the skeleton
    looks the same on 480p and 4K; text with its width, so it reads where the video is
    shown smallest (:data:`PLAYER_WIDTH_PX`) whatever the video's size."""

    thickness: int
    radius: int
    font_scale: float
    line_height: int
    text_thickness: int = 1

    @classmethod
    def for_frame(cls, width: int, height: int) -> Style:
        s = max(min(width, height) / 720.0, 0.45)
        font_scale = max(MIN_FONT_SCALE, READABLE_CAP_PX * width / PLAYER_WIDTH_PX / HERSHEY_CAP_PX)
        return cls(
            thickness=max(1, round(3 * s)),
            radius=max(2, round(5 * s)),
            font_scale=font_scale,
            line_height=max(12, round(38 * font_scale)),
            text_thickness=max(1, round(2.4 * font_scale)),
        )


def draw_skeleton(
    image: np.ndarray,
    xy: np.ndarray,
    *,
    colour: tuple[int, int, int] | None = None,
    style: Style | None = None,
) -> np.ndarray:
    """Draw one person's skeleton (``xy`` ``(33, 2)`` in the image's pixels; NaN skipped)."""
    h, w = image.shape[:2]
    style = style or Style.for_frame(w, h)
    for a, b in SKELETON:
        pa, pb = xy[a], xy[b]
        if not (np.isfinite(pa).all() and np.isfinite(pb).all()):
            continue
        cv2.line(
            image,
            (round(pa[0]), round(pa[1])),
            (round(pb[0]), round(pb[1])),
            colour or _edge_colour(a, b),
            style.thickness,
            cv2.LINE_AA,
        )
    for lm in Landmark:
        if lm < Landmark.LEFT_SHOULDER:
            continue
        p = xy[lm]
        if np.isfinite(p).all():
            c = colour or (LEFT_COLOUR if "LEFT" in lm.name else RIGHT_COLOUR)
            cv2.circle(image, (round(p[0]), round(p[1])), style.radius, c, -1, cv2.LINE_AA)
    return image


def draw_panel(
    image: np.ndarray,
    lines: Sequence[tuple[str, tuple[int, int, int]]],
    *,
    origin: tuple[int, int] = (10, 10),
    style: Style | None = None,
) -> np.ndarray:
    """Text lines on a translucent dark box at ``origin`` (top-left)."""
    if not lines:
        return image
    h, w = image.shape[:2]
    style = style or Style.for_frame(w, h)
    font = cv2.FONT_HERSHEY_SIMPLEX
    lines = [(hershey_text(t), c) for t, c in lines]
    widths = [
        cv2.getTextSize(t, font, style.font_scale, style.text_thickness)[0][0] for t, _ in lines
    ]
    x0, y0 = origin
    x1 = min(w, x0 + max(widths) + 16)
    y1 = min(h, y0 + style.line_height * len(lines) + 10)
    roi = image[y0:y1, x0:x1]
    roi[:] = (roi * 0.35 + np.array(TEXT_BG) * 0.65).astype(np.uint8)
    for i, (text, colour) in enumerate(lines):
        y = y0 + 5 + style.line_height * (i + 1) - style.line_height // 4
        cv2.putText(
            image, text, (x0 + 8, y), font, style.font_scale, colour, style.text_thickness,
            cv2.LINE_AA,
        )  # fmt: skip
    return image


def panel_lines(
    values: dict[str, float], flagged: set[str], header: str
) -> list[tuple[str, tuple[int, int, int]]]:
    """Format the live-values panel; signals named in ``flagged`` are shown in the flag colour."""
    lines: list[tuple[str, tuple[int, int, int]]] = [(header, (255, 255, 255))]
    for name, label, unit in PANEL_SIGNALS:
        v = values.get(name)
        if v is None or not np.isfinite(v):
            continue
        colour = FLAG_TEXT_COLOUR if name in flagged else (235, 235, 235)
        lines.append((f"{label}: {v:5.1f} {unit}", colour))
    shown = {name for name, _, _ in PANEL_SIGNALS}
    for name in sorted(flagged - shown):  # a task signal that crossed a threshold here
        v = values.get(name)
        if v is not None and np.isfinite(v):
            lines.append((f"{_label_of(name)}: {v:5.1f}", FLAG_TEXT_COLOUR))
    return lines


def _label_of(name: str) -> str:
    """``foot_angle_left_deg`` -> ``foot angle left (deg)`` for signals without a label."""
    *words, unit = name.split("_")
    return f"{' '.join(words)} ({unit})"


def annotate_frame(
    image: np.ndarray,
    *,
    subject_xy: np.ndarray | None,
    values: dict[str, float],
    t_s: float,
    view: str,
    active_flags: Sequence[Flag] = (),
    others_xy: Sequence[np.ndarray] = (),
    scale: float = 1.0,
) -> np.ndarray:
    """Draw the subject, bystanders, the measures panel and any active flags.

    ``subject_xy`` / ``others_xy`` are in original-frame pixels; ``scale`` maps them onto
    ``image`` (which may be a downscaled frame). Returns a new image.
    """
    out = image.copy()
    h, w = out.shape[:2]
    style = Style.for_frame(w, h)
    for other in others_xy:
        draw_skeleton(out, other * scale, colour=OTHER_COLOUR, style=style)
    if subject_xy is not None:
        draw_skeleton(out, subject_xy * scale, style=style)
    header = f"t {t_s:6.2f} s  view: {view}"
    draw_panel(out, panel_lines(values, _flagged_signals(active_flags), header), style=style)
    if active_flags:
        cv2.rectangle(out, (0, 0), (w - 1, h - 1), FLAG_COLOUR, max(4, style.thickness * 2))
        msgs = [
            (line, FLAG_TEXT_COLOUR)
            for f in active_flags[:3]
            for line in wrap_text(f"! {f.message}", w - 40, style)
        ]
        y = h - style.line_height * (len(msgs) + 1)
        draw_panel(out, msgs, origin=(10, max(0, y)), style=style)
    if subject_xy is None or not np.isfinite(subject_xy).any():
        not_seen = [("subject not detected", FLAG_TEXT_COLOUR)]
        draw_panel(out, not_seen, origin=(10, h // 2), style=style)
    return out


def hershey_text(text: str) -> str:
    """OpenCV's Hershey fonts draw ASCII only: spell out the symbols gaitlab uses."""
    return (
        text.replace("°", " deg")
        .replace("–", "-")
        .replace("—", "-")
        .replace("→", "->")
        .replace("×", "x")
        .replace("±", "+/-")
        .encode("ascii", "replace")
        .decode()
    )


def wrap_text(text: str, max_width_px: int, style: Style) -> list[str]:
    """Split ``text`` into lines that fit ``max_width_px`` in the panel font."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    lines: list[str] = []
    current = ""
    for word in hershey_text(text).split():
        candidate = f"{current} {word}".strip()
        size = cv2.getTextSize(candidate, font, style.font_scale, style.text_thickness)[0]
        if current and size[0] > max_width_px:
            lines.append(current)
            current = "  " + word
        else:
            current = candidate if not current.startswith("  ") else f"{current} {word}"
    if current:
        lines.append(current)
    return lines


def _flagged_signals(flags: Sequence[Flag]) -> set[str]:
    """Signal names to highlight for the active flags."""
    return {f.signal for f in flags if f.signal}
