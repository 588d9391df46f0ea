"""The sandbox's MiniMax account in memory: uploaded files, cloned voices, and the API's rules.

Each operation takes the parsed request and a :class:`Context`, and returns the success body
without ``base_resp``, or raises :class:`Refusal` with the ``base_resp`` code the real API gives.
The limits are the sandbox's own copy of MiniMax's docs (:mod:`.spec`), never the plugin's.
"""

from __future__ import annotations

import builtins
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional, Tuple, Union

from ..formats import MIME_TYPES, sniff
from . import audio, spec
from .multipart import UploadedFile

if TYPE_CHECKING:
    # Only for annotations (postponed by the __future__ import): typing.TypeGuard is Python 3.10+.
    from typing_extensions import TypeGuard

#: Slack for decoders that measure a length a few ms off; the sandbox's own, not from the docs.
DURATION_TOLERANCE_S = 0.05
PREVIEW_RATE = 24000
PREVIEW_SECONDS = (1.0, 20.0)
SPEECH_SECONDS = (0.5, 60.0)

#: voice_id -> (voice_name, description) of the few system voices the sandbox offers.
SYSTEM_VOICES = {
    "English_expressive_narrator": ("Expressive Narrator", ["An expressive adult male narrator."]),
    "male-qn-qingse": ("青涩青年音色", ["A young male voice."]),
    "female-shaonv": ("少女音色", ["A young female voice."]),
}


class Refusal(Exception):
    """A request the API refuses: HTTP 200 with ``base_resp.status_code`` = ``code``."""

    def __init__(self, code: int, detail: Optional[str] = None):
        meaning = spec.STATUS_MESSAGES.get(code, "error injected by the sandbox")
        super().__init__(f"{meaning}: {detail}" if detail else meaning)
        self.code = code


class Context(NamedTuple):
    """What an operation needs to know about the request besides its body."""

    base_url: str
    trace_id: str
    damaged: bool = False  # a "damaged_audio" fault: the audio handed out is cut after its first bytes


def _encode(samples, rate: int, fmt: str, channels: int, ctx: Context) -> bytes:
    data = audio.encode(samples, rate, fmt, channels)
    return data[:12] + bytes(len(data) - 12) if ctx.damaged else data


def base_resp(code: int = 0, message: str = "success") -> dict:
    """The ``base_resp`` every answer carries: 0 and "success", or an error code and its meaning."""
    return {"status_code": code, "status_msg": message}


def error_body(operation: str, refusal: Refusal, trace_id: str) -> dict:
    """The body of a refused ``operation``: its usual fields, emptied, plus ``base_resp``."""
    if operation == "voice_clone":
        body = {"input_sensitive": False, "input_sensitive_type": 0, "demo_audio": ""}
    elif operation == "t2a":
        body = {"data": None, "trace_id": trace_id}
    else:
        body = {}
    body["base_resp"] = base_resp(refusal.code, str(refusal))
    return body


@dataclass
class StoredFile:
    """An uploaded file. ``duration_s`` and ``format`` are set for audio purposes only."""

    file_id: int
    purpose: str
    filename: str
    bytes: int
    created_at: int
    duration_s: Optional[float]
    format: Optional[str]
    # The field ``bytes`` above hides the builtin inside this class body.
    data: builtins.bytes = field(repr=False)

    def describe(self) -> dict:
        return {
            "file_id": self.file_id,
            "bytes": self.bytes,
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
        }


@dataclass
class Voice:
    """A cloned voice. ``options`` holds the optional clone fields as sent (flags, language...)."""

    voice_id: str
    file_id: int
    created: float
    model: Optional[str]
    activated: bool = False
    deleted: bool = False
    prompt_file_id: Optional[int] = None
    options: Dict[str, Any] = field(default_factory=dict)


