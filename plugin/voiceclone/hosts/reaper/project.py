"""Reading the selection out of a REAPER project, and inserting a result into it.

Both run on REAPER's UI thread and only read properties or add one item: no samples are read here.

What the Python bridge allows shapes the insert (REAPER's ``reaper_python.py``, its ``rpr_packp``): every handle
argument must pass ``ValidatePtr`` in the *current* project tab or it arrives as NULL, so a source
fresh from ``PCM_Source_CreateFromFile`` cannot be given to a take, and ``ValidatePtr2`` is always
False. A result therefore goes in with ``InsertMedia``, tracks are found by their GUID and index,
and a job that outlives a tab switch inserts into the tab it started in.
"""

from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ...capture import CHANNEL_MODES, CapturePlan, Segment
from ...errors import HostError, InputError
from ..base import Place, check_selection
from .api import Reaper, is_null

#: Source types the background job reads with soundfile (REAPER's names).
READABLE_SOURCES = ("WAVE", "MP3", "FLAC", "VORBIS", "OGG", "AIFF")
PEAKS_ACTION = 40047  # Peaks: Build any missing peaks
#: InsertMedia mode: "use high word as absolute track index" (0-based, as GetTrack's).
ON_TRACK = 512


@dataclass(frozen=True)
class Tab:
    """A project tab: its ``ReaProject*`` handle and its .rpp file ("" while unsaved)."""

    handle: str
    file_name: str

    @property
    def label(self) -> str:
        return f"'{Path(self.file_name).name}'" if self.file_name else "(unsaved)"


def current_tab(rpr: Reaper) -> Tab:
    """The project tab the user sees now."""
    handle, _, file_name, _ = rpr.EnumProjects(-1, "", 4096)
    return Tab(handle, file_name)


@dataclass(frozen=True)
class Capture:
    """A captured region: the plan the job renders, and where it sits in the project."""

    plan: CapturePlan
    tab: Tab
    track_guid: str  # the source track, by GUID: a handle means nothing in another tab
    track_name: str
    take_name: str
    start_s: float


def capture_selection(rpr: Reaper) -> Capture:
    """The audible audio of the selection: the time selection on the selected track, else the
    selected items (one track). Raises :class:`InputError` saying what to select instead."""
    _, _, _, start, end, _ = rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
    if end > start:
        track = rpr.GetSelectedTrack(0, 0)
        if is_null(track) and rpr.CountSelectedMediaItems(0):
            track = rpr.GetMediaItem_Track(rpr.GetSelectedMediaItem(0, 0))
        if is_null(track):
            raise InputError(
                "there is a time selection but no selected track",
                fix="Select the track that holds the voice, then run the action again.",
            )
        items = [rpr.GetTrackMediaItem(track, i) for i in range(rpr.CountTrackMediaItems(track))]
    else:
        items = [rpr.GetSelectedMediaItem(0, i) for i in range(rpr.CountSelectedMediaItems(0))]
        if not items:
            raise InputError(
                "nothing is selected", fix="Select the voice's items, or make a time selection on its track."
            )
        tracks = {rpr.GetMediaItem_Track(item) for item in items}
        if len(tracks) > 1:
            raise InputError(
                f"the selected items are on {len(tracks)} tracks",
                fix="Select items on one track only: the track of the voice to clone.",
            )
        track = tracks.pop()
        spans = [_span(rpr, item) for item in items]
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
    length = end - start
    check_selection(length)
    audible = [item for item in items if not rpr.GetMediaItemInfo_Value(item, "B_MUTE")]
    audible.sort(key=lambda item: rpr.GetMediaItemInfo_Value(item, "D_POSITION"))
    inside = [(item, s) for item, s in ((item, _segment(rpr, item, start, end)) for item in audible) if s is not None]
    if not inside:
        raise InputError(
            "the selection holds no audible audio items",
            fix="Unmute the voice's items or select a region where it speaks.",
        )
    segments = [segment for _, segment in inside]
    track_name = rpr.GetTrackName(track, "", 512)[2]
    take_name = _take_name(rpr, inside[0][0])  # the first take heard in the selection
    tab = current_tab(rpr)
    plan = CapturePlan(
        length, tuple(segments), f"REAPER project {tab.label}, track '{track_name}', {start:.2f}-{end:.2f} s"
    )
    return Capture(plan, tab, track_guid(rpr, track), track_name, take_name, start)


