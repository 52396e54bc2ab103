"""The feet on a sheet: the dark marks grouped into feet with a foot model.

A foot prints as one sole (heel, midfoot band and ball joined) or in pieces: a heel and a
ball apart (a high arch whose midfoot does not touch the ground), with or without fragments
of a thin midfoot strip between them; its toes print in front of the ball, apart or joined
into one mark. The model, in units of the toe-less length ``L`` along the foot axis (heel
to second toe): the ball is about ``0.42 L`` wide (``BALL_WIDTH_RATIO``), wider than the heel
(``0.55–0.85`` of it), the heel lies behind the ball on the axis, and the toes lie in front
of the ball within ``0.45 L``.

Every mark large enough to be part of a foot is a candidate piece. Sole hypotheses are
single pieces (elongated, a wider ball end and a narrower heel end) and heel + ball pairs
(ball wider, the heel's long axis along the line to the ball, nothing large between). They
are taken greedily by area times fit (a sole is the largest thing on the sheet); a second
foot must be of the same size as the first. The remaining pieces join the foot whose toe
region or midfoot gap holds them; what is left is ignored with a warning when it is large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.footprint.blobs import Blob
from gaitlab.footprint.result import RETAKE, FootprintError

#: Ball width / toe-less length of an average print (synthetic and published prints:
#: forefoot width ≈ 0.40–0.45 of the heel-to-ball length).
BALL_WIDTH_RATIO = 0.42
#: Allowed ball width / length of a sole hypothesis.
BALL_WIDTH_RANGE = (0.25, 0.65)
#: Largest heel width / ball width of a heel + ball pair.
MAX_HEEL_TO_BALL_WIDTH = 0.92
#: A second foot's length and area relative to the first foot's, at least.
MIN_SECOND_FOOT = (0.7, 0.3)


@dataclass(frozen=True)
class FootGroup:
    """The marks of one foot: the toe-less print (``main``, bool frame mask), its toes, and
    how it printed."""

    main: np.ndarray
    toes: list[Blob]
    sole_pieces: int  # 1: heel to ball in one piece; 2: heel and ball apart
    midfoot_pieces: int  # fragments of a midfoot strip between heel and ball
    touches_border: bool
    u: np.ndarray  # heel → ball, unit (a first estimate of the axis)
    centre: np.ndarray


@dataclass(frozen=True)
class _Piece:
    blob: Blob
    pts: np.ndarray  # frame px (x, y), subsampled
    major: np.ndarray  # unit principal direction


@dataclass(frozen=True)
class _Sole:
    pieces: tuple[int, ...]
    u: np.ndarray
    origin: np.ndarray  # heel centroid
    t_range: tuple[float, float]  # along u from origin
    ball_width: float
    ball_s: float  # centre of the ball across u
    gap: tuple[float, float]  # between heel and ball along u (pairs)
    area: float
    fit: float

    @property
    def length(self) -> float:
        return self.t_range[1] - self.t_range[0]


def _piece(b: Blob) -> _Piece:
    iy, ix = np.nonzero(b.sub)
    pts = np.column_stack([ix + b.origin[0], iy + b.origin[1]]).astype(float)
    if len(pts) > 20000:
        pts = pts[:: len(pts) // 20000 + 1]
    if len(pts) >= 5:
        major = np.linalg.eigh(np.cov(pts.T))[1][:, 1]
    else:
        major = np.array([1.0, 0.0])
    return _Piece(b, pts, major)


def _proj(pts: np.ndarray, origin: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = np.array([-u[1], u[0]])
    d = pts - origin
    return d @ u, d @ v


def _single(i: int, p: _Piece) -> _Sole | None:
    """A piece holding heel to ball: elongated, its wider end the ball."""
    if p.blob.elongation < 1.6:
        return None
    c = p.blob.centroid
    t, s = _proj(p.pts, c, p.major)
    lo, hi = np.quantile(t, [0.2, 0.8])
    w_lo = float(np.ptp(s[t <= lo])) if np.any(t <= lo) else 0.0
    w_hi = float(np.ptp(s[t >= hi])) if np.any(t >= hi) else 0.0
    u = p.major if w_hi >= w_lo else -p.major
    if w_hi < w_lo:
        t, s, w_lo, w_hi = -t, -s, w_hi, w_lo
    length = float(t.max() - t.min())
    ratio = w_hi / max(length, 1e-9)
    if not BALL_WIDTH_RANGE[0] <= ratio <= BALL_WIDTH_RANGE[1]:
        return None
    front = t >= hi
    ball_s = float(0.5 * (s[front].min() + s[front].max()))
    fit = math.exp(-abs(ratio - BALL_WIDTH_RATIO) / 0.12)
    return _Sole(
        (i,), u, c, (float(t.min()), float(t.max())), w_hi, ball_s, (0.0, 0.0), p.blob.area, fit
    )


def _pair(ih: int, ib: int, pieces: list[_Piece]) -> _Sole | None:
    """Heel piece ``ih`` and ball piece ``ib`` apart (a high arch), if they fit a foot."""
    h, b = pieces[ih], pieces[ib]
    if b.blob.elongation > 2.2 or h.blob.elongation > 3.0:
        return None
    if not 0.2 <= h.blob.area / b.blob.area <= 1.4:
        return None
    d = b.blob.centroid - h.blob.centroid
    dist = float(np.linalg.norm(d))
    if dist < 1.0:
        return None
    u = d / dist
    origin = h.blob.centroid
    th, sh = _proj(h.pts, origin, u)
    tb, sb = _proj(b.pts, origin, u)
    length = float(tb.max() - th.min())
    w_heel, w_ball = float(np.ptp(sh)), float(np.ptp(sb))
    ratio = w_ball / length
    gap = float(tb.min() - th.max())
    if not BALL_WIDTH_RANGE[0] <= ratio <= BALL_WIDTH_RANGE[1]:
        return None
    if w_heel > MAX_HEEL_TO_BALL_WIDTH * w_ball or not -0.05 * length <= gap <= 0.45 * length:
        return None
    # Nothing as large as a heel or ball between them (that would be a foot's own sole).
    for k, q in enumerate(pieces):
        if k in (ih, ib) or q.blob.area < 0.4 * min(h.blob.area, b.blob.area):
            continue
        tq, sq = _proj(q.blob.centroid[None, :], origin, u)
        if th.max() < tq[0] < tb.min() and abs(sq[0]) < 0.5 * w_ball:
            return None
    # The heel's long axis runs along the foot; a ball is at least as wide as it is long.
    along = abs(float(h.major @ u)) if h.blob.elongation > 1.15 else 1.0
    ball_cross = 1.0 - abs(float(b.major @ u)) if b.blob.elongation > 1.15 else 1.0
    fit = (
        math.exp(-abs(ratio - BALL_WIDTH_RATIO) / 0.12)
        * math.exp(-max(0.0, 0.8 - along) / 0.2)
        * math.exp(-max(0.0, 0.3 - ball_cross) / 0.3)
        * math.exp(-max(0.0, gap / length - 0.3) / 0.1)
    )
    ball_s = float(0.5 * (sb.min() + sb.max()))
    return _Sole(
        (ih, ib),
        u,
        origin,
        (float(th.min()), float(tb.max())),
        w_ball,
        ball_s,
        (float(th.max()), float(tb.min())),
        h.blob.area + b.blob.area,
        fit,
    )


def _hypotheses(pieces: list[_Piece]) -> list[_Sole]:
    out = [s for i, p in enumerate(pieces) if (s := _single(i, p)) is not None]
    for ih in range(len(pieces)):
        for ib in range(len(pieces)):
            if ih != ib and (s := _pair(ih, ib, pieces)) is not None:
                out.append(s)
    return out


def _toe_support(sole: _Sole, pieces: list[_Piece]) -> float:
    """0.4–1: how much toe-sized mark lies where this sole's toes would (a real foot's ball
    has its toes in front of it; a heel taken for a ball has none)."""
    found = 0.0
    for k, p in enumerate(pieces):
        if k in sole.pieces or p.blob.area > 0.5 * sole.area:
            continue
        fit = _belongs(sole, p)
        if fit is not None and fit[0] == "toe":
            found += p.blob.area
    return 0.4 + 0.6 * min(1.0, found / (0.04 * sole.area))


def _choose(hyps: list[_Sole], marks: list[_Piece]) -> list[_Sole]:
    """The one or two soles (no piece shared) that explain the most print: the largest
    total of area × fit × toe support (``marks``: every mark, sole pieces first, in the
    order the hypotheses number them); a second foot about as large as the first."""
    scored = [(h, h.area * h.fit * _toe_support(h, marks)) for h in hyps]
    scored.sort(key=lambda hs: -hs[1])
    scored = scored[:40]
    best: list[_Sole] = [scored[0][0]] if scored else []
    best_score = scored[0][1] if scored else 0.0
    for i, (a, sa) in enumerate(scored):
        for b, sb in scored[i + 1 :]:
            if set(a.pieces) & set(b.pieces):
                continue
            big, small = (a, b) if a.area >= b.area else (b, a)
            if small.length < MIN_SECOND_FOOT[0] * big.length:
                continue
            if small.area < MIN_SECOND_FOOT[1] * big.area:
                continue
            # Two feet of one person: about the same length (the toe-less extent varies
            # with how the arch and the ball printed, so only a clear mismatch counts).
            mismatch = abs(a.length - b.length) / max(a.length, b.length)
            same = math.exp(-max(0.0, mismatch - 0.15) / 0.1)
            if (sa + sb) * same > best_score:
                best, best_score = [a, b], (sa + sb) * same
    if len(best) == 2:
        used = set(best[0].pieces) | set(best[1].pieces)
        for h, _ in scored:
            if used & set(h.pieces):
                continue
            ref = min(best, key=lambda x: x.area)
            if h.length >= 0.8 * ref.length and h.area >= 0.6 * ref.area and h.fit > 0.3:
                best.append(h)  # a third foot-sized print: reported as such
                break
    return best


def _belongs(sole: _Sole, p: _Piece) -> tuple[str, float] | None:
    """``("toe" | "midfoot", distance)`` when piece ``p`` lies where this foot's toes or
    midfoot strip would; None otherwise."""
    L = sole.length
    tq, sq = _proj(p.pts, sole.origin, sole.u)
    tc, sc = float(tq.mean()), float(sq.mean())
    t_front = sole.t_range[1]
    if (
        t_front - 0.15 * L <= tc <= t_front + 0.45 * L
        and tq.min() >= t_front - 0.25 * L
        and abs(sc - sole.ball_s) <= 0.75 * sole.ball_width
    ):
        return "toe", abs(tc - t_front)
    g0, g1 = sole.gap
    if g1 > g0 and g0 - 0.05 * L <= tc <= g1 + 0.05 * L and abs(sc) <= 0.6 * sole.ball_width:
        return "midfoot", abs(sc)
    return None


def group_feet(blobs: list[Blob], frame_area: float, warnings: list[str]) -> list[FootGroup]:
    """The feet on the sheet, largest first (at most two).

    Raises
    ------
    FootprintError
        No mark fits a foot, or more than two feet.
    """
    if not blobs or blobs[0].area < 0.004 * frame_area:
        raise FootprintError(
            "no footprint found: the sheet looks blank or the print is too faint. Wet the "
            f"whole sole, stand on the sheet, step off and {RETAKE}"
        )
    largest = blobs[0].area
    pieces = [_piece(b) for b in blobs if b.area >= 0.08 * largest]
    small = [_piece(b) for b in blobs if b.area < 0.08 * largest]
    soles = _choose(_hypotheses(pieces), pieces + small)
    if not soles:
        if len(pieces) >= 2:
            raise FootprintError(
                f"found {len(pieces)} separate dark marks but none of them makes a foot "
                "(heel behind a wider ball): photograph a clean sheet with the print(s) only "
                f"and {RETAKE}"
            )
        raise FootprintError(
            "no footprint found (the dark mark on the sheet is not foot-shaped): make a "
            f"clearly wet print and {RETAKE}"
        )
    if len(soles) > 2:
        raise FootprintError(
            f"found {len(soles)} footprints: a sheet may hold one foot or a left and a right "
            "foot side by side; use a fresh sheet for each pair of prints"
        )
    used = {i for s in soles for i in s.pieces}
    parts: list[tuple[list[Blob], list[Blob]]] = [([], []) for _ in soles]
    left_over = []
    for k, p in enumerate(pieces + small):
        if k < len(pieces) and k in used:
            continue
        fits = [(f, j) for j, s in enumerate(soles) if (f := _belongs(s, p)) is not None]
        if not fits:
            left_over.append(p.blob)
            continue
        (role, _), j = min(fits, key=lambda fj: fj[0][1])
        parts[j][0 if role == "toe" else 1].append(p.blob)
    min_part = 0.15 * min(s.area for s in soles)
    if any(b.area >= min_part for b in left_over):
        warnings.append(
            "a large dark mark that is not part of a foot (a logo, a label or a stain?) was "
            "left out; check the overlay"
        )
    groups = []
    for s, (toes, mid) in zip(soles, parts, strict=True):
        shape = pieces[s.pieces[0]].blob.shape
        main = np.zeros(shape, bool)
        for b in [pieces[i].blob for i in s.pieces] + mid:
            x, y = b.origin
            main[y : y + b.sub.shape[0], x : x + b.sub.shape[1]] |= b.sub
        border = any(pieces[i].blob.touches_border for i in s.pieces) or any(
            b.touches_border for b in mid
        )
        centre = s.origin + s.u * 0.5 * (s.t_range[0] + s.t_range[1])
        groups.append(FootGroup(main, toes, len(s.pieces), len(mid), border, s.u, centre))
    return groups
