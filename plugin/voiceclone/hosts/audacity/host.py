"""Audacity as a :class:`~voiceclone.hosts.base.Host`, driven by a command (a desktop shortcut).

Audacity's pipe is held only while Audacity itself works (reading the selection, exporting,
importing), so a second command, or the user, has it meanwhile. The jobs run in this process
(blocking) through :func:`voiceclone.worker.perform`, as REAPER's background child runs them.
The command line's options answer for the dialogs REAPER shows. A speech gets a new track each
time: Audacity's scripting cannot put a clip on an existing track at a time.
"""

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import soundfile as sf

from ... import files, rules, script_output
from ...errors import HostError, InputError, VoiceCloneError
from ...events import Event
from ...files import media_path
from ...leftovers import temp_folder
from ...script_file import ScriptLine, check_lines, split_speaker
from ...settings import Settings, user_data_folder
from ..base import PICK_NAME, POINT_REACH_S, Captured, Place, check_selection
from ..in_process import InProcessHost
from .pipe import Pipe
from .project import (
    Selection,
    add_labels,
    export_selection,
    import_track,
    info,
    read_selection,
    restore,
    split_off,
)

#: The label track a script's sentences go on (and which is never read as the script).
SENTENCES_TRACK = "Voice clone sentences"


class AudacityHost(InProcessHost):
    """The running Audacity, for one command. Use as a context manager (it holds the exported sample).

    ``start``/``end`` (project seconds) pick the cloned range on the selected tracks instead of the
    selection's; ``on_event`` gets the jobs' progress.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        on_event: Callable,
        start: Optional[float] = None,
        end: Optional[float] = None,
        script_folder: Optional[Path] = None,
    ):
        super().__init__(settings, on_event=on_event)
        self._range = (start, end)
        self._script_folder = script_folder
        self._temp = temp_folder("audacity")

    def __enter__(self) -> "AudacityHost":
        return self

    def __exit__(self, *exc) -> None:
        self._temp.cleanup()

    def capture(self) -> Captured:
        start, end = self._range
        with Pipe() as pipe:
            selection = read_selection(pipe, require_range=start is None or end is None)
            region = _region(pipe, selection, start, end)
            check_selection(region.length_s, where=" in Audacity")
            self._on_event(Event("capture", "Exporting the selection from Audacity"))
            sample = export_selection(pipe, region, Path(self._temp.name) / "selection.wav")
            if region != selection:
                restore(pipe, selection)
        where = ", ".join(f"'{name}'" for name in region.names)
        return Captured(
            sample={"audio": str(sample)},
            length_s=region.length_s,
            start_s=region.start_s,
            name=region.names[0],
            track=str(region.tracks[0]),
            source=f"Audacity track {where}, {region.start_s:.2f}-{region.end_s:.2f} s",
        )

    def capture_around(self, context_s: float) -> Captured:
        """The selected phrase on the first selected track, exported with up to ``context_s`` of that
        track on each side (the speech, spectrum and room tone the patch is matched to)."""
        with Pipe() as pipe:
            selection = read_selection(pipe, require_range=False)
            if not selection.tracks:
                raise InputError(
                    "no track is selected in Audacity",
                    fix="Select the flubbed phrase on the take's track (or click where it starts), then run it again.",
                )
            point = selection.end_s <= selection.start_s
            track = selection.tracks[0]
            clips = [c for c in info(pipe, "Clips") if c["track"] == track]
            track_end = max((c["end"] for c in clips), default=selection.end_s)
            reach = context_s + (POINT_REACH_S if point else 0.0)
            first, last = max(0.0, selection.start_s - context_s), min(track_end, selection.end_s + reach)
            around = replace(
                selection,
                start_s=first,
                end_s=last,
                tracks=[track],
                names=selection.names[:1],
                channels=info(pipe, "Tracks")[track].get("channels", 1),
            )
            sample = export_selection(pipe, around, Path(self._temp.name) / "take.wav")
            restore(pipe, selection)
        return Captured(
            sample={
                "audio": str(sample),
                "start": selection.start_s - first,
                "end": None if point else selection.end_s - first,
            },
            length_s=selection.length_s,
            start_s=selection.start_s,
            name=selection.names[0],
            track=str(track),
            source=f"Audacity track '{selection.names[0]}'",
            offset_s=first,
        )

    def script_lines(self) -> List[ScriptLine]:
        """Every label (but the plugin's own sentence labels) is a line, in time order."""
        with Pipe() as pipe:
            tracks, labels = info(pipe, "Tracks"), info(pipe, "Labels")
        found = sorted(
            (float(start), str(text))
            for track, rows in labels
            if tracks[track].get("name") != SENTENCES_TRACK
            for start, _, text in rows
            if str(text).strip()
        )
        if not found:
            raise InputError(
                "the project has no labels to speak",
                fix="Add a label track (Tracks > Add New > Label Track) and a label for each line, "
                "its text the line ('[Host] Welcome back.').",
            )
        lines = []
        for number, (start, text) in enumerate(found, 1):
            speaker, said = split_speaker(text)
            lines.append(ScriptLine(number, said, speaker, start))
        return check_lines(lines, "the project's labels")

    def script_folder(self) -> Path:
        """The folder the command names (``--out``), else the user data folder's ``Audacity/script``."""
        return self._script_folder or user_data_folder() / "Audacity" / "script"

    def insert_lines(
        self, lines: Sequence[Tuple[Path, Place, List[Dict[str, Any]]]], *, undo: str
    ) -> List[Dict[str, Any]]:
        """One new track per speaker (its lines mixed at their places: Audacity's scripting cannot put
        a clip on an existing track at a time), and the sentences as labels on a label track of
        their own. Audacity makes these several undo steps."""
        by_speaker: Dict[str, List[Tuple[Path, Place, List[Dict[str, Any]]]]] = {}
        for line in lines:
            by_speaker.setdefault(line[1].track_name, []).append(line)
        folder = Path(self._temp.name)
        placed = []
        with Pipe() as pipe:
            keep = read_selection(pipe, require_range=False)
            for name, group in by_speaker.items():
                first = min(place.position_s for _, place, _ in group)
                mixed = script_output.mix(
                    ((place.position_s - first, path) for path, place, _ in group),
                    folder / f"{files.safe_stem(name, 'voice')}-lines.wav",
                )
                track = import_track(pipe, mixed, name=name, start_s=first, keep=keep)
                placed.append({"name": track.get("name", name), "start": first, "lines": len(group)})
            sentences = sorted(
                (place.position_s + s["start_s"], place.position_s + s["end_s"], s["text"])
                for _, place, said in lines
                for s in said
            )
            if sentences:
                add_labels(pipe, sentences, track_name=SENTENCES_TRACK, keep=keep)
        return placed

    def mark_pieces(self, spans: Sequence[Tuple[float, float]]) -> None:
        """The picked pieces as labels "Voice clone pick N" on a label track of their own."""
        with Pipe() as pipe:
            keep = read_selection(pipe, require_range=False)
            labels = [(start, end, f"{PICK_NAME} {n}") for n, (start, end) in enumerate(spans, 1)]
            add_labels(pipe, labels, track_name=PICK_NAME, keep=keep)

    def cursor(self) -> Place:
        with Pipe() as pipe:
            selection = read_selection(pipe, require_range=False)
        return Place(selection.start_s, "", below=str(selection.tracks[0]) if selection.tracks else None)

    def new_file(self, name: str, what: str, extension: str) -> Path:
        """Audacity copies what it imports into its project: the paid audio itself is kept in the
        user data folder's ``Audacity`` folder."""
        folder = user_data_folder() / "Audacity"
        folder.mkdir(parents=True, exist_ok=True)
        return media_path(folder, name, what, datetime.now(), extension)

    def insert(self, path: Path, place: Place, *, undo: str) -> Dict[str, Any]:
        """A new track below ``place.below`` at ``place.position_s``; with ``place.over``, the source
        track's audio under it is first moved to a muted track of its own (kept, restorable), so the
        patch plays in its place. Audacity's scripting makes these several undo steps, not one."""
        try:
            with Pipe() as pipe:
                # read first: the read's Undo would take back the split track's unsaved name and mute
                keep = read_selection(pipe, require_range=False)
                if place.over and place.below is not None:
                    split_off(
                        pipe,
                        int(place.below),
                        place.position_s,
                        place.position_s + sf.info(str(path)).duration,
                        name="Voice clone original (muted)",
                    )
                return import_track(
                    pipe,
                    path,
                    name=place.track_name,
                    start_s=place.position_s,
                    keep=keep,
                    below=None if place.below is None else int(place.below),
                    muted=place.muted,
                )
        except VoiceCloneError as exc:
            raise HostError(
                f"the audio is made but Audacity could not take it ({exc}); it is kept as {path}",
                fix=(f"{exc.fix.rstrip('.')}, or i" if exc.fix else "I") + f"mport {path} with File > Import > Audio.",
            ) from exc


def _region(pipe: Pipe, selection: Selection, start, end) -> Selection:
    """The selected tracks over ``--start``/``--end`` (project seconds), each defaulting to the selection's."""
    if start is None and end is None:
        return selection
    if not selection.tracks:
        raise InputError(
            "no track is selected in Audacity", fix="Click the voice's track to select it, then run the command again."
        )
    project_end = max((clip["end"] for clip in info(pipe, "Clips") if clip["track"] in selection.tracks), default=0.0)
    first, last = rules.check_region(
        selection.start_s if start is None else start,
        selection.end_s if end is None else end,
        project_end,
        within="the selected tracks",
    )
    return replace(selection, start_s=first, end_s=last)
