"""What a job tells while it runs: one :class:`Event` per step, wait and warning, sent to an
``on_event`` sink (the command line draws a progress bar; a DAW host forwards them to its events
file, :mod:`.events_file`). Standard library only."""

from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Event:
    """A step of a job. ``done``/``total`` count bytes where known."""

    stage: str  # prepare, upload, clone, download, save, speak; "warning", "note": said once, at once
    message: str
    done: Optional[int] = None
    total: Optional[int] = None


EventSink = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    """The ``on_event`` sink of a caller that shows no progress."""
    pass


def waits(on_event: EventSink) -> Callable[[str], None]:
    """Tell the progress line why the job waits before trying again."""
    return lambda message: on_event(Event("wait", message))
