"""The MiniMax API's limits as data, and pure checks of everything a user types.

No I/O here. Each check either returns the cleaned value or raises :class:`InputError` naming the
offending value and what the API accepts. Limits mirror ``manifest.yaml`` (a test checks they agree).
"""

import re
from typing import List, Optional, Tuple

from .errors import AudioError, InputError

CLONE_FORMATS = ("mp3", "m4a", "wav")
CLONE_MIN_S = 10.0
CLONE_MAX_S = 300.0
CLONE_RANGE = f"{CLONE_MIN_S:g} s to {CLONE_MAX_S / 60:g} min"  # as messages say it
UPLOAD_MAX_BYTES = 20_000_000
PROMPT_MAX_S = 8.0
VOICE_ID_MIN = 8
VOICE_ID_MAX = 256
PREVIEW_TEXT_MAX = 1000
SPEECH_TEXT_MAX = 9999
TEXT_VALIDATION_MAX = 200
VOICE_LIFETIME_DAYS = 7

MODELS = (
    "speech-2.8-hd",
    "speech-2.8-turbo",
    "speech-2.6-hd",
    "speech-2.6-turbo",
    "speech-02-hd",
    "speech-02-turbo",
    "speech-01-hd",
    "speech-01-turbo",
)
DEFAULT_MODEL = "speech-2.8-hd"
TAG_MODELS = ("speech-2.8-hd", "speech-2.8-turbo")

LANGUAGES = (
    "Chinese",
    "Chinese,Yue",
    "English",
    "Arabic",
    "Russian",
    "Spanish",
    "French",
    "Portuguese",
    "German",
    "Turkish",
    "Dutch",
    "Ukrainian",
    "Vietnamese",
    "Indonesian",
    "Japanese",
    "Italian",
    "Korean",
    "Thai",
    "Polish",
    "Romanian",
    "Greek",
    "Czech",
    "Finnish",
    "Hindi",
    "Bulgarian",
    "Danish",
    "Hebrew",
    "Malay",
    "Persian",
    "Slovak",
    "Swedish",
    "Croatian",
    "Filipino",
    "Hungarian",
    "Norwegian",
    "Slovenian",
    "Catalan",
    "Nynorsk",
    "Tamil",
    "Afrikaans",
    "auto",
)
#: Languages the speech-01 and speech-02 models do not have.
NEWER_MODEL_LANGUAGES = ("Persian", "Filipino", "Tamil")

SPEECH_FORMATS = ("wav", "mp3", "flac")

#: Interjection tags the 2.8 models perform; the clone preview adds three more.
SPEECH_TAGS = (
    "laughs",
    "chuckle",
    "coughs",
    "clear-throat",
    "groans",
    "breath",
    "pant",
    "inhale",
    "exhale",
    "gasps",
    "sniffs",
    "sighs",
    "snorts",
    "burps",
    "lip-smacking",
    "humming",
    "hissing",
    "emm",
    "sneezes",
)
PREVIEW_TAGS = SPEECH_TAGS + ("whistles", "crying", "applause")

