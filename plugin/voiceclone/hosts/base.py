"""The contract every DAW host keeps.

Units: seconds on the project timeline, Hz, linear gains. Audio is never read on the DAW's UI thread:
the host gathers a :class:`~voiceclone.capture.CapturePlan` (files, offsets, lengths, gains) and the
background job renders it. Network work happens only in that job (:mod:`voiceclone.worker`), a
child process whose events file the host polls without blocking.

A host then:

- refuses a selection shorter than :data:`voiceclone.rules.CLONE_MIN_S` before anything else,
  with the measured length in the message, and says that one longer than 5 minutes is trimmed;
- inserts the result on a new track named :func:`track_name` directly below the source track, at
  the region's start (speech: at the edit cursor), as one undo step, leaving the user's selection
  and cursor as they were;
- writes the audio into the project's media folder under :func:`media_path`, never over a file.
"""
import re
from datetime import datetime
from pathlib import Path

from .. import rules
from ..errors import AudioError

TRACK_PREFIX = "Voice clone: "


def track_name(preset: str) -> str:
    """The name of the track a host inserts results on."""
    return TRACK_PREFIX + preset


def media_path(folder: Path, preset: str, what: str, moment: datetime, extension: str) -> Path:
    """A descriptive file in ``folder`` that does not exist yet, such as
    ``Voice clone - Host - speech 2026-11-25 101500.wav``; a second one in the same second gets `` (2)``."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", preset).strip(" .") or "voice"
    stem = f"Voice clone - {safe} - {what} {moment.strftime('%Y-%m-%d %H%M%S')}"
    path, number = folder / f"{stem}{extension}", 1
    while path.exists():
        number += 1
        path = folder / f"{stem} ({number}){extension}"
    return path


def suggest_voice_id(name: str, moment: datetime) -> str:
    """A valid voice_id made from a track or take name, e.g. ``Host take 3`` -> ``Host_take_3_1125``."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
    if not words or not words[0].isalpha():
        words = "Voice" + ("_" + words if words else "")
    return f"{words[:240]}_{moment.strftime('%m%d%H%M')}"


def check_selection(length_s: float, *, where: str = "") -> None:
    """Refuse a selection too short to clone from, before anything else, with its measured length."""
    if length_s < rules.CLONE_MIN_S:
        raise AudioError(f"the selection is {rules.shown_seconds(length_s)} s; a voice clone needs {rules.CLONE_RANGE}",
                         fix=f"Select at least {rules.CLONE_MIN_S:g} seconds of the voice{where}.")
