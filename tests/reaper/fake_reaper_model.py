"""The in-memory REAPER project behind :class:`fake_reaper.FakeReaper`, and the bridge's conventions.

Sources: REAPER's bridge ``reaper_python.py`` and the ReaScript API documentation. The argument and return
conventions follow ``reaper_python.py`` (REAPER 6.x, 64-bit), which the reference was compiled from:

- handles are strings ``'(MediaItem*)0x00007FF000100000'`` (16 upper-case hex digits); a NULL
  handle is ``'(MediaItem*)0x0000000000000000'``, a truthy string (reaper_python.py);
- on the way in, ``rpr_packp`` parses a handle with its regular expression and passes it only if
  ``ValidatePtr(p, type)`` holds, else NULL (reaper_python.py). ``ValidatePtr`` checks against the *current*
  project tab, so a wrong type, an unknown or deleted object, ``0``, ``None``, a track or item of
  another tab, a ``PCM_source*`` no take uses and every ``void*`` argument all arrive as NULL
  (:meth:`fake_reaper.FakeReaper._pointer` says where each is documented);
- numbers go through ``ctypes`` exactly as the bridge does, so ``c_int(1.5)`` raises the same
  ``TypeError`` a script would get inside REAPER; C ``bool`` results come back as ``int`` 0/1.
"""

from __future__ import annotations

import ctypes
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import soundfile as sf

TRACK = "MediaTrack*"
ITEM = "MediaItem*"
TAKE = "MediaItem_Take*"
SOURCE = "PCM_source*"
PROJECT = "ReaProject*"
MARKER = "ProjectMarker*"
ANY = "void*"

#: ``rpr_packp``'s pattern: only this exact shape is ever turned back into a pointer.
_HANDLE = re.compile(r"^\((\w+\*|HWND)\)0x([0-9A-F]+)$")

#: Source type strings by file extension (the ReaScript API docs: ``WAVE``, ``MP3``, ``SECTION``, ``MIDI``...).
#: AIFF as ``WAVE`` is an assumption (REAPER reads AIFF with its WAV source); not verified.
SOURCE_TYPES = {
    ".wav": "WAVE",
    ".w64": "WAVE",
    ".rf64": "WAVE",
    ".bwf": "WAVE",
    ".aif": "WAVE",
    ".aiff": "WAVE",
    ".mp3": "MP3",
    ".flac": "FLAC",
    ".ogg": "VORBIS",
    ".opus": "OPUS",
    ".mid": "MIDI",
    ".midi": "MIDI",
}


# --- the bridge's argument conversions -----------------------------------------------------------


def c_int(value: Any) -> int:
    """An ``int`` argument as the bridge passes it (``ctypes.c_int``: floats raise TypeError)."""
    return ctypes.c_int(value).value


def c_double(value: Any) -> float:
    """A ``double`` argument as the bridge passes it (``ctypes.c_double``)."""
    return ctypes.c_double(value).value


def c_bool(value: Any) -> bool:
    """A ``bool`` argument: the bridge packs it as ``ctypes.c_byte``; REAPER reads non-zero as true."""
    return ctypes.c_byte(value).value != 0


def c_string(value: Any) -> str:
    """A ``const char*`` argument: the bridge sends ``str(value)`` (so ``None`` arrives as "None")."""
    return str(value)


def out_string(text: str, size: Any) -> str:
    """A string written into an out-buffer REAPER was told is ``size`` bytes long (reaper_python.py): at most
    ``size - 1`` UTF-8 bytes survive; a cut through a character fails to decode, as in the bridge."""
    limit = max(c_int(size) - 1, 0)
    return text.encode("utf-8")[:limit].decode("utf-8")


def null_handle(type_name: str) -> str:
    """The NULL handle of ``type_name``, e.g. ``'(MediaItem*)0x0000000000000000'`` (reaper_python.py)."""
    return format_handle(type_name, 0)


def format_handle(type_name: str, address: int) -> str:
    """``rpr_unpackp``: ``'(%s)0x%08X%08X'``."""
    return f"({type_name})0x{address >> 32:08X}{address & 0xFFFFFFFF:08X}"


