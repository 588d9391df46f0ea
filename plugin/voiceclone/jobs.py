"""The use cases: clone a voice, speak with it, manage voices and presets.

Every job checks all of its input before anything is sent or written, reports progress through an
``on_event`` callback (the command line draws it; a DAW host forwards it), and never loses a
preset or the user's audio: presets change only under the store's lock, output files appear only
when complete.
"""
import getpass
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, List, Optional

from . import __version__, archive, audio, files, rules, tagging
from .errors import AudioError, InputError, PresetError, ServiceError, VoiceCloneError
from .formats import EXTENSIONS
from .minimax import CloneRequest, CloneSettings, MiniMaxClient
from .presets import PresetStore, expiry_after, timestamp, utc_now
from .presets import state as presets_state
from .settings import Settings

SENSITIVE_TYPES = {1: "severe", 2: "pornographic", 3: "advertising", 4: "prohibited", 5: "abusive",
                   6: "violent or terrorist", 7: "other"}


@dataclass(frozen=True)
class Event:
    """A step of a job. ``done``/``total`` count bytes where known."""

    stage: str              # prepare, upload, clone, download, save, speak
    message: str
    done: Optional[int] = None
    total: Optional[int] = None


EventSink = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    pass


@dataclass(frozen=True)
class CloneOptions:
    """Everything ``voiceclone clone`` takes. Seconds for ``start``/``end``."""

    audio: Path
    voice_id: str
    name: Optional[str] = None
    settings: CloneSettings = CloneSettings()
    prompt_audio: Optional[Path] = None
    prompt_text: Optional[str] = None
    start: Optional[float] = None
    end: Optional[float] = None
    preview_out: Optional[Path] = None
    force: bool = False
    #: Where the sample came from, for the preset's record; a host fills in its capture.
    source: Optional[str] = None
    #: A re-clone: the voice_id this clone replaces under the same preset name (kept in its history).
    replacing: Optional[str] = None
    #: Who clones the voice (default: the OS user), and the speaker's consent: words and/or a recording.
    operator: Optional[str] = None
    consent: Optional[str] = None
    consent_audio: Optional[Path] = None
    #: Refuse to clone without a consent record.
    require_consent: bool = False


@dataclass
class CloneOutcome:
    voice_id: str
    preset: str
    file_id: Optional[int]
    preview_path: Optional[str]
    demo_audio_url: Optional[str]
    reused: bool
    warnings: List[str] = field(default_factory=list)
    trace_id: Optional[str] = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SpeakOutcome:
    path: str
    voice_id: str
    preset: Optional[str]
    model: str
    format: str
    duration_s: Optional[float]
    warnings: List[str] = field(default_factory=list)
    trace_id: Optional[str] = None

    def as_dict(self) -> dict:
        return asdict(self)


