"""A stand-in for REAPER's Python ReaScript bridge: run the plugin's real action scripts in tests.

It follows REAPER's ReaScript API documentation (reaper.fm/sdk/reascript/reascripthelp.html) and
the bridge it was compiled from (``reaper_python.py``): handles are strings and a NULL handle is a
truthy string ending in ``0x0000000000000000``; a bad handle becomes NULL; out-parameters come back
as tuples echoing every argument; C bools are ``int`` 0/1; numbers pass through ``ctypes`` (``GetTrack(0, 1.0)`` raises
``TypeError`` as it would in REAPER); ``RPR_defer`` takes a code string and lives only in the
script's ``__main__`` globals. It offers only the ``RPR_`` functions the plugin calls.

A test builds a project, scripts the dialogs, runs an action script, and reads what happened::

    fake = FakeReaper(resource_path=tmp_path / "REAPER", project_media_path=tmp_path / "Media")
    voice = fake.add_track("Voice", selected=True)
    fake.add_item(voice, wav_path, position=2.0, selected=True)
    fake.answer_inputs(ok=True, values=["Host", "hello"])
    fake.run_script(script_path, max_ticks=500)
    assert fake.undo_history == ["Voice clone: insert preview"]
    fake.assert_clean()

Inspection: ``changes`` (every edit, :class:`Change`), ``net_changes()``, ``undo_history``,
``modal_calls``, ``console``, ``commands``, ``ext_state``, ``script_errors``, ``protocol_errors``
(API misuse REAPER would not report: unbalanced undo/refresh, a source given to a second take...),
``tick_times``, ``ui_refresh_depth``, ``undo_depth``, ``project`` (the model itself).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import sys
import time
import traceback
import types
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple, Union

from fake_reaper_model import (
    ANY,
    ITEM,
    MARKER,
    PROJECT,
    SOURCE,
    TAKE,
    TRACK,
    Change,
    Handles,
    InputsAnswer,
    Item,
    Marker,
    ModalCall,
    Project,
    RegisteredScript,
    ScriptError,
    Source,
    Take,
    Track,
    UndoEntry,
    c_bool,
    c_double,
    c_int,
    c_string,
    make_guid,
    null_handle,
    out_string,
)

__all__ = ["FakeReaper", "Change", "ModalCall", "ScriptError", "UndoEntry", "null_handle", "BUILD_PEAKS"]

#: "Peaks: Build any missing peaks" (the ReaScript API docs).
BUILD_PEAKS = 40047
#: GetUserInputs shows at most 16 fields (the ReaScript API docs).
MAX_INPUT_FIELDS = 16
#: What each ShowMessageBox type can return (the ReaScript API docs):
#: 1 OK, 2 Cancel, 3 Abort, 4 Retry, 5 Ignore, 6 Yes, 7 No.
BOX_ANSWERS = {0: (1,), 1: (1, 2), 2: (3, 4, 5), 3: (6, 7, 2), 4: (6, 7), 5: (4, 2)}
#: Seconds slept between defer ticks when no ``tick_hook`` is given (REAPER: ~1/30 s, the ReaScript API docs).
TICK_INTERVAL = 1 / 30
#: Changes that are events (an object appeared), not a value that went from old to new.
EVENT_KINDS = ("track_inserted", "track_deleted", "item_added", "take_added")
_FIRST_SCRIPT_COMMAND = 53000
#: The region/marker object API of newer REAPERs (see FakeReaper.region_api).
REGION_API = (
    "RPR_GetNumRegionsOrMarkers",
    "RPR_GetRegionOrMarker",
    "RPR_GetRegionOrMarkerInfo_Value",
    "RPR_GetSetRegionOrMarkerInfo_String",
)
_MISSING = object()

# Numeric parameters: name -> model attribute, name -> change kind, and stored extras with defaults.
_TRACK_FIELDS = {"B_MUTE": "mute", "I_SELECTED": "selected", "D_VOL": "volume", "D_PAN": "pan"}
_TRACK_EXTRAS = {
    "I_SOLO": 0,
    "I_RECARM": 0,
    "I_RECMON": 0,
    "I_RECMODE": 0,
    "I_FOLDERDEPTH": 0,
    "I_NCHAN": 2,
    "B_PHASE": 0,
    "I_FXEN": 1,
    "B_SHOWINTCP": 1,
    "B_SHOWINMIXER": 1,
    "I_CUSTOMCOLOR": 0,
    "D_WIDTH": 1.0,
}
_ITEM_FIELDS = {
    "D_POSITION": "position",
    "D_LENGTH": "length",
    "B_MUTE": "mute",
    "D_VOL": "volume",
    "B_UISEL": "selected",
    "B_LOOPSRC": "loop_source",
    "D_FADEINLEN": "fade_in",
    "D_FADEOUTLEN": "fade_out",
    "I_CURTAKE": "active_take",
}
_ITEM_KINDS = {
    "D_POSITION": "item_moved",
    "D_LENGTH": "item_length",
    "B_MUTE": "item_mute",
    "D_VOL": "item_volume",
    "B_UISEL": "item_selection",
    "B_LOOPSRC": "item_loop_source",
    "I_CURTAKE": "active_take",
}
_ITEM_EXTRAS = {
    "C_LOCK": 0,
    "D_SNAPOFFSET": 0.0,
    "B_ALLTAKESPLAY": 0,
    "I_CUSTOMCOLOR": 0,
    "I_GROUPID": 0,
    "C_FADEINSHAPE": 0,
    "C_FADEOUTSHAPE": 0,
}
_TAKE_FIELDS = {
    "D_STARTOFFS": "start_offset",
    "D_PLAYRATE": "playrate",
    "D_VOL": "volume",
    "D_PAN": "pan",
    "D_PITCH": "pitch",
    "I_CHANMODE": "chanmode",
    "B_PPITCH": "preserve_pitch",
}
_TAKE_EXTRAS = {"D_PANLAW": -1.0, "I_PITCHMODE": -1, "I_CUSTOMCOLOR": 0}


def _typed(name: str, value: float) -> Any:
    """A parameter value of the type its prefix names: ``B_`` bool, ``I_``/``C_`` int, ``D_`` float."""
    if name.startswith("B_"):
        return value != 0
    if name.startswith(("I_", "C_")):
        return int(value)
    return float(value)


def _byte_out(value: Any) -> int:
    """An out-parameter the bridge packed as ``c_byte`` and REAPER left untouched."""
    return int(ctypes.c_byte(value).value)


def parse_captions(captions_csv: str, count: int) -> Tuple[List[str], str]:
    """GetUserInputs captions and the value separator (the ReaScript API docs): ``extrawidth=N`` is dropped,
    ``separator=X`` (one character, ``separator=,`` included) sets the separator."""
    pieces = captions_csv.split(",")
    captions, separator, index = [], ",", 0
    while index < len(pieces):
        piece = pieces[index]
        if piece.startswith("separator="):
            rest = piece[len("separator=") :]
            separator = rest[0] if rest else ","
            index += 0 if rest else 1  # "separator=," was split at its own comma
        elif not piece.startswith("extrawidth="):
            captions.append(piece)
        index += 1
    captions = captions[:count]
    return captions + [""] * (count - len(captions)), separator


def split_values(text: str, separator: str, count: int) -> List[str]:
    """``count`` fields of a values string (missing ones empty)."""
    values = text.split(separator)[:count] if text else []
    return values + [""] * (count - len(values))


class _MainModule(types.ModuleType):
    """``sys.modules["__main__"]`` while a script runs: its attributes are the script's globals, so
    library code can reach ``sys.modules["__main__"].RPR_defer`` as reapy does (reaper_python.py)."""

    def __init__(self, namespace: Dict[str, Any]):
        super().__init__("__main__")
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._namespace[name] = value


@dataclass
class _Session:
    """The script being run: its globals."""

    path: str
    namespace: Dict[str, Any]
    ticks: int = 0
    stop_requested: bool = False


class FakeReaper:
    """One REAPER instance with its project tabs, exposing the ``RPR_`` functions a script uses.

    Parameters
    ----------
    resource_path, project_media_path
        Real folders (created if missing): ``GetResourcePath()`` and the first project's recording
        path (``GetProjectPathEx``, the ReaScript API docs). That project is unsaved (``EnumProjects`` gives no .rpp
        name); :meth:`open_project` opens more tabs.

    ``section_parents_valid`` says whether the file source under a SECTION source passes the
    pointer check. The bridge's rule (a ``PCM_source*`` is valid while a take of the project uses
    it, reaper_python.py) does not say whether a section's parent counts as used; tests run both ways.
    ``move_cursor_on_insert`` is REAPER's preference to move the edit cursor after inserting media.
    ``insert_take_becomes_active`` says whether a take InsertMedia adds to an item (mode 3) becomes
    its active take: the reference marks it unknown, so tests run both ways.
    ``python_path`` is the ``sys.path`` of REAPER's one Python, shared by every script it runs.
    ``region_api`` says whether this REAPER has the region/marker object API (``GetNumRegionsOrMarkers``,
    ``GetRegionOrMarker``, ``GetRegionOrMarkerInfo_Value``, ``GetSetRegionOrMarkerInfo_String``: REAPER 7
    scripts test for it before use); without it, a Python script cannot read a marker's name at all
    (see :meth:`RPR_EnumProjectMarkers3`). ``marker_pointers_valid`` says whether the bridge's
    pointer check passes a ``ProjectMarker*`` back in: ``ValidatePtr``'s documented types do not
    include it, so in REAPER it may go in as NULL; tests run both ways.
    """

    def __init__(self, *, resource_path: Union[str, Path], project_media_path: Union[str, Path]):
        self.resource_path = Path(resource_path)
        self.resource_path.mkdir(parents=True, exist_ok=True)
        self.handles = Handles()
        self.projects: List[Project] = []
        self._current: Optional[Project] = None
        self.open_project(project_media_path)
        self.section_parents_valid = False
        self.move_cursor_on_insert = True
        self.insert_take_becomes_active = True
        self.region_api = True
        self.marker_pointers_valid = True
        self.python_path: List[str] = list(sys.path)
        self._guids = itertools.count(1)
        # REAPER-wide state
        self.ext_state: Dict[Tuple[str, str], str] = {}
        self.console = ""
        self.commands: List[Tuple[int, int]] = []
        self.registered_scripts: Dict[int, RegisteredScript] = {}
        self.modal_calls: List[ModalCall] = []
        self._input_answers: Deque[InputsAnswer] = deque()
        self._box_answers: Deque[int] = deque()
        self._next_command = _FIRST_SCRIPT_COMMAND
        # project edits
        self.changes: List[Change] = []
        self._block_changes: List[Change] = []
        self.undo_depth = 0
        self.ui_refresh_depth = 0
        self.update_calls: List[str] = []
        self.protocol_errors: List[str] = []
        # the running script
        self.script_errors: List[ScriptError] = []
        self.tick_times: List[float] = []
        self._deferred: List[str] = []
        self._atexit: List[str] = []
        self._session: Optional[_Session] = None
        self._in_tick = False
        self._looping = False
        self._script_modules: set = set()

    @property
    def project(self) -> Project:
        """The current project tab: the one the user sees, and the one the pointer check uses."""
        return self._current

    # ============================================================================================
    # Builders: set up the project a test starts from, and what the user does (not logged)
    # ============================================================================================

    def open_project(self, media_path: Union[str, Path], *, file_name: str = "") -> str:
        """Open a new project tab, which becomes the current one (File > New project tab);
        returns its ``ReaProject*`` handle."""
        Path(media_path).mkdir(parents=True, exist_ok=True)
        project = Project(media_path=str(media_path), file_name=file_name)
        self.handles.register(project, PROJECT)
        self.projects.append(project)
        self._current = project
        return project.handle

    def switch_project(self, handle: str) -> None:
        """The user clicks another project tab."""
        self._current = self._open_project(handle)

    def close_project(self, handle: str) -> None:
        """The user closes a tab; the tab on its left (or the first one) becomes current."""
        project = self._open_project(handle)
        index = self.projects.index(project)
        self.projects.remove(project)
        if project is self._current:
            self._current = self.projects[max(index - 1, 0)] if self.projects else None

    def delete_track(self, handle: str) -> None:
        """The user removes a track (with its items) from the current project."""
        self.project.tracks.remove(self._track_argument(handle))

    def _open_project(self, handle: str) -> Project:
        project = self.handles.parse(handle, PROJECT)
        if project not in self.projects:
            raise ValueError(f"no open project {handle!r}")
        return project

    def add_marker(self, position: float, name: str, *, region_end: Optional[float] = None) -> str:
        """The user adds a marker (or, with ``region_end``, a region) and names it; returns its
        handle. The project then has unsaved changes."""
        regions = [m for m in self.project.markers if m.is_region == (region_end is not None)]
        marker = Marker(
            number=len(regions) + 1,
            is_region=region_end is not None,
            position=position,
            end=position if region_end is None else region_end,
            name=name,
            guid=make_guid(next(self._guids)),
        )
        self.handles.register(marker, MARKER)
        self.project.markers.append(marker)
        self.project.markers.sort(key=lambda m: m.position)
        self.project.dirty = True
        return marker.handle

    def save_project(self, path: Union[str, Path]) -> None:
        """The user saves the current project (File > Save project) as ``path``. Of the .rpp only
        the MARKER lines are written, in REAPER's form: ``MARKER number position "name" flags``,
        flags 1 for a region, whose end is a second MARKER line of the same number with no name."""
        rows = ["<REAPER_PROJECT 0.1"]
        for m in self.project.markers:
            quoted = '"' + m.name + '"' if '"' not in m.name else "'" + m.name + "'"
            rows.append(f"  MARKER {m.number} {m.position:.10f} {quoted} {int(m.is_region)} 0 1 R {m.guid} 0")
            if m.is_region:
                rows.append(f'  MARKER {m.number} {m.end:.10f} "" 1')
        rows.append(">")
        Path(path).write_text("\n".join(rows) + "\n", encoding="utf-8")
        self.project.file_name = str(path)
        self.project.dirty = False

    def add_track(self, name: str = "", *, selected: bool = False) -> str:
        """Append a track; returns its handle."""
        track = self._new_track(name)
        track.selected = selected
        self.project.tracks.append(track)
        return track.handle

    def add_item(
        self,
        track: Union[str, int],
        source_path: Union[str, Path, None] = None,
        *,
        position: float,
        length: Optional[float] = None,
        start_offset: float = 0.0,
        playrate: float = 1.0,
        item_vol: float = 1.0,
        take_vol: float = 1.0,
        mute: bool = False,
        selected: bool = False,
        take_name: Optional[str] = None,
        source_type: Optional[str] = None,
        preserve_pitch: bool = True,
        section_offset: float = 0.0,
        section_length: Optional[float] = None,
        reversed: bool = False,
    ) -> str:
        """Put an item with one take of ``source_path`` on ``track`` (a handle or an index).

        ``length`` defaults to what is left of the source after ``start_offset`` at ``playrate``.
        ``source_type``: None (from the extension), another type name to fake (e.g. "MP3"),
        "SECTION" (a section of the file: ``section_offset``, ``section_length``, ``reversed``) or
        "MIDI" (in-project MIDI when ``source_path`` is None; give ``length``). Builder sources
        have their peaks built, as media already in a project does.
        """
        owner = self._track_argument(track)
        source = self._builder_source(source_path, source_type, length, section_offset, section_length, reversed)
        if length is None:
            length = max(source.length - start_offset, 0.0) / playrate
        item = self._new_item(owner)
        item.position, item.length, item.mute, item.volume = position, length, mute, item_vol
        item.selected = selected
        take = self._new_take(item)
        take.name = take_name if take_name is not None else (Path(source_path).name if source_path else "")
        take.start_offset, take.playrate, take.volume = start_offset, playrate, take_vol
        take.preserve_pitch = preserve_pitch
        self._attach(take, source)
        owner.items.append(item)
        owner.sort_items()
        return item.handle

    def set_time_selection(self, start: float, end: float) -> None:
        self.project.time_selection = (float(start), float(end))

    def set_cursor(self, position: float) -> None:
        self.project.cursor = float(position)

    def answer_inputs(self, ok: bool = True, values: Optional[List[Any]] = None) -> None:
        """Script the next GetUserInputs: OK with ``values`` (one per field; None keeps the
        defaults) or Cancel (``ok=False``)."""
        self._input_answers.append(InputsAnswer(bool(ok), None if values is None else [str(v) for v in values]))

    def answer_message_box(self, result: int) -> None:
        """Script the next ShowMessageBox: 1 OK, 2 Cancel, 6 Yes, 7 No... (the ReaScript API docs)."""
        self._box_answers.append(int(result))

    # ============================================================================================
    # Read-side views for assertions
    # ============================================================================================

    def track_names(self, project: Optional[str] = None) -> List[str]:
        """Every track's own name in order ("" for an unnamed one), in the current project or the
        tab whose handle is ``project``."""
        return [track.name for track in self._view_of(project).tracks]

    def items_on(self, track_index: int, project: Optional[str] = None) -> List[Dict[str, Any]]:
        """Plain views of the items on the track at ``track_index``, in position order."""
        return [self._item_view(item) for item in self._view_of(project).tracks[track_index].items]

    def undo_points(self, project: Optional[str] = None) -> List[str]:
        """Descriptions of the undo points the scripts created in a project, oldest first."""
        return [entry.description for entry in self._view_of(project).undo_history]

    @property
    def undo_history(self) -> List[str]:
        """:meth:`undo_points` of the current project."""
        return self.undo_points()

    def _view_of(self, project: Optional[str]) -> Project:
        return self.project if project is None else self._open_project(project)

    @property
    def message_boxes(self) -> List[ModalCall]:
        return [call for call in self.modal_calls if call.kind == "ShowMessageBox"]

    @property
    def input_dialogs(self) -> List[ModalCall]:
        return [call for call in self.modal_calls if call.kind == "GetUserInputs"]

    @property
    def dialogs_freezing_the_loop(self) -> List[ModalCall]:
        """Dialogs opened in a tick after which the loop went on: they froze a running job (the ReaScript API docs:
        a modal box blocks REAPER and the defer loop)."""
        return [call for call in self.modal_calls if call.loop_went_on]

    @property
    def unused_answers(self) -> List[Any]:
        """Scripted dialog answers no dialog consumed."""
        return list(self._input_answers) + list(self._box_answers)

    def net_changes(self) -> List[Change]:
        """``changes`` with repeated edits of one value folded (first old, last new) and edits that
        ended where they began dropped, so a selection saved and restored leaves nothing."""
        folded: Dict[Tuple[str, str, str], Change] = {}
        for index, change in enumerate(self.changes):
            key = (change.kind, change.handle, change.what if change.kind not in EVENT_KINDS else str(index))
            if key in folded:
                first = folded[key]
                folded[key] = Change(first.kind, first.handle, first.what, first.old, change.new, change.in_undo_block)
            else:
                folded[key] = change
        return [c for c in folded.values() if c.kind in EVENT_KINDS or c.old != c.new]

    def assert_clean(self) -> None:
        """Fail with every problem at once: script errors, API misuse, open undo blocks or
        refresh locks, and scripted answers no dialog used."""
        problems = [f"script error in {e.phase} ({e.code}):\n{e.traceback}" for e in self.script_errors]
        problems += self.protocol_errors
        if self.undo_depth:
            problems.append(f"{self.undo_depth} undo block(s) still open")
        if self.ui_refresh_depth:
            problems.append(f"PreventUIRefresh left at {self.ui_refresh_depth}")
        if self.unused_answers:
            problems.append(f"scripted answers never used: {self.unused_answers}")
        assert not problems, "\n".join(problems)

    # ============================================================================================
    # Running scripts: __main__ globals, the defer loop (reaper_python.py; the ReaScript API docs)
    # ============================================================================================

    @classmethod
    def rpr_names(cls) -> List[str]:
        """Every ``RPR_`` function this fake offers (never RPR_defer/RPR_runloop/RPR_atexit)."""
        return sorted(name for name in dir(cls) if name.startswith("RPR_"))

    def main_globals(self) -> Dict[str, Any]:
        """A fresh ``__main__`` namespace as REAPER prepares it: every ``RPR_`` function plus
        ``RPR_defer``, ``RPR_runloop``, ``RPR_atexit``, ``sys`` and ``__name__``; no ``__file__`` (reaper_python.py)."""
        namespace: Dict[str, Any] = {"__name__": "__main__", "__doc__": None, "sys": sys}
        namespace.update((name, getattr(self, name)) for name in self.rpr_names())
        if not self.region_api:
            for name in REGION_API:
                del namespace[name]
        namespace.update(RPR_defer=self._defer, RPR_runloop=self._defer, RPR_atexit=self._register_atexit)
        return namespace

    def run_script(
        self,
        path: Union[str, Path],
        *,
        max_ticks: int = 1000,
        tick_hook: Optional[Callable[[FakeReaper, int], None]] = None,
    ) -> Dict[str, Any]:
        """Run an action script as REAPER does, then its defer loop; returns its globals.

        The file runs in fresh :meth:`main_globals`, with ``sys.modules["__main__"]`` showing
        them. Then, tick by tick, the code strings deferred in the previous tick are executed in
        the same globals, until nothing is deferred (the atexit code then runs) or ``max_ticks``
        ticks ran (the script stays running until :meth:`stop_script`). Before each tick
        ``tick_hook(fake, tick_index)`` is called, else ~1/30 s is slept. An exception ends the
        script like REAPER does (recorded in ``script_errors``, atexit runs) and is re-raised here.
        """
        if self._session is not None:
            raise AssertionError(f"{self._session.path} is still running: stop_script() first")
        path = str(path)
        code = compile(Path(path).read_bytes(), path, "exec")
        self._deferred, self._atexit = [], []
        namespace = self.main_globals()
        self._session = _Session(path, namespace)
        errors_before = len(self.script_errors)
        with self._running(self._session):
            if not self._execute(code, "main", path):
                self._deferred = []
            self._loop(max_ticks, tick_hook)
        self._raise_new_errors(errors_before, expect_errors=False)
        return namespace

    def stop_script(self, *, expect_errors: bool = False) -> None:
        """The user stops the script (the ReaScript API docs): deferred code is dropped and the atexit code runs.
        From a ``tick_hook`` the loop ends before its next tick."""
        session = self._session
        if session is None:
            return
        if self._looping:
            session.stop_requested = True
            return
        errors_before = len(self.script_errors)
        with self._running(session):
            self._finish()
        self._raise_new_errors(errors_before, expect_errors)

    def forget_script_modules(self) -> None:
        """Drop modules the scripts imported from under the resource path (e.g. a bootstrap module
        that found its config beside its own ``__file__``), so the next fake imports them afresh."""
        for name in sorted(self._script_modules):
            module = sys.modules.get(name)
            location = getattr(module, "__file__", None)
            if location and Path(location).resolve().is_relative_to(self.resource_path.resolve()):
                del sys.modules[name]
        self._script_modules.clear()

    def _defer(self, code: Any) -> None:
        """RPR_defer / RPR_runloop: run ``code`` (a string) on the next tick (the ReaScript API docs)."""
        if not isinstance(code, str):
            raise TypeError(f"RPR_defer takes a string of code evaluated in __main__, not {type(code).__name__}")
        self._deferred.append(code)

    def _register_atexit(self, code: Any) -> None:
        """RPR_atexit: run ``code`` (a string) when the script ends or is stopped (the ReaScript API docs)."""
        if not isinstance(code, str):
            raise TypeError(f"RPR_atexit takes a string of code evaluated in __main__, not {type(code).__name__}")
        self._atexit.append(code)

    @contextlib.contextmanager
    def _running(self, session: _Session) -> Iterator[None]:
        outer_path, outer_main = sys.path[:], sys.modules.get("__main__", _MISSING)
        modules_before = set(sys.modules)
        sys.path[:] = self.python_path
        sys.modules["__main__"] = _MainModule(session.namespace)
        try:
            yield
        finally:
            self.python_path = sys.path[:]
            sys.path[:] = outer_path
            if outer_main is _MISSING:
                sys.modules.pop("__main__", None)
            else:
                sys.modules["__main__"] = outer_main
            self._script_modules |= set(sys.modules) - modules_before

    def _loop(self, max_ticks: int, tick_hook: Optional[Callable]) -> None:
        session = self._session
        ran = 0
        self._looping = True
        try:
            while self._deferred and not session.stop_requested and ran < max_ticks:
                if tick_hook is not None:
                    tick_hook(self, session.ticks)
                else:
                    time.sleep(TICK_INTERVAL)
                if session.stop_requested:
                    break
                self._tick(session)
                ran += 1
        finally:
            self._looping = False
        if not self._deferred or session.stop_requested:
            self._finish()

    def _tick(self, session: _Session) -> None:
        """One pass of REAPER's defer loop: the code deferred during the previous tick."""
        batch, self._deferred = self._deferred, []
        dialogs_before = len(self.modal_calls)
        started = time.perf_counter()
        self._in_tick = True
        try:
            for code in batch:
                if not self._execute(code, "defer", code):
                    self._deferred = []
                    break
        finally:
            self._in_tick = False
        self.tick_times.append(time.perf_counter() - started)
        for call in self.modal_calls[dialogs_before:]:
            call.tick, call.loop_went_on = session.ticks, bool(self._deferred)
        session.ticks += 1

    def _finish(self) -> None:
        """The script ended (nothing deferred, an error, or the user stopped it): run atexit code."""
        self._deferred = []
        atexit, self._atexit = self._atexit, []
        for code in atexit:
            self._execute(code, "atexit", code)
        if self.undo_depth:
            self.protocol_errors.append(f"{self._session.path} ended with {self.undo_depth} undo block(s) open")
        if self.ui_refresh_depth:
            self.protocol_errors.append(f"{self._session.path} ended with PreventUIRefresh at {self.ui_refresh_depth}")
        self._session = None

    def _execute(self, code: Any, phase: str, label: str) -> bool:
        """Run code in the script's globals; an exception is recorded (REAPER prints it)."""
        try:
            exec(code, self._session.namespace)
            return True
        except Exception as exc:  # noqa: BLE001 (REAPER shows any script error in its console)
            self.script_errors.append(ScriptError(phase, label, exc, traceback.format_exc()))
            return False

    def _raise_new_errors(self, errors_before: int, expect_errors: bool) -> None:
        new = self.script_errors[errors_before:]
        if new and not expect_errors:
            raise new[0].exception

    # ============================================================================================
    # Model plumbing
    # ============================================================================================

    def _pointer(self, value: Any, type_name: str) -> Optional[Any]:
        """``rpr_packp`` (reaper_python.py, REAPER 5.95 and 6.x): the object behind a handle
        argument, or None where REAPER receives NULL.

        The bridge passes a pointer only when ``ValidatePtr(p, type)`` holds, and ``ValidatePtr``
        checks against the current project tab (reaper_python.py; reapy #80: handles kept from a tab the
        user left go in as NULL). So:

        - a ``void*`` argument is checked as type "void*", which REAPER does not know: always NULL
          (reaper_python.py packs ``ValidatePtr2``'s pointer as ``void*``; reapy CHANGELOG 0.7.0);
        - a track, item or take of another tab, or one deleted, is NULL;
        - a ``PCM_source*`` is valid only while a take of the current project uses it, so a source
          fresh from ``PCM_Source_CreateFromFile`` is NULL (reapy #38: "This does nothing");
        - a project handle is valid while its tab is open.
        """
        if type_name == ANY:
            return None
        found = self.handles.parse(value, type_name)
        if found is None or not self._in_current_project(found, type_name):
            return None
        return found

    def _in_current_project(self, obj: Any, type_name: str) -> bool:
        project = self.project
        if type_name == PROJECT:
            return obj in self.projects
        if type_name == TRACK:
            return obj in project.tracks
        if type_name == ITEM:
            return obj.track in project.tracks and obj in obj.track.items
        if type_name == TAKE:
            return self._in_current_project(obj.item, ITEM) and obj in obj.item.takes
        if type_name == SOURCE:
            return obj in self._sources_in_use(project)
        if type_name == MARKER:
            return self.marker_pointers_valid and obj in project.markers
        return True

    def _sources_in_use(self, project: Project) -> List[Source]:
        used = []
        for item in project.items():
            for take in item.takes:
                source = take.source
                while source is not None:
                    used.append(source)
                    source = source.parent if self.section_parents_valid else None
        return used

    def _project(self, value: Any) -> Project:
        """A ``ReaProject*`` argument: an open tab's handle is that project; 0, None and anything
        else pack to NULL, which REAPER reads as the current project (reaper_python.py)."""
        found = self._pointer(value, PROJECT)
        return self.project if found is None else found

    def _track(self, value: Any) -> Optional[Track]:
        return self._pointer(value, TRACK)

    def _item(self, value: Any) -> Optional[Item]:
        return self._pointer(value, ITEM)

    def _take(self, value: Any) -> Optional[Take]:
        return self._pointer(value, TAKE)

    def _source(self, value: Any) -> Optional[Source]:
        return self._pointer(value, SOURCE)

    def _guid(self) -> str:
        return make_guid(next(self._guids))

    def _new_track(self, name: str) -> Track:
        track = Track(name=name, guid=self._guid())
        self.handles.register(track, TRACK)
        return track

    def _new_item(self, track: Track) -> Item:
        item = Item(track=track, guid=self._guid())
        self.handles.register(item, ITEM)
        return item

    def _new_take(self, item: Item) -> Take:
        take = Take(item=item, guid=self._guid())
        self.handles.register(take, TAKE)
        item.takes.append(take)
        return take

    def _register_source(self, source: Source) -> str:
        if source.parent is not None and not source.parent.handle:
            self._register_source(source.parent)
        return self.handles.register(source, SOURCE)

    def _attach(self, take: Take, source: Source) -> None:
        if not source.handle:
            self._register_source(source)
        source.owner = take
        source.peaks_built = True
        if source.parent is not None:
            source.parent.peaks_built = True
        take.source = source

    def _track_argument(self, track: Union[str, int]) -> Track:
        found = self.project.tracks[track] if isinstance(track, int) else self._track(track)
        if found is None:
            raise ValueError(f"no track {track!r}")
        return found

    def _builder_source(
        self,
        path: Union[str, Path, None],
        source_type: Optional[str],
        length: Optional[float],
        section_offset: float,
        section_length: Optional[float],
        reversed_: bool,
    ) -> Source:
        if path is None:
            if source_type != "MIDI" or length is None:
                raise ValueError("an item without a file needs source_type='MIDI' and a length")
            return Source.midi(length)
        if source_type == "SECTION":
            parent = Source.from_file(str(path))
            if parent is None:
                raise ValueError(f"REAPER would not open {path}")
            return Source.section_of(parent, section_offset, section_length, reversed_)
        source = Source.from_file(str(path), type_name=source_type)
        if source is None:
            raise ValueError(f"REAPER would not open {path}")
        return source

    def _item_view(self, item: Item) -> Dict[str, Any]:
        take = item.take()
        source = take.source if take is not None else None
        return {
            "handle": item.handle,
            "position": item.position,
            "length": item.length,
            "end": item.end,
            "mute": item.mute,
            "volume": item.volume,
            "selected": item.selected,
            "loop_source": item.loop_source,
            "takes": len(item.takes),
            "take_name": take.name if take else "",
            "take_names": [each.name for each in item.takes],
            "source": source.root().filename if source else "",
            "source_type": source.type if source else "",
            "start_offset": take.start_offset if take else 0.0,
            "playrate": take.playrate if take else 1.0,
            "take_volume": take.volume if take else 1.0,
            "chanmode": take.chanmode if take else 0,
            "is_midi": take.is_midi if take else False,
            "peaks_built": source.peaks_built if source else False,
        }

    def _log(self, kind: str, handle: str, what: str = "", old: Any = None, new: Any = None) -> None:
        """Record one project edit, and whether an undo block was open."""
        change = Change(kind, handle, what, old, new, in_undo_block=self.undo_depth > 0)
        self.changes.append(change)
        self.project.dirty = True
        if self.undo_depth > 0:
            self._block_changes.append(change)

    def _assign(self, obj: Any, attribute: str, name: str, value: float, kind: str) -> int:
        """Set a modelled numeric parameter (kept in the model's own type); log it when it changed."""
        old = getattr(obj, attribute)
        new = (value != 0) if isinstance(old, bool) else type(old)(value)
        if old != new:
            setattr(obj, attribute, new)
            self._log(kind, obj.handle, name, old, new)
        return 1

    def _assign_extra(self, obj: Any, defaults: Dict[str, float], name: str, value: float, kind: str) -> int:
        old, new = obj.params.get(name, defaults[name]), _typed(name, value)
        if old != new:
            obj.params[name] = new
            self._log(kind, obj.handle, name, old, new)
        return 1

    def _ext_string(self, obj: Any, kind: str, key: str, text: str, setting: bool) -> Tuple[bool, str]:
        """``P_EXT:key`` (the ReaScript API docs): get returns false when the key is absent; setting "" removes it."""
        if not key:
            return False, text
        if not setting:
            return (True, obj.ext[key]) if key in obj.ext else (False, text)
        old = obj.ext.get(key)
        if text:
            obj.ext[key] = text
        else:
            obj.ext.pop(key, None)
        if old != (text or None):
            self._log(kind, obj.handle, "P_EXT:" + key, old, text or None)
        return True, text

    # ============================================================================================
    # RPR_ functions: tracks
    # ============================================================================================

    def RPR_CountTracks(self, proj):
        """``int``."""
        return len(self._project(proj).tracks)

    def RPR_GetTrack(self, proj, trackidx):
        """A track handle; the NULL handle for an index out of range (reaper_python.py)."""
        index, tracks = c_int(trackidx), self._project(proj).tracks
        return tracks[index].handle if 0 <= index < len(tracks) else null_handle(TRACK)

    def RPR_InsertTrackAtIndex(self, idx, wantDefaults):
        """None; ``idx`` is clamped to 0..N and later tracks move down one index (the ReaScript API docs)."""
        tracks = self.project.tracks
        index = min(max(c_int(idx), 0), len(tracks))
        c_bool(wantDefaults)
        track = self._new_track("")
        tracks.insert(index, track)
        self._log("track_inserted", track.handle, new=index)

    def RPR_DeleteTrack(self, tr):
        """None; the track and its items leave the project (their handles go in as NULL after)."""
        track = self._track(tr)
        if track is not None:
            self._log("track_deleted", track.handle, old=self.project.tracks.index(track))
            self.project.tracks.remove(track)

    def RPR_GetMediaTrackInfo_Value(self, tr, parmname):
        """``float``; IP_TRACKNUMBER is 1-based; unknown names and NULL tracks give 0.0."""
        track, name = self._track(tr), c_string(parmname)
        if track is None:
            return 0.0
        if name == "IP_TRACKNUMBER":
            return float(self.project.tracks.index(track) + 1)
        if name in _TRACK_FIELDS:
            return float(getattr(track, _TRACK_FIELDS[name]))
        return float(_TRACK_EXTRAS.get(name, 0.0))

    def RPR_GetSetMediaTrackInfo_String(self, tr, parmname, stringNeedBig, setNewValue):
        """``(ok, tr, parmname, value, setNewValue)`` (the ReaScript API docs): P_NAME, P_EXT:key, GUID (get)."""
        track, name, text, setting = self._track(tr), c_string(parmname), c_string(stringNeedBig), c_bool(setNewValue)
        ok, value = (
            (False, text)
            if track is None
            else self._named_string(track, "track_renamed", "track_ext", name, text, setting)
        )
        return (int(ok), tr, parmname, value, setNewValue)

    def _named_string(
        self, obj: Any, rename_kind: str, ext_kind: str, name: str, text: str, setting: bool
    ) -> Tuple[bool, str]:
        """P_NAME, P_EXT:key and GUID (get) of a track or a take: ``(ok, value)``."""
        if name == "P_NAME":
            if setting and text != obj.name:
                self._log(rename_kind, obj.handle, name, obj.name, text)
                obj.name = text
            return True, text if setting else obj.name
        if name.startswith("P_EXT:"):
            return self._ext_string(obj, ext_kind, name[len("P_EXT:") :], text, setting)
        if name == "GUID" and not setting:
            return True, obj.guid
        return False, text

    def RPR_GetTrackName(self, track, bufOut, bufOut_sz):
        """``(ok, track, name, bufOut_sz)``: "Track N" for an unnamed track (the ReaScript API docs)."""
        found = self._track(track)
        if found is None:
            return (0, track, c_string(bufOut), bufOut_sz)
        name = found.name or f"Track {self.project.tracks.index(found) + 1}"
        return (1, track, out_string(name, bufOut_sz), bufOut_sz)

    def RPR_CountSelectedTracks(self, proj):
        return sum(track.selected for track in self._project(proj).tracks)

    def RPR_GetSelectedTrack(self, proj, seltrackidx):
        index = c_int(seltrackidx)
        selected = [track for track in self._project(proj).tracks if track.selected]
        return selected[index].handle if 0 <= index < len(selected) else null_handle(TRACK)

    def RPR_SetTrackSelected(self, track, selected):
        found, value = self._track(track), c_bool(selected)
        if found is not None:
            self._assign(found, "selected", "I_SELECTED", float(value), "track_selection")

    # ============================================================================================
    # RPR_ functions: items
    # ============================================================================================

    def RPR_CountTrackMediaItems(self, track):
        found = self._track(track)
        return 0 if found is None else len(found.items)

    def RPR_GetTrackMediaItem(self, tr, itemidx):
        found, index = self._track(tr), c_int(itemidx)
        if found is None or not 0 <= index < len(found.items):
            return null_handle(ITEM)
        return found.items[index].handle

    def RPR_CountSelectedMediaItems(self, proj):
        return sum(item.selected for item in self._project(proj).items())

    def RPR_GetSelectedMediaItem(self, proj, selitem):
        index = c_int(selitem)
        selected = [item for item in self._project(proj).items() if item.selected]
        return selected[index].handle if 0 <= index < len(selected) else null_handle(ITEM)

    def RPR_SetMediaItemSelected(self, item, selected):
        found, value = self._item(item), c_bool(selected)
        if found is not None:
            self._assign(found, "selected", "B_UISEL", float(value), "item_selection")

    def RPR_SelectAllMediaItems(self, proj, selected):
        value = c_bool(selected)
        for item in self._project(proj).items():
            self._assign(item, "selected", "B_UISEL", float(value), "item_selection")

    def RPR_GetMediaItem_Track(self, item):
        found = self._item(item)
        return null_handle(TRACK) if found is None else found.track.handle

    def RPR_GetMediaItemInfo_Value(self, item, parmname):
        """``float`` (the ReaScript API docs): D_POSITION, D_LENGTH, B_MUTE, D_VOL, B_UISEL, B_LOOPSRC, I_CURTAKE..."""
        found, name = self._item(item), c_string(parmname)
        if found is None:
            return 0.0
        if name == "IP_ITEMNUMBER":
            return float(found.track.items.index(found))
        if name == "B_MUTE_ACTUAL":
            return float(found.mute)
        if name in _ITEM_FIELDS:
            return float(getattr(found, _ITEM_FIELDS[name]))
        return float(found.params.get(name, _ITEM_EXTRAS.get(name, 0.0)))

    def RPR_SetMediaItemInfo_Value(self, item, parmname, newvalue):
        """``int`` 1 when set; moving an item keeps its track's items in position order."""
        found, name, value = self._item(item), c_string(parmname), c_double(newvalue)
        if found is None:
            return 0
        if name == "I_CURTAKE" and not 0 <= int(value) < len(found.takes):
            return 0
        if name in _ITEM_FIELDS:
            result = self._assign(found, _ITEM_FIELDS[name], name, value, _ITEM_KINDS.get(name, "item_param"))
            found.track.sort_items()
            return result
        if name in _ITEM_EXTRAS:
            return self._assign_extra(found, _ITEM_EXTRAS, name, value, "item_param")
        return 0

    def RPR_AddMediaItemToTrack(self, tr):
        """A new empty item at 0 s, length 0, unselected; NULL for a bad track (the ReaScript API docs)."""
        track = self._track(tr)
        if track is None:
            return null_handle(ITEM)
        item = self._new_item(track)
        track.items.append(item)
        track.sort_items()
        self._log("item_added", item.handle, new=track.handle)
        return item.handle

    def RPR_CountMediaItems(self, proj):
        """``int``: every item of the project."""
        return len(self._project(proj).items())

    def RPR_GetMediaItem(self, proj, itemidx):
        """An item handle in ``GetMediaItem`` order (by track, then position); NULL out of range."""
        index, items = c_int(itemidx), self._project(proj).items()
        return items[index].handle if 0 <= index < len(items) else null_handle(ITEM)

    def RPR_MoveMediaItemToTrack(self, item, desttr):
        """``int`` 1 when the item moved to the track (both in the current project)."""
        found, track = self._item(item), self._track(desttr)
        if found is None or track is None:
            return 0
        if found.track is not track:
            found.track.items.remove(found)
            self._log("item_track", found.handle, "", found.track.handle, track.handle)
            found.track = track
            track.items.append(found)
            track.sort_items()
        return 1

    def RPR_InsertMedia(self, file, mode):
        """``int`` (the ReaScript API docs; the API doc gives no meaning to the value): 1 here when inserted, 0 when
        the file is missing or of a type REAPER does not open.

        Modelled: mode 0 with &512, "use high word as absolute track index" (API doc), the index
        0-based as ``GetTrack``'s. The item goes at the edit cursor with the file's length, its take
        named after the file; as scripts rely on, it becomes the only selected item (a Python
        script: "InsertMedia selects the new item, so we grab the selection"); REAPER's default
        "move edit cursor when pasting/inserting media" (User Guide, Editing Behavior) puts the
        cursor at its end unless ``move_cursor_on_insert`` is False. Outside an undo block it makes
        its own undo point (Ultraschall's InsertMediaItemFromFile notes the extra undo point). Its
        peaks are not built yet. Other modes are reported in ``protocol_errors``.
        """
        path, flags = c_string(file), c_int(mode)
        project = self.project
        index = flags >> 16
        if flags == 3:
            return self._insert_as_takes(path)
        if flags & 0xFFFF != 512 or not 0 <= index < len(project.tracks):
            self.protocol_errors.append(
                f"InsertMedia({path!r}, {flags:#x}): the stand-in models only 3 and 512 | (index of a track << 16)"
            )
            return 0
        source = Source.from_file(path) if os.path.isfile(path) else None
        if source is None:
            return 0
        track = project.tracks[index]
        item = self._new_item(track)
        item.position, item.length = project.cursor, source.length
        track.items.append(item)
        track.sort_items()
        self._log("item_added", item.handle, new=track.handle)
        take = self._new_take(item)
        take.name = Path(path).name
        self._register_source(source)
        source.owner, take.source = take, source
        self._log("take_added", take.handle, new=item.handle)
        self._log("take_source", take.handle, "", None, source.handle)
        for other in project.items():
            self._assign(other, "selected", "B_UISEL", float(other is item), "item_selection")
        if self.move_cursor_on_insert:
            self._move_cursor(project, item.end)
        if self.undo_depth == 0:
            project.undo_history.append(UndoEntry("Insert media items", -1, []))
        return 1

    def _insert_as_takes(self, path: str) -> int:
        """InsertMedia mode 3, "add to selected items as takes" (API doc): each selected item of the
        current project gets a take of the file, named after it, playing from the item's start; it
        is the active take when ``insert_take_becomes_active``. Outside an undo block, its own undo
        point."""
        source = Source.from_file(path) if os.path.isfile(path) else None
        items = [item for item in self.project.items() if item.selected]
        if source is None or not items:
            return 0
        for item in items:
            take = self._new_take(item)
            take.name = Path(path).name
            copy = Source.from_file(path)
            self._register_source(copy)
            copy.owner, take.source = take, copy
            self._log("take_added", take.handle, new=item.handle)
            if self.insert_take_becomes_active:
                item.active_take = len(item.takes) - 1
        if self.undo_depth == 0:
            self.project.undo_history.append(UndoEntry("Insert media items", -1, []))
        return 1

    # ============================================================================================
    # RPR_ functions: takes
    # ============================================================================================

    def RPR_CountTakes(self, item):
        """``int``: the item's takes (the ReaScript API docs); 0 for a bad handle."""
        found = self._item(item)
        return 0 if found is None else len(found.takes)

    def RPR_GetTake(self, item, takeidx):
        """The take ``takeidx`` of the item, NULL past the last (the ReaScript API docs)."""
        found, index = self._item(item), c_int(takeidx)
        if found is None or not 0 <= index < len(found.takes):
            return null_handle(TAKE)
        return found.takes[index].handle

    def RPR_GetActiveTake(self, item):
        """A take handle; NULL for an empty item (the ReaScript API docs)."""
        found = self._item(item)
        take = found.take() if found is not None else None
        return null_handle(TAKE) if take is None else take.handle

    def RPR_AddTakeToMediaItem(self, item):
        """A new take without a source; it is the active take only if it is the first (the ReaScript API docs)."""
        found = self._item(item)
        if found is None:
            return null_handle(TAKE)
        take = self._new_take(found)
        self._log("take_added", take.handle, new=found.handle)
        return take.handle

    def RPR_TakeIsMIDI(self, take):
        """``int`` 0/1 (the ReaScript API docs)."""
        found = self._take(take)
        return int(found is not None and found.is_midi)

    def RPR_GetMediaItemTakeInfo_Value(self, take, parmname):
        """``float`` (the ReaScript API docs): D_STARTOFFS, D_PLAYRATE, D_VOL, I_CHANMODE, B_PPITCH..."""
        found, name = self._take(take), c_string(parmname)
        if found is None:
            return 0.0
        if name == "IP_TAKENUMBER":
            return float(found.item.takes.index(found))
        if name in _TAKE_FIELDS:
            return float(getattr(found, _TAKE_FIELDS[name]))
        return float(_TAKE_EXTRAS.get(name, 0.0))

    def RPR_GetSetMediaItemTakeInfo_String(self, tk, parmname, stringNeedBig, setNewValue):
        """``(ok, tk, parmname, value, setNewValue)``: P_NAME, P_EXT:key, GUID (get)."""
        found, name, text, setting = self._take(tk), c_string(parmname), c_string(stringNeedBig), c_bool(setNewValue)
        ok, value = (
            (False, text) if found is None else self._named_string(found, "take_name", "take_ext", name, text, setting)
        )
        return (int(ok), tk, parmname, value, setNewValue)

    # -- markers and regions ---------------------------------------------------------------

    def RPR_CountProjectMarkers(self, proj, num_markersOut, num_regionsOut):
        """``(count, proj, num_markers, num_regions)`` (the ReaScript API docs)."""
        markers = self._project(proj).markers
        regions = sum(1 for m in markers if m.is_region)
        return (len(markers), proj, len(markers) - regions, regions)

    def RPR_EnumProjectMarkers3(self, proj, idx, isrgnOut, posOut, rgnendOut, nameOut, markrgnindexnumberOut, colorOut):
        """``(retval, proj, idx, isrgn, pos, rgnend, name, number, color)``; ``retval`` is the next
        index, 0 past the end. The name is *not* the marker's: the bridge passes ``nameOut``
        (a ``const char**``) through ``rpr_packp('char**', p5)``, which gives NULL for anything but
        a pointer string, and returns ``p5`` as it was given (reaper_python.py, ``RPR_EnumProjectMarkers3``;
        reapy issue #136: its Marker has no name)."""
        markers = self._project(proj).markers
        index = c_int(idx)
        if not 0 <= index < len(markers):
            return (0, proj, idx, 0, 0.0, 0.0, nameOut, 0, 0)
        m = markers[index]
        return (index + 1, proj, idx, int(m.is_region), m.position, m.end, nameOut, m.number, 0)

    def RPR_AddProjectMarker2(self, proj, isrgn, pos, rgnend, name, wantidx, color):
        """The new marker's shown number (the ReaScript API docs)."""
        project = self._project(proj)
        region = c_bool(isrgn)
        numbers = {m.number for m in project.markers if m.is_region == region}
        number = c_int(wantidx) if c_int(wantidx) > 0 and c_int(wantidx) not in numbers else max(numbers, default=0) + 1
        marker = Marker(
            number,
            region,
            c_double(pos),
            c_double(rgnend) if region else c_double(pos),
            c_string(name),
            make_guid(next(self._guids)),
        )
        self.handles.register(marker, MARKER)
        project.markers.append(marker)
        project.markers.sort(key=lambda m: m.position)
        self._log("marker_added", marker.handle, marker.name, None, (marker.position, marker.end))
        return number

    def RPR_IsProjectDirty(self, proj):
        """``int``: 1 when the project has unsaved changes (the ReaScript API docs)."""
        return int(self._project(proj).dirty)

    def RPR_GetNumRegionsOrMarkers(self, proj):
        return len(self._project(proj).markers)

    def RPR_GetRegionOrMarker(self, proj, idx, guidStr):
        """The ``ProjectMarker*`` at ``idx`` (or by ``guidStr`` when given); NULL when none."""
        markers = self._project(proj).markers
        guid = c_string(guidStr)
        if guid:
            found = [m for m in markers if m.guid == guid]
            return found[0].handle if found else null_handle(MARKER)
        index = c_int(idx)
        return markers[index].handle if 0 <= index < len(markers) else null_handle(MARKER)

    def RPR_GetRegionOrMarkerInfo_Value(self, proj, marker, parmname):
        found = self._pointer(marker, MARKER)
        if found is None:
            return 0.0
        values = {
            "D_STARTPOS": found.position,
            "D_ENDPOS": found.end,
            "B_ISREGION": float(found.is_region),
            "I_NUMBER": float(found.number),
        }
        return values.get(c_string(parmname), 0.0)

    def RPR_GetSetRegionOrMarkerInfo_String(self, proj, marker, parmname, stringNeedBig, setNewValue):
        """``(ok, proj, marker, parmname, value, setNewValue)``: P_NAME, GUID (get)."""
        found, name, text = self._pointer(marker, MARKER), c_string(parmname), c_string(stringNeedBig)
        if found is None:
            return (0, proj, marker, parmname, text, setNewValue)
        if name == "P_NAME":
            if c_bool(setNewValue):
                self._log("marker_renamed", found.handle, name, found.name, text)
                found.name = text
            return (1, proj, marker, parmname, found.name, setNewValue)
        if name == "GUID" and not c_bool(setNewValue):
            return (1, proj, marker, parmname, found.guid, setNewValue)
        return (0, proj, marker, parmname, text, setNewValue)

    def RPR_SetTakeMarker(self, take, idx, nameIn, srcposInOptional, colorInOptional):
        """Add (``idx`` -1) or replace a take marker at a source position; its index, -1 on failure."""
        found = self._take(take)
        if found is None:
            return -1
        entry = (c_double(srcposInOptional), c_string(nameIn))
        index = c_int(idx)
        if index < 0 or index >= len(found.markers):
            found.markers.append(entry)
            index = len(found.markers) - 1
        else:
            found.markers[index] = entry
        self._log("take_marker", found.handle, entry[1], None, entry[0])
        return index

    def RPR_GetTakeNumStretchMarkers(self, take):
        found = self._take(take)
        return 0 if found is None else len(found.stretch_markers)

    def RPR_GetMediaItemTake_Source(self, take):
        found = self._take(take)
        if found is None or found.source is None:
            return null_handle(SOURCE)
        return found.source.handle

    def RPR_SetMediaItemTake_Source(self, take, source):
        """``int``; the take owns the new source, the old one is the caller's to destroy (the ReaScript API docs)."""
        found, new = self._take(take), self._source(source)
        if found is None or new is None:
            return 0
        if isinstance(new.owner, Take) and new.owner is not found:
            self.protocol_errors.append(f"SetMediaItemTake_Source: {new.handle} already belongs to another take")
        old = found.source
        if old is not new:
            if old is not None:
                old.owner = None
            new.owner, found.source = found, new
            self._log("take_source", found.handle, "", old.handle if old else None, new.handle)
        return 1

    # ============================================================================================
    # RPR_ functions: sources (the ReaScript API docs)
    # ============================================================================================

    def RPR_PCM_Source_CreateFromFile(self, filename):
        """A source with the file's real facts; NULL for a type REAPER would not open; a missing
        file gives an offline source. Its peaks are not built yet (see 40047)."""
        source = Source.from_file(c_string(filename))
        return null_handle(SOURCE) if source is None else self._register_source(source)

    def RPR_GetMediaSourceFileName(self, source, filenamebuf, filenamebuf_sz):
        """``(source, filename, filenamebuf_sz)``; "" for in-project MIDI and SECTION sources
        (the ReaScript API docs)."""
        found = self._source(source)
        if found is None:
            return (source, c_string(filenamebuf), filenamebuf_sz)
        return (source, out_string(found.filename if found.type != "SECTION" else "", filenamebuf_sz), filenamebuf_sz)

    def RPR_GetMediaSourceType(self, source, typebuf, typebuf_sz):
        """``(source, type, typebuf_sz)``: WAVE, MP3, FLAC, VORBIS, MIDI, SECTION..."""
        found = self._source(source)
        if found is None:
            return (source, c_string(typebuf), typebuf_sz)
        return (source, out_string(found.type, typebuf_sz), typebuf_sz)

    def RPR_GetMediaSourceParent(self, src):
        """The parent of a SECTION source; NULL for a root source (the ReaScript API docs)."""
        found = self._source(src)
        return null_handle(SOURCE) if found is None or found.parent is None else found.parent.handle

    def RPR_GetMediaSourceLength(self, source, lengthIsQNOut):
        """``(length, source, lengthIsQN)``: seconds, never beats here (the ReaScript API docs)."""
        found = self._source(source)
        if found is None:
            return (0.0, source, _byte_out(lengthIsQNOut))
        return (float(found.length), source, 0)

    def RPR_PCM_Source_GetSectionInfo(self, src, offsOut, lenOut, revOut):
        """``(ok, src, offset, length, reversed)`` for a SECTION source; other sources give
        ok 0 and their out-values untouched (the ReaScript API docs)."""
        found = self._source(src)
        if found is None or found.type != "SECTION":
            return (0, src, c_double(offsOut), c_double(lenOut), _byte_out(revOut))
        return (1, src, float(found.section_offset), float(found.section_length), int(found.reversed))

    # ============================================================================================
    # RPR_ functions: time selection and edit cursor
    # ============================================================================================

    def RPR_GetSet_LoopTimeRange2(self, proj, isSet, isLoop, start, end, allowautoseek):
        """``(proj, isSet, isLoop, start, end, allowautoseek)`` (the ReaScript API docs): isLoop False is the time
        selection, True the loop points; start == end means none."""
        project, setting, loop = self._project(proj), c_bool(isSet), c_bool(isLoop)
        begin, finish = c_double(start), c_double(end)
        c_bool(allowautoseek)
        if setting:
            self._set_range(project, loop, (begin, finish))
        else:
            begin, finish = project.loop_range if loop else project.time_selection
        return (proj, isSet, isLoop, begin, finish, allowautoseek)

    def _set_range(self, project: Project, loop: bool, value: Tuple[float, float]) -> None:
        attribute, kind = ("loop_range", "loop_range") if loop else ("time_selection", "time_selection")
        old = getattr(project, attribute)
        if old != value:
            setattr(project, attribute, value)
            self._log(kind, project.handle, "", old, value)

    def RPR_GetCursorPosition(self):
        return self.project.cursor

    def RPR_SetEditCurPos(self, time_, moveview, seekplay):
        """None (the ReaScript API docs: moveview, seekplay); the cursor never goes below 0."""
        self._move_cursor(self.project, c_double(time_))
        c_bool(moveview), c_bool(seekplay)

    def _move_cursor(self, project: Project, position: float) -> None:
        position = max(position, 0.0)
        if position != project.cursor:
            self._log("edit_cursor", project.handle, "", project.cursor, position)
            project.cursor = position

    # ============================================================================================
    # RPR_ functions: project and paths (the ReaScript API docs)
    # ============================================================================================

    def RPR_GetProjectPathEx(self, proj, buf, buf_sz):
        """``(proj, path, buf_sz)``."""
        return (proj, out_string(self._project(proj).media_path, buf_sz), buf_sz)

    def RPR_EnumProjects(self, idx, projfnOutOptional, projfnOutOptional_sz):
        """``(proj, idx, rpp_filename, size)`` (the ReaScript API docs): -1 is the current project, 0, 1... the open
        tabs in order, NULL past the last; the file name is "" while a project is unsaved."""
        index = c_int(idx)
        if index == -1:
            project = self.project
        elif 0 <= index < len(self.projects):
            project = self.projects[index]
        else:
            return (null_handle(PROJECT), idx, c_string(projfnOutOptional), projfnOutOptional_sz)
        name = out_string(project.file_name, projfnOutOptional_sz)
        return (project.handle, idx, name, projfnOutOptional_sz)

    def RPR_SelectProjectInstance(self, proj):
        """None: switch to another open project tab; a NULL project changes nothing."""
        found = self._pointer(proj, PROJECT)
        if found is not None:
            self._current = found

    def RPR_GetResourcePath(self):
        return str(self.resource_path)

    # ============================================================================================
    # RPR_ functions: ExtState (the ReaScript API docs)
    # ============================================================================================

    def RPR_GetExtState(self, section, key):
        """``str``, "" when missing."""
        return self.ext_state.get((c_string(section), c_string(key)), "")

    def RPR_SetExtState(self, section, key, value, persist):
        """None. A persisted value with a line break is reported: it would not survive the ini file."""
        text, keep = c_string(value), c_bool(persist)
        if keep and ("\n" in text or "\r" in text):
            self.protocol_errors.append(f"SetExtState({section!r}, {key!r}) persists a multi-line value")
        self.ext_state[(c_string(section), c_string(key))] = text

    def RPR_HasExtState(self, section, key):
        return int((c_string(section), c_string(key)) in self.ext_state)

    # ============================================================================================
    # RPR_ functions: dialogs and console (the ReaScript API docs)
    # ============================================================================================

    def RPR_GetUserInputs(self, title, num_inputs, captions_csv, retvals_csv, retvals_csv_sz):
        """``(ok, title, num_inputs, captions_csv, values, retvals_csv_sz)`` (the ReaScript API docs). Modal: the answer
        comes from :meth:`answer_inputs`; on Cancel the values buffer keeps the defaults."""
        count = c_int(num_inputs)
        captions, separator = parse_captions(c_string(captions_csv), count)
        defaults_text = c_string(retvals_csv)
        call = ModalCall(
            "GetUserInputs",
            c_string(title),
            captions=captions,
            defaults=split_values(defaults_text, separator, count),
            separator=separator,
            during_defer_loop=self._in_tick,
        )
        self.modal_calls.append(call)
        if count > MAX_INPUT_FIELDS:
            raise AssertionError(f"GetUserInputs {call.title!r} asks for {count} fields; REAPER shows at most 16")
        answer = call.answer = self._next_answer(self._input_answers, call, "fake.answer_inputs(ok=..., values=[...])")
        if not answer.ok:
            return (0, title, num_inputs, captions_csv, defaults_text, retvals_csv_sz)
        values = call.defaults if answer.values is None else answer.values
        if len(values) != count:
            raise AssertionError(
                f"GetUserInputs {call.title!r} has {count} fields {captions}, "
                f"but the scripted answer has {len(values)} values {values}"
            )
        return (1, title, num_inputs, captions_csv, out_string(separator.join(values), retvals_csv_sz), retvals_csv_sz)

    def RPR_ShowMessageBox(self, msg, title, type_):
        """``int`` (the ReaScript API docs). Modal: the answer comes from :meth:`answer_message_box` and must be one
        the box type can give (type 4 Yes/No: 6 or 7)."""
        box_type = c_int(type_)
        call = ModalCall(
            "ShowMessageBox", c_string(title), message=c_string(msg), box_type=box_type, during_defer_loop=self._in_tick
        )
        self.modal_calls.append(call)
        answer = call.answer = self._next_answer(self._box_answers, call, "fake.answer_message_box(result)")
        allowed = BOX_ANSWERS.get(box_type)
        if allowed is not None and answer not in allowed:
            raise AssertionError(
                f"a type {box_type} message box answers one of {allowed}, "
                f"not the scripted {answer} (box {call.title!r}: {call.message!r})"
            )
        return answer

    def _next_answer(self, answers: Deque, call: ModalCall, how: str) -> Any:
        if not answers:
            shown = call.message if call.kind == "ShowMessageBox" else f"fields {call.captions}"
            raise AssertionError(
                f"unexpected modal {call.kind} {call.title!r} ({shown}): "
                f"no answer was scripted; a test expecting it calls {how}"
            )
        return answers.popleft()

    def RPR_ShowConsoleMsg(self, msg):
        """None; appends to ``console`` (the text as given, ``!SHOW:`` prefix included)."""
        self.console += c_string(msg)

    # ============================================================================================
    # RPR_ functions: actions (the ReaScript API docs)
    # ============================================================================================

    def RPR_Main_OnCommand(self, command, flag):
        """None; recorded in ``commands``. 40047 builds every item's missing peaks."""
        command_id, flags = c_int(command), c_int(flag)
        self.commands.append((command_id, flags))
        if command_id == BUILD_PEAKS:
            for item in self.project.items():
                for take in item.takes:
                    source = take.source
                    while source is not None:
                        source.peaks_built = True
                        source = source.parent

    def RPR_AddRemoveReaScript(self, add, sectionID, scriptfn, commit):
        """Add: the new command id (the same id again for a script already added), 0 when the file
        does not exist. Remove: the removed id, 0 if it was not registered (the ReaScript API docs)."""
        adding, section, path = c_bool(add), c_int(sectionID), self._script_path(c_string(scriptfn))
        c_bool(commit)
        existing = next((s for s in self.registered_scripts.values() if (s.section, s.path) == (section, path)), None)
        if not adding:
            if existing is None:
                return 0
            del self.registered_scripts[existing.command_id]
            return existing.command_id
        if existing is not None:
            return existing.command_id
        if not os.path.isfile(path):
            return 0
        command_id, self._next_command = self._next_command, self._next_command + 1
        self.registered_scripts[command_id] = RegisteredScript(command_id, section, path)
        return command_id

    def _script_path(self, path: str) -> str:
        return path if os.path.isabs(path) else os.path.join(str(self.resource_path), "Scripts", path)

    # ============================================================================================
    # RPR_ functions: undo, UI refresh, pointer validation (the ReaScript API docs)
    # ============================================================================================

    def RPR_Undo_BeginBlock2(self, proj):
        self._project(proj)
        if self.undo_depth == 0:
            self._block_changes = []
        self.undo_depth += 1

    def RPR_Undo_EndBlock2(self, proj, descchange, extraflags):
        """None; only the outermost end of nested blocks makes an undo point (with its description)."""
        self._project(proj)
        description, flags = c_string(descchange), c_int(extraflags)
        if self.undo_depth == 0:
            self.protocol_errors.append(f"Undo_EndBlock2({description!r}) without an open undo block")
            return
        self.undo_depth -= 1
        if self.undo_depth == 0:
            self._project(proj).undo_history.append(UndoEntry(description, flags, self._block_changes))
            self._block_changes = []

    def RPR_PreventUIRefresh(self, prevent_count):
        """None; ``ui_refresh_depth`` follows the count and must come back to 0 (the ReaScript API docs)."""
        self.ui_refresh_depth += c_int(prevent_count)
        if self.ui_refresh_depth < 0:
            self.protocol_errors.append(f"PreventUIRefresh went below zero ({self.ui_refresh_depth})")

    def RPR_UpdateArrange(self):
        self._refresh("UpdateArrange")

    def RPR_UpdateTimeline(self):
        """Redraw the arrange view and the ruler (regions, markers)."""
        self._refresh("UpdateTimeline")

    def RPR_UpdateItemInProject(self, item):
        if self._item(item) is not None:
            self._refresh("UpdateItemInProject")

    def _refresh(self, name: str) -> None:
        self.update_calls.append(name)
        self.project.ui_refresh += 1

    def RPR_ValidatePtr2(self, proj, pointer, ctypename):
        """``int``, always 0 from Python: the bridge packs ``pointer`` as ``void*`` (see
        :meth:`_pointer`), so REAPER is asked about NULL whatever the handle is."""
        self._project(proj)
        c_string(ctypename)
        return int(self._pointer(pointer, ANY) is not None)
