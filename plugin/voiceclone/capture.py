"""A capture plan: which stretches of which audio files make up what a track plays over a region,
and rendering that plan into one WAV.

A DAW host gathers the plan on its UI thread, which costs it nothing but a few property reads; the
background job renders it with soundfile, so the DAW never reads samples. The plan itself needs only
the standard library (the host side runs inside the DAW's Python); numpy, soundfile and soxr are
imported by :func:`render`. Units: seconds, Hz; gains are linear.
"""

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional, Tuple

from . import rules
from .errors import AudioError

#: REAPER's take channel modes (I_CHANMODE) that a plan can reproduce.
CHANNEL_MODES = {0: "normal", 1: "reverse stereo", 2: "mono downmix", 3: "left channel", 4: "right channel"}


@dataclass(frozen=True)
class Segment:
    """One stretch of one source file as it plays in the captured region."""

    source: str  # the audio file
    source_start_s: float  # where in the file it starts (file time, before the playrate)
    position_s: float  # where it starts, seconds from the region's start
    length_s: float  # how long it plays on the timeline
    playrate: float = 1.0  # 2.0 plays twice as fast (and an octave up, as without pitch preservation)
    gain: float = 1.0  # item volume x take volume
    channel_mode: int = 0  # see CHANNEL_MODES


@dataclass(frozen=True)
class CapturePlan:
    """What a host captured: the region's length, its segments, and where it came from."""

    length_s: float
    segments: Tuple[Segment, ...]
    description: str

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "CapturePlan":
        return cls(
            length_s=float(data["length_s"]),
            segments=tuple(Segment(**s) for s in data["segments"]),
            description=str(data["description"]),
        )


def render(plan: CapturePlan, out: Path, *, max_s: Optional[float] = rules.CLONE_MAX_S) -> Path:
    """Mix ``plan`` into a 16-bit WAV at ``out`` (at most ``max_s``: the 5 minutes a clone uses, or
    all of it for None); return ``out``.

    Segments are summed (overlaps add, as on a track), silence fills the gaps; the rate is the
    highest among the sources.
    """
    import numpy as np
    import soundfile as sf

    if not plan.segments:
        raise AudioError(
            "the selection holds no audio to capture", fix="Select items with audio, or a time selection over them."
        )
    infos = {source: _info(source) for source in {s.source for s in plan.segments}}
    rate = max(info.samplerate for info in infos.values())
    channels = 2 if any(infos[s.source].channels > 1 and s.channel_mode in (0, 1) for s in plan.segments) else 1
    frames = int(round((plan.length_s if max_s is None else min(plan.length_s, max_s)) * rate))
    mix = np.zeros((frames, channels), np.float32)
    for segment in plan.segments:
        start = int(round(segment.position_s * rate))
        if start >= frames:
            continue
        audio = _segment_audio(segment, infos[segment.source].samplerate, rate, channels)
        count = min(len(audio), frames - start, int(round(segment.length_s * rate)))
        mix[start : start + count] += audio[:count] * np.float32(segment.gain)
    out.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(out), np.clip(mix, -1.0, 1.0), rate, subtype="PCM_16", format="WAV")
    return out


def _info(path: str):
    import soundfile as sf

    try:
        return sf.info(path)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise AudioError(
            f"cannot read the take's source file {path}",
            fix="Check the file exists, or glue the item so REAPER writes a new file.",
        ) from exc


def _segment_audio(segment: Segment, source_rate: int, rate: int, channels: int):
    """The segment's samples at ``rate`` with ``channels`` channels, float32 ``(frames, channels)``."""
    import numpy as np
    import soxr

    from .audio import read_frames

    first = int(round(segment.source_start_s * source_rate))
    count = int(math.ceil(segment.length_s * segment.playrate * source_rate)) + 1
    lead = max(0, -first)  # a take that starts before its file begins plays silence first
    data = read_frames(Path(segment.source), max(first, 0), max(0, count - lead))
    data = np.concatenate([np.zeros((lead, data.shape[1]), np.float32), data])
    data = _apply_channel_mode(data, segment.channel_mode, channels)
    played_rate = source_rate * segment.playrate
    if abs(played_rate - rate) > 1e-6 and len(data):
        data = soxr.resample(data, played_rate, rate).reshape(-1, channels)
    return data


def _apply_channel_mode(data, mode: int, channels: int):
    import numpy as np

    left, right = data[:, :1], data[:, 1:2] if data.shape[1] > 1 else data[:, :1]
    if mode == 1:
        picked = np.concatenate([right, left], axis=1)
    elif mode == 2:
        picked = data.mean(axis=1, keepdims=True)
    elif mode == 3:
        picked = left
    elif mode == 4:
        picked = right
    else:
        picked = data[:, :2]
    if picked.shape[1] == channels:
        return np.ascontiguousarray(picked)
    if channels == 1:
        return picked.mean(axis=1, keepdims=True)
    return np.repeat(picked, 2, axis=1)
