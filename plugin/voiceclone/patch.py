"""``voiceclone patch``: replace a flubbed phrase of a take with the same words in the speaker's
cloned voice, fitted to the gap and blended into the take (:mod:`.blend`).

The speech is paid for, so it is kept (in the user data folder's ``Patches`` folder) before
anything is done with it. Its speed is chosen from this voice's measured speaking rate so the words
fill the selection; a result that misses by more than 5 % is spoken once more at a corrected speed.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import soundfile as sf
import soxr

from . import audio, blend, files, rules, speech
from .errors import InputError, storage_error
from .events import Event, ignore_events
from .presets import PresetStore
from .settings import Settings, user_data_folder

#: A voice's speaking rate at speed 1 until one is measured: characters a second.
DEFAULT_CHARS_PER_S = 15.0
#: The speeds at which speech still sounds natural.
NATURAL_SPEEDS = (0.8, 1.25)
#: How far the patch's length may miss the selection before it is spoken again.
LENGTH_TOLERANCE = 0.05
#: The shortest selection a phrase can be patched into.
MIN_GAP_S = 0.3
#: The take is read this far on each side of the phrase: the speech the patch is matched to
#: (:data:`.blend.CONTEXT_S`), the room tone laid under it and the pause a phrase given by its
#: start alone ends at all lie within, and an hour-long take is never held whole.
WINDOW_S = 30.0


@dataclass
class PatchOutcome:
    """What a patch made: the patched take and/or the patch alone, the kept speech, how it was fitted."""

    path: Optional[str]
    patch_path: Optional[str]
    speech_path: str
    voice_id: str
    preset: Optional[str]
    speed: float
    selection_s: float
    spoken_s: float
    loudness_lufs: Dict[str, float]
    attempts: int
    #: Where the patch, crossfades included, lies in the take: what ``--patch-only`` holds, and where
    #: it goes over the original (its first and last samples are the original's, so it drops in seamlessly).
    patch_start_s: float
    patch_end_s: float
    #: The emotion this take of the line was spoken with (None: the model's own choice).
    emotion: Optional[str] = None
    warnings: List[str] = field(default_factory=list)
    #: The other variants asked for, each as this outcome's own fields.
    variants: List[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


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
    on_event: Callable = ignore_events,
) -> PatchOutcome:
    """Speak ``text`` in the voice, fit it to ``start``..``end`` (seconds) of ``take`` and blend it in.

    Parameters
    ----------
    take : Path
        The recording (wav or flac keep their bit depth, so the patched file is the take bit for bit
        outside the patch and its crossfades; other formats become a 16-bit wav).
    start, end : float
        The flubbed phrase, in seconds of ``take``. Without ``end`` (a cursor point), the phrase ends
        at the pause where the text, spoken at a natural speed, would end (said in the warnings).
    text : str
        What the phrase should say.
    out, patch_out : Path, optional
        Where the patched take and/or the patch alone go (at least one); never over a file unless
        ``force``. The patch alone is the patched take from the start of its crossfade in to the end
        of its crossfade out: laid over the original there, it drops in seamlessly.
    preset, voice_id : str, optional
        Exactly one: the voice.
    variants : int
        1 to 5 takes of the line, each in another emotion (:data:`.rules.VARIANT_EMOTIONS`), fitted alike, to
        pick by ear: the outputs are numbered (``patched-1.wav``, ``patched-2.wav``...). Each is a
        speech MiniMax charges for.

    Raises
    ------
    InputError
        Before anything is paid for: the take, the region, the text, the outputs, or a text that
        cannot fit the selection at a natural speed (the message says which selection would fit).
    """
    if out is None and patch_out is None:
        raise InputError("a patch needs somewhere to go", fix="Give -o PATCHED.wav and/or --patch-only PATCH.wav.")
    variants = rules.check_variants(variants)
    outs, patch_outs = _numbered(out, variants), _numbered(patch_out, variants)
    for targets, flag in ((outs, "-o"), (patch_outs, "--patch-only")):
        for target in targets:
            if target is not None:
                files.check_writable(target, flag)
                if not force:
                    files.check_new(target, flag, force="--force")
    rules.check_text(text, what="text", limit=rules.SPEECH_TEXT_MAX)
    rate = _chars_per_s(settings, preset)
    info = audio.probe(take)
    if end is not None and end > info.duration_s:
        raise InputError(
            f"--end ({end:g} s) is beyond the end of the take ({info.duration_s:.2f} s)",
            fix=f"Give an --end before {rules.clock(info.duration_s)}.",
        )
    rules.check_region(start, end, info.duration_s, within="the take")  # before reading any of it
    # only the minute or so around the phrase is read: a take can be an hour long
    take_rate = info.sample_rate
    reach = end if end is not None else start + 2 * len(text) / rate
    window_first = max(0, int((start - WINDOW_S) * take_rate))
    window_last = min(info.num_frames, int((max(reach, start) + WINDOW_S) * take_rate))
    take_audio = audio.read_frames(info.path, window_first, window_last - window_first)
    offset = window_first / take_rate  # seconds of the take before the window
    found: List[str] = []
    if end is None:
        end = offset + _phrase_end(take_audio, take_rate, start - offset, len(text) / rate)
        found.append(f"no end was given: the phrase is taken to end at the pause at {end:.2f} s")
    first, last = rules.check_region(start, end, info.duration_s, within="the take")
    gap = last - first
    if gap < MIN_GAP_S:
        raise InputError(
            f"the selection is {gap:.2f} s; a patch needs at least {MIN_GAP_S:g} s",
            fix="Select the whole flubbed phrase.",
        )
    fade_s = blend.FADE_S
    if first < fade_s or last > info.duration_s - fade_s:
        raise InputError(
            f"the selection must leave {fade_s * 1000:.0f} ms of the take on each side for the crossfades",
            fix="Move the selection in from the take's ends.",
        )
    speed = len(text) / rate / gap
    low, high = NATURAL_SPEEDS
    if not low <= speed <= high:
        natural = len(text) / rate
        span = f"the phrase up to the pause at {last:.2f} s is" if found else "the selection is"
        raise InputError(
            f"'{text[:40]}' takes about {natural:.1f} s in this voice; {span} {gap:.1f} s (speed {speed:.2f})",
            fix=f"Select {natural / high:.1f} to {natural / low:.1f} s for it, or change the text.",
        )
    subtype, fmt = (info.subtype, info.format.upper()) if info.format in ("wav", "flac") else ("PCM_16", "WAV")
    made: List[PatchOutcome] = []
    for number, emotion in enumerate(rules.VARIANT_EMOTIONS[:variants]):
        fitted = _fitted_speech(
            settings,
            text,
            gap,
            speed,
            preset=preset,
            voice_id=voice_id,
            model=model,
            emotion=emotion,
            on_event=on_event,
        )
        speed, spoken_s, said = fitted.speed, fitted.seconds, fitted.said
        body, levels = _blended(take_audio, take_rate, fitted.samples, fitted.rate, first - offset, last - offset)
        start_frame = blend.zero_crossing(take_audio, int(round((first - offset) * take_rate)), take_rate)
        patched, begin, finish = blend.splice(take_audio, body, start_frame, take_rate)
        piece = patched[begin:finish]
        begin, finish = begin + window_first, finish + window_first  # frames of the whole take
        for target, whole in ((outs[number], True), (patch_outs[number], False)):
            if target is None:
                continue
            try:
                if whole:
                    audio.write_spliced(target, info, piece, begin, subtype=subtype, fmt=fmt)
                else:
                    audio.write_sound(target, piece, take_rate, subtype=subtype, fmt=fmt)
            except OSError as exc:
                raise storage_error(
                    exc,
                    target,
                    "the patch",
                    fix=f"The speech is kept as {said.path}. Free some space or choose another folder, "
                    "then run it again.",
                ) from exc
        made.append(
            PatchOutcome(
                path=None if outs[number] is None else str(outs[number]),
                patch_path=None if patch_outs[number] is None else str(patch_outs[number]),
                speech_path=said.path,
                voice_id=said.voice_id,
                preset=preset,
                speed=round(speed, 3),
                selection_s=round(gap, 3),
                spoken_s=round(spoken_s, 3),
                loudness_lufs=levels,
                attempts=fitted.attempts,
                patch_start_s=begin / take_rate,
                patch_end_s=finish / take_rate,
                emotion=emotion,
                warnings=found + said.warnings + fitted.warnings,
            )
        )
    first_made = made[0]
    first_made.variants = [variant.as_dict() for variant in made[1:]]
    return first_made


@dataclass
class _Fitted:
    """A line spoken to fit a gap: its trimmed samples, how it was spoken, what was said on the way."""

    samples: np.ndarray
    rate: int
    seconds: float
    speed: float
    said: speech.SpeakOutcome
    attempts: int
    warnings: List[str]


def _fitted_speech(
    settings: Settings,
    text: str,
    gap: float,
    speed: float,
    *,
    preset: Optional[str],
    voice_id: Optional[str],
    model: Optional[str],
    emotion: Optional[str],
    on_event: Callable,
) -> _Fitted:
    """Speak ``text`` at ``speed``; when it misses ``gap`` by more than :data:`LENGTH_TOLERANCE`,
    once more at the corrected speed. Each speech is kept; the voice's measured rate is remembered."""
    kept = _kept_path(preset or voice_id or "voice")
    warnings: List[str] = []
    attempt = 0
    while True:
        attempt += 1
        feeling = f", {emotion}" if emotion else ""
        on_event(Event("speak", f"Speaking the patch at speed {speed:.2f}{feeling} (attempt {attempt})"))
        said = speech.speak(
            settings,
            text,
            kept if attempt == 1 else kept.with_name(f"{kept.stem}-{attempt}.wav"),
            preset=preset,
            voice_id=voice_id,
            model=model,
            style={"speed": round(speed, 3), "emotion": emotion},
            on_event=on_event,
        )
        voice_audio, voice_rate = sf.read(said.path, dtype="float32", always_2d=True)
        spoken = blend.trim_silence(voice_audio, voice_rate)
        seconds = len(spoken) / voice_rate
        _remember_rate(settings, preset, len(text) / (seconds * speed) if seconds else None)
        miss = seconds / gap - 1
        if abs(miss) <= LENGTH_TOLERANCE or attempt == 2:
            break
        speed = min(max(speed * seconds / gap, rules.SPEED_MIN), rules.SPEED_MAX)
        warnings.append(
            f"the first take of the patch missed the selection by {miss:+.0%}; spoke it again at speed {speed:.2f}"
        )
    if abs(miss) > LENGTH_TOLERANCE:
        warnings.append(f"the patch is {seconds:.2f} s for a {gap:.2f} s selection ({miss:+.0%})")
    return _Fitted(spoken, voice_rate, seconds, speed, said, attempt, warnings)


