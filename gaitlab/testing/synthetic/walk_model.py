"""Steady-state walking as a function of continuous time (the model behind :func:`walk`)."""

from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import CubicHermiteSpline, PchipInterpolator

from gaitlab.core.landmarks import SIDES, Landmark, other_side, side_landmark
from gaitlab.testing.synthetic.body import Body
from gaitlab.testing.synthetic.kinematics import (
    LAT,
    foot_points,
    hip_ankle_reach,
    knee_ik,
    min_jerk,
    pitch_xz,
)
from gaitlab.testing.synthetic.skeleton import stack_joints, upper_body

STANCE = 0.60  # stance fraction of the stride; double support 0–0.10 and 0.50–0.60
DOUBLE_SUPPORT = 0.10
_FOOT_FLAT = 0.08  # foot flat reached
_HEEL_OFF = 0.35  # heel rise starts
_TO_PITCH = math.radians(45.0)  # rearfoot pitch (heel up) at toe off
STRIKE_DEG = {"heel": 20.0, "midfoot": 3.0, "forefoot": -8.0}
# Stance knee flexion targets (phase, deg) that set the pelvis height: loading response
# ~16°, near straight in mid/terminal stance. The value at 0.5 (opposite heel strike) is
# solved so that the pelvis height is continuous when the other leg takes over.
_KNEE_TARGET_KNOTS = ((0.0, 4.0), (0.12, 16.0), (0.28, 5.0))


def _valgus_bump(u: np.ndarray, peak_at: float = 0.2) -> np.ndarray:
    """0→1→0 over stance fraction u in [0, 1], peaking at ``peak_at`` (loading response)."""
    u = np.clip(u, 0.0, 1.0)
    rise = 0.5 * (1 - np.cos(np.pi * u / peak_at))
    fall = 0.5 * (1 + np.cos(np.pi * (u - peak_at) / (1 - peak_at)))
    return np.where(u <= peak_at, rise, fall)