class AudioStore:
    """Generated audio served at ``/sandbox/audio/<name>``: in memory, or as files in ``directory``."""

    def __init__(self, directory=None):
        self.directory = Path(directory) if directory is not None else None
        self._lock = threading.Lock()
        #: name -> (content_type, the data in memory or the file holding it)
        self._items: Dict[str, Tuple[str, Union[bytes, Path]]] = {}

    def put(self, name: str, data: bytes, content_type: str) -> None:
        stored: Union[bytes, Path] = data
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stored = self.directory / name
            stored.write_bytes(data)
        with self._lock:
            self._items[name] = (content_type, stored)

    def names(self) -> List[str]:
        """The names served so far, oldest first."""
        with self._lock:
            return list(self._items)

    def get(self, name: str) -> Optional[Tuple[str, bytes]]:
        """``(content_type, data)`` of a stored name, or None."""
        with self._lock:
            item = self._items.get(name)
        if item is None:
            return None
        content_type, stored = item
        if isinstance(stored, Path):
            try:
                return content_type, stored.read_bytes()
            except OSError:
                return None
        return content_type, stored


class State:
    """One account's files and voices. All operations are safe to call from several threads."""

    def __init__(self, *, clock: Callable[[], float] = time.time, audio_dir=None):
        self.clock = clock
        self.files: Dict[int, StoredFile] = {}
        self.voices: Dict[str, Voice] = {}
        self.audio = AudioStore(audio_dir)
        #: Each speech as it was spoken: the text after ``pronunciation_dict`` and the voice settings.
        self.spoken: List[Dict[str, Any]] = []
        self._lock = threading.RLock()
        self._serial = 0

    # -- files -------------------------------------------------------------------------------

    def upload_file(self, form: Dict[str, Union[str, UploadedFile]], ctx: Context) -> dict:
        """``POST /v1/files/upload``: ``form`` maps field names to text or an UploadedFile."""
        purpose = form.get("purpose")
        if purpose not in spec.UPLOAD_PURPOSES:
            raise Refusal(2013, f"purpose {purpose!r} must be one of {', '.join(spec.UPLOAD_PURPOSES)}")
        upload = form.get("file")
        if not isinstance(upload, UploadedFile):
            raise Refusal(2013, "missing file")
        fmt: Optional[str] = None
        seconds: Optional[float] = None
        if purpose in spec.AUDIO_PURPOSES:
            if len(upload.data) > spec.AUDIO_UPLOAD_MAX_BYTES:
                raise Refusal(2013, f"file size {len(upload.data)} bytes exceeds {spec.AUDIO_UPLOAD_MAX_BYTES} bytes")
            fmt, seconds = _audio_facts(upload.data)
        with self._lock:
            file_id = self._new_file_id()
            stored = StoredFile(
                file_id, purpose, upload.filename, len(upload.data), int(self.clock()), seconds, fmt, upload.data
            )
            self.files[file_id] = stored
        return {"file": stored.describe()}

    def list_files(self, query: dict, ctx: Context) -> dict:
        """``GET /v1/files/list?purpose=...``."""
        purpose = query.get("purpose")
        if purpose not in spec.UPLOAD_PURPOSES:
            raise Refusal(2013, f"purpose {purpose!r} must be one of {', '.join(spec.UPLOAD_PURPOSES)}")
        with self._lock:
            found = [f.describe() for f in self.files.values() if f.purpose == purpose]
        return {"files": found}

    def delete_file(self, body: dict, ctx: Context) -> dict:
        """``POST /v1/files/delete`` with ``{file_id, purpose}``."""
        file_id, purpose = body.get("file_id"), body.get("purpose")
        if not _is_int(file_id):
            raise Refusal(2013, "file_id must be an integer")
        if purpose not in spec.DELETE_PURPOSES:
            raise Refusal(2013, f"purpose {purpose!r} must be one of {', '.join(spec.DELETE_PURPOSES)}")
        with self._lock:
            stored = self.files.get(file_id)
            if stored is None or stored.purpose != purpose:
                raise Refusal(20132, f"no {purpose} file with file_id {file_id}")
            del self.files[file_id]
        return {"file_id": file_id}

    # -- voices ------------------------------------------------------------------------------

    def voice_clone(self, body: dict, ctx: Context) -> dict:
        """``POST /v1/voice_clone``: create the voice; preview it when ``text`` is sent."""
        with self._lock:
            sample = self._file(body.get("file_id"), "voice_clone", "file_id")
            seconds = _audio_duration(sample)
            if not (spec.CLONE_MIN_S - DURATION_TOLERANCE_S <= seconds <= spec.CLONE_MAX_S + DURATION_TOLERANCE_S):
                raise Refusal(
                    2037,
                    f"the sample is {seconds:.2f} s, it must be {spec.CLONE_MIN_S:g} to {spec.CLONE_MAX_S:g} s",
                )
            voice_id = _voice_id(body.get("voice_id"))
            if voice_id in self.voices:
                raise Refusal(2039, voice_id)
            prompt_file_id = self._prompt_file_id(body.get("clone_prompt"))
            text = _optional_text(body.get("text"), "text", spec.PREVIEW_TEXT_MAX)
            model = body.get("model")
            if model is not None:
                _check_model(model)
            options = _clone_options(body)
            self.voices[voice_id] = Voice(
                voice_id, sample.file_id, self.clock(), model, prompt_file_id=prompt_file_id, options=options
            )
            serial = self._next_serial()
        reply = {"input_sensitive": False, "input_sensitive_type": 0, "demo_audio": ""}
        if text:
            samples = audio.speech(
                text, voice_id, PREVIEW_RATE, shortest=PREVIEW_SECONDS[0], longest=PREVIEW_SECONDS[1]
            )
            mp3 = _encode(samples, PREVIEW_RATE, "mp3", 1, ctx)
            reply["extra_info"] = _extra_info(text, samples, PREVIEW_RATE, mp3, 128000)
            if model is not None:
                reply["demo_audio"] = self._publish(
                    ctx, f"sandbox-synthetic-preview-{voice_id}-{serial}.mp3", mp3, "mp3"
                )
        return reply

    def t2a(self, body: dict, ctx: Context) -> dict:
        """``POST /v1/t2a_v2`` (non-streaming); the first use of a clone activates it."""
        if body.get("stream"):
            raise Refusal(2013, "streaming not supported by the sandbox")
        model = body.get("model")
        if model is None:
            raise Refusal(2013, "model is required")
        _check_model(model)
        text = body.get("text")
        if not _is_text(text) or len(text) > spec.SPEECH_TEXT_MAX:
            raise Refusal(2013, f"text must be 1 to {spec.SPEECH_TEXT_MAX} characters")
        voice_setting = _dict_field(body, "voice_setting")
        voice_id = voice_setting.get("voice_id")
        if not isinstance(voice_id, str) or not voice_id:
            raise Refusal(2013, "voice_setting.voice_id is required")
        style = _voice_style(voice_setting, model)
        text = _pronounced(text, _dict_field(body, "pronunciation_dict"))
        fmt, rate, channels, bitrate = _audio_setting(_dict_field(body, "audio_setting"))
        output = body.get("output_format", "hex")
        if output not in spec.OUTPUT_FORMATS:
            raise Refusal(2013, f"output_format {output!r} must be one of {', '.join(spec.OUTPUT_FORMATS)}")
        _check_language(body.get("language_boost"))
        with self._lock:
            if voice_id not in SYSTEM_VOICES:
                voice = self._live_voice(voice_id)
                if voice is None:
                    raise Refusal(20132, f"no voice {voice_id}")
                voice.activated = True
            serial = self._next_serial()
        samples = audio.speech(text, voice_id, rate, shortest=SPEECH_SECONDS[0], longest=SPEECH_SECONDS[1], **style)
        with self._lock:
            self.spoken.append({"voice_id": voice_id, "text": text, **style})
        data = _encode(samples, rate, fmt, channels, ctx)
        if output == "url":
            sound = self._publish(ctx, f"sandbox-synthetic-speech-{voice_id}-{serial}.{fmt}", data, fmt)
        else:
            sound = data.hex()
        extra = _extra_info(text, samples, rate, data, bitrate)
        extra.update(invisible_character_ratio=0, audio_format=fmt, audio_channel=channels)
        reply: Dict[str, Any] = {"audio": sound, "status": 2}
        if body.get("subtitle_enable"):
            timings = _sentence_timings(text, len(samples) / rate)
            name = f"sandbox-subtitles-{voice_id}-{serial}.json"
            self.audio.put(name, json.dumps(timings).encode("utf-8"), "application/json")
            reply["subtitle_file"] = f"{ctx.base_url}/sandbox/audio/{name}"
        return {"data": reply, "extra_info": extra, "trace_id": ctx.trace_id}

    def get_voice(self, body: dict, ctx: Context) -> dict:
        """``POST /v1/get_voice``: clones are listed only once activated, as on the real API."""
        voice_type = body.get("voice_type")
        if voice_type not in spec.VOICE_TYPES:
            raise Refusal(2013, f"voice_type {voice_type!r} must be one of {', '.join(spec.VOICE_TYPES)}")
        reply = {}
        if voice_type in ("system", "all"):
            reply["system_voice"] = [
                {
                    "voice_id": voice_id,
                    "voice_name": name,
                    "description": list(description),
                    "created_time": "1970-01-01",
                }
                for voice_id, (name, description) in SYSTEM_VOICES.items()
            ]
        if voice_type in ("voice_cloning", "all"):
            with self._lock:
                reply["voice_cloning"] = [
                    {
                        "voice_id": v.voice_id,
                        "description": [],
                        "created_time": time.strftime("%Y-%m-%d", time.gmtime(v.created)),
                    }
                    for v in self.voices.values()
                    if v.activated and not v.deleted
                ]
        if voice_type in ("voice_generation", "all"):
            reply["voice_generation"] = []
        return reply

    def delete_voice(self, body: dict, ctx: Context) -> dict:
        """``POST /v1/delete_voice``: the voice_id is burned for good."""
        voice_type, voice_id = body.get("voice_type"), body.get("voice_id")
        if voice_type not in spec.DELETABLE_VOICE_TYPES:
            raise Refusal(2013, f"voice_type {voice_type!r} must be one of {', '.join(spec.DELETABLE_VOICE_TYPES)}")
        if not isinstance(voice_id, str) or not voice_id:
            raise Refusal(2013, "voice_id is required")
        with self._lock:
            voice = self._live_voice(voice_id) if voice_type == "voice_cloning" else None
            if voice is None:
                raise Refusal(20132, f"no voice {voice_id}")
            voice.deleted = True
        return {"voice_id": voice_id, "created_time": str(int(voice.created))}

    # -- helpers -----------------------------------------------------------------------------

    def _live_voice(self, voice_id: str) -> Optional[Voice]:
        """The clone if it still exists: not deleted and, unless activated, younger than its lifetime."""
        voice = self.voices.get(voice_id)
        if voice is None or voice.deleted:
            return None
        if not voice.activated and self.clock() - voice.created >= spec.VOICE_LIFETIME_S:
            return None
        return voice

    def _file(self, file_id, purpose: str, name: str) -> StoredFile:
        if not _is_int(file_id):
            raise Refusal(2013, f"{name} must be an integer")
        stored = self.files.get(file_id)
        if stored is None or stored.purpose != purpose:
            raise Refusal(20132, f"no {purpose} file with file_id {file_id}")
        return stored

    def _prompt_file_id(self, prompt) -> Optional[int]:
        if prompt is None:
            return None
        if not isinstance(prompt, dict) or "prompt_audio" not in prompt or not _is_text(prompt.get("prompt_text")):
            raise Refusal(2013, "clone_prompt needs both prompt_audio and prompt_text")
        stored = self._file(prompt["prompt_audio"], "prompt_audio", "clone_prompt.prompt_audio")
        seconds = _audio_duration(stored)
        if seconds >= spec.PROMPT_MAX_S:
            raise Refusal(2048, f"{seconds:.2f} s, it must be under {spec.PROMPT_MAX_S:g} s")
        return stored.file_id

    def _publish(self, ctx: Context, name: str, data: bytes, fmt: str) -> str:
        self.audio.put(name, data, MIME_TYPES.get(fmt, "application/octet-stream"))
        return f"{ctx.base_url}/sandbox/audio/{name}"

    def _new_file_id(self) -> int:
        while True:
            file_id = 10**14 + secrets.randbelow(9 * 10**14)
            if file_id not in self.files:
                return file_id

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial


