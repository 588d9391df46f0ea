"""What the hosts driven by a command (Audacity, the command line) share: the command's options are
the user's answers, the command line tells the outcome, and jobs run in the command's own process
through :func:`voiceclone.worker.perform`, as REAPER's background child runs them."""

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import VoiceCloneError
from ..settings import Settings
from ..worker import perform
from .base import Place


class InProcessHost:
    """The half of a :class:`~.base.Host` a command-driven host has in common; ``on_event`` gets the
    jobs' progress."""

    def __init__(self, settings: Settings, *, on_event: Callable):
        self.settings = settings
        self._on_event = on_event

    def ask(self, title: str, fields: Sequence[str], defaults: Sequence[str], *, note: str = "") -> Optional[List[str]]:
        """The command line filled in the answers: they are the defaults."""
        return list(defaults)

    def confirm(self, question: str) -> bool:
        """The command itself is the user's yes: the command line says what it spends first."""
        return True

    def say(self, line: str) -> None:
        """The command line tells the outcome itself."""

    def fail(self, error: Dict[str, Any]) -> None:
        raise VoiceCloneError(str(error.get("message")), fix=error.get("fix"))

    def run(self, job: Dict[str, Any], then: Callable[[Dict[str, Any]], None], *, title: str) -> None:
        """Do ``job`` now, blocking, then go on."""
        then(perform(job, self.settings, self._on_event))

    def mark_pieces(self, spans: Sequence[Tuple[float, float]]) -> None:
        """The command line says the pieces itself (the pick's summary and ``--json``)."""

    def insert(self, path: Path, place: Place, *, undo: str) -> Dict[str, Any]:
        raise NotImplementedError  # each host puts a result in its own way

    def insert_takes(self, takes: Sequence[Tuple[Path, Place]], *, undo: str) -> List[Dict[str, Any]]:
        """One :meth:`insert` each (a command-driven host has no undo points to group); each goes
        directly below the take, so the last goes in first."""
        return [self.insert(path, place, undo=undo) for path, place in reversed(takes)][::-1]
