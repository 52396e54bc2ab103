"""The programme's exercises, read from the data file shipped in the package
(``gaitlab/programme/exercises.toml``), checked, and found by name.

The file holds the programme's texts (the calf-raise cue word for word, why feet, safety, the
note on doses) and one table per exercise with the fields of :class:`Exercise`. Values that the
thresholds file owns stay there: an exercise may take its hold range from a threshold's band
(``hold_from = "balance_target"``: barefoot balancing's 30–60 s).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from gaitlab.core.thresholds import Threshold, load_thresholds
from gaitlab.programme.exercise import CameraCheck, Exercise, Phase, ProgrammeError

#: The data file, inside this package.
DATA_FILE = "exercises.toml"
#: The programme's texts in the data file's ``[programme]`` table.
_TEXT_KEYS = ("calf_raise_cue", "rationale", "safety", "dose_note")
_PHASE_KINDS = ("hold", "move", "relax")
_SIDES = (("both",), ("left", "right"))


@functools.cache
def _data() -> dict[str, Any]:
    """The data file, parsed and its top level checked (read once)."""
    text = resources.files("gaitlab.programme").joinpath(DATA_FILE).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeError(f"{DATA_FILE} is not valid TOML: {exc}") from None
    _check_keys(data, {"programme", "exercise"}, {"programme", "exercise"}, DATA_FILE)
    _check_keys(data["programme"], set(_TEXT_KEYS), set(_TEXT_KEYS), f"{DATA_FILE} [programme]")
    for key in _TEXT_KEYS:
        _text(data["programme"][key], f"{DATA_FILE} [programme] {key}")
    if not isinstance(data["exercise"], list):
        raise ProgrammeError(f"{DATA_FILE}: exercise must be a list of [[exercise]] tables")
    for i, raw in enumerate(data["exercise"], start=1):
        _check_keys(raw, {"key"}, set(_FIELDS) | {"hold_from"}, f"{DATA_FILE}: exercise {i}")
    keys = [str(e["key"]) for e in data["exercise"]]
    if len(set(keys)) != len(keys):
        raise ProgrammeError(f"{DATA_FILE}: two exercises have the same key ({', '.join(keys)})")
    return data


def _check_keys(table: Any, required: set[str], allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise ProgrammeError(f"{where} must be a table")
    if missing := required - set(table):
        raise ProgrammeError(f"{where} lacks {', '.join(sorted(missing))}")
    if unknown := set(table) - allowed:
        raise ProgrammeError(f"{where}: unknown {', '.join(sorted(unknown))}")


# -- values -------------------------------------------------------------------------------------
def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProgrammeError(f"{where} must be a text")
    return value


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ProgrammeError(f"{where} must be a list of texts")
    return tuple(_text(v, where) for v in value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ProgrammeError(f"{where} must be a number of at least 0")
    return float(value)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ProgrammeError(f"{where} must be a whole number of at least 1")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProgrammeError(f"{where} must be true or false")
    return value


def _range(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ProgrammeError(f"{where} must be [low, high]")
    lo, hi = (_number(v, where) for v in value)
    if lo > hi:
        raise ProgrammeError(f"{where}: low {lo:g} is above high {hi:g}")
    return lo, hi


#: How each field of :class:`Exercise` is read, by its type (``rep`` and ``camera`` are
#: tables of their own).
_READERS: dict[Any, Callable[[Any, str], Any]] = {
    str: _text,
    tuple[str, ...]: _texts,
    float: _number,
    int: _count,
    bool: _flag,
    tuple[float, float]: _range,
}
_FIELDS = {f.name: f for f in dataclasses.fields(Exercise)}
_TYPES = typing.get_type_hints(Exercise)
_REQUIRED = {
    n
    for n, f in _FIELDS.items()
    if f.default is dataclasses.MISSING and n not in ("hold_s", "hold_range_s")
}


# -- one exercise -------------------------------------------------------------------------------
def _hold_from_threshold(
    name: Any, thresholds: Mapping[str, Threshold], where: str
) -> tuple[float, float]:
    """``hold_s`` and ``hold_range_s`` from the band of threshold ``name``."""
    target = thresholds[_text(name, f"{where} hold_from")]
    if target.low is None or target.high is None:
        raise ProgrammeError(f"thresholds file: {name} needs low and high")
    return float(target.low), float(target.high)


def _phase(raw: Any, where: str) -> Phase:
    _check_keys(raw, {"kind", "cue"}, {"kind", "cue", "seconds"}, where)
    if raw["kind"] not in _PHASE_KINDS:
        raise ProgrammeError(f"{where}: kind must be one of {', '.join(_PHASE_KINDS)}")
    if ("seconds" in raw) == (raw["kind"] == "hold"):
        raise ProgrammeError(f"{where}: a hold takes the chosen hold time, a move or relax seconds")
    seconds = _number(raw["seconds"], f"{where} seconds") if "seconds" in raw else None
    return Phase(raw["kind"], _text(raw["cue"], f"{where} cue"), seconds)


def _fields(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """The plain fields of an exercise table, read by their type."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in ("rep", "camera", "hold_from"):
            out[name] = _READERS[_TYPES[name]](value, f"{where} {name}")
    if out["sides"] not in _SIDES:
        raise ProgrammeError(f"{where} sides must be {' or '.join(map(str, map(list, _SIDES)))}")
    return out


