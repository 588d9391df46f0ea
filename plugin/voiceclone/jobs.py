"""Cloning a voice: check, prepare, upload, clone, record, preview (speech is in :mod:`.speech`,
the account's voices in :mod:`.account`).

Every job checks all of its input before anything is sent or written, reports progress through an
``on_event`` callback (the command line draws it; a DAW host forwards it), and never loses a
preset or the user's audio: presets change only under the store's lock, output files appear only
when complete.
"""

import copy
import getpass
import os
import re
import socket
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional, TypeVar

from . import (
    __version__,
    archive,
    audio_process,
    files,
    ledger,
    reconcile,
    recovery,
    rules,
    tagging,
)
from .errors import (
    Cancelled,
    InputError,
    PresetError,
    RemoteError,
    ServiceError,
    StorageError,
    VoiceCloneError,
    VoiceIdTakenError,
    storage_error,
)
from .events import Event, EventSink, ignore_events, waits
from .ledger import Ledger
from .leftovers import temp_folder
from .options import CloneOptions, CloneSettings
from .presets import PresetStore, expiry_after, parse_timestamp, timestamp, utc_now
from .settings import Settings, user_data_folder

if TYPE_CHECKING:
    from .minimax import MiniMaxClient

T = TypeVar("T")
#: How long the record after a paid clone waits for another run's lock before using a recovery file.
RECORD_LOCK_TIMEOUT_S = 120.0

SENSITIVE_TYPES = {
    1: "severe",
    2: "pornographic",
    3: "advertising",
    4: "prohibited",
    5: "abusive",
    6: "violent or terrorist",
    7: "other",
}


@dataclass
class CloneOutcome:
    """What a clone made: the voice, its preset, the uploaded file, the preview; ``reused`` when this
    sample was cloned before and nothing was sent."""

    voice_id: str
    preset: str
    file_id: Optional[int]
    preview_path: Optional[str]
    demo_audio_url: Optional[str]
    reused: bool
    warnings: List[str] = field(default_factory=list)
    trace_id: Optional[str] = None
    #: The pieces picked from a long recording (``--pick``), in its seconds.
    pieces: Optional[List[dict]] = None

    def as_dict(self) -> dict:
        return asdict(self)


def clone(settings: Settings, options: CloneOptions, *, on_event: EventSink = ignore_events) -> CloneOutcome:
    """Check, prepare, upload and clone a sample; record the voice; download its preview.

    The steps keep what MiniMax makes and charges for. :func:`_check_clone` and :func:`_prepare_clone`
    may refuse, before anything is sent. :func:`_clone_remotely` first records the intent (a pending
    entry in the presets file and a ledger line: if either cannot be written, nothing is sent), then
    asks MiniMax. From MiniMax's success to :func:`_record`'s saved preset nothing can stop the
    record: a presets file that cannot be written sends it to a recovery file. The preview, an
    optional extra, comes last.

    Parameters
    ----------
    settings : Settings
        The key, the base URL, the presets file, timeouts and retries.
    options : CloneOptions
        The sample and everything asked of the clone.
    on_event : callable
        Gets an :class:`Event` for each step, wait and warning, as it happens.

    Returns
    -------
    CloneOutcome
        The voice and its preset; ``reused`` when this sample and voice_id were cloned before.

    Raises
    ------
    InputError
        Before anything is sent: the sample, the options or the presets refuse it.
    RemoteError
        MiniMax refused (:class:`ApiError`) or could not be reached (:class:`ServiceError`); a
        voice it may have made is kept as an unconfirmed preset and said.
    StorageError
        A file could not be written; what was made is kept, and the message says where.
    """
    plan = _check_clone(settings, options)
    with temp_folder("clone") as workdir, _Client(settings, on_event) as client:
        ready = _prepare_clone(settings, options, plan, Path(workdir), client, on_event)
        if isinstance(ready, CloneOutcome):
            return ready
        made = _clone_remotely(settings, options, plan, ready, client.get(), on_event)
        try:
            outcome = _record(settings, options, plan, ready, made)
        except (KeyboardInterrupt, Cancelled) as exc:
            raise Cancelled(
                f"cancelled while the preset was saved; MiniMax made voice '{options.voice_id}'",
                fix="The next voiceclone command saves it (run `voiceclone presets list`).",
            ) from exc
        if made.demo_audio_url:
            _add_preview(settings, options, plan, outcome, made.demo_audio_url, client.get(), on_event)
    return outcome