def clone(settings: Settings, options: CloneOptions, *, on_event: EventSink = ignore_events) -> CloneOutcome:
    """Check, prepare, upload and clone a sample; download the preview; save the preset."""
    warnings = rules.check_voice_id(options.voice_id)
    text, model, text_warnings = rules.check_preview(options.settings.text, options.settings.model)
    warnings += text_warnings
    chosen = replace(options.settings, text=text, model=model,
                     language_boost=rules.check_language(options.settings.language_boost, model))
    rules.check_prompt(None if options.prompt_audio is None else str(options.prompt_audio), options.prompt_text)
    rules.check_text_validation(chosen.text_validation, chosen.accuracy)
    name = rules.check_preset_name(options.name or options.voice_id)
    files.check_new(options.preview_out, "--preview-out")
    consent_recording = _check_consent(options, settings)
    store = PresetStore(settings.presets_path)
    known = store.voices()
    _check_clash(known, name, options.voice_id, options.replacing)

    with tempfile.TemporaryDirectory(prefix="voiceclone-") as workdir:
        on_event(Event("prepare", f"Checking {Path(options.audio).name}"))
        sample = audio.prepare(options.audio, workdir, start=options.start, end=options.end)
        prompt = None
        if options.prompt_audio is not None:
            prompt = audio.prepare(options.prompt_audio, workdir, purpose="prompt_audio")
        warnings += [f"fixed: {fix}" for fix in sample.fixes] + list(sample.report.warnings)

        holder = holder_of(known, options.voice_id)
        if holder is not None:
            held = known[holder]
            if (held.get("sample") or {}).get("sha256") != sample.sha256:
                raise PresetError(f"voice_id '{options.voice_id}' already belongs to preset '{holder}', cloned "
                                  "from a different sample", fix="Choose a new --voice-id for this sample.")
            if not options.force:
                return CloneOutcome(options.voice_id, holder, (held.get("sample") or {}).get("file_id"),
                                    (held.get("preview") or {}).get("path"), None, True, warnings)

        settings.require_key()
        # kept before the upload: once MiniMax has made the voice, nothing may stop the preset being saved
        archived = archive.keep(sample.path, sample.sha256, sample.format, store.folder)
        consent = _consent_record(options, consent_recording, store)
        prompt_archived = None if prompt is None else archive.keep(prompt.path, prompt.sha256, prompt.format,
                                                                   store.folder)
        with MiniMaxClient(settings) as client:
            prompt_id = None
            if prompt is not None:
                on_event(Event("upload", "Uploading the prompt audio"))
                prompt_id = client.upload(prompt.path, purpose="prompt_audio", filename=prompt.filename,
                                          fmt=prompt.format)
            on_event(Event("upload", f"Uploading {sample.filename}", 0, sample.size_bytes))
            file_id = client.upload(sample.path, purpose="voice_clone", filename=sample.filename, fmt=sample.format,
                                    on_progress=_percent_steps(on_event, "Uploading"))
            on_event(Event("clone", f"Cloning voice '{options.voice_id}'"))
            result = client.clone(CloneRequest(
                file_id=file_id, voice_id=options.voice_id, settings=chosen, prompt_file_id=prompt_id,
                prompt_text=options.prompt_text if prompt is not None else None))
            if result.sensitive_type:
                kind = SENSITIVE_TYPES.get(result.sensitive_type, "other")
                warnings.append(f"MiniMax flagged the sample as {kind} content; the voice may be unusable")
            if result.recovered:
                warnings.append("the connection dropped after MiniMax made the voice; it is saved, but its "
                                "preview was lost (use `voiceclone speak` to hear it)")
            elif text is not None and not result.demo_audio_url:
                warnings.append("MiniMax returned no preview audio")
            preview = None
            if result.demo_audio_url:
                on_event(Event("download", "Downloading the preview"))
                preview = _fetch_preview(client, result.demo_audio_url, store, name, options.preview_out, warnings,
                                         mark={"voice_id": options.voice_id, "model": model})

    created = utc_now()
    source = options.source or _describe_source(options)
    preset = {
        "voice_id": options.voice_id,
        "base_url": settings.base_url,
        "created_at": timestamp(created),
        "expires_at": expiry_after(created),
        "model": model,
        "language_boost": chosen.language_boost,
        "noise_reduction": chosen.noise_reduction,
        "volume_normalization": chosen.volume_normalization,
        "watermark": chosen.watermark,
        "sample": {
            "sha256": sample.sha256, "duration_s": round(sample.duration_s, 3), "sample_rate": sample.sample_rate,
            "num_channels": sample.num_channels, "format": sample.format, "file_id": file_id,
            "source": source, "archive": archived,
        },
        "preview": {"text": text, "path": None if preview is None else str(preview)},
        "provenance": {"operator": options.operator or _os_user(), "cloned_at": timestamp(created),
                       "tool": f"voiceclone {__version__}", "sample_sha256": sample.sha256,
                       "source": source, "watermark": chosen.watermark,
                       "consent": consent},
    }
    if prompt is not None:
        preset["prompt"] = {"text": options.prompt_text, "sha256": prompt.sha256, "file_id": prompt_id,
                            "archive": prompt_archived}
    on_event(Event("save", f"Saving preset '{name}'"))

    def save(voices: dict) -> None:
        _check_clash(voices, name, options.voice_id, options.replacing)
        if options.replacing is not None and name in voices:
            old = voices[name]
            preset["history"] = list(old.get("history") or []) + [{
                "voice_id": old["voice_id"], "created_at": old.get("created_at"), "replaced_at": preset["created_at"],
                "sample_sha256": (old.get("sample") or {}).get("sha256")}]
        voices[name] = preset

    store.change(save)
    return CloneOutcome(options.voice_id, name, file_id, preset["preview"]["path"], result.demo_audio_url, False,
                        warnings, result.trace_id)


