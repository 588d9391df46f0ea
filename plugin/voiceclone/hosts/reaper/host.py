"""REAPER as a :class:`~voiceclone.hosts.base.Host`: dialogs with ``GetUserInputs``, work in a
background child polled from defer ticks, results inserted with ``InsertMedia`` into the project
tab the action started in (see :mod:`.project`). Runs on REAPER's UI thread; standard library only.
"""

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from ... import rules
from ...errors import Cancelled
from ..base import Captured, Place, media_path
from .api import Reaper, is_null
from .project import capture_selection, current_tab, insert_audio, media_folder, track_guid
from .runner import BackgroundJob

#: GetUserInputs' buffer: the bridge allocates 4 MB but REAPER fills only the size it is told, so it
#: must hold the longest speech text in UTF-8 (up to 4 bytes a character) plus the other fields.
DIALOG_BUFFER = 4 * rules.SPEECH_TEXT_MAX + 4096


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

    def cursor(self) -> Place:
        _, _, _, start, end, _ = self.rpr.GetSet_LoopTimeRange2(0, False, False, 0.0, 0.0, False)
        selected = self.rpr.GetSelectedTrack(0, 0)
        return Place(
            start if end > start else self.rpr.GetCursorPosition(),
            "",
            below=None if is_null(selected) else track_guid(self.rpr, selected),
        )

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

    def insert(self, path: Path, place: Place, *, undo: str) -> Dict[str, Any]:
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
