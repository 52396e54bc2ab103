"""Cached loaders and small widgets shared by the pages (the only app module besides the
pages that imports Streamlit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from gaitlab.app.results import AnalysisJobs, ResultStore, gaitlab_home
from gaitlab.thresholds import Threshold, load_thresholds
from gaitlab.video import read_frames

#: Display names of the tasks, in the order the app offers them.
TASK_LABELS = {
    "walk": "Walking",
    "calf-raise": "Calf raises",
    "balance": "Single-leg balance",
}
AUTO_LABEL = "Not sure: let gaitlab tell from the video"
SEX_LABELS = {None: "Not given", "female": "Female", "male": "Male"}

#: Where the guide page leaves the person's choice of task for the other pages.
CHOSEN_TASK = "chosen_task"


def results_root() -> Path:
    return gaitlab_home() / "results"


@st.cache_resource
def _jobs(root: str) -> AnalysisJobs:
    return AnalysisJobs(ResultStore(Path(root)))


def jobs() -> AnalysisJobs:
    """The server's one background job runner for the current results folder."""
    return _jobs(str(results_root()))


def store() -> ResultStore:
    return jobs().store


@st.cache_resource
def thresholds() -> dict[str, Threshold]:
    return load_thresholds()


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(max_entries=16)
def _summary(path: str, mtime: float) -> dict[str, Any]:
    import json

    return json.loads(Path(path).read_text())


def load_summary(path: Path) -> dict[str, Any]:
    return _summary(str(path), _mtime(path))


@st.cache_data(max_entries=8)
def _frames(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path)


def load_frames(path: Path) -> pd.DataFrame:
    return _frames(str(path), _mtime(path))


@st.cache_data(max_entries=64)
def _frames_at(path: str, mtime: float, indices: tuple[int, ...], max_side: int):
    return read_frames(path, indices, max_side=max_side)


def frames_at(path: Path, indices: list[int], max_side: int) -> dict[int, np.ndarray]:
    """Decoded frames by index (thumbnails, the frame viewer), cached per file version."""
    return _frames_at(str(path), _mtime(path), tuple(sorted(set(indices))), max_side)


def download_ui(label: str, path: Path, file_name: str, mime: str, key: str) -> None:
    """A download button that reads the file only when clicked (videos can be large)."""
    if path.is_file():
        st.download_button(
            label,
            data=path.read_bytes,
            file_name=file_name,
            mime=mime,
            key=key,
            on_click="ignore",
            width="stretch",
        )
