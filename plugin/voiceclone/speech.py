"""Speaking with a cloned voice: the speech is paid for (a first one makes a clone permanent), so it
is written before anything else and kept somewhere whatever goes wrong after."""

import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from . import files, rules, tagging
from .errors import AudioError, InputError, PresetError, ServiceError, storage_error
from .events import Event, EventSink, ignore_events, waits
from .formats import EXTENSIONS
from .minimax import MiniMaxClient
from .presets import PresetStore, timestamp, utc_now
from .presets import state as presets_state
from .settings import Settings, user_data_folder


@dataclass
class SpeakOutcome:
    """What a speech made: the audio file, the voice and model, its length in seconds."""

    path: str
    voice_id: str
    preset: Optional[str]
    model: str
    format: str
    duration_s: Optional[float]
    warnings: List[str] = field(default_factory=list)
    trace_id: Optional[str] = None
    #: The sentences' timings in the speech (``subtitles``): ``text``, ``start_s``, ``end_s``.
    subtitles: Optional[List[Dict[str, Any]]] = None

    def as_dict(self) -> dict:
        return asdict(self)


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
    subtitles: bool = False,
    gate: Optional[Callable[[], None]] = None,
    on_event: EventSink = ignore_events,
) -> SpeakOutcome:
    """Speak ``text`` with a preset's voice (or a raw voice_id) into the audio file ``out``.

    Parameters
    ----------
    settings : Settings
        The key, the base URL, the presets file.
    text : str
        Up to 9,999 characters; tags the model cannot perform are removed and said.
    out : Path
        The audio file to write; never overwritten unless ``force``.
    preset, voice_id : str, optional
        Exactly one: a saved preset's name, or any voice_id of the account.
    model : str, optional
        Default: the preset's, else :data:`rules.DEFAULT_MODEL`.
    fmt : str, optional
        ``wav``, ``mp3`` or ``flac``; default from ``out``'s extension.
    force : bool
        Replace ``out`` if it exists.
    style : dict, optional
        ``speed``, ``vol``, ``pitch``, ``emotion``, ``pronunciation`` for this speech, over the
        preset's own (``voiceclone presets set``).
    subtitles : bool
        Also ask MiniMax for the sentences' timings (a failure to fetch them is a warning: the
        speech is kept).
    gate : callable, optional
        Called before every request to MiniMax, retries too (a script's rate limiter).
    on_event : callable
        Gets an :class:`Event` for each step, wait and warning.

    Returns
    -------
    SpeakOutcome
        The file written (or, when ``out`` cannot be written, an error naming where the paid speech
        was kept), the voice, the model and the length.
    """
    if (preset is None) == (voice_id is None):
        raise InputError("give either --preset or --voice-id")
    out = Path(out)
    fmt = _speech_format(out, fmt)
    if not force:
        files.check_new(out, "the output file", force="--force")
    store = PresetStore(settings.presets_path)
    warnings: List[str] = []
    language = None
    chosen: Dict[str, Any] = {}
    if preset is not None:
        held = store.get(preset)
        chosen = dict(held.get("speech") or {})
        speaker = str(held["voice_id"])
        model = model or held.get("model")
        language = held.get("language_boost")
        if held.get("base_url") and held["base_url"] != settings.base_url:
            warnings.append(
                f"preset '{preset}' was cloned on {held['base_url']}, but this run uses "
                f"{settings.base_url}; the voice exists only where it was cloned"
            )
    else:
        assert voice_id is not None  # one of the two, checked above
        speaker = voice_id
        warnings += rules.check_voice_id(speaker)
    model = rules.check_model(model or rules.DEFAULT_MODEL)
    chosen.update({key: value for key, value in (style or {}).items() if value is not None})
    chosen["pronunciation"] = rules.check_speech_style(
        speed=chosen.get("speed"),
        vol=chosen.get("vol"),
        pitch=chosen.get("pitch"),
        emotion=chosen.get("emotion"),
        pronunciation=chosen.get("pronunciation") or (),
        model=model,
    )
    rules.check_text(text, what="text", limit=rules.SPEECH_TEXT_MAX)
    text, tag_warnings = rules.strip_tags(text, model)
    warnings += tag_warnings
    settings.require_key()
    for warning in warnings:
        on_event(Event("warning", warning))
    on_event(Event("speak", f"Speaking {len(text)} characters with '{speaker}'"))
    sentences = None
    with MiniMaxClient(settings, on_wait=waits(on_event), before_request=gate) as client:
        speech = client.speak(
            speaker, text, model=model, fmt=fmt, language_boost=language, style=chosen, subtitles=subtitles
        )
        if subtitles:
            try:
                sentences = client.subtitles(speech.subtitle_url) if speech.subtitle_url else []
            except ServiceError as exc:
                warnings.append(f"the sentence timings could not be read ({exc}); the speech is kept")
    # The speech is paid for (and made the voice permanent): the audio is written first, the preset after.
    try:
        marked = tagging.tagged(speech.audio, fmt, voice_id=speaker, model=model, date=timestamp(utc_now()))
    except AudioError as exc:
        _mark_used(store, speaker, warnings)
        raise ServiceError(
            f"MiniMax's {fmt} audio could not be read: {exc}",
            trace_id=speech.trace_id,
            fix="Run it again, or choose another --format.",
        ) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomically(out, marked)
    except OSError as exc:
        kept = keep_elsewhere(marked, out)
        _mark_used(store, speaker, warnings)
        raise storage_error(
            exc,
            out,
            "the speech file",
            fix=f"The speech is kept as {kept}: move it where you need it."
            if kept
            else "Free some space or choose another -o, then speak it again.",
        ) from exc
    _mark_used(store, speaker, warnings)
    length = speech.extra_info.get("audio_length")
    return SpeakOutcome(
        str(out),
        speaker,
        preset,
        model,
        fmt,
        None if length is None else length / 1000.0,
        warnings,
        speech.trace_id,
        sentences,
    )