def _audio_duration(stored: StoredFile) -> float:
    """The length of a file uploaded for an audio purpose, which the upload always measured."""
    if stored.duration_s is None:
        raise RuntimeError(f"file {stored.file_id} ({stored.purpose}) was stored without a duration")
    return stored.duration_s


def _audio_facts(data: bytes) -> Tuple[str, float]:
    fmt = sniff(data[:12])
    if fmt not in spec.CLONE_FORMATS:
        raise Refusal(2013, f"invalid file format, the file must be {', '.join(spec.CLONE_FORMATS)} audio")
    try:
        return fmt, audio.duration_s(data, fmt)
    except ValueError as exc:
        raise Refusal(2013, f"invalid file format, {exc}") from exc


def _voice_id(voice_id) -> str:
    if not isinstance(voice_id, str) or not spec.VOICE_ID.fullmatch(voice_id):
        raise Refusal(2013, f"voice_id {voice_id!r} must be {spec.VOICE_ID_RULE}")
    return voice_id


def _clone_options(body: dict) -> dict:
    """The optional clone fields, checked; returned as sent."""
    for name in spec.CLONE_FLAGS:
        if name in body and not isinstance(body[name], bool):
            raise Refusal(2013, f"{name} must be true or false")
    _check_language(body.get("language_boost"))
    accuracy = body.get("accuracy")
    low, high = spec.ACCURACY_RANGE
    if accuracy is not None and (
        not isinstance(accuracy, (int, float)) or isinstance(accuracy, bool) or not low <= accuracy <= high
    ):
        raise Refusal(2013, f"accuracy must be a number from {low:g} to {high:g}")
    _optional_text(body.get("text_validation"), "text_validation", spec.TEXT_VALIDATION_MAX)
    names = spec.CLONE_FLAGS + ("language_boost", "accuracy", "text_validation", "clone_prompt")
    return {name: body[name] for name in names if name in body}