@dataclass(frozen=True)
class Phrase:
    """A flubbed phrase (the time selection) and the one audio item it lies in. ``plan`` is the
    whole item as its take plays, before the item's own volume (which goes on applying to a take
    added to it): a patched copy of it is a take that flips with the original seamlessly."""

    plan: CapturePlan
    tab: Tab
    track_guid: str
    track_name: str
    item_position_s: float
    start_s: float
    end_s: Optional[float]  # None: the cursor, the phrase's start alone


def capture_phrase(rpr: Reaper) -> Phrase:
    """The time selection on the selected track (or, with none, the edit cursor: a phrase with no
    ``end_s``, running on to a pause), and the audio item it lies in. Raises :class:`InputError`
    saying what to select instead."""
    _, _, _, start, selected_end, _ = rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
    end: Optional[float] = selected_end
    if selected_end <= start:
        start, end = rpr.GetCursorPosition(), None
    track = rpr.GetSelectedTrack(0, 0)
    if is_null(track):
        raise InputError(
            "no take's track is selected",
            fix="Select the take's track and make a time selection over the flubbed phrase (or put the cursor at it).",
        )
    items = [rpr.GetTrackMediaItem(track, i) for i in range(rpr.CountTrackMediaItems(track))]

    def holds(item: str) -> bool:
        position, item_end = _span(rpr, item)
        return position <= start < item_end and (end is None or end <= item_end)

    holding = [item for item in items if holds(item)]
    if len(holding) != 1 or rpr.GetMediaItemInfo_Value(holding[0], "B_MUTE"):
        raise InputError(
            "the selected phrase does not lie within one audible item",
            fix="Select a phrase inside one item of the take (glue the item first if it is made of several).",
        )
    item = holding[0]
    position, item_end = _span(rpr, item)
    segment = _segment(rpr, item, position, item_end)
    if segment is None:
        raise InputError("the item under the phrase holds no audio", fix="Select a phrase in an audio item.")
    take_gain = rpr.GetMediaItemTakeInfo_Value(rpr.GetActiveTake(item), "D_VOL")
    tab = current_tab(rpr)
    track_name = rpr.GetTrackName(track, "", 512)[2]
    plan = CapturePlan(
        item_end - position,
        (replace(segment, gain=take_gain),),
        f"REAPER project {tab.label}, track '{track_name}', from {start:.2f} s",
    )
    return Phrase(plan, tab, track_guid(rpr, track), track_name, position, start, end)


def add_takes(
    rpr: Reaper, takes: Sequence[Tuple[Path, str]], *, tab: Tab, track_guid: str, item_at_s: float, undo: str
) -> None:
    """Add each file of ``takes`` (path, take name) as a take of the item at ``item_at_s`` on the
    track ``track_guid`` of ``tab`` (InsertMedia "add to selected items as takes"), the first the
    active take; one undo point ``undo``; selection and cursor as they were. Raises
    :class:`HostError` naming the kept files when REAPER did not add them."""
    kept = ", ".join(str(path) for path, _ in takes)
    fix = f"The patch is kept as {kept}: drag it onto the take (Insert > Media file)."
    with in_tab(rpr, tab, kept=takes[0][0], anchor_guid=track_guid):
        index = track_index(rpr, guid=track_guid)
        track = None if index is None else rpr.GetTrack(0, index)
        items = (
            [] if track is None else [rpr.GetTrackMediaItem(track, i) for i in range(rpr.CountTrackMediaItems(track))]
        )
        found = [item for item in items if abs(_span(rpr, item)[0] - item_at_s) < 1e-6]
        if not found:
            raise HostError("the take's item is no longer where it was", fix=fix)
        item = found[0]
        saved = _user_state(rpr)
        rpr.Undo_BeginBlock2(0)
        rpr.PreventUIRefresh(1)
        try:
            first = rpr.CountTakes(item)
            rpr.SelectAllMediaItems(0, False)
            rpr.SetMediaItemSelected(item, True)
            for path, take_name in takes:
                before = rpr.CountTakes(item)
                rpr.InsertMedia(str(path), 3)
                if rpr.CountTakes(item) != before + 1:
                    raise HostError(f"REAPER did not add {Path(path).name} as a take", fix=fix)
                rpr.GetSetMediaItemTakeInfo_String(rpr.GetTake(item, before), "P_NAME", take_name, True)
            # whether InsertMedia makes the new take active is not documented: set it either way
            rpr.SetMediaItemInfo_Value(item, "I_CURTAKE", first)
            rpr.UpdateItemInProject(item)
            rpr.Main_OnCommand(PEAKS_ACTION, 0)
        finally:
            _restore(rpr, saved)
            rpr.PreventUIRefresh(-1)
            rpr.UpdateArrange()
            rpr.Undo_EndBlock2(0, undo, -1)


