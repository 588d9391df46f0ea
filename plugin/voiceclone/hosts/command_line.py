"""The plain command line as a :class:`~voiceclone.hosts.base.Host`: the audio file it is given is
the selection, and the files it is told to write (``-o``, ``--preview-out``) are where results go.
Jobs run in this process, through the same :func:`voiceclone.worker.perform` as the DAWs' jobs.
"""

from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from ..errors import VoiceCloneError
from ..options import CloneOptions
from ..rules import check_region
from ..settings import Settings
from . import flows
from .base import Captured, Place
from .in_process import InProcessHost


class CommandLineHost(InProcessHost):
    """One command's view: ``audio`` (its ``start``..``end`` seconds) to clone, ``speech_out`` and
    ``preview_out`` to write; ``on_event`` gets the jobs' progress."""

    def __init__(
        self,
        settings: Settings,
        *,
        on_event: Callable,
        audio: Optional[Path] = None,
        start: Optional[float] = None,
        end: Optional[float] = None,
        speech_out: Optional[Path] = None,
        preview_out: Optional[Path] = None,
    ):
        super().__init__(settings, on_event=on_event)
        self._audio, self._range = audio, (start, end)
        self._out = {"speech": speech_out, "preview": preview_out}

    def capture(self) -> Captured:
        from ..audio_process import probe  # the audio stack, only for a command that reads audio

        if self._audio is None:
            raise VoiceCloneError("no audio file was given to clone")
        info = probe(self._audio)
        first, last = check_region(*self._range, info.duration_s)
        start, end = self._range
        return Captured(
            sample={"audio": str(self._audio), "start": start, "end": end},
            length_s=last - first,
            start_s=first,
            name=self._audio.stem,
            track=None,
            source=None,
        )

    def capture_around(self, context_s: float) -> Captured:
        """The file is the take: all of it is the phrase's context."""
        return self.capture()

    def cursor(self) -> Place:
        return Place(0.0, "")

    def new_file(self, name: str, what: str, extension: str) -> Optional[Path]:
        """The file the command was told to write; None (a preview without ``--preview-out``): beside the presets."""
        return self._out.get(what)

    def insert(self, path: Path, place: Place, *, undo: str) -> Dict[str, Any]:
        """Nothing to move: the job wrote the file where the command was told to."""
        return {"path": str(path)}


def clone(settings: Settings, options: CloneOptions, *, on_event: Callable) -> Dict[str, Any]:
    """``voiceclone clone``: the shared clone flow on the file ``options.audio``; returns the outcome
    as ``--json`` prints it."""
    given = {
        f.name: getattr(options, f.name)
        for f in fields(options)
        if f.name not in ("audio", "start", "end", "settings", "source")
    }
    job = {key: str(value) if isinstance(value, Path) else value for key, value in given.items() if value is not None}
    job["settings"] = asdict(options.settings)
    host = CommandLineHost(
        settings,
        on_event=on_event,
        audio=options.audio,
        start=options.start,
        end=options.end,
        preview_out=options.preview_out,
    )
    outcome = flows.clone_selection(host, lambda captured: job).start().result
    outcome.pop("track", None)
    return outcome


def speak(
    settings: Settings,
    text: str,
    out: Path,
    *,
    preset: Optional[str] = None,
    voice_id: Optional[str] = None,
    model: Optional[str] = None,
    fmt: Optional[str] = None,
    force: bool = False,
    style: Optional[Dict[str, Any]] = None,
    on_event: Callable,
) -> Dict[str, Any]:
    """``voiceclone speak``: the shared speech flow into the file ``out``; the outcome as ``--json`` prints it."""
    picked = {
        "text": text,
        "preset": preset,
        "voice_id": voice_id,
        "model": model,
        "format": fmt,
        "force": force,
        "style": {key: value for key, value in (style or {}).items() if value is not None} or None,
    }
    given = {key: value for key, value in picked.items() if value is not None}
    host = CommandLineHost(settings, on_event=on_event, speech_out=Path(out))
    outcome = flows.speak_at_cursor(host, lambda presets: given, list_presets=False).start().result
    outcome.pop("track", None)
    return outcome


def patch(
    settings: Settings,
    take: Path,
    *,
    start: float,
    end: Optional[float],
    text: str,
    out: Optional[Path] = None,
    patch_out: Optional[Path] = None,
    preset: Optional[str] = None,
    voice_id: Optional[str] = None,
    model: Optional[str] = None,
    force: bool = False,
    variants: int = 1,
    on_event: Callable,
) -> Dict[str, Any]:
    """``voiceclone patch``: the shared patch flow on the file ``take``; the original is never touched."""
    chosen = {
        "variants": variants,
        "text": text,
        "out": out,
        "patch_out": patch_out,
        "preset": preset,
        "voice_id": voice_id,
        "model": model,
        "force": force,
    }
    job = {key: str(value) if isinstance(value, Path) else value for key, value in chosen.items() if value is not None}
    host = CommandLineHost(settings, on_event=on_event, audio=Path(take), start=start, end=end)
    outcome = flows.patch_take(host, lambda captured, presets: job).start().result
    outcome.pop("track", None)
    return outcome