class _Client:
    """The clone's one MiniMax client, made when first asked for (the HTTP client is loaded then);
    :meth:`connect` opens its connection early, while the sample is checked in the other process."""

    def __init__(self, settings: Settings, on_event: EventSink):
        self._settings, self._on_event = settings, on_event
        self._client: Optional[MiniMaxClient] = None

    def get(self) -> "MiniMaxClient":
        if self._client is None:
            from .minimax import MiniMaxClient

            self._client = MiniMaxClient(self._settings, on_wait=waits(self._on_event))
        return self._client

    def connect(self) -> None:
        if self._settings.api_key is not None:  # (without one, nothing will be sent)
            self.get().connect()

    def __enter__(self) -> "_Client":
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()


@dataclass(frozen=True)
class _Plan:
    """What the checks settled: the preset name, the settings sent, the first warnings."""

    name: str
    settings: CloneSettings
    warnings: List[str]
    consent_recording: Optional[audio_process.Recording]


@dataclass
class _Ready:
    """A prepared sample and the preset it becomes once MiniMax made the voice."""

    sample: audio_process.Prepared
    prompt: Optional[audio_process.Prepared]
    preset: dict
    warnings: List[str]
    pieces: Optional[List[dict]] = None
    request: str = field(default_factory=lambda: os.urandom(16).hex())  # as uuid4().hex, without loading uuid


@dataclass(frozen=True)
class _Made:
    file_id: int
    demo_audio_url: Optional[str]
    trace_id: Optional[str]
    #: When MiniMax made the voice, if before this run (a lost answer found again): the expiry counts from it.
    since: Optional[str] = None


def _check_clone(settings: Settings, options: CloneOptions) -> _Plan:
    warnings = rules.check_voice_id(options.voice_id)
    text, model, text_warnings = rules.check_preview(options.settings.text, options.settings.model)
    warnings += text_warnings
    chosen = replace(
        options.settings,
        text=text,
        model=model,
        language_boost=rules.check_language(options.settings.language_boost, model),
    )
    rules.check_prompt(None if options.prompt_audio is None else str(options.prompt_audio), options.prompt_text)
    rules.check_text_validation(chosen.text_validation, chosen.accuracy)
    name = rules.check_preset_name(options.name or rules.preset_name_for(options.voice_id))
    files.check_new(options.preview_out, "--preview-out")
    consent_recording = _check_consent(options, settings)
    _check_clash(PresetStore(settings.presets_path).voices(), name, options.voice_id, options.replacing)
    return _Plan(name, chosen, warnings, consent_recording)


def _prepare_clone(
    settings: Settings, options: CloneOptions, plan: _Plan, workdir: Path, client: _Client, on_event: EventSink
):
    """The upload-ready sample and its preset-to-be; or the outcome of reusing an earlier clone."""
    on_event(Event("prepare", f"Checking {Path(options.audio).name}"))
    pieces = options.pieces
    if pieces is None:
        sample = audio_process.prepare(
            options.audio, workdir, start=options.start, end=options.end, while_waiting=client.connect
        )
    else:
        joined = tuple((p["start_s"], p["end_s"], p.get("why", "")) for p in pieces)
        picked = workdir / f"{files.safe_stem(Path(options.audio).stem, 'sample')}-picked.wav"
        sample = audio_process.prepare(audio_process.assemble(options.audio, joined, picked), workdir)
    prompt = None
    if options.prompt_audio is not None:
        prompt = audio_process.prepare(options.prompt_audio, workdir, purpose="prompt_audio")
    warnings = plan.warnings + [f"fixed: {fix}" for fix in sample.fixes] + list(sample.warnings)
    for warning in warnings:
        on_event(Event("warning", warning))
    store = PresetStore(settings.presets_path)
    known = store.voices()
    holder = holder_of(known, options.voice_id)
    if holder is not None:
        held = known[holder]
        if (held.get("sample") or {}).get("sha256") != sample.sha256:
            raise PresetError(
                f"voice_id '{options.voice_id}' already belongs to preset '{holder}', cloned from a different sample",
                fix="Choose a new --voice-id for this sample.",
            )
        if not options.force:
            return CloneOutcome(
                options.voice_id,
                holder,
                (held.get("sample") or {}).get("file_id"),
                (held.get("preview") or {}).get("path"),
                None,
                True,
                warnings,
                pieces=pieces,
            )
        raise InputError(
            f"voice '{options.voice_id}' was already made from this sample (preset '{holder}'), and "
            "MiniMax never makes a voice_id twice",
            fix=f"Clone it again under a new id: --voice-id {next_free_voice_id(settings, options.voice_id)}.",
        )
    settings.require_key()
    archived = _kept(lambda: archive.keep(sample.path, sample.sha256, sample.format, store.folder), store)
    consent = _kept(lambda: _consent_record(options, plan.consent_recording, store), store)
    prompt_archived = (
        None
        if prompt is None
        else _kept(lambda: archive.keep(prompt.path, prompt.sha256, prompt.format, store.folder), store)
    )
    chosen = plan.settings
    source = options.source or _describe_source(options)
    if pieces:
        source += ", picked: " + ", ".join(f"{rules.clock(p['start_s'])}-{rules.clock(p['end_s'])}" for p in pieces)
    preset = {
        "voice_id": options.voice_id,
        "base_url": settings.base_url,
        "created_at": None,
        "expires_at": None,
        "model": chosen.model,
        "language_boost": chosen.language_boost,
        "noise_reduction": chosen.noise_reduction,
        "volume_normalization": chosen.volume_normalization,
        "watermark": chosen.watermark,
        "sample": {
            "sha256": sample.sha256,
            "duration_s": round(sample.duration_s, 3),
            "sample_rate": sample.sample_rate,
            "num_channels": sample.num_channels,
            "format": sample.format,
            "file_id": None,
            "source": source,
            "archive": archived,
            **({"pieces": pieces} if pieces else {}),
        },
        "preview": {"text": chosen.text, "path": None},
        "provenance": {
            "operator": options.operator or _os_user(),
            "cloned_at": None,
            "tool": f"voiceclone {__version__}",
            "consent": consent,
        },
    }
    if prompt is not None:
        preset["prompt"] = {
            "text": options.prompt_text,
            "sha256": prompt.sha256,
            "file_id": None,
            "archive": prompt_archived,
        }
    return _Ready(sample, prompt, preset, warnings, pieces)


