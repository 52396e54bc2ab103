"""Ctrl-C and SIGTERM during a long command: the first asks the work to stop, the second
ends the process at once.

The first signal only sets an event that the work checks between frames. ``gaitlab
analyze``'s pose workers stop where they stand and the staging folder is removed by the
normal error path: the command exits 130 (Ctrl-C) or 143 (SIGTERM) with nothing written and
nothing saved. ``gaitlab live`` ends its session cleanly and still writes its outputs.
Should that take longer than the user is willing to wait, a second signal exits without any
clean-up (the history is not touched before an analysis has finished, so it stays as it was).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: Exit status after a signal: 128 + its number, as a shell reports it.
EXIT_SIGNAL_BASE = 128
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Interrupts:
    """The event the work checks, and the signal that set it (None: not interrupted)."""

    cancel: threading.Event = field(default_factory=threading.Event)
    signum: int | None = None

    @property
    def exit_code(self) -> int:
        """130 after Ctrl-C, 143 after SIGTERM."""
        return EXIT_SIGNAL_BASE + (self.signum or signal.SIGINT)


def _exit_now(signum: int) -> None:
    try:
        os.write(sys.stderr.fileno(), b"\ninterrupted\n")
    except (OSError, ValueError, AttributeError):  # no usable stderr: exit all the same
        pass
    os._exit(EXIT_SIGNAL_BASE + signum)


@contextmanager
def cancel_on_signals(cancel: threading.Event | None = None) -> Iterator[Interrupts]:
    """Within the block, Ctrl-C and SIGTERM set ``cancel`` (a new event unless given) instead
    of raising; a second one exits the process at once. Only the main thread can own
    signals: elsewhere the event is handed out and nothing else changes."""
    state = Interrupts() if cancel is None else Interrupts(cancel=cancel)
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum: int, frame: object) -> None:
        if state.cancel.is_set():
            _exit_now(signum)
        state.signum = signum
        state.cancel.set()

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield state
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
