"""OpenSim marker files (``.trc``) from a result's ``frames.csv``.

A TRC file is tab-separated text: three header lines (file type; data rate, number of
frames and markers, units; the values of those), the marker names (each over three
columns), the ``X1 Y1 Z1 X2 …`` coordinate labels, a blank line, then one row per frame:
frame number (from 1), time in seconds, and X, Y, Z per marker. An empty field is a marker
not seen in that frame.

The landmarks come from one camera, so the coordinates lie in the image plane: X to the
right, Y up (image rows flipped, origin at the bottom-left corner of the frame) and Z = 0.
With the person's height known they are scaled from pixels to metres (see
:func:`scale_m_per_px`); otherwise they stay in pixels and the header says ``px``. Either
way they are 2D projections, not 3D positions: depth is lost, and a limb moving towards
the camera looks shorter.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gaitlab.core import anthropometry as anthro
from gaitlab.core.errors import GaitlabError
from gaitlab.core.landmarks import LOWER_LIMB, SIDES

#: TRC marker names of the frames.csv landmarks (``left_foot_index`` → ``LToe``).
MARKER_NAMES = {
    (side, part): ("L" if side == "left" else "R")
    + {"hip": "Hip", "knee": "Knee", "ankle": "Ankle", "heel": "Heel", "foot_index": "Toe"}[part]
    for side in SIDES
    for part in LOWER_LIMB
}

#: Thigh (hip to knee) and shank (knee to ankle) lengths as fractions of body height:
#: 0.245 and 0.246 (Winter, Biomechanics and Motor Control of Human Movement, 4th ed.
#: 2009, Fig. 4.1). Their sum stays the same when the knee bends, unlike hip-to-floor height.
THIGH_PLUS_SHANK_OF_HEIGHT = anthro.THIGH_PLUS_SHANK_OF_HEIGHT


class TrcError(GaitlabError):
    """A TRC file cannot be written or read."""


@dataclass(frozen=True)
class TrcData:
    """A TRC file's content: times, frame numbers, ``(T, 3)`` per marker, units, rate."""

    t_s: np.ndarray
    frame: np.ndarray
    markers: dict[str, np.ndarray]
    units: str
    data_rate_hz: float


def markers_from_frames(frames: pd.DataFrame) -> dict[str, np.ndarray]:
    """``(T, 2)`` pixel positions per TRC marker name from a frames.csv table."""
    out = {}
    for (side, part), name in MARKER_NAMES.items():
        cx, cy = f"{side}_{part}_x_px", f"{side}_{part}_y_px"
        if cx not in frames.columns or cy not in frames.columns:
            raise TrcError(f"frames.csv has no {cx}/{cy} columns: not a gaitlab frames table")
        out[name] = frames[[cx, cy]].to_numpy(dtype=float)
    return out


def scale_m_per_px(frames: pd.DataFrame, height_cm: float) -> float:
    """Metres per pixel from the person's height: the median over frames and both legs of
    thigh + shank length in pixels is :data:`THIGH_PLUS_SHANK_OF_HEIGHT` × height.

    Approximate: it assumes the legs are at about the same distance from the camera as the
    rest of the walk and are not foreshortened (best from a side view, walking across).

    Raises
    ------
    TrcError
        No frame with both legs' hip, knee and ankle.
    """
    m = markers_from_frames(frames)
    lengths = []
    for s in ("L", "R"):
        hip, knee, ankle = m[f"{s}Hip"], m[f"{s}Knee"], m[f"{s}Ankle"]
        lengths.append(np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1))
    leg_px = np.concatenate(lengths)
    leg_px = leg_px[np.isfinite(leg_px) & (leg_px > 0)]
    if leg_px.size == 0:
        raise TrcError("cannot scale to metres: no frame shows hip, knee and ankle")
    return THIGH_PLUS_SHANK_OF_HEIGHT * height_cm / 100.0 / float(np.median(leg_px))


def _data_rate(t_s: np.ndarray) -> float:
    dt = np.diff(t_s[np.isfinite(t_s)])
    dt = dt[dt > 0]
    return float(1.0 / np.median(dt)) if dt.size else 0.0


def _num(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.6f}".rstrip("0").rstrip(".")