def _clone_remotely(
    settings: Settings, options: CloneOptions, plan: _Plan, ready: _Ready, client: "MiniMaxClient", on_event: EventSink
) -> _Made:
    """Record the intent, then upload and clone. Whatever MiniMax may have made is in the presets
    file when this returns or raises: pending, unconfirmed, or (after :func:`_record`) saved."""
    from . import minimax

    store, book = PresetStore(settings.presets_path), Ledger(settings.ledger)
    voice_id, sha = options.voice_id, ready.sample.sha256
    _put_pending(store, voice_id, plan.name, ready, options.replacing)
    sent = False

    def settle(outcome: str) -> None:
        try:
            book.record(
                request=ready.request,
                voice_id=voice_id,
                sha256=sha,
                base_url=settings.base_url,
                outcome=outcome,
                presets=str(store.path),
            )
        except OSError:
            pass  # the pending entry in the presets file still says what may exist

    try:
        prompt_id = None
        if ready.prompt is not None:
            on_event(Event("upload", "Uploading the prompt audio"))
            prompt_id = client.upload(
                ready.prompt.path, purpose="prompt_audio", filename=ready.prompt.filename, fmt=ready.prompt.format
            )
        sample = ready.sample
        on_event(Event("upload", f"Uploading {sample.filename}", 0, sample.size_bytes))
        file_id = client.upload(
            sample.path,
            purpose="voice_clone",
            filename=sample.filename,
            fmt=sample.format,
            on_progress=_percent_steps(on_event, "Uploading"),
        )
        on_event(Event("clone", f"Cloning voice '{voice_id}'"))
        ready.preset["sample"]["file_id"] = file_id
        if ready.prompt is not None:
            ready.preset["prompt"]["file_id"] = prompt_id
        try:  # the ledger line is written just before the clone: only sent requests are in it
            book.record(
                request=ready.request,
                voice_id=voice_id,
                sha256=sha,
                base_url=settings.base_url,
                outcome=ledger.SENT,
                presets=str(store.path),
            )
        except OSError as exc:
            raise storage_error(
                exc,
                settings.ledger,
                "the clone ledger",
                fix="Free some space (or set VOICECLONE_LEDGER to a writable file), then run it "
                "again; nothing was sent to MiniMax.",
            ) from exc
        sent = True
        result = client.clone(
            minimax.CloneRequest(
                file_id=file_id,
                voice_id=voice_id,
                settings=plan.settings,
                prompt_file_id=prompt_id,
                prompt_text=options.prompt_text if ready.prompt is not None else None,
            )
        )
    except VoiceIdTakenError as exc:
        # 2039: the voice_id exists. After a lost answer (in this run or an earlier one) it may be this
        # sample's own voice; only the ledger can say, and only then is it adopted.
        verdict = ledger.claim(
            book, voice_id, sha, settings.base_url, without=None if exc.after_lost_response else ready.request
        )
        if verdict == ledger.OURS:
            result = minimax.CloneResult(demo_audio_url=None, trace_id=exc.trace_id, recovered=True)
        elif verdict == ledger.UNCLEAR:
            settle(ledger.UNKNOWN)
            _unconfirm(store, voice_id, "MiniMax has this voice_id, and both this sample and another one asked for it")
            raise ServiceError(
                f"voice_id '{voice_id}' exists on MiniMax, but the ledger cannot tell whether this "
                "sample or another one made it",
                trace_id=exc.trace_id,
                fix=f"It is kept as unconfirmed preset '{plan.name}'. If it is this sample's, run "
                f"`voiceclone presets adopt {voice_id}`; else clone under a new id: --voice-id "
                f"{next_free_voice_id(settings, voice_id)}.",
            ) from exc
        else:
            settle(ledger.REFUSED)
            _drop_pending(store, voice_id, ready.request)
            raise VoiceIdTakenError(
                f"voice_id '{voice_id}' is already taken on MiniMax (MiniMax never reuses one)",
                code=exc.code,
                trace_id=exc.trace_id,
                fix=f"Choose a new one, such as --voice-id {next_free_voice_id(settings, voice_id)}.",
            ) from exc
    except RemoteError as exc:
        if sent and (exc.response_lost or exc.after_lost_response):
            settle(ledger.UNKNOWN)
            _unconfirm(store, voice_id, f"MiniMax's answer was lost: {exc}")
            raise ServiceError(
                f"{exc}; MiniMax may have made voice '{voice_id}' all the same",
                trace_id=exc.trace_id,
                fix=f"It is kept as unconfirmed preset '{plan.name}': run the same clone again to "
                "confirm it (nothing is charged twice).",
            ) from exc
        settle(ledger.REFUSED)
        _drop_pending(store, voice_id, ready.request)
        raise
    except (KeyboardInterrupt, Cancelled) as exc:
        if not sent:
            settle(ledger.REFUSED)
            _drop_pending(store, voice_id, ready.request)
            raise Cancelled("cancelled before the clone was sent; nothing was saved or charged") from exc
        settle(ledger.UNKNOWN)
        _unconfirm(store, voice_id, "cancelled while MiniMax worked on the clone")
        raise Cancelled(
            f"cancelled while MiniMax worked; it may have made voice '{voice_id}'",
            fix=f"It is kept as unconfirmed preset '{plan.name}': run the same clone again to confirm it "
            "(nothing is charged twice).",
        ) from exc
    except BaseException:
        if not sent:
            _drop_pending(store, voice_id, ready.request)
        raise  # after sending, the pending entry stays for the next command to settle
    settle(ledger.MADE)
    if result.sensitive_type:
        kind = SENSITIVE_TYPES.get(result.sensitive_type, "other")
        ready.warnings.append(f"MiniMax flagged the sample as {kind} content; the voice may be unusable")
    since = None
    if result.recovered:
        since = book.first_possible(voice_id, sha, settings.base_url)
        ready.warnings.append(
            "MiniMax's answer was lost after it made the voice; it is saved, but its preview "
            "was lost (use `voiceclone speak` to hear it)"
        )
    elif plan.settings.text is not None and not result.demo_audio_url:
        ready.warnings.append("MiniMax returned no preview audio")
    return _Made(file_id, result.demo_audio_url, result.trace_id, since)


