"""``voiceclone audacity clone | speak | doctor``: the core loop around a running Audacity.

These run outside Audacity (bound to a desktop shortcut), so they may wait for MiniMax. Audacity's
pipe is held only while Audacity itself works (reading the selection, exporting, importing): a
second command, or the user, has it meanwhile, and the result lands where the user is then.
"""
import configparser
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import List, Tuple

from platformdirs import user_config_dir

from ... import jobs, rules
from ...options import CloneOptions
from ...errors import HostError, InputError, VoiceCloneError
from ...leftovers import temp_folder
from ..base import check_selection, suggest_voice_id, track_name
from .pipe import PIPE_MISSING_FIX, Pipe, default_paths
from .project import Selection, export_selection, import_track, info, read_selection, restore


def clone(settings, options: CloneOptions, *, on_event=jobs.ignore_events) -> Tuple[jobs.CloneOutcome, dict]:
    """Clone the selected region; import the preview as a track at the region's start.

    ``options.audio`` is ignored (the selection is the audio); an empty ``voice_id`` is suggested
    from the track name. Returns the clone's outcome and the new track (or ``{}`` without preview).
    """
    with temp_folder("audacity") as tmp:
        with Pipe() as pipe:
            selection = read_selection(pipe, require_range=options.start is None or options.end is None)
            region = _region(pipe, selection, options.start, options.end)
            check_selection(region.length_s, where=" in Audacity")
            on_event(jobs.Event("capture", "Exporting the selection from Audacity"))
            sample = export_selection(pipe, region, Path(tmp) / "selection.wav")
            if region != selection:
                restore(pipe, selection)
        where = ", ".join(f"'{name}'" for name in region.names)
        outcome = jobs.clone(settings, replace(
            options, audio=sample, start=None, end=None, name=options.name or region.names[0],
            voice_id=options.voice_id or suggest_voice_id(region.names[0], datetime.now()),
            source=f"Audacity track {where}, {region.start_s:.2f}-{region.end_s:.2f} s"), on_event=on_event)
    track = {}
    if outcome.preview_path:
        preview = Path(outcome.preview_path)
        try:
            track = _add_track(preview, name=track_name(outcome.preset), start_s=region.start_s)
        except VoiceCloneError as exc:
            raise _not_taken("the preview", preview, exc) from exc
    return outcome, track


def _region(pipe: Pipe, selection: Selection, start, end) -> Selection:
    """The selected tracks over ``--start``/``--end`` (project seconds), each defaulting to the selection's."""
    if start is None and end is None:
        return selection
    if not selection.tracks:
        raise InputError("no track is selected in Audacity",
                         fix="Click the voice's track to select it, then run the command again.")
    project_end = max((clip["end"] for clip in info(pipe, "Clips") if clip["track"] in selection.tracks), default=0.0)
    first, last = rules.check_region(selection.start_s if start is None else start,
                                     selection.end_s if end is None else end, project_end,
                                     within="the selected tracks")
    return replace(selection, start_s=first, end_s=last)


def speak(settings, text: str, *, preset: str, model=None, on_event=jobs.ignore_events) -> Tuple[jobs.SpeakOutcome, dict]:
    """Speak ``text`` with ``preset``; import it as a track at the selection start (or cursor)."""
    with Pipe() as pipe:
        start_s = read_selection(pipe, require_range=False).start_s
    with temp_folder("audacity") as tmp:
        outcome = jobs.speak(settings, text, Path(tmp) / f"{preset}.wav", preset=preset, model=model,
                             on_event=on_event)
        speech = Path(outcome.path)
        try:
            track = _add_track(speech, name=track_name(preset), start_s=start_s)
        except VoiceCloneError as exc:    # the temporary folder goes: the paid speech must not
            raise _not_taken("the speech", jobs.keep_elsewhere(speech.read_bytes(), speech), exc) from exc
    return outcome, track


def _add_track(path: Path, *, name: str, start_s: float) -> dict:
    """Import ``path`` as track ``name`` at ``start_s``, leaving what the user has selected by now."""
    with Pipe() as pipe:
        return import_track(pipe, path, name=name, start_s=start_s, keep=read_selection(pipe, require_range=False))


def _not_taken(what: str, kept, cause: VoiceCloneError) -> HostError:
    """Audacity could not take paid audio: say why, and where the audio is."""
    if kept is None:
        return HostError(f"{what} is made but Audacity could not take it ({cause}), and no folder could keep it",
                         fix="Free some disk space, then run it again.")
    return HostError(f"{what} is made but Audacity could not take it ({cause}); it is kept as {kept}",
                     fix=(f"{cause.fix.rstrip('.')}, or i" if cause.fix else "I")
                         + f"mport {kept} with File > Import > Audio.")


def config_path() -> Path:
    """Where Audacity keeps audacity.cfg on this system (on Linux, the pre-3.2 ``~/.audacity-data``
    when only that one exists)."""
    modern = Path(user_config_dir("audacity", appauthor=False, roaming=True)) / "audacity.cfg"
    legacy = Path.home() / ".audacity-data" / "audacity.cfg"
    if sys.platform in ("win32", "darwin") or modern.exists() or not legacy.exists():
        return modern
    return legacy


ENABLE_STEPS = ("In Audacity: Edit > Preferences > Modules, set mod-script-pipe to Enabled, click OK, "
                "then quit and start Audacity again.")


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
        state = {"0": "disabled", "2": "set to ask", "3": "failed to load", "4": "new (not loaded yet)"}.get(module, module)
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