def _audio_setting(setting: dict) -> Tuple[str, int, int, int]:
    fmt = setting.get("format", "mp3")
    rate = setting.get("sample_rate", 32000)
    channels = setting.get("channel", 1)
    bitrate = setting.get("bitrate", 128000)
    if fmt not in spec.SPEECH_FORMATS:
        raise Refusal(2013, f"audio_setting.format {fmt!r} must be one of {', '.join(spec.SPEECH_FORMATS)}")
    for name, value, allowed in (
        ("sample_rate", rate, spec.SPEECH_RATES),
        ("channel", channels, spec.SPEECH_CHANNELS),
        ("bitrate", bitrate, spec.SPEECH_BITRATES),
    ):
        if not _is_int(value) or value not in allowed:
            raise Refusal(2013, f"audio_setting.{name} {value!r} must be one of {', '.join(map(str, allowed))}")
    return fmt, rate, channels, bitrate


def _extra_info(text: str, samples, rate: int, data: bytes, bitrate: int) -> dict:
    return {
        "audio_length": int(round(1000 * len(samples) / rate)),
        "audio_sample_rate": rate,
        "audio_size": len(data),
        "bitrate": bitrate,
        "word_count": len(text.split()),
        "usage_characters": len(text),
    }


def _check_model(model) -> None:
    if model not in spec.MODELS:
        raise Refusal(2013, f"model {model!r} must be one of {', '.join(spec.MODELS)}")


