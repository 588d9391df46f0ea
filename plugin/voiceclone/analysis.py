"""Second-by-second measurements of a recording of any length, in one streaming pass.

An :class:`Analyzer` is fed the decoded audio block by block and keeps, for every second, what the
sample doctor (:mod:`.sample_doctor`) and the picker (:mod:`.picker`) judge by: speech activity
(WebRTC's voice-activity detector), level and BS.1770 K-weighted energy (the standard's two
filters, as ``pyloudnorm`` defines them, applied per frame in the frequency domain),
sample peak, clipping, DC offset, the spectrum in bands, tonal peakiness, and the pitch and
harmonics-to-noise ratio (:mod:`.periodicity`). Besides the seconds it keeps only
20 ms frame levels, voice-activity flags and K-weighted energies (about 1 MB an hour), so memory
stays flat however long the recording is.

The source-rate measures (peak, clipping, DC, spectrum) are taken on the decoded blocks; the rest
on a mono mix resampled to :data:`ANALYSIS_RATE`. Levels are dBFS; times are seconds.
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import soxr
import webrtcvad

from . import periodicity
from .doctor import CLIP_LEVEL, mono_mix
from .true_peak import true_peak

ANALYSIS_RATE = 16000
FRAME_S = 0.02  # a voice-activity frame (WebRTC's VAD takes 10, 20 or 30 ms)
FRAMES_PER_S = int(round(1 / FRAME_S))
#: Upper edges of the spectrum's bands, Hz (the last band runs to the source's Nyquist).
BAND_EDGES_HZ = (150, 300, 600, 1200, 2400, 3400, 4800, 7000, 10000, 14000)
FFT_SIZE = 2048
#: WebRTC VAD's aggressiveness, 0-3: 2 leaves out most steady noise and still keeps soft speech.
VAD_MODE = 2
#: Seconds of analysis-rate audio measured at once (the pitch and harmonicity, the VAD).
CHUNK_S = 10
#: A flat top: this many equal samples in a row at the block's peak is a clipped waveform even below full scale.
FLAT_TOP_RUN = 3
SILENT_DBFS = -120.0


@dataclass
class Measures:
    """What an :class:`Analyzer` measured: per second (``seconds`` of them) and per 20 ms frame."""

    sample_rate: int
    seconds: int
    speech: np.ndarray  # share of the second's 20 ms frames the VAD calls speech
    level_db: np.ndarray  # RMS, dBFS
    peak: np.ndarray  # sample peak, linear, over all channels
    true_peak: np.ndarray  # BS.1770 true peak (4x oversampled near the limit: :mod:`.true_peak`), linear
    clipped: np.ndarray  # samples at full scale or on flat tops
    dc: np.ndarray  # mean sample value of the mono mix
    bands_db: np.ndarray  # (seconds, bands) power per band, dB
    peakiness: np.ndarray  # share of the power in the strongest FFT bin and its neighbours
    f0_st: np.ndarray  # median pitch of voiced frames, semitones above 100 Hz (nan: none)
    f0_spread_st: np.ndarray  # interquartile range of the pitch, semitones
    hnr_db: np.ndarray  # mean harmonics-to-noise ratio of voiced frames (nan: none)
    frame_db: np.ndarray  # 20 ms frame levels, dBFS (float32)
    frame_speech: np.ndarray  # 20 ms VAD flags (uint8)
    frame_k: np.ndarray  # 20 ms K-weighted mean squares (float32), for BS.1770 loudness

    @property
    def band_edges_hz(self) -> List[float]:
        return [*BAND_EDGES_HZ, self.sample_rate / 2]

    def loudness(self, start_s: float = 0.0, end_s: float = float("inf")) -> float:
        """Integrated loudness (ITU-R BS.1770-4 gating: 400 ms blocks, 75 % overlap, -70 LUFS
        absolute and -10 LU relative gates) of ``start_s``..``end_s``, in LUFS; -inf for silence."""
        first = int(max(start_s, 0) * FRAMES_PER_S)
        last = int(min(end_s, len(self.frame_k) / FRAMES_PER_S) * FRAMES_PER_S)
        energies = self.frame_k[first:last].astype(np.float64)
        per_block, hop = int(0.4 * FRAMES_PER_S), int(0.1 * FRAMES_PER_S)
        if len(energies) < per_block:
            return float("-inf")
        sums = np.concatenate([[0.0], np.cumsum(energies)])
        return gated_loudness((sums[per_block:] - sums[:-per_block])[::hop] / per_block)


def gated_loudness(block_energies: np.ndarray) -> float:
    """BS.1770-4's two gates over the mean squares of 400 ms blocks (one channel, weight 1)."""
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(block_energies)
    kept = block_energies[block_lufs > -70.0]
    if not len(kept):
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return float(-0.691 + 10 * np.log10(kept.mean()))