def _numbered(path: Optional[Path], count: int) -> List[Optional[Path]]:
    """``path`` for one output; ``stem-1.ext``, ``stem-2.ext``... for variants."""
    if path is None:
        return [None] * count
    path = Path(path)
    return [path] if count == 1 else [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(1, count + 1)]


def _blended(take: np.ndarray, rate: int, spoken: np.ndarray, voice_rate: int, first: float, last: float):
    """The patch body over ``first - fade``..``last + fade``: the speech at the take's rate, channels,
    loudness and tone, from the seam on, over the take's room tone."""
    voice = soxr.resample(spoken, voice_rate, rate).reshape(-1, spoken.shape[1]).astype(np.float32)
    voice = np.repeat(voice[:, :1], take.shape[1], axis=1) if voice.shape[1] != take.shape[1] else voice
    context = blend.around(take, rate, first, last)
    voice = blend.match_eq(voice, context, rate)
    target, have = blend.loudness(context, rate), blend.loudness(voice, rate)
    if np.isfinite(target) and np.isfinite(have):
        voice = voice * np.float32(10 ** ((target - have) / 20))
    fade = int(blend.FADE_S * rate)
    length = int(round((last - first) * rate)) + 2 * fade
    body = blend.room_tone(take, rate, length).astype(np.float64)
    usable = min(len(voice), length - fade)
    body[fade : fade + usable] += voice[:usable]
    levels = {"take": round(target, 2), "patch": round(blend.loudness(body[fade:-fade].astype(np.float32), rate), 2)}
    return np.clip(body, -1.0, 1.0).astype(np.float32), levels


