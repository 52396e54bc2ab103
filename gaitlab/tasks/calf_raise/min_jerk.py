"""The minimum-jerk rep profile: rise from the floor, plateau, lower back (Flash & Hogan
1985, J Neurosci 5:1688), with its derivatives for the phase fit."""

from __future__ import annotations

import numpy as np


def _min_jerk(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10.0 - 15.0 * u + 6.0 * u * u)


_MJ_U = np.linspace(0.0, 1.0, 2001)
_MJ_P = _min_jerk(_MJ_U)


def mj_tau(p: float) -> float:
    """Fraction of a minimum-jerk movement's duration at which it has covered ``p``."""
    return float(np.interp(p, _MJ_P, _MJ_U))


def profile(t: np.ndarray, t0: float, rise_s: float, hold_s: float, lower_s: float) -> np.ndarray:
    """0 → 1 minimum-jerk rise from ``t0``, plateau for ``hold_s``, minimum-jerk lower."""
    up = _min_jerk((t - t0) / rise_s)
    down = 1.0 - _min_jerk((t - (t0 + rise_s + hold_s)) / lower_s)
    return np.minimum(up, down)


def profile_grad(
    t: np.ndarray, t0: float, rise_s: float, hold_s: float, lower_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`profile` and its ``(T, 4)`` derivatives by ``(t0, rise_s, hold_s, lower_s)``."""
    u = (t - t0) / rise_s
    v = (t - (t0 + rise_s + hold_s)) / lower_s
    up = _min_jerk(u)
    down = 1.0 - _min_jerk(v)
    uc, vc = np.clip(u, 0.0, 1.0), np.clip(v, 0.0, 1.0)
    du = 30.0 * uc * uc * (1.0 - uc) ** 2 / rise_s  # d up / dt
    dv = 30.0 * vc * vc * (1.0 - vc) ** 2 / lower_s  # -d down / dt
    on_up = up <= down
    grad = np.zeros((len(t), 4))
    grad[:, 0] = np.where(on_up, -du, dv)
    grad[:, 1] = np.where(on_up, -du * u, dv)
    grad[:, 2] = np.where(on_up, 0.0, dv)
    grad[:, 3] = np.where(on_up, 0.0, dv * v)
    return np.where(on_up, up, down), grad