_PAUSE = re.compile(r"<#([0-9]+(?:\.[0-9]+)?)#>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def check_voice_id(voice_id: str) -> List[str]:
    """Raise unless ``voice_id`` is one the clone endpoint accepts, naming every rule it breaks at
    once; return warnings."""
    shown = voice_id if len(voice_id) <= 40 else voice_id[:37] + "..."
    broken = []
    if not VOICE_ID_MIN <= len(voice_id) <= VOICE_ID_MAX:
        broken.append(f"is {len(voice_id)} characters (it must be {VOICE_ID_MIN} to {VOICE_ID_MAX})")
    if not voice_id or not voice_id[0].isascii() or not voice_id[0].isalpha():
        broken.append("must start with a letter")
    if voice_id and voice_id[-1] in "-_":
        broken.append("must not end with '-' or '_'")
    bad = sorted({c for c in voice_id if not (c.isascii() and (c.isalnum() or c in "-_"))})
    if bad:
        broken.append(f"may hold only letters, digits, '-' and '_' (found {' '.join(repr(c) for c in bad)})")
    if broken:
        raise InputError(
            f"voice_id '{shown}' " + "; it ".join(broken),
            fix="Pick a voice_id such as 'HostVoice01': 8 to 256 letters, digits, '-' or '_', starting with a letter.",
        )
    if not any(c.isdigit() for c in voice_id):
        return [f"voice_id '{shown}' has no digit; some MiniMax resellers require letters and digits"]
    return []


def preset_name_for(voice_id: str) -> str:
    """The preset name a voice_id gets when none is given: itself, cut to the 64 characters a name
    may have."""
    return voice_id if len(voice_id) <= 64 else voice_id[:61] + "..."


def check_model(model: str) -> str:
    """Return ``model`` if MiniMax offers it, else raise naming the choices."""
    if model not in MODELS:
        raise InputError(f"model '{model}' is not a MiniMax speech model", fix=f"Use one of: {', '.join(MODELS)}.")
    return model


#: T2A ``voice_setting`` ranges (MiniMax's speech T2A page): speed [0.5, 2], vol (0, 10], pitch [-12, 12] semitones.
SPEED_MIN, SPEED_MAX = 0.5, 2.0
VOL_MAX = 10.0
PITCH_MAX = 12
EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm", "fluent", "whisper")


def check_speech_style(
    *, speed=None, vol=None, pitch=None, emotion=None, pronunciation=(), model: Optional[str] = None
) -> List[str]:
    """Refuse a speech setting MiniMax does not take, with every broken rule named at once; return the
    pronunciation entries in the API's ``word/replacement`` form (``word=replacement`` is taken too).

    ``fluent`` and ``whisper`` are for the speech-2.6 models only (2.8 has no ``whisper``).
    """
    broken = []
    if speed is not None and not SPEED_MIN <= float(speed) <= SPEED_MAX:
        broken.append(f"speed {speed:g} is outside {SPEED_MIN:g}-{SPEED_MAX:g}")
    if vol is not None and not 0 < float(vol) <= VOL_MAX:
        broken.append(f"vol {vol:g} is outside 0 (excluded) to {VOL_MAX:g}")
    if pitch is not None and (int(pitch) != pitch or not -PITCH_MAX <= int(pitch) <= PITCH_MAX):
        broken.append(f"pitch {pitch} must be a whole number of semitones from -{PITCH_MAX} to {PITCH_MAX}")
    if emotion is not None:
        if emotion not in EMOTIONS:
            broken.append(f"emotion '{emotion}' is not one of {', '.join(EMOTIONS)}")
        elif emotion in ("fluent", "whisper") and model and not model.startswith("speech-2.6"):
            broken.append(f"emotion '{emotion}' needs a speech-2.6 model, not {model}")
    entries = []
    for entry in pronunciation:
        word, sep, said = str(entry).replace("=", "/", 1).partition("/")
        if not sep or not word.strip() or not said.strip():
            broken.append(f"pronunciation '{entry}' must read WORD=HOW (such as Nguyen=(wɪn))")
        else:
            entries.append(f"{word.strip()}/{said.strip()}")
    if broken:
        raise InputError("; ".join(broken), fix="Change the setting and run it again.")
    return entries


def check_language(language: Optional[str], model: Optional[str]) -> Optional[str]:
    """Return the canonical spelling of a ``language_boost`` value (case-insensitive), or None."""
    if language is None:
        return None
    wanted = language.replace(" ", "").lower()
    for known in LANGUAGES:
        if known.replace(" ", "").lower() == wanted:
            if model and known in NEWER_MODEL_LANGUAGES and not model.startswith(("speech-2.",)):
                raise InputError(
                    f"language_boost '{known}' is not available with {model}",
                    fix="Pick a speech-2.6 or speech-2.8 model, or another language.",
                )
            return known
    raise InputError(
        f"language_boost '{language}' is not one MiniMax knows",
        fix=f"Use 'auto' or one of: {', '.join(LANGUAGES[:-1])}.",
    )


def check_text(text: str, *, what: str, limit: int) -> str:
    """Raise unless ``text`` is non-empty speakable text within ``limit`` characters."""
    if not text or not text.strip():
        raise InputError(f"the {what} is empty", fix=f"Give the {what} some words to speak.")
    if len(text) > limit:
        raise InputError(
            f"the {what} is {len(text)} characters; MiniMax takes at most {limit}",
            fix=f"Shorten the {what} to {limit} characters or fewer.",
        )
    hidden = len(_CONTROL.findall(text))
    if hidden:
        raise InputError(
            f"the {what} contains {hidden} invisible or control character(s)",
            fix="Remove them (paste the text as plain text) and run it again.",
        )
    _check_pauses(text, what)
    return text


def _check_pauses(text: str, what: str) -> None:
    for match in _PAUSE.finditer(text):
        seconds = float(match.group(1))
        if not 0.01 <= seconds <= 99.99 or len(match.group(1).partition(".")[2]) > 2:
            raise InputError(
                f"the pause {match.group(0)} in the {what} is out of range",
                fix="Pauses are written <#0.5#>: 0.01 to 99.99 seconds, two decimals at most.",
            )
        before, after = text[: match.start()].strip(), text[match.end() :].strip()
        if not before or not after or before.endswith("#>") or after.startswith("<#"):
            raise InputError(
                f"the pause {match.group(0)} in the {what} must stand between two pieces of text",
                fix="Remove pauses at the start or end and merge pauses that follow each other.",
            )


def strip_tags(text: str, model: str, tags=SPEECH_TAGS) -> Tuple[str, List[str]]:
    """Remove interjection tags such as ``(laughs)`` unless ``model`` performs them.

    Returns the text to send and warnings. Other models' handling of tags is undocumented, so they
    are removed rather than risk them being read aloud.
    """
    pattern = re.compile(r"\((" + "|".join(re.escape(t) for t in tags) + r")\)")
    found = pattern.findall(text)
    if not found or model in TAG_MODELS:
        return text, []
    cleaned = re.sub(r"[ \t]{2,}", " ", pattern.sub("", text)).strip()
    return cleaned, [
        f"removed {len(found)} interjection tag(s) such as ({found[0]}): only {' and '.join(TAG_MODELS)} perform them"
    ]


def check_preview(text: Optional[str], model: Optional[str]) -> Tuple[Optional[str], Optional[str], List[str]]:
    """Check the clone's preview text; return ``(text, model, warnings)``.

    A preview needs a model; when only text is given the default model is used.
    """
    if text is None:
        return None, (check_model(model) if model else None), []
    check_text(text, what="preview text", limit=PREVIEW_TEXT_MAX)
    model = check_model(model or DEFAULT_MODEL)
    text, warnings = strip_tags(text, model, PREVIEW_TAGS)
    return text, model, warnings


def check_prompt(prompt_audio: Optional[str], prompt_text: Optional[str]) -> None:
    """``clone_prompt`` needs both its audio and its text."""
    if (prompt_audio is None) != (prompt_text is None):
        missing = "--prompt-text" if prompt_text is None else "--prompt-audio"
        raise InputError(
            f"a clone prompt needs both --prompt-audio and --prompt-text; {missing} is missing",
            fix="Give both (a clip under 8 s and exactly what is said in it), or neither.",
        )
    if prompt_text is not None:
        check_text(prompt_text, what="prompt text", limit=PREVIEW_TEXT_MAX)
        if prompt_text.rstrip()[-1] not in ".!?;,:\u3002\uff01\uff1f\u2026\"'\u201d":
            raise InputError(
                "the prompt text must end with punctuation",
                fix="End --prompt-text with a full stop or other punctuation, as MiniMax requires.",
            )


def check_text_validation(text: Optional[str], accuracy: Optional[float]) -> None:
    """``text_validation`` is at most 200 characters; ``accuracy`` lies in [0, 1] and needs it."""
    if accuracy is not None:
        if text is None:
            raise InputError(
                "--accuracy only applies together with --text-validation",
                fix="Add --text-validation with what is said in the sample, or drop --accuracy.",
            )
        if not 0.0 <= accuracy <= 1.0:
            raise InputError(f"--accuracy {accuracy} is outside 0 to 1", fix="Use a value such as 0.7.")
    if text is not None:
        check_text(text, what="validation text", limit=TEXT_VALIDATION_MAX)


def check_region(
    start: Optional[float], end: Optional[float], duration_s: float, *, within: str = "the file"
) -> Tuple[float, float]:
    """Resolve ``--start``/``--end`` against ``within``, ``duration_s`` seconds long; return the region."""
    first = 0.0 if start is None else float(start)
    last = duration_s if end is None else float(end)
    if first < 0 or last < 0:
        raise InputError(
            f"--start and --end are seconds from the start of {within} and cannot be negative",
            fix=f"Give them as seconds or mm:ss from the start of {within}, such as --start 1:30.",
        )
    if first >= duration_s:
        raise InputError(
            f"--start ({first:g} s) is beyond the end of {within} ({duration_s:.1f} s)",
            fix=f"Give a --start before {clock(duration_s)}.",
        )
    if last <= first:
        raise InputError(
            f"--end ({last:g} s) must come after --start ({first:g} s)",
            fix="Swap them, or give an --end later than --start.",
        )
    return first, min(last, duration_s)


def parse_time(text: str) -> float:
    """A point in a file as the user writes it: seconds (``90``, ``90.5``), ``mm:ss(.fff)`` or
    ``hh:mm:ss(.fff)``. Raises ValueError saying which forms are taken."""
    parts = str(text).strip().split(":")
    try:
        if len(parts) > 3 or any(not p.strip() for p in parts):
            raise ValueError
        numbers = [float(p) for p in parts]
        if (
            any(n < 0 for n in numbers)
            or any(n >= 60 for n in numbers[1:])
            or any(not p.strip().isdigit() for p in parts[:-1])
        ):
            raise ValueError
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a time: give seconds (90.5), mm:ss (1:30.5) or hh:mm:ss (0:01:30)") from exc
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


def shown_seconds(seconds: float) -> str:
    """A length for a message, truncated to 1/100 s so that 9.996 s never reads as "10 s"."""
    return f"{int(seconds * 100 + 1e-6) / 100:g}"


def clock(seconds: float) -> str:
    """A length as minutes:seconds, e.g. ``5:00``."""
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def check_duration(duration_s: float, *, what: str = "sample") -> None:
    """Raise if the audio is too short to clone from (longer audio is trimmed, not refused)."""
    if duration_s < CLONE_MIN_S:
        raise AudioError(
            f"the {what} is {shown_seconds(duration_s)} s; the clone endpoint needs {CLONE_RANGE}",
            fix=f"Use a longer recording of the voice, at least {CLONE_MIN_S:g} s of speech.",
        )


def check_preset_name(name: str) -> str:
    """A preset name: 1 to 64 printable characters."""
    if not name or not name.strip() or len(name) > 64 or not name.isprintable():
        raise InputError(
            f"preset name {name!r} must be 1 to 64 printable characters", fix="Pick a short name such as 'Host voice'."
        )
    return name.strip()


#: How much of the speaker's speech the picker takes from a long recording, unless told.
PICK_TARGET_S = 120.0


def check_pick_length(seconds: float) -> float:
    """The picked sample's length asked for: :class:`InputError` outside a clone's 10 s-5 min."""
    if not CLONE_MIN_S <= seconds <= CLONE_MAX_S:
        raise InputError(
            f"--pick-length {seconds:g} s is outside {CLONE_MIN_S:g} s-{clock(CLONE_MAX_S)}",
            fix=f"Ask for {CLONE_MIN_S:g} s to {clock(CLONE_MAX_S)} (about {clock(PICK_TARGET_S)} clones best).",
        )
    return seconds


#: The emotions of a patched line's takes, in order: the model's own first, then ones every
#: speech-2.x model takes. Each take is a speech, and charged.
VARIANT_EMOTIONS = (None, "calm", "happy", "sad", "surprised")
PATCH_VARIANTS_MAX = len(VARIANT_EMOTIONS)


def check_variants(value) -> int:
    """The number of takes of a patched line, as typed or given; :class:`InputError` outside 1-5."""
    try:
        count = int(str(value).strip())
    except ValueError:
        count = 0
    if not 1 <= count <= PATCH_VARIANTS_MAX:
        raise InputError(
            f"{value} takes of the line is not 1-{PATCH_VARIANTS_MAX}",
            fix=f"Ask for 1 to {PATCH_VARIANTS_MAX} takes (each one is a speech, and charged).",
        )
    return count


# -- what MiniMax charges (its voice-clone guide, platform.minimax.io/docs/guides/speech-voice-clone) ----

#: The first speech of a clone makes it permanent and charges the clone fee, once.
FIRST_SPEECH_COST = (
    "this is the first speech of voice '{voice_id}': MiniMax makes the voice permanent now and "
    "charges the clone fee for it (once)"
)
#: A re-clone of a voice that is active (already paid for) pays twice more.
RECLONE_ACTIVE_COST = (
    "Preset '{name}' holds an active voice, already paid for. Clone it again under a new "
    "voice_id? MiniMax charges a new clone, and the new voice's first speech charges the clone "
    "fee again."
)
RECLONE_COST = "Clone preset '{name}' again under a new voice_id? MiniMax charges a new clone."
