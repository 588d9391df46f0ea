"""REAPER as a :class:`~voiceclone.hosts.base.Host`: dialogs with ``GetUserInputs``, work in a
background child polled from defer ticks, results inserted with ``InsertMedia`` into the project
tab the action started in (see :mod:`.project`). Runs on REAPER's UI thread; standard library only.
"""

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ... import rules
from ...errors import Cancelled
from ...files import media_path
from ...script_file import ScriptLine
from ..base import PICK_NAME, Captured, Place
from . import regions
from .api import Reaper, is_null
from .project import (
    add_regions,
    add_takes,
    capture_phrase,
    capture_selection,
    current_tab,
    insert_audio,
    insert_lines,
    media_folder,
    track_guid,
    track_index,
)
from .runner import BackgroundJob

#: GetUserInputs' buffer: the bridge allocates 4 MB but REAPER fills only the size it is told, so it
#: must hold the longest speech text in UTF-8 (up to 4 bytes a character) plus the other fields.
DIALOG_BUFFER = 4 * rules.SPEECH_TEXT_MAX + 4096
#: The folder, in the project's media folder, a script's lines and journal go to.
SCRIPT_FOLDER = "Voice clone script"


class ReaperHost:
    """One action's view of REAPER: the project tab the user was in when the action ran."""

    def __init__(self, rpr: Reaper):
        self.rpr = rpr
        self.tab = current_tab(rpr)
        self._folder = media_folder(rpr)

    def capture(self) -> Captured:
        captured = capture_selection(self.rpr)
        return Captured(
            sample={"capture": captured.plan.as_dict()},
            length_s=captured.plan.length_s,
            start_s=captured.start_s,
            name=captured.take_name or captured.track_name,
            track=captured.track_guid,
            source=captured.plan.description,
        )

    def capture_around(self, context_s: float) -> Captured:
        """The phrase in the time selection, with the whole item it lies in as its context (the
        patched item becomes a take of it)."""
        phrase = capture_phrase(self.rpr)
        offset = phrase.item_position_s
        return Captured(
            sample={
                "capture": phrase.plan.as_dict(),
                "start": phrase.start_s - offset,
                "end": None if phrase.end_s is None else phrase.end_s - offset,
            },
            length_s=0.0 if phrase.end_s is None else phrase.end_s - phrase.start_s,
            start_s=phrase.start_s,
            name=phrase.track_name,
            track=phrase.track_guid,
            source=phrase.plan.description,
            offset_s=offset,
        )

    def script_lines(self) -> List[ScriptLine]:
        return regions.script_lines(self.rpr, self.tab)

    def script_folder(self) -> Path:
        """``Voice clone script`` in the project's media folder: the lines' files and their journal."""
        return self._folder / SCRIPT_FOLDER

    def insert_lines(
        self, lines: Sequence[Tuple[Path, Place, List[Dict[str, Any]]]], *, undo: str
    ) -> List[Dict[str, Any]]:
        """Each line on its speaker's track, its sentences as take markers, one undo point."""
        selected = self.rpr.GetSelectedTrack(0, 0)
        below = None if is_null(selected) else track_guid(self.rpr, selected)
        return insert_lines(self.rpr, lines, tab=self.tab, below_guid=below, undo=undo)

    def cursor(self) -> Place:
        _, _, _, start, end, _ = self.rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
        selected = self.rpr.GetSelectedTrack(0, 0)
        return Place(
            start if end > start else self.rpr.GetCursorPosition(),
            "",
            below=None if is_null(selected) else track_guid(self.rpr, selected),
        )

    def track(self, guid: Optional[str]) -> str:
        """The track of ``guid`` in the action's tab (NULL when it is gone)."""
        index = None if guid is None else track_index(self.rpr, guid=guid)
        return self.rpr.GetTrack(0, -1) if index is None else self.rpr.GetTrack(0, index)

    def new_file(self, name: str, what: str, extension: str) -> Path:
        return media_path(self._folder, name, what, datetime.now(), extension)

    def ask(self, title: str, fields: Sequence[str], defaults: Sequence[str], *, note: str = "") -> Optional[List[str]]:
        """One GetUserInputs dialog (values may hold commas); None when the user cancels."""
        if note:
            self.rpr.console(note)
        ok, _, _, _, values, _ = self.rpr.GetUserInputs(
            title, len(fields), ",".join(fields) + ",extrawidth=320,separator=\n", "\n".join(defaults), DIALOG_BUFFER
        )
        if not ok:
            return None
        answers = values.split("\n")
        return [a.strip() for a in answers + [""] * (len(fields) - len(answers))]

    def confirm(self, question: str) -> bool:
        return self.rpr.message(question, buttons=4) == 6

    def say(self, line: str) -> None:
        self.rpr.console(line)

    def fail(self, error: Dict[str, Any]) -> None:
        """A cancel in the console, anything else in a message box."""
        lines = [f"error: {error.get('message')}"] + ([f"fix: {error['fix']}"] if error.get("fix") else [])
        if error.get("exit_code") == Cancelled.exit_code:
            self.rpr.console("\n".join(["Voice clone: " + error.get("message", "cancelled")] + lines[1:]))
        else:
            self.rpr.message("\n".join(lines))

    def run(self, job: Dict[str, Any], then: Callable[[Dict[str, Any]], None], *, title: str) -> None:
        BackgroundJob(self.rpr, job, title=title, on_result=then, on_error=self.fail).start()

    def mark_pieces(self, spans: Sequence[Tuple[float, float]]) -> None:
        """The picked pieces as regions "Voice clone pick N", one undo point."""
        add_regions(self.rpr, spans, name=PICK_NAME, tab=self.tab, undo="Voice clone: mark picked speech")

    def insert(self, path: Path, place: Place, *, undo: str) -> Dict[str, Any]:
        """A new item on a track below ``place.below`` (or the track of its name, ``reuse_track``)."""
        insert_audio(
            self.rpr,
            path,
            tab=self.tab,
            track_name=place.track_name,
            position_s=place.position_s,
            below_guid=place.below,
            undo=undo,
            reuse_track=place.reuse_track,
        )
        return {"name": place.track_name, "start": place.position_s}

    def insert_takes(self, takes: Sequence[Tuple[Path, Place]], *, undo: str) -> List[Dict[str, Any]]:
        """The patch and its variants as new takes of the take's item, the patch the active take
        (flip between them and the original with REAPER's take switching), in one undo point."""
        patch = takes[0][1]
        assert patch.below is not None, "a patch names the take's track"
        add_takes(
            self.rpr,
            [(path, place.track_name) for path, place in takes],
            tab=self.tab,
            track_guid=patch.below,
            item_at_s=patch.position_s,
            undo=undo,
        )
        return [{"name": place.track_name, "start": place.position_s, "take": True} for _, place in takes]