def _check_language(language) -> None:
    if language is not None and language not in spec.LANGUAGES:
        raise Refusal(2013, f"language_boost {language!r} is not supported")


def _optional_text(value, name: str, limit: int) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Refusal(2013, f"{name} must be text of at most {limit} characters")
    return value


def _voice_style(voice_setting: dict, model: str) -> Dict[str, Any]:
    """``voice_setting``'s speed, vol, pitch and emotion, checked as the T2A page sets them."""
    style: Dict[str, Any] = {}
    speed, vol, pitch, emotion = (voice_setting.get(k) for k in ("speed", "vol", "pitch", "emotion"))
    if speed is not None:
        low, high = spec.SPEED_RANGE
        if not _is_number(speed) or not low <= speed <= high:
            raise Refusal(2013, f"voice_setting.speed must be a number from {low} to {high}")
        style["speed"] = float(speed)
    if vol is not None:
        if not _is_number(vol) or not 0 < vol <= spec.VOL_MAX:
            raise Refusal(2013, f"voice_setting.vol must be a number above 0 and at most {spec.VOL_MAX}")
        style["vol"] = float(vol)
    if pitch is not None:
        low_pitch, high_pitch = spec.PITCH_RANGE
        if not _is_int(pitch) or not low_pitch <= pitch <= high_pitch:
            raise Refusal(2013, f"voice_setting.pitch must be an integer from {low_pitch} to {high_pitch}")
        style["pitch"] = pitch
    if emotion is not None:
        if emotion not in spec.EMOTIONS:
            raise Refusal(2013, f"voice_setting.emotion must be one of {', '.join(spec.EMOTIONS)}")
        if emotion in spec.EMOTIONS_26_ONLY and not model.startswith("speech-2.6"):
            raise Refusal(2013, f"emotion {emotion} is supported only by the speech-2.6 models")
        style["emotion"] = emotion
    return style