def _record(settings: Settings, options: CloneOptions, plan: _Plan, ready: _Ready, made: _Made) -> CloneOutcome:
    """Save the voice MiniMax made as a preset. Nothing here may fail: a presets file that cannot be
    written sends the preset to a recovery file, and the error then names it."""
    created = parse_timestamp(made.since) if made.since else utc_now()
    preset = copy.deepcopy(ready.preset)
    preset.update(created_at=timestamp(created), expires_at=expiry_after(created))
    preset["provenance"]["cloned_at"] = timestamp(created)
    store = PresetStore(settings.presets_path)
    try:
        name = store.change_library(
            lambda data: reconcile.file_made(data, options.voice_id, plan.name, preset, options.replacing),
            timeout=RECORD_LOCK_TIMEOUT_S,
        )
    except (PresetError, OSError) as exc:
        why = exc if isinstance(exc, PresetError) else storage_error(exc, store.path, "the presets file")
        kept = recovery.keep(
            [store.folder, user_data_folder()],
            name=plan.name,
            voice_id=options.voice_id,
            preset=preset,
            presets_file=store.path,
            replacing=options.replacing,
        )
        where = (
            f'it is kept in {kept}: run `voiceclone presets adopt "{kept}"` once the presets file can be written'
            if kept
            else "nothing could be written anywhere: free some space, then run the same clone "
            "again to record it (nothing is charged twice)"
        )
        raise StorageError(
            f"MiniMax made voice '{options.voice_id}', but its preset could not be saved ({why})",
            fix=where[0].upper() + where[1:] + ".",
        ) from exc
    if name != plan.name:
        ready.warnings.append(f"preset '{plan.name}' was taken meanwhile; the voice is saved as preset '{name}'")
    return CloneOutcome(
        options.voice_id,
        name,
        made.file_id,
        None,
        made.demo_audio_url,
        False,
        ready.warnings,
        made.trace_id,
        ready.pieces,
    )