def _span(rpr: Reaper, item: str) -> Tuple[float, float]:
    position = rpr.GetMediaItemInfo_Value(item, "D_POSITION")
    return position, position + rpr.GetMediaItemInfo_Value(item, "D_LENGTH")


def _segment(rpr: Reaper, item: str, start: float, end: float) -> Optional[Segment]:
    """The part of ``item`` inside ``[start, end]`` as a plan segment; None if it adds nothing."""
    position, item_end = _span(rpr, item)
    first, last = max(position, start), min(item_end, end)
    take = rpr.GetActiveTake(item)
    if last <= first or is_null(take):
        return None
    name = _take_name(rpr, item)
    if rpr.TakeIsMIDI(take):
        raise InputError(f"the take '{name}' is MIDI, not audio", fix="Render or freeze it to audio first.")
    source, offset = _file_source(rpr, take, name)
    playrate = rpr.GetMediaItemTakeInfo_Value(take, "D_PLAYRATE")
    if abs(playrate - 1.0) > 1e-9 and rpr.GetMediaItemTakeInfo_Value(take, "B_PPITCH"):
        raise InputError(
            f"the take '{name}' is time-stretched with pitch preserved",
            fix="Glue the item (Item > Glue items) so REAPER renders the stretch, then run it again.",
        )
    if rpr.GetTakeNumStretchMarkers(take) > 0:
        raise InputError(
            f"the take '{name}' has stretch markers",
            fix="Glue the item (Item > Glue items) so REAPER renders them, then run it again.",
        )
    mode = int(rpr.GetMediaItemTakeInfo_Value(take, "I_CHANMODE"))
    if mode not in CHANNEL_MODES:
        raise InputError(
            f"the take '{name}' uses a channel mode this plugin cannot reproduce",
            fix="Set the take's channel mode to normal, mono or left/right, or glue the item.",
        )
    start_offset = rpr.GetMediaItemTakeInfo_Value(take, "D_STARTOFFS")
    gain = rpr.GetMediaItemInfo_Value(item, "D_VOL") * rpr.GetMediaItemTakeInfo_Value(take, "D_VOL")
    return Segment(
        source=source,
        source_start_s=offset + start_offset + (first - position) * playrate,
        position_s=first - start,
        length_s=last - first,
        playrate=playrate,
        gain=gain,
        channel_mode=mode,
    )


def _file_source(rpr: Reaper, take: str, name: str) -> Tuple[str, float]:
    """The take's audio file and the offset of its section in that file."""
    source = rpr.GetMediaItemTake_Source(take)
    offset = 0.0
    kind = rpr.GetMediaSourceType(source, "", 64)[1]
    if kind == "SECTION":
        _, _, section_offset, _, reversed_ = rpr.PCM_Source_GetSectionInfo(source, 0.0, 0.0, False)
        if reversed_:
            raise InputError(
                f"the take '{name}' plays its source reversed",
                fix="Glue the item (Item > Glue items) so REAPER renders it, then run it again.",
            )
        offset = section_offset
        source = rpr.GetMediaSourceParent(source)
        kind = rpr.GetMediaSourceType(source, "", 64)[1]
        if not kind:  # the bridge passed the parent as NULL: it is no take's own source
            raise InputError(
                f"the take '{name}' plays a section of its file, which REAPER does not let the plugin read from Python",
                fix="Glue the item (Item > Glue items) to make a WAV of it, then run it again.",
            )
    filename = rpr.GetMediaSourceFileName(source, "", 4096)[1]
    if kind not in READABLE_SOURCES or not filename:
        raise InputError(
            f"the take '{name}' is a {kind or 'non-file'} source, which the plugin cannot read",
            fix="Glue the item (Item > Glue items) to make a WAV of it, then run it again.",
        )
    return filename, offset


def _take_name(rpr: Reaper, item: str) -> str:
    take = rpr.GetActiveTake(item)
    return "" if is_null(take) else rpr.GetSetMediaItemTakeInfo_String(take, "P_NAME", "", False)[3]


def media_folder(rpr: Reaper) -> Path:
    """The project's recording/media folder, where results are written."""
    return Path(rpr.GetProjectPathEx(0, "", 4096)[1])


def track_guid(rpr: Reaper, track: str) -> str:
    """A track's GUID, which stays the same across tab switches and reloads (its handle may not)."""
    return rpr.GetSetMediaTrackInfo_String(track, "GUID", "", False)[3]


