"""Reading the selection out of a running Audacity, exporting it, and importing a result as a track.

Audacity's scripting has no command that reports the selected time range, so it is read by adding a
label at the selection and undoing it at once; the time range and the selected tracks are then set
back exactly as they were. State is always read back with ``GetInfo`` rather than trusting ``OK``.
That Undo also takes back every change made since the last undo state, and scripting commands
(``SetTrack``, ``SetClip``) make none: an import therefore ends with a menu command that stores one.
"""

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import List, Optional, Tuple

from ...errors import InputError
from .pipe import Pipe


@dataclass(frozen=True)
class Selection:
    """The selected time range (seconds) and the selected audio tracks (indexes, names, and the most
    channels among them)."""

    start_s: float
    end_s: float
    tracks: List[int]
    names: List[str]
    channels: int = 1

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


def info(pipe: Pipe, kind: str):
    """``GetInfo`` of ``kind`` (Tracks, Clips, Labels...) as parsed JSON."""
    return json.loads("\n".join(pipe.send("GetInfo", Type=kind, Format="JSON")) or "[]")


def read_selection(pipe: Pipe, *, require_range: bool = True) -> Selection:
    """What the user selected. With ``require_range`` (cloning), audio tracks and a time range must
    be selected, else :class:`InputError` says what to select; without it (speech) a cursor will do."""
    tracks = info(pipe, "Tracks")
    chosen = [i for i, t in enumerate(tracks) if t.get("selected") and t.get("kind") == "wave"]
    if require_range and not chosen:
        raise InputError(
            "nothing is selected in Audacity",
            fix="Select the voice's track and a time range on it, then run the command again.",
        )
    before = info(pipe, "Labels")
    pipe.send("AddLabel")
    try:
        start, end = _new_label(before, info(pipe, "Labels"))
    finally:
        pipe.send("Undo")
    selection = Selection(
        start,
        end,
        chosen,
        [tracks[i]["name"] for i in chosen],
        max((tracks[i].get("channels", 1) for i in chosen), default=1),
    )
    restore(pipe, selection)
    if require_range and end <= start:
        raise InputError(
            "no time range is selected in Audacity (only a cursor position)",
            fix="Drag over the voice on its track to select 10 s to 5 min of it.",
        )
    return selection


def _new_label(before, after):
    """The label AddLabel just made: the one in ``after`` that ``before`` lacks (on a new label
    track, or on a selected label track of the project's own)."""
    known = [tuple(entry[:2]) for _, entries in before for entry in entries]
    for _, entries in after:
        for entry in entries:
            if tuple(entry[:2]) in known:
                known.remove(tuple(entry[:2]))
            else:
                return float(entry[0]), float(entry[1])
    raise InputError("Audacity did not report the selection", fix="Close any open Audacity dialog and try again.")


def restore(pipe: Pipe, selection: Selection) -> None:
    """Set the time range and the selected tracks back to ``selection``."""
    if not selection.tracks:
        pipe.send("SelectNone")
    for position, track in enumerate(selection.tracks):
        pipe.send("SelectTracks", Track=track, TrackCount=1, Mode="Set" if position == 0 else "Add")
    pipe.send("SelectTime", Start=selection.start_s, End=selection.end_s, RelativeTo="ProjectStart")


def export_selection(pipe: Pipe, selection: Selection, path: Path) -> Path:
    """Export the selected tracks over the selected range, mixed (mono if they all are), as a WAV at ``path``."""
    _check_path(path.parent, "export folder")
    restore(pipe, selection)
    pipe.send("Export2", Filename=str(path), NumChannels=selection.channels)
    if not path.is_file():
        raise InputError(f"Audacity did not write {path}", fix="Check the folder can be written, then try again.")
    return path


def import_track(
    pipe: Pipe,
    path: Path,
    *,
    name: str,
    start_s: float,
    keep: Selection,
    below: Optional[int] = None,
    muted: bool = False,
) -> dict:
    """Import ``path`` as a new track called ``name`` starting at ``start_s``, directly below the
    track ``below`` (None: after the last); leave ``keep`` selected.

    Returns the new track as ``GetInfo`` reports it, with its ``clips``.
    """
    _check_path(path, "audio file")
    before = len(info(pipe, "Tracks"))
    pipe.send("Import2", Filename=str(path))
    tracks = info(pipe, "Tracks")
    if len(tracks) != before + 1:
        raise InputError(f"Audacity did not import {path.name}", fix="Check the file is audio, then try again.")
    pipe.send("SelectTracks", Track=before, TrackCount=1, Mode="Set")
    pipe.send("SetTrack", Name=name, Focused=True, Mute=muted)  # TrackMoveUp moves the focused track
    # Scripting commands such as SetTrack and SetClip change the project without an undo state, so
    # the next Undo (the next command's selection read) would take them back. The Align menu command
    # moves the clip and stores the state, rename included.
    pipe.send("SelectTime", Start=start_s, End=start_s, RelativeTo="ProjectStart")
    pipe.send("Align_StartToSelStart")
    at = before if below is None or below + 1 >= before else below + 1
    for _ in range(before - at):  # up, one track at a time, to just under ``below``
        pipe.send("TrackMoveUp")
    restore(pipe, replace(keep, tracks=[t + 1 if t >= at else t for t in keep.tracks]))
    track = info(pipe, "Tracks")[at]
    track["clips"] = [c for c in info(pipe, "Clips") if c.get("track") == at]
    return track


def split_off(pipe: Pipe, track: int, start_s: float, end_s: float, *, name: str) -> None:
    """Move ``track``'s audio over ``start_s``..``end_s`` onto a new, muted track ``name`` at the end
    (Audacity's Split New): the original stays in the project, one unmute away."""
    pipe.send("SelectTracks", Track=track, TrackCount=1, Mode="Set")
    pipe.send("SelectTime", Start=start_s, End=end_s, RelativeTo="ProjectStart")
    pipe.send("SplitNew")
    moved = len(info(pipe, "Tracks")) - 1
    pipe.send("SelectTracks", Track=moved, TrackCount=1, Mode="Set")
    pipe.send("SetTrack", Name=name, Mute=True)


def add_labels(pipe: Pipe, labels: List[Tuple[float, float, str]], *, track_name: str, keep: Selection) -> None:
    """A new label track ``track_name`` at the end, holding ``labels`` (start, end, text) in time
    order; leave ``keep`` selected. ``SetLabel`` numbers labels across all label tracks, in track
    order: the new track's come after every other track's."""
    before = sum(len(rows) for _, rows in info(pipe, "Labels"))
    pipe.send("NewLabelTrack")
    track = len(info(pipe, "Tracks")) - 1
    pipe.send("SelectTracks", Track=track, TrackCount=1, Mode="Set")
    pipe.send("SetTrack", Name=track_name)
    for number, (start, end, text) in enumerate(labels):
        pipe.send("SelectTime", Start=start, End=end, RelativeTo="ProjectStart")
        pipe.send("AddLabel")
        pipe.send("SetLabel", Label=before + number, Text=text.replace('"', "'"))
    restore(pipe, keep)


def _check_path(path: Path, what: str) -> None:
    """Audacity opens a modal error dialog for a bad path, which would block the pipe: check first."""
    if not Path(path).exists():
        raise InputError(f"the {what} {path} does not exist", fix="Check the path and try again.")
    if '"' in str(path):
        raise InputError(
            f"the {what} {path} has a quote in its name, which Audacity's pipe cannot take",
            fix="Rename it without quotes.",
        )