def _add_preview(
    settings: Settings,
    options: CloneOptions,
    plan: _Plan,
    outcome: CloneOutcome,
    url: str,
    client: "MiniMaxClient",
    on_event: EventSink,
) -> None:
    """Download the preview onto the saved preset; a failure or Ctrl-C loses only the preview."""
    store = PresetStore(settings.presets_path)
    on_event(Event("download", "Downloading the preview"))
    try:
        path = _fetch_preview(
            client,
            url,
            store,
            outcome.preset,
            options.preview_out,
            outcome.warnings,
            mark={"voice_id": options.voice_id, "model": plan.settings.model},
        )
    except (KeyboardInterrupt, Cancelled) as exc:
        raise Cancelled(
            f"cancelled while the preview downloaded; voice '{options.voice_id}' is saved as preset "
            f"'{outcome.preset}' without it",
            fix="Hear it with `voiceclone speak`.",
        ) from exc
    if path is None:
        return

    def attach(voices: dict) -> None:
        held = voices.get(outcome.preset)
        if held is not None and held.get("voice_id") == options.voice_id:
            held.setdefault("preview", {})["path"] = str(path)

    try:
        store.change(attach)
        outcome.preview_path = str(path)
    except (PresetError, OSError) as exc:
        outcome.warnings.append(f"the preview {path} is saved, but the preset could not point to it ({exc})")


def _put_pending(store: PresetStore, voice_id: str, name: str, ready: _Ready, replacing: Optional[str]) -> None:
    """The intent, before anything is sent: a pending entry (keeping the earlier requests of the same
    sample for this voice_id, which may have made it), or an error saying nothing was sent."""

    def put(data: dict) -> None:
        _check_clash(data["voices"], name, voice_id, replacing)
        earlier = data["pending"].get(voice_id)
        if earlier is not None:
            if (earlier.get("preset") or {}).get("sample", {}).get("sha256") != ready.sample.sha256:
                raise PresetError(
                    f"voice_id '{voice_id}' is waiting for MiniMax's answer for another sample",
                    fix="Choose a new --voice-id for this sample.",
                )
            if reconcile.running(earlier):
                raise PresetError(
                    f"another run is cloning voice '{voice_id}' right now",
                    fix="Wait for it to finish, then run `voiceclone presets list`.",
                )
        data["pending"][voice_id] = {
            "name": name,
            "requests": reconcile.requests_of(earlier or {}) + [ready.request],
            "since": (earlier or {}).get("since") or timestamp(utc_now()),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "replacing": replacing,
            "unconfirmed": (earlier or {}).get("unconfirmed"),
            "preset": copy.deepcopy(ready.preset),
        }

    try:
        store.change_library(put)
    except OSError as exc:
        raise storage_error(
            exc,
            store.path,
            "the presets file",
            fix="Free some space or make the presets folder writable (or point --presets "
            "elsewhere), then run it again; nothing was sent to MiniMax.",
        ) from exc


def _unconfirm(store: PresetStore, voice_id: str, reason: str) -> None:
    def mark(data: dict) -> None:
        if voice_id in data["pending"]:
            data["pending"][voice_id]["unconfirmed"] = reason

    try:
        store.change_library(mark, timeout=RECORD_LOCK_TIMEOUT_S)
    except (PresetError, OSError):
        pass  # the pending entry written before sending still says what may exist


