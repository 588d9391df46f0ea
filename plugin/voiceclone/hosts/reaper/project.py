"""Reading the selection out of a REAPER project, and inserting a result into it.

Both run on REAPER's UI thread and only read properties or add one track: no samples are read here.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from ...capture import CHANNEL_MODES, CapturePlan, Segment
from ...errors import InputError
from ..base import check_selection
from .api import Reaper, is_null

#: Source types the background job reads with soundfile (REAPER's names).
READABLE_SOURCES = ("WAVE", "MP3", "FLAC", "VORBIS", "OGG", "AIFF")
PEAKS_ACTION = 40047      # Peaks: Build any missing peaks


@dataclass(frozen=True)
class Capture:
    """A captured region: the plan the job renders, and where it sits in the project."""

    plan: CapturePlan
    track: str              # the source track's handle
    track_name: str
    take_name: str
    start_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.plan.length_s


def capture_selection(rpr: Reaper) -> Capture:
    """The audible audio of the selection: the time selection on the selected track, else the
    selected items (one track). Raises :class:`InputError` saying what to select instead."""
    _, _, _, start, end, _ = rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
    if end > start:
        track = rpr.GetSelectedTrack(0, 0)
        if is_null(track) and rpr.CountSelectedMediaItems(0):
            track = rpr.GetMediaItem_Track(rpr.GetSelectedMediaItem(0, 0))
        if is_null(track):
            raise InputError("there is a time selection but no selected track",
                             fix="Select the track that holds the voice, then run the action again.")
        items = [rpr.GetTrackMediaItem(track, i) for i in range(rpr.CountTrackMediaItems(track))]
    else:
        items = [rpr.GetSelectedMediaItem(0, i) for i in range(rpr.CountSelectedMediaItems(0))]
        if not items:
            raise InputError("nothing is selected",
                             fix="Select the voice's items, or make a time selection on its track.")
        tracks = {rpr.GetMediaItem_Track(item) for item in items}
        if len(tracks) > 1:
            raise InputError(f"the selected items are on {len(tracks)} tracks",
                             fix="Select items on one track only: the track of the voice to clone.")
        track = tracks.pop()
        spans = [_span(rpr, item) for item in items]
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
    length = end - start
    check_selection(length)
    audible = [item for item in items if not rpr.GetMediaItemInfo_Value(item, "B_MUTE")]
    audible.sort(key=lambda item: rpr.GetMediaItemInfo_Value(item, "D_POSITION"))
    inside = [(item, s) for item, s in ((item, _segment(rpr, item, start, end)) for item in audible) if s is not None]
    if not inside:
        raise InputError("the selection holds no audible audio items",
                         fix="Unmute the voice's items or select a region where it speaks.")
    segments = [segment for _, segment in inside]
    track_name = rpr.GetTrackName(track, "", 512)[2]
    take_name = _take_name(rpr, inside[0][0])       # the first take heard in the selection
    where = _project_name(rpr)
    plan = CapturePlan(length, tuple(segments), f"REAPER project {where}, track '{track_name}', "
                                                  f"{start:.2f}-{end:.2f} s")
    return Capture(plan, track, track_name, take_name, start)


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
        raise InputError(f"the take '{name}' is time-stretched with pitch preserved",
                         fix="Glue the item (Item > Glue items) so REAPER renders the stretch, then run it again.")
    if rpr.GetTakeNumStretchMarkers(take) > 0:
        raise InputError(f"the take '{name}' has stretch markers",
                         fix="Glue the item (Item > Glue items) so REAPER renders them, then run it again.")
    mode = int(rpr.GetMediaItemTakeInfo_Value(take, "I_CHANMODE"))
    if mode not in CHANNEL_MODES:
        raise InputError(f"the take '{name}' uses a channel mode this plugin cannot reproduce",
                         fix="Set the take's channel mode to normal, mono or left/right, or glue the item.")
    start_offset = rpr.GetMediaItemTakeInfo_Value(take, "D_STARTOFFS")
    gain = rpr.GetMediaItemInfo_Value(item, "D_VOL") * rpr.GetMediaItemTakeInfo_Value(take, "D_VOL")
    return Segment(source=source, source_start_s=offset + start_offset + (first - position) * playrate,
                   position_s=first - start, length_s=last - first, playrate=playrate, gain=gain,
                   channel_mode=mode)


def _file_source(rpr: Reaper, take: str, name: str) -> Tuple[str, float]:
    """The take's audio file and the offset of its section in that file."""
    source = rpr.GetMediaItemTake_Source(take)
    offset = 0.0
    kind = rpr.GetMediaSourceType(source, "", 64)[1]
    if kind == "SECTION":
        _, _, section_offset, _, reversed_ = rpr.PCM_Source_GetSectionInfo(source, 0.0, 0.0, False)
        if reversed_:
            raise InputError(f"the take '{name}' plays its source reversed",
                             fix="Glue the item (Item > Glue items) so REAPER renders it, then run it again.")
        offset = section_offset
        source = rpr.GetMediaSourceParent(source)
        kind = rpr.GetMediaSourceType(source, "", 64)[1]
    filename = rpr.GetMediaSourceFileName(source, "", 4096)[1]
    if kind not in READABLE_SOURCES or not filename:
        raise InputError(f"the take '{name}' is a {kind or 'non-file'} source, which the plugin cannot read",
                         fix="Glue the item (Item > Glue items) to make a WAV of it, then run it again.")
    return filename, offset