def _phrase_end(take: np.ndarray, sample_rate: int, start: float, natural_s: float) -> float:
    """Where the phrase that starts at ``start`` ends when only its start is given: at the pause
    (a stretch near the take's noise floor) whose start lies nearest to where the text, spoken
    naturally (``natural_s``), would end; the end lies just inside the pause, so the crossfade does."""
    hop, window = int(0.01 * sample_rate), int(PAUSE_WINDOW_S * sample_rate)
    squares = np.concatenate([[0.0], np.cumsum(blend.mono(take) ** 2)])
    energy = (squares[window:] - squares[:-window])[::hop] / window
    quiet = energy <= np.percentile(energy, 10) * 10 ** (PAUSE_ABOVE_FLOOR_DB / 10)
    # a pause is a run of quiet windows; where each run starts and ends, in hops
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    pauses = [
        (begin * hop / sample_rate, (end - begin) * hop / sample_rate) for begin, end in zip(edges[::2], edges[1::2])
    ]
    wanted = start + natural_s
    candidates = [
        at + blend.FADE_S
        for at, length in pauses
        if length >= PAUSE_MIN_S and start + natural_s / 2 <= at <= start + 2 * natural_s
    ]
    if not candidates:
        raise InputError(
            f"no pause between words was found {natural_s / 2:.1f}-{2 * natural_s:.1f} s after {start:.2f} s, "
            "where the phrase would end",
            fix="Give the phrase's end too (select the whole phrase, or --end).",
        )
    low, high = NATURAL_SPEEDS
    fitting = [at for at in candidates if natural_s / high <= at - start <= natural_s / low]
    return min(fitting or candidates, key=lambda at: abs(at - wanted))  # a pause the text fits at a natural speed