def first_speech_note(settings: Settings, preset: Optional[str]) -> Optional[str]:
    """What the first speech of a still temporary voice costs, said once before it is made; None for
    a voice already paid for (or a raw voice_id, whose state the plugin does not know)."""
    if preset is None:
        return None
    try:
        held = PresetStore(settings.presets_path).voices().get(preset)
    except PresetError:
        return None
    if held is None or presets_state(held)[0] != "temporary":
        return None
    return rules.FIRST_SPEECH_COST.format(voice_id=held["voice_id"])


def _speech_format(out: Path, fmt: Optional[str]) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if fmt is not None and fmt not in rules.SPEECH_FORMATS:
        raise InputError(f"format '{fmt}' is not offered", fix=f"Use one of: {', '.join(rules.SPEECH_FORMATS)}.")
    if fmt is None:
        if suffix not in rules.SPEECH_FORMATS:
            raise InputError(
                f"cannot tell the audio format from '{out.name}'",
                fix="End the output name in .wav, .mp3 or .flac, or add --format.",
            )
        return suffix
    if suffix in EXTENSIONS and suffix != fmt:
        raise InputError(
            f"--format {fmt} does not match the file name '{out.name}'",
            fix=f"Name the output .{fmt}, or drop --format.",
        )
    return fmt


def _mark_used(store: PresetStore, voice_id: str, warnings: List[str]) -> None:
    """Speech makes a clone permanent (MiniMax then charges the clone fee once): record it, or
    warn when the presets file cannot take it (the speech itself is already safe)."""

    def mark(voices: dict) -> None:
        now = timestamp(utc_now())
        for held in voices.values():
            if held.get("voice_id") == voice_id:
                held.setdefault("activated_at", now)
                held["last_used_at"] = now
                held["expires_at"] = None

    try:
        store.change(mark)
    except (PresetError, OSError) as exc:
        warnings.append(
            f"the presets file could not record that voice '{voice_id}' is now permanent ({exc}); "
            "`voiceclone voices sync` records it later"
        )


def keep_elsewhere(data: bytes, wanted: Path) -> Optional[Path]:
    """Paid audio that cannot go where it was asked: the user data folder, else the temp folder."""
    for folder in (user_data_folder() / "kept", Path(tempfile.gettempdir())):
        path = folder / f"{wanted.stem}-{utc_now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}{wanted.suffix}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            files.write_atomically(path, data)
            return path
        except OSError:
            continue
    return None