class Handles:
    """Stable, unique pointer-like addresses for model objects, and the way back.

    Nothing here says whether an object is still valid: that is ``ValidatePtr``'s check, made by
    :meth:`fake_reaper.FakeReaper._pointer` against the current project.
    """

    _BASE = 0x00007FF000100000
    _STEP = 0x1A0

    def __init__(self):
        self._objects: Dict[int, Tuple[str, Any]] = {}
        self._next = self._BASE

    def register(self, obj: Any, type_name: str) -> str:
        """Give ``obj`` its handle (stored on ``obj.handle``) and return it."""
        address, self._next = self._next, self._next + self._STEP
        self._objects[address] = (type_name, obj)
        obj.handle = format_handle(type_name, address)
        return obj.handle

    def parse(self, value: Any, type_name: str) -> Optional[Any]:
        """The first half of ``rpr_packp``: the object behind ``value`` when it has the bridge's
        handle shape, its written type is ``type_name`` (any type for ``void*``) and it names an
        object of that type; else None."""
        match = _HANDLE.match(str(value))
        if match is None:
            return None
        written_type, digits = match.groups()
        if written_type != type_name and type_name != ANY:
            return None
        entry = self._objects.get(int(digits, 16))
        if entry is None or (type_name != ANY and entry[0] != type_name):
            return None
        return entry[1]


def make_guid(counter: int) -> str:
    """A REAPER-style GUID string, deterministic per fake: ``{0000A11C-...}``."""
    return f"{{{str(uuid.UUID(int=(0xA11CE << 96) + counter)).upper()}}}"


# --- the project model ---------------------------------------------------------------------------


@dataclass(eq=False)
class Source:
    """A ``PCM_source``: a file (facts read from the real file), in-project MIDI, or a SECTION of a
    parent source (offset, length, reversed; the ReaScript API docs)."""

    type: str
    filename: str = ""
    length: float = 0.0
    parent: Optional[Source] = None
    section_offset: float = 0.0
    section_length: float = 0.0
    reversed: bool = False
    #: True once "Peaks: Build any missing peaks" (40047) ran after the source entered the project.
    peaks_built: bool = False
    #: The take (or SECTION source) that owns this source.
    owner: Any = None
    handle: str = ""

    @classmethod
    def from_file(cls, path: str, *, type_name: Optional[str] = None) -> Optional[Source]:
        """A file source with the file's real length; None for an extension REAPER would not
        open; a source of length 0 for a missing file (REAPER keeps it as offline media)."""
        kind = type_name or SOURCE_TYPES.get(Path(path).suffix.lower())
        if kind is None:
            return None
        if kind == "MIDI" or not os.path.isfile(path):
            return cls(type=kind, filename=path)
        info = sf.info(path)
        return cls(type=kind, filename=path, length=info.frames / info.samplerate)

    @classmethod
    def midi(cls, length: float) -> Source:
        """In-project MIDI: no file name (the ReaScript API docs)."""
        return cls(type="MIDI", length=length)

    @classmethod
    def section_of(cls, parent: Source, offset: float, length: Optional[float], reversed_: bool = False) -> Source:
        """A SECTION source playing ``length`` seconds of ``parent`` from ``offset``."""
        length = parent.length - offset if length is None else length
        section = cls(
            type="SECTION",
            length=length,
            parent=parent,
            section_offset=offset,
            section_length=length,
            reversed=reversed_,
        )
        parent.owner = section
        return section

    def root(self) -> Source:
        """The file (or MIDI) source at the bottom of a SECTION chain."""
        source = self
        while source.parent is not None:
            source = source.parent
        return source


@dataclass(eq=False)
class Take:
    """A ``MediaItem_Take``; ``is_midi`` follows its source, as ``TakeIsMIDI`` does."""

    name: str = ""
    source: Optional[Source] = None
    start_offset: float = 0.0  # D_STARTOFFS
    playrate: float = 1.0  # D_PLAYRATE
    volume: float = 1.0  # D_VOL
    pan: float = 0.0  # D_PAN
    pitch: float = 0.0  # D_PITCH
    chanmode: int = 0  # I_CHANMODE
    preserve_pitch: bool = True  # B_PPITCH
    stretch_markers: List[Tuple[float, float]] = field(default_factory=list)
    #: Take markers (``SetTakeMarker``): (source position, name).
    markers: List[Tuple[float, str]] = field(default_factory=list)
    ext: Dict[str, str] = field(default_factory=dict)
    guid: str = ""
    item: Optional[Item] = None
    handle: str = ""

    @property
    def is_midi(self) -> bool:
        return self.source is not None and self.source.root().type == "MIDI"