def track_index(rpr: Reaper, *, guid: Optional[str] = None, name: Optional[str] = None) -> Optional[int]:
    """The 0-based index of the first track of the current project with that GUID or own name."""
    for index in range(rpr.CountTracks(0)):
        track = rpr.GetTrack(0, index)
        if guid is not None and track_guid(rpr, track) == guid:
            return index
        if name is not None and rpr.GetSetMediaTrackInfo_String(track, "P_NAME", "", False)[3] == name:
            return index
    return None


def _open_tabs(rpr: Reaper) -> List[str]:
    handles: List[str] = []
    index = 0
    while True:
        handle = rpr.EnumProjects(index, "", 4096)[0]
        if is_null(handle):
            return handles
        handles.append(handle)
        index += 1


@contextmanager
def in_tab(rpr: Reaper, tab: Tab, *, kept: Optional[Path], anchor_guid: Optional[str] = None) -> Iterator[None]:
    """Work in ``tab``: if the user switched to another tab meanwhile, switch to ``tab`` for the
    duration and back after. Raises :class:`HostError` naming ``kept`` (the file made for it, if
    any) when ``tab`` was closed, or
    when its handle now names another project (another file, and the track ``anchor_guid`` is not
    in it: REAPER may give a new tab a closed one's address)."""
    shown = current_tab(rpr).handle
    if tab.handle not in _open_tabs(rpr):
        raise _closed(tab, kept)
    if shown != tab.handle:
        rpr.SelectProjectInstance(tab.handle)
    try:
        if current_tab(rpr).file_name != tab.file_name and anchor_guid and track_index(rpr, guid=anchor_guid) is None:
            raise _closed(tab, kept)
        yield
    finally:
        if shown != tab.handle:
            rpr.SelectProjectInstance(shown)


def _closed(tab: Tab, kept: Optional[Path]) -> HostError:
    return HostError(
        f"the project {tab.label} this job started in is no longer open",
        fix="Open that project and run the action again."
        if kept is None
        else f"The audio is kept as {kept}: open that project and drag the file in (Insert > Media file).",
    )


@dataclass(frozen=True)
class _UserState:
    """What an insert must leave as the user had it: selected items and tracks, the edit cursor."""

    items: List[str]
    tracks: List[str]
    cursor: float


def _user_state(rpr: Reaper) -> _UserState:
    items = [rpr.GetSelectedMediaItem(0, i) for i in range(rpr.CountSelectedMediaItems(0))]
    tracks = [rpr.GetSelectedTrack(0, i) for i in range(rpr.CountSelectedTracks(0))]
    return _UserState(items, tracks, rpr.GetCursorPosition())


def _restore(rpr: Reaper, saved: _UserState) -> None:
    rpr.SelectAllMediaItems(0, False)
    for item in saved.items:
        rpr.SetMediaItemSelected(item, True)
    for index in range(rpr.CountTracks(0)):
        track = rpr.GetTrack(0, index)
        rpr.SetTrackSelected(track, track in saved.tracks)
    rpr.SetEditCurPos(saved.cursor, False, False)


def _all_items(rpr: Reaper) -> List[str]:
    return [rpr.GetMediaItem(0, i) for i in range(rpr.CountMediaItems(0))]


def insert_audio(
    rpr: Reaper,
    path: Path,
    *,
    tab: Tab,
    track_name: str,
    position_s: float,
    below_guid: Optional[str],
    undo: str,
    reuse_track: bool = False,
) -> str:
    """Put the file ``path`` at ``position_s`` in the project ``tab`` on a new track named
    ``track_name`` directly below the track ``below_guid`` (or last), or with ``reuse_track`` on the
    existing track of that name, as one undo step ``undo``. Selection and edit cursor stay as they
    were, whatever happens. Returns the new item's handle; raises :class:`HostError` (naming the
    kept file) when REAPER did not insert it, leaving no empty track behind."""
    with in_tab(rpr, tab, kept=path, anchor_guid=below_guid):
        saved = _user_state(rpr)
        rpr.Undo_BeginBlock2(0)
        rpr.PreventUIRefresh(1)
        made: Optional[str] = None
        try:
            index = track_index(rpr, name=track_name) if reuse_track else None
            if index is None:
                index = _new_track(rpr, track_name, below_guid)
                made = rpr.GetTrack(0, index)
            return _insert_item(rpr, path, index, position_s, track_name)
        except BaseException:
            if made is not None:
                rpr.DeleteTrack(made)
            raise
        finally:
            _restore(rpr, saved)
            rpr.PreventUIRefresh(-1)
            rpr.UpdateArrange()
            rpr.Undo_EndBlock2(0, undo, -1)