class _Columns:
    """Values as they are measured, block by block: per-second values one by one, frame values as
    compact arrays."""

    def __init__(self) -> None:
        self.seconds: Dict[str, list] = {}
        self.frames: Dict[str, List[np.ndarray]] = {}

    def add(self, **columns) -> None:
        for name, values in columns.items():
            self.seconds.setdefault(name, []).extend(values)

    def add_frames(self, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            self.frames.setdefault(name, []).append(values)

    def joined(self, name: str, count: int, width: int = 0) -> np.ndarray:
        if name in self.frames:
            joined = np.concatenate(self.frames[name])
        else:
            values = self.seconds.get(name, [])
            joined = np.array(values, dtype=np.float64) if values else np.zeros((0, width) if width else (0,))
        if len(joined) >= count:
            return joined[:count]
        pad = np.full((count - len(joined), *joined.shape[1:]), np.nan)
        return np.concatenate([joined, pad])


class Analyzer:
    """Measures a recording fed as float32 ``(frames, channels)`` blocks at ``sample_rate``."""

    def __init__(self, sample_rate: int, num_channels: int):
        self.sample_rate = sample_rate
        self._num_channels = num_channels
        self._source = _Columns()
        self._analysis = _Columns()
        self._resampler = soxr.ResampleStream(sample_rate, ANALYSIS_RATE, 1, dtype="float32")
        self._pending: List[np.ndarray] = []
        self._carry: Optional[Tuple[np.ndarray, np.ndarray]] = None  # the source's last part-second
        self._pending_frames = 0
        self._source_frames = 0
        self._vad = webrtcvad.Vad(VAD_MODE)
        self._k_gain = k_weighting_power(
            np.fft.rfftfreq(int(FRAME_S * ANALYSIS_RATE), 1 / ANALYSIS_RATE), ANALYSIS_RATE
        )
        self._window = np.hanning(FFT_SIZE).astype(np.float32)
        freqs = np.fft.rfftfreq(FFT_SIZE, 1 / sample_rate)
        self._band_of_bin = np.searchsorted(np.array(BAND_EDGES_HZ, dtype=float), freqs, side="right")

    def feed(self, block: np.ndarray, mono: Optional[np.ndarray] = None) -> None:
        """Measure one block (of any length), and its :func:`.doctor.mono_mix` when the caller has
        it. NaN or infinite samples count as silence (the level check refuses such a file)."""
        if not np.isfinite(block).all():
            block, mono = np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0), None
        if mono is None:
            mono = mono_mix(block)
        self._source_frames += len(block)
        self._queue(self._resampler.resample_chunk(mono))
        if self._carry is not None:
            block, mono = np.concatenate([self._carry[0], block]), np.concatenate([self._carry[1], mono])
        whole = len(block) // self.sample_rate * self.sample_rate
        self._measure_source(block[:whole], mono[:whole])
        self._carry = (block[whole:], mono[whole:]) if whole < len(block) else None

    def finish(self) -> Measures:
        """All measures, once the last block was fed."""
        if self._carry is not None:
            self._measure_source(*self._carry)
            self._carry = None
        self._queue(self._resampler.resample_chunk(np.zeros(0, np.float32), last=True), flush=True)
        seconds = int(np.ceil(self._source_frames / self.sample_rate))
        src, ana = self._source, self._analysis
        frame_count = int(round(self._source_frames / self.sample_rate * FRAMES_PER_S))
        frames = {name: ana.joined(name, frame_count) for name in ("frame_db", "frame_speech", "frame_k")}
        return Measures(
            sample_rate=self.sample_rate,
            seconds=seconds,
            speech=ana.joined("speech", seconds),
            level_db=ana.joined("level_db", seconds),
            peak=src.joined("peak", seconds),
            true_peak=src.joined("true_peak", seconds),
            clipped=src.joined("clipped", seconds),
            dc=src.joined("dc", seconds),
            bands_db=src.joined("bands_db", seconds, len(BAND_EDGES_HZ) + 1),
            peakiness=src.joined("peakiness", seconds),
            f0_st=ana.joined("f0_st", seconds),
            f0_spread_st=ana.joined("f0_spread_st", seconds),
            hnr_db=ana.joined("hnr_db", seconds),
            frame_db=np.nan_to_num(frames["frame_db"], nan=SILENT_DBFS).astype(np.float32),
            frame_speech=np.nan_to_num(frames["frame_speech"]).astype(np.uint8),
            frame_k=np.nan_to_num(frames["frame_k"]).astype(np.float32),
        )

    # -- at the source rate ------------------------------------------------------------------

    def _measure_source(self, block: np.ndarray, mono: np.ndarray) -> None:
        rate = self.sample_rate
        for first in range(0, len(block), rate):
            second, flat = block[first : first + rate], mono[first : first + rate]
            peak = float(np.abs(second).max(initial=0.0))
            power = self._spectrum(flat)
            total = power.sum()
            bands = np.bincount(self._band_of_bin, weights=power, minlength=len(BAND_EDGES_HZ) + 1)
            strongest = int(np.argmax(power))
            self._source.add(
                peak=[peak],
                true_peak=[true_peak(second)],
                clipped=[_clipped(second, peak)],
                dc=[float(flat.mean(dtype=np.float64))],
                bands_db=[(10 * np.log10(bands + 1e-20)).astype(np.float32)],
                peakiness=[float(power[max(strongest - 2, 0) : strongest + 3].sum() / total) if total > 0 else 0.0],
            )

    def _spectrum(self, flat: np.ndarray) -> np.ndarray:
        """The mean power spectrum of one second, over :data:`FFT_SIZE` frames."""
        whole = len(flat) // FFT_SIZE * FFT_SIZE
        if not whole:
            padded = np.zeros(FFT_SIZE, np.float32)
            padded[: len(flat)] = flat
            frames = padded[None, :]
        else:
            frames = flat[:whole].reshape(-1, FFT_SIZE)
        spectra = np.fft.rfft(frames * self._window, axis=1)
        return (spectra.real**2 + spectra.imag**2).mean(axis=0)

    # -- at the analysis rate ----------------------------------------------------------------

    def _queue(self, resampled: np.ndarray, *, flush: bool = False) -> None:
        if len(resampled):
            self._pending.append(resampled)
            self._pending_frames += len(resampled)
        chunk = CHUNK_S * ANALYSIS_RATE
        while self._pending_frames >= chunk or (flush and self._pending_frames):
            joined = np.concatenate(self._pending)
            take = min(chunk, len(joined))
            self._measure_analysis(joined[:take])
            self._pending = [joined[take:]]
            self._pending_frames = len(joined) - take

    def _measure_analysis(self, chunk: np.ndarray) -> None:
        per_frame = int(FRAME_S * ANALYSIS_RATE)
        count = len(chunk) // per_frame
        frames = chunk[: count * per_frame].reshape(count, per_frame).astype(np.float64)
        energy = (frames**2).mean(axis=1)
        frame_db = 10 * np.log10(np.maximum(energy, 10 ** (SILENT_DBFS / 10)))
        pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype(np.int16)
        speech = np.array([self._vad.is_speech(frame.tobytes(), ANALYSIS_RATE) for frame in pcm], np.uint8)
        # the K-weighted mean square of each frame by Parseval: its power spectrum times the filters' gain
        spectra = np.fft.rfft(frames, axis=1)
        power = spectra.real**2 + spectra.imag**2
        power[:, 1 : (per_frame + 1) // 2] *= 2  # the bins rfft folds
        k_energy = (power @ self._k_gain) / per_frame**2
        self._analysis.add_frames(
            frame_db=frame_db.astype(np.float32), frame_speech=speech, frame_k=k_energy.astype(np.float32)
        )

        seconds = int(np.ceil(len(chunk) / ANALYSIS_RATE))
        pitch, hnr = _periodicity(chunk)
        for second in range(seconds):
            span = slice(second * FRAMES_PER_S, (second + 1) * FRAMES_PER_S)
            voiced_f0 = pitch[second][pitch[second] > 0]
            semitones = 12 * np.log2(voiced_f0 / 100.0) if len(voiced_f0) else np.array([])
            voiced_hnr = hnr[second][hnr[second] > -100]
            self._analysis.add(
                speech=[float(speech[span].mean()) if len(speech[span]) else 0.0],
                level_db=[10 * np.log10(max(float(energy[span].mean()) if len(energy[span]) else 0.0, 1e-12))],
                f0_st=[float(np.median(semitones)) if len(semitones) else np.nan],
                f0_spread_st=[
                    float(np.subtract(*np.percentile(semitones, [75, 25]))) if len(semitones) > 3 else np.nan
                ],
                hnr_db=[float(voiced_hnr.mean()) if len(voiced_hnr) else np.nan],
            )


def _clipped(second: np.ndarray, peak: float) -> int:
    """Samples at full scale, or on flat tops (runs of equal samples at the peak: clipped, then turned down)."""
    if peak >= CLIP_LEVEL:
        return int(np.count_nonzero(np.abs(second) >= CLIP_LEVEL))
    if peak <= 0.05:
        return 0
    at_peak = np.abs(second) >= peak * (1 - 1e-6)
    if np.count_nonzero(at_peak) < FLAT_TOP_RUN:
        return 0
    flags = at_peak.any(axis=1).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags, [0]])))
    runs = edges[1::2] - edges[::2]
    return int(runs[runs >= FLAT_TOP_RUN].sum())