#: A pause between words: this long at least, its 50 ms windows this close to the take's noise floor.
PAUSE_WINDOW_S, PAUSE_MIN_S, PAUSE_ABOVE_FLOOR_DB = 0.05, 0.1, 6.0


def _chars_per_s(settings: Settings, preset: Optional[str]) -> float:
    if preset is None:
        return DEFAULT_CHARS_PER_S
    measured = (PresetStore(settings.presets_path).get(preset).get("speech") or {}).get("chars_per_s")
    return float(measured) if measured else DEFAULT_CHARS_PER_S


def _remember_rate(settings: Settings, preset: Optional[str], chars_per_s: Optional[float]) -> None:
    """Keep the voice's measured speaking rate in its preset, for the next patch's first guess."""
    if preset is None or not chars_per_s:
        return

    def keep(voices: Dict[str, Any]) -> None:
        held = voices.get(preset)
        if held is not None:
            held.setdefault("speech", {})["chars_per_s"] = round(chars_per_s, 2)

    PresetStore(settings.presets_path).change(keep)


def _kept_path(name: str) -> Path:
    """Where the paid speech of a patch is kept: a new file in the user data folder's ``Patches``."""
    folder = user_data_folder() / "Patches"
    folder.mkdir(parents=True, exist_ok=True)
    return files.media_path(folder, name, "patch speech", datetime.now(), ".wav")