def write_trc(
    path: str | os.PathLike[str],
    t_s: np.ndarray,
    markers: dict[str, np.ndarray],
    units: str,
) -> None:
    """Write ``markers`` (name → ``(T, 3)``, NaN = not seen) sampled at ``t_s`` seconds.

    ``DataRate`` is 1 / the median frame interval: phones record at a variable frame rate,
    so the Time column, not the rate, is the truth.
    """
    path = Path(path)
    t_s = np.asarray(t_s, dtype=float)
    n = len(t_s)
    for name, xyz in markers.items():
        if np.shape(xyz) != (n, 3):
            raise TrcError(f"marker {name}: expected ({n}, 3) coordinates, got {np.shape(xyz)}")
        if "\t" in name or not name:
            raise TrcError(f"marker name {name!r} is empty or has a tab")
    names = list(markers)
    rate = _data_rate(t_s)
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
        "OrigDataStartFrame\tOrigNumFrames",
        f"{rate:.4f}\t{rate:.4f}\t{n}\t{len(names)}\t{units}\t{rate:.4f}\t1\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1)),
        "",
    ]
    stacked = (
        np.concatenate([np.asarray(markers[k], float) for k in names], axis=1)
        if names
        else np.zeros((n, 0))
    )
    for i in range(n):
        row = [str(i + 1), f"{t_s[i]:.6f}"] + [_num(v) for v in stacked[i]]
        lines.append("\t".join(row))
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text("\n".join(lines) + "\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_trc(path: str | os.PathLike[str]) -> TrcData:
    """Read a TRC file written by :func:`write_trc` (or any plain X/Y/Z TRC file).

    Raises
    ------
    TrcError
        Not a TRC file.
    """
    try:
        lines = Path(path).read_text().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise TrcError(f"cannot read {path}: {err}") from None
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise TrcError(f"{path} is not a TRC file (no PathFileType header)")
    keys = lines[1].split("\t")
    values = lines[2].split("\t")
    header = dict(zip(keys, values, strict=False))
    names = [c for c in lines[3].split("\t")[2:] if c.strip()]
    rows = [ln.split("\t") for ln in lines[5:] if ln.strip()]
    width = 2 + 3 * len(names)
    data = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row[:width]):
            if cell.strip():
                data[i, j] = float(cell)
    return TrcData(
        t_s=data[:, 1],
        frame=data[:, 0].astype(int),
        markers={n: data[:, 2 + 3 * k : 5 + 3 * k] for k, n in enumerate(names)},
        units=header.get("Units", ""),
        data_rate_hz=float(header.get("DataRate", "nan")),
    )


@dataclass(frozen=True)
class TrcExport:
    """What :func:`frames_to_trc` wrote: units, metres per pixel (None in pixels), counts."""

    path: Path
    units: str
    m_per_px: float | None
    frames: int
    markers: int


def frames_to_trc(
    frames: pd.DataFrame | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    frame_height_px: float | None,
    height_cm: float | None = None,
) -> TrcExport:
    """Write the frames.csv landmarks as a TRC file.

    Parameters
    ----------
    frames
        The frames table or the path of frames.csv.
    out
        The .trc file to write.
    frame_height_px
        Height of the video frame in pixels (summary ``video.height``): Y is measured up
        from the bottom edge. None measures it up from the top edge (Y = -row).
    height_cm
        The person's height: coordinates in metres (see :func:`scale_m_per_px`); without
        it, in pixels (``Units px``).
    """
    if not isinstance(frames, pd.DataFrame):
        try:
            frames = pd.read_csv(frames)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise TrcError(f"cannot read frames table {frames}: {err}") from None
    if "t_s" not in frames.columns:
        raise TrcError("frames.csv has no t_s column: not a gaitlab frames table")
    px = markers_from_frames(frames)
    scale = scale_m_per_px(frames, height_cm) if height_cm else None
    s = scale if scale is not None else 1.0
    base = float(frame_height_px) if frame_height_px else 0.0
    markers = {}
    for name, xy in px.items():
        x = xy[:, 0] * s
        y = (base - xy[:, 1]) * s
        markers[name] = np.column_stack([x, y, np.where(np.isfinite(x + y), 0.0, np.nan)])
    units = "m" if scale is not None else "px"
    write_trc(out, frames["t_s"].to_numpy(dtype=float), markers, units)
    return TrcExport(Path(out), units, scale, len(frames), len(markers))
