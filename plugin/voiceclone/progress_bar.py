"""Progress on a terminal: one tqdm line per step of a job (bytes for uploads, elapsed time otherwise)."""

import threading
from typing import Optional, TextIO

from tqdm import tqdm

from .events import Event


class TerminalProgress:
    """An ``on_event`` sink that draws progress on ``stream`` (stderr). Use as a context manager."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self._bar: Optional[tqdm] = None
        self._stage: Optional[str] = None
        self._ticker: Optional[threading.Event] = None

    def __call__(self, event: Event) -> None:
        if event.stage != self._stage:
            self._close()
            self._stage = event.stage
            if event.total:
                self._bar = tqdm(
                    total=event.total, desc=event.message, unit="B", unit_scale=True, file=self._stream, leave=False
                )
            else:
                self._bar = tqdm(
                    total=None, desc=event.message, bar_format="{desc} ({elapsed})", file=self._stream, leave=False
                )
                self._tick(self._bar)
        elif self._bar is not None and not event.total and event.message != self._bar.desc:
            self._bar.set_description_str(event.message)  # another wait, another sentence
        if self._bar is not None and event.total and event.done is not None:
            self._bar.n = event.done
            self._bar.refresh()

    def write(self, line: str) -> None:
        """A line that stays, above the progress bar."""
        tqdm.write(line, file=self._stream)

    def _tick(self, bar: tqdm) -> None:
        """Redraw the elapsed time of a step that reports nothing while it waits."""
        stop = threading.Event()
        self._ticker = stop

        def run() -> None:
            while not stop.wait(0.5):
                bar.refresh()

        threading.Thread(target=run, daemon=True).start()

    def _close(self) -> None:
        if self._ticker is not None:
            self._ticker.set()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "TerminalProgress":
        return self

    def __exit__(self, *exc) -> None:
        self._close()
