"""The picker: from a recording of any length (a whole episode track), the cleanest stretches of the
speaker's own speech, about :data:`.rules.PICK_TARGET_S` in all, as the sample to clone from.

One streaming pass measures every second (:mod:`.analysis`) and judges it (:mod:`.sample_doctor`);
the runs of clean seconds are ranked (cleaner and longer first), each trimmed by a second at both
ends (a second on a boundary may hold a little of what is next to it) and cut at its quietest
20 ms frame near each end; :func:`assemble` joins them with short equal-power crossfades in a
second, sequential read of the pieces alone.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import soundfile as sf

from . import audio, rules, sample_doctor
from .analysis import FRAMES_PER_S, Analyzer
from .errors import AudioError
from .events import Event, ignore_events
from .percentiles import median

#: The shortest piece worth a join, after its guard seconds are trimmed.
MIN_PIECE_S = 4.0
GUARD_S = 1
#: How far from a piece's edge the cut may move to fall between words.
CUT_REACH_S = 0.5
CROSSFADE_S = 0.03
BLOCK_S = 10


@dataclass(frozen=True)
class Piece:
    """A stretch of the source chosen for the sample, in the source's seconds, and why."""

    start_s: float
    end_s: float
    why: str

    def as_dict(self) -> dict:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "why": self.why}


@dataclass(frozen=True)
class Pick:
    """What the picker chose from a source, and what it left out (seconds per reason)."""

    pieces: Tuple[Piece, ...]
    duration_s: float
    clean_s: float
    skipped: Dict[str, int]
    checks: Tuple[sample_doctor.Check, ...]

    @property
    def total_s(self) -> float:
        return sum(piece.end_s - piece.start_s for piece in self.pieces)

    def as_dict(self) -> dict:
        return {
            "pieces": [piece.as_dict() for piece in self.pieces],
            "total_s": round(self.total_s, 3),
            "source_s": round(self.duration_s, 3),
            "clean_speech_s": self.clean_s,
            "skipped_s": dict(self.skipped),
            "checks": [check.as_dict() for check in self.checks],
        }

    def summary(self) -> str:
        left_out = ", ".join(f"{why} {seconds} s" for why, seconds in self.skipped.items()) or "nothing"
        return (
            f"picked {len(self.pieces)} pieces, {self.total_s:.0f} s of the speaker's clean speech "
            f"({self.clean_s} s found in {self.duration_s:.0f} s); left out: {left_out}"
        )


def pick(
    path: Path,
    *,
    target_s: float = rules.PICK_TARGET_S,
    start: Optional[float] = None,
    end: Optional[float] = None,
    on_event: Callable[[Event], None] = ignore_events,
) -> Pick:
    """Measure ``path`` (its ``start``..``end`` seconds) once and choose the pieces. Raises
    :class:`AudioError` when it holds less than 10 s of the speaker's clean speech."""
    target_s = rules.check_pick_length(target_s)
    info = audio.probe(path)
    first, last = rules.check_region(start, end, info.duration_s)
    analyzer = Analyzer(info.sample_rate, info.num_channels)
    begin, finish = int(first * info.sample_rate), int(last * info.sample_rate)
    done = 0
    for block in audio.blocks(info, begin, finish, BLOCK_S * info.sample_rate):
        analyzer.feed(block)
        done += len(block)
        on_event(Event("pick", "Listening for the cleanest speech", done, finish - begin))
    judged = sample_doctor.judge(analyzer.finish())
    pieces = choose(judged, target_s)
    found = Pick(
        tuple(Piece(first + p.start_s, first + p.end_s, p.why) for p in pieces),
        last - first,
        judged.clean_s,
        sample_doctor.skipped(judged),
        tuple(judged.checks),
    )
    if found.total_s < rules.CLONE_MIN_S:
        left_out = ", ".join(f"{why} {seconds} s" for why, seconds in found.skipped.items())
        raise AudioError(
            f"the picker found only {found.total_s:.0f} s of the speaker's clean speech in "
            f"{found.duration_s:.0f} s (pieces of {MIN_PIECE_S + 2 * GUARD_S:g} s or more in a row"
            + (f"; left out: {left_out})" if left_out else ")"),
            fix="Pick from a longer or cleaner stretch of the track, or clone this one as it is (without --pick).",
        )
    return found