def _exercise(
    raw: dict[str, Any], texts: dict[str, str], thresholds: Mapping[str, Threshold]
) -> Exercise:
    """One ``[[exercise]]`` table as an :class:`Exercise`, its texts filled in."""
    where = f"{DATA_FILE}: exercise {raw.get('key')!r}"
    hold = {"hold_from"} if "hold_from" in raw else {"hold_s", "hold_range_s"}
    _check_keys(raw, _REQUIRED | hold, set(_FIELDS) - {"hold_s", "hold_range_s"} | hold, where)
    fields = _fields(raw, where)
    if "hold_from" in raw:
        lo, hi = _hold_from_threshold(raw["hold_from"], thresholds, where)
        fields.update(hold_s=lo, hold_range_s=(lo, hi))
    lo, hi = fields["hold_range_s"]
    if not lo <= fields["hold_s"] <= hi:
        raise ProgrammeError(f"{where}: hold_s must lie in hold_range_s")
    values = {"calf_raise_cue": texts["calf_raise_cue"], "hold_low_s": lo, "hold_high_s": hi}
    fill = functools.partial(_fill, values=values, where=where)
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name] = fill(value)
        elif name == "steps":
            fields[name] = tuple(fill(v) for v in value)
    if not isinstance(raw["rep"], list):
        raise ProgrammeError(f"{where}: rep must be a list of [[exercise.rep]] tables")
    fields["rep"] = tuple(_phase(p, f"{where} rep {i}") for i, p in enumerate(raw["rep"], 1))
    if "camera" in raw:
        cam = raw["camera"]
        _check_keys(cam, {"task", "measures", "filming"}, {"task", "measures", "filming"}, where)
        fields["camera"] = CameraCheck(
            **{k: fill(_text(v, f"{where} camera {k}")) for k, v in cam.items()}
        )
    return Exercise(**fields)


def _fill(text: str, *, values: Mapping[str, Any], where: str) -> str:
    try:
        return text.format(**values)
    except (KeyError, ValueError, IndexError) as exc:
        raise ProgrammeError(f"{where}: cannot fill in {text!r} ({exc!r})") from None


# -- the programme ------------------------------------------------------------------------------
def programme_text(key: str) -> str:
    """One of the programme's texts from the data file (``rationale``, ``safety`` …)."""
    return str(_data()["programme"][key])


#: The programme's calf-raise cue, word for word.
CALF_RAISE_CUE = programme_text("calf_raise_cue")
#: Why feet, for back pain: said once, for every exercise.
RATIONALE = programme_text("rationale")
SAFETY = programme_text("safety")
DOSE_NOTE = programme_text("dose_note")


def exercises(thresholds: Mapping[str, Threshold] | None = None) -> tuple[Exercise, ...]:
    """The programme's five exercises, in the programme's order.

    Parameters
    ----------
    thresholds
        The thresholds file's entries (default: :func:`gaitlab.core.thresholds.load_thresholds`);
        barefoot balancing's 30–60 s target is read from ``balance_target``.

    Raises
    ------
    ProgrammeError
        The data file is malformed, or a threshold it names has no band.
    """
    th = load_thresholds() if thresholds is None else thresholds
    texts = _data()["programme"]
    return tuple(_exercise(raw, texts, th) for raw in _data()["exercise"])


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def find_exercise(name: str, thresholds: Mapping[str, Threshold] | None = None) -> Exercise:
    """The exercise called ``name``, taken loosely: ``toe-yoga``, ``Short foot``,
    ``calf-raises``, ``balance`` … (case, spaces, hyphens and underscores do not matter; a
    start that fits only one exercise is enough).

    Raises
    ------
    ProgrammeError
        No exercise, or more than one, fits the name.
    """
    all_ = exercises(thresholds)
    wanted = _norm(name or "")
    names = ", ".join(e.log_name for e in all_)
    if not wanted:
        raise ProgrammeError(f"name an exercise: {names}")

    def spellings(e: Exercise) -> set[str]:
        return {_norm(s) for s in (e.key, e.name, e.log_name, *e.aliases)}

    exact = [e for e in all_ if wanted in spellings(e)]
    if len(exact) == 1:
        return exact[0]
    if len(wanted) >= 3:
        starts = [e for e in all_ if any(s.startswith(wanted) for s in spellings(e))]
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            raise ProgrammeError(
                f"{name!r} could be {' or '.join(e.log_name for e in starts)}: say which"
            )
    close = difflib.get_close_matches(
        wanted, {s: e for e in all_ for s in spellings(e)}, n=1, cutoff=0.7
    )
    hint = ""
    if close:
        hint = f" (did you mean {next(e.log_name for e in all_ if close[0] in spellings(e))}?)"
    raise ProgrammeError(f"no exercise called {name!r}{hint}: the programme has {names}")
