"""``voiceclone audacity clone | speak | doctor``: the shared flows (:mod:`..flows`) on a running
Audacity (:class:`.host.AudacityHost`), and a check of what stops Audacity from being driven."""

import configparser
import sys
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import List, Optional, Tuple

from platformdirs import user_config_dir

from ... import speech
from ...errors import InputError, VoiceCloneError
from ...events import Event, ignore_events
from ...options import CloneOptions
from ...presets import PresetStore
from .. import flows
from ..base import suggest_voice_id
from . import track_voices
from .host import AudacityHost
from .pipe import PIPE_MISSING_FIX, Pipe, default_paths
from .project import info


def clone(settings, options: CloneOptions, *, on_event=ignore_events) -> dict:
    """Clone the selected region (or ``options.start``..``end`` on the selected tracks); the preview
    goes on a new track below the source at the region's start. Returns the clone's outcome, as
    ``--json`` prints it, with the ``track`` made (None without a preview)."""
    given = {
        f.name: getattr(options, f.name)
        for f in fields(options)
        if f.name not in ("audio", "start", "end", "settings", "voice_id", "name", "source")
    }
    job = {key: str(value) if isinstance(value, Path) else value for key, value in given.items() if value is not None}
    job["settings"] = asdict(options.settings)

    def choose(captured) -> dict:
        return {
            **job,
            "voice_id": options.voice_id or suggest_voice_id(captured.name, datetime.now()),
            "name": options.name or captured.name,
        }

    with AudacityHost(settings, on_event=on_event, start=options.start, end=options.end) as host:
        return flows.clone_selection(host, choose).start().result


def speak(settings, text: str, *, preset: str, model: Optional[str] = None, on_event=ignore_events) -> dict:
    """Speak ``text`` with ``preset``; the speech goes on a new track below the selected one, at the
    selection start (or cursor). Returns the speech's outcome with the ``track``."""
    picked = {"preset": preset, "text": text, **({"model": model} if model else {})}
    with AudacityHost(settings, on_event=on_event) as host:
        return flows.speak_at_cursor(host, lambda presets: picked, list_presets=False).start().result


def patch(
    settings,
    text: str,
    *,
    preset: Optional[str] = None,
    voice_id: Optional[str] = None,
    model: Optional[str] = None,
    variants: int = 1,
    on_event=ignore_events,
) -> dict:
    """Replace the selected phrase with ``text`` in the voice: the patch goes on a new track below the
    take, over the phrase and its crossfades; the take's audio there moves to a muted track (kept).
    Without ``preset`` or ``voice_id``, the preset last used on a track of this name speaks (or the
    preset named like the track). ``variants`` more takes of the line in other emotions lie muted
    below the patch, to pick by ear. Returns the patch's outcome with the ``track``."""
    given = {"text": text, "voice_id": voice_id, "model": model, "variants": variants}
    job = {key: value for key, value in given.items() if value is not None}
    with AudacityHost(settings, on_event=on_event) as host:

        def choose(captured, presets) -> dict:
            speaker = preset if preset or voice_id else _voice_of(settings, captured.name)
            if speaker:
                track_voices.remember(captured.name, speaker)
            cost = speech.first_speech_note(settings, speaker)
            if cost:
                on_event(Event("note", cost))
            out = host.new_file(speaker or voice_id or "voice", "patch", ".wav")
            return {**job, **({"preset": speaker} if speaker else {}), "patch_out": str(out)}

        return flows.patch_take(host, choose).start().result


def script(
    settings,
    *,
    preset: Optional[str] = None,
    out: Optional[Path] = None,
    subtitles: bool = False,
    rpm: Optional[int] = None,
    parallel: Optional[int] = None,
    on_event=ignore_events,
) -> dict:
    """Speak the project's labels as a script (``[Preset]`` prefix: a line's speaker, else
    ``preset``): one new track per speaker with its lines at their labels, the sentences as labels
    when ``subtitles``. The lines' files and journal go in ``out`` (default: the user data folder's
    ``Audacity/script``): a rerun speaks only new or changed lines. Returns the run's report."""
    given = {"preset": preset, "subtitles": subtitles, "rpm": rpm, "parallel": parallel}
    options = {key: value for key, value in given.items() if value is not None}
    with AudacityHost(settings, on_event=on_event, script_folder=out) as host:

        def choose(lines, presets) -> dict:
            for speaker in sorted({line.speaker or preset or "" for line in lines} - {""}):
                cost = speech.first_speech_note(settings, speaker)
                if cost:
                    on_event(Event("note", cost))
            return options

        return flows.speak_script(host, choose).start().result


def _voice_of(settings, track: str) -> str:
    """The preset that speaks on ``track``: the one last used there, else one of the same name."""
    voices = PresetStore(settings.presets_path).voices()
    for name in (track_voices.remembered(track), track):
        if name in voices:
            return name
    raise InputError(
        f"no voice is tied to the track '{track}' yet",
        fix="Give --preset NAME once; it is remembered for this track.",
    )


def config_path() -> Path:
    """Where Audacity keeps audacity.cfg on this system (on Linux, the pre-3.2 ``~/.audacity-data``
    when only that one exists)."""
    modern = Path(user_config_dir("audacity", appauthor=False, roaming=True)) / "audacity.cfg"
    legacy = Path.home() / ".audacity-data" / "audacity.cfg"
    if sys.platform in ("win32", "darwin") or modern.exists() or not legacy.exists():
        return modern
    return legacy


ENABLE_STEPS = (
    "In Audacity: Edit > Preferences > Modules, set mod-script-pipe to Enabled, click OK, "
    "then quit and start Audacity again."
)


def doctor() -> Tuple[bool, List[str]]:
    """Whether Audacity can be driven, and exactly what to do if not, in plain lines."""
    lines, ok = [], True
    cfg = config_path()
    module = _module_setting(cfg)
    if module is None:
        lines.append(f"Audacity settings: {cfg} not found (Audacity has not run yet for this user?)")
    elif module == "1":
        lines.append(f"mod-script-pipe: enabled in {cfg}")
    else:
        ok = False
        state = {"0": "disabled", "2": "set to ask", "3": "failed to load", "4": "new (not loaded yet)"}.get(
            module, module
        )
        lines.append(f"mod-script-pipe: {state} in {cfg}. {ENABLE_STEPS}")
    to_path, _ = default_paths()
    try:
        with Pipe(timeout=5.0) as pipe:
            count = len(info(pipe, "Tracks"))
        lines.append(f"Audacity: running and answering on its pipe ({to_path}); the project has {count} track(s)")
    except VoiceCloneError as exc:
        ok = False
        # the pipe's own advice is to run this very doctor: say what the doctor knows instead
        advice = f"Start Audacity; if it runs: {ENABLE_STEPS}" if exc.fix == PIPE_MISSING_FIX else exc.fix or ""
        lines.append(f"Audacity: {exc}. {advice}".strip())
        if module == "1":
            lines.append("If Audacity is running, quit and start it again so the enabled module loads.")
    return ok, lines


def _module_setting(cfg: Path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read(cfg, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    if not cfg.exists():
        return None
    return parser.get("Module", "mod-script-pipe", fallback="absent")