def choose(judged: sample_doctor.Judged, target_s: float) -> List[Piece]:
    """The pieces, in time order: clean runs ranked by their speech's distance from the noise
    floor and their length, taken until about ``target_s``."""
    runs = []
    start = None
    for second, why in enumerate([*judged.reason, "end"]):
        if why is None and start is None:
            start = second
        elif why is not None and start is not None:
            first, last = start + GUARD_S, second - GUARD_S
            if last - first >= MIN_PIECE_S:
                runs.append((first, last))
            start = None
    snr = judged.snr_db

    def score(run: Tuple[int, int]) -> float:
        return median(snr[run[0] : run[1]]) + 6.0 * np.log2(run[1] - run[0])

    chosen: List[Tuple[float, float]] = []
    total = 0.0
    for first, last in sorted(runs, key=score, reverse=True):
        if total >= target_s - MIN_PIECE_S / 2:
            break
        last = min(last, first + int(np.ceil(target_s - total)))
        if last - first < MIN_PIECE_S:
            continue
        cut = _cuts(judged, first, last)
        chosen.append(cut)
        total += cut[1] - cut[0]
    chosen.sort()
    return [_described(judged, first, last) for first, last in chosen]


def _cuts(judged: sample_doctor.Judged, first: int, last: int) -> Tuple[float, float]:
    """The run ``first``..``last`` (seconds) cut at its quietest frame near each end, inside it."""
    levels = judged.measures.frame_db
    reach = int(CUT_REACH_S * FRAMES_PER_S)

    def quietest(lo: int, hi: int) -> float:
        span = levels[lo:hi]
        return (lo + int(np.argmin(span))) / FRAMES_PER_S if len(span) else lo / FRAMES_PER_S

    begin, end = first * FRAMES_PER_S, last * FRAMES_PER_S
    return quietest(begin, begin + reach), quietest(end - reach, end) + 1 / FRAMES_PER_S


def _described(judged: sample_doctor.Judged, first: float, last: float) -> Piece:
    seconds = slice(int(first), max(int(last), int(first) + 1))
    m = judged.measures
    f0 = m.f0_st[seconds]
    f0 = f0[np.isfinite(f0)]
    pitch = f", voice around {100 * 2 ** (median(f0) / 12):.0f} Hz" if len(f0) else ""
    return Piece(
        first,
        last,
        f"speech {median(judged.snr_db[seconds]):.0f} dB above the noise, "
        f"{float(np.mean(m.speech[seconds])):.0%} voice activity{pitch}",
    )


def assemble(path: Path, pieces: Tuple[Piece, ...], out: Path) -> Path:
    """Write the pieces of ``path``, joined with :data:`CROSSFADE_S` equal-power crossfades, as a
    16-bit WAV at ``out`` (the source's rate and channels), in one sequential read of the source
    from the first piece to the last; only a crossfade's worth of audio is held between blocks."""
    info = audio.probe(path)
    rate = info.sample_rate
    fade = int(CROSSFADE_S * rate)
    spans = [(int(p.start_s * rate), int(p.end_s * rate)) for p in sorted(pieces, key=lambda p: p.start_s)]
    rising = np.sin(np.linspace(0, np.pi / 2, fade)).astype(np.float32)[:, None]
    falling = rising[::-1]
    held = np.zeros((fade, info.num_channels), np.float32)  # the last piece's faded-out tail
    tail: List[np.ndarray] = []
    cursor = spans[0][0]
    with sf.SoundFile(str(out), "w", rate, info.num_channels, "PCM_16", format="WAV") as writer:
        for block in audio.blocks(info, spans[0][0], spans[-1][1], BLOCK_S * rate):
            block_start, cursor = cursor, cursor + len(block)
            for begin, end in spans:
                lo, hi = max(begin, block_start), min(end, cursor)
                if lo >= hi:
                    continue
                part, at = block[lo - block_start : hi - block_start].copy(), lo - begin  # at: frame in the piece
                if at < fade:
                    k = min(fade - at, len(part))
                    part[:k] = part[:k] * rising[at : at + k] + held[at : at + k]
                tail_from = max(end - begin - fade - at, 0)
                if tail_from < len(part):
                    into = at + tail_from - (end - begin - fade)
                    tail.append(part[tail_from:] * falling[into : into + len(part) - tail_from])
                    part = part[:tail_from]
                writer.write(part)
                if hi == end:
                    held, tail = np.concatenate(tail), []
        writer.write(held)
    return out