def k_weighting_power(freqs: np.ndarray, sample_rate: int) -> np.ndarray:
    """The power gain at ``freqs`` of BS.1770's K-weighting: its high shelf (+4 dB above 1.5 kHz,
    Q 1/sqrt 2) and high pass (38 Hz, Q 0.5), the biquads ``pyloudnorm`` builds for any rate (the
    audio cookbook's formulas)."""
    gain = np.ones_like(freqs, dtype=np.float64)
    z = np.exp(-2j * np.pi * freqs / sample_rate)
    for b, a in (_high_shelf(4.0, 1 / np.sqrt(2), 1500.0, sample_rate), _high_pass(0.5, 38.0, sample_rate)):
        response = (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
        gain *= np.abs(response) ** 2
    return gain


def _high_shelf(gain_db: float, q: float, fc: float, rate: int):
    big_a, w0 = 10 ** (gain_db / 40), 2 * np.pi * fc / rate
    alpha, cos = np.sin(w0) / (2 * q), np.cos(w0)
    root = 2 * np.sqrt(big_a) * alpha
    b = (
        big_a * ((big_a + 1) + (big_a - 1) * cos + root),
        -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
        big_a * ((big_a + 1) + (big_a - 1) * cos - root),
    )
    a = (
        (big_a + 1) - (big_a - 1) * cos + root,
        2 * ((big_a - 1) - (big_a + 1) * cos),
        (big_a + 1) - (big_a - 1) * cos - root,
    )
    return b, a


def _high_pass(q: float, fc: float, rate: int):
    w0 = 2 * np.pi * fc / rate
    alpha, cos = np.sin(w0) / (2 * q), np.cos(w0)
    return ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha)


def _periodicity(chunk: np.ndarray):
    """Pitch (Hz, 0 unvoiced) and harmonics-to-noise ratio (dB) of the chunk's 20 ms frames, by second."""
    seconds = int(np.ceil(len(chunk) / ANALYSIS_RATE))
    narrow = soxr.resample(chunk, ANALYSIS_RATE, periodicity.RATE)
    per_second = int(round(1 / FRAME_S))
    pitch, hnr = periodicity.periodicity(narrow, int(FRAME_S * periodicity.RATE), seconds * per_second)
    return (
        [pitch[s * per_second : (s + 1) * per_second] for s in range(seconds)],
        [hnr[s * per_second : (s + 1) * per_second] for s in range(seconds)],
    )
