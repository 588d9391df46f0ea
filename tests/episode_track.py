"""A constructed episode track with everything an editor's host track holds, at known places: the
host's speech (espeak-ng) in a room, a music bed alone and under speech, a 1 kHz tone, clipped
speech, silence, a guest's different voice and a phone insert. Shared by the picker's tests and
its benchmark; the truth is the list of :class:`Part`."""

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import butter, sosfilt

RATE = 48000
ROOM_DBFS = -58.0
HOST_VOICE, GUEST_VOICE = "en-us", "en+f3"
WORDS = tuple(
    " ".join(
        [
            "today we talk about the show and the people who make it every week in small rooms with good microphones",
            "editing takes time but the story matters more than the gear so we keep recording and we keep listening",
            "our guest built a studio in a closet and learned how to tame the echo with blankets and patience",
            "the best advice is to speak close to the microphone and to leave a little room before every sentence",
        ]
    ).split(" ")
)


@dataclass(frozen=True)
class Part:
    """One stretch of the track: ``kind`` is host (clean), host_over_music, music, tone, clipped,
    silence, guest or phone."""

    kind: str
    start_s: float
    end_s: float


#: The 20-minute plan, in order: (kind, seconds). Clean host speech is 660 s of it.
PLAN: Tuple[Tuple[str, float], ...] = (
    ("music", 40),
    ("host_over_music", 50),
    ("host", 150),
    ("guest", 60),
    ("host", 120),
    ("tone", 30),
    ("host", 90),
    ("clipped", 60),
    ("silence", 30),
    ("host", 150),
    ("phone", 60),
    ("guest", 60),
    ("host", 150),
    ("music", 60),
    ("silence", 20),
    ("guest", 60),
)


def episode_track(path: Path, *, minutes: float = 20.0, seed: int = 11) -> List[Part]:
    """Write the track (48 kHz mono 16-bit WAV) at ``path``; the plan repeats to fill ``minutes``.
    Returns where each part lies."""
    rng = np.random.default_rng(seed)
    total = int(minutes * 60 * RATE)
    parts: List[Part] = []
    speech = _Speech(path.parent, rng)
    with sf.SoundFile(str(path), "w", RATE, 1, "PCM_16", format="WAV") as out:
        written = 0
        while written < total:
            for kind, seconds in PLAN:
                frames = min(int(seconds * RATE), total - written)
                if frames <= 0:
                    break
                body = _part(kind, frames, speech, rng)
                body += _room(frames, rng)
                out.write(np.clip(body, -1.0, 1.0).astype(np.float32))
                parts.append(Part(kind, written / RATE, (written + frames) / RATE))
                written += frames
    return parts


def _part(kind: str, frames: int, speech: "_Speech", rng) -> np.ndarray:
    if kind == "host":
        return speech.say(HOST_VOICE, frames)
    if kind == "guest":
        return speech.say(GUEST_VOICE, frames)
    if kind == "music":
        return _music(frames, rng)
    if kind == "host_over_music":
        return speech.say(HOST_VOICE, frames) + 0.6 * _music(frames, rng)
    if kind == "tone":
        t = np.arange(frames) / RATE
        return 10 ** (-12 / 20) * np.sin(2 * np.pi * 1000 * t)
    if kind == "clipped":
        return np.clip(speech.say(HOST_VOICE, frames) * 6.0, -1.0, 1.0)
    if kind == "phone":
        telephone = butter(6, [300, 3400], btype="bandpass", fs=RATE, output="sos")
        return 1.6 * sosfilt(telephone, speech.say(HOST_VOICE, frames))
    return np.zeros(frames)


def _room(frames: int, rng) -> np.ndarray:
    noise = np.convolve(rng.normal(0, 1, frames + 7), np.ones(8) / 8, "valid")[:frames]
    return noise * 10 ** (ROOM_DBFS / 20) / np.sqrt(np.mean(noise**2))


def _music(frames: int, rng) -> np.ndarray:
    """A bed: chords of rich tones changing every half second, a kick and hi-hats on the beat."""
    t = np.arange(frames) / RATE
    progression = ((220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6), (164.8, 207.7, 246.9))
    bed = np.zeros(frames)
    beat = RATE // 2
    for first in range(0, frames, beat):
        span = slice(first, min(first + beat, frames))
        chord = progression[(first // beat) % len(progression)]
        local = t[span]
        for note in chord:
            for harmonic in range(1, 7):
                bed[span] += np.sin(2 * np.pi * note * harmonic * local) / harmonic**1.5
        hit = np.arange(span.stop - span.start) / RATE
        bed[span] += 1.5 * np.sin(2 * np.pi * 55 * hit) * np.exp(-hit * 18)
        bed[span] += 0.4 * rng.normal(0, 1, len(hit)) * np.exp(-hit * 60)
    return bed * 10 ** (-18 / 20) / np.sqrt(np.mean(bed**2))


class _Speech:
    """espeak-ng paragraphs in a voice, cut to length (a pause between paragraphs)."""

    def __init__(self, folder: Path, rng):
        self._folder, self._rng = folder, rng
        self._left = {}

    def say(self, voice: str, frames: int) -> np.ndarray:
        held = self._left.get(voice, np.zeros(0))
        while len(held) < frames:
            held = np.concatenate([held, self._paragraph(voice), np.zeros(int(0.4 * RATE))])
        self._left[voice] = held[frames:]
        return held[:frames]

    def _paragraph(self, voice: str) -> np.ndarray:
        sentences = []
        for _ in range(8):
            words = self._rng.choice(WORDS, size=int(self._rng.integers(7, 14)))
            sentences.append(" ".join(words).capitalize() + ".")
        wav = self._folder / f"espeak-{voice.replace('+', '_')}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), " ".join(sentences)], check=True, timeout=120)
        samples, rate = sf.read(str(wav), dtype="float64")
        wav.unlink()
        return 0.5 * soxr.resample(samples, rate, RATE)


def clean_host_overlap(parts: List[Part], pieces: List[Tuple[float, float]]) -> Tuple[float, float]:
    """Seconds of ``pieces`` inside clean host speech, and their total."""
    inside = 0.0
    for start, end in pieces:
        for part in parts:
            if part.kind == "host":
                inside += max(0.0, min(end, part.end_s) - max(start, part.start_s))
    return inside, sum(end - start for start, end in pieces)