def _new_track(rpr: Reaper, name: str, below_guid: Optional[str]) -> int:
    """Insert a track named ``name`` directly below the track ``below_guid`` (or last); its index."""
    below = track_index(rpr, guid=below_guid) if below_guid else None
    index = rpr.CountTracks(0) if below is None else below + 1
    rpr.InsertTrackAtIndex(index, True)
    rpr.GetSetMediaTrackInfo_String(rpr.GetTrack(0, index), "P_NAME", name, True)
    return index


def _insert_item(rpr: Reaper, path: Path, index: int, position_s: float, track_name: str) -> str:
    track = rpr.GetTrack(0, index)
    before = set(_all_items(rpr))
    rpr.SetEditCurPos(position_s, False, False)
    rpr.InsertMedia(str(path), ON_TRACK | (index << 16))
    new = [item for item in _all_items(rpr) if item not in before]
    if len(new) != 1:
        raise HostError(
            f"REAPER did not insert {Path(path).name}",
            fix=f"The audio is kept as {path}: drag it onto the track '{track_name}' (Insert > Media file).",
        )
    item = new[0]
    if rpr.GetMediaItem_Track(item) != track:  # REAPER read the track index another way: move it
        rpr.MoveMediaItemToTrack(item, track)
    rpr.SetMediaItemInfo_Value(item, "D_POSITION", position_s)
    rpr.GetSetMediaItemTakeInfo_String(rpr.GetActiveTake(item), "P_NAME", Path(path).stem, True)
    rpr.UpdateItemInProject(item)
    rpr.Main_OnCommand(PEAKS_ACTION, 0)
    return item


def insert_lines(
    rpr: Reaper,
    lines: Sequence[Tuple[Path, Place, List[Dict[str, Any]]]],
    *,
    tab: Tab,
    below_guid: Optional[str],
    undo: str,
) -> List[Dict[str, Any]]:
    """Each spoken line on its speaker's track (made below ``below_guid`` the first time, else the
    existing track of that name) at its place, its sentences as take markers, all one undo point;
    selection and edit cursor as they were. A line already there (the same file at the same place:
    a rerun) is left as it is."""
    if not lines:
        return []
    with in_tab(rpr, tab, kept=lines[0][0], anchor_guid=below_guid):
        saved = _user_state(rpr)
        rpr.Undo_BeginBlock2(0)
        rpr.PreventUIRefresh(1)
        placed = []
        try:
            for path, place, sentences in lines:
                index = track_index(rpr, name=place.track_name)
                if index is None:
                    index = _new_track(rpr, place.track_name, below_guid)
                elif _holds(rpr, rpr.GetTrack(0, index), path, place.position_s):
                    placed.append({"name": place.track_name, "start": place.position_s, "already": True})
                    continue
                item = _insert_item(rpr, path, index, place.position_s, place.track_name)
                take = rpr.GetActiveTake(item)
                for sentence in sentences:
                    rpr.SetTakeMarker(take, -1, sentence["text"], float(sentence["start_s"]), 0)
                placed.append({"name": place.track_name, "start": place.position_s, "markers": len(sentences)})
            return placed
        finally:
            _restore(rpr, saved)
            rpr.PreventUIRefresh(-1)
            rpr.UpdateArrange()
            rpr.Undo_EndBlock2(0, undo, -1)


def _holds(rpr: Reaper, track: str, path: Path, position_s: float) -> bool:
    """Whether ``track`` has an item playing the file ``path`` from ``position_s``."""
    for i in range(rpr.CountTrackMediaItems(track)):
        item = rpr.GetTrackMediaItem(track, i)
        take = rpr.GetActiveTake(item)
        if is_null(take) or abs(rpr.GetMediaItemInfo_Value(item, "D_POSITION") - position_s) > 1e-6:
            continue
        source = rpr.GetMediaItemTake_Source(take)
        if Path(rpr.GetMediaSourceFileName(source, "", 4096)[1]) == Path(path):
            return True
    return False


def add_regions(rpr: Reaper, spans: Sequence[Tuple[float, float]], *, name: str, tab: Tab, undo: str) -> None:
    """A region named ``name`` N over each of ``spans`` (project seconds), as one undo point."""
    with in_tab(rpr, tab, kept=None):
        rpr.Undo_BeginBlock2(0)
        try:
            for number, (start, end) in enumerate(spans, 1):
                rpr.AddProjectMarker2(0, True, start, end, f"{name} {number}", -1, 0)
        finally:
            rpr.UpdateTimeline()
            rpr.Undo_EndBlock2(0, undo, -1)