def speak(settings: Settings, text: str, out: Path, *, preset: Optional[str] = None, voice_id: Optional[str] = None,
          model: Optional[str] = None, fmt: Optional[str] = None, force: bool = False,
          on_event: EventSink = ignore_events) -> SpeakOutcome:
    """Speak ``text`` with a preset's voice (or a raw voice_id) into the audio file ``out``."""
    if (preset is None) == (voice_id is None):
        raise InputError("give either --preset or --voice-id")
    out = Path(out)
    fmt = _speech_format(out, fmt)
    if not force:
        files.check_new(out, "the output file")
    store = PresetStore(settings.presets_path)
    warnings: List[str] = []
    language = None
    if preset is not None:
        held = store.get(preset)
        voice_id = held["voice_id"]
        model = model or held.get("model")
        language = held.get("language_boost")
        if held.get("base_url") and held["base_url"] != settings.base_url:
            warnings.append(f"preset '{preset}' was cloned on {held['base_url']}, but this run uses "
                            f"{settings.base_url}; the voice exists only where it was cloned")
    else:
        warnings += rules.check_voice_id(voice_id)
    model = rules.check_model(model or rules.DEFAULT_MODEL)
    rules.check_text(text, what="text", limit=rules.SPEECH_TEXT_MAX)
    text, tag_warnings = rules.strip_tags(text, model)
    warnings += tag_warnings
    settings.require_key()
    on_event(Event("speak", f"Speaking {len(text)} characters with '{voice_id}'"))
    with MiniMaxClient(settings) as client:
        speech = client.speak(voice_id, text, model=model, fmt=fmt, language_boost=language)
    _mark_used(store, voice_id)
    try:
        marked = tagging.tagged(speech.audio, fmt, voice_id=voice_id, model=model, date=timestamp(utc_now()))
    except AudioError as exc:
        raise ServiceError(f"MiniMax's {fmt} audio could not be read: {exc}", trace_id=speech.trace_id,
                           fix="Run it again, or choose another --format.") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomically(out, marked)
    length = speech.extra_info.get("audio_length")
    return SpeakOutcome(str(out), voice_id, preset, model, fmt, None if length is None else length / 1000.0,
                        warnings, speech.trace_id)


def list_voices(settings: Settings, voice_type: str = "voice_cloning") -> dict:
    """The account's voices, by kind, as MiniMax lists them."""
    settings.require_key()
    with MiniMaxClient(settings) as client:
        return client.voices(voice_type)


def delete_voice(settings: Settings, voice_id: str) -> List[str]:
    """Delete a cloned voice on MiniMax (its id is burned); mark presets holding it. Returns their names."""
    rules.check_voice_id(voice_id)
    settings.require_key()
    with MiniMaxClient(settings) as client:
        client.delete_voice(voice_id)

    def mark(voices: dict) -> List[str]:
        names = [name for name, p in voices.items() if p.get("voice_id") == voice_id]
        for name in names:
            voices[name]["deleted_at"] = timestamp(utc_now())
        return names

    return PresetStore(settings.presets_path).change(mark)


def sync_voices(settings: Settings) -> dict:
    """Compare the account's cloned voices with the presets made on this host; update their states.

    MiniMax lists a clone only once it was used for speech, so a listed voice is active; an active
    voice no longer listed is missing. Temporary voices cannot be told apart and stay as they are.
    No preset is ever removed. Returns ``{name: (state before, state after)}`` for the changed ones.
    """
    listed = {v.get("voice_id") for v in list_voices(settings, "voice_cloning")["voice_cloning"]}
    now = timestamp(utc_now())

    def update(voices: dict) -> dict:
        changed = {}
        for name, held in voices.items():
            if held.get("deleted_at") or held.get("base_url", settings.base_url) != settings.base_url:
                continue
            before = presets_state(held)[0]
            if held["voice_id"] in listed:
                held.pop("missing_since", None)
                held.setdefault("activated_at", now)
                held["expires_at"] = None
            elif before == "active":
                held["missing_since"] = now
            after = presets_state(held)[0]
            if after != before:
                changed[name] = (before, after)
        return changed

    return PresetStore(settings.presets_path).change(update)


def remove_preset(settings: Settings, name: str) -> dict:
    """Forget a preset (the voice stays on MiniMax, the preview file stays on disk)."""
    store = PresetStore(settings.presets_path)
    store.get(name)

    def drop(voices: dict) -> dict:
        if name not in voices:
            raise PresetError(f"preset '{name}' was removed meanwhile")
        return voices.pop(name)

    return store.change(drop)


# -- helpers ---------------------------------------------------------------------------------