def _drop_pending(store: PresetStore, voice_id: str, request: str) -> None:
    """Forget a request MiniMax certainly did not act on; the entry goes only when no earlier request
    of it may have made the voice. A failure leaves an entry the next command settles."""

    def drop(data: dict) -> None:
        entry = data["pending"].get(voice_id)
        if entry is None:
            return
        left = [r for r in reconcile.requests_of(entry) if r != request]
        if left:
            entry["requests"] = left
            entry.pop("request", None)
        else:
            del data["pending"][voice_id]

    try:
        store.change_library(drop)
    except (PresetError, OSError):
        pass


def _kept(write: Callable[[], T], store: PresetStore) -> T:
    """An archive write before anything is sent; a disk error says so."""
    try:
        return write()
    except OSError as exc:
        raise storage_error(
            exc,
            store.folder,
            "the sample archive in",
            fix="Free some space or make the presets folder writable, then run it again; nothing was sent to MiniMax.",
        ) from exc


def next_free_voice_id(settings: Settings, voice_id: str) -> str:
    """The first of ``ID-2``, ``ID-3``... that no preset, pending clone or ledger line has used."""
    store = PresetStore(settings.presets_path)
    try:
        used = {p.get("voice_id") for p in store.voices().values()} | set(store.pending())
    except PresetError:
        used = set()
    used |= {entry.voice_id for entry in Ledger(settings.ledger).entries(base_url=settings.base_url)}
    stem = re.sub(r"-\d+$", "", voice_id)
    for number in range(2, 10000):
        suffix = f"-{number}"
        candidate = stem[: rules.VOICE_ID_MAX - len(suffix)] + suffix
        if candidate not in used:
            return candidate
    return voice_id + "-new"


# -- helpers ---------------------------------------------------------------------------------


def holder_of(voices: dict, voice_id: str) -> Optional[str]:
    """The name of the preset holding ``voice_id``, or None."""
    return next((name for name, p in voices.items() if p.get("voice_id") == voice_id), None)


def _check_consent(options: CloneOptions, settings: Settings) -> Optional[audio_process.Recording]:
    """Refuse a missing or empty consent where one is needed; return the consent recording's facts."""
    if options.consent is not None and not options.consent.strip():
        raise InputError("--consent is empty", fix="Say who agreed to the cloning, and when.")
    if (options.require_consent or settings.require_consent) and not (options.consent or options.consent_audio):
        raise InputError(
            "cloning needs a consent record here, and none was given",
            fix='Add --consent "<who agreed, when, how>" and/or --consent-audio FILE.',
        )
    return None if options.consent_audio is None else audio_process.probe(options.consent_audio)


def _consent_record(
    options: CloneOptions, recording: Optional[audio_process.Recording], store: PresetStore
) -> Optional[dict]:
    """The consent as kept in the preset; a consent recording is archived with its hash."""
    if not (options.consent or recording):
        return None
    record = {"text": options.consent, "audio": None, "audio_sha256": None}
    if recording is not None:
        digest = files.sha256_file(recording.path)
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
        raise PresetError(
            f"preset '{name}' already holds voice '{held.get('voice_id')}'",
            fix=f'Choose another --name, or remove it first with `voiceclone presets remove "{name}"`.',
        )


def _fetch_preview(
    client: "MiniMaxClient",
    url: str,
    store: PresetStore,
    name: str,
    preview_out: Optional[Path],
    warnings: List[str],
    *,
    mark: dict,
) -> Optional[Path]:
    """Download the preview and mark it as AI-generated (``mark``: voice_id and model); a failure is a
    warning, never a lost clone."""
    folder = store.folder / "previews" if preview_out is None else Path(preview_out).parent
    stem = folder / f"{files.safe_stem(name, 'voice')}-preview-{utc_now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    path = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = client.download(url, stem)
        audio_process.check_decodes(path)
        if preview_out is not None:
            path = audio_process.convert(path, Path(preview_out))
        tagging.tag(path, **mark, date=timestamp(utc_now()))
        return path
    except (VoiceCloneError, OSError) as exc:
        if path is not None:
            path.unlink(missing_ok=True)  # neither a damaged nor an unmarked preview is left behind
        warnings.append(f"the preview could not be saved ({exc}); the voice is cloned and the preset saved")
        return None


def _describe_source(options: CloneOptions) -> str:
    where = f"file {Path(options.audio).resolve()}"
    if options.start is not None or options.end is not None:
        where += f" from {options.start or 0:g} s" + ("" if options.end is None else f" to {options.end:g} s")
    return where
