"""The events file between a background job and its DAW host: one JSON object per line.

Standard library only: the host side runs inside the DAW's own Python.
"""

import json
import time
from pathlib import Path
from typing import List


class EventsFileWriter:
    """Appends events to the events file, flushed line by line."""

    def __init__(self, path: Path):
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())

    def write(self, event: str, **fields) -> None:
        self._handle.write(json.dumps({"event": event, "time": round(time.time(), 3), **fields}) + "\n")
        self._handle.flush()

    def progress(self, event) -> None:
        """An ``on_event`` sink for :mod:`voiceclone.jobs`."""
        self.write("progress", stage=event.stage, message=event.message, done=event.done, total=event.total)

    def close(self) -> None:
        self._handle.close()


class EventsFileReader:
    """Reads the complete lines added to an events file since the last call; never blocks."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._offset = 0
        self._partial = b""

    def poll(self) -> List[dict]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        return [json.loads(line) for line in lines if line.strip()]