def _take_name(rpr: Reaper, item: str) -> str:
    take = rpr.GetActiveTake(item)
    return "" if is_null(take) else rpr.GetSetMediaItemTakeInfo_String(take, "P_NAME", "", False)[3]


def _project_name(rpr: Reaper) -> str:
    filename = rpr.EnumProjects(-1, "", 4096)[2]
    return f"'{Path(filename).name}'" if filename else "(unsaved)"


def media_folder(rpr: Reaper) -> Path:
    """The project's recording/media folder, where results are written."""
    return Path(rpr.GetProjectPathEx(0, "", 4096)[1])


@dataclass(frozen=True)
class Selection:
    items: List[str]
    tracks: List[str]
    cursor: float


def _selection(rpr: Reaper) -> Selection:
    items = [rpr.GetSelectedMediaItem(0, i) for i in range(rpr.CountSelectedMediaItems(0))]
    tracks = [rpr.GetSelectedTrack(0, i) for i in range(rpr.CountSelectedTracks(0))]
    return Selection(items, tracks, rpr.GetCursorPosition())


def _restore(rpr: Reaper, saved: Selection) -> None:
    rpr.SelectAllMediaItems(0, False)
    for item in saved.items:
        rpr.SetMediaItemSelected(item, True)
    for index in range(rpr.CountTracks(0)):
        track = rpr.GetTrack(0, index)
        rpr.SetTrackSelected(track, track in saved.tracks)
    rpr.SetEditCurPos(saved.cursor, False, False)


def find_track(rpr: Reaper, name: str) -> Optional[str]:
    """The first track named ``name``, or None."""
    for index in range(rpr.CountTracks(0)):
        track = rpr.GetTrack(0, index)
        if rpr.GetTrackName(track, "", 512)[2] == name:
            return track
    return None


def insert_audio(rpr: Reaper, path: Path, *, track_name: str, position_s: float, below: Optional[str],
                 undo: str, reuse_track: bool = False) -> str:
    """Put ``path`` at ``position_s`` on a new track named ``track_name`` directly below ``below``
    (or last), or with ``reuse_track`` on the existing track of that name, as one undo step ``undo``.
    Selection and edit cursor stay as they were. Returns the new item's handle."""
    saved = _selection(rpr)
    rpr.Undo_BeginBlock2(0)
    rpr.PreventUIRefresh(1)
    try:
        track = find_track(rpr, track_name) if reuse_track else None
        if track is None:
            index = rpr.CountTracks(0)
            if below is not None and rpr.ValidatePtr2(0, below, "MediaTrack*"):
                index = int(rpr.GetMediaTrackInfo_Value(below, "IP_TRACKNUMBER"))
            rpr.InsertTrackAtIndex(index, True)
            track = rpr.GetTrack(0, index)
            rpr.GetSetMediaTrackInfo_String(track, "P_NAME", track_name, True)
        item = rpr.AddMediaItemToTrack(track)
        take = rpr.AddTakeToMediaItem(item)
        source = rpr.PCM_Source_CreateFromFile(str(path))
        rpr.SetMediaItemTake_Source(take, source)
        rpr.GetSetMediaItemTakeInfo_String(take, "P_NAME", Path(path).stem, True)
        rpr.SetMediaItemInfo_Value(item, "D_POSITION", position_s)
        rpr.SetMediaItemInfo_Value(item, "D_LENGTH", rpr.GetMediaSourceLength(source, False)[0])
        rpr.UpdateItemInProject(item)
        rpr.Main_OnCommand(PEAKS_ACTION, 0)
        _restore(rpr, saved)
    finally:
        rpr.PreventUIRefresh(-1)
        rpr.UpdateArrange()
        rpr.Undo_EndBlock2(0, undo, -1)
    return item
