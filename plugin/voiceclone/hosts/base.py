"""The port every host implements (REAPER, Audacity, the command line), and the one flow they share.

A :class:`Host` is what the flows of :mod:`.flows` see of a DAW: capture the selection, ask the
user, hand work to the background, put a result at a :class:`Place`, and say what happened. A
feature (clone a selection, speak at the cursor, speak many lines, patch a take) is written once,
against this port, as a :class:`Flow`; each host only implements the port.

Units: seconds on the project timeline, Hz, linear gains. Audio is never read on the DAW's UI
thread: a host captures a sample as a file or as a :class:`~voiceclone.capture.CapturePlan` (files,
offsets, lengths, gains) that the background job renders. Network work happens only in
:meth:`Host.run`.

A host keeps these rules:

- refuses a selection shorter than :data:`voiceclone.rules.CLONE_MIN_S` before anything else,
  with the measured length in the message, and says that one longer than 5 minutes is trimmed;
- inserts a result on a new track named :func:`track_name` directly below the source track, at
  the region's start (speech: at the edit cursor), as one undo step, leaving the user's selection
  and cursor as they were;
- writes paid audio to a new file first (a DAW: its media folder, named by :func:`voiceclone.files.media_path`), never
  over a file, so it is kept whatever happens to the insert.

Standard library only: REAPER's side imports this module inside REAPER's own Python.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Protocol, Sequence, Tuple

from .. import rules
from ..errors import AudioError

if TYPE_CHECKING:  # a script's lines are read only by the commands that speak scripts
    from ..script_file import ScriptLine


@dataclass(frozen=True)
class Place:
    """Where a result goes: at ``position_s`` on a track named ``track_name``, new and directly below
    the host's track ``below`` (a host's own key for a track, such as REAPER's GUID; None: after
    the last), or the existing track of that name when ``reuse_track``."""

    position_s: float
    track_name: str
    below: Optional[str] = None
    reuse_track: bool = False
    #: A patch: the source track's audio under it is split off onto a muted track of its own (kept,
    #: restorable), and the result takes its place.
    over: bool = False
    #: Put in muted (a variant to pick by ear).
    muted: bool = False


@dataclass(frozen=True)
class Captured:
    """A selection captured to clone from. ``sample`` is the job's way to the audio: ``{"audio":
    path}`` for a file the host wrote, ``{"capture": plan}`` for a plan the job renders."""

    sample: Dict[str, Any]
    length_s: float
    start_s: float
    name: str  # the take's or the track's name: the preset's default
    track: Optional[str]  # the source track, as :attr:`Place.below` names it
    source: Optional[str]  # where it came from, for the preset's record (None: the job says)
    offset_s: float = 0.0  # where the sample's first frame lies on the timeline


class Host(Protocol):
    """A DAW, as a flow sees it. Every method is called on the host's own thread (REAPER: its UI
    thread, in an action or a defer tick) and returns at once, except :meth:`run`'s work, which the
    host carries out its own way: in a child process polled from the UI loop (REAPER), or blocking,
    in the command's process (Audacity, the command line). ``then`` is always called on the host's
    thread; a failed job is shown with :meth:`fail` and the flow goes no further."""

    def capture(self) -> Captured:
        """The selection to clone from; raises :class:`~voiceclone.errors.InputError` saying what to
        select when there is none, or it is too short."""

    def cursor(self) -> Place:
        """Where speech goes: the edit cursor (or the time selection's start) on the selected track."""

    def new_file(self, name: str, what: str, extension: str) -> Optional[Path]:
        """Where the paid audio ``what`` ("preview", "speech") of preset ``name`` is written before it
        is inserted, and where it stays if the insert fails: a file that does not exist yet. None:
        the job's own default place."""

    def ask(self, title: str, fields: Sequence[str], defaults: Sequence[str], *, note: str = "") -> Optional[List[str]]:
        """The user's answers to ``fields`` (None: cancelled). A host without dialogs answers
        ``defaults``, which its command line filled in."""

    def confirm(self, question: str) -> bool:
        """The user's yes to spending or deleting something."""

    def say(self, line: str) -> None:
        """A line of progress or a note for the user."""

    def fail(self, error: Dict[str, Any]) -> None:
        """Show a failed job's error (``message``, ``fix``, ``exit_code``) to the user."""

    def run(self, job: Dict[str, Any], then: Callable[[Dict[str, Any]], None], *, title: str) -> None:
        """Carry out ``job`` (see :mod:`voiceclone.worker`), then call ``then(outcome)``."""

    def mark_pieces(self, spans: Sequence[Tuple[float, float]]) -> None:
        """Show the picked pieces (timeline seconds) where the user can see them before they are
        cloned: regions in REAPER, labels in Audacity; nothing on the command line."""

    def insert(self, path: Path, place: Place, *, undo: str) -> Dict[str, Any]:
        """Put the audio file ``path`` at ``place`` as one undo step named ``undo``; return what was
        made (the track's name, where the audio starts). Raises a
        :class:`~voiceclone.errors.HostError` naming ``path`` when it cannot."""


class PatchHost(Host, Protocol):
    """A host that can patch a take: it captures the selected phrase with the audio around it."""

    def capture_around(self, context_s: float) -> Captured:
        """The selected phrase on one track with up to ``context_s`` of the track on each side: the
        sample's ``start``/``end`` are the phrase's seconds in it, ``offset_s`` where it starts. A
        cursor point alone is a phrase with no ``end`` (it runs on to a pause): the context after
        it reaches :data:`POINT_REACH_S` further."""

    def insert_takes(self, takes: Sequence[Tuple[Path, Place]], *, undo: str) -> List[Dict[str, Any]]:
        """Put a patch (the first, ``over`` the take) and its variants (``muted``) in, in that order
        below the take, as one undo point where the host can; what :meth:`insert` says of each."""


class ScriptHost(Host, Protocol):
    """A host that speaks a script laid out in the project (REAPER's regions, Audacity's labels)."""

    def script_lines(self) -> List["ScriptLine"]:
        """The script's lines, each with its start on the timeline; raises
        :class:`~voiceclone.errors.InputError` saying how to lay one out when there is none."""

    def script_folder(self) -> Path:
        """Where the lines' files and the journal go, beside the project (the same on every run)."""

    def insert_lines(
        self, lines: Sequence[Tuple[Path, Place, List[Dict[str, Any]]]], *, undo: str
    ) -> List[Dict[str, Any]]:
        """Put each spoken line (its file, its place, its sentences' timings) in, one track per
        speaker, as one undo point; what was put where."""


#: What the picked pieces are called where a DAW shows them: "Voice clone pick 1", 2...
PICK_NAME = "Voice clone pick"

#: How far past a cursor point a phrase given by its start alone may run (to the pause that ends it).
POINT_REACH_S = 30.0

#: A flow's step: takes what the step before gave, returns the next value, a :class:`Work`, or :data:`STOP`.
Step = Callable[[Any], Any]


@dataclass(frozen=True)
class Work:
    """What a step returns to have ``job`` done by :meth:`Host.run`; the next step gets its outcome."""

    job: Dict[str, Any]
    title: str


#: What a step returns to end its flow (the user cancelled a dialog, there was nothing to do).
STOP = object()


class Flow:
    """A feature as a chain of steps on one host: the small state machine every host shares.

    Each step runs on the host's thread and gets the value the step before it returned. A step that
    returns :class:`Work` hands the job to the host; the chain goes on with its outcome when the
    host calls back (at once for a host that works in its own process, ticks later for REAPER).
    """

    def __init__(self, host: Host, steps: Sequence[Step]):
        self.host = host
        self.steps = list(steps)
        #: What the last step returned, once the flow has run to its end (None until then, or if stopped).
        self.result: Any = None

    def start(self, value: Any = None) -> "Flow":
        self._go(0, value)
        return self

    def _go(self, index: int, value: Any) -> None:
        while index < len(self.steps):
            value = self.steps[index](value)
            index += 1
            if value is STOP:
                return
            if isinstance(value, Work):
                self.host.run(value.job, self._resume_at(index), title=value.title)
                return
        self.result = value

    def _resume_at(self, index: int) -> Callable[[Dict[str, Any]], None]:
        def resume(outcome: Dict[str, Any]) -> None:
            self._go(index, outcome)

        return resume


TRACK_PREFIX = "Voice clone: "


def track_name(preset: str) -> str:
    """The name of the track a host inserts results on."""
    return TRACK_PREFIX + preset


def suggest_voice_id(name: str, moment: datetime) -> str:
    """A valid voice_id made from a track or take name, e.g. ``Host take 3`` -> ``Host_take_3_1125``."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
    if not words or not words[0].isalpha():
        words = "Voice" + ("_" + words if words else "")
    return f"{words[:240]}_{moment.strftime('%m%d%H%M')}"


def check_selection(length_s: float, *, where: str = "") -> None:
    """Refuse a selection too short to clone from, before anything else, with its measured length."""
    if length_s < rules.CLONE_MIN_S:
        raise AudioError(
            f"the selection is {rules.shown_seconds(length_s)} s; a voice clone needs {rules.CLONE_RANGE}",
            fix=f"Select at least {rules.CLONE_MIN_S:g} seconds of the voice{where}.",
        )