def _pronounced(text: str, pronunciation: dict) -> str:
    """``text`` with each ``word/replacement`` of ``pronunciation_dict.tone`` applied to whole words."""
    entries = pronunciation.get("tone", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) and "/" in e for e in entries):
        raise Refusal(2013, "pronunciation_dict.tone must be a list of 'word/replacement' strings")
    for entry in entries:
        word, _, said = entry.partition("/")
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", said.replace("\\", "\\\\"), text)
    return text


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dict_field(body: dict, name: str) -> dict:
    value = body.get(name, {})
    if not isinstance(value, dict):
        raise Refusal(2013, f"{name} must be an object")
    return value


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _sentence_timings(text: str, seconds: float) -> List[Dict[str, Any]]:
    """The subtitle file's sentences: each one's text, its place in ``text`` and its time in ms,
    the speech's length shared by characters (the shape the sandbox hands out for
    ``subtitle_enable``; MiniMax's own file is not documented beyond its URL, reference §6.2)."""
    sentences = [part for part in re.findall(r"[^.!?]+[.!?]*\s*", text) if part.strip()] or [text]
    total = sum(len(part) for part in sentences)
    timings, at, begin = [], 0, 0.0
    for part in sentences:
        end = begin + seconds * 1000 * len(part) / total
        timings.append(
            {
                "text": part.strip(),
                "text_begin": at,
                "text_end": at + len(part.rstrip()),
                "time_begin": round(begin, 1),
                "time_end": round(end, 1),
            }
        )
        at, begin = at + len(part), end
    return timings