@dataclass(eq=False)
class Item:
    """A ``MediaItem``. Fade lengths are stored but never applied to audio."""

    position: float = 0.0  # D_POSITION
    length: float = 0.0  # D_LENGTH
    mute: bool = False  # B_MUTE
    volume: float = 1.0  # D_VOL
    selected: bool = False  # B_UISEL
    loop_source: bool = False  # B_LOOPSRC
    fade_in: float = 0.0  # D_FADEINLEN
    fade_out: float = 0.0  # D_FADEOUTLEN
    takes: List[Take] = field(default_factory=list)
    active_take: int = 0  # I_CURTAKE
    params: Dict[str, float] = field(default_factory=dict)
    guid: str = ""
    track: Optional[Track] = None
    handle: str = ""

    def take(self) -> Optional[Take]:
        """The active take, None for an empty item."""
        return self.takes[self.active_take] if 0 <= self.active_take < len(self.takes) else None

    @property
    def end(self) -> float:
        return self.position + self.length


@dataclass(eq=False)
class Track:
    """A ``MediaTrack``; an empty ``name`` shows as "Track N" (the ReaScript API docs, ``GetTrackName``)."""

    name: str = ""
    selected: bool = False  # I_SELECTED
    mute: bool = False  # B_MUTE
    volume: float = 1.0  # D_VOL
    pan: float = 0.0  # D_PAN
    items: List[Item] = field(default_factory=list)
    ext: Dict[str, str] = field(default_factory=dict)
    guid: str = ""
    handle: str = ""

    def sort_items(self) -> None:
        """REAPER keeps a track's items ordered by position (stable for equal positions)."""
        self.items.sort(key=lambda item: item.position)


@dataclass(eq=False)
class Marker:
    """A project marker or region (``AddProjectMarker2``): its shown number, place and name."""

    number: int
    is_region: bool
    position: float
    end: float
    name: str
    guid: str = ""
    handle: str = ""


@dataclass
class UndoEntry:
    """One undo point: the outermost ``Undo_EndBlock2`` of a block and what changed inside it."""

    description: str
    flags: int
    changes: List[Change] = field(default_factory=list)


@dataclass(eq=False)
class Project:
    """The one open project (``ReaProject``). ``media_path`` is what ``GetProjectPathEx`` returns."""

    media_path: str
    file_name: str = ""
    tracks: List[Track] = field(default_factory=list)
    time_selection: Tuple[float, float] = (0.0, 0.0)
    loop_range: Tuple[float, float] = (0.0, 0.0)
    cursor: float = 0.0
    undo_history: List[UndoEntry] = field(default_factory=list)
    #: Markers and regions in REAPER's enumeration order (by position).
    markers: List[Marker] = field(default_factory=list)
    #: Changed since it was last saved (``IsProjectDirty``).
    dirty: bool = False
    #: How many times the script asked for a redraw (UpdateArrange, UpdateTimeline, UpdateItemInProject).
    ui_refresh: int = 0
    handle: str = ""

    def items(self) -> List[Item]:
        """Every item in ``GetMediaItem`` order: by track, then by position."""
        return [item for track in self.tracks for item in track.items]


# --- what the fake records -----------------------------------------------------------------------


@dataclass
class Change:
    """One edit of the project made through the API.

    ``kind`` names it (``track_inserted``, ``item_moved``, ``item_selection``, ``edit_cursor``,
    ``time_selection``, ``take_source``...), ``handle`` is the object's handle (the project's for
    cursor and time selection), ``what`` the parameter or key, ``old``/``new`` the values.
    """

    kind: str
    handle: str
    what: str = ""
    old: Any = None
    new: Any = None
    in_undo_block: bool = False


@dataclass
class ModalCall:
    """A modal dialog the script opened, with the answer the test scripted for it."""

    kind: str  # "GetUserInputs" or "ShowMessageBox"
    title: str
    message: str = ""
    box_type: int = 0
    captions: List[str] = field(default_factory=list)
    defaults: List[str] = field(default_factory=list)
    separator: str = ","
    #: True when the dialog opened from deferred code, i.e. in a tick of the script's defer loop.
    during_defer_loop: bool = False
    #: The tick it opened in (None outside the loop).
    tick: Optional[int] = None
    #: For a dialog opened in a tick: whether that tick deferred more code, i.e. the dialog froze a
    #: loop that was still going (a job's progress), rather than ending it (the job's final report).
    loop_went_on: Optional[bool] = None
    answer: Any = None


@dataclass
class InputsAnswer:
    ok: bool
    values: Optional[List[str]]


@dataclass
class RegisteredScript:
    """A script added with ``AddRemoveReaScript`` and its command id (the ReaScript API docs)."""

    command_id: int
    section: int
    path: str


@dataclass
class ScriptError:
    """An exception raised by the script's body, deferred code or atexit code (REAPER prints it
    and ends the script)."""

    phase: str  # "main", "defer" or "atexit"
    code: str  # the file name, or the deferred code string
    exception: BaseException
    traceback: str