class WalkModel:
    """Steady-state walking as a function of continuous time."""

    def __init__(
        self,
        body: Body,
        cadence_spm: float,
        step_length_m: float,
        step_width_m: float,
        valgus: dict[str, float],
        drop: dict[str, float],
        strike: str,
        duration_s: float,
    ) -> None:
        self.body = body
        self.stride_s = 120.0 / cadence_spm
        self.stride_m = 2.0 * step_length_m
        self.speed = self.stride_m / self.stride_s
        self.duration_s = duration_s
        self.lane = {s: LAT[s] * step_width_m / 2 for s in SIDES}
        self.valgus = valgus
        self.drop = drop
        self.alpha0 = math.radians(STRIKE_DEG[strike])
        self.phi0 = {"left": 0.25, "right": 0.75}
        self.c_mid = 0.27  # phase at which the pelvis passes over the flat-foot ankle
        self.sway_m = 0.015 * body.scale
        self._build_knee_targets()
        self._build_height()
        self._build_swing()

    # -- timing ------------------------------------------------------------------------
    def cycle(self, side: str, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = np.asarray(t, dtype=float) / self.stride_s + self.phi0[side]
        # A time computed by hs_time(k) must land in cycle k at phase 0: without the
        # tolerance, rounding puts some of them at phase 0.99999… of cycle k - 1 (the end of
        # swing), and the model is built from the stance foot at such instants.
        k = np.floor(u + 1e-9)
        return np.maximum(u - k, 0.0), k

    def hs_time(self, side: str, k: np.ndarray) -> np.ndarray:
        return (np.asarray(k, dtype=float) - self.phi0[side]) * self.stride_s

    def pelvis_x(self, t: np.ndarray) -> np.ndarray:
        return self.speed * (np.asarray(t, dtype=float) - self.duration_s / 2)

    def sway_y(self, t: np.ndarray) -> np.ndarray:
        phi_l, _ = self.cycle("left", t)
        return self.sway_m * np.cos(2 * np.pi * (phi_l - 0.3))

    # -- stance foot -------------------------------------------------------------------
    def stance_foot(self, side: str, t: np.ndarray):
        """Ankle (n, 3), rearfoot pitch, toe pitch of the stance foot (valid for phase < 0.6)."""
        b = self.body
        phi, k = self.cycle(side, t)
        u = np.clip(phi / _FOOT_FLAT, 0, 1)
        v = np.clip((phi - _HEEL_OFF) / (STANCE - _HEEL_OFF), 0, 1)
        theta = np.where(
            phi < _FOOT_FLAT,
            self.alpha0 * (1 - u) ** 2,
            np.where(phi > _HEEL_OFF, -_TO_PITCH * v**2, 0.0),
        )
        # Pivot on the heel when toe up, on the metatarsal heads (toes flat) when heel up.
        ax_h, az_h = pitch_xz(b.heel_back_m, b.ankle_height_m, theta)
        ax_m, az_m = pitch_xz(-b.mtp_fwd_m, b.ankle_height_m, theta)
        heel_pivot = theta > 0
        ax = np.where(heel_pivot, -b.heel_back_m + ax_h, b.mtp_fwd_m + ax_m)
        az = np.where(heel_pivot, az_h, az_m)
        toe_pitch = np.where(heel_pivot, theta, 0.0)
        x_flat = self.pelvis_x(self.hs_time(side, k) + self.c_mid * self.stride_s)
        ankle = np.stack([x_flat + ax, np.full_like(ax, self.lane[side]), az], axis=-1)
        return ankle, theta, toe_pitch

    # -- pelvis height -----------------------------------------------------------------
    def _hip_neutral_y(self, side: str, t: np.ndarray) -> np.ndarray:
        return self.sway_y(t) + LAT[side] * self.body.hip_width_m / 2

    def _required_height(self, side: str, t: np.ndarray, knee_rad: np.ndarray) -> np.ndarray:
        b = self.body
        ankle, _, _ = self.stance_foot(side, t)
        dx = ankle[:, 0] - self.pelvis_x(t)
        dy = ankle[:, 1] - self._hip_neutral_y(side, t)
        d2 = b.thigh_m**2 + b.shank_m**2 + 2 * b.thigh_m * b.shank_m * np.cos(knee_rad)
        rest = d2 - dx**2 - dy**2
        if np.any(rest <= 0):
            raise ValueError(
                "step_length_m too long for this body height (the stance leg cannot reach)"
            )
        return ankle[:, 2] + np.sqrt(rest)

    def _knee_needed(self, side: str, phi: np.ndarray) -> np.ndarray:
        """Knee flexion that leaves room for the imposed frontal-plane angle."""
        b = self.body
        fppa = np.radians(np.abs(self.fppa_target(side, phi)))
        m = b.thigh_m * np.tan(fppa / 2)
        r = m / math.sin(math.radians(55.0))
        d = b.thigh_m + b.shank_m
        return np.arcsin(np.clip(r * d / (b.thigh_m * b.shank_m), 0, 1)) + math.radians(1.0)

    def fppa_target(self, side: str, phi: np.ndarray) -> np.ndarray:
        return self.valgus[side] * _valgus_bump(np.asarray(phi) / STANCE) * (phi < STANCE)

    def _build_knee_targets(self) -> None:
        ph = [k[0] for k in _KNEE_TARGET_KNOTS]
        kn = [math.radians(k[1]) for k in _KNEE_TARGET_KNOTS]
        first = PchipInterpolator(ph, kn)
        self._knee_target: dict[str, PchipInterpolator] = {}
        for side in SIDES:
            other = other_side(side)
            t_hs = self.hs_time(other, np.array([4.0]))
            need = self._knee_needed(other, np.zeros(1))
            h0 = self._required_height(other, t_hs, np.maximum(first(0.0), need))
            lo, hi = math.radians(0.5), math.radians(80.0)
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if self._required_height(side, t_hs, np.array([mid]))[0] > h0[0]:
                    lo = mid
                else:
                    hi = mid
            self._knee_target[side] = PchipInterpolator(ph + [0.5], kn + [0.5 * (lo + hi)])

    def _stance_heights(self, t: np.ndarray, floor: bool) -> np.ndarray:
        """Pelvis height that puts the stance leg at its target (or floor) knee flexion.

        ``floor=False``: the leg in its first half of stance (phase 0–0.5: exactly one leg at
        any time) at the target flexion. ``floor=True``: the lowest cap over both stance legs
        that keeps each knee flexed by at least 2° (and enough for the imposed valgus).
        """
        out = np.full(len(t), np.inf)
        for side in SIDES:
            phi, _ = self.cycle(side, t)
            sel = phi < (STANCE if floor else 0.5)
            if not sel.any():
                continue
            need = self._knee_needed(side, phi[sel])
            if floor:
                knee = np.maximum(need, math.radians(2.0))
            else:
                knee = np.maximum(self._knee_target[side](phi[sel]), need)
            out[sel] = np.minimum(out[sel], self._required_height(side, t[sel], knee))
        return out

    def _build_height(self) -> None:
        # A smooth periodic pelvis height: a low-order Fourier fit of the per-leg targets,
        # lowered just enough that no stance knee is ever straighter than its floor.
        n = 720
        t = (np.arange(n) / n - self.phi0["left"]) * self.stride_s  # one stride from left HS
        raw = self._stance_heights(t, floor=False)
        spec = np.fft.rfft(raw) / n
        self._h_harm = 10
        self._h_coef = spec[: self._h_harm + 1].copy()
        fine = (np.arange(4 * n) / (4 * n) - self.phi0["left"]) * self.stride_s
        excess = self._fourier_height(fine) - self._stance_heights(fine, floor=True)
        self._h_coef[0] -= max(0.0, float(excess.max())) + 1e-6

    def _fourier_height(self, t: np.ndarray) -> np.ndarray:
        phi_l, _ = self.cycle("left", np.asarray(t, dtype=float))
        k = np.arange(self._h_harm + 1)
        terms = self._h_coef[None, :] * np.exp(2j * np.pi * phi_l[:, None] * k[None, :])
        return terms[:, 0].real + 2 * terms[:, 1:].real.sum(axis=1)

    def height(self, t: np.ndarray) -> np.ndarray:
        return self._fourier_height(t)

    # -- pelvis frontal plane --------------------------------------------------------------
    def obliquity(self, t: np.ndarray) -> np.ndarray:
        """Pelvic obliquity (rad), + left hip higher: the swing-side hip drops in single support."""
        out = np.zeros(len(t))
        for side in SIDES:
            phi, _ = self.cycle(side, t)
            single = (phi >= DOUBLE_SUPPORT) & (phi <= STANCE - DOUBLE_SUPPORT)
            bump = np.sin(np.pi * (phi - DOUBLE_SUPPORT) / (STANCE - 2 * DOUBLE_SUPPORT)) ** 2
            out += np.where(single, LAT[side] * math.radians(self.drop[side]) * bump, 0.0)
        return out

    def hips(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Left hip, right hip and pelvis centre, (n, 3) each."""
        t = np.asarray(t, dtype=float)
        half = self.body.hip_width_m / 2
        neutral = np.stack([self.pelvis_x(t), self.sway_y(t), self.height(t)], axis=-1)
        om = self.obliquity(t)
        phi_l, _ = self.cycle("left", t)
        single = (phi_l >= DOUBLE_SUPPORT) & (phi_l <= STANCE - DOUBLE_SUPPORT)
        pivot_lat = np.where(single, 1.0, -1.0)
        arm = half * np.stack([np.zeros_like(om), np.cos(om), np.sin(om)], axis=-1)
        pivot = neutral + (pivot_lat * half)[:, None] * np.array([0.0, 1.0, 0.0])
        centre = pivot - pivot_lat[:, None] * arm
        return centre + arm, centre - arm, centre

    # -- legs ----------------------------------------------------------------------------
    def _hip(self, side: str, t: np.ndarray) -> np.ndarray:
        lh, rh, _ = self.hips(t)
        return lh if side == "left" else rh

    def _x_flat(self, side: str, k: np.ndarray) -> np.ndarray:
        return self.pelvis_x(self.hs_time(side, k) + self.c_mid * self.stride_s)

    def _build_swing(self) -> None:
        """Swing foot paths in world coordinates, from the stance state at toe off to heel strike.

        The ankle follows cubic Hermite curves: forward from its toe-off position and velocity
        to the landing position, landing at 80 % of walking speed forward (heel contact
        velocity is about 1 m/s in healthy adults) and 0.3 m/s downward; its height is set at
        three instants so the knee flexes to 62° at 30 % of swing, 30° at 70 % and 6° at 88 %.
        The foot pitch drops a further 8° after toe off, then rotates to
        its landing angle by 85 % of swing and holds it. Knees and hips follow by inverse
        kinematics; the foot is lifted where needed to clear the floor by 1.5 cm at mid swing.
        """
        b = self.body
        eps = 1e-5 * self.stride_s
        sw = (1 - STANCE) * self.stride_s
        self._swing: dict[str, list[CubicHermiteSpline]] = {}
        for side in SIDES:
            t_hs = float(self.hs_time(side, 4))
            t_to = t_hs - sw
            x0 = float(self._x_flat(side, np.array([3.0]))[0])
            a_to, p_to, q_to = self.stance_foot(side, np.array([t_to - 2 * eps, t_to - eps, t_to]))
            a_hs, p_hs, q_hs = self.stance_foot(side, np.array([t_hs]))

            def rate(v: np.ndarray) -> np.ndarray:
                return (3 * v[2] - 4 * v[1] + v[0]) / (2 * eps)

            v_ankle = rate(a_to)
            deg = math.radians
            spline_x = CubicHermiteSpline(
                [0.0, sw], [a_to[2, 0] - x0, a_hs[0, 0] - x0], [v_ankle[0], 0.8 * self.speed]
            )

            # Ankle heights that put the knee at 62° flexion at 30 % of swing (its peak) and
            # at 30° at 70 % of swing (terminal swing extension).
            def ankle_z(
                frac: float, knee_deg: float, side=side, t_to=t_to, x0=x0, spline_x=spline_x
            ) -> float:
                hip = self._hip(side, np.array([t_to + frac * sw]))[0]
                ax = x0 + float(spline_x(frac * sw))
                dist = hip_ankle_reach(self.body, knee_deg)
                q2 = dist**2 - (ax - hip[0]) ** 2 - (self.lane[side] - hip[1]) ** 2
                if q2 <= 0:
                    raise ValueError("step_length_m too long for this body height (swing)")
                return hip[2] - math.sqrt(q2)

            fr = np.array([0.0, 0.3, 0.7, 0.88, 1.0])
            zk = np.array(
                [a_to[2, 2], ankle_z(0.3, 62.0), ankle_z(0.7, 30.0), ankle_z(0.88, 6.0), a_hs[0, 2]]
            )
            slopes = np.gradient(zk, fr * sw)
            slopes[[0, 1, -1]] = v_ankle[2], 0.0, -0.3 * b.scale
            spline_z = CubicHermiteSpline(fr * sw, zk, slopes)
            beta_to = q_to - p_to
            spline_p = CubicHermiteSpline(
                [0.0, 0.15 * sw, 0.85 * sw, sw],
                [p_to[2], p_to[2] - deg(8.0), p_hs[0], p_hs[0]],
                [rate(p_to), 0.0, 0.0, 0.0],
            )
            spline_b = CubicHermiteSpline(
                [0.0, 0.35 * sw, 0.7 * sw, sw],
                [beta_to[2], 0.0, 0.0, q_hs[0] - p_hs[0]],
                [rate(beta_to), 0.0, 0.0, 0.0],
            )
            self._swing[side] = [spline_x, spline_z, spline_p, spline_b]

    def swing_foot(self, side: str, t: np.ndarray, hip: np.ndarray):
        """Ankle (n, 3), rearfoot pitch and toe pitch of the swing foot (phase >= 0.6)."""
        b = self.body
        phi, k = self.cycle(side, t)
        sw = (1 - STANCE) * self.stride_s
        tau = (phi - STANCE) * self.stride_s
        sx, sz, sp, sb = self._swing[side]
        x = self._x_flat(side, k) + sx(tau)
        z = sz(tau)
        pitch = sp(tau)
        toe_pitch = pitch + sb(tau)
        # Floor clearance: lift the ankle smoothly where the lowest foot point would come
        # closer than the clearance profile (zero at toe off and heel strike).
        zero = np.zeros((len(tau), 3))
        heel, mtp, tip = foot_points(zero, pitch, toe_pitch, b)
        lowest = np.minimum(np.minimum(heel[:, 2], mtp[:, 2]), tip[:, 2])
        s = tau / sw
        clearance = 0.015 * b.scale * np.sin(np.pi * s)
        window = min_jerk(s / 0.1) * min_jerk((1 - s) / 0.1)
        soft = 0.002
        z = z + window * soft * np.logaddexp(0.0, (clearance - lowest - z) / soft)
        # Reach: never straighter than 1.5° of knee flexion.
        dx = x - hip[:, 0]
        dy = self.lane[side] - hip[:, 1]
        room = hip_ankle_reach(b, 1.5) ** 2 - dx**2 - dy**2
        if np.any(room <= 0):
            raise ValueError("step_length_m too long for this body height (swing)")
        z = np.maximum(z, hip[:, 2] - np.sqrt(room))
        ankle = np.stack([x, np.full_like(x, self.lane[side]), z], axis=-1)
        return ankle, pitch, toe_pitch

    def joints(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        n = len(t)
        b = self.body
        lh, rh, centre = self.hips(t)
        hips = {"left": lh, "right": rh}
        parts: dict[Landmark, np.ndarray] = {}
        for side in SIDES:
            phi, _ = self.cycle(side, t)
            st = phi < STANCE
            ankle = np.empty((n, 3))
            pitch = np.empty(n)
            toe = np.empty(n)
            a1, p1, q1 = self.stance_foot(side, t[st])
            ankle[st], pitch[st], toe[st] = a1, p1, q1
            a2, p2, q2 = self.swing_foot(side, t[~st], hips[side][~st])
            ankle[~st], pitch[~st], toe[~st] = a2, p2, q2
            knee = np.empty((n, 3))
            knee[st] = knee_ik(hips[side][st], ankle[st], b, side, self.fppa_target(side, phi[st]))
            knee[~st] = knee_ik(hips[side][~st], ankle[~st], b, side)
            heel, _, tip = foot_points(ankle, pitch, toe, b)
            parts[side_landmark(side, "hip")] = hips[side]
            parts[side_landmark(side, "knee")] = knee
            parts[side_landmark(side, "ankle")] = ankle
            parts[side_landmark(side, "heel")] = heel
            parts[side_landmark(side, "foot_index")] = tip
        phi_l, _ = self.cycle("left", t)
        phi_r, _ = self.cycle("right", t)
        arm = {"left": 15.0 * np.cos(2 * np.pi * phi_r), "right": 15.0 * np.cos(2 * np.pi * phi_l)}
        elbow = {s: 20.0 + 0.5 * arm[s] for s in SIDES}
        parts.update(upper_body(b, centre, arm, elbow))
        return stack_joints(parts, n)
