"""Saving an analysis into the history right after ``gaitlab analyze`` (or the app) ran."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gaitlab.pipeline import Analysis
    from gaitlab.store.core import Person, Store


def save_after_analyze(
    analysis: Analysis,
    out_dir: str | os.PathLike[str] | None,
    *,
    person: Person | int | str | None = None,
    store: Store | None = None,
    source: str = "file",
    notes: str | None = None,
) -> int:
    """Save a finished analysis and the files it wrote to ``out_dir``; returns the session id.

    The files in ``out_dir`` stay where they are (the history keeps its own links or
    copies), plus ``landmarks.npz`` with every landmark for face blurring and exports. Call
    it only after :func:`gaitlab.pipeline.analyze_video` returned: an analysis that failed
    has nothing to save, so the history never holds half a session.

    Parameters
    ----------
    analysis
        What :func:`~gaitlab.pipeline.analyze_video` returned.
    out_dir
        The folder it wrote to, or None when nothing was written.
    person
        Whose session (:class:`~gaitlab.store.Person`, id or name) or None.
    store
        An open store; default :meth:`Store.open() <gaitlab.store.Store.open>` (closed again).
    """
    from gaitlab.store.core import Store

    own = store is None
    target = Store.open() if store is None else store
    try:
        return target.save_analysis(
            analysis,
            person,
            source=source,
            result_dir=Path(out_dir) if out_dir is not None else None,
            notes=notes,
        )
    finally:
        if own:
            target.close()
