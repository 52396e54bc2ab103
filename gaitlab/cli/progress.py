"""Progress bars on stderr for the commands that run the pipeline."""

from __future__ import annotations

import sys


class Progress:
    """tqdm bars on stderr, one per stage ("pose", "video"); silent when not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            label = {"pose": "pose estimation", "video": "annotated video"}.get(stage, stage)
            bar = tqdm(total=total or None, desc=label, unit="frame", file=sys.stderr, leave=True)
            self.bars[stage] = bar
        bar.n = done  # type: ignore[attr-defined]
        if total and done > total:
            bar.total = done  # type: ignore[attr-defined]
        bar.refresh()  # type: ignore[attr-defined]

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()  # type: ignore[attr-defined]
