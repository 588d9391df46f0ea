"""The pre-flight level check of a sample: level, clipping, noise floor and silence.

A :class:`LevelMeter` is fed the decoded audio block by block during the single pass over the file
(see :func:`voiceclone.audio.prepare`) and turns it into a :class:`Report`: facts, and problems
that make the sample unusable (digital silence, NaN or Inf samples, too little sound). The sample
doctor (:mod:`.sample_doctor`), fed in the same pass, adds its checks and their warnings.
Standard library and numpy only: a recording meter uses it too.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional

import numpy as np

from .errors import AudioError
from .percentiles import percentile

if TYPE_CHECKING:
    from .sample_doctor import Check

WINDOW_S = 0.02  # level windows of 20 ms
CLIP_LEVEL = 0.999  # |sample| at or above this counts as clipped
SILENCE_DBFS = -60.0  # a window below this is silence
QUIET_PEAK_DBFS = -30.0  # a recording meter's "too quiet"
#: Sound above the noise floor a clone sample needs. Measured with the 20 ms windows here: espeak-ng
#: speech, 18-20 s takes, clean or with room noise at -60/-45/-35 dBFS: 10.6-17.5 s; steady white noise
#: at -90 to -20 dBFS, +-1 LSB dither and a 1 kHz tone: 0.0 s; 2 s of speech in 18 s of near silence: 1.8 s.
MIN_SOUND_S = 3.0


def dbfs(value: float) -> float:
    """Amplitude (1.0 = full scale) in dBFS; -inf for 0."""
    return float(20 * np.log10(value)) if value > 0 else float("-inf")


@dataclass(frozen=True)
class Report:
    """What the pre-flight check found. Levels in dBFS, times in seconds."""

    duration_s: float
    peak_dbfs: float
    rms_dbfs: float
    noise_floor_dbfs: float
    speech_level_dbfs: float
    clipped_samples: int
    active_s: float
    nonfinite: bool
    warnings: List[str] = field(default_factory=list)
    #: The sample doctor's checks (:mod:`.sample_doctor`), each ok or with its fix.
    checks: List["Check"] = field(default_factory=list)

    def problem(self, *, clone: bool = True) -> Optional[AudioError]:
        """The reason the sample cannot be used, or None. A ``clone`` sample also needs
        :data:`MIN_SOUND_S` of sound above its noise floor (a prompt clip is shorter)."""
        if self.nonfinite:
            return AudioError(
                "the sample contains NaN or infinite sample values (a damaged float file)",
                fix="Re-export the audio from the DAW as 16- or 24-bit PCM WAV.",
            )
        if self.peak_dbfs == float("-inf"):
            return AudioError(
                "the sample is digital silence: every sample is zero",
                fix="Select a region where the voice is audible, or check the track is not muted.",
            )
        if clone and self.active_s < MIN_SOUND_S:
            return AudioError(
                f"only {self.active_s:.1f} s of the sample rises above its noise floor; a clone needs "
                f"at least {MIN_SOUND_S:g} s of speech (10 s or more is best)",
                fix="Select a region where the voice speaks, or check the track is not muted or turned far down.",
            )
        return None

    def as_dict(self) -> dict:
        def num(value: float) -> Optional[float]:
            return None if not np.isfinite(value) else round(value, 2)

        return {
            "duration_s": round(self.duration_s, 3),
            "peak_dbfs": num(self.peak_dbfs),
            "rms_dbfs": num(self.rms_dbfs),
            "noise_floor_dbfs": num(self.noise_floor_dbfs),
            "speech_level_dbfs": num(self.speech_level_dbfs),
            "clipped_samples": self.clipped_samples,
            "active_s": round(self.active_s, 2),
            "nonfinite": self.nonfinite,
            "warnings": list(self.warnings),
            "checks": [check.as_dict() for check in self.checks],
        }


def mono_mix(block: np.ndarray) -> np.ndarray:
    """The mean of a float32 ``(frames, channels)`` block's channels, added column by column: a
    matrix product would wake BLAS threads that keep a second core busy through the whole pass."""
    if block.shape[1] == 1:
        return block[:, 0]
    mono = block[:, 0] + block[:, 1]
    for channel in range(2, block.shape[1]):
        mono += block[:, channel]
    mono *= np.float32(1.0 / block.shape[1])
    return mono


class LevelMeter:
    """Accumulates level statistics over blocks of one take.

    ``feed`` takes the block as float32 ``(num_frames, num_channels)`` and its mono mix ``(num_frames,)``.
    Blocks must hold a whole number of windows, except the last.
    """

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self.window = max(1, int(round(WINDOW_S * sample_rate)))
        self._energies: List[np.ndarray] = []
        self._peak = 0.0
        self._clipped = 0
        self._frames = 0

    def feed(self, block: np.ndarray, mono: np.ndarray) -> None:
        peak = float(max(block.max(initial=0.0), -block.min(initial=0.0)))
        if peak >= CLIP_LEVEL:
            self._clipped += int(np.count_nonzero(np.abs(block) >= CLIP_LEVEL))
        self._peak = max(self._peak, peak) if np.isfinite(peak) else float("inf")
        whole = len(mono) // self.window * self.window
        windows = mono[:whole].reshape(-1, self.window)
        # summed in float32 (a quarter of the time of float64, off by a millionth of a dB), except
        # for samples so large that their squares would overflow it
        wide = None if peak < 1e15 else np.float64  # NaN and infinity too
        energies = np.einsum("ij,ij->i", windows, windows, dtype=wide)
        self._energies.append(energies.astype(np.float64) / self.window)
        if whole < len(mono):
            tail = mono[whole:].astype(np.float64)
            self._energies.append(np.array([np.einsum("i,i->", tail, tail) / len(tail)]))
        self._frames += len(mono)

    def report(self) -> Report:
        energies = np.concatenate(self._energies) if self._energies else np.zeros(1)
        nonfinite = not bool(np.isfinite(energies).all()) or not np.isfinite(self._peak)
        duration_s = self._frames / self.sample_rate
        if nonfinite:
            nan = float("nan")
            return Report(duration_s, nan, nan, nan, nan, self._clipped, 0.0, True)
        levels = 10 * np.log10(np.maximum(energies, 1e-20))
        rms = dbfs(float(np.sqrt(energies.mean())))
        floor, speech = percentile(levels, 10), percentile(levels, 90)
        active_s = float(np.count_nonzero(levels > max(SILENCE_DBFS, floor + 6.0))) * self.window / self.sample_rate
        report = Report(duration_s, dbfs(self._peak), rms, floor, speech, self._clipped, active_s, False)
        report.warnings.extend(self._warnings(report))
        return report

    def _warnings(self, r: Report) -> List[str]:
        """What the level alone says; the sample doctor says the rest (clipping, loudness, noise...)."""
        if r.peak_dbfs == float("-inf") or r.active_s >= 10.0:
            return []
        return [
            f"only {r.active_s:.1f} s of the sample has sound above the noise; the clone works "
            "best with 10 s or more of speech"
        ]
