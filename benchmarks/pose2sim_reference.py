"""A 3D reference for balance from the pose2sim four-camera trial, and gaitlab against it.

The trial (tests/data/pose2sim, BSD-3, from the pose2sim package): one barefoot man stands on
his left leg while his right leg swings out to the side, filmed at 60 fps by four calibrated,
synchronised cameras (front, back, two obliques). The pose model's landmarks of the four
views are triangulated with the Qualisys calibration (Calib.qca.txt) into 3D; in 3D the
pelvic obliquity, the frontal-plane projection angle (FPPA) of each knee and the lift-off /
touch-down of the right foot need no view and suffer no perspective. gaitlab's own numbers
from the front view alone and from the back view alone are then compared with them.

Conventions checked here (printed): the .qca ``transform`` is the camera's pose in the world
(rotation rows r11…r33 and position x, y, z in mm, world z up), its optical axis the camera's
-z with y up, so world→camera (OpenCV) is ``R = diag(1, -1, -1) · M``, ``t = -R · C`` (as
pose2sim's ``calib_qca_fun``); intrinsics in 1/64 px. A wrong choice (e.g. ``M`` transposed)
gives reprojection errors of ~300 px instead of ~10–20 px.

Run::

    python benchmarks/pose2sim_reference.py              # poses the four clips (~1 min)
    python benchmarks/pose2sim_reference.py --people DIR # pickled PeopleTracks pose2sim_camNN.pkl
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import pickle
import sys
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaitlab.core.geometry import fppa_deg
from gaitlab.core.landmarks import Landmark
from gaitlab.pipeline import Analysis, AnalyzeOptions, analyze_people, analyze_video

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "pose2sim"
CAMS = ("cam01", "cam02", "cam03", "cam04")
FPS = 60.0
#: Landmarks triangulated: shoulders down to the toes.
BODY = tuple(range(int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_FOOT_INDEX) + 1))
LEG_L = [int(Landmark[f"LEFT_{p}"]) for p in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
LEG_R = [int(Landmark[f"RIGHT_{p}"]) for p in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
#: The right foot is off the floor while its lowest landmark is this far (m) above the level
#: it stands at before and after (its landmarks jitter by ~1 cm in 3D).
LIFT_M = 0.03


@dataclass(frozen=True)
class CalibratedCamera:
    """One camera: intrinsics ``k``, distortion ``dist`` (k1, k2, p1, p2), world→camera
    rotation ``r`` and translation ``t`` (metres), and its position in the world."""

    name: str
    k: np.ndarray
    dist: np.ndarray
    r: np.ndarray
    t: np.ndarray

    @property
    def centre(self) -> np.ndarray:
        return -self.r.T @ self.t

    def project(self, x: np.ndarray) -> np.ndarray:
        """World points ``(..., 3)`` → pixels ``(..., 2)`` (with distortion)."""
        import cv2

        pts = np.asarray(x, dtype=float).reshape(-1, 3)
        out = np.full((len(pts), 2), np.nan)
        ok = np.isfinite(pts).all(axis=1)
        if ok.any():
            rvec = cv2.Rodrigues(self.r)[0]
            proj, _ = cv2.projectPoints(pts[ok], rvec, self.t, self.k, self.dist)
            out[ok] = proj.reshape(-1, 2)
        return out.reshape(*np.shape(x)[:-1], 2)

    def normalised(self, px: np.ndarray) -> np.ndarray:
        """Pixels ``(..., 2)`` → undistorted normalised image coordinates."""
        import cv2

        pts = np.asarray(px, dtype=float).reshape(-1, 1, 2)
        und = cv2.undistortPoints(pts, self.k, self.dist)
        return und.reshape(np.shape(px))


def read_qca(path: Path) -> dict[str, CalibratedCamera]:
    """The cameras of a Qualisys ``.qca.txt`` file (conventions: the module's docstring)."""
    cams = {}
    for cam in ET.parse(path).getroot().findall("cameras/camera"):
        tr, it, fov = (cam.find(k).attrib for k in ("transform", "intrinsic", "fov_video"))
        m = np.array([[float(tr[f"r{i}{j}"]) for j in (1, 2, 3)] for i in (1, 2, 3)])
        centre = np.array([float(tr[a]) for a in "xyz"]) / 1000.0
        k = np.array(
            [
                [
                    float(it["focalLengthU"]) / 64,
                    0.0,
                    float(it["centerPointU"]) / 64 - float(fov["left"]),
                ],
                [
                    0.0,
                    float(it["focalLengthV"]) / 64,
                    float(it["centerPointV"]) / 64 - float(fov["top"]),
                ],
                [0.0, 0.0, 1.0],
            ]
        )
        keys = (
            "radialDistortion1",
            "radialDistortion2",
            "tangentalDistortion1",
            "tangentalDistortion2",
        )
        dist = np.array([float(it[key]) for key in keys]) / 64.0  # as pose2sim reads them
        r = np.diag([1.0, -1.0, -1.0]) @ m
        cams[cam.attrib["serial"]] = CalibratedCamera(cam.attrib["serial"], k, dist, r, -r @ centre)
    return cams


def _dlt(norm: list[np.ndarray], projs: list[np.ndarray]) -> np.ndarray:
    """Linear triangulation of ``(T, L, 2)`` normalised points seen by several cameras
    (``projs``: their ``3 × 4`` matrices) into ``(T, L, 3)``; a view that misses a point
    gives no equations; fewer than two views, NaN."""
    rows = []
    for uv, p in zip(norm, projs, strict=True):
        ok = np.isfinite(uv).all(axis=-1)[..., None]
        u, v = uv[..., :1], uv[..., 1:]
        rows.append(np.where(ok, u * p[2] - p[0], 0.0))
        rows.append(np.where(ok, v * p[2] - p[1], 0.0))
    a = np.stack(rows, axis=-2)  # (T, L, 2V, 4)
    _, _, vt = np.linalg.svd(a)
    xh = vt[..., -1, :]
    views = sum(np.isfinite(uv).all(axis=-1).astype(int) for uv in norm)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = xh[..., :3] / xh[..., 3:]
    x[views < 2] = np.nan
    return x


def triangulate(
    xy: dict[str, np.ndarray], cams: dict[str, CalibratedCamera]
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """3D landmarks ``(T, 33, 3)`` from every view's ``(T, 33, 2)`` pixels (NaN = unseen).

    The pose model sometimes labels the legs the wrong way round in one view; for each frame
    every combination of swapped / kept legs over the views is tried and the one with the
    smallest reprojection error of the legs kept (ties: fewer swaps). Returns the points, the
    per-view reprojection errors ``(T, 33)`` in pixels, and ``(T, n_views)`` swap flags.
    """
    names = [n for n in CAMS if n in xy]
    projs = [np.hstack([cams[n].r, cams[n].t[:, None]]) for n in names]
    swap_idx = np.arange(33)
    swap_idx[LEG_L], swap_idx[LEG_R] = LEG_R, LEG_L
    views = {n: (xy[n], xy[n][:, swap_idx]) for n in names}  # kept, swapped
    norm = {n: tuple(cams[n].normalised(v) for v in views[n]) for n in names}
    combos = list(itertools.product((0, 1), repeat=len(names)))
    legs = LEG_L + LEG_R
    errs = []
    for combo in combos:
        x = _dlt([norm[n][sw][:, legs] for n, sw in zip(names, combo, strict=True)], projs)
        e = sum(
            np.nansum(np.linalg.norm(cams[n].project(x) - views[n][sw][:, legs], axis=-1), axis=1)
            for n, sw in zip(names, combo, strict=True)
        )
        errs.append(e + 1e-9 * sum(combo))  # ties (a global relabelling): fewer swaps
    best = np.argmin(np.stack(errs, axis=1), axis=1)  # (T,)
    swaps = np.array([combos[k] for k in best], dtype=bool)
    chosen = {
        n: np.where(swaps[:, k, None, None], views[n][1], views[n][0]) for k, n in enumerate(names)
    }
    x = np.full((len(best), 33, 3), np.nan)
    body = list(BODY)
    x[:, body] = _dlt([cams[n].normalised(chosen[n])[:, body] for n in names], projs)
    errors = {n: np.linalg.norm(cams[n].project(x) - chosen[n], axis=-1) for n in names}
    return x, errors, swaps


def _frontal(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame the subject's left (horizontal, from the right hip to the left one) and up."""
    lr = x[:, int(Landmark.LEFT_HIP)] - x[:, int(Landmark.RIGHT_HIP)]
    lr[:, 2] = 0.0
    left = lr / np.linalg.norm(lr, axis=1, keepdims=True)
    up = np.broadcast_to(np.array([0.0, 0.0, 1.0]), left.shape)
    return left, up


def frontal_measures(x: np.ndarray) -> dict[str, np.ndarray]:
    """Pelvic obliquity and each knee's FPPA in the subject's own frontal plane (degrees,
    gaitlab's signs: obliquity + when the left hip is lower; FPPA + valgus)."""
    left, up = _frontal(x)

    def plane(p: np.ndarray) -> np.ndarray:  # 2D: x = towards the subject's left, y = down
        return np.stack([np.sum(p * left, axis=1), -np.sum(p * up, axis=1)], axis=1)

    lh, rh = x[:, int(Landmark.LEFT_HIP)], x[:, int(Landmark.RIGHT_HIP)]
    d = plane(lh) - plane(rh)
    out = {"pelvic_obliquity_deg": np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))}
    for side, other in (("left", "right"), ("right", "left")):
        hip, knee, ankle = (
            plane(x[:, int(Landmark[f"{side.upper()}_{p}"])]) for p in ("HIP", "KNEE", "ANKLE")
        )
        medial = plane(x[:, int(Landmark[f"{other.upper()}_HIP"])]) - hip
        out[f"fppa_{side}_deg"] = fppa_deg(hip, knee, ankle, medial)
    return out


def foot_events(x: np.ndarray, fps: float = FPS) -> tuple[float, float, np.ndarray]:
    """Lift-off and touch-down (s) of the right foot in 3D: its lowest landmark above the
    level it stands at (the median of the first and last 10 frames) by more than
    :data:`LIFT_M`, the longest such stretch. Also returns that height per frame (m)."""
    feet = x[
        :, [int(Landmark.RIGHT_ANKLE), int(Landmark.RIGHT_HEEL), int(Landmark.RIGHT_FOOT_INDEX)], 2
    ]
    low = np.nanmin(feet, axis=1)
    floor = np.nanmedian(np.concatenate([low[:10], low[-10:]]))
    up = (low - floor) > LIFT_M
    best, start = (0, 0), None
    for i, u in enumerate(np.append(up, False)):
        if u and start is None:
            start = i
        elif not u and start is not None:
            best = max(best, (i - start, start))
            start = None
    length, first = best
    return first / fps, (first + length) / fps, low - floor


def camera_bearings(cams: dict[str, CalibratedCamera], x: np.ndarray) -> dict[str, float]:
    """Each camera's bearing around the subject (degrees): 0 in front, 180 behind, + on the
    subject's left, from the mean pelvis and the mean of the hip and shoulder lines (the
    pelvis alone turns with the swing of the leg)."""
    lines = []
    for a, b in (("LEFT_HIP", "RIGHT_HIP"), ("LEFT_SHOULDER", "RIGHT_SHOULDER")):
        d = x[:, int(Landmark[a])] - x[:, int(Landmark[b])]
        d[:, 2] = 0.0
        lines.append(d / np.linalg.norm(d, axis=1, keepdims=True))
    lf = np.nanmean(np.concatenate(lines), axis=0)
    lf /= np.linalg.norm(lf)
    f = np.cross(lf, np.array([0.0, 0.0, 1.0]))  # left × up = forward
    pelvis = np.nanmean((x[:, int(Landmark.LEFT_HIP)] + x[:, int(Landmark.RIGHT_HIP)]) / 2, axis=0)
    out = {}
    for n, c in cams.items():
        d = c.centre - pelvis
        out[n] = round(math.degrees(math.atan2(float(d @ lf), float(d @ f))), 1)
    return out


def analyses(people_dir: Path | None, videos: Path) -> dict[str, Analysis]:
    """gaitlab's balance analysis of each view (posed here unless pickled tracks are given)."""
    opts = AnalyzeOptions(task="balance", write_video=False)
    out = {}
    for n in CAMS:
        if people_dir is not None:
            people = pickle.loads((people_dir / f"pose2sim_{n}.pkl").read_bytes())
            out[n] = analyze_people(people, opts, source=n)
        else:
            out[n] = analyze_video(videos / f"{n}.mp4", options=opts)
    return out


def _hold(a: Analysis) -> dict | None:
    left = [r for r in a.reps if r["stance_leg"] == "left"]
    return max(left, key=lambda r: r["hold_s"]) if left else None


def mirrored_hips(a: Analysis, cam: CalibratedCamera, x: np.ndarray) -> np.ndarray:
    """Frames where the view's cleaned pose has the hips the wrong way round: its left hip on
    the image side of the reference's right hip (the pose model mirrored the whole body and
    only the legs were swapped back)."""
    lh, rh = (cam.project(x[:, int(Landmark[h])]) for h in ("LEFT_HIP", "RIGHT_HIP"))
    ref_sign = np.sign(lh[:, 0] - rh[:, 0])
    xy = a.pose.xy[: len(x)]
    mine = np.sign(xy[:, int(Landmark.LEFT_HIP), 0] - xy[:, int(Landmark.RIGHT_HIP), 0])
    return (mine * ref_sign) < 0


def _stats(mine: np.ndarray, ref: np.ndarray, sel: np.ndarray) -> dict:
    diff = mine[sel] - ref[sel]
    return {
        "frames": int(sel.sum()),
        "gaitlab_mean": round(float(np.mean(mine[sel])), 2),
        "reference_mean": round(float(np.mean(ref[sel])), 2),
        "mean_diff": round(float(np.mean(diff)), 2),
        "rms_diff": round(float(np.sqrt(np.mean(diff**2))), 2),
    }


def compare(
    a: Analysis, ref: dict[str, np.ndarray], lift_s: float, down_s: float, mirrored: np.ndarray
) -> dict:
    """One view's numbers against the 3D reference over the hold (3D lift-off to
    touch-down): mean and RMS difference of the per-frame angles (also over the frames whose
    hips are the right way round), hold times."""
    t = np.arange(len(ref["pelvic_obliquity_deg"])) / FPS
    hold = (t >= lift_s) & (t <= down_s)
    row: dict = {"view": a.view, "hips_mirrored_frames": int((hold & mirrored).sum())}
    for key in ("pelvic_obliquity_deg", "fppa_left_deg"):
        mine = np.asarray(a.signals.values.get(key, np.full(len(t), np.nan)), dtype=float)[: len(t)]
        both = hold & np.isfinite(mine) & np.isfinite(ref[key])
        if both.sum() < 0.5 * hold.sum():
            row[key] = {"available": False, "frames": int(both.sum())}
            continue
        row[key] = {"available": True, **_stats(mine, ref[key], both)}
        right_way = both & ~mirrored
        if right_way.sum() >= 0.5 * hold.sum():
            row[key]["hips_right_way_round"] = _stats(mine, ref[key], right_way)
    h = _hold(a)
    row["hold"] = (
        None
        if h is None
        else {
            "start_s": h["start_s"],
            "end_s": h["end_s"],
            "start_diff_s": round(h["start_s"] - lift_s, 3),
            "end_diff_s": round(h["end_s"] - down_s, 3),
        }
    )
    return row


def reference(videos: Path = DATA, people_dir: Path | None = None) -> dict:
    """Everything: calibration check, 3D events and measures, each view against them."""
    cams = read_qca(videos / "Calib.qca.txt")
    an = analyses(people_dir, videos)
    x, errors, swaps = triangulate({n: an[n].raw.xy for n in CAMS}, cams)
    lift_s, down_s, height = foot_events(x)
    ref = frontal_measures(x)
    truth = tomllib.loads((videos / "truth.toml").read_text())
    bearings = camera_bearings(cams, x)
    front = min(bearings, key=lambda n: abs(bearings[n]))
    back = max(bearings, key=lambda n: abs(bearings[n]))
    return {
        "reprojection_median_px": {
            n: round(float(np.nanmedian(e[:, list(BODY)])), 1) for n, e in errors.items()
        },
        "legs_swapped_frames": {n: int(swaps[:, k].sum()) for k, n in enumerate(CAMS)},
        "camera_bearing_deg": bearings,
        "front": front,
        "back": back,
        "truth_lift_off_s": truth["lift_off_frame"] / truth["fps"],
        "truth_touchdown_s": truth["touchdown_frame"] / truth["fps"],
        "lift_off_3d_s": round(lift_s, 3),
        "touchdown_3d_s": round(down_s, 3),
        "peak_foot_height_m": round(float(np.nanmax(height)), 3),
        "views": {
            n: compare(an[n], ref, lift_s, down_s, mirrored_hips(an[n], cams[n], x)) for n in CAMS
        },
    }


def table(res: dict) -> str:
    """The README table: front and back view against the 3D reference."""
    lines = [
        "| measure (left-leg stance, 3D lift-off → touch-down) | 3D reference | front view "
        f"({res['front']}) | back view ({res['back']}) |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("pelvic_obliquity_deg", "pelvic obliquity, mean (°)"),
        ("fppa_left_deg", "left knee FPPA, mean (°)"),
    ):
        cells = []
        refv = None
        for n in (res["front"], res["back"]):
            v = res["views"][n][key]
            if v["available"]:
                refv = v["reference_mean"]
                cell = (
                    f"{v['gaitlab_mean']:+.1f} (Δ {v['mean_diff']:+.1f}, RMS {v['rms_diff']:.1f})"
                )
                ok = v.get("hips_right_way_round")
                if ok and ok["frames"] < v["frames"]:
                    cell += (
                        f"; hips the right way round ({ok['frames']} of {v['frames']} frames): "
                        f"Δ {ok['mean_diff']:+.1f}, RMS {ok['rms_diff']:.1f}"
                    )
                cells.append(cell)
            else:
                cells.append("not measured (view)")
        lines.append(
            f"| {label} | {'' if refv is None else f'{refv:+.1f}'} | {cells[0]} | {cells[1]} |"
        )
    for key, label, refk in (
        ("start_s", "lift-off (s)", "lift_off_3d_s"),
        ("end_s", "touch-down (s)", "touchdown_3d_s"),
    ):
        cells = []
        for n in (res["front"], res["back"]):
            h = res["views"][n]["hold"]
            diff = "start_diff_s" if key == "start_s" else "end_diff_s"
            cells.append("no hold" if h is None else f"{h[key]:.3f} (Δ {h[diff]:+.3f})")
        lines.append(f"| {label} | {res[refk]:.3f} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--videos", type=Path, default=DATA, help="cam01–04.mp4, Calib.qca.txt, truth.toml"
    )
    p.add_argument(
        "--people", type=Path, default=None, help="pickled PeopleTracks (pose2sim_camNN.pkl)"
    )
    p.add_argument("--json", type=Path, default=None, help="write every number here")
    args = p.parse_args(argv)
    res = reference(args.videos, args.people)
    print(json.dumps({k: v for k, v in res.items() if k != "views"}, indent=1))
    for n, v in res["views"].items():
        print(n, json.dumps(v))
    print()
    print(table(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
