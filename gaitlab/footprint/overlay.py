"""Drawing of what was measured on the analysed photo."""

from __future__ import annotations

import cv2
import numpy as np

from gaitlab.footprint.result import FootprintResult, Point, SheetResult
from gaitlab.render.overlay import hershey_text

_COL = {
    "outline": (60, 200, 60),
    "toes": (150, 150, 150),
    "axis": (230, 140, 20),
    "thirds": (0, 200, 255),
    "forefoot": (200, 60, 220),
    "midfoot": (40, 40, 230),
    "heel": (200, 60, 220),
    "text": (255, 255, 255),
    "panel": (40, 40, 40),
}


def _ipt(p: Point) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def render_overlay(image: np.ndarray, result: FootprintResult | SheetResult) -> np.ndarray:
    """Draw each foot's outline, excluded toes, axis, thirds and the three widths, with the
    index values, on a copy of ``image`` (BGR, the photo that was analysed)."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    feet = result.feet if isinstance(result, SheetResult) else (result,)
    if img.shape[1] != result.image_size[0] or img.shape[0] != result.image_size[1]:
        raise ValueError(
            f"image: expected the analysed photo's size {result.image_size}, "
            f"got {(img.shape[1], img.shape[0])}"
        )
    out = img.copy()
    h, w = out.shape[:2]
    th = max(2, round(max(h, w) / 600))
    fs = max(0.5, max(h, w) / 1800)
    lines = []
    for k, foot in enumerate(feet):
        name = _foot_name(foot, k, len(feet))
        _draw_foot(out, foot, th, fs, name if len(feet) > 1 else None)
        lines += _foot_lines(foot, name if len(feet) > 1 else None)
    if isinstance(result, SheetResult) and result.difference is not None:
        d = result.difference
        lines.append(
            f"left - right: arch index {d['arch_index']:+.3f}, "
            f"CSI {d['chippaux_smirak_index']:+.3f}"
        )
    c = feet[0].cutoffs["arch_index"]
    lines.append(
        f"high <= {c['high_arch_at_or_below']}  collapsed >= {c['collapsed_at_or_above']}"
        + (" (provisional)" if c.get("provisional") else "")
    )
    lines.append("A/B/C widths, lines: thirds; screening only")
    _panel(out, lines, fs, th, feet)
    return out


def _foot_name(foot: FootprintResult, k: int, n: int) -> str:
    if foot.side:
        return f"{foot.side.upper()[0]}"
    return f"{k + 1}" if n > 1 else "?"


def _foot_lines(foot: FootprintResult, name: str | None) -> list[str]:
    tag = f"{name}: " if name else ""
    how = {"detected": " (detected)", "position": " (by position)", "paired": " (the other)"}
    return [
        f"{tag}arch index {foot.arch_index:.3f}  ->  {foot.arch_type} arch",
        f"{tag}Chippaux-Smirak B/A {foot.chippaux_smirak_index:.3f}, "
        f"Staheli B/C {foot.staheli_index:.3f}",
        f"{tag}foot: {foot.side or 'unknown (say which)'}" + how.get(foot.side_source, ""),
    ]


def _draw_foot(
    out: np.ndarray, result: FootprintResult, th: int, fs: float, name: str | None
) -> None:
    pieces = np.split(result.outline, np.flatnonzero(np.isnan(result.outline[:, 0])))
    for p in pieces:
        p = p[~np.isnan(p[:, 0])]
        if len(p) > 2:
            cv2.polylines(
                out, [np.round(p).astype(np.int32)], True, _COL["outline"], th, cv2.LINE_AA
            )
    for t in result.toes:
        cv2.polylines(out, [np.round(t).astype(np.int32)], True, _COL["toes"], th, cv2.LINE_AA)
        c, d = t.mean(axis=0), 4 * th
        for sx in (-1, 1):  # a cross: excluded from the measures
            cv2.line(
                out, _ipt(c - (d, sx * d)), _ipt(c + (d, sx * d)), _COL["toes"], th, cv2.LINE_AA
            )
    for a, b in result.thirds:
        cv2.line(out, _ipt(a), _ipt(b), _COL["thirds"], th, cv2.LINE_AA)
    a, b = result.axis
    cv2.line(out, _ipt(a), _ipt(b), _COL["axis"], th, cv2.LINE_AA)
    cv2.circle(out, _ipt(a), 3 * th, _COL["axis"], -1, cv2.LINE_AA)
    cv2.circle(out, _ipt(b), 3 * th, _COL["axis"], -1, cv2.LINE_AA)
    for key, tag in (("forefoot", "A"), ("midfoot", "B"), ("heel", "C")):
        mw = result.widths[key]
        p, q = mw.segment
        cv2.line(out, _ipt(p), _ipt(q), _COL[key], th + 1, cv2.LINE_AA)
        for e in (p, q):
            cv2.circle(out, _ipt(e), 2 * th, _COL[key], -1, cv2.LINE_AA)
        end = p if key == "midfoot" else q  # B on the other side: it is often close to C
        _label(out, tag, (end[0] + 4 * th, end[1]), fs * 1.1, _COL[key], th)
    if name is not None:
        heel = np.array(result.axis[0])
        back = heel - 0.25 * (np.array(result.axis[1]) - heel)
        _label(out, name, (back[0] - 6 * th, back[1] + 6 * th), fs * 2.0, _COL["text"], th + 1)


def _label(img: np.ndarray, text: str, org: Point, fs: float, color, th: int) -> None:
    o = _ipt(org)
    text = hershey_text(text)
    cv2.putText(img, text, o, cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), th + 2, cv2.LINE_AA)
    cv2.putText(img, text, o, cv2.FONT_HERSHEY_SIMPLEX, fs, color, th, cv2.LINE_AA)


def _panel(
    img: np.ndarray, lines: list[str], fs: float, th: int, feet: tuple[FootprintResult, ...]
) -> None:
    h, w = img.shape[:2]
    lines = [hershey_text(s) for s in lines]
    sizes = [cv2.getTextSize(s, cv2.FONT_HERSHEY_SIMPLEX, fs, 1)[0] for s in lines]
    lh = int(max(s[1] for s in sizes) * 1.8)
    pw = max(s[0] for s in sizes) + 2 * lh // 2
    ph = lh * len(lines) + lh // 2
    pts = np.concatenate(
        [p for f in feet for p in (f.outline[~np.isnan(f.outline[:, 0])], *f.toes)]
    )
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    best, best_overlap = (8, 8), float("inf")
    for cx, cy in ((8, 8), (w - pw - 8, 8), (8, h - ph - 8), (w - pw - 8, h - ph - 8)):
        ox = max(0.0, min(cx + pw, x1) - max(cx, x0))
        oy = max(0.0, min(cy + ph, y1) - max(cy, y0))
        if ox * oy < best_overlap:
            best, best_overlap = (cx, cy), ox * oy
    cx, cy = max(0, best[0]), max(0, best[1])
    roi = img[cy : cy + ph, cx : cx + pw]
    roi[:] = (0.35 * roi + 0.65 * np.array(_COL["panel"])).astype(np.uint8)
    for i, s in enumerate(lines):
        cv2.putText(
            img,
            s,
            (cx + lh // 2, cy + lh * (i + 1)),
            cv2.FONT_HERSHEY_SIMPLEX,
            fs,
            _COL["text"],
            max(1, th // 2),
            cv2.LINE_AA,
        )