def holder_of(voices: dict, voice_id: str) -> Optional[str]:
    """The name of the preset holding ``voice_id``, or None."""
    return next((name for name, p in voices.items() if p.get("voice_id") == voice_id), None)


def _check_consent(options: CloneOptions, settings: Settings) -> Optional[audio.AudioInfo]:
    """Refuse a missing or empty consent where one is needed; return the consent recording's facts."""
    if options.consent is not None and not options.consent.strip():
        raise InputError("--consent is empty", fix="Say who agreed to the cloning, and when.")
    if (options.require_consent or settings.require_consent) and not (options.consent or options.consent_audio):
        raise InputError("cloning needs a consent record here, and none was given",
                         fix="Add --consent \"<who agreed, when, how>\" and/or --consent-audio FILE.")
    return None if options.consent_audio is None else audio.probe(options.consent_audio)


def _consent_record(options: CloneOptions, recording: Optional[audio.AudioInfo], store: PresetStore) -> Optional[dict]:
    """The consent as kept in the preset; a consent recording is archived with its hash."""
    if not (options.consent or recording):
        return None
    record = {"text": options.consent, "audio": None, "audio_sha256": None}
    if recording is not None:
        digest = audio.sha256_file(recording.path)
        record.update(audio=archive.keep(recording.path, digest, recording.format, store.folder), audio_sha256=digest)
    return record


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _percent_steps(on_event: EventSink, message: str) -> Callable[[int, int], None]:
    """A byte-progress callback that reports each whole percent once, not every chunk."""
    reported = [-1]

    def report(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent > reported[0]:
            reported[0] = percent
            on_event(Event("upload", message, done, total))
    return report


def _check_clash(voices: dict, name: str, voice_id: str, replacing: Optional[str] = None) -> None:
    held = voices.get(name)
    if held is not None and held.get("voice_id") not in (voice_id, replacing):
        raise PresetError(f"preset '{name}' already holds voice '{held.get('voice_id')}'",
                          fix=f"Choose another --name, or remove it first with `voiceclone presets remove \"{name}\"`.")


def _speech_format(out: Path, fmt: Optional[str]) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if fmt is not None and fmt not in rules.SPEECH_FORMATS:
        raise InputError(f"format '{fmt}' is not offered", fix=f"Use one of: {', '.join(rules.SPEECH_FORMATS)}.")
    if fmt is None:
        if suffix not in rules.SPEECH_FORMATS:
            raise InputError(f"cannot tell the audio format from '{out.name}'",
                             fix="End the output name in .wav, .mp3 or .flac, or add --format.")
        return suffix
    if suffix in EXTENSIONS and suffix != fmt:
        raise InputError(f"--format {fmt} does not match the file name '{out.name}'",
                         fix=f"Name the output .{fmt}, or drop --format.")
    return fmt


def _fetch_preview(client: MiniMaxClient, url: str, store: PresetStore, name: str, preview_out: Optional[Path],
                   warnings: List[str], *, mark: dict) -> Optional[Path]:
    """Download the preview and mark it as AI-generated (``mark``: voice_id and model); a failure is a
    warning, never a lost clone."""
    folder = store.folder / "previews" if preview_out is None else Path(preview_out).parent
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "voice"
    stem = folder / f"{slug}-preview-{utc_now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    path = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = client.download(url, stem)
        if preview_out is not None:
            path = audio.convert(path, Path(preview_out))
        tagging.tag(path, **mark, date=timestamp(utc_now()))
        return path
    except (VoiceCloneError, OSError) as exc:
        if path is not None:
            path.unlink(missing_ok=True)        # neither a damaged nor an unmarked preview is left behind
        warnings.append(f"the preview could not be saved ({exc}); the voice is cloned and the preset saved")
        return None


def _describe_source(options: CloneOptions) -> str:
    where = f"file {Path(options.audio).resolve()}"
    if options.start is not None or options.end is not None:
        where += f" from {options.start or 0:g} s" + ("" if options.end is None else f" to {options.end:g} s")
    return where


def _mark_used(store: PresetStore, voice_id: str) -> None:
    """Speech makes a clone permanent (MiniMax then charges the clone fee once): record it."""
    def mark(voices: dict) -> None:
        now = timestamp(utc_now())
        for held in voices.values():
            if held.get("voice_id") == voice_id:
                held.setdefault("activated_at", now)
                held["last_used_at"] = now
                held["expires_at"] = None

    store.change(mark)
