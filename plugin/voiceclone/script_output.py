"""What a spoken script leaves besides its lines' files: the whole timeline as one WAV, and the
sentences as one SubRip file, each line at its place (its own start, or one after another)."""

from pathlib import Path
from typing import Iterable, List, Optional, Tuple

import numpy as np
import soundfile as sf

from . import audio
from .script_run import LineResult

#: The timeline's rate: MiniMax's default speech rate (reference §6.1).
TIMELINE_RATE = 32000


def placed(lines: List[LineResult], gap_s: float) -> List[Tuple[float, LineResult]]:
    """Where each line with audio starts: its own start, else after the line before and ``gap_s``."""
    at, places = 0.0, []
    for line in lines:
        if not line.path:
            continue
        start = line.start_s if line.start_s is not None else at
        places.append((start, line))
        at = start + (line.duration_s or 0.0) + gap_s
    return places


def write_timeline(lines: List[LineResult], folder: Path, out: Path, *, gap_s: float) -> Path:
    """Every spoken line at its place, mixed into one mono 16-bit WAV at ``out``."""
    return mix(((start, folder / str(line.path)) for start, line in placed(lines, gap_s)), out)


def mix(files: Iterable[Tuple[float, Path]], out: Path) -> Path:
    """The audio ``files`` at their starts (seconds) mixed into one mono 16-bit WAV at ``out``; only
    the files that overlap the one being added are held in memory."""
    pending = np.zeros(0, np.float32)  # the mix from ``written`` on, not yet written
    written = 0
    with sf.SoundFile(str(out), "w", TIMELINE_RATE, 1, "PCM_16", format="WAV") as writer:
        for start, path in sorted(files, key=lambda item: item[0]):
            samples = _mono_at_rate(path)
            begin = int(round(start * TIMELINE_RATE))
            if begin > written:
                flush = min(begin - written, len(pending))
                writer.write(np.clip(pending[:flush], -1.0, 1.0))
                writer.write(np.zeros(begin - written - flush, np.float32))
                pending, written = pending[flush:], begin
            offset = begin - written
            if offset + len(samples) > len(pending):
                pending = np.concatenate([pending, np.zeros(offset + len(samples) - len(pending), np.float32)])
            pending[offset : offset + len(samples)] += samples
        writer.write(np.clip(pending, -1.0, 1.0))
    return out


def _mono_at_rate(path: Path) -> np.ndarray:
    import soxr

    info = audio.probe(path)
    data = audio.read_frames(path, 0, info.num_frames).mean(axis=1)
    if info.sample_rate != TIMELINE_RATE:
        data = soxr.resample(data, info.sample_rate, TIMELINE_RATE)
    return data.astype(np.float32)


def write_srt(lines: List[LineResult], out: Path, *, gap_s: float) -> Optional[Path]:
    """The sentences of every line, at their place on the timeline, as SubRip; None without any."""
    cues = []
    for start, line in placed(lines, gap_s):
        for sentence in line.subtitles or []:
            cues.append((start + sentence["start_s"], start + sentence["end_s"], sentence["text"]))
    if not cues:
        return None
    blocks = [
        f"{number}\n{_srt_time(begin)} --> {_srt_time(end)}\n{text}\n"
        for number, (begin, end, text) in enumerate(sorted(cues), 1)
    ]
    out.write_text("\n".join(blocks), encoding="utf-8")
    return out


def _srt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d},{rest % 1000:03d}"
