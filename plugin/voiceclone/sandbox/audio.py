"""The sandbox's audio: measure an upload, and make and encode synthetic speech."""

from __future__ import annotations

import io
import zlib

import av
import numpy as np
import soundfile as sf

from ..synth import voice_like

#: Seconds of generated speech per character of text.
SECONDS_PER_CHAR = 0.065

_SF_FORMATS = {"mp3": "MP3", "wav": "WAV", "flac": "FLAC", "pcm": "RAW"}
_SF_SUBTYPES = {"mp3": "MPEG_LAYER_III", "wav": "PCM_16", "flac": "PCM_16", "pcm": "PCM_16"}


def duration_s(data: bytes, fmt: str) -> float:
    """Seconds of audio in ``data`` of format ``fmt``; raise ValueError if it does not decode."""
    try:
        seconds = _mp4_duration(data) if fmt == "m4a" else sf.info(io.BytesIO(data)).duration
    except (RuntimeError, av.error.FFmpegError) as exc:
        raise ValueError(f"cannot decode the {fmt} audio: {exc}") from exc
    if not seconds > 0:
        raise ValueError(f"the {fmt} file holds no audio")
    return float(seconds)


def _mp4_duration(data: bytes) -> float:
    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            raise ValueError("the MP4 file has no audio stream")
        stream = container.streams.audio[0]
        if stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        return (container.duration or 0) / av.time_base


#: The sandbox's own stand-in for emotion (the real model's effect is not documented): a shift of
#: the voice's pitch in semitones and a level, so a test can tell that an emotion was applied.
EMOTION_EFFECTS = {
    "happy": (2, 1.0),
    "surprised": (3, 1.0),
    "angry": (1, 1.2),
    "fearful": (1, 0.8),
    "disgusted": (-1, 1.0),
    "sad": (-2, 0.8),
    "calm": (-1, 0.9),
    "fluent": (0, 1.0),
    "whisper": (0, 0.3),
}


def speech(
    text: str,
    voice_id: str,
    sample_rate: int,
    *,
    shortest: float,
    longest: float,
    speed: float = 1.0,
    vol: float = 1.0,
    pitch: int = 0,
    emotion: str = "",
) -> np.ndarray:
    """Synthetic speech for ``text``: about 65 ms per character at ``speed`` 1 (``speed`` 2 takes half
    the time), within ``shortest``..``longest`` s; ``pitch`` semitones up or down; ``vol`` scales the
    level (clipped at full scale); ``emotion`` as :data:`EMOTION_EFFECTS` says.

    Pitch and "words" follow from ``voice_id`` alone, so one voice always sounds the same.
    """
    crc = zlib.crc32(voice_id.encode("utf-8"))
    seconds = min(max(SECONDS_PER_CHAR * len(text) / speed, shortest), longest)
    shift, level = EMOTION_EFFECTS.get(emotion, (0, 1.0))
    pitch_hz = (95.0 + crc % 140) * 2.0 ** ((pitch + shift) / 12.0)
    samples = voice_like(seconds, sample_rate, pitch_hz=pitch_hz, seed=crc) * np.float32(vol * level)
    return np.clip(samples, -1.0, 1.0).astype(np.float32)


def encode(samples: np.ndarray, sample_rate: int, fmt: str, channels: int = 1) -> bytes:
    """``samples`` (mono float) as a file of ``fmt`` (mp3, wav, flac, or headerless 16-bit pcm)."""
    if channels == 2:
        samples = np.column_stack([samples, samples])
    buffer = io.BytesIO()
    sf.write(buffer, samples, sample_rate, format=_SF_FORMATS[fmt], subtype=_SF_SUBTYPES[fmt])
    return buffer.getvalue()
